import {Args} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {getSetting} from '../../core/config.js'

export default class ConfigGet extends ZgCommand<typeof ConfigGet> {
  static summary = 'Print the effective value of a setting'
  static description = 'Shows the value zg will use and where it comes from (env var, config file or default).'
  static examples = ['<%= config.bin %> config get network', '<%= config.bin %> config get rpc-timeout --json']
  static args = {key: Args.string({description: 'Setting name (see `zg config list`)', required: true})}

  async exec() {
    const {value, source} = getSetting(this.args.key)
    return {key: this.args.key, value: value ?? null, source}
  }

  protected override render(d: {value: unknown}) {
    return d.value === null ? '' : String(d.value)
  }
}
