import {spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {ZgError, ExitCode, usageError} from '../core/errors.js'

const require = createRequire(import.meta.url)

import {DEV_MNEMONIC} from '../core/keys/dev-accounts.js'

/** The mnemonic anvil funds: dev0…dev9 are its first ten accounts (one copy, in core/keys). */
export {DEV_MNEMONIC}
export const DEVNET_CHAIN_ID = 31337

/**
 * Path of the anvil binary shipped inside the platform package of @foundry-rs/anvil, pinned to exactly 1.5.1. Both
 * 1.5.1 and 1.7.1 have an automine race that can leave a sender's transactions queued for good when several of its
 * sends are in flight (foundry-rs/foundry#10122); the devnet's txpool watchdog (txpool-watchdog.ts) repairs it on
 * either, and test/devnet/anvil-burst.test.ts checks that. 1.5.1 stays the pin because shared/docs/devnet-engines.md
 * measured it steadier under load (1.7.1 grew to 1.2 GB there), it ran the burst test faster here (17–20 s against
 * 25–29 s), and neither version loads the other's state file, so a pin change sets every existing devnet chain aside.
 * We resolve the platform package directly because npm 11 does not run the wrapper's postinstall by default.
 */
export function anvilBinary(): string {
  if (process.env.ZG_ANVIL_BIN) return process.env.ZG_ANVIL_BIN
  const arch = process.arch === 'x64' ? 'amd64' : process.arch
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`
  try {
    const dir = path.dirname(require.resolve(`${pkg}/package.json`))
    const bin = path.join(dir, 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil')
    if (fs.existsSync(bin)) return bin
  } catch {}
  throw new ZgError(`The anvil binary for ${process.platform}-${process.arch} is not installed (${pkg}).`, {
    code: 'ANVIL_MISSING',
    exit: ExitCode.UNEXPECTED,
    suggestions: ['Reinstall zg with optional dependencies enabled: npm install -g zg-cli', 'Or point ZG_ANVIL_BIN at an anvil 1.5.x binary'],
  })
}

export interface AnvilOptions {
  port: number
  host?: string
  chainId?: number
  /** Seconds between blocks; undefined = automine. */
  blockTime?: number
  /** State file: loaded at start, dumped every `stateInterval` seconds and at exit. */
  stateFile?: string
  stateInterval?: number
  /** Where anvil's stdout/stderr go (a log file descriptor), or 'ignore'. */
  stdio?: number | 'ignore'
  detached?: boolean
}

export function anvilArgs(o: AnvilOptions): string[] {
  const args = ['--host', o.host ?? '127.0.0.1', '--port', String(o.port), '--chain-id', String(o.chainId ?? DEVNET_CHAIN_ID)]
  args.push('--mnemonic', DEV_MNEMONIC, '--accounts', '10', '--balance', '10000')
  if (o.blockTime !== undefined) {
    if (!(o.blockTime > 0)) throw usageError(`--block-time must be a positive number of seconds, got ${o.blockTime}`)
    args.push('--block-time', String(o.blockTime))
  }
  if (o.stateFile) args.push('--state', o.stateFile, '--state-interval', String(o.stateInterval ?? 1), '--preserve-historical-states')
  return args
}

export function spawnAnvil(o: AnvilOptions): ChildProcess {
  const out = o.stdio ?? 'ignore'
  return spawn(anvilBinary(), anvilArgs(o), {stdio: ['ignore', out, out], detached: o.detached ?? false})
}

/**
 * Why anvil refused to load its state file, judged from what it printed before exiting; undefined when its output
 * shows no such failure. anvil rejects a file it cannot deserialize while it parses its arguments (`error: invalid
 * value '<file>' for '--state <PATH>': failed to parse json file: "<file>": <serde error>`; the serde error differs
 * for every kind of mismatch, e.g. a state written by another anvil version), and a file it parsed but could not
 * apply just after (`Error: failed to load init state` with a Context: list). Any other error line naming the state
 * file counts too.
 */
export function stateLoadError(output: string, stateFile?: string): string | undefined {
  const lines = output
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
  const clip = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}…` : s)
  for (const [i, line] of lines.entries()) {
    const arg = /for '--(?:load-)?state\b[^']*':\s*(.*)$/i.exec(line)
    if (arg) return clip(arg[1].replace(/^failed to parse json file:\s*"[^"]*":\s*/i, '').trim() || line)
    if (/failed to load (?:init )?state/i.test(line)) {
      const context = lines.slice(i + 1).find((l) => l.startsWith('- '))
      return clip(context ? `${line.replace(/^error:\s*/i, '')}: ${context.slice(2)}` : line.replace(/^error:\s*/i, ''))
    }
    if (stateFile && line.includes(stateFile) && /^error\b/i.test(line)) return clip(line.replace(/^error:\s*/i, ''))
  }
  return undefined
}

/** "1.5.1" from anvil's `web3_clientVersion` ("anvil/v1.5.1") or `--version` ("anvil Version: 1.5.1-v1.5.1"). */
export function anvilVersionOf(text: string | undefined): string | undefined {
  return text ? /(\d+\.\d+\.\d+)/.exec(text)?.[1] : undefined
}

/** Polls eth_chainId until the node answers or the deadline passes. */
export async function waitForRpc(url: string, timeoutMs = 15_000, isAlive: () => boolean = () => true): Promise<number> {
  const deadline = Date.now() + timeoutMs
  let delay = 5
  for (;;) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {'content-type': 'application/json'},
        body: JSON.stringify({jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: []}),
        signal: AbortSignal.timeout(1000),
      })
      const body = (await res.json()) as {result?: string}
      if (body.result) return Number(body.result)
    } catch {}
    if (!isAlive()) throw new ZgError(`The chain process exited before answering on ${url}.`, {code: 'DEVNET_START_FAILED', exit: ExitCode.UNEXPECTED})
    if (Date.now() > deadline) throw new ZgError(`The chain did not answer on ${url} within ${timeoutMs} ms.`, {code: 'DEVNET_START_TIMEOUT', exit: ExitCode.TIMEOUT})
    await new Promise((r) => setTimeout(r, delay))
    delay = Math.min(delay * 2, 100)
  }
}

/** Starts an anvil for tests or tools and returns a handle that stops it. */
export async function startAnvil(o: AnvilOptions): Promise<{url: string; proc: ChildProcess; stop(): Promise<void>}> {
  const proc = spawnAnvil(o)
  let alive = true
  proc.once('exit', () => (alive = false))
  const url = `http://${o.host ?? '127.0.0.1'}:${o.port}`
  try {
    await waitForRpc(url, 15_000, () => alive)
  } catch (e) {
    proc.kill('SIGKILL')
    throw e
  }
  return {
    url,
    proc,
    async stop() {
      if (!alive) return
      const exited = new Promise((r) => proc.once('exit', r))
      proc.kill('SIGTERM')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
      if (alive) proc.kill('SIGKILL')
    },
  }
}
