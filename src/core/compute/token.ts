import {getAddress, getBytes, keccak256, toUtf8Bytes, verifyMessage, type Signer} from 'ethers'

/**
 * `app-sk-…` API keys exactly as 0G's compute SDK makes them (≥ 0.6.2, src.ts/sdk/inference/broker/base.ts):
 *   raw = JSON.stringify({address, provider, timestamp, expiresAt, nonce, generation, tokenId})   (that key order)
 *   sig = personal_sign(keccak256(utf8(raw)))                                                       (EIP-191 over 32 bytes)
 *   key = "app-sk-" + base64(raw + "|" + sig)
 * tokenId 0..254 are persistent keys (revocable one by one), 255 is the SDK's ephemeral session token (≤ 24 h);
 * `generation` must equal the on-chain account's, so revokeAllTokens invalidates them all.
 */

export const EPHEMERAL_TOKEN_ID = 255
export const EPHEMERAL_MAX_MS = 24 * 60 * 60 * 1000

export interface AppToken {
  address: string
  provider: string
  /** ms since the epoch */
  timestamp: number
  /** ms since the epoch; 0 = never */
  expiresAt: number
  nonce: string
  generation: number
  tokenId: number
}

export interface CreateTokenOptions {
  provider: string
  generation: number
  tokenId: number
  /** Lifetime in ms; 0 = never expires (persistent keys only). */
  expiresInMs?: number
  now?: number
  nonce?: string
}

export async function createAppToken(signer: Signer, o: CreateTokenOptions): Promise<{key: string; token: AppToken}> {
  if (!Number.isInteger(o.tokenId) || o.tokenId < 0 || o.tokenId > 255) throw new RangeError(`tokenId must be 0..255, got ${o.tokenId}`)
  const now = o.now ?? Date.now()
  const expiresIn = o.expiresInMs ?? 0
  if (o.tokenId === EPHEMERAL_TOKEN_ID && (expiresIn <= 0 || expiresIn > EPHEMERAL_MAX_MS)) {
    throw new RangeError('an ephemeral token (id 255) must expire within 24 hours')
  }
  const {randomBytes} = await import('node:crypto')
  const token: AppToken = {
    address: await signer.getAddress(),
    provider: getAddress(o.provider),
    timestamp: now,
    expiresAt: expiresIn > 0 ? now + expiresIn : 0,
    nonce: o.nonce ?? randomBytes(16).toString('hex'),
    generation: o.generation,
    tokenId: o.tokenId,
  }
  // Field order matters: the signed text is this exact JSON.
  const raw = JSON.stringify({
    address: token.address,
    provider: token.provider,
    timestamp: token.timestamp,
    expiresAt: token.expiresAt,
    nonce: token.nonce,
    generation: token.generation,
    tokenId: token.tokenId,
  })
  const sig = await signer.signMessage(getBytes(keccak256(toUtf8Bytes(raw))))
  return {key: `app-sk-${Buffer.from(raw + '|' + sig).toString('base64')}`, token}
}

export interface ParsedToken {
  token: AppToken
  raw: string
  signature: string
  /** The address the signature recovers to (must equal token.address for a valid key). */
  signer: string
}

export class TokenFormatError extends Error {}

/** Decodes an app-sk key and recovers its signer. Throws TokenFormatError for anything malformed or unsigned. */
export function parseAppToken(key: string): ParsedToken {
  const k = key.trim().replace(/^Bearer\s+/i, '')
  if (!k.startsWith('app-sk-')) throw new TokenFormatError('the key does not start with "app-sk-"')
  let decoded: string
  try {
    decoded = Buffer.from(k.slice(7), 'base64').toString('utf8')
  } catch {
    throw new TokenFormatError('the key is not valid base64')
  }
  const bar = decoded.lastIndexOf('|')
  if (bar < 0) throw new TokenFormatError('the key carries no signature')
  const raw = decoded.slice(0, bar)
  const signature = decoded.slice(bar + 1)
  let t: Partial<AppToken>
  try {
    t = JSON.parse(raw) as Partial<AppToken>
  } catch {
    throw new TokenFormatError('the key payload is not JSON')
  }
  if (typeof t.address !== 'string' || typeof t.provider !== 'string' || typeof t.timestamp !== 'number' || typeof t.expiresAt !== 'number' || typeof t.generation !== 'number' || typeof t.tokenId !== 'number') {
    throw new TokenFormatError('the key payload lacks address, provider, timestamp, expiresAt, generation or tokenId')
  }
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) throw new TokenFormatError('the key carries no valid signature')
  let signer: string
  try {
    signer = verifyMessage(getBytes(keccak256(toUtf8Bytes(raw))), signature)
  } catch {
    throw new TokenFormatError('the key signature cannot be recovered')
  }
  return {token: {...(t as AppToken), nonce: String(t.nonce ?? '')}, raw, signature, signer}
}
