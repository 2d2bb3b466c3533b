import {ZgCommand} from '../../cli/base-command.js'
import {rpcCall} from '../../core/jsonrpc.js'
import {devnetPaths, dirSize, pidAlive, readRunInfo} from '../../devnet/state.js'
import {bytes, keyValue, table} from '../../ui/format.js'

interface ServiceStatus {
  name: string
  pid?: number
  port?: number
  url?: string
  healthy: boolean
  dataBytes: number
}

export default class NodeStatus extends ZgCommand<typeof NodeStatus> {
  static summary = 'Show whether the devnet runs, and each service\'s pid, port, health and data size'
  static examples = ['<%= config.bin %> node status', '<%= config.bin %> node status --json']

  async exec() {
    const p = devnetPaths()
    const info = readRunInfo()
    const running = Boolean(info && pidAlive(info.pid))
    if (!info || !running) {
      return {running: false, dataDir: p.root, dataBytes: dirSize(p.root), services: [] as ServiceStatus[]}
    }
    let blockHeight: number | undefined
    let chainHealthy = false
    try {
      blockHeight = Number(await rpcCall<string>(info.rpcUrl, 'eth_blockNumber', [], {retries: 0, timeoutMs: 2000}))
      chainHealthy = true
    } catch {}
    const services: ServiceStatus[] = [{name: 'chain', pid: info.anvilPid, port: info.ports.chain, url: info.rpcUrl, healthy: chainHealthy, dataBytes: dirSize(p.chainDir)}]
    for (const s of info.services) {
      let healthy = false
      if (s.url) {
        try {
          const res = await fetch(new URL('/health', s.url), {signal: AbortSignal.timeout(2000)})
          healthy = res.ok
        } catch {}
      }
      services.push({name: s.name, pid: s.pid ?? info.pid, port: s.port, url: s.url, healthy, dataBytes: s.dir ? dirSize(s.dir) : 0})
    }
    return {running: true, ready: info.ready, pid: info.pid, startedAt: info.startedAt, rpcUrl: info.rpcUrl, blockHeight, dataDir: p.root, dataBytes: dirSize(p.root), services}
  }

  protected override render(d: Awaited<ReturnType<NodeStatus['exec']>>) {
    if (!d.running) return `devnet is not running (data dir ${d.dataDir}, ${bytes(d.dataBytes)}). Start it: zg node start --detach`
    const r = d as Extract<typeof d, {pid: number}>
    return (
      keyValue([
        ['status', r.ready ? 'running' : 'starting'],
        ['pid', r.pid],
        ['since', r.startedAt],
        ['block height', r.blockHeight],
        ['data dir', `${r.dataDir} (${bytes(r.dataBytes)})`],
      ]) +
      '\n\n' +
      table(r.services, [
        {header: 'SERVICE', get: (s) => s.name},
        {header: 'PID', get: (s) => s.pid},
        {header: 'PORT', get: (s) => s.port},
        {header: 'HEALTH', get: (s) => (s.healthy ? 'ok' : 'DOWN')},
        {header: 'DATA', get: (s) => bytes(s.dataBytes)},
        {header: 'URL', get: (s) => s.url},
      ])
    )
  }
}
