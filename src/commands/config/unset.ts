import {Args} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {unsetSetting} from '../../core/config.js'

export default class ConfigUnset extends ZgCommand<typeof ConfigUnset> {
  static summary = 'Remove a setting from the user config file (its default applies again)'
  static examples = ['<%= config.bin %> config unset account']
  static args = {key: Args.string({description: 'Setting name', required: true})}

  async exec() {
    return {key: this.args.key, removed: unsetSetting(this.args.key)}
  }

  protected override render(d: {key: string; removed: boolean}) {
    return d.removed ? `${d.key} unset` : `${d.key} was not set`
  }
}
