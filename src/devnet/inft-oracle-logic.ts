/**
 * What the devnet's INFT re-encryption oracle decides and computes, without HTTP (src/devnet/inft-oracle.ts
 * serves it). On a real network this runs inside a TEE; here it holds the devnet oracle key that the TEEVerifier
 * trusts. The protocol and the flows are described in src/core/inft/oracle.ts.
 *
 * Re-seal (transfer/clone): the owner sends the data keys sealed to this oracle and a receiver's public key. The
 * oracle checks the request signature and deadline, that the signer owns the token on chain, that the keys are
 * for the token's current data and really open its ciphertext on 0G Storage, then seals the same keys to the
 * receiver and signs the ownership proofs (digest with chain id, contract, nonce, deadline).
 *
 * Access (authorized users): the user signs a request for its own public key; the oracle checks on chain that it
 * is the owner or an authorized user and re-seals the oracle's copy of the data key kept in the dataDescription.
 */
import {randomBytes} from 'node:crypto'
import {getAddress, hexlify, isHexString, type JsonRpcProvider, type Wallet} from 'ethers'
import {ZgError} from '../core/errors.js'
import {authorizedUsersOf, intelligentDatasOf, ownerOfToken} from '../core/inft/contract.js'
import {addressOfPublicKey, decryptPayload, ethPublicKey, openSealed, publicKeyOf, sealTo} from '../core/inft/crypto.js'
import {parseDescription} from '../core/inft/description.js'
import {
  accessKeyDigest,
  MAX_REQUEST_TTL_SECONDS,
  ORACLE_PROTOCOL_VERSION,
  OWNERSHIP_PROOF_TTL_SECONDS,
  recoverRequestSigner,
  resealDigest,
  type AccessKeyRequest,
  type AccessKeyResponse,
  type OracleInfo,
  type OwnershipProofJson,
  type ResealRequest,
  type ResealResponse,
} from '../core/inft/oracle.js'
import {ownershipProofDigest, signProofDigest} from '../core/inft/proofs.js'

/** An error with the HTTP status and code the oracle answers with. */
export class OracleError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'OracleError'
  }
}

export interface OracleDeps {
  wallet: Wallet
  provider: JsonRpcProvider
  chainId: number
  /** AgentNFT contracts served. */
  contracts: string[]
  /** Fetches (and verifies against its root) an encrypted blob; the re-seal checks keys against it. */
  fetchBlob: (root: string, maxBytes?: number) => Promise<Uint8Array>
  /** Unix seconds; default the wall clock. */
  now?: () => number
  log?: (line: string) => void
}

const CLOCK_SLACK_SECONDS = 60

export class ReencryptionOracle {
  private readonly d: OracleDeps
  private readonly contracts: Set<string>

  constructor(deps: OracleDeps) {
    this.d = deps
    this.contracts = new Set(deps.contracts.map((c) => getAddress(c)))
  }

  private now(): number {
    return this.d.now ? this.d.now() : Math.floor(Date.now() / 1000)
  }

  info(): OracleInfo {
    return {
      protocol: ORACLE_PROTOCOL_VERSION,
      address: this.d.wallet.address,
      publicKey: publicKeyOf(this.d.wallet.signingKey),
      chainId: this.d.chainId,
      contracts: [...this.contracts],
      kind: 'devnet',
    }
  }

  async reseal(body: unknown): Promise<ResealResponse> {
    const req = body as ResealRequest
    const {nft, tokenId} = this.common(req)
    if (!isAddr(req.from)) throw bad('from must be an address')
    if (!Array.isArray(req.sealedKeys) || req.sealedKeys.some((k) => !isHexString(k))) throw bad('sealedKeys must be a list of hex strings')
    const target = this.pubkey(req.targetPubkey)
    const signer = this.signer(resealDigest({...req, nft, from: getAddress(req.from)}), req.signature)
    if (signer !== getAddress(req.from)) throw new OracleError(403, 'BAD_SIGNATURE', `the request is signed by ${signer}, not by ${getAddress(req.from)}`)
    const owner = await this.ownerOf(nft, tokenId)
    if (owner !== signer) throw new OracleError(403, 'NOT_OWNER', `${signer} does not own token ${tokenId} (owner: ${owner})`)
    const datas = await intelligentDatasOf(this.d.provider, nft, tokenId)
    if (req.sealedKeys.length !== datas.length) throw bad(`${req.sealedKeys.length} sealed key(s) for ${datas.length} data item(s)`)

    const deadline = this.now() + OWNERSHIP_PROOF_TTL_SECONDS
    const proofs: OwnershipProofJson[] = []
    for (const [i, d] of datas.entries()) {
      let key: Uint8Array
      try {
        key = openSealed(this.d.wallet.signingKey, req.sealedKeys[i]!)
      } catch {
        throw new OracleError(422, 'KEY_NOT_FOR_ORACLE', `sealed key ${i} does not open with the oracle's key`)
      }
      try {
        await this.checkKeyOpensData(d.dataHash, d.dataDescription, key, i)
        const sealedKey = sealTo(target, key)
        const nonce = hexlify(randomBytes(32))
        const fields = {chainId: this.d.chainId, nft, dataHash: d.dataHash, sealedKey, targetPubkey: target, nonce, deadline}
        const proof = await signProofDigest(this.d.wallet, ownershipProofDigest(fields))
        proofs.push({oracleType: 0, dataHash: d.dataHash, sealedKey, targetPubkey: target, nonce, proof, deadline})
      } finally {
        key.fill(0)
      }
    }
    this.d.log?.(`reseal token ${tokenId} of ${nft} for ${addressOfPublicKey(target)} (${proofs.length} item(s)) by ${signer}`)
    return {ownershipProofs: proofs}
  }

  async access(body: unknown): Promise<AccessKeyResponse> {
    const req = body as AccessKeyRequest
    const {nft, tokenId} = this.common(req)
    if (!isAddr(req.user)) throw bad('user must be an address')
    const target = this.pubkey(req.targetPubkey)
    const user = getAddress(req.user)
    const signer = this.signer(accessKeyDigest({...req, nft, user}), req.signature)
    if (signer !== user) throw new OracleError(403, 'BAD_SIGNATURE', `the request is signed by ${signer}, not by ${user}`)
    if (addressOfPublicKey(target) !== user) throw bad('targetPubkey must be the user\'s own public key')
    const owner = await this.ownerOf(nft, tokenId)
    if (owner !== user) {
      const users = await authorizedUsersOf(this.d.provider, nft, tokenId)
      if (!users.includes(user)) throw new OracleError(403, 'NOT_AUTHORIZED', `${user} is neither the owner of token ${tokenId} nor one of its authorized users`)
    }
    const datas = await intelligentDatasOf(this.d.provider, nft, tokenId)
    const out: AccessKeyResponse['sealedKeys'] = []
    for (const [i, d] of datas.entries()) {
      const desc = parseDescription(d.dataDescription)
      if (!desc?.oracle || getAddress(desc.oracle.address) !== this.d.wallet.address) {
        throw new OracleError(409, 'NO_ORACLE_COPY', `data item ${i} of token ${tokenId} carries no copy of its key sealed to this oracle`)
      }
      let key: Uint8Array
      try {
        key = openSealed(this.d.wallet.signingKey, desc.oracle.sealedKey)
      } catch {
        throw new OracleError(409, 'NO_ORACLE_COPY', `the oracle copy of data item ${i}'s key does not open with the oracle's key`)
      }
      try {
        out.push({dataHash: d.dataHash, sealedKey: sealTo(target, key)})
      } finally {
        key.fill(0)
      }
    }
    this.d.log?.(`access token ${tokenId} of ${nft} for ${user}${owner === user ? ' (owner)' : ' (authorized user)'}`)
    return {sealedKeys: out}
  }

  private common(req: {chainId?: unknown; nft?: unknown; tokenId?: unknown; deadline?: unknown; signature?: unknown}): {nft: string; tokenId: bigint} {
    if (!req || typeof req !== 'object') throw bad('the body must be a JSON object')
    if (req.chainId !== this.d.chainId) throw new OracleError(400, 'WRONG_CHAIN', `this oracle serves chain ${this.d.chainId}, not ${String(req.chainId)}`)
    if (!isAddr(req.nft)) throw bad('nft must be an address')
    const nft = getAddress(req.nft as string)
    if (this.contracts.size && !this.contracts.has(nft)) throw new OracleError(400, 'UNKNOWN_CONTRACT', `this oracle does not serve the collection ${nft}`)
    if (typeof req.tokenId !== 'string' || !/^\d{1,78}$/.test(req.tokenId)) throw bad('tokenId must be a decimal string')
    if (typeof req.deadline !== 'number' || !Number.isInteger(req.deadline)) throw bad('deadline must be unix seconds')
    const now = this.now()
    if (req.deadline < now) throw new OracleError(400, 'REQUEST_EXPIRED', `the request expired at ${new Date(req.deadline * 1000).toISOString()}`)
    if (req.deadline > now + MAX_REQUEST_TTL_SECONDS + CLOCK_SLACK_SECONDS) throw bad(`the deadline is more than ${MAX_REQUEST_TTL_SECONDS} s ahead`)
    if (typeof req.signature !== 'string' || !isHexString(req.signature, 65)) throw bad('signature must be a 65-byte hex signature')
    return {nft, tokenId: BigInt(req.tokenId)}
  }

  private pubkey(p: unknown): string {
    if (typeof p !== 'string') throw bad('targetPubkey must be hex')
    try {
      return ethPublicKey(p)
    } catch {
      throw bad('targetPubkey is not a secp256k1 public key')
    }
  }

  private signer(digest: string, signature: string): string {
    try {
      return recoverRequestSigner(digest, signature)
    } catch {
      throw new OracleError(403, 'BAD_SIGNATURE', 'the signature does not recover')
    }
  }

  private async ownerOf(nft: string, tokenId: bigint): Promise<string> {
    try {
      return await ownerOfToken(this.d.provider, nft, tokenId)
    } catch (e) {
      if (e instanceof ZgError && e.code === 'TOKEN_NOT_FOUND') throw new OracleError(404, 'TOKEN_NOT_FOUND', `token ${tokenId} does not exist`)
      throw e
    }
  }

  /** The key must authenticate the ciphertext stored under dataHash: the proof vouches for exactly that. */
  private async checkKeyOpensData(dataHash: string, description: string, key: Uint8Array, i: number): Promise<void> {
    const desc = parseDescription(description)
    let blob: Uint8Array
    try {
      blob = await this.d.fetchBlob(dataHash, desc?.storage_ptr.size)
    } catch (e) {
      throw new OracleError(503, 'STORAGE_UNAVAILABLE', `could not fetch data item ${i} (${dataHash}) from 0G Storage: ${(e as Error).message}`)
    }
    try {
      decryptPayload(blob, key).fill(0)
    } catch {
      throw new OracleError(422, 'KEY_DOES_NOT_OPEN_DATA', `sealed key ${i} does not decrypt the data stored under ${dataHash}`)
    }
  }
}

const bad = (m: string) => new OracleError(400, 'BAD_REQUEST', m)
const isAddr = (a: unknown): a is string => typeof a === 'string' && /^0x[0-9a-fA-F]{40}$/.test(a)
