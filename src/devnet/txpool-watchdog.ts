import http from 'node:http'
import {keccak256, Signature, Transaction, type TransactionLike} from 'ethers'

/*
 * anvil's automine has a race (foundry-rs/foundry#10122, present in 1.5.1 and 1.7.1): a transaction that arrives
 * while its sender's previous one is being mined can be left in the "queued" part of the pool for good, although its
 * nonce is the sender's on-chain nonce. It and every later transaction of that sender are never mined; evm_mine and
 * toggling automine do not help. Measured on 1.5.1 (2-core machine, fresh anvil each time): bursts of 200 concurrent
 * transfers from one account stalled in 19 of 80 bursts; 8 sends in flight at a time, 12 of 20 bursts of 500.
 *
 * The watchdog repairs it. It polls txpool_status (one small request per interval while the pool holds nothing
 * queued) and, once a sender's lowest pooled transaction sits at its on-chain nonce while nothing in the pool is
 * ready, on two polls in a row, it takes that sender's transactions out of the pool (anvil_removePoolTransactions;
 * anvil_dropTransaction does not reach queued ones) and sends the same signed bytes again in nonce order, so the same
 * hashes get mined. Measured on 1.5.1 and 1.7.1: all of 22 stalls in experiments (one and five sending accounts)
 * and of 68 in runs of test/devnet/anvil-burst.test.ts were repaired; evm_mine, toggling automine, re-sending as is
 * ("already imported") and anvil_dropTransaction + re-send repaired none.
 */

export const WATCHDOG_INTERVAL_MS = 400

/** A transaction as anvil's txpool_content lists it (JSON-RPC hex quantities). */
export interface PoolTx {
  hash: string
  nonce: string
  type?: string
  chainId?: string
  gas: string
  gasPrice?: string
  maxFeePerGas?: string
  maxPriorityFeePerGas?: string
  to?: string | null
  value: string
  input: string
  accessList?: Array<{address: string; storageKeys: string[]}>
  authorizationList?: Array<{chainId: string; address: string; nonce: string; yParity: string; r: string; s: string}>
  r: string
  s: string
  v?: string
  yParity?: string
}

export interface TxpoolContent {
  pending?: Record<string, Record<string, PoolTx>>
  queued?: Record<string, Record<string, PoolTx>>
}

/**
 * The pool's transactions per sender (lower-case address), lowest nonce first. Both halves of txpool_content are
 * merged: anvil 1.5.1 lists queued transactions under "pending" (1.7.1 under "queued"), so the halves say nothing.
 */
export function poolBySender(content: TxpoolContent): Map<string, PoolTx[]> {
  const out = new Map<string, PoolTx[]>()
  for (const half of [content.pending, content.queued]) {
    for (const [sender, txs] of Object.entries(half ?? {})) {
      const list = out.get(sender.toLowerCase()) ?? []
      list.push(...Object.values(txs))
      out.set(sender.toLowerCase(), list)
    }
  }
  for (const list of out.values()) list.sort((a, b) => Number(BigInt(a.nonce) - BigInt(b.nonce)))
  return out
}

/**
 * What one poll saw: senders (→ hash of their lowest pooled transaction) that look stuck, i.e. that transaction's
 * nonce is the sender's on-chain nonce, so it is executable, yet nothing in the pool is ready to be mined. Under
 * automine an executable transaction is ready and mined within milliseconds, so this shape only lasts for a moment,
 * or for good when the race struck. A sender with a nonce gap (lowest nonce above the on-chain one) is not stuck.
 */
export function findSuspects(view: {ready: number; pool: Map<string, PoolTx[]>; onChainNonce: Map<string, number>}): Map<string, string> {
  const out = new Map<string, string>()
  if (view.ready > 0) return out
  for (const [sender, txs] of view.pool) {
    const lowest = txs[0]
    const nonce = view.onChainNonce.get(sender)
    if (lowest && nonce !== undefined && Number(lowest.nonce) === nonce) out.set(sender, lowest.hash)
  }
  return out
}

/** Senders seen stuck on the same transaction by two polls in a row (a moment's shape does not survive a poll). */
export function confirmStuck(previous: Map<string, string>, current: Map<string, string>): string[] {
  return [...current].filter(([sender, hash]) => previous.get(sender) === hash).map(([sender]) => sender)
}

/**
 * The signed bytes of a pooled transaction, rebuilt from its JSON-RPC fields; undefined unless the rebuilt hash is
 * the transaction's hash (types 0, 1, 2 and 4; a blob transaction cannot be rebuilt without its sidecar).
 */
export function rebuildRawTransaction(tx: PoolTx): string | undefined {
  try {
    const type = Number(tx.type ?? 0)
    if (![0, 1, 2, 4].includes(type)) return undefined
    const like: TransactionLike = {
      type,
      nonce: Number(tx.nonce),
      gasLimit: BigInt(tx.gas),
      to: tx.to ?? null,
      value: BigInt(tx.value),
      data: tx.input,
      chainId: tx.chainId === undefined ? 0n : BigInt(tx.chainId),
      signature: type === 0 || tx.yParity === undefined ? {r: tx.r, s: tx.s, v: BigInt(tx.v ?? 0)} : {r: tx.r, s: tx.s, yParity: Number(tx.yParity) as 0 | 1},
    }
    if (type === 0 || type === 1) like.gasPrice = BigInt(tx.gasPrice ?? 0)
    else {
      like.maxFeePerGas = BigInt(tx.maxFeePerGas ?? 0)
      like.maxPriorityFeePerGas = BigInt(tx.maxPriorityFeePerGas ?? 0)
    }
    if (type !== 0) like.accessList = tx.accessList ?? []
    if (type === 4) {
      like.authorizationList = (tx.authorizationList ?? []).map((a) => ({
        chainId: BigInt(a.chainId),
        address: a.address,
        nonce: BigInt(a.nonce),
        signature: Signature.from({r: a.r, s: a.s, yParity: Number(a.yParity) as 0 | 1}),
      }))
    }
    const rebuilt = Transaction.from(like)
    return rebuilt.hash === tx.hash ? rebuilt.serialized : undefined
  } catch {
    return undefined
  }
}

type Reply = {id?: number; result?: unknown; error?: {code?: number; message: string}}
type Post = (body: unknown, signal?: AbortSignal) => Promise<unknown>

/** JSON-RPC over node:http with a keep-alive agent: an idle poll costs about a third of what fetch costs here. */
function poster(url: string, agent: http.Agent): Post {
  return (body, signal) =>
    new Promise((resolve, reject) => {
      const data = JSON.stringify(body)
      const req = http.request(url, {method: 'POST', agent, signal, timeout: 5000, headers: {'content-type': 'application/json', 'content-length': Buffer.byteLength(data)}}, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', reject)
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
          } catch (e) {
            reject(e)
          }
        })
      })
      req.on('timeout', () => req.destroy(new Error('timed out')))
      req.on('error', reject)
      req.end(data)
    })
}

async function call<T>(post: Post, method: string, params: unknown[] = [], signal?: AbortSignal): Promise<T> {
  const reply = (await post({jsonrpc: '2.0', id: 1, method, params}, signal)) as Reply
  if (reply.error) throw new Error(`${method}: ${reply.error.message}`)
  return reply.result as T
}

/** A batch of calls; each reply in call order (result or error). */
async function batch(post: Post, calls: Array<[string, unknown[]]>, signal?: AbortSignal): Promise<Reply[]> {
  if (calls.length === 0) return []
  const replies = await post(calls.map(([method, params], id) => ({jsonrpc: '2.0', id, method, params})), signal)
  const list = Array.isArray(replies) ? (replies as Reply[]) : []
  return calls.map((_, id) => list.find((r) => r.id === id) ?? {error: {message: 'no reply'}})
}

// Re-sending a transaction that got mined or is back in the pool meanwhile is refused with one of these: no harm.
const HARMLESS = /already (imported|known)|nonce too low/i

export interface TxpoolWatchdog {
  /** Repairs done so far. */
  readonly repairs: number
  /** Stops polling; waits for a poll (and a repair) in progress. */
  stop(): Promise<void>
}

/**
 * Watches the pool of the anvil at `url` and repairs senders stuck by the automine race (see the top of this file),
 * logging one line per repair. Never throws; stop() it when the chain stops.
 */
export function startTxpoolWatchdog(o: {url: string; log: (line: string) => void; intervalMs?: number}): TxpoolWatchdog {
  const interval = o.intervalMs ?? WATCHDOG_INTERVAL_MS
  const ac = new AbortController()
  const agent = new http.Agent({keepAlive: true})
  const post = poster(o.url, agent)
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let suspects = new Map<string, string>()
  let repairs = 0
  // Senders the watchdog cannot repair are logged once per stuck transaction, not once per poll.
  const told = new Set<string>()

  const poll = async () => {
    const status = await call<{pending: string; queued: string}>(post, 'txpool_status', [], ac.signal)
    if (!(Number(status.queued) > 0)) {
      suspects = new Map()
      return
    }
    const pool = poolBySender(await call<TxpoolContent>(post, 'txpool_content', [], ac.signal))
    const senders = [...pool.keys()]
    const counts = await batch(post, senders.map((s) => ['eth_getTransactionCount', [s, 'latest']]), ac.signal)
    const onChainNonce = new Map<string, number>()
    counts.forEach((c, i) => typeof c.result === 'string' && onChainNonce.set(senders[i]!, Number(c.result)))
    const current = findSuspects({ready: Number(status.pending), pool, onChainNonce})
    const stuck = confirmStuck(suspects, current)
    suspects = current
    for (const sender of stuck) {
      if (stopped) return
      suspects.delete(sender)
      await repair(sender, pool.get(sender)!)
    }
  }

  const repair = async (sender: string, txs: PoolTx[]) => {
    const nonce = Number(txs[0]!.nonce)
    // Every transaction must be reproducible byte for byte before any leaves the pool: anvil's own copy first.
    const raws = new Map<string, string>()
    const copies = await batch(post, txs.map((tx) => ['eth_getRawTransactionByHash', [tx.hash]])).catch(() => [] as Reply[])
    for (const [i, tx] of txs.entries()) {
      const raw = copies[i]?.result
      const bytes = typeof raw === 'string' && raw.startsWith('0x') && keccak256(raw) === tx.hash ? raw : rebuildRawTransaction(tx)
      if (!bytes) {
        if (!told.has(`${sender}:${txs[0]!.hash}`)) o.log(`txpool watchdog: ${sender} is stuck at nonce ${nonce} (anvil automine race), but transaction ${tx.hash} (type ${Number(tx.type ?? 0)}) cannot be re-sent unchanged; left as is`)
        told.add(`${sender}:${txs[0]!.hash}`)
        return
      }
      raws.set(tx.hash, bytes)
    }
    // Read the pool in the same request as the removal, to also catch a transaction that arrived since the poll. No
    // answer leaves it unknown whether the removal happened: re-send anyway (a copy still pooled is refused, harmlessly).
    const [content, removed] = await batch(post, [
      ['txpool_content', []],
      ['anvil_removePoolTransactions', [sender]],
    ]).catch(() => [] as Reply[])
    if (removed?.error) {
      o.log(`txpool watchdog: ${sender} is stuck at nonce ${nonce} (anvil automine race), but anvil_removePoolTransactions failed: ${removed.error.message}`)
      return
    }
    const all = new Map(txs.map((tx) => [tx.hash, tx]))
    const since = content?.result ? (poolBySender(content.result as TxpoolContent).get(sender) ?? []) : []
    for (const tx of since) if (!all.has(tx.hash)) all.set(tx.hash, tx)
    const order = [...all.values()].sort((a, b) => Number(BigInt(a.nonce) - BigInt(b.nonce)))
    const refused: string[] = []
    // One at a time: sends in flight together are what trigger the race.
    for (const tx of order) {
      const raw = raws.get(tx.hash) ?? rebuildRawTransaction(tx)
      if (!raw) {
        refused.push(`${tx.hash} (lost: cannot be rebuilt)`)
        continue
      }
      try {
        await call(post, 'eth_sendRawTransaction', [raw])
      } catch (e) {
        if (!HARMLESS.test((e as Error).message)) refused.push(`${tx.hash} (${(e as Error).message})`)
      }
    }
    repairs++
    o.log(
      `txpool watchdog: ${sender} was stuck at nonce ${nonce} with ${txs.length} transaction(s) queued and none ready ` +
        `(anvil automine race, foundry-rs/foundry#10122); re-sent ${order.length - refused.length} of ${order.length} unchanged` +
        (refused.length ? `; refused: ${refused.slice(0, 3).join(', ')}${refused.length > 3 ? ` and ${refused.length - 3} more` : ''}` : ''),
    )
  }

  const schedule = () => {
    if (stopped) return
    timer = setTimeout(() => {
      timer = undefined
      running = poll()
        .catch(() => {}) // the chain restarting or stopping: the next poll looks again
        .finally(() => {
          running = undefined
          schedule()
        })
    }, interval)
    timer.unref()
  }
  schedule()

  return {
    get repairs() {
      return repairs
    },
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      ac.abort() // cuts a poll short, never a repair (its calls do not take the signal)
      await running
      agent.destroy()
    },
  }
}
