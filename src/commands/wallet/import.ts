import fs from 'node:fs'
import {Args, Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {usageError} from '../../core/errors.js'
import {Keystore} from '../../core/keys/keystore.js'
import {passwordFromSources, scryptN} from '../../core/keys/password.js'
import {table} from '../../ui/format.js'
import {rememberPassword} from '../../cli/remember.js'

export default class WalletImport extends ZgCommand<typeof WalletImport> {
  static summary = 'Import an account: a raw key (from a file or stdin), a keystore file, or a folder of keystores'
  static description = 'Raw keys are encrypted into a new keystore. Existing v3 keystores (Foundry `cast wallet`, geth, MetaMask exports) are copied as they are and need no password to import: `--keystore-dir ~/.foundry/keystores` imports them all.'
  static examples = [
    '<%= config.bin %> wallet import alice --private-key-file ./alice.key',
    'cat key.txt | <%= config.bin %> wallet import bot --private-key-stdin --password-file pw.txt',
    '<%= config.bin %> wallet import --keystore-dir ~/.foundry/keystores',
    '<%= config.bin %> wallet import deployer --keystore-file ~/.foundry/keystores/deployer',
  ]
  static args = {name: Args.string({description: 'Account name (not needed with --keystore-dir)'})}
  static flags = {
    'private-key-file': Flags.string({description: 'File holding the hex private key', env: 'ZG_IMPORT_KEY_FILE', exclusive: ['private-key-stdin', 'keystore-file', 'keystore-dir']}),
    'private-key-stdin': Flags.boolean({description: 'Read the hex private key from standard input', env: 'ZG_IMPORT_KEY_STDIN'}),
    'keystore-file': Flags.string({description: 'An existing v3 keystore JSON to copy', env: 'ZG_IMPORT_KEYSTORE_FILE'}),
    'keystore-dir': Flags.string({description: 'A folder of v3 keystores to copy (e.g. ~/.foundry/keystores)', env: 'ZG_IMPORT_KEYSTORE_DIR'}),
    'password-file': Flags.string({description: 'Password for the new keystore (raw key imports; or set ZG_PASSWORD)', env: 'ZG_PASSWORD_FILE'}),
    remember: Flags.boolean({description: 'Remember the password in the OS keyring', env: 'ZG_REMEMBER'}),
    force: Flags.boolean({description: 'Replace accounts of the same name', env: 'ZG_FORCE'}),
  }

  async exec() {
    const f = this.flags
    const ks = Keystore.fromEnv()
    if (f['keystore-dir']) {
      const r = ks.importKeystoreDir(expandHome(f['keystore-dir']), {overwrite: f.force})
      for (const s of r.skipped) this.warn(`skipped ${s.file}: ${s.reason}`)
      return {imported: r.imported, skipped: r.skipped}
    }
    if (f['keystore-file']) return {imported: [ks.importKeystoreFile(expandHome(f['keystore-file']), this.args.name, {overwrite: f.force})], skipped: []}
    if (!this.args.name) throw usageError('Give the new account a name: zg wallet import NAME --private-key-file FILE')
    let key: string
    if (f['private-key-file']) {
      try {
        key = fs.readFileSync(expandHome(f['private-key-file']), 'utf8')
      } catch {
        throw (await import('../../core/errors.js')).notFound(`Cannot read ${f['private-key-file']}.`)
      }
    } else if (f['private-key-stdin']) {
      const chunks: Buffer[] = []
      for await (const c of process.stdin) chunks.push(c as Buffer)
      key = Buffer.concat(chunks).toString('utf8')
    } else {
      key = await this.promptText({message: 'Private key (hex)', flag: '--private-key-file or --private-key-stdin', mask: true})
    }
    let password = passwordFromSources(f['password-file'])
    if (!password) password = await this.promptText({message: `Password for ${this.args.name}`, flag: '--password-file', env: 'ZG_PASSWORD', mask: true})
    const entry = await ks.importKey(this.args.name, key, password, {scryptN: scryptN(), overwrite: f.force})
    key = ''
    if (f.remember) await rememberPassword(entry.name, password, (m) => this.warn(m))
    return {imported: [entry], skipped: []}
  }

  protected override render(d: {imported: Array<{name: string; address: string | null; path: string}>}) {
    return table(d.imported, [
      {header: 'ACCOUNT', get: (e) => e.name},
      {header: 'ADDRESS', get: (e) => e.address ?? '(in the encrypted part)'},
      {header: 'KEYSTORE', get: (e) => e.path},
    ], 'nothing imported')
  }
}

function expandHome(p: string): string {
  return p.startsWith('~/') ? `${process.env.HOME ?? ''}/${p.slice(2)}` : p
}
