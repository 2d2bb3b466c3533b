/**
 * Which storage nodes hold a file, and what they say about it: the indexer's locations for the root plus the
 * network's trusted nodes (or the profile's list), each asked zgs_getFileInfo. Shared by download and `storage info`.
 */
import {notFound, usageError} from '../errors.js'
import type {NetworkProfile} from '../networks.js'
import {resolveNodes, toNode, type StorageNode} from './nodes.js'
import {IndexerClient, StorageNodeClient, type FileInfo} from './rpc-client.js'
import {abortReason, normalizeRoot} from './util.js'

export interface Holder {
  node: StorageNode
  info: FileInfo
}

export interface Location {
  root: string
  /** Nodes that know the root (finalized or not), finalized ones first. */
  holders: Holder[]
  /** Every node asked. */
  asked: string[]
  /** Size of the file (from the finalized holders; they must agree). */
  size: number
  warnings: string[]
}

export interface LocateOptions {
  signal?: AbortSignal
  /** Ask only these node URLs (skips the indexer). */
  nodeUrls?: string[]
}

/** Parses a data root; usage error (exit 2) naming the input when it is not 32 bytes of hex. */
export function parseRoot(input: string): string {
  const r = normalizeRoot(input)
  if (!r) {
    throw usageError(`"${input}" is not a data root: expected 0x followed by 64 hex digits.`, {
      code: 'BAD_ROOT',
      suggestions: ['Roots are printed by zg storage upload and zg storage root.'],
    })
  }
  return r
}

/** A comma-separated list of roots (a fragmented file), in order. */
export function parseRoots(input: string): string[] {
  const parts = input.split(',').map((s) => s.trim()).filter(Boolean)
  if (parts.length === 0) throw usageError('No data root given.', {code: 'BAD_ROOT'})
  return parts.map(parseRoot)
}

/**
 * Finds the holders of `root`.
 * @throws notFound FILE_NOT_FOUND (exit 3) when no node knows it; networkError when no node is reachable.
 */
export async function locateFile(network: NetworkProfile, root: string, opts: LocateOptions = {}): Promise<Location> {
  const rpc = {signal: opts.signal}
  const warnings: string[] = []
  const candidates = new Map<string, StorageNode>()
  if (opts.nodeUrls?.length) {
    for (const url of opts.nodeUrls) {
      const client = new StorageNodeClient(url, rpc)
      const config = await client.getShardConfig({retries: 1}).catch(() => ({shardId: 0, numShard: 1}))
      candidates.set(url, {url, config, client})
    }
  } else {
    if (network.indexerUrl) {
      try {
        for (const n of await new IndexerClient(network.indexerUrl, rpc).getFileLocations(root, {retries: 1})) candidates.set(n.url, toNode(n, rpc))
      } catch (e) {
        if (opts.signal?.aborted) throw abortReason(opts.signal)
        warnings.push(`indexer_getFileLocations failed on ${network.indexerUrl}: ${(e as Error).message}`)
      }
    }
    // The indexer only lists nodes it has seen finalize the file (and caches that): ask the trusted ones too.
    const set = await resolveNodes(network, {signal: opts.signal})
    warnings.push(...set.warnings)
    for (const n of set.nodes) if (!candidates.has(n.url)) candidates.set(n.url, n)
  }
  const holders: Holder[] = []
  await Promise.all(
    [...candidates.values()].map(async (node) => {
      try {
        const info = await node.client.getFileInfo(root, true, {retries: 1})
        if (info?.tx && info.tx.dataMerkleRoot?.toLowerCase() === root) holders.push({node, info})
      } catch (e) {
        if (opts.signal?.aborted) throw abortReason(opts.signal)
        warnings.push(`${node.url} did not answer zgs_getFileInfo: ${(e as Error).message}`)
      }
    }),
  )
  const asked = [...candidates.keys()]
  if (holders.length === 0) {
    throw notFound(`No storage node knows the data root ${root}.`, {
      code: 'FILE_NOT_FOUND',
      suggestions: [`Check the root and the network (--network; asked ${asked.length} node${asked.length === 1 ? '' : 's'} on "${network.name}").`, 'A fresh upload takes a moment to reach the nodes.'],
      details: {root, asked},
    })
  }
  holders.sort((a, b) => Number(b.info.finalized) - Number(a.info.finalized) || asked.indexOf(a.node.url) - asked.indexOf(b.node.url))
  const size = holders[0]!.info.tx.size
  const disagree = holders.filter((h) => h.info.tx.size !== size)
  if (disagree.length) {
    warnings.push(`Nodes disagree on the size of ${root} (${size} vs ${disagree.map((h) => `${h.info.tx.size} at ${h.node.url}`).join(', ')}); using ${size}.`)
  }
  return {root, holders: holders.filter((h) => h.info.tx.size === size), asked, size, warnings}
}
