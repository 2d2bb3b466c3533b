/**
 * Keccak-256 (Ethereum's, not SHA3-256) for the Merkle engine, tuned for its workload: millions of tiny
 * inputs (256-byte chunks, 64-byte node pairs), where per-call overhead matters as much as raw speed.
 *
 * Why hash-wasm, measured on this project's 2-core x86-64 box (Node 24) hashing whole segment trees
 * (1024 × 256 B leaves + 1023 × 64 B parents, mpat data, same root from every candidate):
 *
 *   hash-wasm createKeccak reused (init/update/digest('binary'))   147 MB/s
 *   keccak 3.0.4 native addon, state object reused per hash          47 MB/s
 *   sha3-wasm 1.0.0                                                  45 MB/s
 *   keccak 3.0.4 native, createKeccak() per hash (its public API)    31 MB/s
 *   js-sha3 0.13 keccak256.arrayBuffer                               31 MB/s
 *   @noble/hashes 2 keccak_256                                       22 MB/s
 *
 * hash-wasm costs ~920 ns per 256 B chunk and ~550 ns per 64 B pair, of which ~340 ns is one Keccak-f
 * permutation and ~210 ns the JS↔WASM crossings; none of the packages offers a batch entry point that
 * would hash a whole segment in one call, so that overhead stays, and the Merkle code uses worker threads
 * instead to go faster. Node's own crypto has only SHA3-256 (different padding), not Keccak-256.
 *
 * The WASM module is instantiated once at import (top-level await) so that hashing stays synchronous.
 */
import {createKeccak} from 'hash-wasm'

/** A 32-byte Keccak-256 digest. */
export type Hash = Uint8Array

const hasher = await createKeccak(256)

/** Keccak-256 of `data`, as a new 32-byte array. */
export function keccak256(data: Uint8Array): Hash {
  hasher.init()
  hasher.update(data)
  return hasher.digest('binary')
}

const pair = new Uint8Array(64)

/** keccak256(left ‖ right): a Merkle parent. */
export function hashPair(left: Hash, right: Hash): Hash {
  pair.set(left, 0)
  pair.set(right, 32)
  return keccak256(pair)
}

/** Writes keccak256 of each of the first `count` 256-byte chunks of `data` into `out` (32 bytes each). */
export function hashChunksInto(data: Uint8Array, count: number, out: Uint8Array, outOffset = 0): void {
  for (let i = 0; i < count; i++) {
    hasher.init()
    hasher.update(data.subarray(i * 256, i * 256 + 256))
    out.set(hasher.digest('binary'), outOffset + i * 32)
  }
}

/**
 * Replaces the `n` packed hashes at the start of `buf` by the next tree level (ceil(n/2) hashes): pairs
 * are hashed left to right and an odd last node is carried up unchanged, which is the rule 0G's SDKs, Go
 * client and storage node all use. In place is safe: slot i is written only after slots 2i, 2i+1 were read.
 * Returns the new count.
 */
export function reduceLevelInPlace(buf: Uint8Array, n: number): number {
  const pairs = Math.floor(n / 2)
  for (let i = 0; i < pairs; i++) {
    hasher.init()
    hasher.update(buf.subarray(i * 64, i * 64 + 64))
    buf.set(hasher.digest('binary'), i * 32)
  }
  if (n % 2 === 1) buf.copyWithin(pairs * 32, (n - 1) * 32, n * 32)
  return pairs + (n % 2)
}

/** "0x"-prefixed lowercase hex of a hash (the form JSON-RPC and the SDKs use). */
export function toHex(hash: Uint8Array): string {
  return '0x' + Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('hex')
}

/** Parses a 32-byte hex hash, with or without "0x"; returns undefined when it is not one. */
export function fromHex(hex: string): Hash | undefined {
  const h = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex
  if (!/^[0-9a-fA-F]{64}$/.test(h)) return undefined
  return new Uint8Array(Buffer.from(h, 'hex'))
}

/** Byte-wise equality of two hashes. */
export function hashEquals(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
