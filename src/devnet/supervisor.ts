import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import {ExitCode, ZgError, usageError} from '../core/errors.js'
import {DEVNET_PORTS, type DevnetState} from '../core/networks.js'
import {rpcCall} from '../core/jsonrpc.js'
import {resetChainNonces} from '../core/chain/nonce.js'
import type {Reporter} from '../core/progress.js'
import {silentReporter} from '../core/progress.js'
import {DEVNET_CHAIN_ID, anvilVersionOf, spawnAnvil, stateLoadError, waitForRpc} from './anvil.js'
import {deployDevnetContracts, type DevnetContracts} from './deploy.js'
import {SERVICES} from './registry.js'
import type {DevnetPorts, RunningService} from './service.js'
import {devnetPaths, pidAlive, pidRuns, readChainMeta, readRunInfo, writeJsonAtomic, type ChainMeta, type RunInfo} from './state.js'
import {startTxpoolWatchdog, type TxpoolWatchdog} from './txpool-watchdog.js'

export interface StartOptions {
  ports?: Partial<DevnetPorts>
  blockTime?: number
  reporter?: Reporter
  env?: NodeJS.ProcessEnv
  version?: string
}

export interface Devnet {
  info: RunInfo
  contracts: DevnetContracts
  services: RunningService[]
  /** Resolves when the devnet has stopped (by stop() or because the chain died for good). */
  stopped: Promise<void>
  stop(): Promise<void>
}

export function defaultPorts(over: Partial<DevnetPorts> = {}): DevnetPorts {
  return {
    chain: over.chain ?? DEVNET_PORTS.chain,
    indexer: over.indexer ?? DEVNET_PORTS.indexer,
    storage: over.storage ?? [...DEVNET_PORTS.storage],
    provider: over.provider ?? DEVNET_PORTS.provider,
    oracle: over.oracle ?? DEVNET_PORTS.oracle,
  }
}

/** Fails with the port's name and number when something already listens there. */
export async function assertPortsFree(ports: DevnetPorts, host = '127.0.0.1'): Promise<void> {
  const named: Array<[string, number]> = [['chain', ports.chain], ['indexer', ports.indexer], ...ports.storage.map((p, i): [string, number] => [`storage${i}`, p]), ['provider', ports.provider], ['oracle', ports.oracle]]
  const seen = new Map<number, string>()
  for (const [name, port] of named) {
    if (seen.has(port)) throw usageError(`Port ${port} is given to both ${seen.get(port)} and ${name}.`, {code: 'PORT_CONFLICT'})
    seen.set(port, name)
  }
  for (const [name, port] of named) {
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer()
      srv.once('error', () => resolve(false))
      srv.listen(port, host, () => srv.close(() => resolve(true)))
    })
    if (!free) {
      throw usageError(`Port ${port} (${name}) is already in use on ${host}.`, {
        code: 'PORT_IN_USE',
        details: {port, service: name},
        suggestions: [`Free the port, or start on another one: zg node start --${name.replace(/\d+$/, '')}-port <port>`, 'If an old devnet is running: zg node status / zg node stop'],
      })
    }
  }
}

/** A log line sink per service, appending to logs/<name>.log with a timestamp. */
function logger(file: string): (line: string) => void {
  fs.mkdirSync(path.dirname(file), {recursive: true})
  const fd = fs.openSync(file, 'a')
  return (line) => {
    try {
      fs.writeSync(fd, `${new Date().toISOString()} ${line}\n`)
    } catch {}
  }
}

/**
 * Moves a file aside (never deletes user state) and returns the new path: `<file>.<tag>-<timestamp>`.
 */
function moveAside(file: string, tag = 'corrupt'): string {
  const dest = `${file}.${tag}-${new Date().toISOString().replace(/[:.]/g, '-')}`
  fs.renameSync(file, dest)
  return dest
}

/** What was appended to a log file from byte `from` on (the last 64 KiB at most). */
function readFrom(file: string, from: number): string {
  try {
    const fd = fs.openSync(file, 'r')
    try {
      const size = fs.fstatSync(fd).size
      const start = Math.max(from > size ? 0 : from, size - 65_536)
      const buf = Buffer.alloc(Math.max(0, size - start))
      fs.readSync(fd, buf, 0, buf.length, start)
      return buf.toString('utf8')
    } finally {
      fs.closeSync(fd)
    }
  } catch {
    return ''
  }
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size
  } catch {
    return 0
  }
}

/**
 * Why anvil could not load the state file, given what it printed before it exited: not valid JSON at all (`json:
 * false`), or JSON anvil rejects (another anvil version wrote it, or it was damaged). Undefined when the exit had
 * another cause.
 */
export function unloadableState(stateFile: string, output: string): {json: boolean; reason: string} | undefined {
  if (!fs.existsSync(stateFile)) return undefined
  const json = validJsonFile(stateFile)
  const reason = stateLoadError(output, stateFile)
  if (reason) return {json, reason}
  return json ? undefined : {json, reason: 'not valid JSON'}
}

/** The warning for a state file moved aside; names the anvil versions when they are known. */
export function stateMovedMessage(o: {json: boolean; reason: string; aside: string; current?: string; previous?: ChainMeta; initial: boolean}): string {
  const anvil = o.current ? `anvil ${o.current}` : 'this anvil'
  let what: string
  if (!o.json) what = `chain state was unreadable (not valid JSON: ${o.reason})`
  else if (o.previous && o.current && o.previous.anvilVersion !== o.current) what = `chain state could not be loaded by ${anvil}: it was written by anvil ${o.previous.anvilVersion} (anvil said: ${o.reason})`
  else if (o.previous) what = `chain state could not be loaded by ${anvil}, although the same version wrote it; the file looks damaged (anvil said: ${o.reason})`
  else what = `chain state could not be loaded by ${anvil}, probably because another anvil version wrote it (anvil said: ${o.reason})`
  const next = o.initial
    ? 'A fresh chain was started and the contracts are deployed again.'
    : 'A fresh chain was started without the contracts: restart the devnet (zg node stop, then zg node start) to deploy them again.'
  return `${what}; moved to ${o.aside}. ${next} The old file is kept; \`zg node reset\` deletes it with the rest of the devnet.`
}

function validJsonFile(file: string): boolean {
  try {
    JSON.parse(fs.readFileSync(file, 'utf8'))
    return true
  } catch {
    return false
  }
}

/** Clears what a killed supervisor left behind: its run.json and an orphaned anvil still holding the port. */
export function cleanStale(env: NodeJS.ProcessEnv = process.env): RunInfo | undefined {
  const p = devnetPaths(env)
  const info = readRunInfo(env)
  if (!info) return undefined
  if (pidAlive(info.pid)) return info
  if (info.anvilPid && pidRuns(info.anvilPid, 'anvil')) {
    try {
      process.kill(info.anvilPid, 'SIGKILL')
    } catch {}
  }
  fs.rmSync(p.run, {force: true})
  return undefined
}

/**
 * Starts the chain, deploys the contracts on first start, starts every registered service and writes run.json once
 * all are healthy. Runs in the calling process (the foreground `zg node start`, or the detached child of
 * `--detach`); the chain is a child process restarted with backoff if it dies.
 */
export async function startDevnet(opts: StartOptions = {}): Promise<Devnet> {
  const env = opts.env ?? process.env
  const warnings: string[] = []
  const outer = opts.reporter ?? silentReporter
  const r: Reporter = {
    emit(e) {
      if (e.status === 'warn' && e.message) warnings.push(e.message)
      outer.emit(e)
    },
  }
  const p = devnetPaths(env)
  const ports = defaultPorts(opts.ports)
  const running = cleanStale(env)
  if (running) {
    throw new ZgError(`The devnet is already running (pid ${running.pid}, RPC ${running.rpcUrl}).`, {
      code: 'DEVNET_RUNNING',
      exit: ExitCode.USAGE,
      details: {pid: running.pid},
      suggestions: ['See it with: zg node status', 'Stop it with: zg node stop'],
    })
  }
  await assertPortsFree(ports)
  for (const d of [p.root, p.chainDir, p.logs]) fs.mkdirSync(d, {recursive: true})
  const log = logger(p.log('devnet'))
  const rpcUrl = `http://127.0.0.1:${ports.chain}`

  // Claim the devnet before the slow part so a concurrent start sees it.
  const info: RunInfo = {pid: process.pid, startedAt: new Date().toISOString(), ready: false, rpcUrl, ports, blockTime: opts.blockTime, services: [], version: opts.version ?? '0'}
  writeJsonAtomic(p.run, info)

  const ac = new AbortController()
  let chain: ReturnType<typeof spawnAnvil> | undefined
  // Repairs senders stuck by anvil's automine race (foundry-rs/foundry#10122), one per chain process. It only acts on
  // an executable transaction left queued while nothing is ready, which --block-time mining never shows either.
  let watchdog: TxpoolWatchdog | undefined
  let stopping = false
  let resolveStopped!: () => void
  const stopped = new Promise<void>((res) => (resolveStopped = res))
  const services: RunningService[] = []

  /**
   * Starts anvil on the state file. A state file anvil cannot load (not JSON, or JSON this anvil version rejects)
   * makes it exit at once: the file is moved aside (never deleted), the chain starts fresh and, on the first
   * launch, the contracts are deployed again (ensureContracts finds them missing).
   */
  const launchChain = async (initial: boolean, moved?: {aside: string; json: boolean; reason: string}): Promise<void> => {
    const chainLog = p.log('chain')
    const logFrom = fileSize(chainLog)
    const fd = fs.openSync(chainLog, 'a')
    const proc = spawnAnvil({port: ports.chain, blockTime: opts.blockTime, stateFile: p.chainState, stateInterval: 1, stdio: fd})
    fs.closeSync(fd)
    chain = proc
    let alive = true
    proc.once('exit', () => (alive = false))
    try {
      await waitForRpc(rpcUrl, 15_000, () => alive)
    } catch (e) {
      if (alive) throw e
      const output = readFrom(chainLog, logFrom)
      const bad = moved ? undefined : unloadableState(p.chainState, output)
      if (bad) {
        const aside = moveAside(p.chainState, bad.json ? 'unloadable' : 'corrupt')
        log(`chain state could not be loaded (${bad.reason}); moved to ${aside}`)
        return launchChain(initial, {aside, ...bad})
      }
      const said = output.trim().split(/\r?\n/).filter((l) => l.trim()).slice(-3).join(' | ')
      if (!said) throw e
      throw new ZgError(`The chain process exited before answering on ${rpcUrl}: ${said}`, {code: 'DEVNET_START_FAILED', exit: ExitCode.UNEXPECTED, cause: e, suggestions: ['Full chain log: zg node logs --service chain']})
    }
    info.anvilPid = proc.pid
    const wd = startTxpoolWatchdog({url: rpcUrl, log})
    watchdog = wd
    proc.once('exit', () => void wd.stop())
    const current = anvilVersionOf(await rpcCall<string>(rpcUrl, 'web3_clientVersion', []).catch(() => undefined))
    if (moved) {
      const message = stateMovedMessage({...moved, current, previous: readChainMeta(env), initial})
      r.emit({step: 'chain', status: 'warn', message})
      log(message)
    }
    // Remember which anvil writes the state from now on, to name a version change if a later one cannot load it.
    if (current && readChainMeta(env)?.anvilVersion !== current) writeJsonAtomic(p.chainMeta, {anvilVersion: current, updatedAt: new Date().toISOString()} satisfies ChainMeta)
    proc.once('exit', (code, sig) => {
      if (stopping) return
      log(`chain exited unexpectedly (code ${code}, signal ${sig}); restarting`)
      r.emit({step: 'chain', status: 'warn', message: `chain exited (code ${code ?? sig}); restarting`})
      setTimeout(() => {
        if (stopping) return
        launchChain(false)
          .then(() => writeJsonAtomic(p.run, info))
          .catch((e) => {
            log(`chain restart failed: ${(e as Error).message}`)
            void stop()
          })
      }, 500)
    })
  }

  const stop = async () => {
    if (stopping) return stopped
    stopping = true
    ac.abort()
    await watchdog?.stop()
    for (const s of [...services].reverse()) {
      try {
        await s.stop()
      } catch (e) {
        log(`stopping ${s.name}: ${(e as Error).message}`)
      }
    }
    if (chain && chain.exitCode === null && chain.signalCode === null) {
      const exited = new Promise((res) => chain!.once('exit', res))
      chain.kill('SIGTERM') // anvil writes its state file on SIGTERM
      const t = setTimeout(() => chain!.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(t)
    }
    const cur = readRunInfo(env)
    if (cur?.pid === process.pid) fs.rmSync(p.run, {force: true})
    log('stopped')
    resolveStopped()
  }

  try {
    r.emit({step: 'chain', status: 'started', message: `anvil on ${rpcUrl}`})
    await launchChain(true)
    r.emit({step: 'chain', status: 'done', message: rpcUrl})

    r.emit({step: 'contracts', status: 'started'})
    const {contracts, deployed} = await ensureContracts(rpcUrl, p.network, r, log)
    r.emit({step: 'contracts', status: 'done', message: `Flow ${contracts.flow}`})
    // A freshly deployed chain makes the services' saved state (synced logs, stored files, jobs) belong to a chain
    // that is gone: keep it aside rather than mixing the two.
    if (deployed) resetChainNonces(DEVNET_CHAIN_ID, env)
    const servicesRoot = path.dirname(p.serviceDir('x'))
    if (deployed && fs.existsSync(servicesRoot) && fs.readdirSync(servicesRoot).length) {
      const aside = `${servicesRoot}.previous-chain-${new Date().toISOString().replace(/[:.]/g, '-')}`
      fs.renameSync(servicesRoot, aside)
      r.emit({step: 'contracts', status: 'warn', message: `service data of the previous chain moved to ${aside}`})
      log(`service data of the previous chain moved to ${aside}`)
    }

    r.emit({step: 'services', status: 'started'})
    const profile: Record<string, unknown> = {}
    for (const mod of SERVICES) {
      const dir = p.serviceDir(mod.name)
      fs.mkdirSync(dir, {recursive: true})
      const started = await mod.start({dir, log: logger(p.log(mod.name)), rpcUrl, chainId: DEVNET_CHAIN_ID, contracts, ports, signal: ac.signal})
      for (const s of started) s.dir ??= dir
      services.push(...started)
      Object.assign(profile, mod.profile?.(ports) ?? {})
      r.emit({step: 'services', status: 'progress', message: `${mod.name} up`})
    }
    for (const s of services) {
      if (!(await waitHealthy(s, 15_000))) throw new ZgError(`Devnet service ${s.name} did not become healthy.`, {code: 'DEVNET_SERVICE_UNHEALTHY', exit: ExitCode.UNEXPECTED, suggestions: [`Look at its log: zg node logs --service ${s.name}`]})
    }
    r.emit({step: 'services', status: 'done', message: services.length ? services.map((s) => s.name).join(', ') : 'none registered'})

    const state: DevnetState = {...(JSON.parse(fs.readFileSync(p.network, 'utf8')) as DevnetState), rpcUrl, ...profile}
    writeJsonAtomic(p.network, state)
    info.services = services.map((s) => ({name: s.name, url: s.url, port: s.port, pid: s.pid, dir: s.dir}))
    info.ready = true
    info.readyAt = new Date().toISOString()
    if (warnings.length) info.warnings = warnings
    writeJsonAtomic(p.run, info)
    log(`ready: ${rpcUrl}`)
    return {info, contracts, services, stopped, stop}
  } catch (e) {
    await stop()
    throw e
  }
}

async function waitHealthy(s: RunningService, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await s.health().catch(() => false)) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return false
}

/**
 * Contracts are deployed once per chain. network.json remembers them; if the chain was reset underneath (state
 * gone), they are deployed again. A corrupt network.json is moved aside.
 */
async function ensureContracts(rpcUrl: string, file: string, r: Reporter, log: (l: string) => void): Promise<{contracts: DevnetContracts; deployed: boolean}> {
  let saved: DevnetState | undefined
  if (fs.existsSync(file)) {
    if (validJsonFile(file)) saved = JSON.parse(fs.readFileSync(file, 'utf8')) as DevnetState
    else {
      const aside = moveAside(file)
      r.emit({step: 'contracts', status: 'warn', message: `devnet network file was unreadable; moved to ${aside}`})
    }
  }
  const flow = saved?.contracts?.flow
  if (flow) {
    const code = await rpcCall<string>(rpcUrl, 'eth_getCode', [flow, 'latest'])
    if (code && code !== '0x') return {contracts: {...(saved!.contracts as DevnetContracts), deployBlock: saved!.deployBlock ?? 0}, deployed: false}
    log('contracts missing on chain (state was reset); deploying again')
  }
  const contracts = await deployDevnetContracts(rpcUrl, {reporter: r})
  const {deployBlock, ...addresses} = contracts
  writeJsonAtomic(file, {chainId: DEVNET_CHAIN_ID, rpcUrl, contracts: addresses, deployBlock} satisfies DevnetState)
  log(`contracts deployed at block ${deployBlock}`)
  return {contracts, deployed: true}
}

/** Asks a running supervisor to stop and waits for it (then kills what is left after the timeout). */
export async function stopDevnet(env: NodeJS.ProcessEnv = process.env, timeoutMs = 20_000): Promise<{stopped: boolean; pid?: number}> {
  const info = readRunInfo(env)
  if (!info) return {stopped: false}
  if (!pidAlive(info.pid)) {
    cleanStale(env)
    return {stopped: false, pid: info.pid}
  }
  process.kill(info.pid, 'SIGTERM')
  const deadline = Date.now() + timeoutMs
  while (pidAlive(info.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  if (pidAlive(info.pid)) {
    try {
      process.kill(info.pid, 'SIGKILL')
    } catch {}
  }
  cleanStale(env)
  return {stopped: true, pid: info.pid}
}
