import fs from 'node:fs'
import {Args, Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {usageError} from '../../core/errors.js'
import {Keystore} from '../../core/keys/keystore.js'
import {passwordFromSources} from '../../core/keys/password.js'

export default class WalletExport extends ZgCommand<typeof WalletExport> {
  static summary = 'Export an account: its encrypted keystore JSON, or with --reveal its raw private key'
  static description = 'By default prints the encrypted keystore (safe to back up). --reveal decrypts and prints the private key, only on a terminal (or with --unsafe-allow-stdout), never under --json.'
  static examples = ['<%= config.bin %> wallet export alice > alice.keystore.json', '<%= config.bin %> wallet export alice --reveal']
  static args = {name: Args.string({description: 'Account name', required: true})}
  static flags = {
    reveal: Flags.boolean({description: 'Print the raw private key (terminal only)', env: 'ZG_REVEAL'}),
    'unsafe-allow-stdout': Flags.boolean({description: 'Allow --reveal when stdout is not a terminal (pipes, files)', env: 'ZG_UNSAFE_ALLOW_STDOUT'}),
    'password-file': Flags.string({description: 'Keystore password file (or set ZG_PASSWORD)', env: 'ZG_PASSWORD_FILE'}),
  }

  async exec() {
    const ks = Keystore.fromEnv()
    const e = ks.get(this.args.name)
    if (!this.flags.reveal) return {name: e.name, address: e.address, keystore: JSON.parse(fs.readFileSync(e.path, 'utf8'))}
    if (this.mode.json) throw usageError('--reveal never prints a key inside --json output.', {code: 'REVEAL_REFUSED', suggestions: ['Run without --json on a terminal']})
    if (!process.stdout.isTTY && !this.flags['unsafe-allow-stdout']) {
      throw usageError('Refusing to write a private key to a pipe or file.', {code: 'REVEAL_REFUSED', suggestions: ['Run it on a terminal, or add --unsafe-allow-stdout if you really mean to']})
    }
    const password = passwordFromSources(this.flags['password-file']) ?? (await this.promptText({message: `Password for ${e.name}`, flag: '--password-file', env: 'ZG_PASSWORD', mask: true}))
    const key = await ks.exportKey(e.name, password)
    this.revealed = key
    return {name: e.name, address: e.address, revealed: true}
  }

  private revealed?: string

  protected override render(d: {keystore?: unknown}) {
    if (this.revealed) {
      const k = this.revealed
      this.revealed = undefined
      return k
    }
    return JSON.stringify(d.keystore, null, 2)
  }
}
