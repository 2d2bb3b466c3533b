import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {EMPTY_CHUNK_HASH, getZeroHashes, zeroHash} from '../../src/core/storage/constants.js'
import {keccak256, toHex} from '../../src/core/storage/keccak.js'
import {computeFileTree, rootFromNodes, type FileTree, treeFromBytes} from '../../src/core/storage/merkle.js'
import {type GeneratorName, generate, tempDir} from './gen.js'
import golden from './storage-roots.json' with {type: 'json'}

interface Vector {
  name: string
  generator: GeneratorName
  size: number
  chunks?: number
  paddedChunks?: number
  segments?: number
  root: string
  nodes: {height: number; root: string}[]
}

// The five vectors of protocol-storage.md (pattern "doc"), beside the SDK-computed ones of storage-roots.json.
const docVectors: Vector[] = [
  {name: 'doc 1 byte 0x00', generator: 'zero', size: 1, chunks: 1, paddedChunks: 1, root: EMPTY_CHUNK_HASH,
    nodes: [{height: 0, root: EMPTY_CHUNK_HASH}]},
  {name: 'doc 300 bytes 0x01', generator: 'one', size: 300, chunks: 2, paddedChunks: 2,
    root: '0xb47edaa2873e931cd097be1cab512173c5f6fd33bd41efae880af31793643626',
    nodes: [{height: 1, root: '0xb47edaa2873e931cd097be1cab512173c5f6fd33bd41efae880af31793643626'}]},
  {name: 'doc 4097 B pattern', generator: 'doc', size: 4097, chunks: 17, paddedChunks: 18,
    root: '0xf44d4abe68ba320aaabcf874d187904ca03a8e9bca70184d9eaf6d3053f3f02e',
    nodes: [
      {height: 4, root: '0xa42fea7dc476c9a4ef1ba35c64a23e519463b7ab58df12558e1d8ae07a22475a'},
      {height: 1, root: '0x58017a665f5ebdd6b147217331ff404439c51173075f127faa95b34d94b6aed5'},
    ]},
  {name: 'doc 262145 B pattern', generator: 'doc', size: 262145, chunks: 1025, paddedChunks: 1152,
    root: '0x62511a5a4e27169c77aabe0b5969ef4a3c1cc3138efa0e6e6ca3077985384aab',
    nodes: [
      {height: 10, root: '0x4b55858a0332811f9834f3b447f086a14b0711beb943259561c5d04d740438d1'},
      {height: 7, root: '0x2b5df06ed07fd0d085d77d3e1c56176706326450679dc9fe49aaa3250a9d0623'},
    ]},
  {name: 'doc 786437 B pattern', generator: 'doc', size: 786437, chunks: 3073, paddedChunks: 3328,
    root: '0x1ad0ed95a779ed0a56b28db522b05c47184fc7f2f704eb9f95a5d91819e4ae73',
    nodes: [
      {height: 11, root: '0x5bd9f27349999f084523cdd8533767487e77447eed4671b7fa796a493b5a93a6'},
      {height: 10, root: '0xcc561e145494eee192f01e518d06958152a40ec1c19fa8dc202c4b893d757324'},
      {height: 8, root: '0xd86612aeac55c532f6d238e47655b671cd0e1d8ba4ac20c1e292933a5d5ab3bb'},
    ]},
]

const vectors: Vector[] = [...(golden.vectors as Vector[]), ...docVectors]

function checkTree(t: FileTree, v: Vector) {
  assert.equal(t.root, v.root, `${v.name}: root`)
  assert.deepEqual(t.nodes, v.nodes, `${v.name}: submission nodes`)
  assert.equal(t.size, v.size)
  if (v.chunks !== undefined) assert.equal(t.chunks, v.chunks)
  if (v.paddedChunks !== undefined) assert.equal(t.paddedChunks, v.paddedChunks)
  // storage-roots.json's "segments" counts the flow-padded segments (the SDK's numSegmentsPadded).
  if (v.segments !== undefined) assert.equal(t.paddedSegments, v.segments, `${v.name}: padded segments`)
  assert.equal(t.segmentRoots.length, t.paddedSegments * 32)
  // The node derives the data root from the Submit event's nodes by a right fold: it must agree.
  assert.equal(rootFromNodes(t.nodes), t.root, `${v.name}: fold of nodes`)
}

describe('constants', () => {
  test('zero hashes match the node and the protocol doc', () => {
    const z = getZeroHashes()
    assert.equal(z.length, 64)
    assert.equal(toHex(z[0]!), EMPTY_CHUNK_HASH)
    assert.equal(toHex(keccak256(new Uint8Array(256))), EMPTY_CHUNK_HASH)
    assert.equal(toHex(zeroHash(1)), '0xf73e6947d7d1628b9976a6e40d7b278a8a16405e96324a68df45b12a51b7cfde')
    assert.equal(toHex(zeroHash(7)), '0xa5d9a2f7f3573ac9a1366bc484688b4daf934b87ea9b3bf2e703da8fd9f09708')
    assert.equal(toHex(zeroHash(10)), golden.constants.zeroSegmentRoot)
    assert.equal(toHex(zeroHash(11)), '0x62d78399b954d51cb9728601738ad13ddc43b2300064660716bb661d2f4d686f')
    assert.throws(() => zeroHash(64), RangeError)
  })

  test('keccak256 is Ethereum keccak, not SHA3-256', () => {
    assert.equal(toHex(keccak256(new Uint8Array(0))), '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470')
  })
})

describe('golden Merkle vectors', () => {
  let tmp: ReturnType<typeof tempDir>
  before(() => {
    tmp = tempDir()
  })
  after(() => tmp.cleanup())

  test('in memory (treeFromBytes)', () => {
    for (const v of vectors) checkTree(treeFromBytes(generate(v.generator, v.size)), v)
  })

  test('streaming a file on one thread', async () => {
    for (const v of vectors) {
      const p = path.join(tmp.dir, `${v.name.replace(/\W/g, '_')}.bin`)
      fs.writeFileSync(p, generate(v.generator, v.size))
      checkTree(await computeFileTree(p, {workers: 0}), v)
    }
  })

  test('streaming a file across worker threads', async () => {
    for (const v of vectors) {
      const p = path.join(tmp.dir, `w_${v.name.replace(/\W/g, '_')}.bin`)
      fs.writeFileSync(p, generate(v.generator, v.size))
      // All work on 3 workers (uneven task split), then the calling thread sharing with one worker.
      checkTree(await computeFileTree(p, {workers: 3, mainThread: false}), v)
      checkTree(await computeFileTree(p, {workers: 1}), v)
    }
  })

  test('a byte range of a larger file hashes like the bytes alone (fragments)', async () => {
    const v = vectors.find((x) => x.name === 'm2_300000B')!
    const data = generate(v.generator, v.size)
    const p = path.join(tmp.dir, 'embedded.bin')
    const prefix = new Uint8Array(777).fill(0xaa)
    const suffix = new Uint8Array(5000).fill(0x55)
    fs.writeFileSync(p, Buffer.concat([prefix, data, suffix]))
    for (const threads of [{workers: 0}, {workers: 2, mainThread: false}]) {
      checkTree(await computeFileTree(p, {offset: prefix.length, length: data.length, ...threads}), v)
    }
  })
})
