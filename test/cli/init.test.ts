import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {describe, test} from 'node:test'
import {Wallet, encryptKeystoreJsonSync} from 'ethers'
import {envelope, runZg, tempHome} from '../helpers/cli.js'
import {registerSecret} from '../helpers/capture.js'
import {devnetPortArgs} from '../helpers/devnet.js'

// Cheap scrypt for the keystores these tests write.
const FAST = {ZG_KEYSTORE_SCRYPT_N: '4096'}

/** A fresh, isolated zg home per test: init changes the config. */
function home() {
  const h = tempHome('zg-init-')
  const env = {...h.env, ...FAST}
  const zg = async (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const r = await runZg([...args, '--json'], {env: {...env, ...extra}})
    return {r, e: envelope(r)}
  }
  const ok = async (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const {r, e} = await zg(args, extra)
    assert.equal(e.ok, true, `zg ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`)
    assert.equal(r.code, 0)
    return e.data
  }
  const setting = async (key: string) => (await ok(['config', 'get', key])).value
  return {...h, env, zg, ok, setting}
}

describe('zg init (non-interactive)', () => {
  test('--create-account: creates an encrypted account, sets network and account; a second run changes nothing', async () => {
    const h = home()
    try {
      const d = await h.ok(['init', '--network', 'galileo', '--create-account', 'alice'], {ZG_PASSWORD: 'correct horse battery'})
      assert.equal(d.network.name, 'galileo')
      assert.equal(d.network.chainId, 16602)
      assert.equal(d.account.name, 'alice')
      assert.equal(d.account.source, 'created')
      assert.equal(d.alreadySetUp, false)
      assert.equal(d.devnet, null, 'no devnet for galileo')
      assert.equal(fs.statSync(d.account.keystore).mode & 0o777, 0o600)
      const w = await Wallet.fromEncryptedJson(fs.readFileSync(d.account.keystore, 'utf8'), 'correct horse battery')
      registerSecret(w.privateKey)
      assert.equal(w.address, d.account.address)
      assert.equal(await h.setting('network'), 'galileo')
      assert.equal(await h.setting('account'), 'alice')

      // Idempotent: the same command again reuses the account (no password needed) and says it was set up.
      const again = await h.ok(['init', '--network', 'galileo', '--create-account', 'alice'])
      assert.equal(again.alreadySetUp, true)
      assert.equal(again.account.source, 'existing')
      assert.equal(again.account.address, d.account.address)
      // …and so does a bare `zg init`, which keeps what is configured.
      const bare = await h.ok(['init'])
      assert.equal(bare.alreadySetUp, true)
      assert.equal(bare.network.name, 'galileo')
      assert.equal(bare.account.name, 'alice')
      // The human form says so too.
      const plain = await runZg(['init'], {env: h.env})
      assert.equal(plain.code, 0, plain.stderr)
      assert.match(plain.stdout, /already set up/)
      assert.match(plain.stdout, /alice/)
    } finally {
      h.cleanup()
    }
  })

  test('--import-key-file with --account-name: the key is encrypted into a keystore and never printed', async () => {
    const h = home()
    try {
      const key = Wallet.createRandom()
      registerSecret(key.privateKey)
      const file = path.join(h.configDir, '..', 'deployer.key')
      fs.writeFileSync(file, key.privateKey + '\n', {mode: 0o600})
      const pw = path.join(h.configDir, '..', 'pw.txt')
      fs.writeFileSync(pw, 'a long enough password\n', {mode: 0o600})
      const {r, e} = await h.zg(['init', '--network', 'galileo', '--import-key-file', file, '--account-name', 'deployer', '--password-file', pw])
      assert.equal(e.ok, true, r.stdout + r.stderr)
      assert.equal(e.data.account.name, 'deployer')
      assert.equal(e.data.account.source, 'imported-key')
      assert.equal(e.data.account.address, key.address)
      assert.doesNotMatch(r.stdout + r.stderr, new RegExp(key.privateKey.slice(2), 'i'))
      const w = await Wallet.fromEncryptedJson(fs.readFileSync(e.data.account.keystore, 'utf8'), 'a long enough password')
      assert.equal(w.address, key.address)
      assert.equal(await h.setting('account'), 'deployer')

      // Again: the account already holds this key, so it is kept (no password needed).
      const again = await h.ok(['init', '--network', 'galileo', '--import-key-file', file, '--account-name', 'deployer'])
      assert.equal(again.account.source, 'existing')
      assert.equal(again.alreadySetUp, true)
      // Another key under the same name is refused, and nothing is replaced.
      const other = Wallet.createRandom()
      registerSecret(other.privateKey)
      const otherFile = path.join(h.configDir, '..', 'other.key')
      fs.writeFileSync(otherFile, other.privateKey, {mode: 0o600})
      const {r: clash, e: err} = await h.zg(['init', '--network', 'galileo', '--import-key-file', otherFile, '--account-name', 'deployer', '--password-file', pw])
      assert.equal(clash.code, 2)
      assert.equal(err.error.code, 'ACCOUNT_EXISTS')
      assert.equal((await Wallet.fromEncryptedJson(fs.readFileSync(e.data.account.keystore, 'utf8'), 'a long enough password')).address, key.address)
    } finally {
      h.cleanup()
    }
  })

  test('--import-keystore-dir: Foundry keystores are copied; --account-name picks the default', async () => {
    const h = home()
    try {
      // Foundry's `cast wallet` writes v3 JSON files named by account, without an address field.
      const foundry = path.join(h.configDir, '..', 'foundry-keystores')
      fs.mkdirSync(foundry, {recursive: true})
      const keys: Record<string, Wallet> = {}
      for (const name of ['deployer', 'ops']) {
        const w = Wallet.createRandom()
        registerSecret(w.privateKey)
        keys[name] = new Wallet(w.privateKey)
        const json = JSON.parse(encryptKeystoreJsonSync({address: w.address, privateKey: w.privateKey}, `pw ${name}`, {scrypt: {N: 1024}}))
        delete json.address
        fs.writeFileSync(path.join(foundry, name), JSON.stringify(json))
      }
      fs.writeFileSync(path.join(foundry, 'notes.txt'), 'not a keystore')
      const {r, e} = await h.zg(['init', '--network', 'galileo', '--import-keystore-dir', foundry, '--account-name', 'ops'])
      assert.equal(e.ok, true, r.stdout + r.stderr)
      assert.deepEqual(e.data.imported.map((x: {name: string}) => x.name), ['deployer', 'ops'])
      assert.equal(e.data.skipped.length, 1)
      assert.ok(e.warnings!.some((w) => w.includes('notes.txt')))
      assert.equal(e.data.account.name, 'ops')
      assert.equal(e.data.account.source, 'imported-keystore')
      assert.equal(await h.setting('account'), 'ops')
      // The copies are byte for byte the originals, and decrypt with their own passwords.
      const copy = fs.readFileSync(e.data.account.keystore, 'utf8')
      assert.equal(copy, fs.readFileSync(path.join(foundry, 'ops'), 'utf8'))
      assert.equal((await Wallet.fromEncryptedJson(copy, 'pw ops')).address, keys.ops!.address)

      // Again, naming the other one: nothing to import, the default moves.
      const again = await h.ok(['init', '--network', 'galileo', '--import-keystore-dir', foundry, '--account-name', 'deployer'])
      assert.deepEqual(again.imported, [])
      assert.equal(again.account.name, 'deployer')
      assert.equal(again.account.source, 'existing')
      assert.equal(again.account.previous, 'ops')
      // A name that is not in the folder is a usage error.
      const {r: bad, e: badE} = await h.zg(['init', '--network', 'galileo', '--import-keystore-dir', foundry, '--account-name', 'nobody'])
      assert.equal(bad.code, 2)
      assert.match(badE.error.message, /deployer, ops/)
    } finally {
      h.cleanup()
    }
  })

  test('--use-dev-account on local (devnet not started on request); refused on galileo', async () => {
    const h = home()
    try {
      const d = await h.ok(['init', '--network', 'local', '--use-dev-account', '--no-start-devnet'])
      assert.equal(d.network.name, 'local')
      assert.equal(d.account.name, 'dev0')
      assert.equal(d.account.source, 'dev')
      assert.equal(d.account.address, '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266')
      assert.deepEqual(d.devnet, {running: false, started: false, rpcUrl: null, pid: null})
      assert.ok(d.next.includes('zg node start --detach'))
      assert.equal(await h.setting('account'), 'dev0')
      assert.equal(fs.existsSync(path.join(h.dataDir, 'devnet', 'run.json')), false)

      const {r, e} = await h.zg(['init', '--network', 'galileo', '--use-dev-account'])
      assert.equal(r.code, 2)
      assert.equal(e.error.code, 'DEV_ACCOUNT_NOT_LOCAL')
      assert.equal(await h.setting('network'), 'local', 'a refused init changes nothing')
    } finally {
      h.cleanup()
    }
  })

  test('on local with the devnet: init starts it (detached, on the given ports) and a second run finds it running', async () => {
    const h = home()
    const ports = await devnetPortArgs()
    try {
      const d = await h.ok(['init', '--network', 'local', '--use-dev-account', '--start-devnet', ...ports])
      assert.equal(d.devnet.running, true)
      assert.equal(d.devnet.started, true)
      assert.equal(d.devnet.rpcUrl, `http://127.0.0.1:${ports[1]}`)
      const again = await h.ok(['init', '--network', 'local', '--use-dev-account'])
      assert.equal(again.devnet.started, false)
      assert.equal(again.devnet.pid, d.devnet.pid)
      assert.equal(again.alreadySetUp, true)
      const status = await h.ok(['node', 'status'])
      assert.equal(status.running, true)
    } finally {
      await runZg(['node', 'stop'], {env: h.env})
      h.cleanup()
    }
  })

  test('without a terminal a missing password is exit 2 naming --password-file and ZG_PASSWORD; nothing is written', async () => {
    const h = home()
    try {
      const {r, e} = await h.zg(['init', '--network', 'galileo', '--create-account', 'bob'])
      assert.equal(r.code, 2)
      assert.equal(e.error.code, 'INPUT_REQUIRED')
      assert.match(e.error.message, /--password-file.*ZG_PASSWORD/)
      assert.equal(fs.existsSync(path.join(h.dataDir, 'keystores', 'bob')), false)
      assert.equal((await h.ok(['config', 'get', 'network'])).source, 'default')

      // The plain form says the same on stderr.
      const plain = await runZg(['init', '--network', 'galileo', '--create-account', 'bob'], {env: h.env})
      assert.equal(plain.code, 2)
      assert.match(plain.stderr, /--password-file/)

      // And a remote network with no wallet at all names every way to give one.
      const {r: none, e: noneE} = await h.zg(['init', '--network', 'galileo'])
      assert.equal(none.code, 2)
      assert.match(noneE.error.message, /--create-account.*--import-key-file.*--import-keystore-dir/)
    } finally {
      h.cleanup()
    }
  })
})
