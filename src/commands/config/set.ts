import {Args} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {configPath, setSetting} from '../../core/config.js'

export default class ConfigSet extends ZgCommand<typeof ConfigSet> {
  static summary = 'Store a setting in the user config file'
  static examples = ['<%= config.bin %> config set network galileo', '<%= config.bin %> config set account alice']
  static args = {
    key: Args.string({description: 'Setting name', required: true}),
    value: Args.string({description: 'New value', required: true}),
  }

  async exec() {
    const value = setSetting(this.args.key, this.args.value)
    return {key: this.args.key, value, path: configPath()}
  }

  protected override render(d: {key: string; value: unknown}) {
    return `${d.key} = ${d.value}`
  }
}
