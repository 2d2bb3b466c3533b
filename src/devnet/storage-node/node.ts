/**
 * One devnet storage node: 0G's `zgs_*` JSON-RPC over a durable store, fed by the Flow contract's Submit logs.
 * Behaviour follows NODE node/rpc (zgs/impl.rs, rpc_helper.rs, types.rs) and chunk_pool: same parameters, results,
 * validation order and error objects, so the official SDKs work against it unchanged.
 */
import path from 'node:path'
import {CHUNK_SIZE, SEGMENT_CHUNKS, SEGMENT_SIZE} from '../../core/storage/constants.js'
import {ceilDiv} from '../../core/storage/layout.js'
import {SegmentCache, WriteControl} from './chunk-pool.js'
import {badParams, callFailed, internalError, invalidParams} from './errors.js'
import {DataUnavailable, FlowTree} from './flow-tree.js'
import {chunkLevels, fileTreeFromProofs, innerHashes} from './inner-hashes.js'
import * as P from './params.js'
import {RpcError, startRpcServer, type RpcMethod, type RpcServerHandle} from './rpc-server.js'
import {NodeStore} from './store.js'
import type {TxRecord} from './submit-log.js'
import {LogSync, type DecodedTx} from './sync.js'
import {proofLayout, splitFileIntoSegments, validateSegment} from './validate.js'

export interface ShardConfig {
  shardId: number
  numShard: number
}

export interface StorageNodeOptions {
  /** Data folder (database and segment files). */
  dir: string
  host?: string
  /** 0 picks a free port. */
  port: number
  rpcUrl: string
  chainId: number
  flowAddress: string
  /** Block of the Flow deployment: the log is synced from here. */
  deployBlock: number
  shard?: ShardConfig
  log?: (line: string) => void
  /** Log sync poll interval (default 100 ms; the devnet confirms at depth 0). */
  pollIntervalMs?: number
  /** `chunk_pool_max_writings` (default 128, as on the turbo testnet). */
  maxWritings?: number
  /** `max_cache_file_size` for segments uploaded before their tx is synced (default 10 MiB). */
  maxCacheFileSize?: number
  /**
   * TEST ONLY — fault injection: when true, every segment this node returns from a download has one byte flipped
   * (proofs are left intact), so client tests can prove that they detect a lying node and fall back to another.
   */
  corruptDownloads?: boolean
}

/** The node's `p2pProtocolVersion` in zgs_getStatus (the devnet has no p2p network; this is the real node's V4). */
const P2P_PROTOCOL_VERSION = {major: 0, minor: 4, build: 0}
const DUPLICATE = 'segment has already been uploaded or is being uploaded'

export class StorageNode {
  readonly shard: ShardConfig
  private readonly log: (line: string) => void
  private readonly store: NodeStore
  private readonly writes: WriteControl
  private readonly cache: SegmentCache
  private readonly flow = new FlowTree()
  private readonly sync: LogSync
  private readonly pending = new Set<Promise<unknown>>()
  private server: RpcServerHandle | undefined
  private closed = false

  private constructor(readonly opts: StorageNodeOptions) {
    this.shard = opts.shard ?? {shardId: 0, numShard: 1}
    const {shardId, numShard} = this.shard
    if (!(numShard > 0 && Number.isInteger(Math.log2(numShard)) && shardId >= 0 && shardId < numShard)) {
      throw new RangeError(`invalid shard config ${shardId}/${numShard}: numShard must be a power of two above shardId`)
    }
    this.log = opts.log ?? (() => {})
    this.store = new NodeStore(opts.dir)
    const net = `${opts.chainId}:${opts.flowAddress.toLowerCase()}:${opts.deployBlock}`
    const stored = this.store.getMeta('network')
    if (stored !== undefined && stored !== net) {
      this.log(`data dir ${opts.dir} belongs to another chain or Flow contract (${stored}); starting empty`)
      this.store.wipe()
    }
    this.store.setMeta('network', net)
    this.writes = new WriteControl({maxWritings: opts.maxWritings ?? 128})
    this.cache = new SegmentCache({maxFileSize: opts.maxCacheFileSize ?? 10 * 1024 * 1024, maxChunks: 1024 * 1024, expiryMs: 300_000})
    this.flow.reset(this.store.allTxs())
    this.sync = new LogSync(
      {rpcUrl: opts.rpcUrl, flowAddress: opts.flowAddress, deployBlock: opts.deployBlock, intervalMs: opts.pollIntervalMs ?? 100, log: this.log},
      {
        position: () => {
          const b = this.store.getMeta('syncBlock')
          return b === undefined ? undefined : {block: Number(b), hash: this.store.getMeta('syncBlockHash') ?? ''}
        },
        txBlocks: () => this.store.txBlocks(),
        apply: (txs, block, hash) => this.ingest(txs, block, hash),
        revert: (block, hash) => {
          const dropped = this.store.revertAfter(block, hash)
          for (const t of dropped) this.writes.remove(t.root)
          this.flow.reset(this.store.allTxs())
          if (dropped.length) this.log(`reverted ${dropped.length} tx(s) after block ${block}`)
        },
      },
    )
  }

  /** Opens the store, listens, and starts syncing (health turns true after the first complete sync). */
  static async start(opts: StorageNodeOptions): Promise<StorageNode> {
    const node = new StorageNode(opts)
    try {
      node.server = await startRpcServer({host: opts.host, port: opts.port, methods: node.methods(), health: () => node.synced, log: node.log})
    } catch (e) {
      node.store.close()
      throw e
    }
    if (opts.corruptDownloads) node.log('TEST-ONLY fault injection is on: this node corrupts every segment it serves')
    node.sync.start()
    node.log(`storage node ${node.shard.shardId}/${node.shard.numShard} listening on ${node.url}, data in ${path.resolve(opts.dir)}`)
    return node
  }

  get url(): string {
    return this.server?.url ?? ''
  }

  get port(): number {
    return this.server?.port ?? 0
  }

  get synced(): boolean {
    return this.sync.synced
  }

  /** Polls the chain once now (tests). */
  syncOnce(): Promise<void> {
    return this.sync.syncOnce()
  }

  /** Path of a stored segment file (tests damage it to exercise verify-on-read). */
  segmentFile(root: string, idx: number): string {
    return this.store.segmentFile(root, idx)
  }

  async stop(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.sync.stop()
    await this.server?.close()
    await Promise.allSettled([...this.pending])
    this.store.close()
  }

  // ---- log sync -------------------------------------------------------------------------------------------------

  private startSegment(tx: TxRecord): number {
    return Math.floor(tx.startEntryIndex / SEGMENT_CHUNKS)
  }

  private inShard(tx: TxRecord, idx: number): boolean {
    const {numShard, shardId} = this.shard
    return numShard < 2 || (this.startSegment(tx) + idx) % numShard === shardId
  }

  /** True when every segment of `tx` that falls in this node's shard is stored (vacuously when none does). */
  private shardComplete(tx: Pick<TxRecord, 'root' | 'size' | 'startEntryIndex'>): boolean {
    const n = splitFileIntoSegments(tx.size).numSegments
    const {numShard, shardId} = this.shard
    const s0 = Math.floor(tx.startEntryIndex / SEGMENT_CHUNKS)
    const mod = numShard < 2 ? 1 : numShard
    const id = numShard < 2 ? 0 : shardId
    // Segments i in [0, n) with (s0 + i) % mod == id.
    const first = (((id - s0) % mod) + mod) % mod
    const required = first >= n ? 0 : Math.floor((n - 1 - first) / mod) + 1
    return required === 0 || this.store.countShardSegments(tx.root, n, s0, mod, id) >= required
  }

  private rootFinalized(root: string): boolean {
    return this.store.txsByRoot(root).some((t) => t.finalized)
  }

  /** Commits newly synced txs; each is finalized at once when its root already is, or its shard's data is here. */
  private ingest(decoded: DecodedTx[], block: number, hash: string): void {
    const finalizedRoots = new Set<string>()
    let expected = this.store.nextTxSeq()
    const txs: TxRecord[] = decoded.map((d) => {
      if (d.seq !== expected) this.log(`tx seq ${d.seq} synced where ${expected} was expected: the log has a gap or a repeat`)
      expected = d.seq + 1
      const finalized = finalizedRoots.has(d.root) || this.rootFinalized(d.root) || this.shardComplete(d)
      if (finalized) finalizedRoots.add(d.root)
      return {...d, finalized}
    })
    this.store.commitSync(txs, block, hash)
    for (const t of txs) {
      this.flow.add(t)
      this.log(`tx ${t.seq} synced: root ${t.root}, ${t.size} bytes at sector ${t.startEntryIndex}${t.finalized ? ', finalized' : ''}`)
      if (t.finalized) this.writes.remove(t.root)
      const cached = this.cache.take(t.root)
      if (cached && !t.finalized) this.track(this.flushCached(t, cached.segments))
    }
  }

  /** Writes the segments cached before `tx` was known (ChunkPool::update_file_info). */
  private async flushCached(tx: TxRecord, segs: Map<number, {data: Uint8Array; proof: {lemma: string[]; path: boolean[]}}>): Promise<void> {
    for (const [idx, seg] of segs) {
      try {
        await this.writeSegment(tx, idx, seg.data, seg.proof)
      } catch (e) {
        this.log(`writing cached segment ${idx} of tx ${tx.seq} failed: ${(e as Error).message}`)
      }
    }
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p)
    void p.finally(() => this.pending.delete(p)).catch(() => {})
    return p
  }

  // ---- uploads ----------------------------------------------------------------------------------------------------

  /** `get_tx_by_data_root`: the first finalized tx with this root, else the first one. */
  private txForRoot(root: string): TxRecord | undefined {
    const txs = this.store.txsByRoot(root)
    return txs.find((t) => t.finalized) ?? txs[0]
  }

  /** rpc_helper::put_segment_with_maybe_tx. */
  private async putSegment(seg: P.SegmentParam, tx: TxRecord | undefined): Promise<void> {
    if (seg.data.length === 0) throw callFailed('data is empty')
    if (seg.data.length % CHUNK_SIZE !== 0) throw callFailed('invalid data length')
    if (tx && tx.root !== seg.root) throw internalError('data root and tx seq not match')
    let needCache = this.cache.has(seg.root)
    if (!needCache) {
      if (tx) {
        if (tx.size !== seg.fileSize) throw invalidParams('file_size', 'segment file size not matched with tx file size')
        if (this.store.getTx(tx.seq)?.finalized) throw invalidParams('root', 'already uploaded and finalized')
      } else {
        if (seg.fileSize > (this.opts.maxCacheFileSize ?? 10 * 1024 * 1024)) {
          throw invalidParams('file_size', 'caching of large file when tx is unavailable is not supported')
        }
        needCache = true
      }
    }
    const leaf = validateSegment(seg)
    if (needCache) {
      this.cache.add(seg.root, seg.index, seg.fileSize, {data: seg.data, proof: seg.proof})
      return
    }
    // A full segment's leaf is exactly the root of its data; a short last one was padded for the proof.
    await this.writeSegment(tx!, seg.index, seg.data, seg.proof, seg.data.length === SEGMENT_SIZE ? leaf : undefined)
  }

  /** Stores a validated segment of `tx` if it is in this node's shard (ChunkPool::write_chunks), then finalizes. */
  private async writeSegment(tx: TxRecord, idx: number, data: Uint8Array, proof: {lemma: string[]; path: boolean[]}, dataRoot?: Uint8Array): Promise<void> {
    const total = splitFileIntoSegments(tx.size).numSegments
    this.writes.begin(tx.root, idx, total, (i) => this.store.hasSegment(tx.root, i))
    if (!this.inShard(tx, idx)) {
      this.writes.end(tx.root, idx, 'skipped')
      return
    }
    try {
      await this.track(this.store.putSegment(tx.root, idx, data, proof, dataRoot))
    } catch (e) {
      this.writes.end(tx.root, idx, 'failed')
      if (this.closed) throw internalError('the node is shutting down')
      throw internalError(`failed to store segment: ${(e as Error).message}`)
    }
    this.writes.end(tx.root, idx, 'stored')
    this.afterStored(tx.root)
  }

  private afterStored(root: string): void {
    let all = true
    for (const t of this.store.txsByRoot(root)) {
      if (t.finalized) continue
      if (this.shardComplete(t)) {
        this.store.setFinalized(t.seq, true)
        this.log(`tx ${t.seq} finalized (root ${root})`)
      } else all = false
    }
    if (all) this.writes.remove(root)
  }

  // ---- downloads --------------------------------------------------------------------------------------------------

  /** File chunks [start, end) of `tx`, or undefined when a segment they touch is not stored here. */
  private async readChunks(tx: TxRecord, start: number, end: number): Promise<Uint8Array | undefined> {
    const out = new Uint8Array((end - start) * CHUNK_SIZE)
    for (let s = Math.floor(start / SEGMENT_CHUNKS); s <= Math.floor((end - 1) / SEGMENT_CHUNKS); s++) {
      const seg = await this.readSegment(tx.root, s)
      if (!seg) return undefined
      const segStart = s * SEGMENT_CHUNKS
      const from = Math.max(start, segStart)
      const to = Math.min(end, segStart + seg.data.length / CHUNK_SIZE)
      // Chunks past the stored bytes (another tx of the same root with more chunks) are zero: the root says so.
      if (to > from) out.set(seg.data.subarray((from - segStart) * CHUNK_SIZE, (to - segStart) * CHUNK_SIZE), (from - start) * CHUNK_SIZE)
    }
    return this.served(out)
  }

  private readSegment(root: string, idx: number) {
    return this.store.readSegment(root, idx, (why) => this.onCorrupt(root, idx, why))
  }

  /** What leaves the node; the test-only fault injection flips one byte here. */
  private served(data: Uint8Array): Uint8Array {
    if (this.opts.corruptDownloads && data.length) data[data.length >> 1] ^= 0xff
    return data
  }

  /** A stored segment failed verification on read: it is gone, so the txs needing it are no longer finalized. */
  private onCorrupt(root: string, idx: number, why: string): void {
    this.log(why)
    for (const t of this.store.txsByRoot(root)) {
      if (t.finalized && idx < splitFileIntoSegments(t.size).numSegments && this.inShard(t, idx)) {
        this.store.setFinalized(t.seq, false)
        this.log(`tx ${t.seq} is no longer finalized: segment ${idx} must be uploaded again`)
      }
    }
  }

  private async segmentByTxSeq(seq: number, start: number, end: number): Promise<string | null> {
    if (start >= end) throw invalidParams('end_index', 'invalid chunk index')
    if (end - start > SEGMENT_CHUNKS) throw invalidParams('end_index', `exceeds maximum chunks ${SEGMENT_CHUNKS}`)
    const tx = this.store.getTx(seq)
    if (!tx) return null
    if (end > ceilDiv(tx.size, CHUNK_SIZE)) throw callFailed(`end entry index exceeds tx size: end=${start} tx size=${tx.size}`)
    const data = await this.readChunks(tx, start, end)
    return data ? Buffer.from(data).toString('base64') : null
  }

  private async segmentWithProof(tx: TxRecord | undefined, index: number) {
    if (!tx) return null
    const {numSegments, lastSegmentSize} = splitFileIntoSegments(tx.size)
    if (index >= numSegments) throw invalidParams('index', 'index out of bound')
    const chunks = index === numSegments - 1 ? lastSegmentSize / CHUNK_SIZE : SEGMENT_CHUNKS
    const stored = await this.readSegment(tx.root, index)
    if (!stored) return null
    const want = chunks * CHUNK_SIZE
    let data = stored.data.subarray(0, want)
    if (data.length < want) {
      data = new Uint8Array(want)
      data.set(stored.data)
    }
    const out = this.served(data)
    return {root: tx.root, data: Buffer.from(out.buffer, out.byteOffset, out.length).toString('base64'), index, proof: stored.proof, fileSize: tx.size}
  }

  private fileInfo(tx: TxRecord) {
    const cached = this.cache.get(tx.root)
    let uploadedSegNum: number
    if (cached) uploadedSegNum = cached.segments.size
    else if (this.writes.has(tx.root)) uploadedSegNum = this.store.countSegments(tx.root)
    else uploadedSegNum = tx.finalized ? splitFileIntoSegments(tx.size).numSegments : 0
    return {
      tx: {
        streamIds: [],
        data: [],
        dataMerkleRoot: tx.root,
        merkleNodes: tx.nodes.map((n) => [n.height + 1, n.root]),
        startEntryIndex: tx.startEntryIndex,
        size: tx.size,
        seq: tx.seq,
      },
      finalized: tx.finalized,
      isCached: cached !== undefined,
      uploadedSegNum,
      pruned: false,
    }
  }

  // ---- flow -------------------------------------------------------------------------------------------------------

  private async sectorProof(sector: number, flowRoot: string | undefined) {
    const n = flowRoot === undefined ? this.flow.length : this.flow.lengthForRoot(flowRoot)
    if (n === undefined) throw callFailed(`flow root ${flowRoot} not found`)
    if (sector >= n) throw callFailed(`sector index ${sector} out of the flow (length ${n})`)
    const tx = this.flow.txAt(sector)
    let inner
    if (tx) {
      const info = this.store.getTx(tx.seq)!
      const off = sector - info.startEntryIndex
      const segIdx = Math.floor(off / SEGMENT_CHUNKS)
      const {paddedChunks, segmentsForProof} = proofLayout(info.size)
      const leafCount = Math.min(SEGMENT_CHUNKS, paddedChunks - segIdx * SEGMENT_CHUNKS)
      const seg = segIdx < splitFileIntoSegments(info.size).numSegments ? await this.readSegment(info.root, segIdx) : undefined
      const levels = seg ? chunkLevels(seg.data, leafCount) : undefined
      inner = innerHashes(info.root, fileTreeFromProofs(this.store.segmentProofs(info.root), segmentsForProof), segIdx, levels, leafCount)
    }
    try {
      return this.flow.proof(sector, n, inner)
    } catch (e) {
      if (e instanceof DataUnavailable) throw callFailed(e.message)
      throw e
    }
  }

  // ---- RPC --------------------------------------------------------------------------------------------------------

  private methods(): Record<string, RpcMethod> {
    const up = (seg: P.SegmentParam, tx: TxRecord | undefined) => this.putSegment(seg, tx).then(() => null)
    return {
      zgs_getStatus: () => {
        const block = Number(this.store.getMeta('syncBlock') ?? 0)
        return {
          connectedPeers: 0,
          logSyncHeight: Math.max(0, block),
          logSyncBlock: this.store.getMeta('syncBlockHash') || '0x' + '00'.repeat(32),
          nextTxSeq: this.store.nextTxSeq(),
          networkIdentity: {chainId: this.opts.chainId, flowAddress: this.opts.flowAddress.toLowerCase(), p2pProtocolVersion: P2P_PROTOCOL_VERSION},
        }
      },
      zgs_getShardConfig: () => ({shardId: this.shard.shardId, numShard: this.shard.numShard}),
      zgs_uploadSegment: (params) => {
        const [s] = P.args(params, ['segment'], 1)
        const seg = P.segment(s)
        return up(seg, this.txForRoot(seg.root))
      },
      zgs_uploadSegmentByTxSeq: (params) => {
        const [s, q] = P.args(params, ['segment', 'tx_seq'], 2)
        const seg = P.segment(s)
        return up(seg, this.store.getTx(P.uint(q, 'tx_seq')))
      },
      zgs_uploadSegments: async (params) => {
        const segs = P.segments(P.args(params, ['segments'], 1)[0])
        for (const seg of segs) await this.putSegment(seg, this.txForRoot(seg.root))
        return null
      },
      zgs_uploadSegmentsByTxSeq: async (params) => {
        const [s, q] = P.args(params, ['segments', 'tx_seq'], 2)
        const segs = P.segments(s)
        const tx = this.store.getTx(P.uint(q, 'tx_seq'))
        for (const seg of segs) {
          try {
            await this.putSegment(seg, tx)
          } catch (e) {
            if (!(e instanceof RpcError && e.message.includes(DUPLICATE))) throw e
          }
        }
        return null
      },
      zgs_downloadSegment: (params) => {
        const [r, a, b] = P.args(params, ['data_root', 'start_index', 'end_index'], 3)
        const tx = this.txForRoot(P.h256(r, 'data_root'))
        const start = P.uint(a, 'start_index')
        const end = P.uint(b, 'end_index')
        return tx ? this.segmentByTxSeq(tx.seq, start, end) : null
      },
      zgs_downloadSegmentByTxSeq: (params) => {
        const [q, a, b] = P.args(params, ['tx_seq', 'start_index', 'end_index'], 3)
        return this.segmentByTxSeq(P.uint(q, 'tx_seq'), P.uint(a, 'start_index'), P.uint(b, 'end_index'))
      },
      zgs_downloadSegmentWithProof: (params) => {
        const [r, i] = P.args(params, ['data_root', 'index'], 2)
        const root = P.h256(r, 'data_root')
        return this.segmentWithProof(this.txForRoot(root), P.uint(i, 'index'))
      },
      zgs_downloadSegmentWithProofByTxSeq: (params) => {
        const [q, i] = P.args(params, ['tx_seq', 'index'], 2)
        const seq = P.uint(q, 'tx_seq')
        const index = P.uint(i, 'index')
        return this.segmentWithProof(this.store.getTx(seq), index)
      },
      zgs_checkFileFinalized: (params) => {
        const [v] = P.args(params, ['tx_seq_or_root'], 1)
        let tx: TxRecord | undefined
        if (typeof v === 'number') tx = this.store.getTx(P.uint(v, 'tx_seq'))
        else if (typeof v === 'string') tx = this.txForRoot(P.h256(v, 'root'))
        else throw badParams('data did not match any variant of untagged enum TxSeqOrRoot')
        return tx ? tx.finalized : null
      },
      zgs_getFileInfo: (params) => {
        const [r, need] = P.args(params, ['data_root', 'need_available'], 2)
        const root = P.h256(r, 'data_root')
        P.bool(need, 'need_available')
        const tx = this.txForRoot(root)
        return tx ? this.fileInfo(tx) : null
      },
      zgs_getFileInfoByTxSeq: (params) => {
        const [q] = P.args(params, ['tx_seq'], 1)
        const tx = this.store.getTx(P.uint(q, 'tx_seq'))
        return tx ? this.fileInfo(tx) : null
      },
      zgs_getSectorProof: (params) => {
        const [s, r] = P.args(params, ['sector_index', 'flow_root'], 1)
        return this.sectorProof(P.uint(s, 'sector_index'), r === undefined || r === null ? undefined : P.h256(r, 'flow_root'))
      },
      zgs_getFlowContext: () => [this.flow.root(), this.flow.length],
    }
  }
}
