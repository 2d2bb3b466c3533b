/**
 * The devnet's storage indexer: 0G's `indexer_*` JSON-RPC (GO indexer/api.go, file_location_cache.go,
 * node_manager.go, common/shard) over a fixed list of trusted storage nodes. It keeps no state of its own: shard
 * configs and file locations are asked of the nodes when a client asks, as the real indexer does for trusted nodes.
 */
import {rpcCall} from '../core/jsonrpc.js'
import {RpcError, startRpcServer, type RpcParams, type RpcServerHandle} from './storage-node/rpc-server.js'

export interface ShardConfig {
  shardId: number
  numShard: number
}

export interface ShardedNode {
  url: string
  config: ShardConfig
  /** RPC latency in milliseconds. */
  latency: number
  /** Unix seconds of the last update (0 for trusted nodes, as in the Go indexer). */
  since: number
}

export interface IndexerOptions {
  host?: string
  /** 0 picks a free port. */
  port: number
  /** URLs of the trusted storage nodes. */
  nodes: string[]
  log?: (line: string) => void
  /** How long a complete set of file locations is remembered (GO --file-location-cache-expiry, 24 h). */
  locationCacheMs?: number
}

export interface IndexerHandle {
  url: string
  port: number
  stop(): Promise<void>
}

const isValid = (c: ShardConfig | null | undefined): c is ShardConfig =>
  !!c && Number.isInteger(c.numShard) && c.numShard > 0 && (c.numShard & (c.numShard - 1)) === 0 && Number.isInteger(c.shardId) && c.shardId >= 0 && c.shardId < c.numShard

/** go-ethereum's rpc server: a plain Go error becomes code -32000 with its text. */
const goError = (msg: string) => new RpcError(-32000, msg)

interface TreeNode {
  childs: [TreeNode, TreeNode] | null
  numShard: number
  replica: number
  lazyTags: number
}

function insert(node: TreeNode, numShard: number, shardId: number, expected: number): boolean {
  if (node.replica >= expected) return false
  if (node.numShard === numShard) {
    node.replica++
    node.lazyTags++
    return true
  }
  if (!node.childs) {
    const child = (): TreeNode => ({childs: null, numShard: node.numShard * 2, replica: 0, lazyTags: 0})
    node.childs = [child(), child()]
  }
  for (const c of node.childs) {
    c.replica += node.lazyTags
    c.lazyTags += node.lazyTags
  }
  node.lazyTags = 0
  const inserted = insert(node.childs[shardId % 2]!, numShard, Math.floor(shardId / 2), expected)
  node.replica = Math.min(node.childs[0].replica, node.childs[1].replica)
  return inserted
}

/**
 * shard.Select: orders the nodes by `method` (random, min, max, or a shard count), then keeps each node that adds
 * coverage until every segment is held `expectedReplica` times. Returns the chosen nodes and whether that worked.
 */
export function selectShardedNodes(nodes: readonly ShardedNode[], expectedReplica: number, method: string): [ShardedNode[], boolean] {
  if (expectedReplica === 0) return [[], true]
  let list = [...nodes]
  const byShard = (sign: 1 | -1) => (a: ShardedNode, b: ShardedNode) =>
    a.config.numShard === b.config.numShard ? a.config.shardId - b.config.shardId : sign * (a.config.numShard - b.config.numShard)
  if (method === 'random') {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1))
      ;[list[i], list[j]] = [list[j]!, list[i]!]
    }
  } else if (method === 'max') list.sort(byShard(-1))
  else if (method === 'min') list.sort(byShard(1))
  else {
    const size = /^\d+$/.test(method) ? Number(method) : 0
    list = size > 0 ? list.filter((n) => n.config.numShard === size) : []
  }
  const root: TreeNode = {childs: null, numShard: 1, replica: 0, lazyTags: 0}
  const selected: ShardedNode[] = []
  for (const n of list) {
    if (insert(root, n.config.numShard, n.config.shardId, expectedReplica)) selected.push(n)
    if (root.replica >= expectedReplica) return [selected, true]
  }
  return [[], false]
}

interface FileInfo {
  tx: {seq: number; size: number}
  finalized: boolean
}

/** go-ethereum's positional decoding: every declared argument is required, extra ones are an error. */
function goArgs(params: RpcParams, count: number): unknown[] {
  const list = Array.isArray(params) ? params : params === undefined || params === null ? [] : undefined
  if (!list) throw new RpcError(-32602, 'non-array args')
  if (list.length > count) throw new RpcError(-32602, `too many arguments, want at most ${count}`)
  if (list.length < count) throw new RpcError(-32602, `missing value for required argument ${list.length}`)
  return list
}

function goType(ok: boolean, index: number, want: string): void {
  if (!ok) throw new RpcError(-32602, `invalid argument ${index}: json: cannot unmarshal into Go value of type ${want}`)
}

export async function startIndexer(opts: IndexerOptions): Promise<IndexerHandle> {
  const log = opts.log ?? (() => {})
  const cacheMs = opts.locationCacheMs ?? 24 * 3600 * 1000
  const locations = new Map<number, {nodes: ShardedNode[]; expires: number}>()
  const call = <T>(url: string, method: string, params?: unknown[]) => rpcCall<T>(url, method, params, {timeoutMs: 3000, retries: 0})

  /** A trusted node with its current shard config and latency, or undefined when it does not answer properly. */
  async function probe(url: string): Promise<ShardedNode | undefined> {
    const t0 = performance.now()
    try {
      const config = await call<ShardConfig>(url, 'zgs_getShardConfig')
      if (!isValid(config)) return undefined
      return {url, config: {shardId: config.shardId, numShard: config.numShard}, latency: Math.round(performance.now() - t0), since: 0}
    } catch (e) {
      log(`trusted node ${url} did not answer zgs_getShardConfig: ${(e as Error).message}`)
      return undefined
    }
  }

  async function trusted(): Promise<ShardedNode[]> {
    return (await Promise.all(opts.nodes.map(probe))).filter((n): n is ShardedNode => n !== undefined)
  }

  async function fileLocations(txSeq: number): Promise<ShardedNode[] | null> {
    const cached = locations.get(txSeq)
    const nodes = cached && cached.expires > Date.now() ? [...cached.nodes] : []
    const have = new Set(nodes.map((n) => n.url))
    let segNum = 0
    for (const url of opts.nodes) {
      if (have.has(url)) continue
      const t0 = performance.now()
      const info = await call<FileInfo | null>(url, 'zgs_getFileInfoByTxSeq', [txSeq]).catch(() => null)
      if (info) segNum = Math.ceil(info.tx.size / (256 * 1024))
      if (!info?.finalized) continue
      const config = await call<ShardConfig>(url, 'zgs_getShardConfig').catch(() => null)
      if (!isValid(config)) continue
      nodes.push({url, config: {shardId: config.shardId, numShard: config.numShard}, latency: Math.round(performance.now() - t0), since: 0})
    }
    if (nodes.length === 0 && segNum === 0) throw goError('file info not found')
    if (selectShardedNodes(nodes, 1, 'random')[1]) {
      locations.set(txSeq, {nodes, expires: Date.now() + cacheMs})
      return nodes
    }
    // Not every shard holds the finalized file yet; the real indexer answers null until then.
    return null
  }

  const server: RpcServerHandle = await startRpcServer({
    host: opts.host,
    port: opts.port,
    log,
    methodNotFound: (m) => new RpcError(-32601, `the method ${m} does not exist/is not available`),
    methods: {
      indexer_getShardedNodes: async () => ({trusted: await trusted(), discovered: []}),
      indexer_getSelectedNodes: async (params) => {
        const [replica, method, fullTrusted, dropped] = goArgs(params, 4)
        goType(typeof replica === 'number' && Number.isInteger(replica) && replica >= 0, 0, 'uint')
        goType(typeof method === 'string', 1, 'string')
        goType(typeof fullTrusted === 'boolean', 2, 'bool')
        goType(dropped === null || (Array.isArray(dropped) && dropped.every((d) => typeof d === 'string')), 3, '[]string')
        const drop = new Set((dropped as string[] | null) ?? [])
        const nodes = (await trusted()).filter((n) => !drop.has(n.url))
        // The devnet discovers no peers, so the share the Go indexer would take from discovered nodes is zero.
        const [selected, ok] = selectShardedNodes(nodes, replica as number, method as string)
        if (!ok) throw goError('cannot select a subset from the returned nodes that meets the replication requirement')
        return {trusted: selected, discovered: []}
      },
      indexer_getFileLocations: async (params) => {
        const [root] = goArgs(params, 1)
        goType(typeof root === 'string', 0, 'string')
        let txSeq: number | undefined
        for (const url of opts.nodes) {
          const info = await call<FileInfo | null>(url, 'zgs_getFileInfo', [root, true]).catch(() => null)
          if (info) {
            txSeq = info.tx.seq
            break
          }
        }
        if (txSeq === undefined) throw goError('file not found')
        return fileLocations(txSeq)
      },
      // Every devnet node is on loopback, which the real indexer never geolocates: the map is empty.
      indexer_getNodeLocations: () => ({}),
    },
  })
  log(`indexer listening on ${server.url} for ${opts.nodes.join(', ')}`)
  return {url: server.url, port: server.port, stop: () => server.close()}
}
