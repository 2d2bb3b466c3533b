/**
 * Typed domain errors. Core code throws these; the base command maps them to the JSON envelope and to the
 * documented exit codes. Nothing in core prints: the message is what the user reads, so it must say what
 * happened and what to do, and it must never contain a secret.
 */
export const ExitCode = {
  OK: 0,
  UNEXPECTED: 1,
  USAGE: 2,
  NOT_FOUND: 3,
  AUTH: 4,
  NETWORK: 5,
  TX_FAILED: 6,
  TIMEOUT: 7,
  INTERRUPTED: 130,
} as const
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

export interface ZgErrorOptions {
  /** Stable machine code, e.g. RPC_UNREACHABLE. */
  code: string
  exit: ExitCodeValue
  suggestions?: string[]
  details?: Record<string, unknown>
  cause?: unknown
}

export class ZgError extends Error {
  readonly code: string
  readonly exit: ExitCodeValue
  readonly suggestions: string[]
  readonly details: Record<string, unknown> | undefined

  constructor(message: string, opts: ZgErrorOptions) {
    super(message, opts.cause === undefined ? undefined : {cause: opts.cause})
    this.name = 'ZgError'
    this.code = opts.code
    this.exit = opts.exit
    this.suggestions = opts.suggestions ?? []
    this.details = opts.details
  }
}

type Extra = Omit<ZgErrorOptions, 'exit' | 'code'> & {code?: string}

export const usageError = (message: string, extra: Extra = {}) =>
  new ZgError(message, {code: 'USAGE', ...extra, exit: ExitCode.USAGE})
export const notFound = (message: string, extra: Extra = {}) =>
  new ZgError(message, {code: 'NOT_FOUND', ...extra, exit: ExitCode.NOT_FOUND})
export const authError = (message: string, extra: Extra = {}) =>
  new ZgError(message, {code: 'KEY_REQUIRED', ...extra, exit: ExitCode.AUTH})
export const networkError = (message: string, extra: Extra = {}) =>
  new ZgError(message, {code: 'RPC_UNREACHABLE', ...extra, exit: ExitCode.NETWORK})
export const txError = (message: string, extra: Extra = {}) =>
  new ZgError(message, {code: 'TX_REVERTED', ...extra, exit: ExitCode.TX_FAILED})
export const timeoutError = (message: string, extra: Extra = {}) =>
  new ZgError(message, {code: 'TIMEOUT', ...extra, exit: ExitCode.TIMEOUT})
export const interrupted = (message = 'Interrupted', extra: Extra = {}) =>
  new ZgError(message, {code: 'INTERRUPTED', ...extra, exit: ExitCode.INTERRUPTED})

export const isZgError = (e: unknown): e is ZgError => e instanceof ZgError
