import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {keccak_256} from '@noble/hashes/sha3.js'
import {MemData} from '@0gfoundation/0g-ts-sdk'
import {SEGMENT_SIZE, zeroHash} from '../../src/core/storage/constants.js'
import {hashPair, toHex} from '../../src/core/storage/keccak.js'
import {fileLayout, segmentWireSize} from '../../src/core/storage/layout.js'
import {treeFromBytes} from '../../src/core/storage/merkle.js'
import {proofPosition, SegmentTree, type SegmentProof, verifySegmentProof} from '../../src/core/storage/proof.js'
import {generate, randomBytes} from './gen.js'

// ---- an independent reference: @noble/hashes keccak, a flat chunk-level tree built by recursive split
// (left subtree = largest power of two below n), proofs read off that recursion.

type H = Uint8Array
const nh = (d: Uint8Array): H => keccak_256(d)
const nPair = (a: H, b: H): H => {
  const x = new Uint8Array(64)
  x.set(a)
  x.set(b, 32)
  return nh(x)
}
const split = (n: number) => {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}
function refRoot(leaves: H[], lo: number, hi: number): H {
  if (hi - lo === 1) return leaves[lo]!
  const mid = lo + split(hi - lo)
  return nPair(refRoot(leaves, lo, mid), refRoot(leaves, mid, hi))
}
function refProof(leaves: H[], i: number): SegmentProof {
  if (leaves.length === 1) return {lemma: [toHex(leaves[0]!)], path: []}
  const sibs: [H, boolean][] = []
  let lo = 0
  let hi = leaves.length
  while (hi - lo > 1) {
    const mid = lo + split(hi - lo)
    if (i < mid) {
      sibs.push([refRoot(leaves, mid, hi), true])
      hi = mid
    } else {
      sibs.push([refRoot(leaves, lo, mid), false])
      lo = mid
    }
  }
  sibs.reverse()
  return {
    lemma: [toHex(leaves[i]!), ...sibs.map(([h]) => toHex(h)), toHex(refRoot(leaves, 0, leaves.length))],
    path: sibs.map(([, left]) => left),
  }
}
/** Reference segment leaves: flow-pad the bytes to whole chunks, hash chunk leaves, tree per segment. */
function refSegmentLeaves(data: Uint8Array): H[] {
  const {paddedChunks, paddedSegments} = fileLayout(data.length)
  const padded = new Uint8Array(paddedChunks * 256)
  padded.set(data)
  const segs: H[] = []
  for (let s = 0; s < paddedSegments; s++) {
    const chunkLeaves: H[] = []
    for (let c = s * 1024; c < Math.min((s + 1) * 1024, paddedChunks); c++) chunkLeaves.push(nh(padded.subarray(c * 256, c * 256 + 256)))
    segs.push(refRoot(chunkLeaves, 0, chunkLeaves.length))
  }
  return segs
}

/** Segment `i` as a node serves it: whole chunks, the tail rounded up (zero-filled). */
function wireSegment(data: Uint8Array, i: number): Uint8Array {
  const out = new Uint8Array(segmentWireSize(i, data.length))
  out.set(data.subarray(i * SEGMENT_SIZE, Math.min((i + 1) * SEGMENT_SIZE, data.length)))
  return out
}

// Sizes chosen for their shapes: 1 segment; 2; 3 with a partial tail; a padding-only last segment
// (16385 chunks → 18 padded segments, 17 with data); 5 MiB (20 segments, two nodes); an odd 13 segments.
const sizes = [1000, 300000, 786437, 4 * 1024 * 1024 + 1, 5 * 1024 * 1024, 13 * SEGMENT_SIZE - 3000]

describe('segment proofs', () => {
  for (const size of sizes) {
    test(`every segment of a ${size}-byte file: same proof as the reference tree, and it verifies`, () => {
      const data = generate('mpat', size)
      const tree = treeFromBytes(data)
      const leaves = refSegmentLeaves(data)
      assert.equal(leaves.length, tree.paddedSegments)
      assert.equal(toHex(refRoot(leaves, 0, leaves.length)), tree.root, 'reference root')
      const st = new SegmentTree(tree.segmentRoots)
      assert.equal(st.root, tree.root)
      for (let i = 0; i < tree.segments; i++) {
        const proof = st.proof(i)
        assert.deepEqual(proof, refProof(leaves, i), `segment ${i}: proof`)
        assert.equal(proof.lemma[0], toHex(leaves[i]!))
        assert.deepEqual(verifySegmentProof(tree.root, i, wireSegment(data, i), proof, size), {ok: true}, `segment ${i}`)
        assert.equal(proofPosition(proof.path, tree.paddedSegments), i)
      }
    })
  }

  test('single-segment files use lemma=[root], path=[]', () => {
    const data = generate('hello', 11)
    const tree = treeFromBytes(data)
    const proof = new SegmentTree(tree.segmentRoots).proof(0)
    assert.deepEqual(proof, {lemma: [tree.root], path: []})
    assert.deepEqual(verifySegmentProof(tree.root, 0, wireSegment(data, 0), proof, 11), {ok: true})
    // The one lemma hash is leaf and root at once: it must still be checked against the caller's root.
    const other = treeFromBytes(generate('one', 11))
    assert.equal(verifySegmentProof(other.root, 0, wireSegment(data, 0), proof, 11).ok, false)
  })

  test('the SDK MerkleTree.proofAt gives the same proofs', async () => {
    for (const size of [300000, 786437, 4 * 1024 * 1024 + 1]) {
      const data = generate('mpat', size)
      const [sdkTree, err] = await new MemData(data).merkleTree()
      assert.equal(err, null)
      const st = new SegmentTree(treeFromBytes(data).segmentRoots)
      for (let i = 0; i < st.leafCount; i++) {
        const p = sdkTree!.proofAt(i)
        assert.deepEqual(st.proof(i), {lemma: p.lemma, path: p.path}, `size ${size} segment ${i}`)
      }
    }
  })

  test('m2 example from the spec: 2 segments', () => {
    const tree = treeFromBytes(generate('mpat', 300000))
    const st = new SegmentTree(tree.segmentRoots)
    const s0 = toHex(tree.segmentRoots.subarray(0, 32))
    const s1 = toHex(tree.segmentRoots.subarray(32, 64))
    assert.deepEqual(st.proof(0), {lemma: [s0, s1, tree.root], path: [true]})
    assert.deepEqual(st.proof(1), {lemma: [s1, s0, tree.root], path: [false]})
  })

  test('out-of-range proof index is refused', () => {
    const st = new SegmentTree(treeFromBytes(generate('mpat', 300000)).segmentRoots)
    assert.throws(() => st.proof(2), RangeError)
    assert.throws(() => st.proof(-1), RangeError)
  })
})

describe('segment proof verification rejects', () => {
  const size = 786437 // 4 padded segments, 3 with data, last one partial
  const data = generate('mpat', size)
  const tree = treeFromBytes(data)
  const st = new SegmentTree(tree.segmentRoots)
  const check = (i: number, seg: Uint8Array, proof: SegmentProof, root = tree.root, fileSize = size) =>
    verifySegmentProof(root, i, seg, proof, fileSize)
  const reason = (r: ReturnType<typeof check>) => (r.ok ? 'ok' : r.reason)

  test('tampered data', () => {
    for (const i of [0, 2]) {
      const seg = wireSegment(data, i)
      seg[100] ^= 1
      assert.equal(reason(check(i, seg, st.proof(i))), 'data hash mismatch')
    }
  })

  test('a non-zero byte in the zero-padded tail chunk', () => {
    const seg = wireSegment(data, 2)
    seg[seg.length - 1] = 7 // byte past the file's end
    assert.equal(reason(check(2, seg, st.proof(2))), 'data hash mismatch')
  })

  test('wrong index', () => {
    assert.match(reason(check(1, wireSegment(data, 0), st.proof(0))), /wrong position/)
    assert.equal(reason(check(5, wireSegment(data, 0), st.proof(0))), 'index out of bound')
  })

  test('flipped path bit', () => {
    const p = st.proof(1)
    const bad = {lemma: p.lemma, path: p.path.map((b, k) => (k === 0 ? !b : b))}
    assert.equal(check(1, wireSegment(data, 1), bad).ok, false)
  })

  test('too long or too short path, malformed lemma', () => {
    const p = st.proof(1)
    assert.equal(reason(check(1, wireSegment(data, 1), {lemma: p.lemma.slice(1), path: p.path})), 'invalid proof')
    assert.match(reason(check(1, wireSegment(data, 1), {lemma: [p.lemma[0]!, ...p.lemma], path: [true, ...p.path]})), /too long/)
    assert.match(reason(check(1, wireSegment(data, 1), {lemma: [p.lemma[0]!], path: []})), /too short/)
    assert.equal(reason(check(1, wireSegment(data, 1), {lemma: p.lemma.map((h, k) => (k === 1 ? 'nothex' : h)), path: p.path})), 'invalid proof')
  })

  test('wrong sibling or wrong root', () => {
    const p = st.proof(0)
    const bad = {lemma: p.lemma.map((h, k) => (k === 1 ? toHex(zeroHash(3)) : h)), path: p.path}
    assert.equal(reason(check(0, wireSegment(data, 0), bad)), 'validation failed')
    const other = treeFromBytes(generate('pat', size)).root
    assert.equal(reason(check(0, wireSegment(data, 0), p, other)), 'root mismatch')
  })

  test('wrong data length', () => {
    const seg = wireSegment(data, 0)
    assert.equal(reason(check(0, seg.subarray(0, seg.length - 256), st.proof(0))), 'invalid data length')
    // The tail must be whole chunks, as the node stores and serves it.
    const tail = data.subarray(2 * SEGMENT_SIZE)
    assert.equal(reason(check(2, tail, st.proof(2))), 'invalid data length')
  })

  test('wrong file size', () => {
    assert.equal(check(0, wireSegment(data, 0), st.proof(0), tree.root, size + 300000).ok, false)
    assert.equal(reason(check(0, wireSegment(data, 0), st.proof(0), tree.root, 0)), 'file is empty')
  })

  test('a consistent tree that hides data in a padding-only segment', () => {
    // 16385 chunks: 17 data segments, 18 padded; segment 17 must be the zero segment. Forge a tree whose
    // segment 17 is not: the proof of segment 16 is internally consistent but the node rejects it.
    const fsize = 4 * 1024 * 1024 + 1
    const fdata = generate('mpat', fsize)
    const honest = treeFromBytes(fdata)
    assert.equal(honest.paddedSegments, 18)
    assert.equal(honest.segments, 17)
    const forged = honest.segmentRoots.slice()
    forged.set(hashPair(zeroHash(10), zeroHash(10)), 17 * 32)
    const fst = new SegmentTree(forged)
    const proof = fst.proof(16)
    const r = verifySegmentProof(fst.root, 16, wireSegment(fdata, 16), proof, fsize)
    assert.deepEqual(r, {ok: false, reason: 'invalid proof node value in the padding range'})
    // The honest proof passes the same check.
    const good = new SegmentTree(honest.segmentRoots)
    assert.deepEqual(verifySegmentProof(honest.root, 16, wireSegment(fdata, 16), good.proof(16), fsize), {ok: true})
  })

  test('random data, random sizes: every segment verifies, every other index fails', () => {
    for (const [k, sz] of [[1, 2 * SEGMENT_SIZE + 1], [2, 7 * SEGMENT_SIZE - 255], [3, 9 * SEGMENT_SIZE]] as const) {
      const d = randomBytes(sz, 0xc0ffee + k)
      const t = treeFromBytes(d)
      const s = new SegmentTree(t.segmentRoots)
      for (let i = 0; i < t.segments; i++) {
        const seg = wireSegment(d, i)
        assert.ok(verifySegmentProof(t.root, i, seg, s.proof(i), sz).ok, `size ${sz} seg ${i}`)
        const j = (i + 1) % t.segments
        if (j !== i && seg.length === segmentWireSize(j, sz)) assert.equal(verifySegmentProof(t.root, j, seg, s.proof(i), sz).ok, false)
      }
    }
  })
})
