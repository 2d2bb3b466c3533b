import {formatEther, type JsonRpcProvider} from 'ethers'
import {callContract} from '../../core/chain/send.js'
import type {ComputeRefs} from '../../core/compute/contracts.js'
import {EPHEMERAL_MAX_MS, EPHEMERAL_TOKEN_ID, parseAppToken, TokenFormatError, type AppToken} from '../../core/compute/token.js'
import {HttpError} from './http.js'

/** The on-chain InferenceServing account, as the provider reads it. */
export interface ChainAccount {
  user: string
  provider: string
  nonce: bigint
  balance: bigint
  pendingRefund: bigint
  acknowledged: boolean
  generation: bigint
  revokedBitmap: bigint
}

/** The broker's reserve: lockBalance ≥ unsettled + this request's fee + 1 0G (api/inference/const MinimumLockedBalance). */
export const MIN_LOCKED_BALANCE = 10n ** 18n

export async function readAccount(provider: JsonRpcProvider, refs: ComputeRefs, user: string, providerAddr: string): Promise<ChainAccount | undefined> {
  try {
    const a = (await callContract(provider, refs.inference, 'getAccount', [user, providerAddr])) as unknown as ChainAccount
    return {user: a.user, provider: a.provider, nonce: a.nonce, balance: a.balance, pendingRefund: a.pendingRefund, acknowledged: a.acknowledged, generation: a.generation, revokedBitmap: a.revokedBitmap}
  } catch (e) {
    const msg = (e as Error).message ?? ''
    if (/AccountNotExists/.test(msg) || /AccountNotExists/.test(JSON.stringify((e as {details?: unknown}).details ?? ''))) return undefined
    throw e
  }
}

export interface AuthResult {
  user: string
  token: AppToken
  account: ChainAccount
}

export interface AuthOptions {
  provider: JsonRpcProvider
  refs: ComputeRefs
  self: string
  /** The fee this request may cost at most (checked against the locked balance), and what is already owed. */
  estimate?: bigint
  unsettled?: (user: string) => bigint
  minLocked?: bigint
  now?: number
}

/**
 * Verifies `Authorization: Bearer app-sk-…` the way 0G's broker does, with one precise reason per failure:
 * 401 missing/malformed/unsigned key, bad signature, expired, wrong generation (all keys revoked), revoked key id;
 * 403 key made for another provider, provider signer not acknowledged by the user;
 * 402 no sub-account with this provider, or not enough locked balance for what is owed plus this request.
 */
export async function authorize(header: string | undefined, o: AuthOptions): Promise<AuthResult> {
  if (!header || !/^Bearer\s+/i.test(header)) {
    throw new HttpError(401, 'missing_api_key', 'No API key: send "Authorization: Bearer app-sk-…" (make one with `zg compute token <provider>`).')
  }
  let parsed
  try {
    parsed = parseAppToken(header)
  } catch (e) {
    if (e instanceof TokenFormatError) throw new HttpError(401, 'invalid_api_key', `The API key is not a valid signed app-sk key: ${e.message}.`)
    throw e
  }
  const {token, signer} = parsed
  if (signer.toLowerCase() !== token.address.toLowerCase()) {
    throw new HttpError(401, 'invalid_signature', `The API key's signature is by ${signer}, not by ${token.address}.`)
  }
  if (token.provider.toLowerCase() !== o.self.toLowerCase()) {
    throw new HttpError(403, 'wrong_provider', `The API key was issued for provider ${token.provider}; this provider is ${o.self}.`)
  }
  const now = o.now ?? Date.now()
  if (token.expiresAt !== 0 && now > token.expiresAt) {
    throw new HttpError(401, 'token_expired', `The API key expired at ${new Date(token.expiresAt).toISOString()}.`)
  }
  if (token.tokenId === EPHEMERAL_TOKEN_ID && (token.expiresAt === 0 || token.expiresAt - token.timestamp > EPHEMERAL_MAX_MS)) {
    throw new HttpError(401, 'invalid_api_key', 'An ephemeral key (id 255) must expire within 24 hours of its creation.')
  }
  const account = await readAccount(o.provider, o.refs, token.address, o.self)
  if (!account) {
    throw new HttpError(402, 'no_sub_account', `${token.address} has no funds with this provider: transfer some first (zg compute ack ${o.self} --amount 2).`)
  }
  if (!account.acknowledged) {
    throw new HttpError(403, 'provider_not_acknowledged', `${token.address} has not acknowledged this provider's TEE signer (zg compute ack ${o.self}).`)
  }
  if (BigInt(token.generation) !== account.generation) {
    throw new HttpError(401, 'token_generation_mismatch', `The API key is of generation ${token.generation}, but the account is at generation ${account.generation}: every key made before was revoked.`)
  }
  if (token.tokenId !== EPHEMERAL_TOKEN_ID && ((account.revokedBitmap >> BigInt(token.tokenId)) & 1n) === 1n) {
    throw new HttpError(401, 'token_revoked', `The API key with id ${token.tokenId} was revoked on chain.`)
  }
  if (o.estimate !== undefined) {
    const locked = account.balance - account.pendingRefund
    const owed = o.unsettled?.(token.address) ?? 0n
    const minLocked = o.minLocked ?? MIN_LOCKED_BALANCE
    const need = owed + o.estimate + minLocked
    if (locked < need) {
      throw new HttpError(
        402,
        'insufficient_balance',
        `Insufficient balance with this provider: ${formatEther(locked)} 0G locked, but ${formatEther(need)} 0G is needed (unsettled ${formatEther(owed)} + this request up to ${formatEther(o.estimate)} + reserve ${formatEther(minLocked)}). Transfer more: zg compute ledger transfer --provider ${o.self} --amount 1.`,
        {locked: locked.toString(), needed: need.toString(), unsettled: owed.toString(), estimate: o.estimate.toString(), reserve: minLocked.toString()},
      )
    }
  }
  return {user: token.address, token, account}
}
