import type {ProgressEvent, Reporter} from '../core/progress.js'
import {bytes} from './format.js'

export interface StepSpec {
  id: string
  title: string
}

/**
 * Runs `fn` while drawing one listr2 task per step on stderr (interactive terminals only; the caller picks a plain
 * reporter elsewhere). Core code emits events by step id; each task completes when its step reports `done`, and a
 * step that never starts is marked skipped when the work ends. listr2 is imported lazily: it is only paid for on a
 * TTY.
 */
export async function runWithTasks<T>(steps: StepSpec[], fn: (r: Reporter) => Promise<T>): Promise<T> {
  const {Listr, ProcessOutput} = await import('listr2')
  type Waiter = {resolve: () => void; reject: (e: unknown) => void; promise: Promise<void>; output?: (s: string) => void; started: number; skipped?: string}
  const waiters = new Map<string, Waiter>()
  for (const s of steps) {
    let resolve!: () => void, reject!: (e: unknown) => void
    const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)))
    promise.catch(() => {})
    waiters.set(s.id, {resolve, reject, promise, started: 0})
  }
  const lastOut = new Map<string, string>()
  const reporter: Reporter = {
    emit(e: ProgressEvent) {
      const w = waiters.get(e.step)
      if (!w) return
      if (!w.started) w.started = Date.now()
      const text = describe(e, w.started)
      if (text) {
        lastOut.set(e.step, text)
        w.output?.(text)
      }
      if (e.status === 'done') w.resolve()
    },
  }
  const list = new Listr(
    steps.map((s) => ({
      title: s.title,
      task: async (_ctx: unknown, task: {output: string; title: string; skip: (m?: string) => void}) => {
        const w = waiters.get(s.id)!
        w.output = (t) => (task.output = t)
        const prior = lastOut.get(s.id)
        if (prior) task.output = prior
        await w.promise
        if (w.skipped !== undefined) task.skip(`${s.title} (${w.skipped})`)
        else if (lastOut.get(s.id)) task.title = `${s.title}: ${lastOut.get(s.id)}`
      },
    })),
    {
      concurrent: false,
      exitOnError: true,
      rendererOptions: {collapseSubtasks: false, processOutput: new ProcessOutput(process.stderr, process.stderr)},
    } as never,
  )
  const ui = list.run()
  try {
    const result = await fn(reporter)
    for (const w of waiters.values()) if (!w.started) ((w.skipped = 'not needed'), w.resolve())
    for (const w of waiters.values()) w.resolve()
    await ui
    return result
  } catch (e) {
    for (const w of waiters.values()) w.reject(e)
    await ui.catch(() => {})
    throw e
  }
}

function describe(e: ProgressEvent, started: number): string | undefined {
  if (e.total !== undefined && e.done !== undefined && e.total > 0) {
    const frac = Math.min(1, e.done / e.total)
    const width = 24
    const bar = '█'.repeat(Math.round(frac * width)).padEnd(width, '░')
    const secs = (Date.now() - started) / 1000
    const rate = secs > 0 && e.total > 4096 ? e.done / secs : 0
    const eta = rate > 0 ? Math.max(0, (e.total - e.done) / rate) : undefined
    const size = e.total > 4096 ? `${bytes(e.done)}/${bytes(e.total)}` : `${e.done}/${e.total}`
    return `${bar} ${size}${rate ? ` ${bytes(rate)}/s` : ''}${eta !== undefined && e.status !== 'done' ? ` ETA ${eta.toFixed(0)}s` : ''}${e.message ? ` ${e.message}` : ''}`
  }
  return e.message
}
