import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {test} from 'node:test'
import {HDNodeWallet, Mnemonic} from 'ethers'
import {DEV_MNEMONIC} from '../src/devnet/anvil.js'

/**
 * Runs after the whole suite (scripts/test.mjs): no private key, neither a dev account's nor any key a test
 * registered, appears in anything the tests captured from zg (stdout, stderr, logs).
 */
test('no private key appears in any captured output of the test suite', () => {
  const dir = process.env.ZG_TEST_CAPTURE_DIR
  if (!dir || !fs.existsSync(dir)) return
  const secrets = new Set<string>()
  const m = Mnemonic.fromPhrase(DEV_MNEMONIC)
  for (let i = 0; i < 10; i++) secrets.add(HDNodeWallet.fromMnemonic(m, `m/44'/60'/0'/0/${i}`).privateKey.slice(2).toLowerCase())
  const reg = path.join(dir, 'secrets.txt')
  if (fs.existsSync(reg)) for (const s of fs.readFileSync(reg, 'utf8').split('\n')) if (s.trim().length >= 32) secrets.add(s.trim())
  const leaks: string[] = []
  let scanned = 0
  for (const f of fs.readdirSync(dir)) {
    if (!f.startsWith('out-')) continue
    const text = fs.readFileSync(path.join(dir, f), 'utf8').toLowerCase()
    scanned += text.length
    for (const s of secrets) if (text.includes(s)) leaks.push(`${f}: …${s.slice(0, 6)}`)
  }
  assert.deepEqual(leaks, [], 'private keys found in captured output')
  assert.ok(scanned > 0 || !fs.readdirSync(dir).length, 'capture files were empty')
})
