import {Command, type Interfaces} from '@oclif/core'
import {ExitCode, interrupted, usageError} from '../core/errors.js'
import type {Reporter} from '../core/progress.js'
import {errorEnvelope, causeChain, normalizeError, success} from './envelope.js'
import {globalFlags} from './flags.js'
import {detectMode, type OutputMode} from './mode.js'
import {bigintSafe, lineReporter, ndjsonReporter, nullReporter} from '../ui/reporter.js'
import type {StepSpec} from '../ui/tasks.js'

export type FlagsOf<T extends typeof Command> = Interfaces.InferredFlags<(typeof ZgCommand)['baseFlags'] & T['flags']>
export type ArgsOf<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

/** What a prompt needs to know to fail usefully without a terminal. */
export interface PromptHint {
  message: string
  /** The flag (and its env var) that answers this prompt non-interactively. */
  flag: string
  env?: string
}

/**
 * The one base command. It owns stdout/stderr, the JSON envelope, exit codes, progress reporting, interrupts and
 * prompting rules, so a command only parses flags, calls one service in src/core and returns its data.
 *
 * Subclasses implement `exec()` (returns the --json data) and optionally `render()` (the human view on stdout).
 */
export abstract class ZgCommand<T extends typeof Command> extends Command {
  static override baseFlags = globalFlags
  /** Steps drawn as listr2 tasks on a TTY for commands that report progress. */
  static steps: StepSpec[] | undefined
  /** Ctrl-C is how this command normally ends (e.g. a foreground server): exit 0, not 130. */
  static interruptIsSuccess = false
  /** How long after Ctrl-C a command may take to wind down before the process is ended with 130. */
  static graceMs = 5000

  protected flags!: FlagsOf<T>
  protected args!: ArgsOf<T>
  protected mode!: OutputMode
  protected readonly warnings: string[] = []
  protected readonly abort = new AbortController()

  abstract exec(): Promise<unknown>

  /** Human rendering of the result; return a string for stdout or nothing. */
  protected render(data: unknown): string | void {
    if (data === undefined || data === null) return
    if (typeof data === 'string') return data
    return JSON.stringify(data, bigintSafe, 2)
  }

  async run(): Promise<unknown> {
    this.mode = detectMode(this.argv)
    const ctor = this.ctor as unknown as typeof ZgCommand
    let sigints = 0
    let firstSigint = 0
    let forceTimer: NodeJS.Timeout | undefined
    const onSigint = () => {
      // conf's atomic writer (when-exit) re-raises the signal it caught at once; only a press a moment later is
      // the user insisting.
      if (sigints > 0 && Date.now() - firstSigint < 500) return
      sigints++
      if (sigints === 1) firstSigint = Date.now()
      if (sigints > 1) {
        this.fail(interrupted('Interrupted (second Ctrl-C): stopped immediately.'))
        process.exit(ExitCode.INTERRUPTED)
      }
      this.abort.abort(interrupted())
      // A service that ignores the signal still ends within a few seconds.
      forceTimer = setTimeout(() => {
        this.fail(interrupted())
        process.exit(ExitCode.INTERRUPTED)
      }, ctor.graceMs)
      forceTimer.unref()
    }
    process.on('SIGINT', onSigint)
    process.on('SIGTERM', onSigint)
    try {
      const parsed = await this.parse(this.ctor as never)
      this.flags = parsed.flags as FlagsOf<T>
      this.args = parsed.args as ArgsOf<T>
      const data = await this.exec()
      if (this.abort.signal.aborted && !ctor.interruptIsSuccess) throw interrupted()
      this.emitResult(data)
      return data
    } catch (err) {
      this.fail(err)
      return undefined
    } finally {
      process.off('SIGINT', onSigint)
      process.off('SIGTERM', onSigint)
      if (forceTimer) clearTimeout(forceTimer)
    }
  }

  private emitResult(data: unknown) {
    if (this.mode.json) {
      process.stdout.write(JSON.stringify(success(data ?? null, this.warnings), bigintSafe) + '\n')
      return
    }
    for (const w of this.warnings) process.stderr.write(`Warning: ${w}\n`)
    const text = this.render(data)
    if (text) process.stdout.write(text.endsWith('\n') ? text : text + '\n')
  }

  private fail(err: unknown) {
    const n = normalizeError(err)
    process.exitCode = n.exit
    if (this.mode?.json ?? false) {
      process.stdout.write(JSON.stringify(errorEnvelope(n, this.mode.verbose, this.warnings), bigintSafe) + '\n')
      return
    }
    const lines = [`Error: ${n.message}`]
    for (const s of n.suggestions) lines.push(`  → ${s}`)
    if (this.mode?.verbose) {
      if (n.details && Object.keys(n.details).length) lines.push(`  details: ${JSON.stringify(n.details, bigintSafe)}`)
      for (const c of causeChain(n.cause)) lines.push(`  caused by: ${c}`)
      if (n.stack) lines.push(n.stack)
    } else if (n.exit === ExitCode.UNEXPECTED) lines.push('  (run with --verbose for the stack)')
    process.stderr.write(lines.join('\n') + '\n')
  }

  /** A warning: on stderr for people, in the envelope's `warnings` under --json. */
  override warn(message: string | Error): string | Error {
    this.warnings.push(typeof message === 'string' ? message : message.message)
    return message
  }

  /** Informational line on stderr (silent under --json). */
  protected note(message: string) {
    if (!this.mode.json) process.stderr.write(message + '\n')
  }

  /**
   * Runs long work with the right progress for this process: NDJSON events under --json-stream, nothing under
   * --json, listr2 tasks on an interactive stderr, plain lines otherwise.
   */
  protected async withProgress<R>(fn: (r: Reporter) => Promise<R>, steps = (this.ctor as unknown as typeof ZgCommand).steps): Promise<R> {
    if (this.mode.jsonStream) return fn(ndjsonReporter())
    if (this.mode.json) return fn(nullReporter)
    if (this.mode.stderrTTY && steps?.length) {
      const {runWithTasks} = await import('../ui/tasks.js')
      return runWithTasks(steps, fn)
    }
    return fn(lineReporter())
  }

  /** Fails with exit 2, naming the flag, when a prompt would be needed without a terminal. */
  protected requireInteractive(hint: PromptHint): void {
    if (!this.mode.interactive) {
      throw usageError(`${hint.message}: pass ${hint.flag}${hint.env ? ` (or set ${hint.env})` : ''}; zg does not prompt without a terminal.`, {code: 'INPUT_REQUIRED'})
    }
  }

  protected async promptText(hint: PromptHint & {default?: string; mask?: boolean; validate?: (v: string) => string | undefined}): Promise<string> {
    this.requireInteractive(hint)
    const {textPrompt} = await import('../ui/prompts.js')
    return textPrompt(hint)
  }

  protected async promptSelect<V extends string>(hint: PromptHint & {choices: Array<{label: string; value: V}>}): Promise<V> {
    this.requireInteractive(hint)
    const {selectPrompt} = await import('../ui/prompts.js')
    return selectPrompt(hint)
  }

  /** A password/secret prompt for key resolution, only on an interactive terminal. */
  protected secretPrompt(): ((q: string) => Promise<string>) | undefined {
    if (!this.mode.interactive) return undefined
    return async (q: string) => {
      const {textPrompt} = await import('../ui/prompts.js')
      return textPrompt({message: q, mask: true})
    }
  }

  /** Confirmation: --yes answers it; without a TTY and without --yes it fails with exit 2. */
  protected async confirm(message: string, yes: boolean | undefined): Promise<boolean> {
    if (yes) return true
    this.requireInteractive({message: `Confirmation needed (${message})`, flag: '--yes', env: 'ZG_YES'})
    const {confirmPrompt} = await import('../ui/prompts.js')
    return confirmPrompt(message)
  }
}
