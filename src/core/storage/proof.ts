/**
 * Segment proofs in 0G's wire format (`FileProof` of NODE shared_types, `Proof` of GO core/merkle/proof.go
 * and of the TS SDK MerkleTree): lemma = [leaf (segment root), siblings bottom → top…, file root];
 * path[k] = true when the node at level k is a LEFT child (its sibling is on the right). A file of one
 * segment has lemma = [root], path = []. The tree's leaves are all flow-padded segments.
 */
import {SEGMENT_HEIGHT, zeroHash} from './constants.js'
import {type Hash, fromHex, hashEquals, hashPair, reduceLevelInPlace, toHex} from './keccak.js'
import {fileLayout, log2Pow2, nextPow2, segmentWireSize} from './layout.js'
import {paddedSegmentRoot} from './merkle.js'

export interface SegmentProof {
  lemma: string[]
  path: boolean[]
}

/**
 * All levels of the segment tree, built once (~2 hashes per segment) so that proofs for every segment of
 * an upload cost no hashing at all.
 */
export class SegmentTree {
  private readonly levels: Uint8Array[] = []
  private readonly counts: number[] = []

  /** `segmentRoots`: packed 32-byte roots of all padded segments (FileTree.segmentRoots). */
  constructor(segmentRoots: Uint8Array) {
    if (segmentRoots.length === 0 || segmentRoots.length % 32 !== 0) {
      throw new RangeError(`segment roots must be a non-empty multiple of 32 bytes, got ${segmentRoots.length}`)
    }
    let level = segmentRoots.slice()
    let n = segmentRoots.length / 32
    this.levels.push(level)
    this.counts.push(n)
    while (n > 1) {
      const next = level.slice(0, n * 32)
      n = reduceLevelInPlace(next, n)
      level = next.slice(0, n * 32)
      this.levels.push(level)
      this.counts.push(n)
    }
  }

  get leafCount(): number {
    return this.counts[0]!
  }

  get root(): string {
    return toHex(this.levels[this.levels.length - 1]!.subarray(0, 32))
  }

  /** The proof that segment `index` is leaf `index` of this tree. */
  proof(index: number): SegmentProof {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.leafCount) {
      throw new RangeError(`segment index ${index} is out of range: the tree has ${this.leafCount} segments`)
    }
    const at = (level: number, i: number) => toHex(this.levels[level]!.subarray(i * 32, i * 32 + 32))
    if (this.leafCount === 1) return {lemma: [this.root], path: []}
    const lemma = [at(0, index)]
    const path: boolean[] = []
    let pos = index
    for (let level = 0; level < this.levels.length - 1; level++) {
      const n = this.counts[level]!
      if (pos % 2 === 1) {
        lemma.push(at(level, pos - 1))
        path.push(false)
      } else if (pos + 1 < n) {
        lemma.push(at(level, pos + 1))
        path.push(true)
      }
      // else: odd last node, carried up unchanged, so this level adds nothing to the proof.
      pos = Math.floor(pos / 2)
    }
    lemma.push(this.root)
    return {lemma, path}
  }
}

export type ProofCheck = {ok: true} | {ok: false; reason: string}

const fail = (reason: string): ProofCheck => ({ok: false, reason})

/**
 * Leaf position a proof claims in a tree of `leafCount` leaves (NODE FileProof::position, GO
 * calculateProofPosition), or a reason when the path is too long or too short for that tree.
 */
export function proofPosition(path: readonly boolean[], leafCount: number): number | string {
  let left = leafCount
  let pos = 0
  for (let i = path.length - 1; i >= 0; i--) {
    if (left <= 1) return `proof path too long for a tree of ${leafCount} segments`
    const sub = nextPow2(left) / 2
    if (path[i]) {
      left = sub
    } else {
      pos += sub
      left -= sub
    }
  }
  if (left !== 1) return `proof path too short for a tree of ${leafCount} segments`
  return pos
}

/**
 * Verifies that `segmentData` is segment `segIndex` of the file with Merkle `root` and `fileSize` bytes,
 * with the checks and in the order of the storage node (NODE rpc SegmentWithProof::validate):
 * - the data is exactly the segment's wire size (256 KiB, or the tail rounded up to whole chunks);
 * - its leaf is the segment root with the flow padding's zero-chunk leaves (last padded segment only);
 * - the proof's position among ceil(paddedChunks/1024) leaves is `segIndex`, the path hashes up to its
 *   root, that root is `root`, its leaf is the data's;
 * - any right sibling lying wholly in the padding is the matching zero hash.
 */
export function verifySegmentProof(
  root: string | Hash,
  segIndex: number,
  segmentData: Uint8Array,
  proof: SegmentProof,
  fileSize: number,
): ProofCheck {
  if (!Number.isSafeInteger(fileSize) || fileSize <= 0) return fail('file is empty')
  const rootHash = typeof root === 'string' ? fromHex(root) : root
  if (!rootHash || rootHash.length !== 32) return fail('invalid root')
  const layout = fileLayout(fileSize)
  if (!Number.isSafeInteger(segIndex) || segIndex < 0 || segIndex >= layout.segments) return fail('index out of bound')
  if (segmentData.length !== segmentWireSize(segIndex, fileSize)) return fail('invalid data length')

  const {lemma, path} = proof
  if (!Array.isArray(lemma) || !Array.isArray(path)) return fail('invalid proof')
  if (path.length === 0 ? lemma.length !== 1 : lemma.length !== path.length + 2) return fail('invalid proof')
  const hashes: Hash[] = []
  for (const h of lemma) {
    const b = typeof h === 'string' ? fromHex(h) : undefined
    if (!b) return fail('invalid proof')
    hashes.push(b)
  }
  if (!path.every((p) => typeof p === 'boolean')) return fail('invalid proof')

  const pos = proofPosition(path, layout.paddedSegments)
  if (typeof pos === 'string') return fail(pos)
  if (pos !== segIndex) return fail(`wrong position: proof is for segment ${pos}, not ${segIndex}`)

  let h = hashes[0]!
  for (let k = 0; k < path.length; k++) h = path[k] ? hashPair(h, hashes[k + 1]!) : hashPair(hashes[k + 1]!, h)
  const proofRoot = hashes[hashes.length - 1]!
  if (!hashEquals(h, proofRoot)) return fail('validation failed')
  if (!hashEquals(proofRoot, rootHash)) return fail('root mismatch')
  if (!hashEquals(hashes[0]!, paddedSegmentRoot(segmentData, segIndex, fileSize))) return fail('data hash mismatch')

  // A sibling subtree made only of padding segments must be all zeros: otherwise a proof could smuggle
  // extra data into the padding (NODE validate_rear_padding).
  let left = layout.paddedSegments
  let at = 0
  for (let i = 0; i < path.length; i++) {
    const isLeft = path[path.length - 1 - i]!
    const sub = nextPow2(left) / 2
    if (!isLeft) {
      at += sub
      left -= sub
    } else {
      left = sub
      if (at + sub >= layout.segments && !hashEquals(hashes[hashes.length - 2 - i]!, zeroHash(log2Pow2(sub) + SEGMENT_HEIGHT))) {
        return fail('invalid proof node value in the padding range')
      }
    }
  }
  return {ok: true}
}
