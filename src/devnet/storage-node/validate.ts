/**
 * Checks of an uploaded segment, in the order and with the exact errors of the node (NODE rpc/src/types.rs
 * SegmentWithProof::validate and shared_types FileProof::validate): the data length for its index, then the proof
 * (format, position, hash chain, root, leaf) and the rear-padding rule. The Merkle work is the shared engine's.
 */
import {CHUNK_SIZE, SEGMENT_CHUNKS, SEGMENT_HEIGHT, SEGMENT_SIZE, zeroHash} from '../../core/storage/constants.js'
import {type Hash, fromHex, hashEquals, hashPair} from '../../core/storage/keccak.js'
import {ceilDiv, computePaddedChunks, log2Pow2, nextPow2} from '../../core/storage/layout.js'
import {segmentRoot} from '../../core/storage/merkle.js'
import {callFailed, invalidParams, rustBools, rustBytes} from './errors.js'
import type {SegmentParam} from './params.js'

/** `split_file_into_segments`: data segments of a file and the wire size of the last one. */
export function splitFileIntoSegments(fileSize: number): {numSegments: number; lastSegmentSize: number} {
  if (fileSize === 0) throw invalidParams('file_size', 'file is empty')
  const rem = fileSize % SEGMENT_SIZE
  const full = Math.floor(fileSize / SEGMENT_SIZE)
  if (rem === 0) return {numSegments: full, lastSegmentSize: SEGMENT_SIZE}
  return {numSegments: full + 1, lastSegmentSize: ceilDiv(rem, CHUNK_SIZE) * CHUNK_SIZE}
}

/** Flow-padded layout used by proofs: leaves of the segment tree and chunks of the last padded segment. */
export function proofLayout(fileSize: number): {paddedChunks: number; segmentsForProof: number; lastPaddedSegmentChunks: number} {
  const {paddedChunks} = computePaddedChunks(ceilDiv(fileSize, CHUNK_SIZE))
  const segmentsForProof = ceilDiv(paddedChunks, SEGMENT_CHUNKS)
  const lastPaddedSegmentChunks = paddedChunks - (segmentsForProof - 1) * SEGMENT_CHUNKS
  return {paddedChunks, segmentsForProof, lastPaddedSegmentChunks}
}

/** `FileProof::position`: the leaf a path points at in a tree of `leafCount` leaves. */
function proofPosition(path: readonly boolean[], leafCount: number): number {
  let left = leafCount
  let pos = 0
  for (let i = path.length - 1; i >= 0; i--) {
    if (left <= 1) throw callFailed(`Proof path too long for a tree size: path=${rustBools(path)}, size=${leafCount}`)
    const sub = nextPow2(left) / 2
    if (!path[i]) {
      pos += sub
      left -= sub
    } else left = sub
  }
  if (left !== 1) throw callFailed(`Proof path too short for a tree size: path=${rustBools(path)}, size=${leafCount}`)
  return pos
}

/**
 * Validates `seg` on its own (size, index, proof against its root). Returns the segment's leaf: the root of its
 * data chunks padded with zero-chunk leaves to its place in the flow-padded file.
 */
export function validateSegment(seg: SegmentParam): Hash {
  const {numSegments, lastSegmentSize} = splitFileIntoSegments(seg.fileSize)
  if (seg.index >= numSegments) throw invalidParams('index', 'index out of bound')
  const dataSize = seg.index === numSegments - 1 ? lastSegmentSize : SEGMENT_SIZE
  if (seg.data.length !== dataSize) throw invalidParams('data', 'invalid data length')

  const {segmentsForProof, lastPaddedSegmentChunks} = proofLayout(seg.fileSize)
  const expectedLength = seg.index === segmentsForProof - 1 ? lastPaddedSegmentChunks * CHUNK_SIZE : SEGMENT_SIZE

  const {lemma, path} = seg.proof
  if (path.length === 0 ? lemma.length !== 1 : lemma.length !== path.length + 2) throw invalidParams('proof', 'invalid proof')
  // The data is a whole number of chunks (checked before), so the node's "invalid data len" cannot occur here.
  const leafCount = Math.max(expectedLength, seg.data.length) / CHUNK_SIZE
  const leaf = segmentRoot(seg.data, leafCount)

  const position = proofPosition(path, segmentsForProof)
  if (position !== seg.index) throw callFailed(`wrong position: proof_pos=${position} provided=${seg.index}`)
  const hashes = lemma.map((h) => fromHex(h)!)
  let h = hashes[0]!
  for (let k = 0; k < path.length; k++) h = path[k] ? hashPair(h, hashes[k + 1]!) : hashPair(hashes[k + 1]!, h)
  const proofRoot = hashes[hashes.length - 1]!
  if (!hashEquals(h, proofRoot)) throw invalidParams('proof', 'validation failed')
  const root = fromHex(seg.root)!
  if (!hashEquals(proofRoot, root)) throw callFailed(`root mismatch, proof_root=${rustBytes(proofRoot)} provided=${rustBytes(root)}`)
  if (!hashEquals(hashes[0]!, leaf)) throw callFailed(`data hash mismatch: leaf_hash=${rustBytes(leaf)} proof_item=${rustBytes(hashes[0]!)}`)

  // A right sibling made only of padding segments must be the matching all-zero subtree.
  const segmentsForFile = ceilDiv(ceilDiv(seg.fileSize, CHUNK_SIZE), SEGMENT_CHUNKS)
  let left = segmentsForProof
  let at = 0
  for (let i = 0; i < path.length; i++) {
    const sub = nextPow2(left) / 2
    if (!path[path.length - 1 - i]) {
      at += sub
      left -= sub
    } else {
      left = sub
      if (at + sub >= segmentsForFile && !hashEquals(hashes[hashes.length - 2 - i]!, zeroHash(log2Pow2(sub) + SEGMENT_HEIGHT))) {
        throw invalidParams('proof', 'invalid proof node value in the padding range')
      }
    }
  }
  return leaf
}
