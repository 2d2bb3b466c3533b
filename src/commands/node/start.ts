import {spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {ExitCode, ZgError, timeoutError} from '../../core/errors.js'
import {assertPortsFree, cleanStale, defaultPorts, startDevnet, type Devnet} from '../../devnet/supervisor.js'
import {devnetPaths, pidAlive, readRunInfo, runningDevnet, type RunInfo} from '../../devnet/state.js'
import {DEVNET_PORTS} from '../../core/networks.js'
import {keyValue} from '../../ui/format.js'

const port = (what: string, def: number, env: string) => Flags.integer({description: `${what} port (default ${def})`, env, min: 1, max: 65535, helpGroup: 'PORTS'})

export default class NodeStart extends ZgCommand<typeof NodeStart> {
  static summary = 'Start the local 0G network: chain, contracts and services'
  static description = `Starts anvil (chain 31337 on 127.0.0.1), deploys the 0G contracts on first start (Flow, compute serving, INFT, registry) and every devnet service, and waits until all are healthy. State persists in the data dir (anvil state file dumped every second: at most ~1 s of blocks can be lost on kill -9).
On a terminal it shows a live dashboard (q stops the devnet); elsewhere it logs plain lines. --detach runs it in the background and returns once it is ready.`
  static examples = ['<%= config.bin %> node start --detach', '<%= config.bin %> node start --block-time 2', '<%= config.bin %> node start --detach --chain-port 9545 --json']
  static flags = {
    detach: Flags.boolean({char: 'd', description: 'Run in the background (pid and logs in the data dir) and return once ready', env: 'ZG_DETACH'}),
    'block-time': Flags.integer({description: 'Seconds between blocks (default: mine each transaction at once)', env: 'ZG_BLOCK_TIME', min: 1}),
    'chain-port': port('Chain JSON-RPC', DEVNET_PORTS.chain, 'ZG_CHAIN_PORT'),
    'indexer-port': port('Storage indexer', DEVNET_PORTS.indexer, 'ZG_INDEXER_PORT'),
    'storage-port': port('First storage node (the second uses the next port)', DEVNET_PORTS.storage[0], 'ZG_STORAGE_PORT'),
    'provider-port': port('Compute provider', DEVNET_PORTS.provider, 'ZG_PROVIDER_PORT'),
    'oracle-port': port('INFT oracle', DEVNET_PORTS.oracle, 'ZG_ORACLE_PORT'),
    timeout: Flags.integer({description: 'Seconds to wait for the devnet to be ready', default: 60, env: 'ZG_START_TIMEOUT'}),
    'provider-target-url': Flags.string({description: 'Serve compute chats from this OpenAI-compatible server (e.g. a local llama.cpp or Ollama /v1) instead of the built-in model', env: 'ZG_PROVIDER_TARGET_URL', helpGroup: 'COMPUTE'}),
    'provider-target-model': Flags.string({description: 'Model name to request from --provider-target-url', env: 'ZG_PROVIDER_TARGET_MODEL', helpGroup: 'COMPUTE'}),
    'provider-executor': Flags.string({description: 'Shell command of a custom fine-tuning trainer (gets <dataset> <params.json> <output dir>)', env: 'ZG_PROVIDER_EXECUTOR', helpGroup: 'COMPUTE'}),
  }
  static steps = [
    {id: 'chain', title: 'Start chain'},
    {id: 'contracts', title: 'Deploy contracts'},
    {id: 'services', title: 'Start services'},
  ]
  static override interruptIsSuccess = true
  static override graceMs = 20_000

  private ports() {
    const f = this.flags
    const s = f['storage-port']
    return defaultPorts({chain: f['chain-port'], indexer: f['indexer-port'], storage: s ? [s, s + 1] : undefined, provider: f['provider-port'], oracle: f['oracle-port']})
  }

  async exec() {
    // The compute provider reads its options from the environment, which a detached supervisor inherits too.
    if (this.flags['provider-target-url']) process.env.ZG_PROVIDER_TARGET_URL = (await import('../../core/networks.js')).checkUrl(this.flags['provider-target-url'])
    if (this.flags['provider-target-model']) process.env.ZG_PROVIDER_TARGET_MODEL = this.flags['provider-target-model']
    if (this.flags['provider-executor']) process.env.ZG_PROVIDER_EXECUTOR = this.flags['provider-executor']
    if (this.flags.detach && !process.env.ZG_DEVNET_CHILD) return this.detach()
    return this.foreground()
  }

  private summary(info: RunInfo, extra: Record<string, unknown> = {}) {
    return {running: true, pid: info.pid, rpcUrl: info.rpcUrl, chainId: 31337, ports: info.ports, services: info.services, dataDir: devnetPaths().root, ...extra}
  }

  private async detach() {
    const current = runningDevnet()
    if (current?.ready) {
      this.warn(`The devnet is already running (pid ${current.pid}).`)
      return this.summary(current, {alreadyRunning: true})
    }
    if (current) throw new ZgError(`The devnet is starting (pid ${current.pid}); wait a moment and run \`zg node status\`.`, {code: 'DEVNET_STARTING', exit: ExitCode.USAGE})
    cleanStale()
    const ports = this.ports()
    await assertPortsFree(ports)
    const p = devnetPaths()
    fs.mkdirSync(p.logs, {recursive: true})
    const out = fs.openSync(p.log('supervisor'), 'a')
    const args = [path.join(this.config.root, 'bin', 'run.js'), 'node', 'start', ...this.argv.filter((a) => !['--detach', '-d', '--json', '--json-stream'].includes(a))]
    const child = spawn(process.execPath, args, {detached: true, stdio: ['ignore', out, out], env: {...process.env, ZG_DEVNET_CHILD: '1', ZG_DETACH: '', ZG_JSON: '', CI: '1', FORCE_COLOR: '0'}})
    fs.closeSync(out)
    child.unref()
    const deadline = Date.now() + this.flags.timeout * 1000
    for (;;) {
      const info = readRunInfo()
      if (info && info.pid === child.pid && info.ready) {
        for (const w of info.warnings ?? []) this.warn(w)
        return this.summary(info, {detached: true, log: p.log('supervisor')})
      }
      if (!pidAlive(child.pid) || child.exitCode !== null) {
        const tail = fs.readFileSync(p.log('supervisor'), 'utf8').trim().split('\n').slice(-8).join('\n')
        throw new ZgError(`The devnet failed to start:\n${tail}`, {code: 'DEVNET_START_FAILED', exit: ExitCode.UNEXPECTED, suggestions: ['Full logs: zg node logs', 'Start over with a clean state: zg node reset --yes']})
      }
      if (Date.now() > deadline) throw timeoutError(`The devnet was not ready after ${this.flags.timeout} s (pid ${child.pid} keeps trying).`, {suggestions: ['zg node status', 'zg node logs']})
      await new Promise((r) => setTimeout(r, 25))
    }
  }

  private async foreground() {
    const child = Boolean(process.env.ZG_DEVNET_CHILD)
    const devnet: Devnet = await this.withProgress((reporter) => startDevnet({ports: this.ports(), blockTime: this.flags['block-time'], reporter, version: this.config.version}))
    const info = devnet.info
    if (child) {
      process.stdout.write(`devnet ready: ${info.rpcUrl} (pid ${info.pid})\n`)
    } else if (this.mode.json) {
      // Under --json the devnet runs until interrupted; the envelope is printed when it stops.
    } else {
      this.note(keyValue([['rpc', info.rpcUrl], ['chain id', 31337], ['contracts', 'zg network show local'], ...info.services.map((s): [string, unknown] => [s.name, s.url])]))
    }
    const quit = () => this.abort.abort()
    process.once('SIGHUP', quit)
    let dashboard: {unmount(): void} | undefined
    let timer: NodeJS.Timeout | undefined
    try {
      const {createActivityWatcher} = await import('../../devnet/activity.js')
      const watcher = await createActivityWatcher(info.rpcUrl, devnet.contracts)
      if (this.mode.interactive && !child) {
        const {showDashboard} = await import('../../ui/dashboard.js')
        const chainHealth = {name: 'chain', url: info.rpcUrl, health: async () => pidAlive(readRunInfo()?.anvilPid)}
        dashboard = showDashboard({title: 'zg devnet', services: [chainHealth, ...devnet.services], poll: () => watcher.poll(), logFile: devnetPaths().log('devnet')}, quit)
      } else if (!this.mode.json) {
        const out = child ? process.stdout : process.stderr
        timer = setInterval(async () => {
          try {
            const a = await watcher.poll()
            for (const t of a.txs) out.write(`block ${t.block} tx ${t.hash} ${t.call} from ${t.from}\n`)
            for (const e of a.events) out.write(`block ${e.block} event ${e.contract}.${e.event}\n`)
          } catch {}
        }, 1000)
      }
      await Promise.race([devnet.stopped, new Promise((r) => this.abort.signal.addEventListener('abort', r, {once: true}))])
    } finally {
      if (timer) clearInterval(timer)
      dashboard?.unmount()
      process.off('SIGHUP', quit)
      this.note('stopping devnet…')
      await devnet.stop()
    }
    return {running: false, stopped: true, rpcUrl: info.rpcUrl}
  }

  protected override render(d: {running: boolean; rpcUrl: string; pid?: number; alreadyRunning?: boolean; services?: Array<{name: string; url?: string}>}) {
    if (!d.running) return 'devnet stopped'
    return keyValue([
      ['status', d.alreadyRunning ? 'already running' : 'running'],
      ['pid', d.pid],
      ['rpc', d.rpcUrl],
      ['chain id', 31337],
      ...(d.services ?? []).map((s): [string, unknown] => [s.name, s.url]),
      ['next', 'zg node status · zg node accounts · zg network show local'],
    ])
  }
}
