// Shared pieces of the storage devnet tests: a chain with the devnet contracts, Flow submissions with ethers,
// segments with proofs from the project's Merkle engine, and raw JSON-RPC calls that expose whole error objects.
import assert from 'node:assert/strict'
import {Contract, HDNodeWallet, JsonRpcProvider, Mnemonic, type ContractTransactionResponse} from 'ethers'
import {startAnvil, DEV_MNEMONIC} from '../../src/devnet/anvil.js'
import {deployDevnetContracts, loadArtifact, type DevnetContracts} from '../../src/devnet/deploy.js'
import {CHUNK_SIZE, SEGMENT_SIZE} from '../../src/core/storage/constants.js'
import {treeFromBytes, type FileTree} from '../../src/core/storage/merkle.js'
import {SegmentTree} from '../../src/core/storage/proof.js'
import {freePort} from '../helpers/ports.js'

export interface Chain {
  url: string
  contracts: DevnetContracts
  provider: JsonRpcProvider
  wallet: HDNodeWallet
  flow: Contract
  stop(): Promise<void>
}

export const devWallet = (i: number, provider?: JsonRpcProvider) =>
  HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(DEV_MNEMONIC), `m/44'/60'/0'/0/${i}`).connect(provider ?? null)

/** anvil + every devnet contract, with an ethers Flow contract bound to a dev account. */
export async function startChain(account = 1): Promise<Chain> {
  const anvil = await startAnvil({port: await freePort()})
  try {
    const contracts = await deployDevnetContracts(anvil.url)
    const provider = new JsonRpcProvider(anvil.url, undefined, {batchStallTime: 0, cacheTimeout: -1, pollingInterval: 50})
    const wallet = devWallet(account, provider)
    const flow = new Contract(contracts.flow, loadArtifact('Flow').abi as never, wallet)
    return {
      url: anvil.url,
      contracts,
      provider,
      wallet,
      flow,
      async stop() {
        provider.destroy()
        await anvil.stop()
      },
    }
  } catch (e) {
    await anvil.stop()
    throw e
  }
}

/** Deterministic test bytes (mpat of the docs, shifted by a seed so files differ). */
export function bytes(size: number, seed = 0): Uint8Array {
  const out = new Uint8Array(size)
  for (let i = 0; i < size; i++) out[i] = (Math.imul(i + seed * 7919, 0x9e3779b1) >>> 24) & 255
  return out
}

async function receipt(provider: JsonRpcProvider, sent: ContractTransactionResponse) {
  const deadline = Date.now() + 15_000
  for (;;) {
    const r = await provider.getTransactionReceipt(sent.hash)
    if (r) {
      assert.equal(r.status, 1, `tx ${sent.hash} reverted`)
      return r
    }
    if (Date.now() > deadline) throw new Error(`no receipt for ${sent.hash}`)
    await new Promise((res) => setTimeout(res, 20))
  }
}

export interface Submitted {
  seq: number
  startPos: number
  blockNumber: number
}

/** Flow.submit for a file tree, paying the exact fee; resolves with the Submit event's fields. */
export async function submit(chain: Chain, tree: FileTree, size = tree.size): Promise<Submitted> {
  const market = new Contract(chain.contracts.market, loadArtifact('FixedPriceMarket').abi as never, chain.provider)
  const price = (await market.getFunction('pricePerSector')()) as bigint
  const sectors = tree.nodes.reduce((s, n) => s + (1n << BigInt(n.height)), 0n)
  const sub = {data: {length: size, tags: '0x', nodes: tree.nodes.map((n) => ({root: n.root, height: n.height}))}, submitter: chain.wallet.address}
  const sent = (await chain.flow.getFunction('submit')(sub, {value: sectors * price})) as ContractTransactionResponse
  const r = await receipt(chain.provider, sent)
  for (const log of r.logs) {
    const parsed = chain.flow.interface.parseLog(log)
    if (parsed?.name === 'Submit') return {seq: Number(parsed.args.submissionIndex), startPos: Number(parsed.args.startPos), blockNumber: r.blockNumber}
  }
  throw new Error('no Submit event')
}

export interface WireSegment {
  root: string
  data: string
  index: number
  proof: {lemma: string[]; path: boolean[]}
  fileSize: number
}

/** Every data segment of `data` as the SDK uploads it: whole chunks, proof over the flow-padded segment tree. */
export function wireSegments(data: Uint8Array, tree = treeFromBytes(data)): WireSegment[] {
  const st = new SegmentTree(tree.segmentRoots)
  const out: WireSegment[] = []
  for (let i = 0; i < tree.segments; i++) {
    const raw = data.subarray(i * SEGMENT_SIZE, Math.min((i + 1) * SEGMENT_SIZE, data.length))
    const padded = new Uint8Array(Math.ceil(raw.length / CHUNK_SIZE) * CHUNK_SIZE)
    padded.set(raw)
    out.push({root: tree.root, data: Buffer.from(padded).toString('base64'), index: i, proof: st.proof(i), fileSize: data.length})
  }
  return out
}

export interface RpcReply {
  result?: unknown
  error?: {code: number; message: string; data?: unknown}
  id?: unknown
}

let nextId = 1

/** One JSON-RPC call; returns the whole reply (result or error object). */
export async function rpc(url: string, method: string, params?: unknown[]): Promise<RpcReply> {
  const body = JSON.stringify(params === undefined ? {jsonrpc: '2.0', id: nextId++, method} : {jsonrpc: '2.0', id: nextId++, method, params})
  const res = await fetch(url, {method: 'POST', headers: {'content-type': 'application/json'}, body, signal: AbortSignal.timeout(30_000)})
  assert.equal(res.status, 200)
  return (await res.json()) as RpcReply
}

/** The result of a call that must succeed. */
export async function ok<T = unknown>(url: string, method: string, params?: unknown[]): Promise<T> {
  const r = await rpc(url, method, params)
  assert.equal(r.error, undefined, `${method} failed: ${JSON.stringify(r.error)}`)
  return r.result as T
}

/** Polls `cond` until it holds (bounded). */
export async function until(what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Global segment g of a file starting at flow sector `startPos` is on shard g % numShard. */
export const onShard = (startPos: number, idx: number, shardId: number, numShard = 2) => (Math.floor(startPos / 1024) + idx) % numShard === shardId
