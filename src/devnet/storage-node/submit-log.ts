/**
 * The Flow contract's `Submit` event, decoded into the node's transaction record (NODE log_entry_sync
 * log_entry_fetcher.rs: seq = submissionIndex, startEntryIndex = startPos, size = submission.length, data root =
 * right fold of the node roots). The ABI is decoded by hand because loading ethers would add ~90 ms to every devnet
 * start for five fixed fields.
 */
import {keccak256} from '../../core/storage/keccak.js'

export const SUBMIT_TOPIC = '0x167ce04d2aa1981994d3a31695da0d785373335b1078cec239a1a3a2c7675555'

export interface SubmissionNode {
  root: string
  height: number
}

export interface TxRecord {
  seq: number
  root: string
  startEntryIndex: number
  size: number
  nodes: SubmissionNode[]
  /** Sectors the submission occupies in the flow: Σ 2^height. */
  sectors: number
  blockNumber: number
  blockHash: string
  finalized: boolean
}

export interface RawLog {
  address: string
  topics: string[]
  data: string
  blockNumber: string
  blockHash: string
  removed?: boolean
}

function word(data: Buffer, offset: number): bigint {
  if (offset + 32 > data.length) throw new Error(`Submit log data too short (need ${offset + 32} bytes, have ${data.length})`)
  return BigInt('0x' + data.toString('hex', offset, offset + 32))
}

function safe(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`Submit log ${what} ${v} exceeds 2^53`)
  return Number(v)
}

/** File root from the submission nodes: r = last; r = keccak(node[i] ‖ r) for i from the second last down. */
export function rootFromNodes(nodes: readonly SubmissionNode[]): string {
  let r = Buffer.from(nodes[nodes.length - 1]!.root.slice(2), 'hex')
  for (let i = nodes.length - 2; i >= 0; i--) {
    r = Buffer.from(keccak256(Buffer.concat([Buffer.from(nodes[i]!.root.slice(2), 'hex'), r])))
  }
  return '0x' + r.toString('hex')
}

/** Decodes one Submit log (throws on anything malformed). */
export function decodeSubmitLog(log: RawLog): Omit<TxRecord, 'finalized'> {
  if (log.topics[0]?.toLowerCase() !== SUBMIT_TOPIC) throw new Error(`not a Submit log: topic ${log.topics[0]}`)
  const data = Buffer.from(log.data.slice(2), 'hex')
  const seq = safe(word(data, 0), 'submissionIndex')
  const startEntryIndex = safe(word(data, 32), 'startPos')
  const sectors = safe(word(data, 64), 'length')
  const sub = safe(word(data, 96), 'submission offset')
  const size = safe(word(data, sub), 'submission.length')
  const nodesAt = sub + safe(word(data, sub + 64), 'nodes offset')
  const count = safe(word(data, nodesAt), 'node count')
  if (count === 0 || count > 64) throw new Error(`Submit log with ${count} nodes`)
  const nodes: SubmissionNode[] = []
  for (let i = 0; i < count; i++) {
    const at = nodesAt + 32 + i * 64
    word(data, at + 32)
    nodes.push({root: '0x' + data.toString('hex', at, at + 32), height: safe(word(data, at + 32), 'node height')})
  }
  return {
    seq,
    root: rootFromNodes(nodes),
    startEntryIndex,
    size,
    nodes,
    sectors,
    blockNumber: Number(BigInt(log.blockNumber)),
    blockHash: log.blockHash.toLowerCase(),
  }
}
