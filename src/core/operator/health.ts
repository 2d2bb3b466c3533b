import {rpcCall} from '../jsonrpc.js'

export interface NodeHealth {
  url: string
  reachable: boolean
  error?: string
  connectedPeers?: number
  logSyncHeight?: number
  chainHead?: number
  /** Blocks the node's log sync is behind the chain head (when the chain RPC is known). */
  behind?: number
  nextTxSeq?: number
  shard?: {shardId: number; numShard: number}
  chainId?: number
  flowAddress?: string
  checkedAt: string
}

/** One health reading of a 0G storage node (any: real zgs_node or the devnet's), through its public RPC. */
export async function nodeHealth(url: string, chainRpc?: string, timeoutMs = 5000): Promise<NodeHealth> {
  const checkedAt = new Date().toISOString()
  try {
    const [status, shard] = await Promise.all([
      rpcCall<{connectedPeers: number; logSyncHeight: number; nextTxSeq: number; networkIdentity?: {chainId: number; flowAddress: string}}>(url, 'zgs_getStatus', undefined, {timeoutMs, retries: 0}),
      rpcCall<{shardId: number; numShard: number}>(url, 'zgs_getShardConfig', undefined, {timeoutMs, retries: 0}),
    ])
    const h: NodeHealth = {
      url,
      reachable: true,
      connectedPeers: status.connectedPeers,
      logSyncHeight: status.logSyncHeight,
      nextTxSeq: status.nextTxSeq,
      shard,
      chainId: status.networkIdentity?.chainId,
      flowAddress: status.networkIdentity?.flowAddress,
      checkedAt,
    }
    if (chainRpc) {
      try {
        h.chainHead = Number(await rpcCall<string>(chainRpc, 'eth_blockNumber', [], {timeoutMs, retries: 0}))
        h.behind = Math.max(0, h.chainHead - (h.logSyncHeight ?? 0))
      } catch {}
    }
    return h
  } catch (e) {
    return {url, reachable: false, error: (e as Error).message, checkedAt}
  }
}
