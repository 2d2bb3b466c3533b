/**
 * How core code reports progress without touching a terminal. The CLI supplies an implementation that renders
 * listr2 tasks on a TTY, plain lines elsewhere, or NDJSON events under --json-stream; tests pass `silentReporter`.
 */
export interface ProgressEvent {
  /** Step id, stable across runs, e.g. "hash", "submit", "upload", "finalize". */
  step: string
  /** started | progress | done | info | warn */
  status: 'started' | 'progress' | 'done' | 'info' | 'warn'
  message?: string
  /** Bytes or items done / total, when the step has a measurable size. */
  done?: number
  total?: number
  /** Extra structured facts (tx hash, root …): never secrets. */
  data?: Record<string, unknown>
}

export interface Reporter {
  emit(event: ProgressEvent): void
}

export const silentReporter: Reporter = {emit() {}}
