import {Args} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {setSetting} from '../../core/config.js'
import {getNetwork} from '../../core/networks.js'

export default class NetworkUse extends ZgCommand<typeof NetworkUse> {
  static summary = 'Make a profile the default for every command'
  static examples = ['<%= config.bin %> network use galileo', '<%= config.bin %> network use local']
  static args = {name: Args.string({description: 'Profile name', required: true})}

  async exec() {
    const n = getNetwork(this.args.name)
    setSetting('network', n.name)
    return {network: n.name, chainId: n.chainId}
  }

  protected override render(d: {network: string; chainId: number}) {
    return `Now using ${d.network} (chain ${d.chainId})`
  }
}
