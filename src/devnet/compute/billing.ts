import fs from 'node:fs'
import path from 'node:path'
import type {JsonRpcProvider, Wallet} from 'ethers'
import {sendContract} from '../../core/chain/send.js'
import type {ComputeRefs} from '../../core/compute/contracts.js'
import {inferenceDomain, requestsHash, signSettlement} from '../../core/compute/signing.js'
import {readAccount} from './auth.js'

interface Owed {
  fee: bigint
  /** sha256 digests of the billed request bodies since the last settlement */
  requests: string[]
}

export interface SettlementRecord {
  at: string
  user: string
  fee: string
  status: number
  unsettled: string
  nonce: string
  txHash: string
}

const STATUS = ['success', 'partial', 'provider mismatch', 'no TEE signer', 'invalid nonce', 'invalid signature']

/**
 * Fees the provider is owed per user, kept on disk, and their periodic settlement on chain with
 * settleFeesWithTEE: one EIP-712 TEESettlement per user signed by the TEE signer, sent by the provider account.
 */
export class Billing {
  private owed = new Map<string, Owed>()
  private readonly file: string
  private readonly historyFile: string
  private settling: Promise<void> | undefined
  private timer: NodeJS.Timeout | undefined

  constructor(
    dir: string,
    private readonly chain: {provider: JsonRpcProvider; refs: ComputeRefs; providerWallet: Wallet; teeSigner: Wallet; chainId: number; env: NodeJS.ProcessEnv},
    private readonly log: (l: string) => void,
  ) {
    this.file = path.join(dir, 'unsettled.json')
    this.historyFile = path.join(dir, 'settlements.jsonl')
    try {
      const saved = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record<string, {fee: string; requests: string[]}>
      for (const [u, o] of Object.entries(saved)) this.owed.set(u, {fee: BigInt(o.fee), requests: o.requests})
    } catch {}
  }

  unsettled(user: string): bigint {
    return this.owed.get(user.toLowerCase())?.fee ?? 0n
  }

  add(user: string, fee: bigint, requestDigest: string): void {
    const k = user.toLowerCase()
    const o = this.owed.get(k) ?? {fee: 0n, requests: []}
    o.fee += fee
    o.requests.push(requestDigest)
    this.owed.set(k, o)
    this.save()
  }

  private save(): void {
    const obj: Record<string, {fee: string; requests: string[]}> = {}
    for (const [u, o] of this.owed) obj[u] = {fee: o.fee.toString(), requests: o.requests}
    const tmp = `${this.file}.tmp`
    fs.writeFileSync(tmp, JSON.stringify(obj))
    fs.renameSync(tmp, this.file)
  }

  start(intervalMs: number): void {
    const tick = () => {
      this.timer = setTimeout(() => {
        void this.settle().finally(tick)
      }, intervalMs)
      this.timer.unref()
    }
    tick()
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    await this.settling
  }

  history(): SettlementRecord[] {
    try {
      return fs.readFileSync(this.historyFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as SettlementRecord)
    } catch {
      return []
    }
  }

  /** Settles everything owed now (one transaction for up to 50 users); concurrent calls share one run. */
  settle(): Promise<void> {
    this.settling ??= this.settleOnce().finally(() => (this.settling = undefined))
    return this.settling
  }

  private async settleOnce(): Promise<void> {
    const {provider, refs, providerWallet, teeSigner, chainId, env} = this.chain
    const batch = [...this.owed.entries()].filter(([, o]) => o.fee > 0n).slice(0, 50)
    if (!batch.length) return
    const domain = inferenceDomain(chainId, refs.inference.address)
    const entries = []
    const now = BigInt(Date.now())
    for (const [user, o] of batch) {
      const acc = await readAccount(provider, refs, user, providerWallet.address)
      if (!acc) {
        this.log(`settlement: ${user} has no account any more; dropping ${o.fee} neuron owed`)
        this.owed.delete(user)
        continue
      }
      const nonce = acc.nonce >= now ? acc.nonce + 1n : now
      entries.push({
        snapshot: {fee: o.fee, n: o.requests.length},
        data: await signSettlement(teeSigner, domain, {user: acc.user, provider: providerWallet.address, totalFee: o.fee, requestsHash: requestsHash(o.requests), nonce}),
      })
    }
    if (!entries.length) return this.save()
    try {
      const r = await sendContract(providerWallet, provider, refs.inference, 'settleFeesWithTEE', [entries.map((e) => e.data)], {env, label: 'settleFeesWithTEE', timeoutMs: 60_000, iface: refs.all})
      const results = r.events.filter((e) => e.name === 'TEESettlementResult')
      for (const [i, e] of entries.entries()) {
        const ev = results[i]
        const status = Number(ev?.args.status ?? 255)
        const left = BigInt(String(ev?.args.unsettledAmount ?? e.data.totalFee))
        const k = e.data.user.toLowerCase()
        const cur = this.owed.get(k)
        if (cur && (status === 0 || status === 1)) {
          // What accrued during the transaction stays owed; of the snapshot, only the unsettled part remains.
          cur.fee = cur.fee - e.snapshot.fee + left
          cur.requests = cur.requests.slice(e.snapshot.n)
          if (cur.fee <= 0n && cur.requests.length === 0) this.owed.delete(k)
        }
        const rec: SettlementRecord = {at: new Date().toISOString(), user: e.data.user, fee: (e.data.totalFee - left).toString(), status, unsettled: left.toString(), nonce: e.data.nonce.toString(), txHash: r.hash}
        fs.appendFileSync(this.historyFile, JSON.stringify(rec) + '\n')
        this.log(`settled ${rec.fee} neuron from ${e.data.user}: ${STATUS[status] ?? status} (tx ${r.hash})`)
      }
      this.save()
    } catch (err) {
      this.log(`settlement failed: ${(err as Error).message}`)
    }
  }
}
