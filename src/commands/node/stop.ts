import {ZgCommand} from '../../cli/base-command.js'
import {stopDevnet} from '../../devnet/supervisor.js'

export default class NodeStop extends ZgCommand<typeof NodeStop> {
  static summary = 'Stop the local devnet (state is kept; start it again with `zg node start`)'
  static examples = ['<%= config.bin %> node stop']

  async exec() {
    const r = await stopDevnet()
    if (!r.stopped) this.warn('The devnet was not running.')
    return r
  }

  protected override render(r: {stopped: boolean; pid?: number}) {
    return r.stopped ? `devnet stopped (pid ${r.pid})` : 'devnet was not running'
  }
}
