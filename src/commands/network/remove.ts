import {Args} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {getSetting, unsetSetting} from '../../core/config.js'
import {removeNetwork} from '../../core/networks.js'

export default class NetworkRemove extends ZgCommand<typeof NetworkRemove> {
  static summary = 'Remove a custom network profile'
  static examples = ['<%= config.bin %> network remove my-galileo']
  static args = {name: Args.string({description: 'Profile name', required: true})}

  async exec() {
    removeNetwork(this.args.name)
    const wasCurrent = getSetting('network').value === this.args.name
    if (wasCurrent) {
      unsetSetting('network')
      this.warn(`${this.args.name} was the current network; zg now uses local.`)
    }
    return {removed: this.args.name}
  }

  protected override render(d: {removed: string}) {
    return `Removed ${d.removed}`
  }
}
