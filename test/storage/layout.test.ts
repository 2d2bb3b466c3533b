import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {MemData, computePaddedSize, nextPow2 as sdkNextPow2} from '@0gfoundation/0g-ts-sdk'
import {isZgError} from '../../src/core/errors.js'
import {DEFAULT_FRAGMENT_SIZE, normalizeFragmentSize, splitFragments} from '../../src/core/storage/fragments.js'
import {
  computePaddedChunks,
  fileLayout,
  log2Pow2,
  nextPow2,
  numChunks,
  numSegments,
  numSegmentsPadded,
  segmentByteRange,
  segmentLeafCount,
  segmentWireSize,
  splitNodes,
} from '../../src/core/storage/layout.js'

const GiB = 1024 ** 3
const KiB256 = 262144

/** The SDK's own splitNodes, run on a stand-in that only answers numChunks (no data needed). */
const sdkSplitNodes = (chunks: number): number[] =>
  (MemData.prototype as unknown as {splitNodes(this: unknown): number[]}).splitNodes.call({numChunks: () => chunks})

describe('layout', () => {
  test('padding and nodes match the SDK for every chunk count up to 70000 and sampled large ones', () => {
    const counts: number[] = []
    for (let c = 1; c <= 70000; c++) counts.push(c)
    for (let e = 17; e <= 44; e++) for (const d of [-1, 0, 1, 12345]) counts.push(2 ** e + d)
    for (const c of counts) {
      const ours = computePaddedChunks(c)
      const [padded, np2] = computePaddedSize(c)
      assert.equal(ours.paddedChunks, padded, `padded(${c})`)
      assert.equal(ours.nextPow2, np2, `nextPow2(${c})`)
      const nodes = splitNodes(c)
      assert.deepEqual(nodes.map((n) => n.chunks), sdkSplitNodes(c), `nodes(${c})`)
      // Contract validity (Submission.sol valid()): descending heights, spread < 4, each node aligned.
      for (let i = 1; i < nodes.length; i++) assert.ok(nodes[i]!.height < nodes[i - 1]!.height)
      assert.ok(nodes[0]!.height - nodes.at(-1)!.height < 4)
      for (const n of nodes) {
        assert.equal(n.chunks, 2 ** n.height)
        assert.equal(n.startChunk % n.chunks, 0)
      }
    }
  })

  test('no 32-bit wrap-around beyond 2^31 chunks (512 GiB)', () => {
    const c = 2 ** 31 + 1
    assert.deepEqual(computePaddedChunks(c), {paddedChunks: 9 * 2 ** 28, nextPow2: 2 ** 32})
    assert.deepEqual(splitNodes(c), [
      {height: 31, startChunk: 0, chunks: 2 ** 31},
      {height: 28, startChunk: 2 ** 31, chunks: 2 ** 28},
    ])
    const size = 600 * GiB + 1
    const l = fileLayout(size)
    assert.equal(l.chunks, 600 * 4 * 1024 * 1024 + 1)
    assert.equal(l.segments, 600 * 4096 + 1)
    assert.equal(l.paddedSegments, l.paddedChunks / 1024)
    assert.equal(nextPow2(2 ** 40 + 1), 2 ** 41)
    assert.equal(log2Pow2(2 ** 45), 45)
    assert.throws(() => log2Pow2(2 ** 45 + 2), RangeError)
    assert.equal(numChunks(2 ** 52), 2 ** 44)
  })

  test('segment counts, ranges and wire sizes', () => {
    assert.equal(numSegments(1), 1)
    assert.equal(numSegments(KiB256), 1)
    assert.equal(numSegments(KiB256 + 1), 2)
    // 4 MiB + 1: 16385 chunks padded to 18432 → 18 padded segments, 17 with data.
    const l = fileLayout(4 * 1024 * 1024 + 1)
    assert.equal(l.segments, 17)
    assert.equal(l.paddedSegments, 18)
    assert.equal(numSegmentsPadded(1152), 2)
    assert.equal(segmentLeafCount(0, 1152), 1024)
    assert.equal(segmentLeafCount(1, 1152), 128)
    assert.equal(segmentLeafCount(16, 18432), 1024, 'last data segment is padded to a full segment')
    assert.throws(() => segmentLeafCount(2, 1152), RangeError)
    assert.deepEqual(segmentByteRange(1, 300000), {start: KiB256, end: 300000})
    assert.equal(segmentWireSize(0, 300000), KiB256)
    assert.equal(segmentWireSize(1, 300000), 37888, '37856 tail bytes → 148 whole chunks')
    assert.equal(segmentWireSize(0, 11), 256)
    assert.throws(() => segmentByteRange(2, 300000), RangeError)
  })

  test('an empty file is a usage error, not a crash', () => {
    assert.throws(
      () => fileLayout(0),
      (e: unknown) => isZgError(e) && e.code === 'EMPTY_FILE' && e.exit === 2,
    )
  })
})

describe('fragments', () => {
  /** The SDK's AbstractFile.split on a stand-in file of `size` bytes. */
  const sdkSplit = (size: number, f: number) =>
    (MemData.prototype as unknown as {split(this: unknown, f: number): {offset: number; size: number}[]}).split
      .call({offset: 0, size: () => size, createFragment: (offset: number, s: number) => ({offset, size: s})}, f)

  test('fragment size: at least one chunk, rounded up to a power of two, 4 GiB by default', () => {
    assert.equal(DEFAULT_FRAGMENT_SIZE, 4 * GiB)
    assert.equal(normalizeFragmentSize(), 4 * GiB)
    assert.equal(normalizeFragmentSize(1), 256)
    assert.equal(normalizeFragmentSize(400 * 1024 * 1024), 512 * 1024 * 1024)
    for (const f of [1, 255, 256, 257, 1000, 3 * GiB]) assert.equal(normalizeFragmentSize(f), sdkNextPow2(Math.max(256, f)))
  })

  test('splits like the SDK; files up to the fragment size stay whole', () => {
    assert.deepEqual(splitFragments(4 * GiB), [{index: 0, offset: 0, size: 4 * GiB}])
    assert.deepEqual(splitFragments(4 * GiB + 1), [
      {index: 0, offset: 0, size: 4 * GiB},
      {index: 1, offset: 4 * GiB, size: 1},
    ])
    for (const [size, f] of [[10 * GiB + 7, 4 * GiB], [1000, 100], [1 << 20, 256 * 1024], [12 * GiB, 4 * GiB]] as const) {
      const nf = normalizeFragmentSize(f)
      const ours = splitFragments(size, f)
      assert.deepEqual(ours.map(({offset, size: s}) => ({offset, size: s})), sdkSplit(size, nf), `split(${size}, ${f})`)
      assert.equal(ours.reduce((a, x) => a + x.size, 0), size)
    }
  })
})
