import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, afterEach, before, describe, test} from 'node:test'
import {Wallet} from 'ethers'
import {ZgError} from '../../src/core/errors.js'
import {DEV_MNEMONIC as DEVNET_MNEMONIC} from '../../src/devnet/anvil.js'
import {DEV_MNEMONIC, devWallet} from '../../src/core/keys/dev-accounts.js'
import {setKeyringBackend, type KeyringEntry} from '../../src/core/keys/keyring.js'
import {Keystore} from '../../src/core/keys/keystore.js'
import {resolveSigner, type ResolveSignerOptions} from '../../src/core/keys/sources.js'
import {assertNoSecret} from './no-secrets.js'

const FAST = {scryptN: 2 ** 12}
const DEV0 = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const DEV1 = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'

async function* chunks(...parts: string[]) {
  for (const p of parts) yield p
}

async function caught(p: Promise<unknown>): Promise<ZgError> {
  try {
    await p
  } catch (e) {
    assert.ok(e instanceof ZgError, `expected ZgError, got ${String(e)}`)
    return e
  }
  assert.fail('expected an error')
}

describe('resolveSigner', () => {
  let root: string
  let ks: Keystore
  let base: ResolveSignerOptions
  const secret = Wallet.createRandom().privateKey
  const secretAddr = new Wallet(secret).address

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'zg-sources-'))
    ks = new Keystore(path.join(root, 'keystores'))
    await ks.importKey('ops', secret, 'ops-pw', FAST)
    base = {isLocalNetwork: false, env: {}, keystore: ks, useKeyring: false}
  })
  after(() => fs.rmSync(root, {recursive: true, force: true}))
  afterEach(() => setKeyringBackend(undefined))

  const file = (name: string, text: string, mode = 0o600) => {
    const p = path.join(root, name)
    fs.writeFileSync(p, text, {mode})
    fs.chmodSync(p, mode)
    return p
  }

  test('--private-key-file, with or without 0x and a trailing newline', async () => {
    for (const text of [secret + '\n', secret.slice(2) + '\r\n', `  ${secret.toUpperCase().replace('0X', '0x')}  `]) {
      const r = await resolveSigner({...base, privateKeyFile: file('pk', text)})
      assert.equal(r.address, secretAddr)
      assert.equal(r.source, 'private-key-file')
      assert.deepEqual(r.warnings, [])
    }
  })

  test('a key file readable by others works but warns', async () => {
    const r = await resolveSigner({...base, privateKeyFile: file('pk-open', secret, 0o644)})
    assert.equal(r.address, secretAddr)
    assert.match(r.warnings.join('\n'), /chmod 600/)
  })

  test('--private-key-stdin reads the whole input', async () => {
    const r = await resolveSigner({...base, privateKeyStdin: true, stdin: chunks(secret.slice(0, 30), secret.slice(30), '\n')})
    assert.equal(r.source, 'stdin')
    assert.equal(r.address, secretAddr)
  })

  test('ZG_PRIVATE_KEY wins over --account, and says so', async () => {
    const r = await resolveSigner({...base, env: {ZG_PRIVATE_KEY: secret}, account: 'ops'})
    assert.equal(r.source, 'env')
    assert.equal(r.address, secretAddr)
    assert.match(r.warnings.join('\n'), /--account ops was ignored/)
  })

  test('the order is file > stdin-conflict check > env > account > default', async () => {
    const other = Wallet.createRandom().privateKey
    const r = await resolveSigner({...base, env: {ZG_PRIVATE_KEY: other}, privateKeyFile: file('pk2', secret)})
    assert.equal(r.source, 'private-key-file')
    const e = await caught(resolveSigner({...base, privateKeyFile: file('pk3', secret), privateKeyStdin: true, stdin: chunks(secret)}))
    assert.equal(e.code, 'CONFLICTING_KEY_SOURCES')
    assert.equal(e.exit, 2)
    const d = await resolveSigner({...base, isLocalNetwork: true, defaultAccount: 'dev0'})
    assert.equal(d.address, DEV0)
    const a = await resolveSigner({...base, isLocalNetwork: true, defaultAccount: 'dev0', account: 'dev1'})
    assert.equal(a.address, DEV1)
  })

  test('dev0..dev9 come from the devnet mnemonic on the local network only', async () => {
    assert.equal(DEV_MNEMONIC, DEVNET_MNEMONIC)
    const r0 = await resolveSigner({...base, isLocalNetwork: true, account: 'dev0'})
    assert.deepEqual([r0.address, r0.source, r0.account], [DEV0, 'dev', 'dev0'])
    assert.equal((await resolveSigner({...base, isLocalNetwork: true, account: 'DEV1'})).address, DEV1)
    assert.equal(devWallet(9).address, '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720')
    const e = await caught(resolveSigner({...base, isLocalNetwork: false, account: 'dev0'}))
    assert.equal(e.code, 'DEV_ACCOUNT_NOT_LOCAL')
    assert.match(e.message, /only on the local network/)
    // A dev default account elsewhere is simply no key.
    const n = await caught(resolveSigner({...base, isLocalNetwork: false, defaultAccount: 'dev0'}))
    assert.equal(n.code, 'KEY_REQUIRED')
  })

  test('keystore password from --password-file (first line) and from ZG_PASSWORD', async () => {
    const r = await resolveSigner({...base, account: 'ops', passwordFile: file('pw', 'ops-pw\n')})
    assert.deepEqual([r.address, r.source, r.account, r.passwordSource], [secretAddr, 'keystore', 'ops', 'password-file'])
    const r2 = await resolveSigner({...base, account: 'ops', env: {ZG_PASSWORD: 'ops-pw'}})
    assert.equal(r2.passwordSource, 'env')
    assert.equal(r2.address, secretAddr)
  })

  test('interactive prompt, with a retry after a wrong password', async () => {
    const asked: string[] = []
    const answers = ['nope', 'ops-pw']
    const r = await resolveSigner({
      ...base,
      account: 'ops',
      prompt: async (q) => {
        asked.push(q)
        return answers.shift()!
      },
    })
    assert.equal(r.passwordSource, 'prompt')
    assert.equal(asked.length, 2)
    assert.match(asked[0]!, /ops/)
  })

  test('a remembered keyring password is used; a stale one falls through', async () => {
    const store = new Map<string, string>([['zg/ops', 'ops-pw']])
    setKeyringBackend((service, account): KeyringEntry => ({
      async setPassword(p) {
        store.set(`${service}/${account}`, p)
      },
      async getPassword() {
        return store.get(`${service}/${account}`) ?? null
      },
      async deletePassword() {
        return store.delete(`${service}/${account}`)
      },
    }))
    const r = await resolveSigner({...base, useKeyring: true, account: 'ops'})
    assert.equal(r.passwordSource, 'keyring')
    store.set('zg/ops', 'outdated')
    const e = await caught(resolveSigner({...base, useKeyring: true, account: 'ops'}))
    assert.equal(e.code, 'KEYSTORE_LOCKED')
    assert.match(e.message, /out of date/)
  })

  test('no password source without a TTY → KEYSTORE_LOCKED (exit 4) naming --password-file and ZG_PASSWORD', async () => {
    // useKeyring left at its default: on a machine without a keyring this must fall through, not throw raw.
    const e = await caught(resolveSigner({...base, useKeyring: undefined, keyringTimeoutMs: 2000, account: 'ops'}))
    assert.equal(e.code, 'KEYSTORE_LOCKED')
    assert.equal(e.exit, 4)
    assert.match(e.suggestions.join(' '), /--password-file/)
    assert.match(e.suggestions.join(' '), /ZG_PASSWORD/)
  })

  test('wrong password → BAD_PASSWORD (exit 4)', async () => {
    const e = await caught(resolveSigner({...base, account: 'ops', env: {ZG_PASSWORD: 'wrong'}}))
    assert.equal(e.code, 'BAD_PASSWORD')
    assert.equal(e.exit, 4)
  })

  test('unknown account → not found (exit 3) listing known accounts', async () => {
    const e = await caught(resolveSigner({...base, account: 'nobody', env: {ZG_PASSWORD: 'x'}}))
    assert.equal(e.exit, 3)
    assert.match(e.suggestions.join(' '), /ops/)
  })

  test('nothing given → KEY_REQUIRED (exit 4) naming the flags and env var', async () => {
    const e = await caught(resolveSigner({...base}))
    assert.equal(e.code, 'KEY_REQUIRED')
    assert.equal(e.exit, 4)
    const hint = e.suggestions.join(' ')
    for (const f of ['--account', '--private-key-file', '--private-key-stdin', 'ZG_PRIVATE_KEY']) assert.ok(hint.includes(f), f)
  })

  test('secret scan: no error path leaks the key, in message, stack, JSON or causes', async () => {
    const mangles = [
      secret.slice(0, -1),
      secret + '0',
      secret.slice(0, 30) + 'x' + secret.slice(31),
      secret.slice(0, 40) + ' ' + secret.slice(40),
      secret + '\n' + secret,
      '0x' + 'f'.repeat(64), // above the curve order
      '0x' + '0'.repeat(64),
    ]
    const errors: ZgError[] = []
    for (const m of mangles) {
      errors.push(await caught(resolveSigner({...base, privateKeyFile: file('leak', m)})))
      errors.push(await caught(resolveSigner({...base, privateKeyStdin: true, stdin: chunks(m)})))
      errors.push(await caught(resolveSigner({...base, env: {ZG_PRIVATE_KEY: m}})))
    }
    // Paths that never look at the key but run with it around.
    errors.push(await caught(resolveSigner({...base, privateKeyFile: file('leak2', secret), privateKeyStdin: true, stdin: chunks(secret)})))
    errors.push(await caught(resolveSigner({...base, account: 'ops', env: {ZG_PASSWORD: 'wrong', SECRET: secret}})))
    errors.push(await caught(resolveSigner({...base, account: 'ops', env: {SECRET: secret}})))
    errors.push(await caught(resolveSigner({...base, account: 'dev0', env: {SECRET: secret}})))
    errors.push(await caught(ks.exportKey('ops', 'wrong')))
    errors.push(await caught(ks.importKey('ops2', secret.slice(0, 65), 'pw', FAST)))
    errors.push(await caught(ks.importKey('ops', secret, 'pw', FAST)))
    assert.ok(errors.length >= 27)
    const codes = new Set(errors.map((e) => e.code))
    for (const c of ['INVALID_PRIVATE_KEY', 'CONFLICTING_KEY_SOURCES', 'BAD_PASSWORD', 'KEYSTORE_LOCKED', 'DEV_ACCOUNT_NOT_LOCAL', 'ACCOUNT_EXISTS']) assert.ok(codes.has(c), c)
    for (const e of errors) assertNoSecret(e, [secret, ...mangles.filter((m) => /[1-9a-e]/.test(m.slice(2)))])
  })
})
