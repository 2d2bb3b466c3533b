import {Args, Flags} from '@oclif/core'
import {ZgCommand} from '../../../cli/base-command.js'
import {networkFlag} from '../../../cli/flags.js'
import {resolveNetwork} from '../../../cli/network.js'
import {checkUrl} from '../../../core/networks.js'
import {nodeHealth, type NodeHealth} from '../../../core/operator/health.js'
import {table} from '../../../ui/format.js'

export default class OperatorHealth extends ZgCommand<typeof OperatorHealth> {
  static summary = 'Health of any 0G storage node: sync height vs chain head, peers, shard, next tx seq'
  static description = 'Reads zgs_getStatus and zgs_getShardConfig from each node URL and the chain head from the network profile. --watch refreshes (an Ink view on a terminal, a line per node and interval elsewhere); --json prints one reading for monitoring. Exits 5 when a node is unreachable.'
  static examples = [
    '<%= config.bin %> node operator health http://127.0.0.1:5678 --network galileo --watch',
    '<%= config.bin %> node operator health http://10.0.0.5:5678 http://10.0.0.6:5678 --json',
    '<%= config.bin %> node operator health --network local',
  ]
  static strict = false
  static args = {url: Args.string({description: 'Node RPC URL(s); default: the profile\'s storage nodes'})}
  static flags = {
    ...networkFlag,
    watch: Flags.boolean({char: 'w', description: 'Keep refreshing until Ctrl-C / q', env: 'ZG_HEALTH_WATCH'}),
    interval: Flags.integer({description: 'Seconds between readings with --watch', default: 5, min: 1, env: 'ZG_HEALTH_INTERVAL'}),
  }
  static override interruptIsSuccess = true

  async exec() {
    const network = resolveNetwork(this.flags)
    const urls = (this.argv.filter((a) => /^https?:\/\//.test(a)).length ? this.argv.filter((a) => /^https?:\/\//.test(a)) : network.storageNodes ?? []).map(checkUrl)
    if (!urls.length) throw (await import('../../../core/errors.js')).usageError('Give at least one node URL (the profile has no storage nodes).')
    const read = () => Promise.all(urls.map((u) => nodeHealth(u, network.rpcUrl)))
    if (this.flags.watch && !this.mode.json) {
      const intervalMs = this.flags.interval * 1000
      if (this.mode.interactive) {
        const {showNodeHealth} = await import('../../../ui/node-health.js')
        const view = showNodeHealth(read, intervalMs, () => this.abort.abort())
        await new Promise((r) => this.abort.signal.addEventListener('abort', r, {once: true}))
        view.unmount()
      } else {
        while (!this.abort.signal.aborted) {
          for (const h of await read()) process.stdout.write(line(h) + '\n')
          await new Promise<void>((r) => {
            const t = setTimeout(r, intervalMs)
            this.abort.signal.addEventListener('abort', () => (clearTimeout(t), r()), {once: true})
          })
        }
      }
      return []
    }
    const rows = await read()
    if (rows.some((h) => !h.reachable)) process.exitCode = 5
    return rows
  }

  protected override render(rows: NodeHealth[]) {
    if (!rows.length) return
    return table(rows, [
      {header: 'NODE', get: (h) => h.url},
      {header: 'OK', get: (h) => (h.reachable ? 'yes' : 'DOWN')},
      {header: 'SYNC', get: (h) => h.logSyncHeight},
      {header: 'HEAD', get: (h) => h.chainHead},
      {header: 'BEHIND', get: (h) => h.behind},
      {header: 'PEERS', get: (h) => h.connectedPeers},
      {header: 'SHARD', get: (h) => (h.shard ? `${h.shard.shardId}/${h.shard.numShard}` : undefined)},
      {header: 'NEXT TX', get: (h) => h.nextTxSeq},
    ])
  }
}

function line(h: NodeHealth): string {
  if (!h.reachable) return `${h.checkedAt} ${h.url} DOWN ${h.error}`
  return `${h.checkedAt} ${h.url} sync=${h.logSyncHeight} head=${h.chainHead ?? '?'} behind=${h.behind ?? '?'} peers=${h.connectedPeers} shard=${h.shard?.shardId}/${h.shard?.numShard} nextTxSeq=${h.nextTxSeq}`
}
