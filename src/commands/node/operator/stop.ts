import {Flags} from '@oclif/core'
import {ZgCommand} from '../../../cli/base-command.js'
import {operatorDir, operatorDirFlag} from '../../../cli/operator.js'
import {readOperatorRun} from '../../../core/operator/supervisor.js'
import {pidAlive} from '../../../devnet/state.js'

export default class OperatorStop extends ZgCommand<typeof OperatorStop> {
  static summary = 'Stop a supervised storage node'
  static examples = ['<%= config.bin %> node operator stop', '<%= config.bin %> node operator stop --dir /srv/zgs']
  static flags = {network: Flags.string({char: 'n', description: 'Network of the node (locates the default folder)', default: 'galileo', env: 'ZG_NETWORK'}), ...operatorDirFlag}

  async exec() {
    const dir = operatorDir(this.flags)
    const run = readOperatorRun(dir)
    if (!run || !pidAlive(run.supervisorPid)) {
      this.warn('No supervised node is running there.')
      return {dir, stopped: false}
    }
    process.kill(run.supervisorPid, 'SIGTERM')
    const deadline = Date.now() + 20_000
    while (pidAlive(run.supervisorPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    if (pidAlive(run.supervisorPid)) process.kill(run.supervisorPid, 'SIGKILL')
    return {dir, stopped: true, supervisorPid: run.supervisorPid, nodePid: run.nodePid}
  }

  protected override render(d: {stopped: boolean}) {
    return d.stopped ? 'node stopped' : 'node was not running'
  }
}
