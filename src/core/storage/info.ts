/** `zg storage info`: what the network's nodes (and this machine's journal) know about a data root. */
import type {NetworkProfile} from '../networks.js'
import {readEntry} from './journal.js'
import {fileLayout} from './layout.js'
import {locateFile, parseRoot} from './locate.js'

export interface HolderInfo {
  url: string
  shard: string
  txSeq: number
  finalized: boolean
  uploadedSegments: number
  pruned: boolean
}

export interface StorageInfo {
  root: string
  network: string
  size: number
  segments: number
  txSeq: number
  startEntryIndex: number
  /** At least one holder has the whole file (its shard of it) finalized. */
  finalized: boolean
  holders: HolderInfo[]
  /** What this machine recorded when it uploaded the root, if it did. */
  local?: {path?: string; dataset?: string; fee?: string; txHash?: string; state: string; updatedAt: string}
  warnings: string[]
}

export async function storageInfo(network: NetworkProfile, rootInput: string, opts: {signal?: AbortSignal; env?: NodeJS.ProcessEnv} = {}): Promise<StorageInfo> {
  const root = parseRoot(rootInput)
  const loc = await locateFile(network, root, {signal: opts.signal})
  const first = loc.holders[0]!.info
  const entry = readEntry(root, opts.env)
  const rec = entry ? Object.values(entry.records).find((r) => r.chainId === network.chainId) : undefined
  return {
    root,
    network: network.name,
    size: loc.size,
    segments: fileLayout(loc.size).segments,
    txSeq: first.tx.seq,
    startEntryIndex: first.tx.startEntryIndex,
    finalized: loc.holders.some((h) => h.info.finalized),
    holders: loc.holders.map((h) => ({
      url: h.node.url,
      shard: `${h.node.config.shardId}/${h.node.config.numShard}`,
      txSeq: h.info.tx.seq,
      finalized: h.info.finalized,
      uploadedSegments: h.info.uploadedSegNum,
      pruned: h.info.pruned,
    })),
    local: entry && rec ? {path: entry.path, dataset: entry.dataset?.name, fee: rec.fee, txHash: rec.txHash, state: rec.state, updatedAt: entry.updatedAt} : undefined,
    warnings: loc.warnings,
  }
}
