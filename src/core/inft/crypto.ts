/**
 * The two ciphers of an INFT (shared/docs/protocol-inft.md "Encryption", 0g-compute-inft.md §2.4):
 *
 * - the payload: AES-256-GCM (Node's crypto) under a fresh random 32-byte data key, blob layout
 *   `nonce(12) ‖ ciphertext ‖ tag(16)`, no associated data (0G AgenticID's layout);
 * - the data key: sealed with ECIES to a secp256k1 public key, with the `eciesjs` library and its default
 *   parameters pinned here (so that nothing else mutating eciesjs' global config can change our wire format):
 *   ephemeral key uncompressed (65 B), HKDF-SHA256 over `ephemeralPK ‖ sharedPoint` (both uncompressed, no salt,
 *   no info), AES-256-GCM with a 16-byte nonce; payload `ephPK(65) ‖ nonce(16) ‖ tag(16) ‖ ciphertext`, so a
 *   sealed 32-byte key is 129 bytes starting with 0x04. eciesjs 0.4/0.5, Rust `ecies` and Go `ecies/go` read it.
 *
 * Failures to open either are reported as "authentication failed" (authError, exit 4): GCM cannot tell a wrong
 * key from tampered bytes, and the message never contains key material.
 */
import {createCipheriv, createDecipheriv, randomBytes} from 'node:crypto'
import {ECIES_CONFIG, decrypt as eciesDecrypt, encrypt as eciesEncrypt} from 'eciesjs'
import {SigningKey, computeAddress, getBytes, hexlify} from 'ethers'
import {authError, usageError} from '../errors.js'

export const DATA_KEY_BYTES = 32
export const GCM_NONCE_BYTES = 12
export const GCM_TAG_BYTES = 16
/** Name of the payload cipher as written in dataDescription. */
export const PAYLOAD_CIPHER = 'AES-256-GCM'
/** Name of the key sealing scheme as written in dataDescription. */
export const SEAL_SCHEME = 'ECIES-secp256k1-HKDF-SHA256-AES-256-GCM'
/** Length of an ECIES-sealed 32-byte data key. */
export const SEALED_KEY_BYTES = 65 + 16 + 16 + DATA_KEY_BYTES

/** eciesjs' parameters, pinned (a private copy of its Config, not the mutable global). */
const ECIES_PARAMS = Object.freeze(
  Object.assign(Object.create(Object.getPrototypeOf(ECIES_CONFIG)) as typeof ECIES_CONFIG, {
    ellipticCurve: 'secp256k1',
    isEphemeralKeyCompressed: false,
    isHkdfKeyCompressed: false,
    symmetricAlgorithm: 'aes-256-gcm',
    symmetricNonceLength: 16,
  }),
)

/** A fresh random 32-byte data key. Callers should `.fill(0)` it when done. */
export function newDataKey(): Uint8Array {
  return new Uint8Array(randomBytes(DATA_KEY_BYTES))
}

/** AES-256-GCM: `nonce(12) ‖ ciphertext ‖ tag(16)` with a random nonce. */
export function encryptPayload(plaintext: Uint8Array, dataKey: Uint8Array): Uint8Array {
  checkDataKey(dataKey)
  const nonce = randomBytes(GCM_NONCE_BYTES)
  const cipher = createCipheriv('aes-256-gcm', dataKey, nonce, {authTagLength: GCM_TAG_BYTES})
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return new Uint8Array(Buffer.concat([nonce, body, cipher.getAuthTag()]))
}

/**
 * Opens a blob written by encryptPayload.
 * @throws authError DECRYPTION_FAILED when the key is wrong or the blob was altered or truncated.
 */
export function decryptPayload(blob: Uint8Array, dataKey: Uint8Array, what = 'the encrypted agent bundle'): Uint8Array {
  checkDataKey(dataKey)
  if (blob.length < GCM_NONCE_BYTES + GCM_TAG_BYTES) {
    throw decryptionFailed(what, `it is ${blob.length} bytes, shorter than nonce + tag (${GCM_NONCE_BYTES + GCM_TAG_BYTES})`)
  }
  const nonce = blob.subarray(0, GCM_NONCE_BYTES)
  const tag = blob.subarray(blob.length - GCM_TAG_BYTES)
  const body = blob.subarray(GCM_NONCE_BYTES, blob.length - GCM_TAG_BYTES)
  try {
    const d = createDecipheriv('aes-256-gcm', dataKey, nonce, {authTagLength: GCM_TAG_BYTES})
    d.setAuthTag(tag)
    return new Uint8Array(Buffer.concat([d.update(body), d.final()]))
  } catch {
    throw decryptionFailed(what, 'the key does not match or the ciphertext was modified')
  }
}

function decryptionFailed(what: string, why: string) {
  return authError(`Decrypting ${what} failed: authentication failed (${why}).`, {
    code: 'DECRYPTION_FAILED',
    suggestions: ['Check that you use the key of the current owner (or an authorized user) and that the data root is the token\'s current one.'],
  })
}

function checkDataKey(k: Uint8Array) {
  if (!(k instanceof Uint8Array) || k.length !== DATA_KEY_BYTES) throw new TypeError(`a data key is ${DATA_KEY_BYTES} bytes`)
}

/**
 * Normalizes a secp256k1 public key given as 64 bytes (Ethereum form, no prefix), 65 bytes (0x04 ‖ x ‖ y) or
 * 33 bytes (compressed) to the 65-byte uncompressed form; rejects points not on the curve.
 */
export function uncompressedPublicKey(pub: string | Uint8Array, what = 'public key'): Uint8Array {
  let b: Uint8Array
  try {
    b = typeof pub === 'string' ? getBytes(pub.startsWith('0x') ? pub : '0x' + pub) : pub
  } catch {
    throw usageError(`The ${what} is not hex.`, {code: 'INVALID_PUBLIC_KEY'})
  }
  if (b.length === 64) b = new Uint8Array([4, ...b])
  if (b.length !== 65 && b.length !== 33) throw usageError(`The ${what} must be 64, 65 or 33 bytes, got ${b.length}.`, {code: 'INVALID_PUBLIC_KEY'})
  try {
    return getBytes(SigningKey.computePublicKey(b, false))
  } catch {
    throw usageError(`The ${what} is not a point on secp256k1.`, {code: 'INVALID_PUBLIC_KEY'})
  }
}

/** The 64-byte form (x ‖ y, no 0x04) that ERC-7857 proofs carry as `targetPubkey`, as 0x-hex. */
export function ethPublicKey(pub: string | Uint8Array): string {
  return hexlify(uncompressedPublicKey(pub).subarray(1))
}

/** The Ethereum address of a public key in any of the accepted forms. */
export function addressOfPublicKey(pub: string | Uint8Array): string {
  return computeAddress(hexlify(uncompressedPublicKey(pub)))
}

/** The 64-byte public key (0x-hex) of a private key; the private key stays with the caller. */
export function publicKeyOf(privateKey: string | SigningKey): string {
  const sk = typeof privateKey === 'string' ? new SigningKey(privateKey) : privateKey
  return hexlify(getBytes(sk.publicKey).subarray(1))
}

/** ECIES-seals `data` (normally a data key) to `publicKey` (64/65/33 bytes). Returns the 0x-hex payload. */
export function sealTo(publicKey: string | Uint8Array, data: Uint8Array): string {
  const pk = uncompressedPublicKey(publicKey, 'receiver public key')
  return hexlify(eciesEncrypt(pk, data, ECIES_PARAMS))
}

/**
 * Opens an ECIES payload with a private key (0x-hex or a SigningKey).
 * @throws authError DECRYPTION_FAILED when it was not sealed to this key or was altered.
 */
export function openSealed(privateKey: string | SigningKey, sealed: string | Uint8Array, what = 'the sealed data key'): Uint8Array {
  let bytes: Uint8Array
  try {
    bytes = typeof sealed === 'string' ? getBytes(sealed) : sealed
  } catch {
    throw decryptionFailed(what, 'it is not hex')
  }
  if (bytes.length < 65 + 16 + 16 || bytes[0] !== 4) throw decryptionFailed(what, `it is not an ECIES payload (${bytes.length} bytes)`)
  const sk = typeof privateKey === 'string' ? privateKey : privateKey.privateKey
  const raw = getBytes(sk)
  try {
    return new Uint8Array(eciesDecrypt(raw, bytes, ECIES_PARAMS))
  } catch {
    throw decryptionFailed(what, 'it was sealed to another key or was modified')
  } finally {
    raw.fill(0)
  }
}
