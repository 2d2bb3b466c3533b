// Crash safety of the devnet storage node: the node runs in its own process and is killed with SIGKILL in the
// middle of uploads, three times over. After each restart every segment it serves must verify against the file
// root, every upload it acknowledged must still be there, and the upload can be finished.
import assert from 'node:assert/strict'
import {spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {after, before, describe, test} from 'node:test'
import {CHUNK_SIZE, SEGMENT_SIZE} from '../../src/core/storage/constants.js'
import {treeFromBytes} from '../../src/core/storage/merkle.js'
import {verifySegmentProof} from '../../src/core/storage/proof.js'
import type {StorageNodeOptions} from '../../src/devnet/storage-node/node.js'
import {freePort} from '../helpers/ports.js'
import {bytes, ok, rpc, startChain, submit, until, wireSegments, type Chain} from './storage-fixture.js'

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/devnet/storage-node/main.js')

interface Child {
  proc: ChildProcess
  url: string
  stderr: string[]
}

async function spawnNode(opts: Omit<StorageNodeOptions, 'log'>): Promise<Child> {
  const proc = spawn(process.execPath, [MAIN, JSON.stringify(opts)], {stdio: ['ignore', 'pipe', 'pipe']})
  const stderr: string[] = []
  proc.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()))
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`node did not start: ${stderr.join('')}`)), 15_000)
    let out = ''
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /ready (\S+)\n/.exec(out)
      if (m) {
        clearTimeout(t)
        resolve(m[1]!)
      }
    })
    proc.once('exit', (code) => {
      clearTimeout(t)
      reject(new Error(`node exited with ${code}: ${stderr.join('')}`))
    })
  })
  return {proc, url, stderr}
}

async function kill9(c: Child): Promise<void> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) return
  const exited = new Promise((r) => c.proc.once('exit', r))
  c.proc.kill('SIGKILL')
  await exited
}

describe('devnet storage node survives kill -9 mid-upload', () => {
  let chain: Chain
  let tmp: string
  let child: Child | undefined

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zg-storage-crash-'))
    chain = await startChain(2)
  })

  after(async () => {
    if (child) await kill9(child)
    await chain?.stop()
    fs.rmSync(tmp, {recursive: true, force: true})
  })

  test('acknowledged segments persist, served segments always verify, the upload completes after restarts', async () => {
    const data = bytes(16 * SEGMENT_SIZE + 4321, 7)
    const tree = treeFromBytes(data)
    const segs = wireSegments(data, tree)
    const sub = await submit(chain, tree)
    const opts = {
      dir: path.join(tmp, 'node'),
      port: await freePort(),
      rpcUrl: chain.url,
      chainId: 31337,
      flowAddress: chain.contracts.flow,
      deployBlock: chain.contracts.deployBlock,
    }
    const acknowledged = new Set<number>()

    for (let round = 0; round < 3; round++) {
      child = await spawnNode(opts)
      const url = child.url
      await until('tx synced', async () => (await ok(url, 'zgs_getFileInfoByTxSeq', [sub.seq])) !== null)

      // Whatever the previous kill interrupted: what is served verifies, and nothing acknowledged was lost.
      assert.deepEqual(fs.readdirSync(path.join(opts.dir, 'tmp')), [], 'interrupted writes are cleaned up at start')
      for (const s of segs) {
        const swp = await ok<{data: string; proof: {lemma: string[]; path: boolean[]}} | null>(url, 'zgs_downloadSegmentWithProofByTxSeq', [sub.seq, s.index])
        if (swp === null) {
          assert.ok(!acknowledged.has(s.index), `acknowledged segment ${s.index} was lost`)
          continue
        }
        assert.deepEqual(verifySegmentProof(tree.root, s.index, new Uint8Array(Buffer.from(swp.data, 'base64')), swp.proof, data.length), {ok: true})
      }

      // Upload the missing segments four at a time and kill the node once three more were acknowledged.
      const todo = segs.filter((s) => !acknowledged.has(s.index))
      const target = acknowledged.size + 3
      let killed = false
      const worker = async () => {
        while (todo.length && !killed) {
          const s = todo.shift()!
          const r = await rpc(url, 'zgs_uploadSegmentByTxSeq', [s, sub.seq]).catch(() => undefined)
          if (r && !r.error) acknowledged.add(s.index)
          else if (r?.error && !killed) assert.match(r.error.message, /already been uploaded/)
          if (acknowledged.size >= target && !killed) {
            killed = true
            await kill9(child!)
          }
        }
      }
      await Promise.all([worker(), worker(), worker(), worker()])
      await kill9(child)
    }

    child = await spawnNode(opts)
    const url = child.url
    await until('tx synced', async () => (await ok(url, 'zgs_getFileInfoByTxSeq', [sub.seq])) !== null)
    assert.ok(acknowledged.size >= 9)
    const missing = []
    for (const s of segs) if ((await ok(url, 'zgs_downloadSegmentWithProofByTxSeq', [sub.seq, s.index])) === null) missing.push(s)
    assert.ok(missing.length > 0 && missing.length < segs.length)
    assert.equal(await ok(url, 'zgs_uploadSegmentsByTxSeq', [missing, sub.seq]), null)
    assert.equal(await ok(url, 'zgs_checkFileFinalized', [sub.seq]), true)
    const chunks = Math.ceil(data.length / CHUNK_SIZE)
    const parts: Buffer[] = []
    for (const s of segs) {
      const b64 = await ok<string>(url, 'zgs_downloadSegmentByTxSeq', [sub.seq, s.index * 1024, Math.min(s.index * 1024 + 1024, chunks)])
      parts.push(Buffer.from(b64, 'base64'))
    }
    assert.deepEqual(new Uint8Array(Buffer.concat(parts).subarray(0, data.length)), data)
  })
})
