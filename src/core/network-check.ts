import type {NetworkProfile} from './networks.js'
import {rpcCall} from './jsonrpc.js'
import {networkError, usageError} from './errors.js'

export interface CheckResult {
  network: string
  rpcUrl: string
  chainId: number
  latestBlock: number
  latencyMs: number
  indexer?: {url: string; ok: boolean; nodes?: number; error?: string}
  storageNode?: {url: string; ok: boolean; chainId?: number; flowAddress?: string; flowMatches?: boolean; error?: string}
}

/**
 * Verifies a profile against reality: the RPC answers with the profile's chain id and a block; where set, the
 * indexer answers and a storage node reports the same chain id and Flow address. Unreachable RPC → exit 5.
 */
export async function checkNetwork(p: NetworkProfile, timeoutMs = 10_000): Promise<CheckResult> {
  const t0 = performance.now()
  let chainHex: string
  try {
    chainHex = await rpcCall<string>(p.rpcUrl, 'eth_chainId', [], {timeoutMs, retries: 1})
  } catch (e) {
    throw networkError(`The ${p.name} RPC at ${p.rpcUrl} is unreachable.`, {
      cause: e,
      suggestions: p.local ? ['Start the devnet: zg node start --detach'] : ['Check your connection, or override the URL with --rpc-url'],
    })
  }
  const latencyMs = Math.round(performance.now() - t0)
  const chainId = Number(chainHex)
  if (chainId !== p.chainId) {
    throw usageError(`${p.rpcUrl} is chain ${chainId}, but profile ${p.name} expects ${p.chainId}.`, {code: 'CHAIN_MISMATCH', suggestions: ['Fix the profile: zg network add ' + p.name + ' --force …']})
  }
  const latestBlock = Number(await rpcCall<string>(p.rpcUrl, 'eth_blockNumber', [], {timeoutMs}))
  const out: CheckResult = {network: p.name, rpcUrl: p.rpcUrl, chainId, latestBlock, latencyMs}
  let nodeUrl = p.storageNodes?.[0]
  if (p.indexerUrl) {
    try {
      const r = await rpcCall<{trusted?: Array<{url: string}>; discovered?: Array<{url: string}>}>(p.indexerUrl, 'indexer_getShardedNodes', undefined, {timeoutMs, retries: 0})
      const nodes = [...(r?.trusted ?? []), ...(r?.discovered ?? [])]
      out.indexer = {url: p.indexerUrl, ok: true, nodes: nodes.length}
      nodeUrl ??= nodes[0]?.url
    } catch (e) {
      out.indexer = {url: p.indexerUrl, ok: false, error: (e as Error).message}
    }
  }
  if (nodeUrl) {
    try {
      const s = await rpcCall<{networkIdentity: {chainId: number; flowAddress: string}}>(nodeUrl, 'zgs_getStatus', undefined, {timeoutMs, retries: 0})
      const flow = s.networkIdentity.flowAddress
      out.storageNode = {
        url: nodeUrl,
        ok: s.networkIdentity.chainId === p.chainId && (!p.contracts.flow || flow.toLowerCase() === p.contracts.flow.toLowerCase()),
        chainId: s.networkIdentity.chainId,
        flowAddress: flow,
        flowMatches: p.contracts.flow ? flow.toLowerCase() === p.contracts.flow.toLowerCase() : undefined,
      }
    } catch (e) {
      out.storageNode = {url: nodeUrl, ok: false, error: (e as Error).message}
    }
  }
  return out
}
