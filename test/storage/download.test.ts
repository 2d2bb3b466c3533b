// The verified downloader against in-process fake nodes: round trips, sharding, lying or empty nodes, output rules,
// resume after an interruption.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {ZgError} from '../../src/core/errors.js'
import type {NetworkProfile} from '../../src/core/networks.js'
import {downloadBytes, downloadFile} from '../../src/core/storage/download.js'
import {FakeNode, fakeIndexer} from './fake-node.js'
import {randomBytes, tempDir} from './gen.js'

const SEG = 256 * 1024

function profile(nodes: FakeNode[], indexerUrl?: string): NetworkProfile {
  return {name: 'test', chainId: 31337, rpcUrl: 'http://127.0.0.1:9', indexerUrl, storageNodes: nodes.map((n) => n.url), contracts: {}, builtin: false, local: true}
}

async function rejectsWith(p: Promise<unknown>, code: string, exit: number): Promise<ZgError> {
  try {
    await p
  } catch (e) {
    assert.ok(e instanceof ZgError, `expected a ZgError, got ${e}`)
    assert.equal(e.code, code, e.message)
    assert.equal(e.exit, exit)
    return e
  }
  assert.fail(`expected ${code}`)
}

describe('downloadFile', () => {
  let tmp: ReturnType<typeof tempDir>
  const started: FakeNode[] = []
  const node = async (o?: ConstructorParameters<typeof FakeNode>[0]) => {
    const n = await new FakeNode(o).start()
    started.push(n)
    return n
  }
  before(() => {
    tmp = tempDir()
  })
  after(async () => {
    await Promise.all(started.map((n) => n.stop()))
    tmp.cleanup()
  })

  for (const size of [1, 257, SEG + 1, 3 * 1024 * 1024 + 17]) {
    test(`round trip of ${size} bytes from one node`, async () => {
      const n = await node()
      const data = randomBytes(size, size)
      const root = n.preload(0, data)
      const out = path.join(tmp.dir, `rt-${size}`)
      const r = await downloadFile(root, out, {network: profile([n])})
      assert.deepEqual(new Uint8Array(fs.readFileSync(out)), data)
      assert.equal(r.size, size)
      assert.equal(r.verified, true)
      assert.equal(r.segments, Math.ceil(size / SEG))
      assert.ok(!fs.existsSync(out + '.zgpart'))
      assert.ok(!fs.existsSync(out + '.zgpart.json'))
    })
  }

  test('two shards (numShard 2) with an odd start segment: each segment from the node of its shard', async () => {
    const a = await node({shardId: 0, numShard: 2})
    const b = await node({shardId: 1, numShard: 2})
    const data = randomBytes(5 * SEG + 3, 7)
    const start = 3 * 1024
    const root = a.preload(4, data, start)
    b.preload(4, data, start)
    assert.ok(a.txs.get(4)!.segments.size < 6 && b.txs.get(4)!.segments.size < 6, 'each node holds part of the file')
    const idx = await fakeIndexer([a, b])
    try {
      const out = path.join(tmp.dir, 'sharded')
      await downloadFile(root, out, {network: profile([a, b], idx.url)})
      assert.deepEqual(new Uint8Array(fs.readFileSync(out)), data)
    } finally {
      await idx.stop()
    }
  })

  test('a node serving corrupted data is detected and bypassed', async () => {
    const bad = await node()
    const good = await node()
    const data = randomBytes(4 * SEG, 11)
    const root = bad.preload(0, data)
    good.preload(0, data)
    bad.corruptAll = true
    const out = path.join(tmp.dir, 'bypass')
    const r = await downloadFile(root, out, {network: profile([bad, good])})
    assert.deepEqual(new Uint8Array(fs.readFileSync(out)), data)
    assert.ok(r.rejected.length > 0, 'the bad answers are reported')
    assert.ok(r.rejected.every((x) => x.url === bad.url && /proof check failed/.test(x.reason)))
  })

  test('big downloads verify on worker threads, and still catch corrupted segments there', async () => {
    const bad = await node()
    const good = await node()
    const data = randomBytes(5 * 1024 * 1024 + 3, 21)
    const root = bad.preload(0, data)
    good.preload(0, data)
    bad.corrupt = new Set([0, 7, 20])
    const out = path.join(tmp.dir, 'pool')
    const r = await downloadFile(root, out, {network: profile([bad, good]), verifyWorkers: 2})
    assert.deepEqual(new Uint8Array(fs.readFileSync(out)), data)
    assert.ok(r.rejected.length > 0 && r.rejected.every((x) => x.url === bad.url && /proof check failed/.test(x.reason)))
  })

  test('a node missing a segment: the segment comes from another holder', async () => {
    const holey = await node()
    const full = await node()
    const data = randomBytes(3 * SEG, 12)
    const root = holey.preload(0, data)
    full.preload(0, data)
    holey.missing.add(1)
    const out = path.join(tmp.dir, 'holey')
    await downloadFile(root, out, {network: profile([holey, full])})
    assert.deepEqual(new Uint8Array(fs.readFileSync(out)), data)
  })

  test('no node with good data: clear error, nothing left behind', async () => {
    const n1 = await node()
    const n2 = await node()
    const data = randomBytes(2 * SEG + 5, 13)
    const root = n1.preload(0, data)
    n2.preload(0, data)
    n1.corrupt.add(1)
    n2.missing.add(1)
    const out = path.join(tmp.dir, 'nogood')
    const e = await rejectsWith(downloadFile(root, out, {network: profile([n1, n2])}), 'DATA_UNAVAILABLE', 5)
    assert.match(e.message, /segment 1/)
    assert.match(e.message, /proof check failed/)
    assert.ok(!fs.existsSync(out))
    assert.ok(!fs.existsSync(out + '.zgpart'))
    assert.ok(!fs.existsSync(out + '.zgpart.json'))
  })

  test('unknown root: not found (exit 3)', async () => {
    const n = await node()
    const out = path.join(tmp.dir, 'unknown')
    await rejectsWith(downloadFile('0x' + 'ab'.repeat(32), out, {network: profile([n])}), 'FILE_NOT_FOUND', 3)
    assert.ok(!fs.existsSync(out))
  })

  test('bad root hex: usage error (exit 2)', async () => {
    const n = await node()
    await rejectsWith(downloadFile('0x1234', path.join(tmp.dir, 'x'), {network: profile([n])}), 'BAD_ROOT', 2)
  })

  test('an existing output is kept without force and replaced with it', async () => {
    const n = await node()
    const data = randomBytes(1000, 14)
    const root = n.preload(0, data)
    const out = path.join(tmp.dir, 'exists')
    fs.writeFileSync(out, 'keep me')
    await rejectsWith(downloadFile(root, out, {network: profile([n])}), 'OUTPUT_EXISTS', 2)
    assert.equal(fs.readFileSync(out, 'utf8'), 'keep me')
    await downloadFile(root, out, {network: profile([n]), force: true})
    assert.deepEqual(new Uint8Array(fs.readFileSync(out)), data)
  })

  test('an existing directory as --out: the file is named after the root', async () => {
    const n = await node()
    const data = randomBytes(300, 15)
    const root = n.preload(0, data)
    const dir = path.join(tmp.dir, 'outdir')
    fs.mkdirSync(dir)
    const r = await downloadFile(root, dir, {network: profile([n])})
    assert.equal(r.out, path.join(dir, root))
    assert.deepEqual(new Uint8Array(fs.readFileSync(r.out)), data)
  })

  test('an interrupted download resumes from its verified segments', async () => {
    const n = await node()
    const data = randomBytes(12 * SEG + 100, 16)
    const root = n.preload(0, data)
    const out = path.join(tmp.dir, 'resume')
    const ctl = new AbortController()
    let segs = 0
    const reporter = {
      emit(e: {step: string; status: string}) {
        if (e.step === 'download' && e.status === 'progress' && ++segs === 5) ctl.abort()
      },
    }
    await rejectsWith(downloadFile(root, out, {network: profile([n]), signal: ctl.signal, reporter, concurrency: 2}), 'INTERRUPTED', 130)
    assert.ok(fs.existsSync(out + '.zgpart'))
    assert.ok(fs.existsSync(out + '.zgpart.json'))
    assert.ok(!fs.existsSync(out))
    const before = n.calls.length
    const r = await downloadFile(root, out, {network: profile([n])})
    // Count segments, not calls: a transport retry (a keep-alive socket the aborted run left behind) may repeat one.
    const fetched = new Set(n.calls.slice(before).filter((c) => c.method === 'zgs_downloadSegmentWithProofByTxSeq').map((c) => (c.params as unknown[])[1]))
    assert.ok(r.resumedSegments >= 5, `resumed ${r.resumedSegments}`)
    assert.equal(fetched.size, 13 - r.resumedSegments)
    assert.deepEqual(new Uint8Array(fs.readFileSync(out)), data)
    assert.ok(!fs.existsSync(out + '.zgpart.json'))
  })

  test('a partial file damaged between runs is fetched again, not trusted', async () => {
    const n = await node()
    const data = randomBytes(6 * SEG, 17)
    const root = n.preload(0, data)
    const out = path.join(tmp.dir, 'damaged')
    const ctl = new AbortController()
    let segs = 0
    const reporter = {emit: (e: {step: string; status: string}) => void (e.step === 'download' && e.status === 'progress' && ++segs === 3 && ctl.abort())}
    await rejectsWith(downloadFile(root, out, {network: profile([n]), signal: ctl.signal, reporter, concurrency: 1}), 'INTERRUPTED', 130)
    const fd = fs.openSync(out + '.zgpart', 'r+')
    fs.writeSync(fd, Buffer.from([0x42, 0x42, 0x42]), 0, 3, 10)
    fs.closeSync(fd)
    await downloadFile(root, out, {network: profile([n])})
    assert.deepEqual(new Uint8Array(fs.readFileSync(out)), data)
  })

  test('fragments: comma-separated roots are concatenated in order', async () => {
    const n = await node()
    const a = randomBytes(SEG + 9, 18)
    const b = randomBytes(700, 19)
    const ra = n.preload(0, a)
    const rb = n.preload(1, b)
    const out = path.join(tmp.dir, 'frag')
    const r = await downloadFile(`${ra},${rb}`, out, {network: profile([n])})
    assert.equal(r.size, a.length + b.length)
    assert.deepEqual(new Uint8Array(fs.readFileSync(out)), new Uint8Array([...a, ...b]))
  })

  test('downloadBytes verifies the same way and caps the size', async () => {
    const n = await node()
    const data = randomBytes(5000, 20)
    const root = n.preload(0, data)
    const got = await downloadBytes(root, {network: profile([n])})
    assert.deepEqual(new Uint8Array(got.data), data)
    await rejectsWith(downloadBytes(root, {network: profile([n]), maxBytes: 100}), 'FILE_TOO_LARGE', 2)
    n.corruptAll = true
    await rejectsWith(downloadBytes(root, {network: profile([n])}), 'DATA_UNAVAILABLE', 5)
  })
})
