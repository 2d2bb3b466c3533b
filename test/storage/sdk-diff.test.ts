// Differential test: our tree against the official SDK's MemData on the same bytes.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {MemData} from '@0gfoundation/0g-ts-sdk'
import {computeFileTree, treeFromBytes} from '../../src/core/storage/merkle.js'
import {randomBytes, tempDir} from './gen.js'

const SEG = 256 * 1024
const SEED = 20260511

async function sdkTree(data: Uint8Array) {
  const file = new MemData(data)
  const [tree, err] = await file.merkleTree()
  assert.equal(err, null)
  const [sub, err2] = await file.createSubmission('0x')
  assert.equal(err2, null)
  return {root: tree!.rootHash(), nodes: sub!.data.nodes.map((n) => ({height: Number(n.height), root: String(n.root)}))}
}

// Boundaries: around chunk and segment edges, and where flow padding adds a whole padding segment.
const boundarySizes = [1, 255, 256, 257, 1023, 1024, 1025, 4095, 4097]
for (const k of [1, 2, 3, 4, 5, 8, 12]) boundarySizes.push(SEG * k - 1, SEG * k, SEG * k + 1)

// Deterministic "random" sizes up to 3 MiB from the seed.
const randomSizes = Array.from(randomBytes(12 * 3, SEED)).reduce<number[]>((acc, _b, i, all) => {
  if (i % 3 === 2) acc.push(1 + ((all[i - 2]! << 16) | (all[i - 1]! << 8) | all[i]!) % (3 * 1024 * 1024))
  return acc
}, [])

describe(`differential against @0gfoundation/0g-ts-sdk MemData (seed ${SEED})`, () => {
  let tmp: ReturnType<typeof tempDir>
  before(() => {
    tmp = tempDir()
  })
  after(() => tmp.cleanup())

  test('boundary sizes: same root and submission nodes, in memory', async () => {
    for (const size of boundarySizes) {
      const data = randomBytes(size, SEED + size)
      const ours = treeFromBytes(data)
      const sdk = await sdkTree(data)
      assert.equal(ours.root, sdk.root, `size ${size}: root`)
      assert.deepEqual(ours.nodes, sdk.nodes, `size ${size}: nodes`)
    }
  })

  test('random sizes: same root and nodes, in memory and streamed (1 thread and 2 workers)', async () => {
    assert.equal(randomSizes.length, 12)
    for (const size of randomSizes) {
      const data = randomBytes(size, SEED ^ size)
      const sdk = await sdkTree(data)
      const p = path.join(tmp.dir, `r${size}.bin`)
      fs.writeFileSync(p, data)
      for (const t of [treeFromBytes(data), await computeFileTree(p, {workers: 0}), await computeFileTree(p, {workers: 2, mainThread: false})]) {
        assert.equal(t.root, sdk.root, `size ${size}: root`)
        assert.deepEqual(t.nodes, sdk.nodes, `size ${size}: nodes`)
      }
    }
  })
})
