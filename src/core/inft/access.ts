/**
 * Access proofs: the receiver's half of an ERC-7857 transfer. For each data item of the token, the receiver (or
 * the assistant it delegated access to with `delegateAccess`) signs "seal this data key to `targetPubkey`"
 * (proofs.ts accessProofDigest: chain id, contract, dataHash, targetPubkey, nonce, deadline). zg always names the
 * key explicitly (the signer's own 64-byte public key) so the oracle knows whom to seal to.
 *
 * `zg inft request-access` writes them to a file (AccessRequestFile) that the sender passes with --access-proof;
 * when zg holds the receiver's account the sender's zg signs them directly.
 */
import {randomBytes} from 'node:crypto'
import {getAddress, hexlify, isHexString, type Wallet} from 'ethers'
import {usageError} from '../errors.js'
import {addressOfPublicKey, ethPublicKey, publicKeyOf} from './crypto.js'
import type {IntelligentData} from './contract.js'
import {accessProofDigest, recoverProofSigner, signProofDigest} from './proofs.js'

export const ACCESS_REQUEST_TYPE = 'zg.inft.access-request'
export const ACCESS_REQUEST_VERSION = 1
export const DEFAULT_ACCESS_TTL_SECONDS = 24 * 3600

export interface AccessProofJson {
  dataHash: string
  targetPubkey: string
  nonce: string
  proof: string
  deadline: number
}

export interface AccessRequestFile {
  type: typeof ACCESS_REQUEST_TYPE
  version: number
  chainId: number
  nft: string
  tokenId: string
  /** Who the token goes to. */
  receiver: string
  /** Who signed (the receiver, or its delegate). */
  signer: string
  /** The 64-byte key the data keys are to be sealed to (the signer's). */
  publicKey: string
  proofs: AccessProofJson[]
  createdAt: string
}

export interface CreateAccessOptions {
  chainId: number
  nft: string
  tokenId: bigint
  datas: IntelligentData[]
  /** The receiver's key, or its delegate's. */
  signer: Wallet
  /** Default: the signer. */
  receiver?: string
  ttlSeconds?: number
  now?: number
}

export async function createAccessRequest(o: CreateAccessOptions): Promise<AccessRequestFile> {
  const ttl = o.ttlSeconds ?? DEFAULT_ACCESS_TTL_SECONDS
  if (!Number.isInteger(ttl) || ttl <= 0) throw usageError('The validity of an access proof must be a positive number of seconds.')
  const now = o.now ?? Math.floor(Date.now() / 1000)
  const deadline = now + ttl
  const targetPubkey = publicKeyOf(o.signer.signingKey)
  const proofs: AccessProofJson[] = []
  for (const d of o.datas) {
    const nonce = hexlify(randomBytes(32))
    const digest = accessProofDigest({chainId: o.chainId, nft: o.nft, dataHash: d.dataHash, targetPubkey, nonce, deadline})
    proofs.push({dataHash: d.dataHash, targetPubkey, nonce, proof: await signProofDigest(o.signer, digest), deadline})
  }
  return {
    type: ACCESS_REQUEST_TYPE,
    version: ACCESS_REQUEST_VERSION,
    chainId: o.chainId,
    nft: getAddress(o.nft),
    tokenId: o.tokenId.toString(),
    receiver: getAddress(o.receiver ?? o.signer.address),
    signer: o.signer.address,
    publicKey: targetPubkey,
    proofs,
    createdAt: new Date(now * 1000).toISOString(),
  }
}

/** Reads an access request file's JSON text; usage errors name the problem. */
export function parseAccessRequest(text: string, source = 'the access proof file'): AccessRequestFile {
  const bad = (why: string) => usageError(`${source} is not a zg access proof: ${why}.`, {code: 'INVALID_ACCESS_PROOF', suggestions: ['The receiver creates it with: zg inft request-access <id> --out FILE']})
  let f: AccessRequestFile
  try {
    f = JSON.parse(text) as AccessRequestFile
  } catch {
    throw bad('it is not JSON')
  }
  if (!f || f.type !== ACCESS_REQUEST_TYPE) throw bad(`its type is not "${ACCESS_REQUEST_TYPE}"`)
  if (f.version !== ACCESS_REQUEST_VERSION) throw bad(`version ${f.version} is not supported (this zg reads ${ACCESS_REQUEST_VERSION})`)
  if (!Number.isInteger(f.chainId)) throw bad('chainId is missing')
  for (const k of ['nft', 'receiver', 'signer'] as const) {
    try {
      f[k] = getAddress(f[k])
    } catch {
      throw bad(`${k} is not an address`)
    }
  }
  if (typeof f.tokenId !== 'string' || !/^\d+$/.test(f.tokenId)) throw bad('tokenId is missing')
  try {
    f.publicKey = ethPublicKey(f.publicKey)
  } catch {
    throw bad('publicKey is not a secp256k1 public key')
  }
  if (!Array.isArray(f.proofs) || f.proofs.length === 0) throw bad('it holds no proofs')
  for (const [i, p] of f.proofs.entries()) {
    if (!isHexString(p.dataHash, 32) || !isHexString(p.targetPubkey) || !isHexString(p.nonce) || !isHexString(p.proof) || !Number.isInteger(p.deadline)) throw bad(`proof ${i} is malformed`)
  }
  return f
}

export interface AccessCheckContext {
  chainId: number
  nft: string
  tokenId: bigint
  /** The transfer's receiver. */
  to: string
  /** The token's current data, in order. */
  datas: IntelligentData[]
  /** getDelegateAccess(to) (zero address when none). */
  delegate: string
  now?: number
  /** Seconds a proof must still be valid for (time to get the oracle's proof and mine); default 60. */
  marginSeconds?: number
}

/**
 * Checks an access request against the transfer before anything is sent, with the reasons a user can act on
 * (the contract would only say which check failed). Returns the 64-byte key to seal to.
 */
export function checkAccessRequest(f: AccessRequestFile, c: AccessCheckContext): string {
  const bad = (why: string, suggestions: string[] = []) => usageError(`The access proof cannot be used: ${why}.`, {code: 'ACCESS_PROOF_MISMATCH', suggestions})
  const again = [`Ask the receiver for a new one: zg inft request-access ${c.tokenId} --network <this network> --out FILE`]
  if (f.chainId !== c.chainId) throw bad(`it was made for chain ${f.chainId}, this network is chain ${c.chainId}`, again)
  if (getAddress(f.nft) !== getAddress(c.nft)) throw bad(`it was made for the collection ${f.nft}, not ${c.nft}`, again)
  if (getAddress(f.receiver) !== getAddress(c.to)) throw bad(`it was made by/for ${f.receiver}, but --to is ${c.to}`)
  const signerOk = getAddress(f.signer) === getAddress(c.to) || getAddress(f.signer) === getAddress(c.delegate)
  if (!signerOk) throw bad(`its signer ${f.signer} is neither the receiver nor the receiver's delegate`)
  if (f.proofs.length !== c.datas.length) throw bad(`it has ${f.proofs.length} proof(s), the token has ${c.datas.length} data item(s)`, again)
  const now = c.now ?? Math.floor(Date.now() / 1000)
  const margin = c.marginSeconds ?? 60
  for (const [i, p] of f.proofs.entries()) {
    if (p.dataHash.toLowerCase() !== c.datas[i]!.dataHash.toLowerCase()) throw bad(`proof ${i} is for data ${p.dataHash}, the token now holds ${c.datas[i]!.dataHash} (it was updated or rotated since)`, again)
    if (p.deadline < now + margin) throw bad(`proof ${i} expire${p.deadline < now ? 'd' : 's'} at ${new Date(p.deadline * 1000).toISOString()}`, again)
    if (ethPublicKey(p.targetPubkey) !== f.publicKey) throw bad(`proof ${i} names another key than the file's publicKey`)
    const digest = accessProofDigest({chainId: c.chainId, nft: c.nft, dataHash: p.dataHash, targetPubkey: p.targetPubkey, nonce: p.nonce, deadline: p.deadline})
    let signer: string
    try {
      signer = getAddress(recoverProofSigner(digest, p.proof))
    } catch {
      throw bad(`proof ${i} has a malformed signature`)
    }
    if (signer !== getAddress(f.signer)) throw bad(`proof ${i} was not signed by ${f.signer} (or it was altered)`)
  }
  // When the receiver signs for itself, its key must be the one that controls `to`.
  if (getAddress(f.signer) === getAddress(c.to) && addressOfPublicKey(f.publicKey) !== getAddress(c.to)) throw bad('its public key does not belong to the receiver')
  return f.publicKey
}
