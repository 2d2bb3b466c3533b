import fs from 'node:fs'
import path from 'node:path'
import lockfile from 'proper-lockfile'
import type {JsonRpcProvider} from 'ethers'
import {timeoutError} from '../errors.js'
import {dataDir} from '../paths.js'
import {ensurePrivateDir, writeFileAtomic} from '../keys/atomic-file.js'

/**
 * Per-account nonces across processes. Eight CI jobs sending from one account at once each take a file lock
 * (proper-lockfile: an atomic mkdir whose mtime the holder refreshes, so a crashed holder's lock goes stale and is
 * taken over), and inside it read the chain's `pending` count, compare it with the last nonce any zg process used
 * (a small state file; it covers RPCs behind load balancers whose pending count lags), take the larger, sign and
 * broadcast, record, release. The lock is held only for sign + broadcast, not while waiting for receipts.
 */

export interface NonceLockOptions {
  chainId: number | bigint
  /** The sending address (any case). */
  address: string
  /** For dataDir(); default process.env. */
  env?: NodeJS.ProcessEnv
  /** Give up waiting for the lock after this long; default 60000 ms → timeoutError NONCE_LOCK_TIMEOUT. */
  lockTimeoutMs?: number
  /** A lock not refreshed for this long belongs to a crashed process and is taken over; default 10000 (min 2000). */
  staleMs?: number
  /**
   * Trust the recorded "last used" nonce only if recorded this recently; default 120000 ms. After that the chain's
   * pending count alone decides, so a devnet reset or a dropped transaction can't leave a permanent nonce gap.
   */
  stateTtlMs?: number
}

interface NonceState {
  nonce: number
  at: number
}

/** Paths of the lock and state files for one chain + account. */
export function nonceFiles(chainId: number | bigint, address: string, env: NodeJS.ProcessEnv = process.env): {dir: string; lock: string; state: string} {
  const dir = path.join(dataDir(env), 'locks')
  const base = `${chainId}-${address.toLowerCase()}`
  return {dir, lock: path.join(dir, `${base}.lock`), state: path.join(dir, `${base}.nonce.json`)}
}

/**
 * Runs `send(nonce)` holding the account's nonce lock. `send` must sign and broadcast with that nonce and resolve
 * once the node accepted the transaction; the nonce is then recorded as used. If `send` throws, nothing is recorded
 * (if the transaction did reach the node anyway, the next pending count includes it).
 */
export async function withNonce<T>(provider: JsonRpcProvider, opts: NonceLockOptions, send: (nonce: number) => Promise<T>): Promise<T> {
  const files = nonceFiles(opts.chainId, opts.address, opts.env)
  const release = await acquire(files, opts)
  try {
    const pending = await provider.getTransactionCount(opts.address, 'pending')
    const state = readState(files.state, opts.stateTtlMs ?? 120_000)
    const nonce = state ? Math.max(pending, state.nonce + 1) : pending
    const result = await send(nonce)
    writeFileAtomic(files.state, JSON.stringify({nonce, at: Date.now()} satisfies NonceState), {mode: 0o600})
    return result
  } finally {
    await release()
  }
}

/** Forgets the recorded nonce for an account (e.g. after a devnet reset). */
export function resetNonceState(chainId: number | bigint, address: string, env: NodeJS.ProcessEnv = process.env): void {
  fs.rmSync(nonceFiles(chainId, address, env).state, {force: true})
}

/** Forgets every recorded nonce on a chain: a devnet whose chain starts over must not reuse the old numbers. */
export function resetChainNonces(chainId: number | bigint, env: NodeJS.ProcessEnv = process.env): void {
  const {dir} = nonceFiles(chainId, '0x', env)
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return
  }
  for (const n of names) if (n.startsWith(`${chainId}-`) && n.endsWith('.nonce.json')) fs.rmSync(path.join(dir, n), {force: true})
}

function readState(file: string, ttlMs: number): NonceState | undefined {
  try {
    const s = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<NonceState>
    if (!Number.isSafeInteger(s.nonce) || typeof s.at !== 'number') return undefined
    if (Date.now() - s.at > ttlMs) return undefined
    return s as NonceState
  } catch {
    return undefined
  }
}

// proper-lockfile's own `retries` counts attempts; we want a bound in time with a short, jittered poll, because
// holders keep the lock for milliseconds (sign + broadcast), so its backoff (seconds) would waste most of the wait.
async function acquire(files: {dir: string; lock: string}, opts: NonceLockOptions): Promise<() => Promise<void>> {
  ensurePrivateDir(files.dir)
  const timeoutMs = opts.lockTimeoutMs ?? 60_000
  const deadline = Date.now() + timeoutMs
  let delay = 5
  for (;;) {
    try {
      const release = await lockfile.lock(files.lock, {
        lockfilePath: files.lock,
        realpath: false,
        stale: Math.max(opts.staleMs ?? 10_000, 2000),
        retries: 0,
        // The default rethrows from a timer and kills the process; losing the lock (event loop blocked longer
        // than `stale`) is survivable: the worst case is a nonce clash the node rejects.
        onCompromised: () => undefined,
      })
      return async () => {
        await release().catch(() => undefined)
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e
    }
    if (Date.now() >= deadline) {
      throw timeoutError(`Another process has held the nonce lock for ${opts.address} for more than ${timeoutMs} ms.`, {
        code: 'NONCE_LOCK_TIMEOUT',
        suggestions: ['Wait for the other zg process sending from this account to finish, then retry.', `If none is running, remove ${files.lock}.`],
        details: {lock: files.lock, address: opts.address},
      })
    }
    await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random())))
    delay = Math.min(delay * 2, 100)
  }
}
