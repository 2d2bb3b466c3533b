/**
 * How a file maps onto chunks, segments and submission nodes. Pure arithmetic on JS numbers: sizes are
 * safe integers (≤ 2^53) and nothing here uses 32-bit bit operations, which would wrap at 2^31 chunks
 * (512 GiB). Sources: GO core/flow.go (ComputePaddedSize, splitNodes), TS src.ts/file/utils.ts, NODE
 * shared_types compute_padded_chunk_size / compute_segment_size, and rpc types SegmentWithProof.
 */
import {usageError} from '../errors.js'
import {CHUNK_SIZE, SEGMENT_CHUNKS, SEGMENT_SIZE} from './constants.js'

function assertCount(name: string, n: number, min = 0): void {
  if (!Number.isSafeInteger(n) || n < min) throw new RangeError(`${name} must be a safe integer ≥ ${min}, got ${n}`)
}

function assertFileSize(size: number): void {
  assertCount('file size', size)
  if (size === 0) {
    throw usageError('The data is empty: 0G Storage cannot store a 0-byte file.', {
      code: 'EMPTY_FILE',
      suggestions: ['Pick a file with at least one byte.'],
    })
  }
}

/** ceil(a / b) for a non-negative safe integer a and a positive integer b. */
export function ceilDiv(a: number, b: number): number {
  const q = Math.floor(a / b)
  return q * b < a ? q + 1 : q
}

/** Number of 256-byte chunks holding `size` bytes (the last one zero-padded). */
export function numChunks(size: number): number {
  assertCount('size', size)
  return ceilDiv(size, CHUNK_SIZE)
}

/** Smallest power of two ≥ n (1 for n ≤ 1). */
export function nextPow2(n: number): number {
  assertCount('n', n)
  let p = 1
  while (p < n) p *= 2
  return p
}

/** log2 of a power of two. */
export function log2Pow2(n: number): number {
  assertCount('n', n, 1)
  let h = 0
  let p = 1
  while (p < n) {
    p *= 2
    h++
  }
  if (p !== n) throw new RangeError(`${n} is not a power of two`)
  return h
}

/**
 * Flow padding: the chunk count rounded up to a multiple of nextPow2(chunks)/16 (or 1 below 16 chunks), at
 * most 1/16 overhead. Padding chunks are all zero. The contract's minimal-padding rule forces exactly this.
 */
export function computePaddedChunks(chunks: number): {paddedChunks: number; nextPow2: number} {
  assertCount('chunks', chunks, 1)
  const np2 = nextPow2(chunks)
  if (np2 === chunks) return {paddedChunks: chunks, nextPow2: np2}
  const minChunk = np2 >= 16 ? np2 / 16 : 1
  return {paddedChunks: ceilDiv(chunks, minChunk) * minChunk, nextPow2: np2}
}

/** A submission node's place in the padded chunk stream. */
export interface NodeSpan {
  /** Contract height: log2(chunks). */
  height: number
  startChunk: number
  chunks: number
}

/**
 * The submission nodes: padded chunks decomposed greedily into descending powers of two starting at
 * nextPow2 (at most 4 nodes). Each node is aligned to its own size, so a node of height ≥ 10 covers whole
 * segments and all nodes below height 10 lie in the last segment.
 */
export function splitNodes(chunks: number): NodeSpan[] {
  const {paddedChunks, nextPow2: np2} = computePaddedChunks(chunks)
  const nodes: NodeSpan[] = []
  let remaining = paddedChunks
  let next = np2
  let start = 0
  let height = log2Pow2(np2)
  while (remaining > 0) {
    if (remaining >= next) {
      nodes.push({height, startChunk: start, chunks: next})
      start += next
      remaining -= next
    }
    next /= 2
    height--
  }
  return nodes
}

/** Segments that hold file bytes, ceil(size / 256 KiB): the ones that are uploaded and downloaded. */
export function numSegments(size: number): number {
  assertCount('size', size)
  return ceilDiv(size, SEGMENT_SIZE)
}

/**
 * Segments of the flow-padded file, ceil(paddedChunks / 1024): the leaf count of the file's segment tree
 * and of every segment proof. It exceeds numSegments by one when a whole segment is padding.
 */
export function numSegmentsPadded(paddedChunks: number): number {
  assertCount('paddedChunks', paddedChunks)
  return ceilDiv(paddedChunks, SEGMENT_CHUNKS)
}

/** Leaves of segment `index` in the padded stream: 1024, or fewer for the last padded segment. */
export function segmentLeafCount(index: number, paddedChunks: number): number {
  assertCount('segment index', index)
  const start = index * SEGMENT_CHUNKS
  if (start >= paddedChunks) throw new RangeError(`segment ${index} is past the padded file (${paddedChunks} chunks)`)
  return Math.min(SEGMENT_CHUNKS, paddedChunks - start)
}

/** File bytes [start, end) of data segment `index`. */
export function segmentByteRange(index: number, size: number): {start: number; end: number} {
  assertFileSize(size)
  assertCount('segment index', index)
  const start = index * SEGMENT_SIZE
  if (start >= size) throw new RangeError(`segment ${index} is past the end of a ${size}-byte file`)
  return {start, end: Math.min(start + SEGMENT_SIZE, size)}
}

/**
 * Bytes of segment `index` on the wire (zgs_uploadSegment, zgs_downloadSegment): 256 KiB, or for the last
 * data segment its remaining bytes rounded up to whole chunks (NODE SegmentWithProof::split_file_into_segments).
 */
export function segmentWireSize(index: number, size: number): number {
  const {start, end} = segmentByteRange(index, size)
  return ceilDiv(end - start, CHUNK_SIZE) * CHUNK_SIZE
}

/** Everything about one file's (or fragment's) shape. */
export interface FileLayout {
  size: number
  chunks: number
  paddedChunks: number
  /** Segments holding data. */
  segments: number
  /** Segments of the padded file (segment-tree leaves). */
  paddedSegments: number
  nodes: NodeSpan[]
}

export function fileLayout(size: number): FileLayout {
  assertFileSize(size)
  const chunks = numChunks(size)
  const {paddedChunks} = computePaddedChunks(chunks)
  return {
    size,
    chunks,
    paddedChunks,
    segments: numSegments(size),
    paddedSegments: numSegmentsPadded(paddedChunks),
    nodes: splitNodes(chunks),
  }
}
