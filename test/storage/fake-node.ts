/**
 * An in-process stand-in for a 0G storage node and indexer, for unit tests of the client: it holds files in memory,
 * validates uploads with the real proof rules, serves segments with proofs, and has fault switches (corrupt data,
 * missing segments, "too many data writing" bursts). It is NOT the devnet's node (src/devnet/storage-node); the
 * end-to-end tests use that one.
 */
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {SEGMENT_SIZE} from '../../src/core/storage/constants.js'
import {fileLayout} from '../../src/core/storage/layout.js'
import {treeFromBytes} from '../../src/core/storage/merkle.js'
import {SegmentTree, verifySegmentProof} from '../../src/core/storage/proof.js'

interface Tx {
  seq: number
  root: string
  size: number
  startEntryIndex: number
  segments: Map<number, Buffer>
  tree?: SegmentTree
}

export interface FakeNodeOptions {
  shardId?: number
  numShard?: number
  chainId?: number
  flowAddress?: string
}

class RpcErr extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: string,
  ) {
    super(message)
  }
}

export class FakeNode {
  readonly txs = new Map<number, Tx>()
  readonly calls: {method: string; params: unknown}[] = []
  /** Segment indices whose downloaded data gets a flipped byte. */
  corrupt = new Set<number>()
  /** Corrupt every downloaded segment. */
  corruptAll = false
  /** Segment indices this node pretends not to have (returns null). */
  missing = new Set<number>()
  /** Reject the next N upload calls with "too many data writing". */
  tooManyWriting = 0
  /** Pretend the tx is unknown until this many getFileInfoByTxSeq calls happened. */
  syncDelayCalls = 0
  server!: http.Server
  url = ''

  constructor(readonly opts: FakeNodeOptions = {}) {}

  get config() {
    return {shardId: this.opts.shardId ?? 0, numShard: this.opts.numShard ?? 1}
  }

  holds(tx: Tx, i: number): boolean {
    const {shardId, numShard} = this.config
    const g = Math.floor(tx.startEntryIndex / 1024) + i
    return numShard < 2 || g % numShard === shardId
  }

  /** Registers a submission (as log sync would). */
  addTx(seq: number, root: string, size: number, startEntryIndex = 0): Tx {
    const tx: Tx = {seq, root: root.toLowerCase(), size, startEntryIndex, segments: new Map()}
    this.txs.set(seq, tx)
    return tx
  }

  /** Registers a submission and stores its data (this node's shard of it). */
  preload(seq: number, data: Uint8Array, startEntryIndex = 0): string {
    const tree = treeFromBytes(data)
    const tx = this.addTx(seq, tree.root, data.length, startEntryIndex)
    tx.tree = new SegmentTree(tree.segmentRoots)
    for (let i = 0; i < tree.segments; i++) {
      if (!this.holds(tx, i)) continue
      const raw = data.subarray(i * SEGMENT_SIZE, Math.min((i + 1) * SEGMENT_SIZE, data.length))
      const padded = Buffer.alloc(Math.ceil(raw.length / 256) * 256)
      padded.set(raw)
      tx.segments.set(i, padded)
    }
    return tree.root
  }

  finalized(tx: Tx): boolean {
    const {segments} = fileLayout(tx.size)
    for (let i = 0; i < segments; i++) if (this.holds(tx, i) && !tx.segments.has(i)) return false
    return true
  }

  info(tx: Tx) {
    return {
      tx: {streamIds: [], data: [], dataMerkleRoot: tx.root, merkleNodes: [], startEntryIndex: tx.startEntryIndex, size: tx.size, seq: tx.seq},
      finalized: this.finalized(tx),
      isCached: false,
      uploadedSegNum: tx.segments.size,
      pruned: false,
    }
  }

  private byRoot(root: string): Tx | undefined {
    const all = [...this.txs.values()].filter((t) => t.root === String(root).toLowerCase())
    return all.find((t) => this.finalized(t)) ?? all[0]
  }

  private handle(method: string, p: unknown[]): unknown {
    switch (method) {
      case 'zgs_getShardConfig':
        return this.config
      case 'zgs_getStatus':
        return {connectedPeers: 0, logSyncHeight: 1, logSyncBlock: '0x00', nextTxSeq: this.txs.size, networkIdentity: {chainId: this.opts.chainId ?? 31337, flowAddress: this.opts.flowAddress ?? '0x0000000000000000000000000000000000000001', p2pProtocolVersion: {major: 0, minor: 4, build: 0}}}
      case 'zgs_getFileInfo': {
        const tx = this.byRoot(p[0] as string)
        return tx ? this.info(tx) : null
      }
      case 'zgs_getFileInfoByTxSeq': {
        if (this.syncDelayCalls > 0) {
          this.syncDelayCalls--
          return null
        }
        const tx = this.txs.get(p[0] as number)
        return tx ? this.info(tx) : null
      }
      case 'zgs_uploadSegmentsByTxSeq': {
        if (this.tooManyWriting > 0) {
          this.tooManyWriting--
          throw new RpcErr(-32000, 'too many data writing: 128')
        }
        const tx = this.txs.get(p[1] as number)
        if (!tx) throw new RpcErr(-32603, 'Internal error', 'tx not found')
        if (this.finalized(tx)) throw new RpcErr(-32602, 'Invalid params: root', 'already uploaded and finalized')
        for (const s of p[0] as {root: string; data: string; index: number; proof: {lemma: string[]; path: boolean[]}; fileSize: number}[]) {
          const data = Buffer.from(s.data, 'base64')
          if (s.root.toLowerCase() !== tx.root) throw new RpcErr(-32603, 'Internal error', 'data root and tx seq not match')
          if (s.fileSize !== tx.size) throw new RpcErr(-32603, 'Internal error', 'segment file size not matched with tx file size')
          const ok = verifySegmentProof(tx.root, s.index, data, s.proof, tx.size)
          if (!ok.ok) throw new RpcErr(-32602, 'Invalid params: segment', ok.reason)
          if (this.holds(tx, s.index)) tx.segments.set(s.index, data)
        }
        return null
      }
      case 'zgs_downloadSegmentWithProofByTxSeq':
      case 'zgs_downloadSegmentWithProof': {
        const tx = method.endsWith('ByTxSeq') ? this.txs.get(p[0] as number) : this.byRoot(p[0] as string)
        const i = p[1] as number
        if (!tx || this.missing.has(i)) return null
        const seg = tx.segments.get(i)
        if (!seg) return null
        const tree = tx.tree ?? this.treeOf(tx)
        if (!tree) return null
        const out = Buffer.from(seg)
        if (this.corruptAll || this.corrupt.has(i)) out[out.length >> 1]! ^= 0xff
        return {root: tx.root, data: out.toString('base64'), index: i, proof: tree.proof(i), fileSize: tx.size}
      }
      default:
        throw new RpcErr(-32601, 'Method not found')
    }
  }

  /** After an upload through the client the node has all segments: rebuild the tree for proofs. */
  private treeOf(tx: Tx): SegmentTree | undefined {
    const {segments} = fileLayout(tx.size)
    const bytes = Buffer.alloc(tx.size)
    for (let i = 0; i < segments; i++) {
      const s = tx.segments.get(i)
      if (!s) return undefined
      s.copy(bytes, i * SEGMENT_SIZE, 0, Math.min(s.length, tx.size - i * SEGMENT_SIZE))
    }
    tx.tree = new SegmentTree(treeFromBytes(bytes).segmentRoots)
    return tx.tree
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c) => chunks.push(c))
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {id: number; method: string; params?: unknown[]}
        this.calls.push({method: body.method, params: body.params})
        let reply: unknown
        try {
          reply = {jsonrpc: '2.0', id: body.id, result: this.handle(body.method, body.params ?? [])}
        } catch (e) {
          const err = e as RpcErr
          reply = {jsonrpc: '2.0', id: body.id, error: {code: err.code ?? -32603, message: err.message, ...(err.data !== undefined ? {data: err.data} : {})}}
        }
        res.writeHead(200, {'content-type': 'application/json'})
        res.end(JSON.stringify(reply))
      })
    })
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()))
  }
}

/** A minimal indexer over fake nodes. */
export async function fakeIndexer(nodes: FakeNode[]): Promise<{url: string; stop(): Promise<void>}> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {id: number; method: string; params?: unknown[]}
      const sharded = (n: FakeNode) => ({url: n.url, config: n.config, latency: 1, since: 0})
      let result: unknown = null
      if (body.method === 'indexer_getShardedNodes') result = {trusted: nodes.map(sharded), discovered: []}
      else if (body.method === 'indexer_getFileLocations') {
        const root = String(body.params?.[0]).toLowerCase()
        result = nodes.filter((n) => [...n.txs.values()].some((t) => t.root === root && n.finalized(t))).map(sharded)
      }
      res.writeHead(200, {'content-type': 'application/json'})
      res.end(JSON.stringify({jsonrpc: '2.0', id: body.id, result}))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stop: () => new Promise((r) => server.close(() => r()))}
}
