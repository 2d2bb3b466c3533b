import assert from 'node:assert/strict'
import fs from 'node:fs'
import {createRequire} from 'node:module'
import os from 'node:os'
import path from 'node:path'
import {describe, test} from 'node:test'
import {getBytes, keccak256, toUtf8Bytes, verifyMessage, Wallet} from 'ethers'
import {ROOT} from '../helpers/cli.js'
import {registerSecret} from '../helpers/capture.js'
import * as lm from '../../src/core/compute/tinylm.js'
import {createAppToken, parseAppToken, TokenFormatError} from '../../src/core/compute/token.js'
import {decryptDeliverable, DeliverableError, encryptDeliverable, sealToPublicKey, unsealWithPrivateKey} from '../../src/core/compute/deliverable.js'
import {readZip, writeZip} from '../../src/core/compute/zip.js'
import {recoverCancel, recoverTaskRequest, responseSignatureText, signCancel, signChat, signTaskRequest, verifyChatSignature} from '../../src/core/compute/signing.js'
import {datasetToText} from '../../src/devnet/compute/datasets.js'
import {BASE_CORPUS} from '../../src/devnet/compute/corpus/base-corpus.js'

const requireSdk = createRequire(path.join(ROOT, 'node_modules', '@0gfoundation', '0g-compute-ts-sdk', 'package.json'))
const sdkEncrypt = requireSdk('./lib.commonjs/common/utils/encrypt.js') as {
  aesGCMDecryptToFile(key: string, enc: string, out: string, signer: string): Promise<void>
  eciesDecrypt(signer: {privateKey: string}, data: string): Promise<string>
  signRequest(signer: Wallet, user: string, nonce: bigint, root: string): Promise<string>
  signTaskID(signer: Wallet, id: string): Promise<string>
}

const user = new Wallet(Wallet.createRandom().privateKey)
const tee = new Wallet(Wallet.createRandom().privateKey)
registerSecret(user.privateKey)
registerSecret(tee.privateKey)

describe('tiny language model', () => {
  test('gradient descent lowers the loss on the corpus, and generation comes from the weights', () => {
    const w = lm.initWeights(lm.DEFAULT_LM_CONFIG, 1)
    const ids = lm.encode(BASE_CORPUS, w.config)
    const before = lm.evaluate(w, ids)
    assert.ok(Math.abs(before - Math.log(lm.vocabSize(w.config))) < 0.5, `untrained loss ≈ ln V: ${before}`)
    const r = lm.train(w, ids, {steps: 300, batchSize: 32, learningRate: 0.006, seed: 3})
    assert.equal(r.losses.length, 300)
    const after = lm.evaluate(w, ids)
    assert.ok(after < before - 1.5, `loss falls: ${before} → ${after}`)
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length
    assert.ok(mean(r.losses.slice(-30)) < mean(r.losses.slice(0, 30)))

    // Same seed, same text; a different model (untrained) says something else.
    const g1 = lm.generate(w, lm.chatPrompt([{role: 'user', content: 'hello'}]), {maxTokens: 40, seed: 9})
    const g2 = lm.generate(w, lm.chatPrompt([{role: 'user', content: 'hello'}]), {maxTokens: 40, seed: 9})
    assert.equal(g1.text, g2.text)
    const fresh = lm.initWeights(lm.DEFAULT_LM_CONFIG, 2)
    assert.notEqual(lm.generate(fresh, lm.chatPrompt([{role: 'user', content: 'hello'}]), {maxTokens: 40, seed: 9}).text, g1.text)

    // Serialisation keeps the model exactly.
    const buf = lm.serialize(w, {name: 'x', steps: 300})
    const back = lm.deserialize(buf)
    assert.equal(back.meta.name, 'x')
    assert.deepEqual(back.weights.w1, w.w1)
    assert.equal(lm.generate(back.weights, 'Q: hi\nA:', {maxTokens: 30, seed: 4}).text, lm.generate(w, 'Q: hi\nA:', {maxTokens: 30, seed: 4}).text)
    assert.throws(() => lm.deserialize(buf.subarray(0, buf.length - 10)), /truncated/)
    assert.throws(() => lm.deserialize(Buffer.from('nope nope')), /magic/)
  })

  test('stop sequences and token counts', () => {
    const w = lm.initWeights(lm.DEFAULT_LM_CONFIG, 1)
    const g = lm.generate(w, 'Q: x\nA:', {maxTokens: 25, seed: 1})
    assert.equal(g.tokens, 25)
    assert.equal(g.finishReason, 'length')
    assert.equal(lm.encode('héllo\tx', w.config).length, 7)
  })
})

describe('app-sk API keys', () => {
  test('the exact SDK format: base64(JSON in field order | EIP-191 signature over keccak256(JSON))', async () => {
    const provider = Wallet.createRandom().address
    const {key, token} = await createAppToken(user, {provider, generation: 2, tokenId: 4, expiresInMs: 60_000, now: 1_700_000_000_000, nonce: 'abc'})
    assert.ok(key.startsWith('app-sk-'))
    const decoded = Buffer.from(key.slice(7), 'base64').toString('utf8')
    const [raw, sig] = decoded.split('|') as [string, string]
    assert.deepEqual(Object.keys(JSON.parse(raw)), ['address', 'provider', 'timestamp', 'expiresAt', 'nonce', 'generation', 'tokenId'])
    assert.equal(raw, JSON.stringify({address: user.address, provider, timestamp: 1_700_000_000_000, expiresAt: 1_700_000_060_000, nonce: 'abc', generation: 2, tokenId: 4}))
    assert.equal(verifyMessage(getBytes(keccak256(toUtf8Bytes(raw))), sig), user.address)
    const p = parseAppToken(`Bearer ${key}`)
    assert.equal(p.signer, user.address)
    assert.deepEqual(p.token, token)
    await assert.rejects(() => createAppToken(user, {provider, generation: 0, tokenId: 255}), /24 hours/)
    assert.throws(() => parseAppToken('sk-123'), TokenFormatError)
    assert.throws(() => parseAppToken('app-sk-' + Buffer.from(raw).toString('base64')), /no signature/)
    assert.throws(() => parseAppToken('app-sk-' + Buffer.from('{}|0x00').toString('base64')), TokenFormatError)
  })
})

describe('signatures', () => {
  test('chat signature text and check, task and cancel signatures interoperate with the SDK', async () => {
    const text = responseSignatureText('{"a":1}', 'data: x\n\n')
    assert.match(text, /^[0-9a-f]{64}:[0-9a-f]{64}$/)
    const s = await signChat(tee, text)
    assert.equal(verifyChatSignature(s.text, s.signature, tee.address), true)
    assert.equal(verifyChatSignature(s.text + 'x', s.signature, tee.address), false)
    assert.equal(verifyChatSignature(s.text, s.signature, user.address), false)

    const root = '0x' + 'ab'.repeat(32)
    const nonce = 17_000_000_000_000_040n
    const ours = await signTaskRequest(user, user.address, nonce, root)
    assert.equal(ours, await sdkEncrypt.signRequest(user, user.address, nonce, root))
    const rec = await recoverTaskRequest(user.address, nonce, root, ours)
    assert.equal(rec.address, user.address)
    assert.equal(rec.publicKey, user.signingKey.publicKey)
    const id = '1a6e05cf-4c62-485e-b322-017bfa35a098'
    const cancel = await signCancel(user, id)
    assert.equal(cancel, await sdkEncrypt.signTaskID(user, id))
    assert.equal(recoverCancel(id, cancel), user.address)
  })
})

describe('fine-tuning deliverables', () => {
  test('0G format: the SDK decrypts what the provider encrypts, and checks the TEE signature', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zg-deliv-'))
    try {
      const plain = Buffer.from(Array.from({length: 100_000}, (_, i) => i % 251))
      const {data, key} = encryptDeliverable(plain, tee)
      const enc = path.join(dir, 'model.enc')
      fs.writeFileSync(enc, data)
      const out = path.join(dir, 'model.out')
      await sdkEncrypt.aesGCMDecryptToFile(key.toString('hex'), enc, out, tee.address)
      assert.deepEqual(fs.readFileSync(out), plain)
      await assert.rejects(() => sdkEncrypt.aesGCMDecryptToFile(key.toString('hex'), enc, out, user.address), /Invalid tag signature/)
      assert.deepEqual(decryptDeliverable(data, key, tee.address), plain)
    } finally {
      fs.rmSync(dir, {recursive: true, force: true})
    }
  })

  test('several chunks, tampering, a wrong key or signer are caught', () => {
    const plain = Buffer.from('x'.repeat(1000))
    const {data, key} = encryptDeliverable(plain, tee, undefined, 300)
    assert.equal(data.length, 65 + 12 + 1000 + 4 * 16)
    assert.deepEqual(decryptDeliverable(data, key, tee.address, 300), plain)
    const bad = Buffer.from(data)
    bad[200] = bad[200]! ^ 1
    assert.throws(() => decryptDeliverable(bad, key, tee.address, 300), DeliverableError)
    assert.throws(() => decryptDeliverable(data, Buffer.alloc(32, 1), tee.address, 300), /does not decrypt/)
    assert.throws(() => decryptDeliverable(data, key, user.address, 300), /not by the provider/)
  })

  test('the model key sealed with ECIES opens with the SDK (eciesjs 0.4) and with zg', async () => {
    const secret = Buffer.alloc(32, 7)
    const sealed = await sealToPublicKey(user.signingKey.publicKey, secret)
    assert.equal((sealed.length - 2) / 2, 65 + 16 + 16 + 32)
    assert.equal(await sdkEncrypt.eciesDecrypt(user, sealed), secret.toString('hex'))
    assert.deepEqual(await unsealWithPrivateKey(user.privateKey, sealed), secret)
    // The 64-byte (Ethereum) public key form works too.
    const sealed64 = await sealToPublicKey('0x' + user.signingKey.publicKey.slice(4), secret)
    assert.deepEqual(await unsealWithPrivateKey(user.privateKey, sealed64), secret)
  })

  test('zip round trip, readable by unzip', () => {
    const entries = [
      {name: 'model.zglm', data: Buffer.from([1, 2, 3])},
      {name: 'dir/training.json', data: Buffer.from('{"a":1}')},
    ]
    const z = writeZip(entries)
    assert.deepEqual(readZip(z), entries)
    assert.throws(() => readZip(Buffer.from('not a zip at all, not at all')), /not a zip/)
  })
})

describe('datasets', () => {
  test('chat JSONL, instruction pairs, JSON arrays and plain text become training text', () => {
    const chat = datasetToText(Buffer.from('{"messages":[{"role":"system","content":"s"},{"role":"user","content":"hi  there"},{"role":"assistant","content":"yo"}]}\n'))
    assert.equal(chat.format, 'jsonl')
    assert.equal(chat.text, 'Q: hi there\nA: yo\n')
    const pairs = datasetToText(Buffer.from('[{"instruction":"a","output":"b"},{"prompt":"c","completion":"d"},{"text":"free"}]'))
    assert.equal(pairs.format, 'json')
    assert.equal(pairs.text, 'Q: a\nA: b\nQ: c\nA: d\nfree\n')
    const plain = datasetToText(Buffer.from('just text\nmore'))
    assert.equal(plain.format, 'text')
    assert.equal(plain.text, 'just text\nmore')
  })
})
