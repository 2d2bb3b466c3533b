import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {encryptKeystoreJson, Wallet} from 'ethers'
import {ZgError} from '../../src/core/errors.js'
import {keystoreDir} from '../../src/core/paths.js'
import {DEFAULT_SCRYPT_N, Keystore, parseKeystoreJson, validateAccountName} from '../../src/core/keys/keystore.js'
import {assertNoSecret} from './no-secrets.js'

const FAST = {scryptN: 2 ** 12}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'zg-keystore-'))
}

function rejectsWith(code: string, exit: number) {
  return (e: unknown) => {
    assert.ok(e instanceof ZgError, `expected ZgError, got ${String(e)}`)
    assert.equal(e.code, code)
    assert.equal(e.exit, exit)
    return true
  }
}

describe('keystore', () => {
  let root: string
  let ks: Keystore
  before(() => {
    root = tmp()
    ks = new Keystore(path.join(root, 'keystores'))
  })
  after(() => fs.rmSync(root, {recursive: true, force: true}))

  test('create → list → decrypt → export round trip', async () => {
    const entry = await ks.create('alice', 'correct horse', FAST)
    assert.equal(entry.name, 'alice')
    assert.match(entry.address!, /^0x[0-9a-fA-F]{40}$/)
    assert.equal(entry.path, path.join(ks.dir, 'alice'))
    assert.deepEqual(ks.list(), [entry])
    assert.deepEqual(ks.get('alice'), entry)
    const w = await ks.decrypt('alice', 'correct horse')
    assert.equal(w.address, entry.address)
    const key = await ks.exportKey('alice', 'correct horse')
    assert.equal(new Wallet(key).address, entry.address)
  })

  test('files are named exactly by the account, 0600, in a 0700 folder, with no temp files left', async () => {
    await ks.create('modes', 'pw', FAST)
    const names = fs.readdirSync(ks.dir)
    assert.ok(names.includes('modes'))
    assert.ok(!names.some((n) => n.startsWith('.') || n.endsWith('.tmp') || n.endsWith('.json')), names.join(','))
    if (process.platform !== 'win32') {
      assert.equal(fs.statSync(path.join(ks.dir, 'modes')).mode & 0o777, 0o600)
      assert.equal(fs.statSync(ks.dir).mode & 0o777, 0o700)
    }
  })

  test('our file is a standard v3 keystore that ethers Wallet.fromEncryptedJson reads', async () => {
    const entry = await ks.importKey('ours', '0x' + '11'.repeat(32), 'pw1', FAST)
    const text = fs.readFileSync(entry.path, 'utf8')
    const json = JSON.parse(text)
    assert.equal(json.version, 3)
    // Lower-case "crypto" as in the spec and Foundry; ethers must still read it.
    assert.ok(json.crypto && !json.Crypto)
    assert.equal(json.crypto.kdf, 'scrypt')
    assert.equal(json.crypto.kdfparams.n, 2 ** 12)
    const w = await Wallet.fromEncryptedJson(text, 'pw1')
    assert.equal(w.address, entry.address)
    assert.equal(w.privateKey, '0x' + '11'.repeat(32))
  })

  test('the default scrypt cost is 2^18', () => {
    assert.equal(DEFAULT_SCRYPT_N, 262144)
  })

  test('a keystore written by ethers Wallet.encrypt is imported without a password and decrypted', async () => {
    const src = tmp()
    try {
      const w = Wallet.createRandom()
      const file = path.join(src, 'from-ethers.json')
      fs.writeFileSync(file, await w.encrypt('ethers-pw'))
      const entry = ks.importKeystoreFile(file)
      assert.equal(entry.name, 'from-ethers')
      assert.equal(entry.address, w.address)
      // Copied byte for byte.
      assert.equal(fs.readFileSync(entry.path, 'utf8'), fs.readFileSync(file, 'utf8'))
      assert.equal(fs.statSync(entry.path).mode & 0o777, 0o600)
      assert.equal((await ks.decrypt('from-ethers', 'ethers-pw')).address, w.address)
    } finally {
      fs.rmSync(src, {recursive: true, force: true})
    }
  })

  test('importKeystoreDir takes Foundry-style keystores (no address, lower-case crypto) and skips the rest', async () => {
    const src = tmp()
    try {
      const w = Wallet.createRandom()
      const {Crypto, address: _a, ...rest} = JSON.parse(await encryptKeystoreJson({address: w.address, privateKey: w.privateKey}, 'f-pw', {scrypt: {N: 2 ** 12}}))
      fs.writeFileSync(path.join(src, 'foundry-acct'), JSON.stringify({...rest, crypto: Crypto}))
      fs.writeFileSync(path.join(src, 'notes.txt'), 'not a keystore')
      fs.writeFileSync(path.join(src, 'bad name!'), JSON.stringify({...rest, crypto: Crypto}))
      fs.writeFileSync(path.join(src, 'v1'), JSON.stringify({version: 1}))
      const res = ks.importKeystoreDir(src)
      assert.deepEqual(res.imported.map((e) => e.name), ['foundry-acct'])
      assert.equal(res.imported[0]!.address, null)
      assert.deepEqual(res.skipped.map((s) => path.basename(s.file)).sort(), ['bad name!', 'notes.txt', 'v1'])
      assert.ok(res.skipped.every((s) => s.reason.length > 0))
      assert.equal(ks.list().find((e) => e.name === 'foundry-acct')?.address, null)
      assert.equal((await ks.decrypt('foundry-acct', 'f-pw')).address, w.address)
      // A second import of the same folder keeps the existing account and says why.
      const again = ks.importKeystoreDir(src)
      assert.equal(again.imported.length, 0)
      assert.match(again.skipped.find((s) => s.file.endsWith('foundry-acct'))!.reason, /already exists/)
    } finally {
      fs.rmSync(src, {recursive: true, force: true})
    }
  })

  test('a file written by Foundry (cast 1.5.1 `wallet import`) is imported and decrypted', async () => {
    // Produced with: cast wallet import castacct --private-key 0x44…44 --unsafe-password cast-pw (a dummy key).
    const castFile =
      '{"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"e2d1320bce6000f04eb861ae1e5fd342"},"ciphertext":"026bbd4a241baa7e8cc23b8ca9b57e33b37f8db974cff1ae87107af6eaabb332","kdf":"scrypt","kdfparams":{"dklen":32,"n":8192,"p":1,"r":8,"salt":"0474c1003769d96e0af4fa051a6c064d902a001e51e62e53437f84162404b2f0"},"mac":"553754d130f87092eafd33ec04ff70772e1b58aa4a19a7e122fd76766009ddf8"},"id":"81ac0283-7ef7-48fd-ab48-8e760eabf85d","version":3}'
    const src = tmp()
    try {
      fs.writeFileSync(path.join(src, 'castacct'), castFile)
      const entry = ks.importKeystoreFile(path.join(src, 'castacct'))
      assert.deepEqual([entry.name, entry.address], ['castacct', null])
      assert.equal((await ks.decrypt('castacct', 'cast-pw')).address, new Wallet('0x' + '44'.repeat(32)).address)
    } finally {
      fs.rmSync(src, {recursive: true, force: true})
    }
  })

  test('a wrong password is an auth error (exit 4, BAD_PASSWORD)', async () => {
    await ks.create('locked', 'right', FAST)
    await assert.rejects(ks.decrypt('locked', 'wrong'), rejectsWith('BAD_PASSWORD', 4))
    await assert.rejects(ks.exportKey('locked', 'wrong'), rejectsWith('BAD_PASSWORD', 4))
  })

  test('names are validated and dev0..dev9 are reserved', async () => {
    for (const bad of ['', 'a/b', '..', '.', '.hidden', 'x'.repeat(65), 'sp ace', 'é', 'dev0', 'DEV3', 'dev9']) {
      assert.throws(() => validateAccountName(bad), (e: unknown) => e instanceof ZgError && e.exit === 2, bad)
    }
    for (const good of ['a', 'ci-bot.1', 'A_b-c.d', 'dev10', 'developer', 'x'.repeat(64)]) assert.equal(validateAccountName(good), good)
    await assert.rejects(ks.create('dev1', 'pw', FAST), rejectsWith('RESERVED_ACCOUNT_NAME', 2))
    await assert.rejects(ks.create('../escape', 'pw', FAST), rejectsWith('INVALID_ACCOUNT_NAME', 2))
    assert.ok(!fs.existsSync(path.join(root, 'escape')))
  })

  test('an existing account is not overwritten unless asked', async () => {
    const first = await ks.create('dup', 'pw', FAST)
    await assert.rejects(ks.create('dup', 'pw', FAST), rejectsWith('ACCOUNT_EXISTS', 2))
    assert.equal(ks.get('dup').address, first.address)
    const second = await ks.importKey('dup', '0x' + '22'.repeat(32), 'pw', {...FAST, overwrite: true})
    assert.notEqual(second.address, first.address)
    assert.equal(ks.get('dup').address, second.address)
  })

  test('remove deletes; a missing account is not-found (exit 3) and lists the known ones', async () => {
    await ks.create('temp', 'pw', FAST)
    assert.equal(ks.remove('temp').name, 'temp')
    assert.ok(!ks.has('temp'))
    await assert.rejects(ks.decrypt('temp', 'pw'), (e: unknown) => {
      assert.ok(e instanceof ZgError)
      assert.equal(e.exit, 3)
      assert.equal(e.code, 'ACCOUNT_NOT_FOUND')
      assert.match(e.suggestions.join(' '), /alice/)
      return true
    })
  })

  test('empty passwords and invalid keys are refused, and the key never appears in the error', async () => {
    const real = Wallet.createRandom().privateKey
    await assert.rejects(ks.importKey('nopw', real, '', FAST), rejectsWith('PASSWORD_REQUIRED', 2))
    for (const mangled of [real.slice(0, -1), real + 'a', real.slice(0, 20) + 'zz' + real.slice(22), real.slice(2, 60)]) {
      const err = await ks.importKey('badkey', mangled, 'pw', FAST).then(
        () => assert.fail('accepted'),
        (e: unknown) => e,
      )
      assert.ok(err instanceof ZgError && err.code === 'INVALID_PRIVATE_KEY' && err.exit === 2)
      assertNoSecret(err, [real, mangled])
    }
    assert.ok(!ks.has('badkey'))
  })

  test('parseKeystoreJson rejects non-keystores with a reason', () => {
    assert.throws(() => parseKeystoreJson('{', 'f'), /not JSON/)
    assert.throws(() => parseKeystoreJson('{"version":3}', 'f'), /no "crypto"/)
    assert.throws(() => parseKeystoreJson('[]', 'f'), /not a JSON object/)
  })

  test('Keystore.fromEnv follows ZG_DATA_DIR', () => {
    const env = {ZG_DATA_DIR: path.join(root, 'data')}
    assert.equal(Keystore.fromEnv(env).dir, keystoreDir(env))
    assert.equal(Keystore.fromEnv(env).dir, path.join(root, 'data', 'keystores'))
    assert.deepEqual(Keystore.fromEnv(env).list(), [])
  })
})
