import os from 'node:os'
import {parentPort, workerData} from 'node:worker_threads'
import {deserialize, encode, evaluate, initWeights, serialize, train, DEFAULT_LM_CONFIG, type LmFileMeta} from '../../core/compute/tinylm.js'

/**
 * Trains the tiny language model off the main thread (the provider keeps answering while it trains).
 * In: {base?: Uint8Array (a serialized model to continue from), text, steps, learningRate, batchSize, seed, meta}.
 * Out: {type:'step', step, loss} after every optimiser step, then {type:'done', model: Uint8Array, ...}.
 * Posting {type:'stop'} to the worker is not needed: the parent terminates it to cancel.
 */
export interface TrainJob {
  base?: Uint8Array
  text: string
  steps: number
  learningRate: number
  batchSize: number
  seed: number
  meta: LmFileMeta
}

export type TrainMessage =
  | {type: 'step'; step: number; loss: number}
  | {type: 'done'; model: Uint8Array; steps: number; firstLoss: number; lastLoss: number; evalBefore: number; evalAfter: number; tokens: number}
  | {type: 'error'; message: string}

const job = workerData as TrainJob
// Training is background work: on Linux this lowers only this thread's priority (a thread is its own task), so the
// devnet's services and the user's commands stay responsive while the model trains.
try {
  os.setPriority(19)
} catch {}
try {
  const weights = job.base ? deserialize(job.base).weights : initWeights(DEFAULT_LM_CONFIG, job.seed)
  const ids = encode(job.text, weights.config)
  const evalBefore = evaluate(weights, ids)
  const r = train(weights, ids, {
    steps: job.steps,
    batchSize: job.batchSize,
    learningRate: job.learningRate,
    seed: job.seed,
    onStep: (step, loss) => parentPort!.postMessage({type: 'step', step, loss} satisfies TrainMessage),
  })
  const evalAfter = evaluate(weights, ids)
  const meta = {...job.meta, steps: r.steps, evalLossBefore: evalBefore, evalLossAfter: evalAfter, trainedTokens: ids.length}
  const model = serialize(weights, meta)
  parentPort!.postMessage({
    type: 'done',
    model: new Uint8Array(model),
    steps: r.steps,
    firstLoss: r.losses[0] ?? NaN,
    lastLoss: r.losses.at(-1) ?? NaN,
    evalBefore,
    evalAfter,
    tokens: ids.length,
  } satisfies TrainMessage)
} catch (e) {
  parentPort!.postMessage({type: 'error', message: (e as Error).message} satisfies TrainMessage)
}
