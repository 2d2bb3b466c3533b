import {createCipheriv, createDecipheriv, randomBytes} from 'node:crypto'
import {keccak256, recoverAddress, Signature, type Wallet} from 'ethers'

/**
 * 0G's fine-tuning deliverable format (SDK common/utils/encrypt.ts aesGCMDecryptToFile; broker finalizer):
 *   sig(65) ‖ iv(12) ‖ chunk₁ ‖ chunk₂ ‖ …      chunkᵢ = AES-256-GCM(plaintext slice ≤ 64 MiB) ‖ tag(16)
 * The IV is incremented big-endian by one per chunk; `sig` is a raw secp256k1 signature (r‖s‖v, v ∈ {0,1}, no
 * EIP-191 prefix) by the provider's TEE signer over keccak256(tag₁ ‖ tag₂ ‖ …). The 32-byte key travels sealed
 * to the user with ECIES (eciesjs-compatible) as the deliverable's `encryptedSecret` on chain.
 */

const IV_LEN = 12
const TAG_LEN = 16
const SIG_LEN = 65
export const DELIVERABLE_CHUNK = 64 * 1024 * 1024

function incIv(iv: Buffer): void {
  for (let i = iv.length - 1; i >= 0; i--) {
    iv[i] = (iv[i]! + 1) & 0xff
    if (iv[i] !== 0) break
  }
}

export function encryptDeliverable(plain: Uint8Array, teeSigner: Wallet, key: Buffer = randomBytes(32), chunkSize = DELIVERABLE_CHUNK): {data: Buffer; key: Buffer} {
  if (key.length !== 32) throw new RangeError('the deliverable key must be 32 bytes')
  const iv0 = randomBytes(IV_LEN)
  const iv = Buffer.from(iv0)
  const parts: Buffer[] = []
  const tags: Buffer[] = []
  for (let off = 0; off < plain.length || (off === 0 && plain.length === 0); off += chunkSize) {
    const c = createCipheriv('aes-256-gcm', key, iv)
    const ct = Buffer.concat([c.update(plain.subarray(off, off + chunkSize)), c.final()])
    const tag = c.getAuthTag()
    parts.push(ct, tag)
    tags.push(tag)
    incIv(iv)
    if (plain.length === 0) break
  }
  const sig = teeSigner.signingKey.sign(keccak256(Buffer.concat(tags)))
  const raw = Buffer.concat([Buffer.from(sig.r.slice(2), 'hex'), Buffer.from(sig.s.slice(2), 'hex'), Buffer.from([sig.yParity])])
  return {data: Buffer.concat([raw, iv0, ...parts]), key}
}

export class DeliverableError extends Error {}

/** Decrypts and checks the tag signature against the provider's TEE signer (like the SDK, after decrypting). */
export function decryptDeliverable(data: Uint8Array, key: Uint8Array, expectedSigner: string, chunkSize = DELIVERABLE_CHUNK): Buffer {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  if (buf.length < SIG_LEN + IV_LEN + TAG_LEN) throw new DeliverableError('the encrypted model is too short to be a deliverable')
  if (key.length !== 32) throw new DeliverableError('the model key must be 32 bytes')
  const sig = buf.subarray(0, SIG_LEN)
  const iv = Buffer.from(buf.subarray(SIG_LEN, SIG_LEN + IV_LEN))
  const out: Buffer[] = []
  const tags: Buffer[] = []
  const step = chunkSize + TAG_LEN
  for (let off = SIG_LEN + IV_LEN; off < buf.length; off += step) {
    const chunk = buf.subarray(off, Math.min(off + step, buf.length))
    if (chunk.length < TAG_LEN) throw new DeliverableError('the encrypted model is truncated')
    const tag = chunk.subarray(chunk.length - TAG_LEN)
    const d = createDecipheriv('aes-256-gcm', key, iv)
    d.setAuthTag(tag)
    try {
      out.push(Buffer.concat([d.update(chunk.subarray(0, chunk.length - TAG_LEN)), d.final()]))
    } catch {
      throw new DeliverableError('the model does not decrypt with this key (wrong key or corrupted data)')
    }
    tags.push(Buffer.from(tag))
    incIv(iv)
  }
  let signer: string
  try {
    signer = recoverAddress(keccak256(Buffer.concat(tags)), Signature.from('0x' + sig.toString('hex')))
  } catch {
    throw new DeliverableError('the deliverable signature is malformed')
  }
  if (signer.toLowerCase() !== expectedSigner.toLowerCase()) {
    throw new DeliverableError(`the deliverable is signed by ${signer}, not by the provider's TEE signer ${expectedSigner}`)
  }
  return Buffer.concat(out)
}

/** ECIES-seals `secret` to a secp256k1 public key (0x04… 65 bytes, 64 bytes or compressed 33 bytes). Hex out. */
export async function sealToPublicKey(publicKey: string, secret: Uint8Array): Promise<string> {
  const {encrypt} = await import('eciesjs')
  let pk = publicKey.replace(/^0x/, '')
  if (pk.length === 128) pk = '04' + pk
  return '0x' + Buffer.from(encrypt(pk, secret)).toString('hex')
}

export async function unsealWithPrivateKey(privateKey: string, sealed: string): Promise<Buffer> {
  const {decrypt} = await import('eciesjs')
  return Buffer.from(decrypt(privateKey.replace(/^0x/, ''), Buffer.from(sealed.replace(/^0x/, ''), 'hex')))
}
