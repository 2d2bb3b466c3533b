import {spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {notFound, usageError} from '../errors.js'
import type {Reporter} from '../progress.js'
import {silentReporter} from '../progress.js'
import {configPath, runtimeConfig} from './config.js'

export interface OperatorRun {
  supervisorPid: number
  nodePid?: number
  binary: string
  startedAt: string
  restarts: number
  lastExit?: {code: number | null; signal: string | null; at: string}
}

export const runFile = (dir: string) => path.join(dir, 'run.json')
export const nodeLog = (dir: string) => path.join(dir, 'log', 'zgs_node.out.log')

export function readOperatorRun(dir: string): OperatorRun | undefined {
  try {
    return JSON.parse(fs.readFileSync(runFile(dir), 'utf8')) as OperatorRun
  } catch {
    return undefined
  }
}

function writeRun(dir: string, run: OperatorRun) {
  const tmp = `${runFile(dir)}.${process.pid}.tmp`
  fs.writeFileSync(tmp, JSON.stringify(run, null, 2))
  fs.renameSync(tmp, runFile(dir))
}

export function checkBinary(binary: string): string {
  const abs = path.resolve(binary)
  let st: fs.Stats
  try {
    st = fs.statSync(abs)
  } catch {
    throw notFound(`No zgs_node binary at ${abs}.`, {code: 'BINARY_NOT_FOUND', suggestions: ['Build it from 0G\'s 0g-storage-node repository (cargo build --release) and pass --binary target/release/zgs_node']})
  }
  if (!st.isFile() || (st.mode & 0o111) === 0) throw usageError(`${abs} is not an executable file.`)
  return abs
}

export interface SuperviseOptions {
  dir: string
  binary: string
  /** Injected into the runtime config only (never written beside the config). */
  minerKey?: string
  reporter?: Reporter
  signal: AbortSignal
  /** Backoff after a crash: base × 2^n, capped; reset after `stableMs` of uptime. */
  backoffBaseMs?: number
  backoffMaxMs?: number
  stableMs?: number
}

/**
 * Runs zgs_node and keeps it running: restarts after a crash with exponential backoff, appends its output to
 * log/zgs_node.out.log, records pids in run.json, and stops it (SIGTERM, then SIGKILL) when `signal` aborts.
 * The miner key goes into a 0600 runtime config in a 0700 folder that is deleted as soon as the node has read it.
 */
export async function superviseNode(o: SuperviseOptions): Promise<OperatorRun> {
  const r = o.reporter ?? silentReporter
  const base = o.backoffBaseMs ?? 1000
  const max = o.backoffMaxMs ?? 60_000
  const stable = o.stableMs ?? 60_000
  fs.mkdirSync(path.join(o.dir, 'log'), {recursive: true})
  const saved = fs.readFileSync(configPath(o.dir), 'utf8')
  const run: OperatorRun = {supervisorPid: process.pid, binary: o.binary, startedAt: new Date().toISOString(), restarts: 0}
  writeRun(o.dir, run)
  let failures = 0
  let child: ChildProcess | undefined
  const stop = () => child?.kill('SIGTERM')
  o.signal.addEventListener('abort', stop, {once: true})
  try {
    while (!o.signal.aborted) {
      const cfg = prepareConfig(o.dir, saved, o.minerKey)
      const out = fs.openSync(nodeLog(o.dir), 'a')
      const started = Date.now()
      child = spawn(o.binary, ['--config', cfg.path], {cwd: o.dir, stdio: ['ignore', out, out]})
      fs.closeSync(out)
      run.nodePid = child.pid
      writeRun(o.dir, run)
      r.emit({step: 'node', status: 'info', message: `zgs_node started (pid ${child.pid})`, data: {pid: child.pid}})
      // zgs_node reads its config once at start-up; the key-bearing copy does not outlive that.
      const cleanup = setTimeout(cfg.remove, 5000)
      const exit = await new Promise<{code: number | null; signal: string | null}>((res) => child!.once('exit', (code, signal) => res({code, signal})))
      clearTimeout(cleanup)
      cfg.remove()
      run.lastExit = {...exit, at: new Date().toISOString()}
      run.nodePid = undefined
      if (o.signal.aborted) break
      failures = Date.now() - started > stable ? 1 : failures + 1
      const wait = Math.min(max, base * 2 ** (failures - 1))
      run.restarts++
      writeRun(o.dir, run)
      r.emit({step: 'node', status: 'warn', message: `zgs_node exited (code ${exit.code ?? exit.signal}); restarting in ${Math.round(wait / 1000)} s`, data: {...exit, restartInMs: wait}})
      await new Promise<void>((res) => {
        const t = setTimeout(res, wait)
        o.signal.addEventListener('abort', () => (clearTimeout(t), res()), {once: true})
      })
    }
  } finally {
    o.signal.removeEventListener('abort', stop)
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((res) => child!.once('exit', res))
      child.kill('SIGTERM')
      const t = setTimeout(() => child!.kill('SIGKILL'), 10_000)
      await gone
      clearTimeout(t)
    }
    fs.rmSync(runFile(o.dir), {force: true})
  }
  return run
}

function prepareConfig(dir: string, saved: string, minerKey: string | undefined): {path: string; remove: () => void} {
  if (!minerKey) return {path: configPath(dir), remove: () => {}}
  const rdir = path.join(dir, '.runtime')
  fs.mkdirSync(rdir, {recursive: true, mode: 0o700})
  fs.chmodSync(rdir, 0o700)
  const file = path.join(rdir, `config-${process.pid}.toml`)
  // Relative paths in the config (db, log, network) must still resolve against the operator folder.
  fs.writeFileSync(file, runtimeConfig(saved, minerKey), {mode: 0o600})
  return {path: file, remove: () => fs.rmSync(file, {force: true})}
}
