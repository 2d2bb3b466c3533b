import assert from 'node:assert/strict'
import {createDecipheriv, hkdfSync, randomBytes} from 'node:crypto'
import {inspect} from 'node:util'
import {describe, test} from 'node:test'
import {decrypt as eciesDecrypt, encrypt as eciesEncrypt, PrivateKey} from 'eciesjs'
import {SigningKey, Wallet, getBytes, hexlify} from 'ethers'
import {ZgError} from '../../src/core/errors.js'
import {AgentKey, BUNDLE_SCHEMA_VERSION, newBundle, parseBundle, rotateBundle, serializeBundle} from '../../src/core/inft/bundle.js'
import {
  addressOfPublicKey,
  decryptPayload,
  encryptPayload,
  ethPublicKey,
  GCM_NONCE_BYTES,
  GCM_TAG_BYTES,
  newDataKey,
  openSealed,
  publicKeyOf,
  sealTo,
  SEALED_KEY_BYTES,
} from '../../src/core/inft/crypto.js'
import {buildDescription, parseDescription, serializeDescription} from '../../src/core/inft/description.js'
import {registerSecret} from '../helpers/capture.js'

const expectAuthFailure = (fn: () => unknown) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ZgError)
    assert.equal(e.code, 'DECRYPTION_FAILED')
    assert.equal(e.exit, 4)
    assert.match(e.message, /authentication failed/)
    return true
  })

describe('INFT payload cipher (AES-256-GCM)', () => {
  test('round-trips with the layout nonce(12) ‖ ciphertext ‖ tag(16)', () => {
    const key = newDataKey()
    const plain = new TextEncoder().encode('hello agent')
    const blob = encryptPayload(plain, key)
    assert.equal(blob.length, GCM_NONCE_BYTES + plain.length + GCM_TAG_BYTES)
    assert.deepEqual(decryptPayload(blob, key), plain)
    // An independent decoder of the documented layout opens it.
    const d = createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12))
    d.setAuthTag(blob.subarray(blob.length - 16))
    assert.equal(Buffer.concat([d.update(blob.subarray(12, blob.length - 16)), d.final()]).toString(), 'hello agent')
    // A fresh nonce per encryption.
    assert.notDeepEqual(encryptPayload(plain, key).subarray(0, 12), blob.subarray(0, 12))
  })

  test('a corrupted ciphertext, tag or nonce, a truncated blob and a wrong key all fail authentication', () => {
    const key = newDataKey()
    const blob = encryptPayload(new TextEncoder().encode('x'.repeat(100)), key)
    for (const at of [0, 12, 50, blob.length - 1]) {
      const bad = blob.slice()
      bad[at]! ^= 1
      expectAuthFailure(() => decryptPayload(bad, key))
    }
    expectAuthFailure(() => decryptPayload(blob.subarray(0, 20), key))
    expectAuthFailure(() => decryptPayload(blob, newDataKey()))
  })
})

describe('ECIES sealing (eciesjs-compatible)', () => {
  const receiver = Wallet.createRandom()
  registerSecret(receiver.privateKey)

  test('a key sealed by zg is opened by the eciesjs library directly (129-byte payload, 0x04 prefix)', () => {
    const dataKey = newDataKey()
    for (const pub of [receiver.signingKey.publicKey, publicKeyOf(receiver.signingKey), receiver.signingKey.compressedPublicKey]) {
      const sealed = getBytes(sealTo(pub, dataKey))
      assert.equal(sealed.length, SEALED_KEY_BYTES)
      assert.equal(sealed[0], 4)
      assert.deepEqual(new Uint8Array(eciesDecrypt(receiver.privateKey.slice(2), sealed)), dataKey)
      assert.deepEqual(new Uint8Array(eciesDecrypt(getBytes(receiver.privateKey), sealed)), dataKey)
    }
  })

  test('zg opens what eciesjs sealed, to a 64-byte Ethereum public key too', () => {
    const dataKey = newDataKey()
    const sealed = eciesEncrypt(publicKeyOf(receiver.signingKey).slice(2), dataKey)
    assert.deepEqual(openSealed(receiver.privateKey, sealed), dataKey)
    const sk = new PrivateKey()
    const sealed2 = eciesEncrypt(sk.publicKey.toHex(), dataKey)
    assert.deepEqual(openSealed(hexlify(sk.secret), hexlify(sealed2)), dataKey)
  })

  test('the wire format is the documented one: ephPK(65) ‖ nonce(16) ‖ tag(16) ‖ ct, key = HKDF-SHA256(ephPK ‖ shared)', () => {
    const dataKey = newDataKey()
    const sealed = getBytes(sealTo(receiver.signingKey.publicKey, dataKey))
    const eph = sealed.subarray(0, 65)
    const shared = getBytes(receiver.signingKey.computeSharedSecret(hexlify(eph))) // uncompressed point
    const aesKey = Buffer.from(hkdfSync('sha256', Buffer.concat([eph, shared]), Buffer.alloc(0), Buffer.alloc(0), 32))
    const d = createDecipheriv('aes-256-gcm', aesKey, sealed.subarray(65, 81))
    d.setAuthTag(sealed.subarray(81, 97))
    assert.deepEqual(new Uint8Array(Buffer.concat([d.update(sealed.subarray(97)), d.final()])), dataKey)
  })

  test('opening with the wrong key or a tampered payload fails authentication', () => {
    const sealed = getBytes(sealTo(receiver.signingKey.publicKey, newDataKey()))
    const other = Wallet.createRandom()
    expectAuthFailure(() => openSealed(other.privateKey, sealed))
    const bad = sealed.slice()
    bad[100]! ^= 0xff
    expectAuthFailure(() => openSealed(receiver.privateKey, bad))
    expectAuthFailure(() => openSealed(receiver.privateKey, sealed.subarray(0, 50)))
  })

  test('public key forms and addresses agree; junk is refused', () => {
    const k = receiver.signingKey
    assert.equal(ethPublicKey(k.publicKey), publicKeyOf(k))
    assert.equal(ethPublicKey(k.compressedPublicKey), publicKeyOf(k))
    assert.equal(addressOfPublicKey(publicKeyOf(k)), receiver.address)
    assert.throws(() => ethPublicKey('0x1234'), /64, 65 or 33 bytes/)
    assert.throws(() => ethPublicKey('0x' + '11'.repeat(64)), /not a point/)
  })
})

describe('agent bundle', () => {
  test('serializes with a schema version and parses back; the key is only in the serialized bytes', () => {
    const agent = AgentKey.generate()
    registerSecret(agent.reveal())
    const b = newBundle({name: ' Agent ', description: 'd', model: {root: '0x' + 'ab'.repeat(32)}, systemPrompt: 'be kind', tools: [{name: 'search'}], memory: {facts: [1]}}, agent)
    const bytes = serializeBundle(b)
    const doc = JSON.parse(new TextDecoder().decode(bytes))
    assert.equal(doc.schemaVersion, BUNDLE_SCHEMA_VERSION)
    assert.equal(doc.type, 'zg.inft.agent-bundle')
    assert.equal(doc.agent.privateKey, agent.reveal())
    const back = parseBundle(bytes)
    assert.equal(back.agent.address, agent.address)
    assert.equal(back.agent.reveal(), agent.reveal())
    assert.deepEqual(back.metadata, {name: 'Agent', description: 'd', model: {root: '0x' + 'ab'.repeat(32)}, systemPrompt: 'be kind', tools: [{name: 'search'}], memory: {facts: [1]}})

    // Nothing printable carries the key.
    const hex = agent.reveal().slice(2)
    for (const s of [JSON.stringify(b), JSON.stringify(back), inspect(b, {depth: 10}), String(agent), `${agent}`]) assert.ok(!s.includes(hex), s)

    const rotated = rotateBundle(back, AgentKey.generate())
    registerSecret(rotated.agent.reveal())
    const again = parseBundle(serializeBundle(rotated))
    assert.equal(again.previousAgents[0]!.key.address, agent.address)
    assert.notEqual(again.agent.address, agent.address)
  })

  test('invalid bundles and keys are refused without echoing them', () => {
    const bad = '0x' + 'zz'.repeat(32)
    assert.throws(() => AgentKey.fromHex(bad), (e: ZgError) => e.code === 'INVALID_AGENT_KEY' && !e.message.includes('zzzz'))
    assert.throws(() => AgentKey.fromHex('0x' + '00'.repeat(32)), /outside the range/)
    assert.throws(() => parseBundle(new TextEncoder().encode('{"type":"other"}')), (e: ZgError) => e.code === 'BUNDLE_INVALID')
    const k = AgentKey.generate()
    registerSecret(k.reveal())
    const doc = JSON.parse(new TextDecoder().decode(serializeBundle(newBundle({name: 'a'}, k))))
    doc.schemaVersion = 99
    assert.throws(() => parseBundle(new TextEncoder().encode(JSON.stringify(doc))), (e: ZgError) => e.code === 'BUNDLE_TOO_NEW' && !e.message.includes(k.reveal().slice(2)))
    doc.schemaVersion = 1
    doc.agent.address = Wallet.createRandom().address
    assert.throws(() => parseBundle(new TextEncoder().encode(JSON.stringify(doc))), (e: ZgError) => e.code === 'BUNDLE_INVALID' && !e.message.includes(k.reveal().slice(2)))
    assert.throws(() => newBundle({name: ''}, k), /needs a name/)
  })

  test('a full encrypt → seal → open → decrypt cycle, and the data description', () => {
    const owner = new Wallet(hexlify(randomBytes(32)))
    registerSecret(owner.privateKey)
    const agent = AgentKey.generate()
    registerSecret(agent.reveal())
    const dataKey = newDataKey()
    const blob = encryptPayload(serializeBundle(newBundle({name: 'n'}, agent)), dataKey)
    const sealed = sealTo(new SigningKey(owner.privateKey).publicKey, dataKey)
    const opened = openSealed(owner.privateKey, sealed)
    assert.equal(parseBundle(decryptPayload(blob, opened)).agent.address, agent.address)

    const desc = buildDescription({root: '0x' + 'cd'.repeat(32), size: blob.length, agent: agent.address, oracle: {address: owner.address, sealedKey: sealed}})
    const text = serializeDescription(desc)
    assert.ok(!text.includes(agent.reveal().slice(2)))
    const parsed = parseDescription(text)!
    assert.equal(parsed.agent, agent.address)
    assert.equal(parsed.encryption, 'AES-256-GCM')
    assert.equal(parsed.storage_ptr.size, blob.length)
    assert.equal(parsed.oracle?.sealedKey, sealed.toLowerCase())
    assert.equal(parseDescription('{"chainURL":"x"}'), undefined)
    assert.equal(parseDescription('not json'), undefined)
  })
})
