import {Args, Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {Keystore} from '../../core/keys/keystore.js'
import {passwordFromSources, scryptN} from '../../core/keys/password.js'
import {keyValue} from '../../ui/format.js'
import {rememberPassword} from '../../cli/remember.js'

export default class WalletCreate extends ZgCommand<typeof WalletCreate> {
  static summary = 'Create an account: a new key in an encrypted keystore (Web3 Secret Storage v3, like `cast wallet`)'
  static description = 'The key is generated locally and written encrypted (scrypt) to <data dir>/keystores/NAME with mode 0600. It is never printed. Use it with --account NAME.'
  static examples = ['<%= config.bin %> wallet create alice', 'ZG_PASSWORD=… <%= config.bin %> wallet create ci-bot --json', '<%= config.bin %> wallet create alice --password-file ./pw.txt --remember']
  static args = {name: Args.string({description: 'Account name (letters, digits, _ . -)', required: true})}
  static flags = {
    'password-file': Flags.string({description: 'Read the new password from this file (or set ZG_PASSWORD)', env: 'ZG_PASSWORD_FILE'}),
    remember: Flags.boolean({description: 'Remember the password in the OS keyring', env: 'ZG_REMEMBER'}),
    default: Flags.boolean({description: 'Make it the default account (config `account`)', env: 'ZG_SET_DEFAULT'}),
  }

  async exec() {
    const ks = Keystore.fromEnv()
    let password = passwordFromSources(this.flags['password-file'])
    if (!password) {
      const hint = {message: 'A password for the new keystore is needed', flag: '--password-file', env: 'ZG_PASSWORD'}
      password = await this.promptText({...hint, message: `Password for ${this.args.name}`, mask: true, validate: (v) => (v.length < 8 ? 'use at least 8 characters' : undefined)})
      const again = await this.promptText({...hint, message: 'Repeat the password', mask: true})
      if (again !== password) throw (await import('../../core/errors.js')).usageError('The passwords do not match.')
    }
    const entry = await ks.create(this.args.name, password, {scryptN: scryptN()})
    const remembered = this.flags.remember ? await rememberPassword(this.args.name, password, (m) => this.warn(m)) : false
    if (this.flags.default) (await import('../../core/config.js')).setSetting('account', this.args.name)
    return {name: entry.name, address: entry.address, path: entry.path, remembered, default: this.flags.default}
  }

  protected override render(d: {name: string; address: string; path: string}) {
    return keyValue([
      ['account', d.name],
      ['address', d.address],
      ['keystore', d.path],
      ['use it', `--account ${d.name}`],
    ])
  }
}
