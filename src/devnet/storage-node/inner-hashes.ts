/**
 * The hashes inside one file that a flow sector proof passes through: the file's segment-tree nodes (replayed from
 * the verified upload proofs of the segments this node stores, whose lemmas carry the siblings' roots too) and the
 * chunk-level tree of the sector's own segment.
 */
import {CHUNK_SIZE, zeroHash} from '../../core/storage/constants.js'
import {type Hash, fromHex, hashChunksInto, hashPair, keccak256, reduceLevelInPlace} from '../../core/storage/keccak.js'
import {ceilDiv} from '../../core/storage/layout.js'
import type {InnerHashes} from './flow-tree.js'

/** Segment-tree nodes known from stored proofs, keyed "level:index" (only nodes of complete subtrees are used). */
export function fileTreeFromProofs(proofs: readonly {idx: number; proof: {lemma: string[]; path: boolean[]}}[], leafCount: number): Map<string, Hash> {
  const known = new Map<string, Hash>()
  for (const {idx, proof} of proofs) {
    if (leafCount === 1) {
      known.set('0:0', fromHex(proof.lemma[0]!)!)
      continue
    }
    let pos = idx
    let count = leafCount
    let level = 0
    let k = 0
    let h = fromHex(proof.lemma[0]!)!
    known.set(`0:${pos}`, h)
    // Same walk as the tree build: an odd last node is carried up and contributes no proof element.
    while (count > 1) {
      if (pos % 2 === 1) {
        const sib = fromHex(proof.lemma[++k]!)!
        known.set(`${level}:${pos - 1}`, sib)
        h = hashPair(sib, h)
      } else if (pos + 1 < count) {
        const sib = fromHex(proof.lemma[++k]!)!
        known.set(`${level}:${pos + 1}`, sib)
        h = hashPair(h, sib)
      }
      pos = Math.floor(pos / 2)
      count = ceilDiv(count, 2)
      level++
      known.set(`${level}:${pos}`, h)
    }
  }
  return known
}

/** All levels of one segment's chunk tree: data chunks, then zero-chunk leaves up to `leafCount`. */
export function chunkLevels(data: Uint8Array, leafCount: number): Uint8Array[] {
  const dataChunks = ceilDiv(data.length, CHUNK_SIZE)
  const leaves = new Uint8Array(leafCount * 32)
  const full = Math.floor(data.length / CHUNK_SIZE)
  hashChunksInto(data, full, leaves)
  if (dataChunks > full) {
    const tail = new Uint8Array(CHUNK_SIZE)
    tail.set(data.subarray(full * CHUNK_SIZE))
    leaves.set(keccak256(tail), full * 32)
  }
  for (let i = dataChunks; i < leafCount; i++) leaves.set(zeroHash(0), i * 32)
  const levels = [leaves]
  let n = leafCount
  let cur = leaves
  while (n > 1) {
    const next = cur.slice(0, n * 32)
    n = reduceLevelInPlace(next, n)
    cur = next.slice(0, n * 32)
    levels.push(cur)
  }
  return levels
}

/** InnerHashes for proofs that pass through segment `segIdx` of the file `root`. */
export function innerHashes(root: string, fileTree: Map<string, Hash>, segIdx: number, levels: Uint8Array[] | undefined, leafCount: number): InnerHashes {
  return {
    fileNode: (r, level, idx) => (r === root ? fileTree.get(`${level}:${idx}`) : undefined),
    chunkNode: (r, s, height, localIdx) => {
      if (r !== root || s !== segIdx || !levels) return undefined
      // Only complete subtrees of the segment are nodes of the flow tree.
      if ((localIdx + 1) * 2 ** height > leafCount || height >= levels.length) return undefined
      return levels[height]!.slice(localIdx * 32, localIdx * 32 + 32)
    },
  }
}
