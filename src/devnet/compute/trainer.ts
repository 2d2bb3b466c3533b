import {Worker} from 'node:worker_threads'
import type {TrainJob, TrainMessage} from './train-worker.js'

export type TrainOutcome = Extract<TrainMessage, {type: 'done'}>

/**
 * Runs one training job in a worker thread. `onStep` sees every step's loss; aborting `signal` terminates the
 * worker at once (the job then rejects with an AbortError).
 */
export function runTraining(job: TrainJob, onStep: (step: number, loss: number) => void, signal?: AbortSignal): Promise<TrainOutcome> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DOMException('training cancelled', 'AbortError'))
    const worker = new Worker(new URL('./train-worker.js', import.meta.url), {workerData: job})
    let settled = false
    const finish = (fn: () => void) => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      fn()
    }
    const onAbort = () => {
      void worker.terminate()
      finish(() => reject(new DOMException('training cancelled', 'AbortError')))
    }
    signal?.addEventListener('abort', onAbort, {once: true})
    worker.on('message', (m: TrainMessage) => {
      if (m.type === 'step') onStep(m.step, m.loss)
      else if (m.type === 'done') finish(() => resolve(m))
      else finish(() => reject(new Error(m.message)))
    })
    worker.on('error', (e) => finish(() => reject(e)))
    worker.on('exit', (code) => finish(() => reject(new Error(`the training worker exited with code ${code}`))))
  })
}
