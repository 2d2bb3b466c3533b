import {ZgCommand} from '../../cli/base-command.js'
import {configPath, listSettings} from '../../core/config.js'
import {table} from '../../ui/format.js'

export default class ConfigList extends ZgCommand<typeof ConfigList> {
  static summary = 'List every setting with its effective value and source'
  static examples = ['<%= config.bin %> config list', '<%= config.bin %> config list --json']

  async exec() {
    return {path: configPath(), settings: listSettings()}
  }

  protected override render(d: Awaited<ReturnType<ConfigList['exec']>>) {
    return (
      table(d.settings, [
        {header: 'KEY', get: (s) => s.key},
        {header: 'VALUE', get: (s) => (s.value === undefined ? undefined : String(s.value))},
        {header: 'SOURCE', get: (s) => s.source},
        {header: 'ENV', get: (s) => s.env},
      ]) + `\n\nconfig file: ${d.path}`
    )
  }
}
