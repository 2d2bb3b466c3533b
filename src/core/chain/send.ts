import {formatEther, getAddress, keccak256, type Interface, type JsonRpcProvider, type TransactionReceipt, type Wallet} from 'ethers'
import {interrupted, timeoutError, txError, ZgError} from '../errors.js'
import {silentReporter, type Reporter} from '../progress.js'
import {withNonce, type NonceLockOptions} from './nonce.js'
import {decodeRevert, extractRevertData, type DecodedRevert} from './revert.js'

/**
 * Send-and-wait done the way users of web3 CLIs keep asking for (cli-conventions.md §4): simulate first and say
 * *why* it would revert, check funds with numbers, take the nonce under a cross-process lock, report the hash the
 * moment the node has it, wait for the receipt by polling with a bound, and explain a failed receipt by replaying it.
 */

/** A transaction to send. `to` absent = contract deployment with `data` as init code. */
export interface TxRequest {
  to?: string | null
  data?: string
  value?: bigint
  /** Skip estimation and use this gas limit (the transaction is still simulated with eth_call). */
  gasLimit?: bigint
}

export interface SendOptions {
  /** Progress: step 'tx' — started, info {hash} as soon as broadcast, progress heartbeats, done. */
  reporter?: Reporter
  /** Bound for the receipt wait; default 120000 ms → timeoutError TX_TIMEOUT carrying the hash. */
  timeoutMs?: number
  /** Blocks including the receipt's; default 1. */
  confirmations?: number
  /** Legacy (type 0) gas price in wei; implies `legacy`. */
  gasPrice?: bigint
  /** Send a legacy transaction with the node's gas price (chains without EIP-1559 get this automatically). */
  legacy?: boolean
  /** EIP-1559 overrides in wei (default: ethers' getFeeData: 2 × base fee + tip). */
  maxFeePerGas?: bigint
  maxPriorityFeePerGas?: bigint
  /** Overrides TxRequest.gasLimit. */
  gasLimit?: bigint
  /** Use exactly this nonce and skip the nonce lock (a --nonce flag, replacing a stuck transaction). */
  nonce?: number
  /** ABI(s) to name custom errors with. */
  iface?: Interface | Interface[]
  /** What is being sent, for messages: "Flow.submit", "transfer". */
  label?: string
  /** Simulate before sending; default true. Only tests and deliberate "send anyway" paths turn it off. */
  simulate?: boolean
  /** Stop waiting (not the transaction) → interrupted error (exit 130) carrying the hash. */
  signal?: AbortSignal
  /** For the nonce lock folder (dataDir); default process.env. */
  env?: NodeJS.ProcessEnv
  /** Lock tuning (timeouts, staleness). */
  nonceLock?: Pick<NonceLockOptions, 'lockTimeoutMs' | 'staleMs' | 'stateTtlMs'>
  /** Receipt polling interval; default provider.pollingInterval (50 ms local, 1000 ms otherwise). */
  pollMs?: number
  /** Extra advice when the account lacks funds, e.g. "Get testnet 0G at https://faucet.0g.ai". */
  fundingHint?: string
}

export interface SendResult {
  hash: string
  from: string
  nonce: number
  receipt: TransactionReceipt
  blockNumber: number
  gasUsed: bigint
  /** gasUsed × effective gas price, in wei. */
  fee: bigint
  /** For deployments: the new contract's address. */
  contractAddress: string | null
}

const HEARTBEAT_MS = 5000
const GAS_HEADROOM_PERCENT = 120n
const BROADCAST_ATTEMPTS = 3

/**
 * Simulates, signs (nonce from the account's lock unless `opts.nonce`), broadcasts and waits for `tx`.
 *
 * @throws txError TX_REVERTED (exit 6) with the decoded reason (simulation or failed receipt; `details.revert`);
 *   txError INSUFFICIENT_FUNDS (exit 6) with needed/available amounts; txError TX_REJECTED when the node refuses it;
 *   timeoutError TX_TIMEOUT (exit 7) with `details.hash` when no receipt came in time; network errors (exit 5).
 */
export async function sendTransaction(wallet: Wallet, provider: JsonRpcProvider, tx: TxRequest, opts: SendOptions = {}): Promise<SendResult> {
  const reporter = opts.reporter ?? silentReporter
  const from = wallet.address
  const to = tx.to ? getAddress(tx.to) : null
  const value = tx.value ?? 0n
  const label = opts.label ?? (to ? `transaction to ${to}` : 'contract deployment')
  const ctx: ErrCtx = {label, from, to, iface: opts.iface}
  const {chainId} = await provider.getNetwork()
  reporter.emit({step: 'tx', status: 'started', message: `Sending ${label}`, data: {from, to}})

  const call = {from, to, data: tx.data ?? '0x', value}
  let gasLimit = opts.gasLimit ?? tx.gasLimit
  if (opts.simulate ?? true) {
    try {
      if (gasLimit === undefined) {
        const estimate = await provider.estimateGas(call)
        gasLimit = (estimate * GAS_HEADROOM_PERCENT) / 100n
      } else {
        await provider.call({...call, gasLimit})
      }
    } catch (e) {
      throw await simulationError(e, ctx, provider, value)
    }
  } else if (gasLimit === undefined) {
    gasLimit = await provider.estimateGas(call).catch(async (e) => {
      throw await simulationError(e, ctx, provider, value)
    })
  }

  const fees = await chooseFees(provider, opts)
  const maxCost = value + gasLimit! * (fees.type === 0 ? fees.gasPrice : fees.maxFeePerGas)
  const balance = await provider.getBalance(from)
  if (balance < maxCost) throw insufficientFunds(ctx, balance, maxCost, opts.fundingHint)

  const broadcast = async (nonce: number): Promise<{hash: string; nonce: number}> => {
    const signed = await wallet.signTransaction({...fees, to, data: call.data, value, gasLimit, nonce, chainId})
    const hash = keccak256(signed)
    try {
      await provider.send('eth_sendRawTransaction', [signed])
    } catch (e) {
      // A retried request whose first response was lost ends in "already known"/"nonce too low" although the node
      // has our transaction: if it knows the hash, it was sent.
      if (await provider.send('eth_getTransactionByHash', [hash]).catch(() => null)) return {hash, nonce}
      throw broadcastError(e, ctx, hash, nonce)
    }
    return {hash, nonce}
  }

  let sent: {hash: string; nonce: number} | undefined
  for (let attempt = 1; !sent; attempt++) {
    try {
      sent = opts.nonce !== undefined ? await broadcast(opts.nonce) : await withNonce(provider, {chainId, address: from, env: opts.env, ...opts.nonceLock}, broadcast)
    } catch (e) {
      // Someone else (another tool, a wallet) used the nonce between our read and our send: read it again.
      if (!(e instanceof ZgError && e.code === 'NONCE_CONFLICT' && opts.nonce === undefined && attempt < BROADCAST_ATTEMPTS)) throw e
    }
  }
  const {hash, nonce} = sent
  reporter.emit({step: 'tx', status: 'info', message: `${label}: transaction ${hash}`, data: {hash, nonce, from, to}})

  const receipt = await waitForReceipt(provider, hash, {
    timeoutMs: opts.timeoutMs,
    confirmations: opts.confirmations,
    pollMs: opts.pollMs,
    signal: opts.signal,
    reporter,
    label,
    sender: {from, nonce},
  })
  if (receipt.status !== 1) throw await receiptFailure(provider, receipt, {...call, gasLimit: gasLimit!}, ctx)
  const fee = receipt.gasUsed * (receipt.gasPrice ?? 0n)
  reporter.emit({step: 'tx', status: 'done', message: `${label} mined in block ${receipt.blockNumber}`, data: {hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed.toString()}})
  return {hash, from, nonce, receipt, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, fee, contractAddress: receipt.contractAddress}
}

export interface WaitOptions {
  /** Default 120000 ms. */
  timeoutMs?: number
  /** Default 1. */
  confirmations?: number
  /** Default provider.pollingInterval. */
  pollMs?: number
  signal?: AbortSignal
  reporter?: Reporter
  label?: string
  /**
   * The transaction's sender and nonce: lets the wait notice, instead of timing out, that another transaction
   * took the nonce (replaced from another wallet, or dropped and reused).
   */
  sender?: {from: string; nonce: number}
}

/** How often (at most) the replaced-transaction check runs; it costs two extra calls. */
const REPLACED_CHECK_MS = 1000

/**
 * Polls for `hash`'s receipt until it has `confirmations` blocks, bounded by `timeoutMs` (ethers' tx.wait() has
 * been seen to hang forever against anvil). Does not look at the receipt's status.
 * @throws timeoutError TX_TIMEOUT with details.hash; interrupted (exit 130) if `signal` aborts; txError
 *   TX_REPLACED (exit 6) when `sender` is given and its nonce was mined in another transaction.
 */
export async function waitForReceipt(provider: JsonRpcProvider, hash: string, opts: WaitOptions = {}): Promise<TransactionReceipt> {
  const timeoutMs = opts.timeoutMs ?? 120_000
  const confirmations = Math.max(1, opts.confirmations ?? 1)
  const pollMs = opts.pollMs ?? provider.pollingInterval
  const started = Date.now()
  let lastBeat = started
  let lastReplacedCheck = started
  let replacedSeen = 0
  for (;;) {
    if (opts.signal?.aborted) {
      throw interrupted(`Stopped waiting for transaction ${hash}; it may still be mined.`, {details: {hash}})
    }
    const receipt = await provider.getTransactionReceipt(hash)
    if (receipt) {
      if (confirmations === 1) return receipt
      const head = await provider.getBlockNumber()
      if (head - receipt.blockNumber + 1 >= confirmations) return receipt
    }
    const now = Date.now()
    if (!receipt && opts.sender && now - lastReplacedCheck >= REPLACED_CHECK_MS) {
      lastReplacedCheck = now
      // Two sightings a second apart, then a last receipt look: a lagging node behind a load balancer can
      // briefly know the new nonce count but not yet our receipt.
      replacedSeen = (await nonceTakenByOther(provider, hash, opts.sender)) ? replacedSeen + 1 : 0
      if (replacedSeen >= 2 && !(await provider.getTransactionReceipt(hash))) {
        throw txError(`${opts.label ?? 'Transaction'} ${hash} was replaced: nonce ${opts.sender.nonce} of ${opts.sender.from} was used by another transaction.`, {
          code: 'TX_REPLACED',
          suggestions: ['Another wallet or tool sent from this account at the same time; check its transactions, then retry.'],
          details: {hash, ...opts.sender},
        })
      }
    }
    if (now - started >= timeoutMs) {
      throw timeoutError(`No receipt for ${opts.label ?? 'transaction'} ${hash} after ${Math.round(timeoutMs / 1000)} s; it may still be mined.`, {
        code: 'TX_TIMEOUT',
        suggestions: ['Look the hash up (block explorer or eth_getTransactionReceipt) before sending again, so you do not pay twice.', 'Raise the wait with --timeout.'],
        details: {hash, waitedMs: now - started},
      })
    }
    if (now - lastBeat >= HEARTBEAT_MS) {
      lastBeat = now
      opts.reporter?.emit({step: 'tx', status: 'progress', message: `waiting for ${hash} (${Math.round((now - started) / 1000)} s)`, data: {hash, elapsedMs: now - started}})
    }
    await sleep(Math.min(pollMs, Math.max(1, timeoutMs - (now - started))), opts.signal)
  }
}

async function nonceTakenByOther(provider: JsonRpcProvider, hash: string, sender: {from: string; nonce: number}): Promise<boolean> {
  const mined = await provider.getTransactionCount(sender.from, 'latest')
  if (mined <= sender.nonce) return false
  return (await provider.getTransaction(hash)) === null
}

/** A contract as the conveniences need it: where it is and its ABI. `name` labels messages ("Flow"). */
export interface ContractRef {
  address: string
  iface: Interface
  name?: string
}

export interface CallOptions {
  from?: string
  blockTag?: string | number
  value?: bigint
  label?: string
  /** More ABIs to name custom errors with (e.g. a library the contract calls). */
  errorIfaces?: Interface[]
}

/**
 * eth_call of `method` on `target`, decoded: a single return value is returned as is, several as an ethers Result.
 * @throws txError TX_REVERTED with the decoded reason; notFound CONTRACT_NOT_FOUND when nothing answers at the address.
 */
export async function callContract<T = unknown>(provider: JsonRpcProvider, target: ContractRef, method: string, args: readonly unknown[] = [], opts: CallOptions = {}): Promise<T> {
  const fn = target.iface.getFunction(method, args as unknown[])
  if (!fn) throw new TypeError(`${target.name ?? 'contract'} has no function ${method}`)
  const label = opts.label ?? `${target.name ?? short(target.address)}.${fn.name}`
  const data = target.iface.encodeFunctionData(fn, args as unknown[])
  let result: string
  try {
    result = await provider.call({to: target.address, data, from: opts.from, value: opts.value, blockTag: opts.blockTag})
  } catch (e) {
    throw await simulationError(e, {label, from: opts.from ?? null, to: target.address, iface: [target.iface, ...(opts.errorIfaces ?? [])]}, provider, opts.value ?? 0n)
  }
  if (result === '0x' && fn.outputs.length > 0) {
    throw new ZgError(`${label}: no contract answered at ${target.address} on this chain.`, {
      code: 'CONTRACT_NOT_FOUND',
      exit: 3,
      suggestions: ['Check the contract address in the network profile and that --network points at the right chain.'],
      details: {address: target.address, method: fn.name},
    })
  }
  const decoded = target.iface.decodeFunctionResult(fn, result)
  return (fn.outputs.length === 1 ? decoded[0] : decoded) as T
}

export interface SendContractResult extends SendResult {
  /** The receipt's logs emitted by the target that its ABI knows, decoded. */
  events: {name: string; args: Record<string, unknown>; logIndex: number}[]
}

/** Encodes `method(args)` with the target's ABI and sends it via sendTransaction (custom errors decoded with it). */
export async function sendContract(
  wallet: Wallet,
  provider: JsonRpcProvider,
  target: ContractRef,
  method: string,
  args: readonly unknown[] = [],
  opts: SendOptions & {value?: bigint} = {},
): Promise<SendContractResult> {
  const fn = target.iface.getFunction(method, args as unknown[])
  if (!fn) throw new TypeError(`${target.name ?? 'contract'} has no function ${method}`)
  const data = target.iface.encodeFunctionData(fn, args as unknown[])
  const ifaces = [target.iface, ...(opts.iface ? (Array.isArray(opts.iface) ? opts.iface : [opts.iface]) : [])]
  const res = await sendTransaction(wallet, provider, {to: target.address, data, value: opts.value}, {
    ...opts,
    iface: ifaces,
    label: opts.label ?? `${target.name ?? short(target.address)}.${fn.name}`,
  })
  const events: SendContractResult['events'] = []
  for (const log of res.receipt.logs) {
    if (log.address.toLowerCase() !== target.address.toLowerCase()) continue
    const parsed = (() => {
      try {
        return target.iface.parseLog({topics: [...log.topics], data: log.data})
      } catch {
        return null
      }
    })()
    if (parsed) events.push({name: parsed.name, args: resultToObject(parsed.fragment.inputs.map((p) => p.name), parsed.args), logIndex: log.index})
  }
  return {...res, events}
}

// ---------------------------------------------------------------------------------------------------------------

interface ErrCtx {
  label: string
  from: string | null
  to: string | null
  iface?: Interface | Interface[]
}

type Fees = {type: 0; gasPrice: bigint} | {type: 2; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint}

async function chooseFees(provider: JsonRpcProvider, opts: SendOptions): Promise<Fees> {
  if (opts.gasPrice !== undefined) return {type: 0, gasPrice: opts.gasPrice}
  const fd = await provider.getFeeData()
  // No base fee in the latest block (maxFeePerGas null) = a chain without EIP-1559: legacy is the only option.
  const fdMax = fd.maxFeePerGas
  if (opts.legacy || fdMax === null) {
    const gasPrice: bigint = fd.gasPrice !== null ? fd.gasPrice : BigInt(await provider.send('eth_gasPrice', []))
    return {type: 0, gasPrice}
  }
  let maxPriorityFeePerGas = opts.maxPriorityFeePerGas ?? fd.maxPriorityFeePerGas ?? 0n
  const maxFeePerGas = opts.maxFeePerGas ?? fdMax
  if (maxPriorityFeePerGas > maxFeePerGas) maxPriorityFeePerGas = maxFeePerGas
  return {type: 2, maxFeePerGas, maxPriorityFeePerGas}
}

const INSUFFICIENT = /insufficient funds|insufficient balance|OutOfFund|not enough funds/i

async function simulationError(e: unknown, ctx: ErrCtx, provider: JsonRpcProvider, value: bigint): Promise<ZgError> {
  if (e instanceof ZgError) return e
  const err = e as {code?: string; message?: string; shortMessage?: string}
  if (err?.code === 'INSUFFICIENT_FUNDS' || INSUFFICIENT.test(messageOf(e))) {
    const balance = ctx.from ? await provider.getBalance(ctx.from).catch(() => undefined) : undefined
    return insufficientFunds(ctx, balance, value, undefined)
  }
  const data = extractRevertData(e)
  if (err?.code === 'CALL_EXCEPTION' || data !== undefined || /revert/i.test(messageOf(e))) {
    return revertError(decodeRevert(data, ctx.iface), ctx, 'simulation')
  }
  return txError(`${ctx.label} could not be simulated: ${err?.shortMessage ?? messageOf(e)}`, {
    code: 'TX_SIMULATION_FAILED',
    cause: e,
    details: {label: ctx.label, from: ctx.from, to: ctx.to},
  })
}

function revertError(r: DecodedRevert, ctx: ErrCtx, stage: 'simulation' | 'receipt', extra: Record<string, unknown> = {}): ZgError {
  const suggestions: string[] = []
  if (r.kind === 'empty') suggestions.push('A revert without a reason is usually a failed require() without message, a call to a non-contract, or running out of gas.')
  if (r.kind === 'unknown') suggestions.push(`The contract's ABI does not declare error ${r.selector}; look the selector up (e.g. openchain.xyz/signatures) or pass the ABI.`)
  return txError(`${ctx.label} reverted: ${r.reason}`, {
    code: 'TX_REVERTED',
    suggestions,
    details: {label: ctx.label, stage, from: ctx.from, to: ctx.to, revert: {kind: r.kind, name: r.name, args: r.args, selector: r.selector, data: r.data}, ...extra},
  })
}

function insufficientFunds(ctx: ErrCtx, balance: bigint | undefined, needed: bigint, hint: string | undefined): ZgError {
  const has = balance === undefined ? '' : ` it holds ${formatEther(balance)} 0G`
  const needs = needed > 0n ? `, but ${ctx.label} needs up to ${formatEther(needed)} 0G (value + gas)` : ''
  return txError(`Insufficient funds in ${ctx.from}:${has}${needs}.`, {
    code: 'INSUFFICIENT_FUNDS',
    suggestions: [`Send 0G to ${ctx.from} and retry.`, ...(hint ? [hint] : [])],
    details: {from: ctx.from, balance: balance?.toString(), needed: needed.toString()},
  })
}

const NONCE_CONFLICT = /nonce too low|nonce has already been used|already known|replacement transaction underpriced|known transaction/i

function broadcastError(e: unknown, ctx: ErrCtx, hash: string, nonce: number): ZgError {
  if (e instanceof ZgError) return e
  const code = (e as {code?: string})?.code
  const msg = messageOf(e)
  if (code === 'NONCE_EXPIRED' || code === 'REPLACEMENT_UNDERPRICED' || NONCE_CONFLICT.test(msg)) {
    return txError(`Nonce ${nonce} of ${ctx.from} was already used by another transaction.`, {code: 'NONCE_CONFLICT', details: {hash, nonce}})
  }
  if (code === 'INSUFFICIENT_FUNDS' || INSUFFICIENT.test(msg)) return insufficientFunds(ctx, undefined, 0n, undefined)
  return txError(`The node rejected ${ctx.label}: ${(e as {shortMessage?: string})?.shortMessage ?? msg}`, {
    code: 'TX_REJECTED',
    cause: e,
    details: {hash, nonce, from: ctx.from, to: ctx.to},
  })
}

/** Explains a status-0 receipt: replay the call at its block to get the revert data; flag out-of-gas. */
async function receiptFailure(provider: JsonRpcProvider, receipt: TransactionReceipt, call: {from: string; to: string | null; data: string; value: bigint; gasLimit: bigint}, ctx: ErrCtx): Promise<ZgError> {
  const extra = {hash: receipt.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed.toString(), gasLimit: call.gasLimit.toString()}
  const outOfGas = receipt.gasUsed * 100n >= call.gasLimit * 99n
  try {
    await provider.call({...call, blockTag: receipt.blockNumber})
  } catch (e) {
    const data = extractRevertData(e)
    const r = decodeRevert(data, ctx.iface)
    if (!(r.kind === 'empty' && outOfGas)) return revertError(r, ctx, 'receipt', extra)
  }
  if (outOfGas) {
    return txError(`${ctx.label} ran out of gas (used ${receipt.gasUsed} of ${call.gasLimit}) in block ${receipt.blockNumber}.`, {
      code: 'TX_REVERTED',
      suggestions: ['Retry with a higher gas limit (--gas-limit).'],
      details: {label: ctx.label, stage: 'receipt', from: ctx.from, to: ctx.to, revert: {kind: 'out-of-gas'}, ...extra},
    })
  }
  return txError(`${ctx.label} failed in block ${receipt.blockNumber}; replaying it there did not reproduce the revert (the state it depended on changed).`, {
    code: 'TX_REVERTED',
    details: {label: ctx.label, stage: 'receipt', from: ctx.from, to: ctx.to, revert: {kind: 'unknown'}, ...extra},
  })
}

function messageOf(e: unknown): string {
  const m = (e as {message?: unknown})?.message
  return typeof m === 'string' ? m : String(e)
}

const short = (a: string) => `${a.slice(0, 6)}…${a.slice(-4)}`

function resultToObject(names: string[], values: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  names.forEach((n, i) => (out[n || String(i)] = values[i]))
  return out
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms)
    function done() {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, {once: true})
  })
}
