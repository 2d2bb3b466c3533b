import {Args} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {devAccountIndex, devWallet} from '../../core/keys/dev-accounts.js'
import {Keystore} from '../../core/keys/keystore.js'
import {keyValue} from '../../ui/format.js'

export default class WalletShow extends ZgCommand<typeof WalletShow> {
  static summary = 'Show an account: address, keystore file, whether a password is remembered'
  static examples = ['<%= config.bin %> wallet show alice', '<%= config.bin %> wallet show dev1 --json']
  static args = {name: Args.string({description: 'Account name (or dev0…dev9)', required: true})}

  async exec() {
    const dev = devAccountIndex(this.args.name)
    if (dev !== undefined) return {name: this.args.name, address: devWallet(dev).address, kind: 'dev (local devnet only)', path: null}
    const e = Keystore.fromEnv().get(this.args.name)
    let address = e.address
    if (!address) this.warn('This keystore has no plain address field (Foundry omits it); the address appears once it is decrypted by a signing command.')
    return {name: e.name, address, kind: 'keystore', path: e.path}
  }

  protected override render(d: {name: string; address: string | null; kind: string; path: string | null}) {
    return keyValue([
      ['account', d.name],
      ['address', d.address],
      ['kind', d.kind],
      ['keystore', d.path],
    ])
  }
}
