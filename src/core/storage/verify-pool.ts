/**
 * A few worker threads that verify segment proofs for the downloader. Hashing a 256 KiB segment costs ~2 ms of
 * Keccak; on one thread it caps a verified download near the hash speed, so big downloads spread it over cores.
 */
import {availableParallelism} from 'node:os'
import {Worker} from 'node:worker_threads'
import type {ProofCheck, SegmentProof} from './proof.js'

export interface VerifyRequest {
  id: number
  root: string
  index: number
  buf: ArrayBuffer
  len: number
  proof: SegmentProof
  fileSize: number
}

export interface VerifyReply {
  id: number
  ok: boolean
  reason?: string
  buf: ArrayBuffer
  len: number
}

/** Workers for a machine: one per spare core, at most 4 (measured: more buys nothing against one node process). */
export function defaultVerifyWorkers(): number {
  return Math.max(1, Math.min(availableParallelism() - 1, 4))
}

export class VerifyPool {
  private readonly workers: Worker[] = []
  private readonly load: number[] = []
  private readonly pending = new Map<number, {resolve: (r: {check: ProofCheck; data: Uint8Array}) => void; reject: (e: unknown) => void; worker: number}>()
  private nextId = 1
  private failed: Error | undefined
  private closing = false

  constructor(size = defaultVerifyWorkers()) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(new URL('./verify-worker.js', import.meta.url))
      w.on('message', (m: VerifyReply) => {
        const p = this.pending.get(m.id)
        if (!p) return
        this.pending.delete(m.id)
        this.load[p.worker]!--
        p.resolve({check: m.ok ? {ok: true} : {ok: false, reason: m.reason ?? 'invalid'}, data: new Uint8Array(m.buf, 0, m.len)})
      })
      w.on('error', (e) => this.fail(e))
      w.on('exit', (code) => {
        if (!this.closing) this.fail(new Error(`a proof-verification thread exited unexpectedly (code ${code})`))
      })
      this.workers.push(w)
      this.load.push(0)
    }
  }

  private fail(e: Error) {
    this.failed = e
    for (const p of this.pending.values()) p.reject(e)
    this.pending.clear()
  }

  /** Verifies `data` (ownership passes to the pool; the returned `data` views the same bytes). */
  verify(root: string, index: number, data: Uint8Array, proof: SegmentProof, fileSize: number): Promise<{check: ProofCheck; data: Uint8Array}> {
    if (this.failed) return Promise.reject(this.failed)
    // Transfer needs a buffer of its own: copy when the bytes are a view into a larger one (small Buffers are
    // slices of Node's shared pool, which cannot be transferred at all).
    const whole = data.byteOffset === 0 && data.buffer instanceof ArrayBuffer && data.buffer.byteLength === data.byteLength
    const own = whole ? (data.buffer as ArrayBuffer) : new Uint8Array(data).buffer
    const k = this.load.indexOf(Math.min(...this.load))
    const id = this.nextId++
    this.load[k]!++
    return new Promise((resolve, reject) => {
      this.pending.set(id, {resolve, reject, worker: k})
      const msg: VerifyRequest = {id, root, index, buf: own as ArrayBuffer, len: data.length, proof, fileSize}
      this.workers[k]!.postMessage(msg, [own as ArrayBuffer])
    })
  }

  async close(): Promise<void> {
    this.closing = true
    await Promise.all(this.workers.map((w) => w.terminate()))
  }
}
