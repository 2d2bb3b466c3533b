/**
 * Typed clients for 0G's storage node (`zgs_*`) and indexer (`indexer_*`) JSON-RPC, as the real services speak it
 * (NODE node/rpc/src/zgs/api.rs, GO node/types.go, indexer/api.go; shared/docs/0g-storage.md §3-4). Transport,
 * retries of transient failures and JSON-RPC error objects come from core/jsonrpc.ts; this module adds the shapes
 * and the classification of the node's error strings that clients must treat specially.
 */
import {isAscii} from 'node:buffer'
import http from 'node:http'
import https from 'node:https'
import {networkError} from '../errors.js'
import {rpcCall, RpcCallError, type RpcOptions} from '../jsonrpc.js'
import type {SegmentProof} from './proof.js'

export interface ShardConfig {
  shardId: number
  numShard: number
}

/** A node as the indexer lists it. */
export interface ShardedNode {
  url: string
  config: ShardConfig
  /** Milliseconds, as measured by the indexer. */
  latency?: number
  /** Unix seconds since the indexer has known the node. */
  since?: number
}

export interface NodeStatus {
  connectedPeers: number
  logSyncHeight: number
  logSyncBlock: string
  nextTxSeq: number
  networkIdentity: {chainId: number; flowAddress: string; p2pProtocolVersion?: {major: number; minor: number; build: number}}
}

/** The node's record of one Flow submission. `merkleNodes` are [contract height + 1, root]. */
export interface StorageTransaction {
  streamIds: unknown[]
  data: unknown[]
  dataMerkleRoot: string
  merkleNodes: [number, string][]
  /** First flow sector of the file (the Submit event's startPos). */
  startEntryIndex: number
  /** File size in bytes. */
  size: number
  seq: number
}

export interface FileInfo {
  tx: StorageTransaction
  finalized: boolean
  isCached: boolean
  uploadedSegNum: number
  pruned: boolean
}

/** A segment on the wire: standard base64 data, file-relative index. */
export interface SegmentWithProof {
  root: string
  data: string
  index: number
  proof: SegmentProof
  fileSize: number
}

/** A downloaded segment with its data already decoded from base64 (see downloadSegmentWithProofByTxSeq). */
export interface DownloadedSegment extends Omit<SegmentWithProof, 'data'> {
  bytes: Buffer
}

let rawId = 1

/** Default per-request bound: an upload batch of a few MiB must fit in it on a slow link. */
const DEFAULT_TIMEOUT_MS = 60_000

export class StorageNodeClient {
  constructor(
    readonly url: string,
    private readonly opts: RpcOptions = {},
  ) {}

  private call<T>(method: string, params?: unknown[], extra: RpcOptions = {}): Promise<T> {
    return rpcCall<T>(this.url, method, params, {timeoutMs: DEFAULT_TIMEOUT_MS, ...this.opts, ...extra})
  }

  getStatus(o?: RpcOptions) {
    return this.call<NodeStatus>('zgs_getStatus', undefined, o)
  }

  getShardConfig(o?: RpcOptions) {
    return this.call<ShardConfig>('zgs_getShardConfig', undefined, o)
  }

  /** `needAvailable`: skip pruned records (the node then prefers a finalized one). */
  getFileInfo(root: string, needAvailable = true, o?: RpcOptions) {
    return this.call<FileInfo | null>('zgs_getFileInfo', [root, needAvailable], o)
  }

  getFileInfoByTxSeq(txSeq: number, o?: RpcOptions) {
    return this.call<FileInfo | null>('zgs_getFileInfoByTxSeq', [txSeq], o)
  }

  /** true / false, or null when the node does not know the transaction. */
  checkFileFinalized(txSeqOrRoot: number | string, o?: RpcOptions) {
    return this.call<boolean | null>('zgs_checkFileFinalized', [txSeqOrRoot], o)
  }

  uploadSegmentsByTxSeq(segments: SegmentWithProof[], txSeq: number, o?: RpcOptions) {
    return this.call<null>('zgs_uploadSegmentsByTxSeq', [segments, txSeq], o)
  }

  /**
   * Sends a request body built by segment-body.ts (no JSON.stringify of megabytes of base64). One attempt: the
   * uploader owns retries. `method` names the call in errors.
   */
  postBody(method: string, body: Uint8Array, o: RpcOptions = {}): Promise<unknown> {
    return postRaw(this.url, method, body, {timeoutMs: DEFAULT_TIMEOUT_MS, ...this.opts, ...o})
  }

  /** By root: the node caches segments of files up to 10 MiB whose transaction it has not seen yet. */
  uploadSegments(segments: SegmentWithProof[], o?: RpcOptions) {
    return this.call<null>('zgs_uploadSegments', [segments], o)
  }

  /**
   * Over node:http rather than fetch (~30% less CPU per segment), and the base64 `data` is decoded straight from the
   * reply bytes: JSON.parse never scans the 350 KB string. A verified download at speed needs both.
   *
   * Decoding stays here, on the fetching thread, with Node's native decoder, rather than in the verify workers with
   * a WASM decoder (tried: it makes no per-segment JS string, but on 2 cores the `zg storage download` median went
   * from 1.86 s to 2.17 s for 256 MiB, because the hashing thread is the critical path and this one has slack).
   */
  downloadSegmentWithProofByTxSeq(txSeq: number, index: number, o?: RpcOptions) {
    return this.callRaw<DownloadedSegment | null>('zgs_downloadSegmentWithProofByTxSeq', [txSeq, index], o, true)
  }

  private async callRaw<T>(method: string, params: unknown[], o: RpcOptions = {}, segmentReply = false): Promise<T> {
    const opts = {timeoutMs: DEFAULT_TIMEOUT_MS, ...this.opts, ...o}
    const body = Buffer.from(JSON.stringify({jsonrpc: '2.0', id: rawId++, method, params}))
    for (let attempt = 0; ; attempt++) {
      try {
        return (await postRaw(this.url, method, body, opts, segmentReply)) as T
      } catch (e) {
        if (e instanceof RpcCallError || opts.signal?.aborted || attempt >= (opts.retries ?? 2)) throw e
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 2000) * (0.5 + Math.random() / 2)))
      }
    }
  }

  downloadSegmentWithProof(root: string, index: number, o?: RpcOptions) {
    return this.call<SegmentWithProof | null>('zgs_downloadSegmentWithProof', [root, index], o)
  }

  /** Chunks [startChunk, endChunk) of the file (≤ 1024), chunk-padded, base64; null when not stored. */
  downloadSegmentByTxSeq(txSeq: number, startChunk: number, endChunk: number, o?: RpcOptions) {
    return this.call<string | null>('zgs_downloadSegmentByTxSeq', [txSeq, startChunk, endChunk], o)
  }
}

export class IndexerClient {
  constructor(
    readonly url: string,
    private readonly opts: RpcOptions = {},
  ) {}

  private call<T>(method: string, params?: unknown[], extra: RpcOptions = {}): Promise<T> {
    return rpcCall<T>(this.url, method, params, {timeoutMs: 15_000, ...this.opts, ...extra})
  }

  getShardedNodes(o?: RpcOptions) {
    return this.call<{trusted: ShardedNode[] | null; discovered: ShardedNode[] | null}>('indexer_getShardedNodes', undefined, o)
  }

  /**
   * Trusted nodes holding the finalized file; [] when the indexer does not know it (it answers null, or the error
   * "file not found", depending on version).
   */
  async getFileLocations(root: string, o?: RpcOptions): Promise<ShardedNode[]> {
    try {
      return (await this.call<ShardedNode[] | null>('indexer_getFileLocations', [root], o)) ?? []
    } catch (e) {
      if (e instanceof RpcCallError && /not found/i.test(errorText(e))) return []
      throw e
    }
  }

  getNodeLocations(o?: RpcOptions) {
    return this.call<Record<string, {city?: string; region?: string; country?: string; loc?: string; timezone?: string}>>('indexer_getNodeLocations', undefined, o)
  }
}

/** The node's message and data of a JSON-RPC error, as one string (clients match on both). */
export function errorText(e: RpcCallError): string {
  return `${e.rpcMessage}; data: ${typeof e.rpcData === 'string' ? e.rpcData : JSON.stringify(e.rpcData ?? '')}`
}

const rpcText = (e: unknown) => (e instanceof RpcCallError ? errorText(e) : '')

/** "Invalid params: root; data: already uploaded and finalized": the file is complete on that node. */
export const isAlreadyFinalized = (e: unknown) => /already uploaded and finalized/i.test(rpcText(e))
/** A segment the node already has or is writing: success for a client. */
export const isDuplicateSegment = (e: unknown) => /already been uploaded|being uploaded/i.test(rpcText(e))
/** The node's write window is full ("too many data writing: N"): back off and retry. */
export const isTooManyWriting = (e: unknown) => /too many data writing/i.test(rpcText(e))
/** The node has not seen the transaction yet (its log sync lags the chain). */
export const isTxUnknown = (e: unknown) => /tx.*(not found|unavailable)|caching of large file when tx is unavailable/i.test(rpcText(e))

/** POST of a ready JSON-RPC body over node:http (keep-alive agents; the body buffer is written, not copied). */
const RESULT_KEY = Buffer.from('"result":{')
const DATA_KEY = Buffer.from('"data":"')

/**
 * Parses a successful SegmentWithProof reply without handing its base64 to JSON.parse: the `data` string (base64
 * has no quote or backslash, so it ends at the next quote) is cut out and decoded from the bytes, the small rest is
 * parsed normally. Anything else (errors, null, an unexpected shape) takes the ordinary path.
 */
function parseSegmentReply(buf: Buffer): {result?: unknown; error?: {code: number; message: string; data?: unknown}} | undefined {
  const r = buf.indexOf(RESULT_KEY)
  if (r === -1) return undefined
  const d = buf.indexOf(DATA_KEY, r)
  if (d === -1) return undefined
  const start = d + DATA_KEY.length
  const end = buf.indexOf(0x22, start)
  if (end === -1) return undefined
  const rest = JSON.parse(buf.toString('latin1', 0, start) + buf.toString('latin1', end)) as {result?: Record<string, unknown>; error?: never}
  if (!rest.result || rest.result.data !== '') return undefined
  const {data: _omit, ...fields} = rest.result
  return {result: {...fields, bytes: Buffer.from(buf.toString('latin1', start, end), 'base64')}}
}

/** Bodies up to this size are received into one buffer sized by content-length (a segment reply is ~350 KB). */
const MAX_PREALLOCATED = 8 * 1024 * 1024

function postRaw(url: string, method: string, body: Uint8Array, o: RpcOptions, segmentReply = false): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const u = new URL(url)
    const lib = u.protocol === 'https:' ? https : http
    // A plain timer and one listener, not AbortSignal.timeout/any: those register weak references per request; at a
    // thousand requests a second that showed as garbage collection (a 256 MiB download: 53 → 45 mark-compacts).
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      req.destroy(new Error('timed out'))
    }, o.timeoutMs ?? DEFAULT_TIMEOUT_MS)
    const onAbort = () => req.destroy(o.signal?.reason instanceof Error ? o.signal.reason : new Error('aborted'))
    const done = () => {
      clearTimeout(timer)
      o.signal?.removeEventListener('abort', onAbort)
    }
    const fail = (e: unknown) => {
      done()
      if (o.signal?.aborted) return reject(o.signal.reason)
      const why = timedOut ? 'timed out' : ((e as NodeJS.ErrnoException)?.code ?? (e as Error)?.message ?? String(e))
      reject(networkError(`Cannot reach ${url} (${method}): ${why}.`, {cause: e, details: {url, method}}))
    }
    const req = lib.request(u, {method: 'POST', headers: {'content-type': 'application/json', 'content-length': body.length}}, (res) => {
      // With a content-length (the nodes send one), the body is copied once into a buffer of its size instead of
      // collected and concatenated: one 350 KB allocation per segment fewer.
      const declared = Number(res.headers['content-length'])
      const whole = Number.isSafeInteger(declared) && declared > 0 && declared <= MAX_PREALLOCATED ? Buffer.allocUnsafe(declared) : undefined
      let filled = 0
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => {
        // Anything beyond the declared length (never seen; the HTTP parser enforces it) goes to `chunks`, in order.
        if (whole && chunks.length === 0 && filled + c.length <= whole.length) {
          whole.set(c, filled)
          filled += c.length
        } else chunks.push(c)
      })
      res.on('error', fail)
      res.on('end', () => {
        done()
        const status = res.statusCode ?? 0
        if (status === 429 || status >= 500) return fail(new Error(`HTTP ${status}`))
        let json: {result?: unknown; error?: {code: number; message: string; data?: unknown}}
        try {
          const buf = whole && filled === whole.length && chunks.length === 0 ? whole : Buffer.concat(whole ? [whole.subarray(0, filled), ...chunks] : chunks)
          const ascii = isAscii(buf)
          // Segment replies are mostly base64: decoding ASCII as latin1 is a plain copy, UTF-8 decoding is not.
          json = (segmentReply && ascii && parseSegmentReply(buf)) || JSON.parse(buf.toString(ascii ? 'latin1' : 'utf8'))
          // The ordinary path still hands segment callers decoded bytes.
          const res = json.result as {data?: unknown; bytes?: Buffer} | null | undefined
          if (segmentReply && res && typeof res === 'object' && typeof res.data === 'string') {
            res.bytes = Buffer.from(res.data, 'base64')
            delete res.data
          }
        } catch (e) {
          return reject(networkError(`${url} answered ${method} with something that is not JSON-RPC (HTTP ${status}).`, {code: 'RPC_BAD_RESPONSE', cause: e}))
        }
        if (json.error) return reject(new RpcCallError(url, method, json.error.code, json.error.message, json.error.data))
        resolve(json.result)
      })
    })
    req.on('error', fail)
    if (o.signal?.aborted) return onAbort()
    o.signal?.addEventListener('abort', onAbort, {once: true})
    req.end(body)
  })
}
