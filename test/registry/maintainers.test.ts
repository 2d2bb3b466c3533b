/**
 * Maintainers (issue 6: new versions are published "by the owner (or maintainers it appoints)"): the owner appoints
 * an account, which publishes a version of the owner's model with --owner; the owner stays the owner; after removal
 * the same publish is refused (exit 4) before anything is uploaded; only the owner appoints.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {JsonRpcProvider} from 'ethers'
import {devWallet} from '../../src/core/keys/dev-accounts.js'
import {listEntries} from '../../src/core/storage/journal.js'
import {registerSecret} from '../helpers/capture.js'
import {envelope, runZg} from '../helpers/cli.js'
import {startTestDevnet} from '../helpers/devnet.js'

for (let i = 0; i < 10; i++) registerSecret(devWallet(i).privateKey)
const addr = (i: number) => devWallet(i).address

describe('zg model maintainer on the devnet', {timeout: 600_000}, () => {
  let net: Awaited<ReturnType<typeof startTestDevnet>>
  let provider: JsonRpcProvider
  let dir: string
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
  const pkg = (version: string) =>
    fs.writeFileSync(
      path.join(dir, 'zg-model.json'),
      JSON.stringify({schemaVersion: 1, name: 'shared-llm', version, format: 'gguf', files: ['model.gguf'], license: 'MIT', contributors: [{address: addr(3), shareBps: 10000}]}, null, 2),
    )
  /** Publishing as dev2 under dev3's name must be refused before any upload or transaction. */
  const refused = async (version: string) => {
    pkg(version)
    const journal = listEntries(net.env).length
    const nonce = await provider.getTransactionCount(addr(2))
    const e = await fails(['model', 'publish', dir, '--owner', 'dev3', '--account', 'dev2'], 4, 'NOT_PUBLISHER')
    assert.match(e.message, new RegExp(`${addr(2)} may not publish versions of model shared-llm`))
    assert.equal(listEntries(net.env).length, journal, 'nothing was uploaded')
    assert.equal(await provider.getTransactionCount(addr(2)), nonce, 'no transaction was sent')
    return e
  }

  before(async () => {
    net = await startTestDevnet()
    provider = new JsonRpcProvider(net.rpcUrl, undefined, {staticNetwork: true, pollingInterval: 50})
    dir = path.join(net.home.dataDir, '..', 'work', 'shared-llm')
    fs.mkdirSync(dir, {recursive: true})
    fs.writeFileSync(path.join(dir, 'model.gguf'), 'weights v1')
  })

  after(async () => {
    provider?.destroy()
    await net?.stop()
  })

  test('the owner appoints a maintainer, which publishes a version under the owner; removal revokes it', async () => {
    pkg('1.0.0')
    const v1 = await ok(['model', 'publish', dir, '--account', 'dev3'])
    assert.equal(v1.owner, addr(3))
    assert.equal(v1.publisher, addr(3))
    const id = v1.assetId

    // Not yet a maintainer: refused before anything is uploaded, with the fix.
    const before = await refused('1.1.0')
    assert.match(before.suggestions[0]!, /zg model maintainer add \d+ --address 0x/)

    // Only the owner appoints.
    const stranger = await fails(['model', 'maintainer', 'add', id, '--address', 'dev2', '--account', 'dev2'], 4, 'NOT_ASSET_OWNER')
    assert.match(stranger.message, /only its owner .* can appoint maintainers/)
    assert.deepEqual((await ok(['model', 'maintainer', 'list', id])).maintainers, [])

    const added = await ok(['model', 'maintainer', 'add', 'shared-llm', '--address', 'dev2', '--account', 'dev3'])
    assert.equal(added.changed, true)
    assert.match(added.txHash, /^0x[0-9a-f]{64}$/)
    assert.deepEqual(added.maintainers, [addr(2)])
    const again = await ok(['model', 'maintainer', 'add', id, '--address', addr(2), '--account', 'dev3'])
    assert.equal(again.changed, false, 'appointing twice sends nothing')
    assert.equal(again.txHash, null)
    assert.deepEqual((await ok(['model', 'maintainer', 'list', `${addr(3)}/shared-llm`])).maintainers, [addr(2)])
    assert.deepEqual((await ok(['model', 'show', 'shared-llm'])).maintainers, [addr(2)])

    // The maintainer publishes 1.1.0 of the owner's model.
    fs.writeFileSync(path.join(dir, 'model.gguf'), 'weights v2')
    pkg('1.1.0')
    const v2 = await ok(['model', 'publish', dir, '--owner', 'dev3', '--account', 'dev2'])
    assert.equal(v2.newAsset, false)
    assert.equal(v2.assetId, id)
    assert.equal(v2.versionIndex, 1)
    assert.equal(v2.owner, addr(3))
    assert.equal(v2.publisher, addr(2))
    const versions = await ok(['model', 'versions', 'shared-llm'])
    assert.equal(versions.owner, addr(3), 'the owner is unchanged')
    assert.deepEqual(versions.versions.map((v: any) => [v.version, v.publisher]), [['1.0.0', addr(3)], ['1.1.0', addr(2)]])
    const show = await ok(['model', 'show', 'shared-llm'])
    assert.equal(show.owner, addr(3))
    assert.equal(show.version.version, '1.1.0')
    assert.equal(show.version.publisher, addr(2))

    // Removed: the same publish is refused again, before any upload.
    const stranger2 = await fails(['model', 'maintainer', 'remove', id, '--address', 'dev2', '--account', 'dev2'], 4, 'NOT_ASSET_OWNER')
    assert.match(stranger2.message, /can remove maintainers/)
    const removed = await ok(['model', 'maintainer', 'remove', id, '--address', 'dev2', '--account', 'dev3'])
    assert.equal(removed.changed, true)
    assert.deepEqual(removed.maintainers, [])
    await refused('1.2.0')
    assert.equal((await ok(['model', 'versions', id])).versions.length, 2)

    // A maintainer adds versions; it cannot create an asset under someone else's name.
    const none = await fails(['dataset', 'publish', dir, '--name', 'no-such-set', '--dataset-version', '1.0.0', '--license', 'MIT', '--owner', 'dev3', '--account', 'dev2'], 3, 'ASSET_NOT_FOUND')
    assert.match(none.message, /owns no asset called no-such-set/)
  })

  test("a maintainer's dataset version without --contributor credits the owner, not the maintainer", async () => {
    const data = path.join(net.home.dataDir, '..', 'work', 'shared-set')
    fs.mkdirSync(data, {recursive: true})
    fs.writeFileSync(path.join(data, 'rows.jsonl'), '{"a":1}\n')
    const meta = ['--name', 'shared-set', '--license', 'MIT']
    const v1 = await ok(['dataset', 'publish', data, ...meta, '--dataset-version', '1.0.0', '--account', 'dev3'])
    assert.deepEqual(v1.contributors.map((c: any) => [c.address, c.shareBps]), [[addr(3), 10000]])
    await ok(['model', 'maintainer', 'add', v1.assetId, '--address', 'dev2', '--account', 'dev3'])
    fs.writeFileSync(path.join(data, 'rows.jsonl'), '{"a":1}\n{"a":2}\n')
    const v2 = await ok(['dataset', 'publish', data, ...meta, '--dataset-version', '1.1.0', '--owner', 'dev3', '--account', 'dev2'])
    assert.equal(v2.owner, addr(3))
    assert.equal(v2.publisher, addr(2))
    assert.deepEqual(v2.contributors.map((c: any) => [c.address, c.shareBps]), [[addr(3), 10000]], 'the owner keeps the whole share')
  })
})
