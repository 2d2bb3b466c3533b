import {Flags} from '@oclif/core'
import {ZgCommand} from '../../../cli/base-command.js'
import {operatorDir, operatorDirFlag} from '../../../cli/operator.js'
import {getNetwork} from '../../../core/networks.js'
import {readOperator} from '../../../core/operator/config.js'
import {nodeHealth} from '../../../core/operator/health.js'
import {readOperatorRun} from '../../../core/operator/supervisor.js'
import {pidAlive} from '../../../devnet/state.js'
import {keyValue} from '../../../ui/format.js'

export default class OperatorStatus extends ZgCommand<typeof OperatorStatus> {
  static summary = 'Show the supervised node: process, restarts, and its health over RPC'
  static examples = ['<%= config.bin %> node operator status', '<%= config.bin %> node operator status --json']
  static flags = {network: Flags.string({char: 'n', description: 'Network of the node (locates the default folder)', default: 'galileo', env: 'ZG_NETWORK'}), ...operatorDirFlag}

  async exec() {
    const dir = operatorDir(this.flags)
    const {meta} = readOperator(dir)
    const run = readOperatorRun(dir)
    const running = Boolean(run && pidAlive(run.supervisorPid))
    const port = meta.rpcListen.split(':').pop()
    const health = running ? await nodeHealth(`http://127.0.0.1:${port}`, getNetwork(meta.network).rpcUrl) : undefined
    return {dir, network: meta.network, running, supervisorPid: running ? run!.supervisorPid : undefined, nodePid: running ? run!.nodePid : undefined, restarts: run?.restarts ?? 0, lastExit: run?.lastExit, health}
  }

  protected override render(d: Awaited<ReturnType<OperatorStatus['exec']>>) {
    return keyValue([
      ['folder', d.dir],
      ['network', d.network],
      ['supervisor', d.running ? `running (pid ${d.supervisorPid})` : 'not running'],
      ['zgs_node', d.nodePid ? `pid ${d.nodePid}` : d.running ? 'restarting' : undefined],
      ['restarts', d.restarts],
      ['last exit', d.lastExit ? `code ${d.lastExit.code ?? d.lastExit.signal} at ${d.lastExit.at}` : undefined],
      ['sync height', d.health?.logSyncHeight],
      ['behind head', d.health?.behind],
      ['peers', d.health?.connectedPeers],
    ])
  }
}
