/**
 * Keccak-256 (Ethereum's, not SHA3-256) for the Merkle engine, tuned for its workload: millions of tiny
 * inputs (256-byte chunks, 64-byte node pairs), where per-call overhead matters as much as raw speed.
 *
 * The hashing runs in zg's own WebAssembly kernels (wasm/kernels.ts, built by scripts/build-wasm.mjs), which hash a
 * whole batch per call: all chunks of a segment, a whole tree level. Measured on this project's 2-core x86-64 box
 * (Node 24), segment trees (1024 x 256 B leaves + 1023 x 64 B parents), same root from every candidate:
 *
 *   zg kernels (batch per call, two lanes of SIMD)                 ~360 MB/s (scalar: 281, hash-wasm 158 that run)
 *   hash-wasm createKeccak reused (init/update/digest('binary'))   147 MB/s
 *   keccak 3.0.4 native addon, state object reused per hash          47 MB/s
 *   sha3-wasm 1.0.0                                                  45 MB/s
 *   js-sha3 0.13 keccak256.arrayBuffer                               31 MB/s
 *   @noble/hashes 2 keccak_256                                       22 MB/s
 *
 * hash-wasm, the fastest library, costs ~920 ns per 256 B chunk and ~550 ns per 64 B pair, of which ~450 ns per
 * chunk+pair is JS<->WASM crossing and wrapper work; no package offers a batch entry point, hence the kernels.
 * Node's own crypto has only SHA3-256 (different padding), not Keccak-256.
 *
 * The module (kernels.ts) is compiled synchronously at import (it is 2 KB), one instance per thread.
 */
import {IN, kernels as k, OUT, room} from './kernels.js'

/** A 32-byte Keccak-256 digest. */
export type Hash = Uint8Array

/** Keccak-256 of `data`, as a new 32-byte array. */
export function keccak256(data: Uint8Array): Hash {
  const m = room(data.length)
  m.set(data, IN)
  k.keccak256(IN, data.length, OUT)
  return m.slice(OUT, OUT + 32)
}

/** keccak256(left ‖ right): a Merkle parent. */
export function hashPair(left: Hash, right: Hash): Hash {
  const m = room(64)
  m.set(left, IN)
  m.set(right, IN + 32)
  k.reduceLevel(IN, 2)
  return m.slice(IN, IN + 32)
}

/** Chunks per kernel call when hashing a large buffer: bounds the module's memory at 1 MiB of input. */
const CHUNK_BATCH = 4096

/** Writes keccak256 of each of the first `count` 256-byte chunks of `data` into `out` (32 bytes each). */
export function hashChunksInto(data: Uint8Array, count: number, out: Uint8Array, outOffset = 0): void {
  for (let done = 0; done < count; ) {
    const n = Math.min(CHUNK_BATCH, count - done)
    const m = room(n * 256)
    m.set(data.subarray(done * 256, (done + n) * 256), IN)
    k.hashChunks(IN, n, IN)
    out.set(m.subarray(IN, IN + n * 32), outOffset + done * 32)
    done += n
  }
}

/**
 * Replaces the `n` packed hashes at the start of `buf` by the next tree level (ceil(n/2) hashes): pairs
 * are hashed left to right and an odd last node is carried up unchanged, which is the rule 0G's SDKs, Go
 * client and storage node all use. Returns the new count.
 */
export function reduceLevelInPlace(buf: Uint8Array, n: number): number {
  const m = room(n * 32)
  m.set(buf.subarray(0, n * 32), IN)
  const next = k.reduceLevel(IN, n)
  buf.set(m.subarray(IN, IN + next * 32))
  return next
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
