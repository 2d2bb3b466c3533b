/**
 * Sends a file's segments to the storage nodes that hold them, with flat memory and without tripping the nodes'
 * write limits — the two things the official TS SDK gets wrong (it starts every segment task at once: O(file)
 * memory and "too many data writing" bursts; shared/docs/0g-storage.md §5.3, §6).
 *
 * - Each node gets only the segments of its shard (global segment index = startEntryIndex/1024 + i).
 * - Segments go in batches (several per zgs_uploadSegmentsByTxSeq call, consecutive in the node's stride).
 * - A fixed number of requests per node, and a byte budget across all nodes, bound what is in memory: a segment is
 *   read from the file only when its batch is about to be sent, and dropped when the node has answered.
 * - "too many data writing" → back off and retry; a duplicate segment is success; "already uploaded and
 *   finalized" means the node has the whole file: its remaining batches are dropped.
 * - Acknowledged segments are recorded per node (`done`), which the caller persists in the journal, so a rerun
 *   sends only what is missing.
 */
import type {FileHandle} from 'node:fs/promises'
import {ExitCode, isZgError, networkError, timeoutError, ZgError} from '../errors.js'
import {RpcCallError} from '../jsonrpc.js'
import {CHUNK_SIZE, SEGMENT_SIZE} from './constants.js'
import type {SegmentSet} from './journal.js'
import {ceilDiv} from './layout.js'
import {globalSegment, holdsSegment, type StorageNode} from './nodes.js'
import type {SegmentTree} from './proof.js'
import {errorText, isAlreadyFinalized, isDuplicateSegment, isTooManyWriting, isTxUnknown} from './rpc-client.js'
import {bodyCapacity, BufferPool, UploadBodyWriter} from './segment-body.js'
import {backoffMs, ByteBudget, sleep, throwIfAborted} from './util.js'

export interface SegmentUploadOptions {
  fh: FileHandle
  /** Byte offset of the data in the file (fragments). */
  offset: number
  size: number
  root: string
  tree: SegmentTree
  txSeq: number
  startEntryIndex: number
  nodes: StorageNode[]
  /** Per node URL: segments the node has acknowledged (read and updated). */
  done: Map<string, SegmentSet>
  /** Called after each acknowledged batch with the bytes it carried. */
  onProgress?: (bytes: number) => void
  /** Called after each acknowledged batch (the caller throttles journal writes). */
  onCheckpoint?: () => void
  /** A node answered "already uploaded and finalized". */
  onNodeFinalized?: (url: string) => void
  signal?: AbortSignal
  /** Epoch ms after which retries stop. */
  deadline?: number
  /** Segments per request; default 4 (1 MiB of data). */
  batchSegments?: number
  /** Requests in flight per node; default 8 (the devnet and real nodes fsync each segment: depth hides it). */
  perNodeConcurrency?: number
  /** Data bytes in flight across all nodes; default 32 MiB. */
  maxInflightBytes?: number
  /** Warnings (retries) for the reporter. */
  onWarn?: (message: string) => void
}

export interface UploadPlan {
  /** Per node URL: the segment indices still to send. */
  pending: Map<string, number[]>
  /** Bytes to send in total. */
  bytes: number
}

/** The wire size of data segment i (whole chunks; the tail rounded up). */
export function wireSize(i: number, size: number): number {
  const start = i * SEGMENT_SIZE
  return ceilDiv(Math.min(SEGMENT_SIZE, size - start), CHUNK_SIZE) * CHUNK_SIZE
}

/** Which segments each node still needs. */
export function planUpload(size: number, startEntryIndex: number, nodes: StorageNode[], done: Map<string, SegmentSet>): UploadPlan {
  const segments = ceilDiv(size, SEGMENT_SIZE)
  const pending = new Map<string, number[]>()
  let bytes = 0
  for (const n of nodes) {
    const have = done.get(n.url)
    const list: number[] = []
    for (let i = 0; i < segments; i++) {
      if (!holdsSegment(n.config, globalSegment(startEntryIndex, i))) continue
      if (have?.has(i)) continue
      list.push(i)
      bytes += wireSize(i, size)
    }
    pending.set(n.url, list)
  }
  return {pending, bytes}
}

/** Reads segment i, zero-padded to whole chunks, into `buf` (≥ 256 KiB); returns the view of it. */
async function readSegment(fh: FileHandle, offset: number, size: number, i: number, buf: Buffer): Promise<Uint8Array> {
  const len = Math.min(SEGMENT_SIZE, size - i * SEGMENT_SIZE)
  const wire = wireSize(i, size)
  let got = 0
  while (got < len) {
    const {bytesRead} = await fh.read(buf, got, len - got, offset + i * SEGMENT_SIZE + got)
    if (bytesRead === 0) {
      throw new ZgError('The file became shorter while it was being uploaded.', {code: 'FILE_CHANGED', exit: ExitCode.UNEXPECTED, suggestions: ['Wait until nothing writes to the file, then run the command again.']})
    }
    got += bytesRead
  }
  buf.fill(0, len, wire)
  return buf.subarray(0, wire)
}

/** Transport and unexpected-node errors get this many attempts per batch before the upload fails (resumable). */
const MAX_ATTEMPTS = 6

export async function uploadSegments(opts: SegmentUploadOptions, plan: UploadPlan): Promise<void> {
  const batch = Math.max(1, opts.batchSegments ?? 4)
  const perNode = Math.max(1, opts.perNodeConcurrency ?? 8)
  const budget = new ByteBudget(opts.maxInflightBytes ?? 32 * 1024 * 1024)
  const finishedNodes = new Set<string>()
  let failure: unknown
  const ctl = new AbortController()
  const signal = opts.signal ? AbortSignal.any([opts.signal, ctl.signal]) : ctl.signal

  const runNode = async (node: StorageNode, queue: number[][]) => {
    const worker = async () => {
      for (;;) {
        const segs = queue.shift()
        if (!segs || failure || finishedNodes.has(node.url)) return
        if (opts.deadline !== undefined && Date.now() > opts.deadline) throw deadlineError(node, segs)
        await sendBatch(node, segs)
      }
    }
    await Promise.all(Array.from({length: Math.min(perNode, queue.length)}, worker))
  }

  const bodies = new BufferPool()
  const scratch = new BufferPool()
  let requestId = 1
  const sendBatch = async (node: StorageNode, segs: number[]) => {
    const lengths = segs.map((i) => wireSize(i, opts.size))
    const bytes = lengths.reduce((s, n) => s + n, 0)
    await budget.acquire(bytes)
    const body = bodies.take(bodyCapacity(lengths))
    const seg = scratch.take(SEGMENT_SIZE)
    try {
      throwIfAborted(signal)
      // Built once per batch: the segment bytes exist only as base64 inside the body buffer.
      const w = new UploadBodyWriter(body, requestId++, opts.root, opts.size)
      for (const i of segs) w.segment({index: i, data: await readSegment(opts.fh, opts.offset, opts.size, i, seg), proof: opts.tree.proof(i)})
      const len = w.end(opts.txSeq)
      const payload = body.subarray(0, len)
      for (let attempt = 0; ; attempt++) {
        throwIfAborted(signal)
        if (finishedNodes.has(node.url)) return
        try {
          await node.client.postBody('zgs_uploadSegmentsByTxSeq', payload, {signal})
          break
        } catch (e) {
          if (signal.aborted) throw e
          if (isDuplicateSegment(e)) break
          if (isAlreadyFinalized(e)) {
            finishedNodes.add(node.url)
            opts.onNodeFinalized?.(node.url)
            return
          }
          const retryable = isTooManyWriting(e) || isTxUnknown(e)
          const pastDeadline = opts.deadline !== undefined && Date.now() > opts.deadline
          // A node's own error message rarely changes on retry; a transport failure often does.
          const attempts = e instanceof RpcCallError ? 2 : MAX_ATTEMPTS
          if (pastDeadline) throw deadlineError(node, segs, e)
          if (!retryable && attempt + 1 >= attempts) throw batchError(node, segs, e)
          if (!retryable || attempt % 4 === 3) opts.onWarn?.(`${node.url}: ${describe(e)}; retrying segments ${segs[0]}…${segs[segs.length - 1]}`)
          await sleep(isTooManyWriting(e) ? backoffMs(attempt, 200, 5000) : backoffMs(attempt, 500, 10_000), signal)
        }
      }
      const set = opts.done.get(node.url)
      if (set) for (const i of segs) set.add(i)
      opts.onProgress?.(bytes)
      opts.onCheckpoint?.()
    } finally {
      bodies.give(body)
      scratch.give(seg)
      budget.release(bytes)
    }
  }

  const runs: Promise<void>[] = []
  for (const node of opts.nodes) {
    const list = plan.pending.get(node.url) ?? []
    const queue: number[][] = []
    for (let k = 0; k < list.length; k += batch) queue.push(list.slice(k, k + batch))
    if (queue.length) {
      runs.push(
        runNode(node, queue).catch((e) => {
          failure ??= e
          ctl.abort(e)
        }),
      )
    }
  }
  await Promise.all(runs)
  if (failure) throw failure
}

function describe(e: unknown): string {
  if (e instanceof RpcCallError) return errorText(e)
  return (e as Error)?.message ?? String(e)
}

function deadlineError(node: StorageNode, segs: number[], cause?: unknown): ZgError {
  return timeoutError(`The upload ran out of time with segments ${segs[0]}… still to send to ${node.url}${cause ? ` (last answer: ${describe(cause)})` : ''}.`, {
    code: 'UPLOAD_TIMEOUT',
    cause,
    suggestions: ['Run the same command again to resume: what the nodes acknowledged is not sent again and nothing is paid twice.', 'Raise the bound with --timeout.'],
    details: {node: node.url, segments: segs},
  })
}

function batchError(node: StorageNode, segs: number[], e: unknown): ZgError {
  const what = `segments ${segs[0]}…${segs[segs.length - 1]}`
  if (isZgError(e) && !(e instanceof RpcCallError)) return e
  return networkError(`Storage node ${node.url} did not accept ${what}: ${describe(e)}`, {
    code: 'SEGMENT_UPLOAD_FAILED',
    cause: e,
    suggestions: ['Run the same command again: it resumes where it stopped and does not pay again.'],
    details: {node: node.url, segments: segs},
  })
}
