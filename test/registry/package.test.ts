import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, describe, test} from 'node:test'
import {isZgError} from '../../src/core/errors.js'
import {formatPackage, loadModelPackage, validatePackage, type AssetPackage} from '../../src/core/registry/package.js'
import {isRefProblem, parseAssetRef, tryParseAssetRef} from '../../src/core/registry/refs.js'
import {compareSemver, explainSemver, isSemver} from '../../src/core/registry/semver.js'
import {checkLicense, SPDX_LICENSE_IDS} from '../../src/core/registry/spdx.js'
import {formatZg, parseZgAmount} from '../../src/core/registry/units.js'

const A = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const B = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const C = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zg-pkg-'))
after(() => fs.rmSync(tmp, {recursive: true, force: true}))

function pkgDir(pkg: unknown, files: Record<string, string> = {'model.gguf': 'weights'}): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'p-'))
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), {recursive: true})
    fs.writeFileSync(path.join(dir, rel), content)
  }
  fs.writeFileSync(path.join(dir, 'zg-model.json'), typeof pkg === 'string' ? pkg : JSON.stringify(pkg, null, 2))
  return dir
}

const good = (): AssetPackage => ({
  schemaVersion: 1,
  name: 'tiny-llm',
  version: '1.0.0',
  format: 'gguf',
  files: ['model.gguf'],
  license: 'Apache-2.0',
  parents: {datasets: ['open-corpus@1.0.0', 7]},
  contributors: [
    {address: A, shareBps: 5000, name: 'alice'},
    {address: B.toLowerCase(), shareBps: 3000},
    {address: C, shareBps: 2000},
  ],
  lineageShareBps: 1500,
})

/** The problems of a package, as "path: message" lines. */
function problemsOf(pkg: unknown, files?: Record<string, string>) {
  const dir = pkgDir(pkg, files)
  try {
    loadModelPackage(dir)
  } catch (e) {
    assert.ok(isZgError(e), String(e))
    assert.equal(e.exit, 2)
    assert.equal(e.code, 'INVALID_PACKAGE')
    return (e.details as {problems: {path: string; message: string; fix: string}[]}).problems
  }
  return []
}

describe('zg-model.json validation', () => {
  test('a good package loads, with checksummed contributors, parents parsed and files found', () => {
    const dir = pkgDir(good(), {'model.gguf': 'weights', 'tok/a.json': '{}', 'tok/b.json': '[]'})
    fs.writeFileSync(path.join(dir, 'zg-model.json'), JSON.stringify({...good(), files: ['model.gguf', 'tok/']}))
    const p = loadModelPackage(dir)
    assert.deepEqual(p.contributors.map((c) => c.address), [A, B, C])
    assert.deepEqual(p.parents.map((x) => [x.kind, x.ref.name ?? x.ref.id?.toString(), x.ref.version, x.path]), [
      ['dataset', 'open-corpus', '1.0.0', 'parents.datasets[0]'],
      ['dataset', '7', undefined, 'parents.datasets[1]'],
    ])
    assert.deepEqual(p.files.map((f) => [f.path, f.size]), [['model.gguf', 7], ['tok/a.json', 2], ['tok/b.json', 2]])
    assert.equal(p.lineageShareBps, 1500)
  })

  test('shares that do not sum to 10000 are refused with the sum and the fix', () => {
    const pkg = good()
    pkg.contributors[2]!.shareBps = 1000
    const [p, ...rest] = problemsOf(pkg)
    assert.equal(rest.length, 0)
    assert.equal(p!.path, 'contributors')
    assert.match(p!.message, /sum to 9000 bps \(5000 \+ 3000 \+ 1000\); they must sum to exactly 10000/)
    assert.match(p!.fix, /Give 1000 more bps/)
    pkg.contributors[2]!.shareBps = 2500
    assert.match(problemsOf(pkg)[0]!.fix, /Take 500 bps away/)
  })

  test('a bad semantic version is refused naming "version" and the corrected spelling', () => {
    const cases: [string, RegExp, RegExp][] = [
      ['1.0', /has 2 numbers/, /Write "1\.0\.0"/],
      ['v1.2.3', /starts with "v"/, /Write "1\.2\.3"/],
      ['01.2.3', /leading zero/, /Write "1\.2\.3"/],
      ['1.0.0-', /ends with "-"/, /1\.0\.0-rc\.1/],
      ['latest', /not a semantic version/, /MAJOR\.MINOR\.PATCH/],
    ]
    for (const [v, msg, fix] of cases) {
      const problems = problemsOf({...good(), version: v})
      assert.equal(problems.length, 1, v)
      assert.equal(problems[0]!.path, 'version')
      assert.match(problems[0]!.message, msg, v)
      assert.match(problems[0]!.fix, fix, v)
    }
  })

  test('an unknown license is refused with the nearest SPDX id or the LicenseRef form', () => {
    const one = (license: string) => {
      const ps = problemsOf({...good(), license})
      assert.equal(ps.length, 1, license)
      assert.equal(ps[0]!.path, 'license')
      return ps[0]!
    }
    assert.match(one('Apache-2').fix, /Did you mean "Apache-2\.0"/)
    assert.match(one('mit').message, /not written in the SPDX id's case/)
    assert.match(one('mit').fix, /Write "MIT"/)
    const weird = one('Llama-3-Community')
    assert.match(weird.message, /"Llama-3-Community" is not a known SPDX license id/)
    assert.match(weird.fix, /LicenseRef-Llama-3-Community/)
    assert.match(one('GPL-3.0').fix, /GPL-3\.0-only/)
    assert.match(one('MIT or Apache-2.0').message, /must be upper case/)
  })

  test('missing files are refused with their path in the package', () => {
    const ps = problemsOf({...good(), files: ['model.gguf', 'tokenizer.json', '../escape.bin']})
    assert.deepEqual(ps.map((p) => p.path), ['files[1]', 'files[2]'])
    assert.match(ps[0]!.message, /"tokenizer\.json" does not exist in /)
    assert.match(ps[1]!.message, /not a relative path inside the package directory/)
  })

  test('schema errors name the JSON path and the fix: required, unknown fields, types, ranges, addresses', () => {
    const pkg = good() as unknown as Record<string, any>
    delete pkg.format
    pkg.licence = 'MIT'
    pkg.contributors[1].shareBps = 30.5
    pkg.contributors[2].address = '0x1234'
    pkg.contributors.push({address: A, shareBps: 0})
    pkg.parents.datasets.push('bad name!')
    const ps = problemsOf(pkg)
    const by = new Map(ps.map((p) => [p.path, p]))
    assert.match(by.get('format')!.message, /"format" is required/)
    assert.match(by.get('format')!.fix, /"gguf", "safetensors", "onnx", "pytorch", "other"/)
    assert.match(by.get('licence')!.message, /unknown field "licence"/)
    assert.match(by.get('licence')!.fix, /Did you mean "license"/)
    assert.match(by.get('contributors[1].shareBps')!.message, /must be an integer, not number 30\.5/)
    assert.match(by.get('contributors[2].address')!.message, /"0x1234" is not an address/)
    assert.match(by.get('contributors[3].shareBps')!.message, /out of range/)
    assert.match(by.get('contributors[3].address')!.message, /repeats contributors\[0\]/)
    assert.match(by.get('parents.datasets[2]')!.message, /not a valid asset name/)
  })

  test('a wrong EIP-55 checksum and the zero address are refused', () => {
    const pkg = good()
    pkg.contributors[0]!.address = A.replace('f39F', 'F39F')
    pkg.contributors[1]!.address = '0x' + '0'.repeat(40)
    const ps = problemsOf(pkg)
    assert.deepEqual(ps.map((p) => p.path), ['contributors[0].address', 'contributors[1].address'])
    assert.match(ps[0]!.message, /checksum/)
    assert.match(ps[1]!.message, /zero address/)
  })

  test('invalid JSON and a missing package are reported with the right exit codes', () => {
    assert.deepEqual(problemsOf('{"name": "x",}').map((p) => p.path), ['(root)'])
    const empty = fs.mkdtempSync(path.join(tmp, 'e-'))
    assert.throws(() => loadModelPackage(empty), (e: unknown) => isZgError(e) && e.exit === 3 && e.code === 'PACKAGE_NOT_FOUND')
  })

  test('the error message lists every problem, one per line, with its fix', () => {
    const dir = pkgDir({...good(), version: '1.0', license: 'Apache 2.0', files: ['nope.bin']})
    assert.throws(
      () => loadModelPackage(dir),
      (e: unknown) => {
        assert.ok(isZgError(e))
        const lines = e.message.split('\n')
        assert.match(lines[0]!, /zg-model\.json is invalid \(3 problems\); nothing was uploaded:/)
        assert.match(e.message, /  version: "1\.0" has 2 numbers.*Fix: Write "1\.0\.0"\./)
        assert.match(e.message, /  license: "Apache 2\.0" is not an SPDX license id\. Fix: Did you mean "Apache-2\.0"\?/)
        assert.match(e.message, /  files\[0\]: "nope\.bin" does not exist/)
        return true
      },
    )
  })

  test('datasets: the same metadata rules without format or files', () => {
    const {problems, checked} = validatePackage({name: 'open-corpus', version: '1.0.0', license: 'CC-BY-4.0', contributors: [{address: A, shareBps: 10000}]}, {kind: 'dataset'})
    assert.deepEqual(problems, [])
    assert.equal(checked!.lineageShareBps, 0)
    const bad = validatePackage({name: 'open-corpus', version: '1.0.0', license: 'CC-BY-4.0', format: 'gguf', contributors: [{address: A, shareBps: 10000}]}, {kind: 'dataset'})
    assert.deepEqual(bad.problems.map((p) => p.path), ['format'])
  })

  test('formatPackage writes a stable key order that validates again', () => {
    const text = formatPackage({contributors: [{address: A, shareBps: 10000}], license: 'MIT', files: ['model.gguf'], format: 'gguf', version: '0.1.0', name: 'x', schemaVersion: 1})
    assert.deepEqual(Object.keys(JSON.parse(text)), ['schemaVersion', 'name', 'version', 'format', 'files', 'license', 'contributors'])
    assert.ok(text.endsWith('}\n'))
    assert.deepEqual(problemsOf(text), [])
  })
})

describe('semver', () => {
  test('valid and invalid versions (semver.org grammar, 64 characters at most)', () => {
    for (const v of ['0.0.0', '1.2.3', '10.20.30', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-0.3.7', '1.0.0-x.7.z.92', '1.0.0+20130313144700', '1.0.0-beta+exp.sha.5114f85', '1.0.0-rc.1+build.1']) {
      assert.ok(isSemver(v), v)
      assert.equal(explainSemver(v), undefined)
    }
    for (const v of ['1', '1.2', '1.2.3.4', '01.2.3', '1.02.3', '1.2.3-', '1.2.3+', '1.2.3-01', '1.2.3-a..b', 'v1.2.3', ' 1.2.3', '1.2.3-a_b', `1.0.0-${'a'.repeat(60)}`]) {
      assert.ok(!isSemver(v), v)
      assert.ok(explainSemver(v), v)
    }
  })

  test('precedence follows semver.org §11', () => {
    const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.1.0', '2.0.0']
    for (let i = 0; i + 1 < ordered.length; i++) {
      assert.equal(compareSemver(ordered[i]!, ordered[i + 1]!), -1, `${ordered[i]} < ${ordered[i + 1]}`)
      assert.equal(compareSemver(ordered[i + 1]!, ordered[i]!), 1)
    }
    assert.equal(compareSemver('1.0.0+a', '1.0.0+b'), 0)
  })
})

describe('SPDX expressions', () => {
  test('ids, compound expressions, WITH exceptions and LicenseRef are accepted', () => {
    for (const l of ['MIT', 'Apache-2.0', 'CC-BY-4.0', 'MIT OR Apache-2.0', '(MIT OR Apache-2.0) AND CC-BY-SA-4.0', 'GPL-2.0-or-later WITH Classpath-exception-2.0', 'MPL-2.0+', 'LicenseRef-llama3', 'CDLA-Permissive-2.0']) {
      assert.equal(checkLicense(l), undefined, l)
    }
    assert.ok(SPDX_LICENSE_IDS.length > 60)
  })

  test('malformed expressions say what is wrong', () => {
    assert.match(checkLicense('')!.message, /empty/)
    assert.match(checkLicense('MIT AND')!.message, /ends too early/)
    assert.match(checkLicense('(MIT OR Apache-2.0')!.message, /unclosed/)
    assert.match(checkLicense('MIT Apache-2.0')!.message, /unexpected "Apache-2.0"/)
    assert.match(checkLicense('GPL-2.0-only WITH Nope')!.message, /not a known SPDX license exception/)
    assert.match(checkLicense('LicenseRef-a b')!.message, /unexpected "b"/)
  })
})

describe('asset references (name@version everywhere)', () => {
  test('ids, names, owner/name, versions and latest', () => {
    assert.deepEqual(parseAssetRef('12'), {raw: '12', id: 12n, version: undefined})
    assert.deepEqual(parseAssetRef('#12@1.0.0'), {raw: '#12@1.0.0', id: 12n, version: '1.0.0'})
    assert.deepEqual(parseAssetRef('tiny-llm'), {raw: 'tiny-llm', name: 'tiny-llm', version: undefined})
    assert.deepEqual(parseAssetRef('tiny-llm@latest'), {raw: 'tiny-llm@latest', name: 'tiny-llm', version: undefined})
    assert.deepEqual(parseAssetRef(`${A}/tiny-llm@2.0.0-rc.1`), {raw: `${A}/tiny-llm@2.0.0-rc.1`, owner: A, name: 'tiny-llm', version: '2.0.0-rc.1'})
    assert.deepEqual(parseAssetRef(7), {raw: '7', id: 7n})
  })

  test('malformed references are usage errors with the fix', () => {
    for (const [ref, msg] of [['tiny-llm@1.0', /has 2 numbers/], ['0', /not a positive integer/], ['0x12/name', /not an owner address/], ['a b', /not a valid asset name/], ['x@', /no version/]] as const) {
      const r = tryParseAssetRef(ref)
      assert.ok(isRefProblem(r), ref)
      assert.match(r.message, msg, ref)
      assert.throws(() => parseAssetRef(ref), (e: unknown) => isZgError(e) && e.exit === 2 && e.code === 'INVALID_ASSET_REF')
    }
  })
})

describe('0G amounts', () => {
  test('format and parse', () => {
    assert.equal(formatZg(1_500_000_000_000_000_000n), '1.5 0G')
    assert.equal(formatZg('7'), '0.000000000000000007 0G')
    assert.equal(formatZg(0n), '0 0G')
    assert.equal(parseZgAmount('1.5'), 1_500_000_000_000_000_000n)
    assert.equal(parseZgAmount('.25'), 250_000_000_000_000_000n)
    for (const bad of ['0', '-1', 'abc', '1.0000000000000000001', '']) assert.throws(() => parseZgAmount(bad), (e: unknown) => isZgError(e) && e.exit === 2, bad)
  })
})
