// Dataset building blocks without a network: format detection, sha256 + row counts, manifest validation and the
// path rules that keep a manifest from writing outside the output directory.
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {ZgError} from '../../src/core/errors.js'
import {checkRelPath, describeFile, detectFormat, parseManifest, scanTree} from '../../src/core/storage/dataset.js'
import {tempDir} from './gen.js'

const enc = (s: string) => new TextEncoder().encode(s)

describe('dataset helpers', () => {
  let tmp: ReturnType<typeof tempDir>
  before(() => {
    tmp = tempDir()
  })
  after(() => tmp.cleanup())

  test('formats from extension, confirmed or found by magic bytes', () => {
    assert.equal(detectFormat('a/b.jsonl', enc('{}')), 'jsonl')
    assert.equal(detectFormat('x.NDJSON', enc('{}')), 'jsonl')
    assert.equal(detectFormat('t.csv', enc('a,b')), 'csv')
    assert.equal(detectFormat('p.parquet', enc('PAR1xxxx')), 'parquet')
    assert.equal(detectFormat('p.parquet', enc('nope')), 'other')
    assert.equal(detectFormat('img', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d])), 'image')
    assert.equal(detectFormat('photo.JPG', new Uint8Array([0xff, 0xd8, 0xff])), 'image')
    assert.equal(detectFormat('README.md', enc('# hi')), 'text')
    assert.equal(detectFormat('blob.bin', new Uint8Array([1, 2, 3])), 'other')
  })

  test('sha256 and row counts in one pass (blank lines, CRLF, no final newline)', async () => {
    const cases: [string, string, number][] = [
      ['a.jsonl', '{"a":1}\n{"a":2}\n\n{"a":3}', 3],
      ['b.jsonl', '{"a":1}\r\n{"a":2}\r\n', 2],
      ['c.csv', 'x,y\n1,2\n3,4\n', 2],
      ['d.csv', 'x,y', 0],
    ]
    for (const [name, text, rows] of cases) {
      const p = path.join(tmp.dir, name)
      fs.writeFileSync(p, text)
      const d = await describeFile({abs: p, rel: name, size: Buffer.byteLength(text)})
      assert.equal(d.rows, rows, name)
      assert.equal(d.sha256, crypto.createHash('sha256').update(text).digest('hex'))
    }
    // Lines that span read chunks (1 MiB) are counted once.
    const big = path.join(tmp.dir, 'big.jsonl')
    const line = '{"k":"' + 'x'.repeat(300_000) + '"}\n'
    fs.writeFileSync(big, line.repeat(7))
    assert.equal((await describeFile({abs: big, rel: 'big.jsonl', size: fs.statSync(big).size})).rows, 7)
  })

  test('scanTree lists regular files sorted, skipping symlinks with a warning', () => {
    const root = path.join(tmp.dir, 'tree')
    fs.mkdirSync(path.join(root, 'b/c'), {recursive: true})
    fs.writeFileSync(path.join(root, 'z.txt'), 'z')
    fs.writeFileSync(path.join(root, 'b/c/a.txt'), 'a')
    fs.writeFileSync(path.join(root, 'a.txt'), 'a')
    fs.symlinkSync('/etc/passwd', path.join(root, 'link'))
    const warnings: string[] = []
    assert.deepEqual(scanTree(root, warnings).map((f) => f.rel), ['a.txt', 'b/c/a.txt', 'z.txt'])
    assert.deepEqual(warnings, ['skipped symlink link'])
  })

  test('unsafe manifest paths are refused', () => {
    for (const p of ['../x', 'a/../../x', '/etc/passwd', 'a//b', './a', 'a\\b', 'C:/x', '', 'a/\0b', 'a/..']) {
      assert.throws(() => checkRelPath(p), (e: unknown) => e instanceof ZgError && e.code === 'UNSAFE_PATH' && e.exit === 2, JSON.stringify(p))
    }
    for (const p of ['a', 'a/b/c.txt', '..a', 'a..b/c', '.hidden']) checkRelPath(p)
  })

  test('parseManifest accepts a manifest and rejects what is not one', () => {
    const root = '0x' + '12'.repeat(32)
    const good = {schema: 'zg-dataset', schemaVersion: 1, name: 'n', fileCount: 1, totalSize: 3, files: [{path: 'a.txt', size: 3, sha256: 'a'.repeat(64), root, format: 'text'}]}
    assert.equal(parseManifest(enc(JSON.stringify(good)), root).name, 'n')
    const bad = (m: unknown) => assert.throws(() => parseManifest(enc(typeof m === 'string' ? m : JSON.stringify(m)), root), (e: unknown) => e instanceof ZgError && (e.code === 'NOT_A_DATASET' || e.code === 'UNSAFE_PATH' || e.code === 'BAD_ROOT'))
    bad('not json')
    bad({...good, schema: 'other'})
    bad({...good, schemaVersion: 99})
    bad({...good, files: [{...good.files[0], path: '../up'}]})
    bad({...good, files: [{...good.files[0], sha256: 'xyz'}]})
    bad({...good, files: [{...good.files[0], root: 'nope'}]})
    bad({...good, files: [good.files[0], good.files[0]]})
  })
})
