import assert from 'node:assert/strict'
import fs from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {parseUnits, Transaction, type TransactionRequest, type Wallet} from 'ethers'
import {DEVNET_CHAIN_ID, startAnvil} from '../../src/devnet/anvil.js'
import {confirmStuck, findSuspects, poolBySender, rebuildRawTransaction, startTxpoolWatchdog, type PoolTx, type TxpoolContent} from '../../src/devnet/txpool-watchdog.js'
import {devWallet} from '../../src/core/keys/dev-accounts.js'
import {freePort} from '../helpers/ports.js'

const SINK = '0x000000000000000000000000000000000000dEaD'
const tx = (nonce: number, hash = `0x${nonce.toString(16).padStart(64, '0')}`): PoolTx => ({hash, nonce: `0x${nonce.toString(16)}`, gas: '0x5208', value: '0x1', input: '0x', r: '0x1', s: '0x1'})

describe('txpool watchdog: stuck detection', () => {
  test('poolBySender merges both halves (anvil 1.5.1 files queued transactions under "pending") and sorts by nonce', () => {
    const content: TxpoolContent = {
      pending: {'0xAbC': {'10': tx(10), '9': tx(9)}},
      queued: {'0xabc': {'11': tx(11)}, '0xdef': {'2': tx(2)}},
    }
    const pool = poolBySender(content)
    assert.deepEqual([...pool.keys()], ['0xabc', '0xdef'])
    assert.deepEqual(pool.get('0xabc')!.map((t) => Number(t.nonce)), [9, 10, 11])
  })

  test('findSuspects: a lowest transaction at the on-chain nonce with nothing ready; not a nonce gap, not while something is ready', () => {
    const pool = new Map([
      ['0xstuck', [tx(5, '0xaa'), tx(6)]],
      ['0xgap', [tx(9)]],
      ['0xunknown', [tx(0)]],
    ])
    const onChainNonce = new Map([
      ['0xstuck', 5],
      ['0xgap', 7],
    ])
    assert.deepEqual([...findSuspects({ready: 0, pool, onChainNonce})], [['0xstuck', '0xaa']])
    assert.equal(findSuspects({ready: 1, pool, onChainNonce}).size, 0)
  })

  test('confirmStuck: the same transaction on two polls in a row; progress or a first sighting is not stuck', () => {
    const first = new Map([
      ['0xa', '0x1'],
      ['0xb', '0x2'],
    ])
    const second = new Map([
      ['0xa', '0x1'],
      ['0xb', '0x3'],
      ['0xc', '0x4'],
    ])
    assert.deepEqual(confirmStuck(first, second), ['0xa'])
    assert.deepEqual(confirmStuck(new Map(), second), [])
  })
})

/** Signed transactions of every type the watchdog can rebuild, with explicit nonces from `from` on. */
async function signedOfEachType(wallet: Wallet, from: number): Promise<string[]> {
  const base: TransactionRequest = {chainId: DEVNET_CHAIN_ID, to: SINK, value: 1n, gasLimit: 100_000n}
  const fees = {maxFeePerGas: parseUnits('100', 'gwei'), maxPriorityFeePerGas: parseUnits('1', 'gwei')}
  const accessList = [{address: SINK, storageKeys: [`0x${'00'.repeat(31)}01`]}]
  const auth = await wallet.authorize({address: SINK, nonce: 1000, chainId: DEVNET_CHAIN_ID})
  return Promise.all([
    wallet.signTransaction({...base, type: 0, nonce: from, gasPrice: fees.maxFeePerGas, data: '0x1234'}),
    wallet.signTransaction({...base, type: 1, nonce: from + 1, gasPrice: fees.maxFeePerGas, accessList}),
    wallet.signTransaction({...base, type: 2, nonce: from + 2, ...fees, accessList}),
    wallet.signTransaction({...base, type: 4, nonce: from + 3, ...fees, authorizationList: [auth]}),
  ])
}

describe('txpool watchdog against anvil', () => {
  let anvil: Awaited<ReturnType<typeof startAnvil>>
  let dir: string
  const rpc = async <T>(method: string, params: unknown[] = []): Promise<T> => {
    const res = await fetch(anvil.url, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({jsonrpc: '2.0', id: 1, method, params})})
    const body = (await res.json()) as {result?: T; error?: {message: string}}
    if (body.error) throw new Error(`${method}: ${body.error.message}`)
    return body.result as T
  }
  const receipt = async (hash: string, ms: number) => {
    const deadline = Date.now() + ms
    for (;;) {
      const r = await rpc<{status: string} | null>('eth_getTransactionReceipt', [hash])
      if (r || Date.now() > deadline) return r
      await new Promise((res) => setTimeout(res, 50))
    }
  }

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zg-txpool-watchdog-'))
    anvil = await startAnvil({port: await freePort(), stateFile: path.join(dir, 'state.json')})
  })
  after(async () => {
    await anvil.stop()
    fs.rmSync(dir, {recursive: true, force: true})
  })

  test('rebuildRawTransaction reproduces the signed bytes of types 0, 1, 2 and 4 from txpool_content, and refuses a tampered one', async () => {
    const wallet = devWallet(7)
    // Nonces 10.. leave a gap, so the transactions wait in the pool where txpool_content shows them.
    const raws = await signedOfEachType(wallet, 10)
    for (const raw of raws) await rpc('eth_sendRawTransaction', [raw])
    const mine = poolBySender(await rpc<TxpoolContent>('txpool_content')).get(wallet.address.toLowerCase())!
    assert.deepEqual(mine.map((t) => Number(t.type)), [0, 1, 2, 4])
    for (const [i, pooled] of mine.entries()) assert.equal(rebuildRawTransaction(pooled), raws[i], `type ${Number(pooled.type)}`)
    assert.equal(rebuildRawTransaction({...mine[2]!, value: '0x2'}), undefined)
    assert.equal(rebuildRawTransaction({...mine[2]!, type: '0x3'}), undefined)
    await rpc('anvil_removePoolTransactions', [wallet.address])
  })

  test('repairs a sender stuck the way the race leaves it, so the original hashes are mined, and leaves a nonce gap alone', async () => {
    const stuck = devWallet(8)
    const gapped = devWallet(9)
    const lines: string[] = []
    const watchdog = startTxpoolWatchdog({url: anvil.url, log: (l) => lines.push(l), intervalMs: 100})
    try {
      // The race's aftermath, made on purpose: transactions queued behind a nonce gap, then the on-chain nonce moved
      // to the first of them by anvil_setNonce, which the pool does not notice. Before the watchdog they stay put.
      const raws = await signedOfEachType(stuck, 2)
      const hashes = raws.map((r) => Transaction.from(r).hash!)
      for (const raw of raws) await rpc('eth_sendRawTransaction', [raw])
      const gap = await gapped.signTransaction({type: 2, chainId: DEVNET_CHAIN_ID, nonce: 5, to: SINK, value: 1n, gasLimit: 21_000n, maxFeePerGas: parseUnits('100', 'gwei'), maxPriorityFeePerGas: 1n})
      const gapHash = await rpc<string>('eth_sendRawTransaction', [gap])
      await rpc('anvil_setNonce', [stuck.address, '0x2'])

      for (const hash of hashes) assert.equal((await receipt(hash, 10_000))?.status, '0x1', `receipt of ${hash}`)
      assert.equal(watchdog.repairs, 1)
      assert.equal(lines.length, 1)
      assert.match(lines[0]!, new RegExp(`${stuck.address.toLowerCase()} was stuck at nonce 2 with 4 transaction\\(s\\).*foundry-rs/foundry#10122.*re-sent 4 of 4 unchanged$`))

      // Many polls later the gapped transaction is still waiting for its nonce, untouched.
      await new Promise((res) => setTimeout(res, 600))
      assert.equal(await rpc('eth_getTransactionReceipt', [gapHash]), null)
      assert.ok(poolBySender(await rpc<TxpoolContent>('txpool_content')).get(gapped.address.toLowerCase())?.some((t) => t.hash === gapHash))
      assert.equal(lines.length, 1)
    } finally {
      await watchdog.stop()
    }
  })

  test('stop() ends the polling; a chain that is not answering only makes polls fail quietly', async () => {
    let polls = 0
    const server = http.createServer((req, res) => {
      polls++
      req.resume()
      res.end(JSON.stringify({jsonrpc: '2.0', id: 1, result: {pending: '0x0', queued: '0x0'}}))
    })
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res))
    const lines: string[] = []
    try {
      const idle = startTxpoolWatchdog({url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, log: (l) => lines.push(l), intervalMs: 20})
      const gone = startTxpoolWatchdog({url: `http://127.0.0.1:${await freePort()}`, log: (l) => lines.push(l), intervalMs: 20})
      await new Promise((res) => setTimeout(res, 300))
      await Promise.all([idle.stop(), gone.stop()])
      const seen = polls
      assert.ok(seen > 3, `${seen} polls`)
      await new Promise((res) => setTimeout(res, 200))
      assert.equal(polls, seen)
      assert.deepEqual(lines, [])
    } finally {
      server.close()
    }
  })
})
