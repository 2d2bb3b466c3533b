import {ExitCode, ZgError, type ExitCodeValue} from '../core/errors.js'

/** The one JSON shape every command prints under --json (schemaVersion bumps only on breaking changes). */
export interface SuccessEnvelope<T> {
  schemaVersion: 1
  ok: true
  data: T
  warnings: string[]
}
export interface ErrorEnvelope {
  schemaVersion: 1
  ok: false
  error: {code: string; message: string; suggestions: string[]; details?: Record<string, unknown>}
  warnings?: string[]
}

export const success = <T>(data: T, warnings: string[] = []): SuccessEnvelope<T> => ({schemaVersion: 1, ok: true, data, warnings})

export interface NormalizedError {
  code: string
  exit: ExitCodeValue | number
  message: string
  suggestions: string[]
  details?: Record<string, unknown>
  cause?: unknown
  stack?: string
}

/**
 * Turns anything thrown into our error shape. oclif parse errors carry `oclif.exit === 2`; our ZgErrors carry their
 * own code and exit. Anything else is unexpected (exit 1) and keeps only its message: oclif's own error objects
 * reference the whole Config, which must never reach the envelope.
 */
export function normalizeError(err: unknown): NormalizedError {
  if (err instanceof ZgError) {
    return {code: err.code, exit: err.exit, message: err.message, suggestions: err.suggestions, details: err.details, cause: err.cause, stack: err.stack}
  }
  const e = err as {message?: string; oclif?: {exit?: number}; code?: string; stack?: string; suggestions?: string[]; cause?: unknown}
  const message = (typeof e?.message === 'string' && e.message) || String(err)
  if (e?.oclif?.exit === 2 || isParseError(err)) {
    return {code: 'USAGE', exit: ExitCode.USAGE, message: firstLines(message), suggestions: ['Run the command with --help to see its flags and arguments.'], stack: e.stack}
  }
  if (typeof e?.oclif?.exit === 'number' && e.oclif.exit !== 1) {
    return {code: 'CLI_ERROR', exit: e.oclif.exit, message: firstLines(message), suggestions: e.suggestions ?? [], stack: e.stack}
  }
  if ((err as {name?: string})?.name === 'AbortError') {
    return {code: 'INTERRUPTED', exit: ExitCode.INTERRUPTED, message: 'Interrupted', suggestions: [], stack: e.stack}
  }
  return {code: 'UNEXPECTED', exit: ExitCode.UNEXPECTED, message: firstLines(message), suggestions: ['Run again with --verbose for details, and report it if it persists.'], cause: e?.cause, stack: e?.stack}
}

function isParseError(err: unknown): boolean {
  const name = (err as {constructor?: {name?: string}})?.constructor?.name ?? ''
  return /^(RequiredArgsError|NonExistentFlagsError|UnexpectedArgsError|FailedFlagValidationError|ArgInvalidOptionError|FlagInvalidOptionError|CLIParseError)$/.test(name)
}

/** oclif appends "See more help with --help" and usage dumps; keep the message itself compact. */
function firstLines(message: string): string {
  return message.split('\n').filter((l) => l.trim() && !/^See more help with/.test(l.trim())).slice(0, 6).join('\n')
}

export function errorEnvelope(n: NormalizedError, verbose: boolean, warnings: string[] = []): ErrorEnvelope {
  const details: Record<string, unknown> | undefined = verbose ? {...(n.details ?? {}), causes: causeChain(n.cause)} : n.details
  return {schemaVersion: 1, ok: false, error: {code: n.code, message: n.message, suggestions: n.suggestions, ...(details ? {details} : {})}, ...(warnings.length ? {warnings} : {})}
}

/** Messages of the cause chain, outermost first (for --verbose). */
export function causeChain(cause: unknown, depth = 0): string[] {
  if (!cause || depth > 8) return []
  const c = cause as {message?: string; cause?: unknown}
  return [typeof c.message === 'string' ? c.message : String(cause), ...causeChain(c.cause, depth + 1)]
}
