import type {JsonRpcProvider, Wallet} from 'ethers'
import {callContract, sendContract, type SendContractResult, type SendOptions} from '../chain/send.js'
import {usageError} from '../errors.js'
import {SERVICE_NAMES, type ComputeRefs, type ServiceKind} from './contracts.js'

/**
 * A user's money on 0G Compute, read and moved through the LedgerManager and the two serving contracts:
 * main account (available = what the ledger itself holds) → sub-accounts per provider (locked for that provider,
 * minus refunds already requested, which unlock after the serving contract's lock time).
 */

export const MIN_LEDGER_BALANCE = 3n * 10n ** 18n
export const MIN_TRANSFER = 10n ** 18n

export interface RefundView {
  amount: bigint
  createdAt: number
  /** Unix seconds when it can be collected (createdAt + lockTime). */
  unlocksAt: number
  unlocked: boolean
}

export interface SubAccountView {
  service: ServiceKind
  provider: string
  balance: bigint
  pendingRefund: bigint
  /** balance − pendingRefund: what the provider can still be paid from. */
  locked: bigint
  nonce: bigint
  acknowledged: boolean
  refunds: RefundView[]
  generation?: bigint
  revokedBitmap?: bigint
}

export interface LedgerView {
  user: string
  exists: boolean
  available: bigint
  total: bigint
  subAccounts: SubAccountView[]
  lockTimes: Record<ServiceKind, number>
}

function isMissing(e: unknown, name: string): boolean {
  const err = e as {message?: string; details?: unknown}
  return (err?.message ?? '').includes(name) || JSON.stringify(err?.details ?? '').includes(name)
}

export async function readSubAccount(provider: JsonRpcProvider, refs: ComputeRefs, service: ServiceKind, user: string, providerAddr: string, lockTime?: number): Promise<SubAccountView | undefined> {
  const ref = service === 'inference' ? refs.inference : refs.fineTuning
  let a: Record<string, unknown>
  try {
    a = (await callContract(provider, ref, 'getAccount', [user, providerAddr])) as Record<string, unknown>
  } catch (e) {
    if (isMissing(e, 'AccountNotExists')) return undefined
    throw e
  }
  const lt = lockTime ?? Number(await callContract(provider, ref, 'lockTime', []))
  const now = Math.floor(Date.now() / 1000)
  const refunds = ((a.refunds as Array<Record<string, unknown>>) ?? []).map((r) => {
    const createdAt = Number(r.createdAt)
    return {amount: BigInt(r.amount as bigint), createdAt, unlocksAt: createdAt + lt, unlocked: now >= createdAt + lt}
  })
  const balance = BigInt(a.balance as bigint)
  const pendingRefund = BigInt(a.pendingRefund as bigint)
  return {
    service,
    provider: String(a.provider),
    balance,
    pendingRefund,
    locked: balance - pendingRefund,
    nonce: BigInt(a.nonce as bigint),
    acknowledged: Boolean(a.acknowledged),
    refunds,
    ...(service === 'inference' ? {generation: BigInt(a.generation as bigint), revokedBitmap: BigInt(a.revokedBitmap as bigint)} : {}),
  }
}

export async function readLedger(provider: JsonRpcProvider, refs: ComputeRefs, user: string): Promise<LedgerView> {
  const lockTimes = {
    inference: Number(await callContract(provider, refs.inference, 'lockTime', [])),
    'fine-tuning': Number(await callContract(provider, refs.fineTuning, 'lockTime', [])),
  }
  let l: Record<string, unknown> | undefined
  try {
    l = (await callContract(provider, refs.ledger, 'getLedger', [user])) as Record<string, unknown>
  } catch (e) {
    if (!isMissing(e, 'LedgerNotExists')) throw e
  }
  if (!l) return {user, exists: false, available: 0n, total: 0n, subAccounts: [], lockTimes}
  const subAccounts: SubAccountView[] = []
  for (const kind of ['inference', 'fine-tuning'] as const) {
    const providers = (await callContract(provider, refs.ledger, 'getLedgerProviders', [user, SERVICE_NAMES[kind]])) as string[]
    for (const p of providers) {
      const s = await readSubAccount(provider, refs, kind, user, p, lockTimes[kind])
      if (s) subAccounts.push(s)
    }
  }
  return {user, exists: true, available: BigInt(l.availableBalance as bigint), total: BigInt(l.totalBalance as bigint), subAccounts, lockTimes}
}

type Tx = Partial<SendOptions>

/** Adds 0G to the main account; creates it on the first deposit (which must be at least 3 0G). */
export async function deposit(wallet: Wallet, provider: JsonRpcProvider, refs: ComputeRefs, amount: bigint, tx: Tx = {}): Promise<SendContractResult> {
  if (amount <= 0n) throw usageError('The amount must be greater than zero.')
  return sendContract(wallet, provider, refs.ledger, 'depositFund', [], {...tx, value: amount, iface: refs.all})
}

/** Withdraws from the main account to the wallet (the rest must stay at 0 or at least 3 0G). */
export async function refund(wallet: Wallet, provider: JsonRpcProvider, refs: ComputeRefs, amount: bigint, tx: Tx = {}): Promise<SendContractResult> {
  if (amount <= 0n) throw usageError('The amount must be greater than zero.')
  return sendContract(wallet, provider, refs.ledger, 'refund', [amount], {...tx, iface: refs.all})
}

/** Moves 0G from the main account into the sub-account with `providerAddr` (at least 1 0G for a new one). */
export async function transfer(wallet: Wallet, provider: JsonRpcProvider, refs: ComputeRefs, service: ServiceKind, providerAddr: string, amount: bigint, tx: Tx = {}): Promise<SendContractResult> {
  if (amount <= 0n) throw usageError('The amount must be greater than zero.')
  return sendContract(wallet, provider, refs.ledger, 'transferFund', [providerAddr, SERVICE_NAMES[service], amount], {...tx, iface: refs.all})
}

/** Collects unlocked refunds of these sub-accounts into the main account and requests the rest back. */
export async function retrieve(wallet: Wallet, provider: JsonRpcProvider, refs: ComputeRefs, service: ServiceKind, providers: string[], tx: Tx = {}): Promise<SendContractResult> {
  if (!providers.length) throw usageError(`You have no ${service} sub-accounts to retrieve from.`)
  return sendContract(wallet, provider, refs.ledger, 'retrieveFund', [providers, SERVICE_NAMES[service]], {...tx, iface: refs.all})
}

/** Trusts the provider's TEE signer for this service (settlement needs it); funds the sub-account first if missing. */
export async function acknowledge(
  wallet: Wallet,
  provider: JsonRpcProvider,
  refs: ComputeRefs,
  service: ServiceKind,
  providerAddr: string,
  fundIfMissing: bigint,
  tx: Tx = {},
): Promise<{funded?: SendContractResult; acknowledged?: SendContractResult; already: boolean}> {
  let acc = await readSubAccount(provider, refs, service, wallet.address, providerAddr)
  let funded: SendContractResult | undefined
  if (!acc) {
    funded = await transfer(wallet, provider, refs, service, providerAddr, fundIfMissing, tx)
    acc = await readSubAccount(provider, refs, service, wallet.address, providerAddr)
  }
  if (acc?.acknowledged) return {funded, already: !funded}
  const ref = service === 'inference' ? refs.inference : refs.fineTuning
  const acknowledged = await sendContract(wallet, provider, ref, 'acknowledgeTEESigner', [providerAddr, true], {...tx, iface: refs.all})
  return {funded, acknowledged, already: false}
}
