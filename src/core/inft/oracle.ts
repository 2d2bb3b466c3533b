/**
 * The re-encryption oracle's HTTP protocol (JSON over HTTP, version 1) and its client. On a real network the
 * oracle runs in a TEE; the devnet runs src/devnet/inft-oracle.ts holding the key the TEEVerifier trusts. Its URL
 * is the network profile's `oracleUrl`, so any oracle speaking this protocol can be used.
 *
 *   GET  /health          → {ok: true}
 *   GET  /v1/info         → OracleInfo: the oracle's address and 64-byte public key (to seal data keys to)
 *   POST /v1/reseal       ResealRequest → ResealResponse
 *   POST /v1/access       AccessKeyRequest → AccessKeyResponse
 *   errors: HTTP 4xx/5xx with {error: {code, message}}
 *
 * Transfer / clone (the flow of 0G's reference, shared/docs/0g-compute-inft.md §2.5):
 *   1. the receiver signs one AccessProof per data item (access.ts; `zg inft request-access`);
 *   2. the owner opens its own sealed copy of each data key (from PublishedSealedKey), seals it to the oracle's
 *      public key, and sends a ResealRequest signed with its account key;
 *   3. the oracle checks the signature, that the signer owns the token *on chain* (ownerOf), that the request's
 *      data matches `intelligentDatasOf`, opens each key and checks it authenticates the encrypted bundle on
 *      0G Storage (so it vouches only for a key that really opens `dataHash`), seals the same key to the
 *      receiver's `targetPubkey` and signs an OwnershipProof (digest with chain id, contract, nonce, deadline;
 *      proofs.ts);
 *   4. the owner calls iTransferFrom / iCloneFrom with both proofs; the contract publishes the receiver's sealed
 *      keys in PublishedSealedKey.
 *
 * Authorized users (`authorizeUsage`): at mint/update the data key is also sealed to the oracle and stored in the
 * dataDescription (description.ts). A user sends an AccessKeyRequest signed with its own key; the oracle checks
 * on chain that the user is the owner or in `authorizedUsersOf(tokenId)`, opens the description's oracle copy and
 * returns the key sealed to the user's own public key. Revoking stops this; it cannot take back a key already
 * handed out (rotate for that).
 *
 * Requests carry a deadline (at most MAX_REQUEST_TTL_SECONDS ahead) and are signed over a domain-separated digest
 * (a tag, chain id, contract), so a captured request cannot be used on another chain, contract or later.
 */
import {AbiCoder, getAddress, keccak256, id as keccakText, type BytesLike} from 'ethers'
import {ExitCode, networkError, notFound, timeoutError, usageError, ZgError, authError} from '../errors.js'
import {proofMessage, recoverProofSigner, type MessageSigner} from './proofs.js'

export const ORACLE_PROTOCOL_VERSION = 1
export const MAX_REQUEST_TTL_SECONDS = 3600
/** How long an oracle's ownership proof stays valid on chain. */
export const OWNERSHIP_PROOF_TTL_SECONDS = 3600

export interface OracleInfo {
  protocol: number
  /** The oracle's signing address (the TEEVerifier must trust it). */
  address: string
  /** 64-byte secp256k1 public key (0x-hex) to seal data keys to. */
  publicKey: string
  chainId: number
  /** AgentNFT contracts this oracle serves (empty = any). */
  contracts: string[]
  kind: 'devnet' | 'tee'
}

export interface OwnershipProofJson {
  oracleType: number
  dataHash: string
  sealedKey: string
  targetPubkey: string
  nonce: string
  proof: string
  deadline: number
}

export interface ResealRequest {
  chainId: number
  nft: string
  tokenId: string
  /** The current owner, who signs the request. */
  from: string
  /** 64-byte public key to seal the data keys to (the receiver's, or the key its access proof names). */
  targetPubkey: string
  /** The data keys sealed to the oracle, one per data item, in the token's order. */
  sealedKeys: string[]
  deadline: number
  signature: string
}

export interface ResealResponse {
  ownershipProofs: OwnershipProofJson[]
}

export interface AccessKeyRequest {
  chainId: number
  nft: string
  tokenId: string
  /** The owner or an authorized user; signs the request; targetPubkey must be its own key. */
  user: string
  targetPubkey: string
  deadline: number
  signature: string
}

export interface AccessKeyResponse {
  /** One per data item: the data key sealed to targetPubkey. */
  sealedKeys: Array<{dataHash: string; sealedKey: string}>
}

const coder = AbiCoder.defaultAbiCoder()
const RESEAL_TAG = keccakText('zg.inft.oracle.reseal.v1')
const ACCESS_TAG = keccakText('zg.inft.oracle.access.v1')

export function resealDigest(r: Omit<ResealRequest, 'signature'>): string {
  return keccak256(
    coder.encode(
      ['bytes32', 'uint256', 'address', 'uint256', 'address', 'bytes', 'bytes32', 'uint256'],
      [RESEAL_TAG, r.chainId, r.nft, BigInt(r.tokenId), r.from, r.targetPubkey, keccak256(coder.encode(['bytes[]'], [r.sealedKeys])), r.deadline],
    ),
  )
}

export function accessKeyDigest(r: Omit<AccessKeyRequest, 'signature'>): string {
  return keccak256(coder.encode(['bytes32', 'uint256', 'address', 'uint256', 'address', 'bytes', 'uint256'], [ACCESS_TAG, r.chainId, r.nft, BigInt(r.tokenId), r.user, r.targetPubkey, r.deadline]))
}

export async function signRequestDigest(signer: MessageSigner, digest: BytesLike): Promise<string> {
  return signer.signMessage(proofMessage(digest))
}

export function recoverRequestSigner(digest: BytesLike, signature: string): string {
  return getAddress(recoverProofSigner(digest, signature))
}

/** An error as the oracle sends it. */
export interface OracleErrorBody {
  error: {code: string; message: string}
}

export interface OracleClientOptions {
  timeoutMs?: number
  signal?: AbortSignal
}

/** A small JSON client for one oracle URL. */
export class OracleClient {
  readonly url: string
  private readonly timeoutMs: number
  private readonly signal?: AbortSignal

  constructor(url: string, opts: OracleClientOptions = {}) {
    this.url = url.replace(/\/+$/, '')
    this.timeoutMs = opts.timeoutMs ?? 30_000
    this.signal = opts.signal
  }

  async info(): Promise<OracleInfo> {
    const i = await this.call<OracleInfo>('GET', '/v1/info')
    if (i.protocol !== ORACLE_PROTOCOL_VERSION) {
      throw new ZgError(`The oracle at ${this.url} speaks protocol ${i.protocol}; zg speaks ${ORACLE_PROTOCOL_VERSION}.`, {code: 'ORACLE_PROTOCOL', exit: ExitCode.NETWORK})
    }
    return i
  }

  reseal(req: ResealRequest): Promise<ResealResponse> {
    return this.call<ResealResponse>('POST', '/v1/reseal', req)
  }

  access(req: AccessKeyRequest): Promise<AccessKeyResponse> {
    return this.call<AccessKeyResponse>('POST', '/v1/access', req)
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const signals = [AbortSignal.timeout(this.timeoutMs), ...(this.signal ? [this.signal] : [])]
    let res: Response
    try {
      res = await fetch(this.url + path, {
        method,
        headers: body === undefined ? {} : {'content-type': 'application/json'},
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.any(signals),
      })
    } catch (e) {
      if (this.signal?.aborted) throw this.signal.reason
      if ((e as Error).name === 'TimeoutError') throw timeoutError(`The INFT oracle at ${this.url} did not answer within ${Math.round(this.timeoutMs / 1000)} s.`, {code: 'ORACLE_TIMEOUT'})
      throw networkError(`The INFT oracle at ${this.url} is unreachable.`, {
        code: 'ORACLE_UNREACHABLE',
        cause: e,
        suggestions: ['On the local network, start the devnet (zg node start); elsewhere set the profile\'s oracle URL (zg network add NAME … --oracle URL --force).'],
      })
    }
    const text = await res.text()
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      throw networkError(`The INFT oracle at ${this.url} answered HTTP ${res.status} with something that is not JSON.`, {code: 'ORACLE_BAD_RESPONSE'})
    }
    if (!res.ok) {
      const err = (json as Partial<OracleErrorBody>).error
      const message = `The INFT oracle refused: ${err?.message ?? `HTTP ${res.status}`}`
      const extra = {code: `ORACLE_${err?.code ?? 'ERROR'}`, details: {status: res.status, oracle: this.url}}
      if (res.status === 403) throw authError(message, extra)
      if (res.status === 404) throw notFound(message, extra)
      if (res.status >= 400 && res.status < 500) throw usageError(message, extra)
      throw networkError(message, extra)
    }
    return json as T
  }
}
