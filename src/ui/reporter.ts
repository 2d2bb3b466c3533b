import type {ProgressEvent, Reporter} from '../core/progress.js'
import {bytes} from './format.js'

/**
 * Reporter implementations. Core code only knows the Reporter interface; the base command picks one:
 * NDJSON on stdout under --json-stream, nothing under --json, animated tasks on an interactive stderr, and plain
 * one-line-per-step output everywhere else (pipes, CI, TERM=dumb).
 */

/** One NDJSON line per event on stdout, before the final envelope. */
export function ndjsonReporter(out: NodeJS.WritableStream = process.stdout): Reporter {
  return {
    emit(e) {
      out.write(JSON.stringify({type: 'progress', ...e, time: new Date().toISOString()}, bigintSafe) + '\n')
    },
  }
}

/** Plain lines on stderr; progress events are throttled to one line per step every 2 s. */
export function lineReporter(err: NodeJS.WritableStream = process.stderr): Reporter {
  const last = new Map<string, number>()
  return {
    emit(e) {
      if (e.status === 'progress') {
        const now = Date.now()
        if (now - (last.get(e.step) ?? 0) < 2000) return
        last.set(e.step, now)
      }
      err.write(formatEvent(e) + '\n')
    },
  }
}

export function formatEvent(e: ProgressEvent): string {
  const mark = {started: '→', progress: '…', done: '✔', info: '·', warn: '!'}[e.status]
  let s = `${mark} ${e.step}`
  if (e.message) s += `: ${e.message}`
  if (e.total !== undefined && e.done !== undefined && e.status !== 'info') {
    const pct = e.total > 0 ? Math.floor((e.done / e.total) * 100) : 100
    s += ` (${e.total > 4096 ? `${bytes(e.done)}/${bytes(e.total)}` : `${e.done}/${e.total}`}, ${pct}%)`
  }
  return s
}

export function bigintSafe(_k: string, v: unknown) {
  return typeof v === 'bigint' ? v.toString() : v
}

export const nullReporter: Reporter = {emit() {}}
