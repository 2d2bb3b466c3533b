/**
 * Which storage nodes a client talks to, and which segments each one holds.
 *
 * Sharding (GO common/shard/types.go, TS common/shard): a node configured {shardId, numShard} stores flow segment g
 * iff numShard < 2 or g % numShard == shardId, where g is the GLOBAL segment index (file segment i of a file starting
 * at flow sector s is g = s/1024 + i). Nodes come from the indexer's trusted list, or the profile's node list when
 * there is no indexer (or it is down).
 */
import {networkError, ZgError} from '../errors.js'
import type {RpcOptions} from '../jsonrpc.js'
import type {NetworkProfile} from '../networks.js'
import {SEGMENT_CHUNKS} from './constants.js'
import {IndexerClient, StorageNodeClient, type ShardConfig, type ShardedNode} from './rpc-client.js'

export interface StorageNode {
  url: string
  config: ShardConfig
  client: StorageNodeClient
}

/** Does a node with `config` store global segment `g`? */
export function holdsSegment(config: ShardConfig, g: number): boolean {
  return config.numShard < 2 || g % config.numShard === config.shardId
}

/** Global flow segment of file segment `index` for a file starting at flow sector `startEntryIndex`. */
export function globalSegment(startEntryIndex: number, index: number): number {
  return Math.floor(startEntryIndex / SEGMENT_CHUNKS) + index
}

/**
 * Picks the fewest nodes (smallest numShard first, as the SDK's 'min' method) so that every residue class of
 * segments is held by `replicas` of them; undefined when the nodes cannot cover it.
 */
export function selectNodes<T extends {config: ShardConfig}>(nodes: T[], replicas = 1): T[] | undefined {
  const valid = nodes.filter((n) => isValidConfig(n.config))
  if (valid.length === 0) return undefined
  const sorted = [...valid].sort((a, b) => a.config.numShard - b.config.numShard)
  const m = Math.max(...valid.map((n) => Math.max(1, n.config.numShard)))
  const cover = new Array<number>(m).fill(0)
  const chosen: T[] = []
  for (const n of sorted) {
    const k = Math.max(1, n.config.numShard)
    let useful = false
    for (let r = n.config.shardId % k; r < m; r += k) if (cover[r]! < replicas) useful = true
    if (!useful) continue
    chosen.push(n)
    for (let r = n.config.shardId % k; r < m; r += k) cover[r]!++
    if (cover.every((c) => c >= replicas)) return chosen
  }
  return undefined
}

function isValidConfig(c: ShardConfig | undefined): c is ShardConfig {
  if (!c || !Number.isInteger(c.numShard) || !Number.isInteger(c.shardId)) return false
  if (c.numShard < 1) return c.numShard === 0 && c.shardId === 0
  // numShard must be a power of two.
  return (c.numShard & (c.numShard - 1)) === 0 && c.shardId >= 0 && c.shardId < c.numShard
}

export interface NodeSet {
  nodes: StorageNode[]
  source: 'indexer' | 'profile'
  /** Things worth telling the user (indexer unreachable, node skipped …). */
  warnings: string[]
}

export interface ResolveOptions {
  rpc?: RpcOptions
  /** Indexer failures are warnings when the profile also lists nodes. */
  signal?: AbortSignal
}

/**
 * The trusted nodes of a network: the indexer's `trusted` list (with their shard configs), falling back to the
 * profile's `storageNodes` (asking each for its shard config) when there is no indexer or it cannot be reached.
 * @throws networkError STORAGE_NODES_UNAVAILABLE when neither gives a reachable node.
 */
export async function resolveNodes(network: NetworkProfile, opts: ResolveOptions = {}): Promise<NodeSet> {
  const rpc: RpcOptions = {signal: opts.signal, ...opts.rpc}
  const warnings: string[] = []
  if (network.indexerUrl) {
    try {
      const r = await new IndexerClient(network.indexerUrl, rpc).getShardedNodes()
      const trusted = (r?.trusted ?? []).filter((n) => n && typeof n.url === 'string')
      if (trusted.length) {
        // The indexer's list can be minutes old: keep the nodes that answer now, with the shard config they report.
        const alive = await probe(trusted.map((n) => n.url), rpc, opts.signal)
        for (const e of alive.errors) warnings.push(`Storage node ${e} (skipped)`)
        if (alive.nodes.length) return {nodes: alive.nodes, source: 'indexer', warnings}
        warnings.push(`None of the indexer's ${trusted.length} trusted storage nodes answered.`)
      } else {
        warnings.push(`The indexer ${network.indexerUrl} lists no trusted storage node.`)
      }
    } catch (e) {
      if (opts.signal?.aborted) throw e
      if (!network.storageNodes?.length) throw unavailable(network, `the indexer ${network.indexerUrl} failed: ${(e as Error).message}`, e)
      warnings.push(`The indexer ${network.indexerUrl} could not be reached (${(e as Error).message}); using the profile's storage nodes.`)
    }
  }
  const urls = network.storageNodes ?? []
  if (urls.length === 0) throw unavailable(network, 'the profile has neither an indexer URL nor storage node URLs')
  const {nodes, errors} = await probe(urls, rpc, opts.signal)
  if (nodes.length === 0) throw unavailable(network, `no storage node answered (${errors.join('; ')})`)
  for (const e of errors) warnings.push(`Storage node ${e}`)
  return {nodes, source: 'profile', warnings}
}

/** Asks each node for its shard config (the liveness check); keeps the given order. */
async function probe(urls: string[], rpc: RpcOptions, signal?: AbortSignal): Promise<{nodes: StorageNode[]; errors: string[]}> {
  const errors: string[] = []
  const found = await Promise.all(
    urls.map(async (url): Promise<StorageNode | undefined> => {
      const client = new StorageNodeClient(url, rpc)
      try {
        const config = await client.getShardConfig({retries: 1, timeoutMs: 10_000})
        if (!isValidConfig(config)) {
          errors.push(`${url}: invalid shard config ${JSON.stringify(config)}`)
          return undefined
        }
        return {url, config, client}
      } catch (e) {
        if (signal?.aborted) throw e
        errors.push(`${url}: ${(e as Error).message}`)
        return undefined
      }
    }),
  )
  return {nodes: found.filter((n): n is StorageNode => !!n), errors}
}

export function toNode(n: ShardedNode, rpc: RpcOptions = {}): StorageNode {
  return {url: n.url, config: n.config ?? {shardId: 0, numShard: 1}, client: new StorageNodeClient(n.url, rpc)}
}

function unavailable(network: NetworkProfile, why: string, cause?: unknown): ZgError {
  return networkError(`No 0G storage node is reachable on network "${network.name}": ${why}.`, {
    code: 'STORAGE_NODES_UNAVAILABLE',
    cause,
    suggestions: network.local
      ? ['Start the devnet with storage: zg node start --detach', 'Check it with: zg node status']
      : ['Check the indexer URL of the profile (zg network show) and your connection.', 'Check with: zg network check'],
  })
}
