/**
 * Worker thread body for VerifyPool: checks downloaded segments against their proofs off the main thread, so that
 * hashing (most of a verified download's CPU) runs beside fetching and decoding. Buffers are transferred both ways.
 */
import {parentPort} from 'node:worker_threads'
import {verifySegmentProof} from './proof.js'
import type {VerifyRequest, VerifyReply} from './verify-pool.js'

const port = parentPort
if (!port) throw new Error('verify-worker.js runs only as a worker thread')

port.on('message', (m: VerifyRequest) => {
  let reply: VerifyReply
  try {
    const data = new Uint8Array(m.buf, 0, m.len)
    const check = verifySegmentProof(m.root, m.index, data, m.proof, m.fileSize)
    reply = {id: m.id, ok: check.ok, reason: check.ok ? undefined : check.reason, buf: m.buf, len: m.len}
  } catch (e) {
    reply = {id: m.id, ok: false, reason: `verification failed: ${(e as Error).message}`, buf: m.buf, len: m.len}
  }
  port.postMessage(reply, [m.buf])
})
