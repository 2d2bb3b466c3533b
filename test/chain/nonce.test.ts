import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {after, before, describe, test} from 'node:test'
import type {JsonRpcProvider} from 'ethers'
import {ZgError} from '../../src/core/errors.js'
import {startAnvil} from '../../src/devnet/anvil.js'
import {devWallet} from '../../src/core/keys/dev-accounts.js'
import {makeProvider} from '../../src/core/chain/provider.js'
import {nonceFiles, withNonce} from '../../src/core/chain/nonce.js'
import {freePort} from '../helpers/ports.js'

const CHILD = fileURLToPath(new URL('./helpers/parallel-sender.js', import.meta.url))

interface ChildOut {
  ok: boolean
  sent: {hash: string; nonce: number; status: number | null}[]
  error?: {code?: string; message?: string}
}

function runChild(url: string, count: number, env: NodeJS.ProcessEnv): Promise<{code: number | null; out: ChildOut | undefined; stderr: string}> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CHILD, url, String(count)], {env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    p.stdout.on('data', (d) => (stdout += d))
    p.stderr.on('data', (d) => (stderr += d))
    p.on('error', reject)
    p.on('close', (code) => {
      let out: ChildOut | undefined
      try {
        out = JSON.parse(stdout.trim().split('\n').pop() ?? '')
      } catch {}
      resolve({code, out, stderr})
    })
  })
}

describe('nonce lock', () => {
  let anvil: Awaited<ReturnType<typeof startAnvil>>
  let provider: JsonRpcProvider
  let dir: string

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zg-nonce-'))
    anvil = await startAnvil({port: await freePort()})
    provider = await makeProvider(anvil.url, {chainId: 31337, local: true})
  })
  after(async () => {
    provider?.destroy()
    await anvil?.stop()
    fs.rmSync(dir, {recursive: true, force: true})
  })

  test('8 processes × 5 transactions from one account: 40 receipts, 40 distinct nonces', {timeout: 120_000}, async () => {
    const env = {...process.env, ZG_DATA_DIR: path.join(dir, 'parallel')}
    const from = devWallet(1).address
    const start = await provider.getTransactionCount(from, 'pending')
    const results = await Promise.all(Array.from({length: 8}, () => runChild(anvil.url, 5, env)))
    for (const r of results) assert.equal(r.code, 0, `child failed: ${JSON.stringify(r.out?.error)} ${r.stderr}`)
    const sent = results.flatMap((r) => r.out!.sent)
    assert.equal(sent.length, 40)
    const nonces = sent.map((s) => s.nonce).sort((a, b) => a - b)
    assert.deepEqual(nonces, Array.from({length: 40}, (_, i) => start + i))
    assert.equal(new Set(sent.map((s) => s.hash)).size, 40)
    for (const s of sent) {
      const receipt = await provider.getTransactionReceipt(s.hash)
      assert.equal(receipt?.status, 1, s.hash)
      assert.equal(receipt?.from, from)
    }
    assert.equal(await provider.getTransactionCount(from, 'latest'), start + 40)
    // The state file remembers the last nonce used.
    const state = JSON.parse(fs.readFileSync(nonceFiles(31337, from, env).state, 'utf8'))
    assert.equal(state.nonce, start + 39)
  })

  test('the recorded nonce is used when the node lags behind it', async () => {
    const env = {ZG_DATA_DIR: path.join(dir, 'lag')}
    const addr = devWallet(3).address
    const pending = await provider.getTransactionCount(addr, 'pending')
    await withNonce(provider, {chainId: 31337, address: addr, env}, async (n) => assert.equal(n, pending))
    // Nothing was broadcast, but the state says nonce `pending` is taken: the next caller gets pending + 1.
    await withNonce(provider, {chainId: 31337, address: addr, env}, async (n) => assert.equal(n, pending + 1))
    // A failed send records nothing.
    await assert.rejects(withNonce(provider, {chainId: 31337, address: addr, env}, async () => Promise.reject(new Error('boom'))), /boom/)
    await withNonce(provider, {chainId: 31337, address: addr, env}, async (n) => assert.equal(n, pending + 2))
    // Old state is not trusted (e.g. after a devnet reset): the chain decides again.
    await withNonce(provider, {chainId: 31337, address: addr, env, stateTtlMs: 0}, async (n) => assert.equal(n, pending))
  })

  test('a lock left by a crashed process is taken over once stale', async () => {
    const env = {ZG_DATA_DIR: path.join(dir, 'stale')}
    const addr = devWallet(4).address
    const files = nonceFiles(31337, addr, env)
    fs.mkdirSync(files.lock, {recursive: true})
    const old = new Date(Date.now() - 60_000)
    fs.utimesSync(files.lock, old, old)
    let ran = false
    await withNonce(provider, {chainId: 31337, address: addr, env, lockTimeoutMs: 5000}, async () => {
      ran = true
    })
    assert.ok(ran)
    assert.ok(!fs.existsSync(files.lock), 'released after use')
  })

  test('a live lock makes others wait, bounded → NONCE_LOCK_TIMEOUT (exit 7)', async () => {
    const env = {ZG_DATA_DIR: path.join(dir, 'live')}
    const addr = devWallet(5).address
    let release!: () => void
    const holding = new Promise<void>((r) => (release = r))
    let entered!: () => void
    const inside = new Promise<void>((r) => (entered = r))
    const holder = withNonce(provider, {chainId: 31337, address: addr, env}, async () => {
      entered()
      await holding
    })
    await inside
    await assert.rejects(withNonce(provider, {chainId: 31337, address: addr, env, lockTimeoutMs: 200}, async () => undefined), (e: unknown) => {
      assert.ok(e instanceof ZgError)
      assert.equal(e.code, 'NONCE_LOCK_TIMEOUT')
      assert.equal(e.exit, 7)
      return true
    })
    release()
    await holder
    // Free again.
    await withNonce(provider, {chainId: 31337, address: addr, env, lockTimeoutMs: 1000}, async () => undefined)
  })
})
