import {createHash} from 'node:crypto'
import {getBytes, hashMessage, keccak256, recoverAddress, solidityPackedKeccak256, verifyMessage, type Signer, type TypedDataDomain, type Wallet} from 'ethers'

/**
 * Every signature of the compute protocol, in one place, in the exact forms 0G's SDK, broker and contracts use
 * (shared/docs/0g-compute-inft.md §1.5–1.8).
 */

export const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex')

/** The text a provider signs for one chat: sha256hex(request body) + ":" + sha256hex(response body). */
export function responseSignatureText(requestBody: string | Uint8Array, responseBody: string | Uint8Array): string {
  return `${sha256Hex(requestBody)}:${sha256Hex(responseBody)}`
}

/** What GET /v1/proxy/signature/{chatID} returns. */
export interface ChatSignature {
  text: string
  signature: string
  signing_address: string
  signing_algo: 'ecdsa'
}

export async function signChat(signer: Signer, text: string): Promise<ChatSignature> {
  return {text, signature: await signer.signMessage(text), signing_address: await signer.getAddress(), signing_algo: 'ecdsa'}
}

/** The SDK's check (processResponse): recoverAddress(hashMessage(text), signature) == expected signer. */
export function verifyChatSignature(text: string, signature: string, expectedSigner: string): boolean {
  try {
    return recoverAddress(hashMessage(text), signature).toLowerCase() === expectedSigner.toLowerCase()
  } catch {
    return false
  }
}

// --- inference settlement (EIP-712 TEESettlement) ---

export const TEE_SETTLEMENT_TYPES = {
  TEESettlement: [
    {name: 'requestsHash', type: 'bytes32'},
    {name: 'nonce', type: 'uint256'},
    {name: 'provider', type: 'address'},
    {name: 'user', type: 'address'},
    {name: 'totalFee', type: 'uint256'},
  ],
}

export function inferenceDomain(chainId: bigint | number, verifyingContract: string): TypedDataDomain {
  return {name: '0G Inference Serving', version: '1', chainId, verifyingContract}
}

export interface TEESettlementData {
  user: string
  provider: string
  totalFee: bigint
  requestsHash: string
  nonce: bigint
  signature: string
}

export async function signSettlement(
  teeSigner: Wallet,
  domain: TypedDataDomain,
  s: Omit<TEESettlementData, 'signature'>,
): Promise<TEESettlementData> {
  const signature = await teeSigner.signTypedData(domain, TEE_SETTLEMENT_TYPES, {
    requestsHash: s.requestsHash,
    nonce: s.nonce,
    provider: s.provider,
    user: s.user,
    totalFee: s.totalFee,
  })
  return {...s, signature}
}

/** requestsHash of a batch: keccak256 over the concatenated sha256 digests of the billed request bodies. */
export function requestsHash(requestDigests: string[]): string {
  return keccak256('0x' + requestDigests.map((d) => d.replace(/^0x/, '')).join(''))
}

// --- fine-tuning settlement (EIP-712 VerifierMessage) ---

export const VERIFIER_MESSAGE_TYPES = {
  VerifierMessage: [
    {name: 'id', type: 'string'},
    {name: 'encryptedSecret', type: 'bytes'},
    {name: 'modelRootHash', type: 'bytes'},
    {name: 'nonce', type: 'uint256'},
    {name: 'taskFee', type: 'uint256'},
    {name: 'user', type: 'address'},
  ],
}

export function fineTuningDomain(chainId: bigint | number, verifyingContract: string): TypedDataDomain {
  return {name: '0G Fine-Tuning Serving', version: '1', chainId, verifyingContract}
}

export interface VerifierInput {
  id: string
  encryptedSecret: string
  modelRootHash: string
  nonce: bigint
  signature: string
  taskFee: bigint
  user: string
}

export async function signVerifierInput(teeSigner: Wallet, domain: TypedDataDomain, v: Omit<VerifierInput, 'signature'>): Promise<VerifierInput> {
  const signature = await teeSigner.signTypedData(domain, VERIFIER_MESSAGE_TYPES, {
    id: v.id,
    encryptedSecret: v.encryptedSecret,
    modelRootHash: v.modelRootHash,
    nonce: v.nonce,
    taskFee: v.taskFee,
    user: v.user,
  })
  return {...v, signature}
}

// --- fine-tuning task requests (user → provider) ---

/** The SDK's task signature: personal_sign(solidityPackedKeccak256(['address','uint256','string'], [user, nonce, datasetHash])). */
export function taskRequestDigest(user: string, nonce: bigint, datasetHash: string): string {
  return solidityPackedKeccak256(['address', 'uint256', 'string'], [user, nonce, datasetHash])
}

export async function signTaskRequest(signer: Signer, user: string, nonce: bigint, datasetHash: string): Promise<string> {
  return signer.signMessage(getBytes(taskRequestDigest(user, nonce, datasetHash)))
}

/** Recovers the signer of a task request, and its public key (the deliverable key is sealed to it). */
export async function recoverTaskRequest(user: string, nonce: bigint, datasetHash: string, signature: string): Promise<{address: string; publicKey: string}> {
  const {SigningKey} = await import('ethers')
  const digest = hashMessage(getBytes(taskRequestDigest(user, nonce, datasetHash)))
  const publicKey = SigningKey.recoverPublicKey(digest, signature)
  return {address: recoverAddress(digest, signature), publicKey}
}

/** The SDK's cancel signature: personal_sign(keccak256(bytes16(task UUID without dashes))). */
export function cancelDigest(taskId: string): string {
  return solidityPackedKeccak256(['bytes'], ['0x' + taskId.replace(/-/g, '')])
}

export async function signCancel(signer: Signer, taskId: string): Promise<string> {
  return signer.signMessage(getBytes(cancelDigest(taskId)))
}

export function recoverCancel(taskId: string, signature: string): string {
  return verifyMessage(getBytes(cancelDigest(taskId)), signature)
}
