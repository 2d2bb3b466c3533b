import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {Wallet, encryptKeystoreJsonSync} from 'ethers'
import {envelope, runZg, tempHome} from '../helpers/cli.js'
import {registerSecret} from '../helpers/capture.js'
import {startTestDevnet} from '../helpers/devnet.js'

const FAST = {ZG_KEYSTORE_SCRYPT_N: '4096'}

describe('zg wallet', () => {
  const home = tempHome('zg-wallet-')
  const env = {...home.env, ...FAST}
  after(() => home.cleanup())

  test('create → list → show → export keystore; the file is 0600 and decrypts with ethers', async () => {
    const r = await runZg(['wallet', 'create', 'alice', '--json'], {env: {...env, ZG_PASSWORD: 'correct horse battery'}})
    const e = envelope(r)
    assert.equal(e.ok, true, r.stdout + r.stderr)
    const file = e.data.path as string
    assert.equal(fs.statSync(file).mode & 0o777, 0o600)
    const w = await Wallet.fromEncryptedJson(fs.readFileSync(file, 'utf8'), 'correct horse battery')
    registerSecret(w.privateKey)
    assert.equal(w.address, e.data.address)
    assert.equal(JSON.stringify(e).includes(w.privateKey.slice(2)), false)

    const list = envelope(await runZg(['wallet', 'list', '--json'], {env}))
    assert.deepEqual(list.data.map((a: {name: string}) => a.name), ['alice'])
    const show = envelope(await runZg(['wallet', 'show', 'alice', '--json'], {env}))
    assert.equal(show.data.address, w.address)
    const exp = envelope(await runZg(['wallet', 'export', 'alice', '--json'], {env}))
    assert.equal(exp.data.keystore.crypto !== undefined || exp.data.keystore.Crypto !== undefined, true)
  })

  test('a second account of the same name is refused; --reveal refuses pipes and --json', async () => {
    const dup = await runZg(['wallet', 'create', 'alice', '--json'], {env: {...env, ZG_PASSWORD: 'another password'}})
    assert.equal(dup.code, 2)
    const piped = await runZg(['wallet', 'export', 'alice', '--reveal'], {env: {...env, ZG_PASSWORD: 'correct horse battery'}})
    assert.equal(piped.code, 2)
    assert.match(piped.stderr, /Refusing to write a private key/)
    const json = await runZg(['wallet', 'export', 'alice', '--reveal', '--json'], {env: {...env, ZG_PASSWORD: 'correct horse battery'}})
    assert.equal(envelope(json).error.code, 'REVEAL_REFUSED')
  })

  test('create without a password and without a TTY fails with exit 2 naming the flag', async () => {
    const r = await runZg(['wallet', 'create', 'bob', '--json'], {env})
    assert.equal(r.code, 2)
    assert.match(envelope(r).error.message, /--password-file.*ZG_PASSWORD/)
  })

  test('import a raw key from stdin and a Foundry-style keystore folder', async () => {
    const key = Wallet.createRandom()
    registerSecret(key.privateKey)
    const r = await runZg(['wallet', 'import', 'carol', '--private-key-stdin', '--json'], {env: {...env, ZG_PASSWORD: 'pw for carol'}, input: key.privateKey + '\n'})
    const e = envelope(r)
    assert.equal(e.ok, true, r.stdout + r.stderr)
    assert.equal(e.data.imported[0].address, key.address)
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(key.privateKey.slice(2), 'i'))

    // Foundry's `cast wallet import` writes v3 JSON files named by account, without an address field.
    const foundry = fs.mkdtempSync(path.join(home.configDir, '..', 'foundry-'))
    const other = Wallet.createRandom()
    registerSecret(other.privateKey)
    const json = JSON.parse(encryptKeystoreJsonSync({address: other.address, privateKey: other.privateKey}, 'foundry pw', {scrypt: {N: 1024}}))
    delete json.address
    fs.writeFileSync(path.join(foundry, 'deployer'), JSON.stringify(json))
    fs.writeFileSync(path.join(foundry, 'notes.txt'), 'not a keystore')
    const imp = envelope(await runZg(['wallet', 'import', '--keystore-dir', foundry, '--json'], {env}))
    assert.deepEqual(imp.data.imported.map((x: {name: string}) => x.name), ['deployer'])
    assert.equal(imp.data.skipped.length, 1)
  })

  test('a missing account is exit 3, a bad key source exit 4', async () => {
    const r = await runZg(['wallet', 'show', 'nobody', '--json'], {env})
    assert.equal(r.code, 3)
    const bad = await runZg(['wallet', 'balance', '--account', 'alice', '--json'], {env: {...env, ZG_PASSWORD: 'wrong password!'}})
    // No devnet here: either the RPC check (5) or the key (4) fails first, but never a stack trace.
    assert.ok([4, 5].includes(bad.code), `exit ${bad.code}`)
    assert.doesNotMatch(bad.stdout + bad.stderr, /at .*\.js:\d+/)
  })
})

describe('zg wallet against the devnet', () => {
  let devnet: Awaited<ReturnType<typeof startTestDevnet>>
  before(async () => {
    devnet = await startTestDevnet()
  })
  after(async () => devnet?.stop())

  test('send from dev0 with --yes, balance of the recipient, and a keystore account', async () => {
    const env = {...devnet.env, ...FAST}
    const to = Wallet.createRandom().address
    const r = await runZg(['wallet', 'send', '--account', 'dev0', '--to', to, '--amount', '2.5', '--yes', '--json'], {env})
    const e = envelope(r)
    assert.equal(e.ok, true, r.stdout + r.stderr)
    assert.match(e.data.hash, /^0x[0-9a-f]{64}$/)
    const b = envelope(await runZg(['wallet', 'balance', to, '--json'], {env}))
    assert.equal(b.data.balance, '2.5')

    const noYes = await runZg(['wallet', 'send', '--account', 'dev0', '--to', to, '--amount', '1', '--json'], {env})
    assert.equal(noYes.code, 2, 'a confirmation without a TTY needs --yes')

    const broke = Wallet.createRandom()
    registerSecret(broke.privateKey)
    const keyFile = path.join(devnet.home.dataDir, 'broke.key')
    fs.mkdirSync(devnet.home.dataDir, {recursive: true})
    fs.writeFileSync(keyFile, broke.privateKey, {mode: 0o600})
    const poor = await runZg(['wallet', 'send', '--private-key-file', keyFile, '--to', to, '--amount', '1', '--yes', '--json'], {env})
    assert.equal(poor.code, 6, poor.stdout)
    assert.equal(envelope(poor).error.code, 'INSUFFICIENT_FUNDS')
    assert.doesNotMatch(poor.stdout + poor.stderr, new RegExp(broke.privateKey.slice(2), 'i'))
  })

  test('dev accounts are refused on other networks', async () => {
    const r = await runZg(['wallet', 'send', '--network', 'galileo', '--rpc-url', devnet.rpcUrl, '--account', 'dev0', '--to', Wallet.createRandom().address, '--amount', '1', '--yes', '--json'], {env: devnet.env})
    assert.notEqual(r.code, 0)
  })
})
