import fs from 'node:fs'
import path from 'node:path'
import {devnetDir} from '../core/paths.js'
import type {DevnetPorts} from './service.js'

/** Files of the devnet under its data dir. */
export function devnetPaths(env: NodeJS.ProcessEnv = process.env) {
  const root = devnetDir(env)
  return {
    root,
    run: path.join(root, 'run.json'),
    network: path.join(root, 'network.json'),
    chainDir: path.join(root, 'chain'),
    chainState: path.join(root, 'chain', 'state.json'),
    /** Which anvil last wrote chainState ({anvilVersion, updatedAt}), to name a version change when it cannot load. */
    chainMeta: path.join(root, 'chain', 'state-meta.json'),
    logs: path.join(root, 'logs'),
    log: (service: string) => path.join(root, 'logs', `${service}.log`),
    serviceDir: (service: string) => path.join(root, 'services', service),
  }
}

export interface RunServiceInfo {
  name: string
  url?: string
  port?: number
  pid?: number
  /** Data folder of the service (for sizes in `zg node status`). */
  dir?: string
}

/** chain/state-meta.json */
export interface ChainMeta {
  anvilVersion: string
  updatedAt: string
}

export function readChainMeta(env: NodeJS.ProcessEnv = process.env): ChainMeta | undefined {
  try {
    const m = JSON.parse(fs.readFileSync(devnetPaths(env).chainMeta, 'utf8')) as ChainMeta
    return typeof m?.anvilVersion === 'string' ? m : undefined
  } catch {
    return undefined
  }
}

/** run.json: written by the supervisor once everything is healthy; removed on a clean stop. */
export interface RunInfo {
  pid: number
  anvilPid?: number
  startedAt: string
  readyAt?: string
  ready: boolean
  rpcUrl: string
  ports: DevnetPorts
  blockTime?: number
  services: RunServiceInfo[]
  version: string
  /** Things the user must hear about this start (state moved aside …), shown by `zg node start --detach`. */
  warnings?: string[]
}

export function readRunInfo(env: NodeJS.ProcessEnv = process.env): RunInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(devnetPaths(env).run, 'utf8')) as RunInfo
  } catch {
    return undefined
  }
}

/** Writes JSON atomically (tmp + rename) so a reader or a crash never sees half a file. */
export function writeJsonAtomic(file: string, value: unknown, mode = 0o644): void {
  fs.mkdirSync(path.dirname(file), {recursive: true})
  const tmp = `${file}.${process.pid}.tmp`
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n', {mode})
  fs.renameSync(tmp, file)
}

export function pidAlive(pid: number | undefined): boolean {
  if (!pid) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** True when pid is alive and its command line mentions `needle` (guards against a recycled pid). */
export function pidRuns(pid: number | undefined, needle: string): boolean {
  if (!pidAlive(pid)) return false
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle)
  } catch {
    return true
  }
}

/** The running supervisor, if any (a stale run.json whose process died is reported as not running). */
export function runningDevnet(env: NodeJS.ProcessEnv = process.env): RunInfo | undefined {
  const info = readRunInfo(env)
  return info && pidAlive(info.pid) ? info : undefined
}

/** Total size of a folder in bytes. */
export function dirSize(dir: string): number {
  let total = 0
  let entries: fs.Dirent[]
  try {
    entries = fs.readdirSync(dir, {withFileTypes: true})
  } catch {
    return 0
  }
  for (const e of entries) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) total += dirSize(p)
    else
      try {
        total += fs.statSync(p).size
      } catch {}
  }
  return total
}
