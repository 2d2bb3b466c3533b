/** Small async helpers shared by the storage uploader and downloader. */
import {interrupted, isZgError, type ZgError} from '../errors.js'
import type {Reporter} from '../progress.js'

/** The error an aborted operation ends with: the signal's own reason when it is a ZgError, else "interrupted". */
export function abortReason(signal: AbortSignal, what = 'Interrupted'): ZgError {
  return isZgError(signal.reason) ? signal.reason : interrupted(what)
}

export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw abortReason(signal, what)
}

/** setTimeout as a promise that rejects at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal))
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(t)
      reject(abortReason(signal!))
    }
    signal?.addEventListener('abort', onAbort, {once: true})
  })
}

/** Exponential backoff with jitter: base·2^attempt, capped, ×[0.5, 1). */
export function backoffMs(attempt: number, baseMs = 250, maxMs = 8000): number {
  return Math.min(baseMs * 2 ** attempt, maxMs) * (0.5 + Math.random() / 2)
}

/**
 * A counting semaphore over bytes: `acquire(n)` waits until n more bytes fit under the limit (a request larger than
 * the whole limit is let through alone, so it cannot deadlock). FIFO, so big requests are not starved.
 */
export class ByteBudget {
  private used = 0
  private readonly queue: {n: number; resolve: () => void}[] = []

  constructor(readonly limit: number) {}

  acquire(n: number): Promise<void> {
    if (this.queue.length === 0 && this.fits(n)) {
      this.used += n
      return Promise.resolve()
    }
    return new Promise((resolve) => this.queue.push({n, resolve}))
  }

  release(n: number): void {
    this.used -= n
    while (this.queue.length && this.fits(this.queue[0]!.n)) {
      const next = this.queue.shift()!
      this.used += next.n
      next.resolve()
    }
  }

  private fits(n: number): boolean {
    return this.used === 0 || this.used + n <= this.limit
  }
}

/** Calls `fn` at most every `ms` (plus a final `flush`), for journal and sidecar checkpoints. */
export function throttle(fn: () => void, ms: number): {(): void; flush(): void} {
  let last = 0
  let dirty = false
  const t = () => {
    dirty = true
    const now = Date.now()
    if (now - last >= ms) {
      last = now
      dirty = false
      fn()
    }
  }
  t.flush = () => {
    if (dirty) {
      dirty = false
      last = Date.now()
      fn()
    }
  }
  return t
}

/** "0x…" lowercase 32-byte hex, or undefined. */
export function normalizeRoot(s: string): string | undefined {
  const h = s.trim()
  const m = /^(0x)?([0-9a-fA-F]{64})$/.exec(h)
  return m ? '0x' + m[2]!.toLowerCase() : undefined
}

/** A reporter that also hands every warning to `onWarn` (commands put them in the --json envelope). */
export function teeWarnings(reporter: Reporter, onWarn: (message: string) => void): Reporter {
  return {
    emit(e) {
      if (e.status === 'warn' && e.message) onWarn(e.message)
      reporter.emit(e)
    },
  }
}
