// The WebAssembly Keccak kernels behind src/core/storage/keccak.ts: every entry point against ethers' keccak256
// (an independent implementation), batch and memory-growth edges, and the committed module against its source.
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import path from 'node:path'
import {describe, test} from 'node:test'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {getBytes, keccak256 as ethersKeccak} from 'ethers'
import {KERNELS_INPUTS_HASH, KERNELS_WASM_BASE64} from '../../src/core/storage/kernels-wasm.js'
import {hashChunksInto, hashPair, keccak256, reduceLevelInPlace, toHex} from '../../src/core/storage/keccak.js'

// dist/test/storage/ → package root
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const ref = (b: Uint8Array) => getBytes(ethersKeccak(b))

describe('WASM keccak kernels', () => {
  test('keccak256 equals ethers for every length 0..600 and around multiples of the 136-byte rate', () => {
    const lengths = [...Array.from({length: 601}, (_, i) => i), 1087, 1088, 1089, 4095, 4096, 65_536 + 7]
    for (const len of lengths) {
      const d = crypto.randomBytes(len)
      assert.equal(toHex(keccak256(d)), ethersKeccak(d), `length ${len}`)
    }
    // Known answer: keccak256("") as every Ethereum library has it.
    assert.equal(toHex(keccak256(new Uint8Array(0))), '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470')
  })

  test('an input larger than the module memory grows it, and later small inputs still hash right', () => {
    const big = crypto.randomBytes(5 * 1024 * 1024 + 13)
    assert.equal(toHex(keccak256(big)), ethersKeccak(big))
    const small = crypto.randomBytes(40)
    assert.equal(toHex(keccak256(small)), ethersKeccak(small))
  })

  test('hashChunksInto hashes each 256-byte chunk (SIMD pairs and a scalar odd one), across batch boundaries and at an output offset', () => {
    for (const count of [1, 2, 3, 1023, 1024, 4096, 4097, 9000]) {
      const data = crypto.randomBytes(count * 256 + 100) // trailing bytes beyond `count` chunks are ignored
      const out = new Uint8Array(64 + count * 32).fill(0xee)
      hashChunksInto(data, count, out, 64)
      assert.ok(out.subarray(0, 64).every((b) => b === 0xee), 'bytes before the offset untouched')
      for (const i of new Set([0, 1, Math.floor(count / 2), count - 1].filter((i) => i < count))) {
        assert.deepEqual(out.subarray(64 + i * 32, 96 + i * 32), ref(data.subarray(i * 256, i * 256 + 256)), `count ${count}, chunk ${i}`)
      }
    }
  })

  test('reduceLevelInPlace pairs left to right and carries an odd last hash up unchanged', () => {
    for (const n of [1, 2, 3, 4, 5, 6, 7, 1023, 1024]) {
      const level = crypto.randomBytes(n * 32)
      const expected: Uint8Array[] = []
      for (let i = 0; i + 1 < n; i += 2) expected.push(ref(level.subarray(i * 32, i * 32 + 64)))
      if (n % 2) expected.push(new Uint8Array(level.subarray((n - 1) * 32, n * 32)))
      const buf = new Uint8Array(level)
      const next = reduceLevelInPlace(buf, n)
      assert.equal(next, expected.length)
      for (let i = 0; i < next; i++) assert.deepEqual(buf.subarray(i * 32, i * 32 + 32), expected[i], `n ${n}, parent ${i}`)
    }
  })

  test('hashPair is keccak256(left ‖ right) and returns a fresh array each time', () => {
    const a = crypto.randomBytes(32)
    const b = crypto.randomBytes(32)
    const h1 = hashPair(a, b)
    const h2 = hashPair(b, a)
    assert.deepEqual(h1, ref(Buffer.concat([a, b])))
    assert.deepEqual(h2, ref(Buffer.concat([b, a])))
    assert.notDeepEqual(h1, h2)
  })

  test('the committed module is the one its AssemblyScript source compiles to', async () => {
    const build = await import(pathToFileURL(path.join(root, 'scripts', 'build-wasm.mjs')).href)
    assert.equal(KERNELS_INPUTS_HASH, build.inputsHash(), 'wasm/kernels.ts, the compiler or its flags changed: run node scripts/build-wasm.mjs')
    const wasm: Buffer = await build.compile()
    assert.equal(wasm.toString('base64'), KERNELS_WASM_BASE64, 'the compiled module differs from src/core/storage/kernels-wasm.ts: run node scripts/build-wasm.mjs')
  })
})
