import {Args} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {yesFlag} from '../../cli/flags.js'
import {Keystore} from '../../core/keys/keystore.js'

export default class WalletRemove extends ZgCommand<typeof WalletRemove> {
  static summary = 'Delete an account\'s keystore file (and its remembered password)'
  static description = 'Without a backup of the key, funds controlled by it are lost. Export it first: zg wallet export NAME > backup.json'
  static examples = ['<%= config.bin %> wallet remove old-bot --yes']
  static args = {name: Args.string({description: 'Account name', required: true})}
  static flags = {...yesFlag}

  async exec() {
    const ks = Keystore.fromEnv()
    const e = ks.get(this.args.name)
    if (!(await this.confirm(`delete keystore ${e.name} (${e.address ?? e.path})`, this.flags.yes))) return {removed: false, name: e.name}
    ks.remove(e.name)
    try {
      const {deleteKeyringPassword} = await import('../../core/keys/keyring.js')
      await deleteKeyringPassword(e.name, {timeoutMs: 1000})
    } catch {}
    return {removed: true, name: e.name, address: e.address}
  }

  protected override render(d: {removed: boolean; name: string}) {
    return d.removed ? `removed ${d.name}` : 'cancelled'
  }
}
