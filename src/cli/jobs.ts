import type {Task} from '../core/compute/finetune.js'

/** One progress line for a job snapshot (used by `job submit --wait` and `job watch` without a TTY). */
export function jobLine(t: Task): string {
  const losses = t.losses ?? []
  if (t.progress === 'Training' && losses.length) {
    const step = losses.length
    return `Training: step ${step}/${t.totalSteps ?? '?'} loss ${losses[step - 1]!.toFixed(4)}`
  }
  if (t.progress === 'Failed') return `Failed: ${t.reason ?? 'no reason given'}`
  if (t.progress === 'Delivered') return `Delivered: encrypted model at root ${t.outputRootHash ?? '?'}`
  if (t.progress === 'Finished') return `Finished: fee ${t.fee} neuron settled${t.adapterName ? `; served as ${t.adapterName}` : ''}`
  return t.progress
}

/** Loss summary of a task: first, last, and the minimum, over the steps logged. */
export function lossSummary(t: Task): {steps: number; first: number | null; last: number | null; min: number | null} {
  const l = t.losses ?? []
  return {steps: l.length, first: l[0] ?? null, last: l.at(-1) ?? null, min: l.length ? Math.min(...l) : null}
}
