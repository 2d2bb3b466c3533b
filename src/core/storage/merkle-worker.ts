/**
 * Worker thread body for computeFileTree: claims tasks (runs of segments) from the shared counter until none
 * is left, writing segment roots straight into shared memory, then exits.
 */
import {open} from 'node:fs/promises'
import {parentPort, workerData} from 'node:worker_threads'
import {isZgError} from '../errors.js'
import {runSharedTasks, type WorkerInput, type WorkerMessage} from './merkle.js'

const port = parentPort
if (!port) throw new Error('merkle-worker.js runs only as a worker thread')
const post = (m: WorkerMessage) => port.postMessage(m)

const {path, shared} = workerData as WorkerInput
try {
  const fh = await open(path, 'r')
  try {
    await runSharedTasks(
      fh,
      shared,
      (bytes) => post({type: 'progress', bytes}),
      () => post({type: 'task-done'}),
    )
  } finally {
    await fh.close()
  }
} catch (e) {
  post({type: 'error', message: (e as Error).message, code: isZgError(e) ? e.code : (e as NodeJS.ErrnoException).code})
}
