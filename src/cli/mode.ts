/**
 * How this process talks to its user, decided once from argv and env before any heavy import.
 */
export interface OutputMode {
  json: boolean
  jsonStream: boolean
  /** Prompts and Ink views allowed: stdin and stdout are TTYs and CI is unset. */
  interactive: boolean
  /** stderr is a TTY (progress may animate there). */
  stderrTTY: boolean
  verbose: boolean
}

const truthy = (v: string | undefined) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false'

export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  return truthy(env.CI) || truthy(env.CONTINUOUS_INTEGRATION)
}

/** Flags before a `--` separator only. */
export function hasFlag(argv: string[], ...names: string[]): boolean {
  const end = argv.indexOf('--')
  const head = end === -1 ? argv : argv.slice(0, end)
  return head.some((a) => names.includes(a))
}

export function detectMode(argv: string[], env: NodeJS.ProcessEnv = process.env): OutputMode {
  const jsonStream = hasFlag(argv, '--json-stream') || truthy(env.ZG_JSON_STREAM)
  const json = jsonStream || hasFlag(argv, '--json') || truthy(env.ZG_JSON) || env.ZG_CONTENT_TYPE?.toLowerCase() === 'json'
  const nonInteractive = truthy(env.ZG_NONINTERACTIVE) || hasFlag(argv, '--non-interactive')
  const interactive = !json && !nonInteractive && !isCI(env) && Boolean(process.stdin.isTTY && process.stdout.isTTY)
  return {
    json,
    jsonStream,
    interactive,
    stderrTTY: Boolean(process.stderr.isTTY) && !isCI(env) && env.TERM !== 'dumb',
    verbose: hasFlag(argv, '--verbose') || truthy(env.ZG_VERBOSE),
  }
}
