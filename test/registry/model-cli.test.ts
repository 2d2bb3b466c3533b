/**
 * Models and datasets as community-owned assets, end to end on a devnet through the CLI (issue 6, "Must be shown"):
 * a dataset and a model trained on it with three contributors are published; the model is paid; the model's and the
 * dataset's contributors withdraw exactly their shares; a second version keeps the history (and does not pay again
 * for unchanged files); downloads are verified; bad packages are refused with precise messages and nothing uploaded.
 */
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {Interface, JsonRpcProvider} from 'ethers'
import {sendContract} from '../../src/core/chain/send.js'
import {devWallet} from '../../src/core/keys/dev-accounts.js'
import {getNetwork} from '../../src/core/networks.js'
import {listEntries} from '../../src/core/storage/journal.js'
import {loadArtifact} from '../../src/devnet/deploy.js'
import {registerSecret} from '../helpers/capture.js'
import {envelope, runZg} from '../helpers/cli.js'
import {startTestDevnet} from '../helpers/devnet.js'

const dev = (i: number) => devWallet(i)
for (let i = 0; i < 10; i++) registerSecret(dev(i).privateKey)
const addr = (i: number) => dev(i).address
const sha = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex')

describe('zg model / zg dataset publish end to end on the devnet', {timeout: 600_000}, () => {
  let net: Awaited<ReturnType<typeof startTestDevnet>>
  let provider: JsonRpcProvider
  let work: string
  const zg = (args: string[]) => runZg(args, {env: net.env, timeoutMs: 180_000})
  const ok = async (args: string[]) => {
    const r = await zg([...args, '--json'])
    assert.equal(r.code, 0, `zg ${args.join(' ')} failed: ${r.stdout}\n${r.stderr}`)
    const e = envelope(r)
    assert.equal(e.ok, true)
    return e.data
  }
  const fails = async (args: string[], exit: number, code: string) => {
    const r = await zg([...args, '--json'])
    assert.equal(r.code, exit, `zg ${args.join(' ')}: expected exit ${exit}, got ${r.code}: ${r.stdout}\n${r.stderr}`)
    const e = envelope(r)
    assert.equal(e.ok, false)
    assert.equal(e.error.code, code, e.error.message)
    return e.error as {message: string; suggestions: string[]; details?: any}
  }
  const write = (rel: string, content: string | Buffer) => {
    const p = path.join(work, rel)
    fs.mkdirSync(path.dirname(p), {recursive: true})
    fs.writeFileSync(p, content)
    return p
  }

  // dev1 owns the dataset (contributors dev1 60%, dev2 40%); dev3 owns the model (dev3 50%, dev4 30%, dev5 20%) and
  // passes 15% of every payment up to the dataset; dev8 pays; dev6 tries the broken packages.
  const weights1 = crypto.randomBytes(300_000)
  const weights2 = crypto.randomBytes(300_000)
  const tokenizer = JSON.stringify({vocab: ['a', 'b', 'c']})
  let datasetId: string
  let modelId: string
  let v1: any

  before(async () => {
    net = await startTestDevnet()
    provider = new JsonRpcProvider(net.rpcUrl, undefined, {staticNetwork: true, pollingInterval: 50})
    work = path.join(net.home.dataDir, '..', 'work')
    write('corpus/train.jsonl', '{"text":"the cat sat"}\n{"text":"on the mat"}\n')
    write('corpus/notes/README.md', '# open corpus\n')
    write('tiny-llm/model.gguf', weights1)
    write('tiny-llm/tokenizer.json', tokenizer)
  })

  after(async () => {
    provider?.destroy()
    await net?.stop()
  })

  test('publish a dataset, then a model trained on it with three contributors', async () => {
    const d = await ok(['dataset', 'publish', path.join(work, 'corpus'), '--name', 'open-corpus', '--dataset-version', '1.0.0', '--license', 'CC-BY-4.0', '--contributor', 'dev1:6000:alice', '--contributor', `${addr(2)}:4000`, '--account', 'dev1'])
    assert.equal(d.kind, 'dataset')
    assert.equal(d.newAsset, true)
    assert.deepEqual(d.contributors.map((c: any) => [c.address, c.shareBps]), [[addr(1), 6000], [addr(2), 4000]])
    assert.equal(d.fileCount, 2)
    datasetId = d.assetId

    const init = await ok(['model', 'init', '--dir', path.join(work, 'tiny-llm'), '--name', 'tiny-llm', '--description', 'a very small model', '--license', 'Apache-2.0', '--parent-dataset', 'open-corpus@1.0.0', '--contributor', 'dev3:5000:trainer', '--contributor', 'dev4:3000', '--contributor', `${addr(5)}:2000`, '--lineage-share', '1500'])
    assert.equal(init.package.format, 'gguf', 'detected from model.gguf')
    assert.deepEqual(init.package.files, ['model.gguf', 'tokenizer.json'])

    // The dry run checks and quotes, and sends nothing.
    const nonce = await provider.getTransactionCount(addr(3))
    const dry = await ok(['model', 'publish', path.join(work, 'tiny-llm'), '--dry-run', '--account', 'dev3'])
    assert.equal(dry.dryRun, true)
    assert.ok(BigInt(dry.storageFeeToPay) > 0n)
    assert.ok(Number(dry.gas) > 0)
    assert.equal(await provider.getTransactionCount(addr(3)), nonce)

    v1 = await ok(['model', 'publish', path.join(work, 'tiny-llm'), '--account', 'dev3'])
    assert.equal(v1.newAsset, true)
    assert.equal(v1.manifestRoot, dry.manifestRoot, 'the dry run predicts the manifest root')
    assert.equal(v1.storageFeePaidNow, dry.storageFeeToPay, 'and the fee')
    assert.deepEqual(v1.files.map((f: any) => [f.path, f.size, f.sha256]), [['model.gguf', weights1.length, sha(weights1)], ['tokenizer.json', tokenizer.length, sha(tokenizer)]])
    assert.deepEqual(v1.parents.map((p: any) => [p.id, p.kind, p.name, p.version]), [[datasetId, 'dataset', 'open-corpus', '1.0.0']])
    modelId = v1.assetId

    const show = await ok(['model', 'show', 'tiny-llm@1.0.0'])
    assert.equal(show.id, modelId)
    assert.equal(show.lineageBps, 1500)
    assert.deepEqual(show.contributors.map((c: any) => [c.account, c.shareBps]), [[addr(3), 5000], [addr(4), 3000], [addr(5), 2000]])
    assert.deepEqual(show.lineage, {id: modelId, kind: 'model', name: 'tiny-llm', owner: addr(3), version: '1.0.0', lineageBps: 1500, parents: [{id: datasetId, kind: 'dataset', name: 'open-corpus', owner: addr(1), version: '1.0.0', lineageBps: 0, parents: []}]})
    const list = await ok(['model', 'list', '--kind', 'all'])
    assert.deepEqual(list.assets.map((a: any) => [a.id, a.kind, a.name, a.latestVersion]), [[datasetId, 'dataset', 'open-corpus', '1.0.0'], [modelId, 'model', 'tiny-llm', '1.0.0']])
    assert.deepEqual((await ok(['model', 'list', '--owner', 'dev3'])).assets.map((a: any) => a.name), ['tiny-llm'])
    assert.deepEqual((await ok(['model', 'list', '--owner', 'dev1'])).assets, [], 'models only by default')
  })

  test('paying the model credits both generations; every contributor withdraws exactly its share', async () => {
    const amount = 1_000_000_000_000_000_007n // odd on purpose: integer division leaves dust
    const paid = await ok(['model', 'pay', 'tiny-llm', '--amount', '1.000000000000000007', '--account', 'dev8', '--yes'])
    assert.equal(paid.amount, amount.toString())

    // The contract's arithmetic, done independently: 15% to the parent's contributors, the rest to the model's,
    // the rounding remainder to the model's first contributor.
    const lineage = (amount * 1500n) / 10000n
    const own = amount - lineage
    const expected = new Map<string, bigint>([
      [addr(1), (lineage * 6000n) / 10000n],
      [addr(2), (lineage * 4000n) / 10000n],
      [addr(3), (own * 5000n) / 10000n],
      [addr(4), (own * 3000n) / 10000n],
      [addr(5), (own * 2000n) / 10000n],
    ])
    const dust = amount - [...expected.values()].reduce((a, b) => a + b)
    assert.ok(dust > 0n)
    expected.set(addr(3), expected.get(addr(3))! + dust)
    assert.equal([...expected.values()].reduce((a, b) => a + b), amount, 'no wei lost')

    const show = await ok(['model', 'show', modelId])
    assert.equal(show.earnings.totalPaid, amount.toString())
    assert.equal(show.earnings.passedToParents, (expected.get(addr(1))! + expected.get(addr(2))!).toString())
    const ds = await ok(['model', 'show', 'open-corpus'])
    assert.deepEqual(ds.contributors.map((c: any) => c.earned), [expected.get(addr(1))!.toString(), expected.get(addr(2))!.toString()])

    for (const [i, account] of [1, 2, 3, 4, 5].map((i) => [i, addr(i)] as const)) {
      const e = await ok(['model', 'earnings', '--address', `dev${i}`])
      assert.equal(e.withdrawable, expected.get(account)!.toString(), `dev${i} earnings`)
      const before = await provider.getBalance(account)
      const w = await ok(['model', 'withdraw', '--account', `dev${i}`])
      assert.equal(w.amount, expected.get(account)!.toString(), `dev${i} withdraws its share`)
      assert.equal((await provider.getBalance(account)) - before, expected.get(account)! - BigInt(w.fee), `dev${i} balance`)
      const again = await fails(['model', 'withdraw', '--account', `dev${i}`], 3, 'NOTHING_TO_WITHDRAW')
      assert.match(again.message, /nothing to withdraw/)
    }
    const after = await ok(['model', 'earnings', '--account', 'dev1'])
    assert.equal(after.withdrawable, '0')
    assert.equal(after.withdrawn, expected.get(addr(1))!.toString())
    assert.deepEqual(after.byAsset.map((b: any) => [b.sourceAssetId, b.paidAssetId, b.amount]), [[datasetId, modelId, expected.get(addr(1))!.toString()]])
  })

  test('a second version keeps the history and does not pay again for unchanged files', async () => {
    write('tiny-llm/model.gguf', weights2)
    const pkgFile = path.join(work, 'tiny-llm', 'zg-model.json')
    const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'))
    fs.writeFileSync(pkgFile, JSON.stringify({...pkg, version: '1.1.0'}, null, 2))
    const v2 = await ok(['model', 'publish', path.join(work, 'tiny-llm'), '--account', 'dev3'])
    assert.equal(v2.newAsset, false)
    assert.equal(v2.assetId, modelId)
    assert.equal(v2.versionIndex, 1)
    const byPath = new Map(v2.files.map((f: any) => [f.path, f]))
    assert.equal((byPath.get('tokenizer.json') as any).reused, true)
    assert.equal((byPath.get('tokenizer.json') as any).paidNow, false)
    assert.equal((byPath.get('model.gguf') as any).paidNow, true)
    assert.ok(BigInt(v2.storageFeePaidNow) < BigInt(v1.storageFeePaidNow))

    const versions = await ok(['model', 'versions', 'tiny-llm'])
    assert.deepEqual(versions.versions.map((v: any) => [v.index, v.version, v.manifestRoot, v.latest]), [[0, '1.0.0', v1.manifestRoot, false], [1, '1.1.0', v2.manifestRoot, true]])
    assert.equal((await ok(['model', 'show', 'tiny-llm'])).version.version, '1.1.0', 'no version = the latest')

    // Publishing the same version again is refused before anything is uploaded.
    const again = await fails(['model', 'publish', path.join(work, 'tiny-llm'), '--account', 'dev3'], 2, 'VERSION_EXISTS')
    assert.match(again.message, /tiny-llm@1\.1\.0 is already published/)
  })

  test('downloads are verified against the manifest, old versions included', async () => {
    const d1 = await ok(['model', 'download', 'tiny-llm@1.0.0', '--out', path.join(work, 'dl-1.0.0')])
    assert.equal(d1.verified, true)
    assert.deepEqual(fs.readFileSync(path.join(work, 'dl-1.0.0', 'model.gguf')), weights1)
    assert.equal(fs.readFileSync(path.join(work, 'dl-1.0.0', 'tokenizer.json'), 'utf8'), tokenizer)
    const d2 = await ok(['model', 'download', `${addr(3)}/tiny-llm@1.1.0`, '--out', path.join(work, 'dl-1.1.0')])
    assert.equal(d2.version, '1.1.0')
    assert.deepEqual(fs.readFileSync(path.join(work, 'dl-1.1.0', 'model.gguf')), weights2)
    await fails(['model', 'download', 'tiny-llm@1.0.0', '--out', path.join(work, 'dl-1.0.0')], 2, 'OUTPUT_EXISTS')
    const ds = await ok(['model', 'download', `${datasetId}@1.0.0`, '--out', path.join(work, 'dl-corpus')])
    assert.equal(ds.kind, 'dataset')
    assert.equal(fs.readFileSync(path.join(work, 'dl-corpus', 'notes', 'README.md'), 'utf8'), '# open corpus\n')

    // A version whose manifest lies about a file's sha256 (registered straight on the contract): the download
    // verifies the 0G root, then refuses the file and leaves nothing of it behind.
    const lying = JSON.parse(fs.readFileSync(path.join(work, 'tiny-llm', 'zg-model.json'), 'utf8'))
    const weightsRoot = (await ok(['storage', 'root', path.join(work, 'tiny-llm', 'model.gguf')])).root
    const manifest = {
      schema: 'zg-model', schemaVersion: 1, name: 'tiny-llm', version: '1.2.0', format: 'gguf', license: lying.license, fileCount: 1, totalSize: weights2.length,
      files: [{path: 'model.gguf', size: weights2.length, sha256: sha(weights1), root: weightsRoot}],
      parents: [], contributors: [{address: addr(3), shareBps: 10000}], lineageShareBps: 0,
    }
    const up = await ok(['storage', 'upload', write('lying-manifest.json', JSON.stringify(manifest)), '--account', 'dev3'])
    const network = getNetwork('local', net.env)
    const registry = {address: network.contracts.registry!, iface: new Interface(loadArtifact('AssetRegistry').abi as never), name: 'AssetRegistry'}
    await sendContract(dev(3).connect(provider), provider, registry, 'publishVersion', [BigInt(modelId), {version: '1.2.0', manifestRoot: up.root, license: lying.license, contributors: [{account: addr(3), shareBps: 10000}], parents: []}], {env: net.env})
    const bad = await fails(['model', 'download', 'tiny-llm@1.2.0', '--out', path.join(work, 'dl-lying')], 5, 'SHA256_MISMATCH')
    assert.match(bad.message, /model\.gguf: sha256 [0-9a-f]{64} differs from the manifest's/)
    assert.equal(fs.existsSync(path.join(work, 'dl-lying', 'model.gguf')), false)
  })

  test('bad packages are refused with precise messages, and nothing is uploaded or paid', async () => {
    const journalBefore = listEntries(net.env).length
    const nonceBefore = await provider.getTransactionCount(addr(6))
    write('bad/model.gguf', 'weights')
    const base = {
      schemaVersion: 1,
      name: 'bad-model',
      version: '1.0.0',
      format: 'gguf',
      files: ['model.gguf'],
      license: 'MIT',
      parents: {datasets: ['open-corpus@1.0.0']},
      contributors: [{address: addr(6), shareBps: 6000}, {address: addr(7), shareBps: 4000}],
    }
    const attempt = async (change: Record<string, unknown>, exit: number, code: string) => {
      write('bad/zg-model.json', JSON.stringify({...base, ...change}, null, 2))
      return fails(['model', 'publish', path.join(work, 'bad'), '--account', 'dev6'], exit, code)
    }
    const problems = (e: {details?: any}) => e.details.problems.map((p: any) => `${p.path}: ${p.message}. Fix: ${p.fix}`)

    const shares = await attempt({contributors: [{address: addr(6), shareBps: 6000}, {address: addr(7), shareBps: 3000}]}, 2, 'INVALID_PACKAGE')
    assert.deepEqual(problems(shares), ['contributors: the shares sum to 9000 bps (6000 + 3000); they must sum to exactly 10000 bps (100%). Fix: Give 1000 more bps to the contributors (e.g. set contributors[0].shareBps to 7000).'])
    assert.match(shares.message, /zg-model\.json is invalid \(1 problem\); nothing was uploaded/)

    const semver = await attempt({version: '1.0'}, 2, 'INVALID_PACKAGE')
    assert.deepEqual(problems(semver), ['version: "1.0" has 2 numbers; a semantic version has three (MAJOR.MINOR.PATCH). Fix: Write "1.0.0".'])

    const license = await attempt({license: 'Apache-2.1'}, 2, 'INVALID_PACKAGE')
    assert.equal(license.details.problems[0].path, 'license')
    assert.match(license.details.problems[0].message, /"Apache-2\.1" is not a known SPDX license id/)
    assert.match(license.details.problems[0].fix, /Did you mean "Apache-2\.0"\?/)

    const missing = await attempt({files: ['model.gguf', 'weights/shard-2.safetensors']}, 2, 'INVALID_PACKAGE')
    assert.equal(missing.details.problems[0].path, 'files[1]')
    assert.match(missing.details.problems[0].message, /"weights\/shard-2\.safetensors" does not exist in /)

    const parent = await attempt({parents: {datasets: ['open-corpus@1.0.0', 'no-such-corpus@2.0.0'], models: [Number(datasetId)]}}, 3, 'UNKNOWN_PARENT')
    assert.deepEqual(parent.details.problems.map((p: any) => p.path), ['parents.datasets[1]', 'parents.models[0]'])
    assert.match(parent.details.problems[0].message, /unknown parent: No asset called no-such-corpus/)
    assert.match(parent.details.problems[1].message, /^\d+ is a dataset \(asset \d+\), not a model$/)
    const unknownVersion = await attempt({parents: {datasets: ['open-corpus@3.0.0']}}, 3, 'UNKNOWN_PARENT')
    assert.match(unknownVersion.details.problems[0].message, /has no version 3\.0\.0/)
    assert.match(unknownVersion.details.problems[0].fix, /Published versions: 1\.0\.0/)

    // The same rules for datasets, from flags.
    const ds = await fails(['dataset', 'publish', path.join(work, 'corpus'), '--dataset-version', 'v2', '--license', 'CC-BY-4.0', '--contributor', 'dev6:10000', '--account', 'dev6'], 2, 'INVALID_PACKAGE')
    assert.match(ds.message, /version: "v2" is not a semantic version/)

    assert.equal(listEntries(net.env).length, journalBefore, 'nothing was uploaded')
    assert.equal(await provider.getTransactionCount(addr(6)), nonceBefore, 'no transaction was sent')
  })
})
