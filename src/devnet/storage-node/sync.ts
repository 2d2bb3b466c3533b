/**
 * Log sync (NODE log_entry_sync): polls the chain for the Flow contract's Submit events from the deployment block
 * on, with the devnet's confirmation depth of 0, and hands each range of blocks to the node in order. It notices
 * when the block it last synced is no longer on the chain (a reverted snapshot, a reset chain) and rewinds to the
 * newest synced transaction block that still is.
 */
import {rpcCall} from '../../core/jsonrpc.js'
import {SUBMIT_TOPIC, decodeSubmitLog, type RawLog, type TxRecord} from './submit-log.js'

export type DecodedTx = Omit<TxRecord, 'finalized'>

export interface SyncTarget {
  /** Last synced block and its hash; undefined before the first sync. */
  position(): {block: number; hash: string} | undefined
  /** Blocks with a synced tx, newest first. */
  txBlocks(): {block: number; hash: string}[]
  /** Commits the txs of (position, block] and moves the position to `block`. */
  apply(txs: DecodedTx[], block: number, hash: string): void
  /** Drops everything after `block`. */
  revert(block: number, hash: string): void
}

export interface LogSyncOptions {
  rpcUrl: string
  flowAddress: string
  deployBlock: number
  intervalMs: number
  /** Most blocks asked for in one eth_getLogs. */
  maxRange?: number
  log: (line: string) => void
}

interface Block {
  number: string
  hash: string
}

export class LogSync {
  private timer: NodeJS.Timeout | undefined
  /** Polls run one after another on this chain (the timer and syncOnce() both enqueue here). */
  private queue: Promise<void> = Promise.resolve()
  private stopped = false
  private caughtUp = false
  private lastError = ''

  constructor(
    private readonly opts: LogSyncOptions,
    private readonly target: SyncTarget,
  ) {}

  /** True once a poll found nothing left to sync. */
  get synced(): boolean {
    return this.caughtUp
  }

  start(): void {
    this.schedule(0)
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.queue
  }

  /** One poll now, after any running one (tests use it instead of waiting for the timer). */
  syncOnce(): Promise<void> {
    const p = this.queue.then(() => (this.stopped ? undefined : this.tick()))
    this.queue = p.catch((e) => {
      this.caughtUp = false
      const msg = (e as Error)?.message ?? String(e)
      if (msg !== this.lastError) this.opts.log(`log sync failed (will retry): ${msg}`)
      this.lastError = msg
    })
    return p
  }

  private schedule(ms: number): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      this.syncOnce()
        .catch(() => {})
        .finally(() => this.schedule(this.caughtUp ? this.opts.intervalMs : this.lastError ? this.opts.intervalMs * 5 : 0))
    }, ms)
  }

  private call<T>(method: string, params: unknown[]): Promise<T> {
    return rpcCall<T>(this.opts.rpcUrl, method, params, {timeoutMs: 5000, retries: 0})
  }

  private async blockHash(n: number): Promise<string | undefined> {
    if (n < 0) return '0x' + '00'.repeat(32)
    const b = await this.call<Block | null>('eth_getBlockByNumber', ['0x' + n.toString(16), false])
    return b?.hash.toLowerCase()
  }

  private async tick(): Promise<void> {
    const latest = await this.call<Block>('eth_getBlockByNumber', ['latest', false])
    const head = Number(BigInt(latest.number))
    let pos = this.target.position()
    if (!pos) {
      const start = this.opts.deployBlock - 1
      pos = {block: start, hash: (await this.blockHash(start)) ?? ''}
      this.target.apply([], pos.block, pos.hash)
    }
    if (head === pos.block && latest.hash.toLowerCase() === pos.hash) {
      this.caughtUp = true
      this.lastError = ''
      return
    }
    if (head < pos.block || (await this.blockHash(pos.block)) !== pos.hash) {
      await this.rewind()
      this.caughtUp = false
      return
    }
    const to = Math.min(head, pos.block + (this.opts.maxRange ?? 2000))
    const logs = await this.call<RawLog[]>('eth_getLogs', [
      {address: this.opts.flowAddress, topics: [SUBMIT_TOPIC], fromBlock: '0x' + (pos.block + 1).toString(16), toBlock: '0x' + to.toString(16)},
    ])
    const toHash = to === head ? latest.hash.toLowerCase() : await this.blockHash(to)
    if (!toHash) throw new Error(`block ${to} vanished while syncing`)
    const txs = logs.filter((l) => !l.removed).map(decodeSubmitLog)
    txs.sort((a, b) => a.seq - b.seq)
    if (this.stopped) return
    this.target.apply(txs, to, toHash)
    this.caughtUp = to === head
    this.lastError = ''
  }

  private async rewind(): Promise<void> {
    for (const b of this.target.txBlocks()) {
      if ((await this.blockHash(b.block)) === b.hash) {
        this.opts.log(`chain reorganised below block ${this.target.position()?.block}; rewinding log sync to block ${b.block}`)
        this.target.revert(b.block, b.hash)
        return
      }
    }
    const start = this.opts.deployBlock - 1
    this.opts.log(`chain reorganised or reset; resyncing the log from block ${this.opts.deployBlock}`)
    this.target.revert(start, (await this.blockHash(start)) ?? '')
  }
}
