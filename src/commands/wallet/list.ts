import {ZgCommand} from '../../cli/base-command.js'
import {getSetting} from '../../core/config.js'
import {Keystore} from '../../core/keys/keystore.js'
import {table} from '../../ui/format.js'

export default class WalletList extends ZgCommand<typeof WalletList> {
  static summary = 'List keystore accounts'
  static description = 'The devnet\'s dev0…dev9 are not listed here: see `zg node accounts`.'
  static examples = ['<%= config.bin %> wallet list', '<%= config.bin %> wallet list --json']

  async exec() {
    const def = getSetting('account')
    return Keystore.fromEnv()
      .list()
      .map((e) => ({...e, default: def.value === e.name}))
  }

  protected override render(rows: Array<{name: string; address: string | null; path: string; default: boolean}>) {
    return table(
      rows,
      [
        {header: '', get: (e) => (e.default ? '*' : ' ')},
        {header: 'ACCOUNT', get: (e) => e.name},
        {header: 'ADDRESS', get: (e) => e.address ?? '(encrypted)'},
        {header: 'KEYSTORE', get: (e) => e.path},
      ],
      'no accounts yet: zg wallet create NAME (or zg node accounts for the devnet\'s dev0…dev9)',
    )
  }
}
