import assert from 'node:assert/strict'
import fs from 'node:fs'
import {open} from 'node:fs/promises'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {isZgError, ZgError} from '../../src/core/errors.js'
import type {ProgressEvent} from '../../src/core/progress.js'
import {SEGMENT_SIZE} from '../../src/core/storage/constants.js'
import {toHex} from '../../src/core/storage/keccak.js'
import {fileLayout, segmentWireSize} from '../../src/core/storage/layout.js'
import {computeFileTree, hashRange, paddedSegmentRoot, segmentRoot, treeFromBytes} from '../../src/core/storage/merkle.js'
import {generate, randomBytes, tempDir} from './gen.js'

const zgCode = (code: string) => (e: unknown) => isZgError(e) && e.code === code

describe('computeFileTree', () => {
  let tmp: ReturnType<typeof tempDir>
  let big: string
  let bigData: Uint8Array
  before(() => {
    tmp = tempDir()
    // 9 MiB + 5 bytes: several read batches, a partial last segment with small nodes.
    bigData = randomBytes(9 * 1024 * 1024 + 5, 77)
    big = path.join(tmp.dir, 'big.bin')
    fs.writeFileSync(big, bigData)
  })
  after(() => tmp.cleanup())

  test('segment roots are kept and equal per-segment roots computed from wire bytes', async () => {
    const tree = await computeFileTree(big, {workers: 2, mainThread: false})
    assert.deepEqual(tree.segmentRoots, treeFromBytes(bigData).segmentRoots)
    const size = bigData.length
    for (let i = 0; i < tree.segments; i++) {
      const exact = bigData.subarray(i * SEGMENT_SIZE, Math.min((i + 1) * SEGMENT_SIZE, size))
      const wire = new Uint8Array(segmentWireSize(i, size))
      wire.set(exact)
      const want = toHex(tree.segmentRoots.subarray(i * 32, i * 32 + 32))
      assert.equal(toHex(paddedSegmentRoot(wire, i, size)), want, `segment ${i} (wire form)`)
      assert.equal(toHex(paddedSegmentRoot(exact, i, size)), want, `segment ${i} (exact bytes)`)
    }
    // Without the flow padding's extra leaves the last segment's root differs: the padding matters.
    const last = tree.segments - 1
    const tail = bigData.subarray(last * SEGMENT_SIZE)
    assert.notEqual(toHex(segmentRoot(tail)), toHex(tree.segmentRoots.subarray(last * 32, last * 32 + 32)))
    assert.throws(() => paddedSegmentRoot(tail, tree.segments, size), RangeError)
  })

  test('reports hash progress in bytes, ending with done and the root', async () => {
    for (const threads of [{workers: 0}, {workers: 2, mainThread: false}, {workers: 1}]) {
      const events: ProgressEvent[] = []
      const tree = await computeFileTree(big, {...threads, reporter: {emit: (e) => events.push(e)}})
      assert.ok(events.every((e) => e.step === 'hash' && e.total === bigData.length))
      assert.equal(events[0]!.status, 'started')
      const last = events.at(-1)!
      assert.equal(last.status, 'done')
      assert.deepEqual(last.data, {root: tree.root})
      const progress = events.filter((e) => e.status === 'progress').map((e) => e.done!)
      assert.ok(progress.length >= 2, `several progress events (${progress.length})`)
      for (let i = 1; i < progress.length; i++) assert.ok(progress[i]! > progress[i - 1]!)
      assert.equal(progress.at(-1), bigData.length)
    }
  })

  test('can be aborted, on one thread and with workers', async () => {
    for (const threads of [{workers: 0}, {workers: 2, mainThread: false}, {workers: 1}]) {
      const ctl = new AbortController()
      await assert.rejects(
        computeFileTree(big, {...threads, signal: ctl.signal, reporter: {emit: (e) => e.status === 'progress' && ctl.abort()}}),
        zgCode('INTERRUPTED'),
      )
    }
    const ctl = new AbortController()
    ctl.abort()
    await assert.rejects(computeFileTree(big, {signal: ctl.signal}), zgCode('INTERRUPTED'))
  })

  test('missing file, directory, empty file and bad range are typed errors', async () => {
    await assert.rejects(computeFileTree(path.join(tmp.dir, 'nope.bin')), (e: unknown) => zgCode('FILE_NOT_FOUND')(e) && (e as ZgError).exit === 3)
    await assert.rejects(computeFileTree(tmp.dir), zgCode('NOT_A_FILE'))
    const empty = path.join(tmp.dir, 'empty.bin')
    fs.writeFileSync(empty, '')
    await assert.rejects(computeFileTree(empty), zgCode('EMPTY_FILE'))
    await assert.rejects(computeFileTree(big, {offset: 10, length: bigData.length}), zgCode('BAD_RANGE'))
  })

  test('a file shorter than expected (changed while hashing) is detected', async () => {
    const small = path.join(tmp.dir, 'small.bin')
    fs.writeFileSync(small, generate('pat', 1000))
    const fh = await open(small, 'r')
    try {
      const l = fileLayout(300000) // pretend the file was 300000 bytes when we started
      await assert.rejects(
        hashRange(
          fh,
          {fileOffset: 0, size: l.size, paddedChunks: l.paddedChunks, segStart: 0, segEnd: l.segments, spans: []},
          {roots: new Uint8Array(l.paddedSegments * 32), spanRoots: new Uint8Array(0)},
        ),
        zgCode('FILE_CHANGED'),
      )
    } finally {
      await fh.close()
    }
  })

  test('a worker that cannot read the file fails the whole computation with a typed error', async () => {
    const copy = (name: string) => {
      const p = path.join(tmp.dir, name)
      fs.copyFileSync(big, p)
      return p
    }
    // 'started' is reported before the workers open the file: pull it from under them.
    const gone = copy('gone.bin')
    await assert.rejects(
      computeFileTree(gone, {workers: 2, mainThread: false, reporter: {emit: (e) => e.status === 'started' && fs.unlinkSync(gone)}}),
      zgCode('HASH_FAILED'),
    )
    const shrunk = copy('shrunk.bin')
    await assert.rejects(
      computeFileTree(shrunk, {workers: 2, mainThread: false, reporter: {emit: (e) => e.status === 'started' && fs.truncateSync(shrunk, 1000)}}),
      zgCode('FILE_CHANGED'),
    )
  })

  test('more workers than segments still gives the same tree', async () => {
    const p = path.join(tmp.dir, 'two.bin')
    const d = generate('mpat', 300000)
    fs.writeFileSync(p, d)
    assert.equal((await computeFileTree(p, {workers: 8, mainThread: false})).root, treeFromBytes(d).root)
    assert.equal((await computeFileTree(p, {workers: 8})).root, treeFromBytes(d).root)
    await assert.rejects(computeFileTree(p, {workers: 0, mainThread: false}), RangeError)
  })
})
