// The segment sender against fake nodes: shard routing, batching, backoff, duplicates/finalized, the done set;
// plus node selection and the journal's building blocks.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import {open} from 'node:fs/promises'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {ZgError} from '../../src/core/errors.js'
import {listEntries, lockRoot, newEntry, readEntry, SegmentSet, writeEntry} from '../../src/core/storage/journal.js'
import {computeFileTree} from '../../src/core/storage/merkle.js'
import {selectNodes, type StorageNode} from '../../src/core/storage/nodes.js'
import {SegmentTree} from '../../src/core/storage/proof.js'
import {StorageNodeClient} from '../../src/core/storage/rpc-client.js'
import {planUpload, uploadSegments} from '../../src/core/storage/segment-upload.js'
import {ByteBudget} from '../../src/core/storage/util.js'
import {base64Into, bodyCapacity, UploadBodyWriter} from '../../src/core/storage/segment-body.js'
import {FakeNode} from './fake-node.js'
import {randomBytes, tempDir} from './gen.js'

const SEG = 256 * 1024

const asNode = (n: FakeNode): StorageNode => ({url: n.url, config: n.config, client: new StorageNodeClient(n.url)})

type Seg = {index: number}
const uploadCalls = (n: FakeNode) => n.calls.filter((c) => c.method === 'zgs_uploadSegmentsByTxSeq').map((c) => (c.params as [Seg[], number])[0].map((s) => s.index))

describe('uploadSegments', () => {
  let tmp: ReturnType<typeof tempDir>
  const nodes: FakeNode[] = []
  const fake = async (o?: ConstructorParameters<typeof FakeNode>[0]) => {
    const n = await new FakeNode(o).start()
    nodes.push(n)
    return n
  }
  before(() => {
    tmp = tempDir()
  })
  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()))
    tmp.cleanup()
  })

  async function setup(size: number, seed: number) {
    const file = path.join(tmp.dir, `f-${seed}`)
    const data = randomBytes(size, seed)
    fs.writeFileSync(file, data)
    const tree = await computeFileTree(file)
    return {file, data, tree, segTree: new SegmentTree(tree.segmentRoots)}
  }

  async function run(file: string, tree: Awaited<ReturnType<typeof computeFileTree>>, targets: FakeNode[], start: number, extra: Partial<Parameters<typeof uploadSegments>[0]> = {}, done = new Map<string, SegmentSet>()) {
    const sn = targets.map(asNode)
    for (const n of sn) if (!done.has(n.url)) done.set(n.url, new SegmentSet(tree.segments))
    const plan = planUpload(tree.size, start, sn, done)
    const fh = await open(file, 'r')
    try {
      await uploadSegments({fh, offset: 0, size: tree.size, root: tree.root, tree: new SegmentTree(tree.segmentRoots), txSeq: 7, startEntryIndex: start, nodes: sn, done, deadline: Date.now() + 30_000, ...extra}, plan)
    } finally {
      await fh.close()
    }
    return {plan, done}
  }

  test('every segment reaches the node in batches (4 segments by default); the node verifies each proof and finalizes', async () => {
    const {file, data, tree} = await setup(20 * SEG + 300, 1)
    const n = await fake()
    n.addTx(7, tree.root, tree.size)
    const {done} = await run(file, tree, [n], 0)
    const tx = n.txs.get(7)!
    assert.ok(n.finalized(tx))
    for (const [i, seg] of tx.segments) assert.deepEqual(new Uint8Array(seg.subarray(0, Math.min(SEG, data.length - i * SEG))), data.subarray(i * SEG, Math.min((i + 1) * SEG, data.length)))
    const calls = uploadCalls(n)
    assert.ok(calls.every((c) => c.length <= 4 && c.length > 0))
    assert.equal(calls.flat().length, 21)
    assert.equal(done.get(n.url)!.count, 21)
  })

  test('sharded nodes get only the segments of their shard (global index from startEntryIndex)', async () => {
    const {file, tree} = await setup(7 * SEG, 2)
    const a = await fake({shardId: 0, numShard: 2})
    const b = await fake({shardId: 1, numShard: 2})
    const start = 5 * 1024
    a.addTx(7, tree.root, tree.size, start)
    b.addTx(7, tree.root, tree.size, start)
    await run(file, tree, [a, b], start)
    // global segment = 5 + i: shard 0 holds odd i, shard 1 even i
    assert.deepEqual(uploadCalls(a).flat().sort((x, y) => x - y), [1, 3, 5])
    assert.deepEqual(uploadCalls(b).flat().sort((x, y) => x - y), [0, 2, 4, 6])
    assert.ok(a.finalized(a.txs.get(7)!) && b.finalized(b.txs.get(7)!))
  })

  test('"too many data writing" is retried with backoff until accepted', async () => {
    const {file, tree} = await setup(3 * SEG, 3)
    const n = await fake()
    n.addTx(7, tree.root, tree.size)
    n.tooManyWriting = 3
    const warnings: string[] = []
    await run(file, tree, [n], 0, {onWarn: (m) => warnings.push(m)})
    assert.ok(n.finalized(n.txs.get(7)!))
    assert.equal(uploadCalls(n).length, 4)
  })

  test('a node that already has the file ("already uploaded and finalized") is done, not an error', async () => {
    const {file, data, tree} = await setup(2 * SEG + 1, 4)
    const n = await fake()
    n.preload(7, data)
    let finalized = ''
    await run(file, tree, [n], 0, {onNodeFinalized: (u) => (finalized = u)})
    assert.equal(finalized, n.url)
  })

  test('segments in the done set are not sent again', async () => {
    const {file, tree} = await setup(10 * SEG, 5)
    const n = await fake()
    n.addTx(7, tree.root, tree.size)
    const have = new SegmentSet(tree.segments)
    for (const i of [0, 1, 2, 7]) have.add(i)
    const {plan} = await run(file, tree, [n], 0, {}, new Map([[n.url, have]]))
    assert.deepEqual(plan.pending.get(n.url), [3, 4, 5, 6, 8, 9])
    assert.deepEqual(uploadCalls(n).flat().sort((x, y) => x - y), [3, 4, 5, 6, 8, 9])
  })

  test('past the deadline a node that keeps answering "too many data writing" ends in a resumable timeout (exit 7)', async () => {
    const {file, tree} = await setup(2 * SEG, 7)
    const n = await fake()
    n.addTx(7, tree.root, tree.size)
    n.tooManyWriting = 1_000_000
    await assert.rejects(run(file, tree, [n], 0, {deadline: Date.now() + 400}), (e: unknown) => e instanceof ZgError && e.code === 'UPLOAD_TIMEOUT' && e.exit === 7)
  })

  test('an unexpected node error fails the upload with a resumable network error', async () => {
    const {file, tree} = await setup(SEG, 6)
    const n = await fake()
    // the node knows tx 7 with another root: "data root and tx seq not match" for every attempt
    n.addTx(7, '0x' + '99'.repeat(32), tree.size)
    await assert.rejects(run(file, tree, [n], 0), (e: unknown) => e instanceof ZgError && e.code === 'SEGMENT_UPLOAD_FAILED' && e.exit === 5 && /run the same command again/i.test(e.suggestions.join(' ')))
  })
})

describe('selectNodes', () => {
  const n = (shardId: number, numShard: number) => ({config: {shardId, numShard}, id: `${shardId}/${numShard}`})
  test('one full node is enough for one replica', () => {
    assert.deepEqual(selectNodes([n(0, 2), n(0, 1), n(1, 2)])?.map((x) => x.id), ['0/1'])
  })
  test('two half shards cover the file', () => {
    assert.deepEqual(selectNodes([n(0, 2), n(1, 2)])?.map((x) => x.id), ['0/2', '1/2'])
  })
  test('missing shard → undefined; two replicas need both full nodes', () => {
    assert.equal(selectNodes([n(0, 2), n(0, 4)]), undefined)
    assert.deepEqual(selectNodes([n(0, 1), n(0, 1)], 2)?.length, 2)
    assert.equal(selectNodes([n(0, 1)], 2), undefined)
  })
})

describe('journal', () => {
  let tmp: ReturnType<typeof tempDir>
  let env: NodeJS.ProcessEnv
  before(() => {
    tmp = tempDir()
    env = {ZG_DATA_DIR: tmp.dir}
  })
  after(() => tmp.cleanup())

  test('entries round-trip atomically and list newest first', async () => {
    const r1 = '0x' + '11'.repeat(32)
    const r2 = '0x' + '22'.repeat(32)
    const e1 = newEntry(r1, 10, {path: '/a'})
    e1.records['31337:0xf'] = {network: 'local', chainId: 31337, flow: '0xf', state: 'submitted', txSeq: 3, uploaded: {}}
    writeEntry(e1, env)
    await new Promise((r) => setTimeout(r, 5))
    writeEntry(newEntry(r2, 20, {dataset: {name: 'd', files: 2, totalSize: 20}}), env)
    assert.equal(readEntry(r1, env)?.records['31337:0xf']?.txSeq, 3)
    assert.deepEqual(listEntries(env).map((e) => e.root), [r2, r1])
    assert.deepEqual(fs.readdirSync(path.join(tmp.dir, 'journal')).filter((f) => f.endsWith('.tmp')), [])
  })

  test('a corrupt entry is ignored, not fatal', () => {
    const r = '0x' + '33'.repeat(32)
    fs.writeFileSync(path.join(tmp.dir, 'journal', `${r}.json`), '{"version":1,"root":')
    assert.equal(readEntry(r, env), undefined)
  })

  test('SegmentSet encodes and decodes', () => {
    const s = new SegmentSet(21)
    for (const i of [0, 5, 20, 5]) s.add(i)
    assert.equal(s.count, 3)
    const t = new SegmentSet(21, s.encode())
    assert.equal(t.count, 3)
    assert.ok(t.has(20) && t.has(5) && !t.has(6))
  })

  test('a lock left by a killed process (kill -9) is taken over without waiting for staleness', async () => {
    const r = '0x' + '55'.repeat(32)
    const mod = new URL('../../src/core/storage/journal.js', import.meta.url).href
    const child = spawn(process.execPath, ['--input-type=module', '-e', `const {lockRoot} = await import(${JSON.stringify(mod)}); await lockRoot(${JSON.stringify(r)}, {env: {ZG_DATA_DIR: ${JSON.stringify(tmp.dir)}}}); console.log('locked'); setInterval(() => {}, 1000)`], {stdio: ['ignore', 'pipe', 'inherit']})
    await new Promise<void>((resolve) => child.stdout.on('data', (d) => String(d).includes('locked') && resolve()))
    await assert.rejects(lockRoot(r, {env, waitMs: 200}), (e: unknown) => e instanceof ZgError && e.code === 'UPLOAD_IN_PROGRESS')
    child.kill('SIGKILL')
    await new Promise((res) => child.once('exit', res))
    const t0 = Date.now()
    const release = await lockRoot(r, {env, waitMs: 4000})
    assert.ok(Date.now() - t0 < 4000)
    await release()
  })

  test('the root lock keeps a second uploader out while held', async () => {
    const r = '0x' + '44'.repeat(32)
    const release = await lockRoot(r, {env})
    await assert.rejects(lockRoot(r, {env, waitMs: 300}), (e: unknown) => e instanceof ZgError && e.code === 'UPLOAD_IN_PROGRESS')
    await release()
    const again = await lockRoot(r, {env, waitMs: 300})
    await again()
  })
})

describe('ByteBudget', () => {
  test('never lets more than the limit through (except one oversized request alone)', async () => {
    const b = new ByteBudget(10)
    let inUse = 0
    let peak = 0
    const job = async (n: number) => {
      await b.acquire(n)
      inUse += n
      peak = Math.max(peak, inUse)
      await new Promise((r) => setTimeout(r, 5))
      inUse -= n
      b.release(n)
    }
    await Promise.all([4, 4, 4, 3, 7, 2, 20, 1].map(job))
    assert.ok(peak <= 20)
    const b2 = new ByteBudget(10)
    let peak2 = 0
    let use2 = 0
    await Promise.all(
      [4, 4, 4, 3, 7, 2, 1].map(async (n) => {
        await b2.acquire(n)
        use2 += n
        peak2 = Math.max(peak2, use2)
        await new Promise((r) => setTimeout(r, 5))
        use2 -= n
        b2.release(n)
      }),
    )
    assert.ok(peak2 <= 10, `peak ${peak2}`)
  })
})

describe('upload request bodies', () => {
  test('base64Into matches Buffer base64 for every tail length', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 255, 256, 257, 1000, 262144]) {
      const src = randomBytes(n, n + 1)
      const dst = new Uint8Array(4 * Math.ceil(n / 3) + 8)
      const end = base64Into(src, dst, 3)
      assert.equal(Buffer.from(dst.subarray(3, end)).toString('latin1'), Buffer.from(src).toString('base64'), `n=${n}`)
    }
  })

  test('the written body is the JSON-RPC request JSON.stringify would give', () => {
    const segs = [
      {index: 2, data: randomBytes(512, 1), proof: {lemma: ['0x' + '01'.repeat(32), '0x' + '02'.repeat(32), '0x' + '03'.repeat(32)], path: [true]}},
      {index: 3, data: randomBytes(256, 2), proof: {lemma: ['0x' + '04'.repeat(32)], path: []}},
    ]
    const buf = Buffer.alloc(bodyCapacity(segs.map((s) => s.data.length)))
    const w = new UploadBodyWriter(buf, 42, '0x' + 'ab'.repeat(32), 9999)
    for (const s of segs) w.segment(s)
    const len = w.end(17)
    const want = {
      jsonrpc: '2.0',
      id: 42,
      method: 'zgs_uploadSegmentsByTxSeq',
      params: [segs.map((s) => ({root: '0x' + 'ab'.repeat(32), data: Buffer.from(s.data).toString('base64'), index: s.index, proof: s.proof, fileSize: 9999})), 17],
    }
    assert.deepEqual(JSON.parse(buf.subarray(0, len).toString('utf8')), want)
  })
})
