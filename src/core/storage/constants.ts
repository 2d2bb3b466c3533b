/**
 * 0G Storage units and the all-zero subtree hashes (GO core/dataflow.go, TS src.ts/constant.ts, NODE
 * shared_types CHUNK_SIZE and append_merkle ZERO_HASHES, CON ZgsSpec.sol BYTES_PER_SECTOR).
 */
import {type Hash, hashPair, keccak256} from './keccak.js'

/** A chunk (the contracts' "sector", the node's "entry"): the Merkle leaf, 256 bytes. */
export const CHUNK_SIZE = 256
/** Chunks per segment, the unit of upload, download and segment proofs. */
export const SEGMENT_CHUNKS = 1024
/** log2(SEGMENT_CHUNKS): the height of a full segment's subtree. */
export const SEGMENT_HEIGHT = 10
/** Bytes per segment: 256 KiB. */
export const SEGMENT_SIZE = CHUNK_SIZE * SEGMENT_CHUNKS

/** keccak256 of 256 zero bytes: the leaf of every padding chunk. */
export const EMPTY_CHUNK_HASH = '0xd397b3b043d87fcd6fad1291ff0bfd16401c274896d8c63a923727f077b8e0b5'

/** The Flow contract accepts node heights below 64, so no subtree of interest is taller. */
export const MAX_HEIGHT = 63

let zeroHashes: Hash[] | undefined

/**
 * ZERO_HASHES[0..63]: ZERO_HASHES[0] = keccak256(zero chunk), ZERO_HASHES[k] = keccak(Z[k-1] ‖ Z[k-1]), the
 * root of an all-zero subtree of 2^k chunks (ZERO_HASHES[10] is an all-zero segment). Computed on first use.
 * The arrays are shared: callers copy them, never write into them.
 */
export function getZeroHashes(): readonly Hash[] {
  if (!zeroHashes) {
    const z: Hash[] = [keccak256(new Uint8Array(CHUNK_SIZE))]
    for (let k = 1; k <= MAX_HEIGHT; k++) z.push(hashPair(z[k - 1]!, z[k - 1]!))
    zeroHashes = z
  }
  return zeroHashes
}

/** Root of an all-zero subtree of 2^height chunks (shared array: do not modify). */
export function zeroHash(height: number): Hash {
  if (!Number.isInteger(height) || height < 0 || height > MAX_HEIGHT) {
    throw new RangeError(`zero-hash height must be an integer in 0..${MAX_HEIGHT}, got ${height}`)
  }
  return getZeroHashes()[height]!
}
