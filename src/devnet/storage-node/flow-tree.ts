/**
 * The flow Merkle tree over every sector of the log, as the devnet's Flow contract builds it
 * (contracts/src/storage/Flow.sol): sector 0 is a reserved leaf of bytes32(0), each submission node is a perfect
 * subtree at its aligned position, alignment gaps and everything past the flow length are all-zero sectors, and
 * the tree is the smallest power of two holding the flow. zgs_getFlowContext reports its root and length;
 * zgs_getSectorProof proves one sector against it (or against an earlier root). The levels above the submission
 * nodes come from the Submit events alone; inside a file, the proof needs the file's segment-tree hashes (kept from
 * the verified upload proofs) and the chunks of the sector's segment, which only the node holding it has.
 */
import {SEGMENT_CHUNKS, SEGMENT_HEIGHT, zeroHash} from '../../core/storage/constants.js'
import {type Hash, fromHex, hashPair, toHex} from '../../core/storage/keccak.js'
import type {TxRecord} from './submit-log.js'

interface PlacedNode {
  start: number
  height: number
  root: Hash
}

interface FlowTx {
  seq: number
  root: string
  start: number
  end: number
  nodes: PlacedNode[]
}

/** Hashes inside one file that a sector proof needs (see FlowTree.proof). */
export interface InnerHashes {
  /** File-tree node at `level` (0 = segment root), index `idx`, of the file with data root `root`. */
  fileNode(root: string, level: number, idx: number): Hash | undefined
  /** Node of height `height` < 10 at local chunk index `localIdx * 2^height` of segment `segIdx`. */
  chunkNode(root: string, segIdx: number, height: number, localIdx: number): Hash | undefined
}

export class DataUnavailable extends Error {}

const ZERO_SECTOR = new Uint8Array(32)

function treeHeight(n: number): number {
  let h = 0
  while (2 ** h < n) h++
  return h
}

export class FlowTree {
  private txs: FlowTx[] = []
  private rootCache = new Map<number, string>()

  /** Replaces the known submissions (in seq order, which is also flow order). */
  reset(txs: readonly TxRecord[]): void {
    this.txs = []
    this.rootCache.clear()
    for (const t of txs) this.add(t)
  }

  add(t: TxRecord): void {
    let pos = t.startEntryIndex
    const nodes: PlacedNode[] = t.nodes.map((n) => {
      const p = {start: pos, height: n.height, root: fromHex(n.root)!}
      pos += 2 ** n.height
      return p
    })
    this.txs.push({seq: t.seq, root: t.root, start: t.startEntryIndex, end: pos, nodes})
  }

  /** Flow length in sectors after the last known submission (1: sector 0 alone). */
  get length(): number {
    return this.txs.length ? this.txs[this.txs.length - 1]!.end : 1
  }

  /** The submission holding `sector`, if any. */
  txAt(sector: number): FlowTx | undefined {
    const i = this.firstEndingAfter(sector)
    const t = this.txs[i]
    return t && t.start <= sector ? t : undefined
  }

  /** Index of the first tx whose end is > x. */
  private firstEndingAfter(x: number): number {
    let lo = 0
    let hi = this.txs.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.txs[mid]!.end > x) hi = mid
      else lo = mid + 1
    }
    return lo
  }

  private hash(h: number, a: number, n: number, inner?: InnerHashes): Hash {
    const size = 2 ** h
    if (a >= n) return zeroHash(h)
    if (h === 0 && a === 0) return ZERO_SECTOR
    const i = this.firstEndingAfter(a)
    const t = this.txs[i]
    const overlaps = t !== undefined && t.start < a + size && t.end <= n
    if (!overlaps && a > 0) return zeroHash(h)
    if (overlaps && t.start <= a && a + size <= t.end) {
      for (const node of t.nodes) {
        if (node.start === a && node.height === h) return node.root
        if (node.start <= a && a + size <= node.start + 2 ** node.height) return this.inside(t, h, a, inner)
      }
    }
    return hashPair(this.hash(h - 1, a, n, inner), this.hash(h - 1, a + size / 2, n, inner))
  }

  /** A subtree strictly inside one submission node: from the file's own tree. */
  private inside(t: FlowTx, h: number, a: number, inner?: InnerHashes): Hash {
    const off = a - t.start
    const got =
      h >= SEGMENT_HEIGHT
        ? inner?.fileNode(t.root, h - SEGMENT_HEIGHT, off / 2 ** h)
        : inner?.chunkNode(t.root, Math.floor(off / SEGMENT_CHUNKS), h, (off % SEGMENT_CHUNKS) / 2 ** h)
    if (!got) throw new DataUnavailable(`this node does not hold the data of tx ${t.seq} needed around sector ${a}`)
    return got
  }

  /** Root of the flow over its first `n` sectors (n = the current length by default). */
  root(n = this.length): string {
    let r = this.rootCache.get(n)
    if (r === undefined) {
      r = toHex(this.hash(treeHeight(n), 0, n))
      this.rootCache.set(n, r)
    }
    return r
  }

  /** The flow length whose root is `root`: the current one or the one right after some submission. */
  lengthForRoot(root: string): number | undefined {
    const want = root.toLowerCase()
    if (this.root() === want) return this.length
    for (let i = this.txs.length - 1; i >= 0; i--) if (this.root(this.txs[i]!.end) === want) return this.txs[i]!.end
    if (this.root(1) === want) return 1
    return undefined
  }

  /** Proof of sector `sector` in the flow of length `n`: lemma [leaf, siblings…, root], path[k] = left child. */
  proof(sector: number, n: number, inner?: InnerHashes): {lemma: string[]; path: boolean[]} {
    if (!Number.isSafeInteger(sector) || sector < 0 || sector >= n) throw new RangeError(`sector ${sector} is outside the flow (length ${n})`)
    const height = treeHeight(n)
    const root = toHex(this.hash(height, 0, n, inner))
    if (height === 0) return {lemma: [root], path: []}
    const lemma = [toHex(this.hash(0, sector, n, inner))]
    const path: boolean[] = []
    for (let l = 0; l < height; l++) {
      const size = 2 ** l
      const start = Math.floor(sector / size) * size
      const isLeft = Math.floor(sector / size) % 2 === 0
      lemma.push(toHex(this.hash(l, isLeft ? start + size : start - size, n, inner)))
      path.push(isLeft)
    }
    lemma.push(root)
    return {lemma, path}
  }
}
