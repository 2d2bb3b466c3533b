import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {Flags} from '@oclif/core'
import {ZgCommand} from '../cli/base-command.js'
import {usageError} from '../core/errors.js'
import type {NetworkProfile} from '../core/networks.js'
import {c, keyValue} from '../ui/format.js'
import {devnetPortFlags, type EnsuredDevnet} from './quickstart.js'

type WalletChoice = 'keep' | 'create' | 'import-key' | 'import-dir' | 'dev'

const WALLET_FLAGS = ['create-account', 'import-key-file', 'import-keystore-dir', 'use-dev-account'] as const
const WALLET_HINT = '--create-account NAME, --import-key-file FILE --account-name NAME, --import-keystore-dir DIR, or --use-dev-account (local only)'
const FOUNDRY_KEYSTORES = path.join(os.homedir(), '.foundry', 'keystores')

export interface InitResult {
  network: {name: string; chainId: number; previous: string | null; changed: boolean}
  account: {name: string; address: string | null; source: 'created' | 'imported-key' | 'imported-keystore' | 'dev' | 'existing'; keystore: string | null; previous: string | null; changed: boolean}
  imported: Array<{name: string; address: string | null; path: string}>
  skipped: Array<{file: string; reason: string}>
  remembered: boolean
  devnet: {running: boolean; started: boolean; rpcUrl: string | null; pid: number | null} | null
  /** Nothing was changed: the setup asked for was already in place. */
  alreadySetUp: boolean
  config: string
  next: string[]
}

export default class Init extends ZgCommand<typeof Init> {
  static summary = 'Set zg up: pick a network, create or import a wallet, optionally remember its password and start the devnet'
  static description = `On a terminal, a wizard asks for the network profile (local devnet, galileo testnet, mainnet or a custom profile), the wallet (create a new encrypted account, import a raw key from a file, import Foundry keystores from ~/.foundry/keystores, or use the devnet's dev0 on local), its password, whether to remember the password in the OS keyring, and whether to start the local devnet. Elsewhere (CI, pipes, --non-interactive) the flags and env vars are the only input: what has a default takes it (network: the configured one, else local; wallet on local: dev0; the devnet on local: started), and a missing password fails with exit 2 naming --password-file / ZG_PASSWORD. --yes takes the defaults on a terminal too.

The choices are saved as the settings \`network\` and \`account\` (see zg config list). Running it again is safe: what is already set up is kept and reported, an account that already exists is reused rather than replaced.`
  static examples = [
    '<%= config.bin %> init',
    '<%= config.bin %> init --network local --use-dev-account --yes',
    'ZG_PASSWORD=… <%= config.bin %> init --network galileo --create-account deployer --json',
    '<%= config.bin %> init --network galileo --import-key-file ./deployer.key --account-name deployer --password-file ./pw.txt --remember',
    '<%= config.bin %> init --network galileo --import-keystore-dir ~/.foundry/keystores --account-name deployer',
  ]
  static flags = {
    network: Flags.string({char: 'n', description: 'Network profile to use by default: local, galileo, mainnet or a custom one (default: the configured one, else local)', env: 'ZG_NETWORK'}),
    'create-account': Flags.string({description: 'Create a new account (a key in an encrypted keystore) with this name', env: 'ZG_INIT_CREATE_ACCOUNT', exclusive: ['import-key-file', 'import-keystore-dir', 'use-dev-account'], helpGroup: 'WALLET'}),
    'import-key-file': Flags.string({description: 'Import the raw hex private key in this file (name it with --account-name)', env: 'ZG_INIT_IMPORT_KEY_FILE', exclusive: ['create-account', 'import-keystore-dir', 'use-dev-account'], helpGroup: 'WALLET'}),
    'import-keystore-dir': Flags.string({description: 'Import every v3 keystore in this folder, e.g. ~/.foundry/keystores (no password needed)', env: 'ZG_INIT_IMPORT_KEYSTORE_DIR', exclusive: ['create-account', 'import-key-file', 'use-dev-account'], helpGroup: 'WALLET'}),
    'use-dev-account': Flags.boolean({description: 'Use the devnet\'s built-in account dev0 (local network only)', env: 'ZG_INIT_USE_DEV_ACCOUNT', exclusive: ['create-account', 'import-key-file', 'import-keystore-dir'], helpGroup: 'WALLET'}),
    'account-name': Flags.string({description: 'Name of the account imported with --import-key-file; with --import-keystore-dir, which imported account becomes the default', env: 'ZG_INIT_ACCOUNT_NAME', helpGroup: 'WALLET'}),
    'password-file': Flags.string({description: 'Keystore password, first line of this file (or set ZG_PASSWORD)', env: 'ZG_PASSWORD_FILE', helpGroup: 'WALLET'}),
    remember: Flags.boolean({description: 'Remember the password in the OS keyring', env: 'ZG_REMEMBER', helpGroup: 'WALLET'}),
    'start-devnet': Flags.boolean({description: 'Start the local devnet in the background when the network is local (default: yes)', allowNo: true, env: 'ZG_START_DEVNET'}),
    ...devnetPortFlags,
    yes: Flags.boolean({char: 'y', description: 'Take the defaults instead of asking, on a terminal too', env: 'ZG_YES'}),
  }

  async exec(): Promise<InitResult> {
    const f = this.flags
    const {Keystore} = await import('../core/keys/keystore.js')
    const {getSetting, setSetting, configPath} = await import('../core/config.js')
    const {getNetwork, listNetworks} = await import('../core/networks.js')
    const ks = Keystore.fromEnv()
    /** Prompt only on a terminal and without --yes; otherwise defaults apply. */
    const ask = this.mode.interactive && !f.yes

    const netSetting = getSetting('network')
    const accSetting = getSetting('account')
    const prevNetwork = netSetting.source === 'config' ? String(netSetting.value) : null
    const prevAccount = accSetting.source === 'config' ? String(accSetting.value) : null
    const walletFlag = WALLET_FLAGS.find((k) => Boolean(f[k]))

    // Already set up and nothing asked: say so, and offer to change it.
    let keepAll = false
    const prevProfile = prevNetwork ? listNetworks().find((n) => n.name === prevNetwork) : undefined
    if (ask && !walletFlag && f.network === undefined && prevProfile && prevAccount && this.usable(prevAccount, prevProfile.local, ks)) {
      this.note(`zg is already set up: network ${c.bold(prevNetwork)}, account ${c.bold(prevAccount)}.`)
      const change = await this.promptSelect({message: 'Change the setup?', flag: '--network / --create-account …', choices: [{label: 'No, keep it', value: 'no'}, {label: 'Yes', value: 'yes'}]})
      keepAll = change === 'no'
    }

    // 1. network
    let networkName = f.network ?? prevNetwork ?? 'local'
    if (ask && f.network === undefined && !keepAll) {
      const profiles = listNetworks()
      const label = (n: NetworkProfile) => (n.local ? 'local — the embedded devnet on this machine (no internet needed)' : n.name === 'galileo' ? 'galileo — 0G testnet (chain 16602)' : n.name === 'mainnet' ? 'mainnet — 0G mainnet (chain 16661)' : `${n.name} — custom (chain ${n.chainId})`)
      const ordered = [...profiles.filter((n) => n.name === networkName), ...profiles.filter((n) => n.name !== networkName)]
      networkName = await this.promptSelect({message: 'Network', flag: '--network', env: 'ZG_NETWORK', choices: ordered.map((n) => ({label: label(n), value: n.name}))})
    }
    const network = getNetwork(networkName)

    // 2. wallet
    let choice: WalletChoice
    const canKeep = prevAccount !== null && this.usable(prevAccount, network.local, ks)
    if (walletFlag) choice = walletFlag === 'create-account' ? 'create' : walletFlag === 'import-key-file' ? 'import-key' : walletFlag === 'import-keystore-dir' ? 'import-dir' : 'dev'
    else if (keepAll || (canKeep && !ask)) choice = 'keep'
    else if (ask) {
      const foundry = keystoreFiles(FOUNDRY_KEYSTORES)
      const choices: Array<{label: string; value: WalletChoice}> = []
      if (canKeep) choices.push({label: `Keep the current account ${prevAccount}`, value: 'keep'})
      if (network.local) choices.push({label: 'Use the devnet account dev0 (funded, public key: local only)', value: 'dev'})
      choices.push({label: 'Create a new account', value: 'create'})
      choices.push({label: 'Import a private key from a file', value: 'import-key'})
      choices.push({label: foundry.length ? `Import Foundry keystores from ~/.foundry/keystores (${foundry.length} found)` : 'Import keystores from a folder (e.g. Foundry\'s ~/.foundry/keystores)', value: 'import-dir'})
      choice = await this.promptSelect({message: 'Wallet', flag: WALLET_HINT, choices})
    } else if (network.local) choice = 'dev'
    else throw usageError(`A wallet is needed for ${network.name}: pass ${WALLET_HINT}; zg does not prompt without a terminal.`, {code: 'INPUT_REQUIRED'})
    if (choice === 'dev' && !network.local) {
      throw usageError(`The dev accounts exist only on the local devnet, not on ${network.name}.`, {code: 'DEV_ACCOUNT_NOT_LOCAL', suggestions: [`Create or import an account instead: ${WALLET_HINT.replace(', or --use-dev-account (local only)', '')}`]})
    }

    const {passwordFromSources, scryptN} = await import('../core/keys/password.js')
    let password: string | undefined
    const needPassword = async (forName: string, isNew: boolean): Promise<string> => {
      if (password !== undefined) return password
      password = passwordFromSources(f['password-file'])
      if (password) return password
      const hint = {message: isNew ? `A password for the new keystore ${forName} is needed` : `The password of ${forName} is needed`, flag: '--password-file', env: 'ZG_PASSWORD'}
      this.requireInteractive(hint)
      password = await this.promptText({...hint, message: `Password for ${forName}`, mask: true, validate: isNew ? (v) => (v.length < 8 ? 'use at least 8 characters' : undefined) : undefined})
      if (isNew) {
        const again = await this.promptText({...hint, message: 'Repeat the password', mask: true})
        if (again !== password) throw usageError('The passwords do not match.')
      }
      return password
    }

    let account: InitResult['account']
    let imported: InitResult['imported'] = []
    let skipped: InitResult['skipped'] = []
    const acc = (name: string, address: string | null, source: InitResult['account']['source'], keystore: string | null): InitResult['account'] => ({name, address, source, keystore, previous: prevAccount, changed: prevAccount !== name})
    switch (choice) {
      case 'keep': {
        const {devAccountIndex, devWallet} = await import('../core/keys/dev-accounts.js')
        const i = devAccountIndex(prevAccount!)
        if (i !== undefined) account = acc(prevAccount!, devWallet(i).address, 'dev', null)
        else {
          const e = ks.get(prevAccount!)
          account = acc(e.name, e.address, 'existing', e.path)
        }
        break
      }
      case 'dev': {
        const {devWallet} = await import('../core/keys/dev-accounts.js')
        account = acc('dev0', devWallet(0).address, 'dev', null)
        break
      }
      case 'create': {
        const {validateAccountName} = await import('../core/keys/keystore.js')
        const name = f['create-account'] ?? (await this.promptText({message: 'Account name', flag: '--create-account', env: 'ZG_INIT_CREATE_ACCOUNT', validate: nameProblem(validateAccountName)}))
        if (ks.has(name)) {
          const e = ks.get(name)
          this.note(`Account ${name} already exists (${e.path}): using it.`)
          account = acc(e.name, e.address, 'existing', e.path)
        } else {
          validateAccountName(name)
          const e = await ks.create(name, await needPassword(name, true), {scryptN: scryptN()})
          account = acc(e.name, e.address, 'created', e.path)
        }
        break
      }
      case 'import-key': {
        const {validateAccountName} = await import('../core/keys/keystore.js')
        const {parsePrivateKey} = await import('../core/keys/private-key.js')
        const file = expandHome(f['import-key-file'] ?? (await this.promptText({message: 'File holding the private key (hex)', flag: '--import-key-file', env: 'ZG_INIT_IMPORT_KEY_FILE'})))
        let key: string
        try {
          key = fs.readFileSync(file, 'utf8')
        } catch {
          throw (await import('../core/errors.js')).notFound(`Cannot read the key file ${file}.`, {code: 'FILE_NOT_FOUND'})
        }
        const address = parsePrivateKey(key, `the key file ${file}`).address
        if (process.platform !== 'win32' && (fs.statSync(file).mode & 0o077) !== 0) this.warn(`${file} is readable by other users; now that the key is in an encrypted keystore, consider deleting the file (or chmod 600 ${file}).`)
        const name = f['account-name'] ?? (await this.promptText({message: 'Account name', flag: '--account-name', env: 'ZG_INIT_ACCOUNT_NAME', validate: nameProblem(validateAccountName)}))
        if (ks.has(name) && ks.get(name).address?.toLowerCase() === address.toLowerCase()) {
          const e = ks.get(name)
          this.note(`Account ${name} already holds this key (${e.path}): using it.`)
          account = acc(e.name, e.address, 'existing', e.path)
        } else {
          validateAccountName(name)
          if (ks.has(name)) {
            throw usageError(`An account named "${name}" already exists (${ks.pathOf(name)}) and holds another key${ks.get(name).address ? '' : ' (or one zg cannot see without its password)'}.`, {code: 'ACCOUNT_EXISTS', suggestions: ['Choose another name with --account-name.']})
          }
          const e = await ks.importKey(name, key, await needPassword(name, true), {scryptN: scryptN()})
          account = acc(e.name, e.address, 'imported-key', e.path)
          imported = [e]
        }
        key = ''
        break
      }
      case 'import-dir': {
        const dir = expandHome(f['import-keystore-dir'] ?? (await this.promptText({message: 'Keystore folder', flag: '--import-keystore-dir', env: 'ZG_INIT_IMPORT_KEYSTORE_DIR', default: FOUNDRY_KEYSTORES})))
        const r = ks.importKeystoreDir(dir)
        imported = r.imported
        // Files whose account already exists (an earlier init) are not a problem: they are simply there.
        const candidates = [...new Set([...r.imported.map((e) => e.name), ...keystoreFiles(dir).filter((n) => ks.has(n))])].sort()
        skipped = r.skipped.filter((s) => !candidates.includes(path.basename(s.file).replace(/\.json$/i, '')))
        for (const s of skipped) this.warn(`skipped ${s.file}: ${s.reason}`)
        if (!candidates.length) throw usageError(`No keystore could be imported from ${dir}.`, {code: 'NO_KEYSTORES', suggestions: ['Foundry keeps them in ~/.foundry/keystores (cast wallet new / cast wallet import).', 'Or create an account: --create-account NAME']})
        let name = f['account-name']
        if (name !== undefined && !candidates.includes(name)) throw usageError(`--account-name ${name} is not among the keystores of ${dir}: ${candidates.join(', ')}.`, {code: 'ACCOUNT_NOT_FOUND'})
        if (name === undefined) {
          if (candidates.length === 1 || !ask) {
            name = candidates[0]!
            if (candidates.length > 1) this.warn(`${candidates.length} accounts are available (${candidates.join(', ')}); ${name} is now the default. Pick another with --account-name or zg config set account NAME.`)
          } else name = await this.promptSelect({message: 'Default account', flag: '--account-name', env: 'ZG_INIT_ACCOUNT_NAME', choices: candidates.map((n) => ({label: n, value: n}))})
        }
        const e = ks.get(name)
        account = acc(e.name, e.address, r.imported.some((x) => x.name === name) ? 'imported-keystore' : 'existing', e.path)
        break
      }
    }

    // 3. keyring
    let remembered = false
    const keystoreAccount = account.source !== 'dev'
    let remember = f.remember
    if (!remember && ask && keystoreAccount && choice !== 'keep' && getSetting('keyring').value !== 'off') {
      const {probeKeyring} = await import('../core/keys/keyring.js')
      const probe = await probeKeyring()
      if (probe.state !== 'available') this.note(`The OS keyring is ${probe.state}${probe.reason ? ` (${probe.reason})` : ''}: commands will ask for the password, or read --password-file / ZG_PASSWORD.`)
      else remember = (await this.promptSelect({message: `Remember the password of ${account.name} in the OS keyring (so commands do not ask for it)?`, flag: '--remember', env: 'ZG_REMEMBER', choices: [{label: 'No', value: 'no'}, {label: 'Yes', value: 'yes'}]})) === 'yes'
    }
    if (remember) {
      if (!keystoreAccount) this.warn(`${account.name} is a devnet account: it has no password to remember.`)
      else {
        const pw = await needPassword(account.name, false)
        // A password that does not open the keystore is not worth remembering.
        if (account.source === 'existing' || account.source === 'imported-keystore') {
          const w = await ks.decrypt(account.name, pw)
          account.address ??= w.address
        }
        const {rememberPassword} = await import('../cli/remember.js')
        remembered = await rememberPassword(account.name, pw, (m) => this.warn(m))
      }
    }
    password = undefined

    // 4. settings
    if (prevNetwork !== network.name) setSetting('network', network.name)
    if (prevAccount !== account.name) setSetting('account', account.name)

    // 5. devnet
    let devnet: InitResult['devnet'] = null
    if (network.local) {
      const {runningDevnet} = await import('../devnet/state.js')
      const running = runningDevnet()
      if (running?.ready) devnet = {running: true, started: false, rpcUrl: running.rpcUrl, pid: running.pid}
      else {
        let start = f['start-devnet']
        if (start === undefined) start = ask ? (await this.promptSelect({message: 'Start the local devnet now (in the background)?', flag: '--start-devnet', env: 'ZG_START_DEVNET', choices: [{label: 'Yes', value: 'yes'}, {label: 'No', value: 'no'}]})) === 'yes' : true
        if (start) {
          const {ensureDevnet} = await import('./quickstart.js')
          this.note('Starting the local devnet…')
          const d: EnsuredDevnet = await ensureDevnet(this.config.root, {ports: {'chain-port': f['chain-port'], 'indexer-port': f['indexer-port'], 'storage-port': f['storage-port'], 'provider-port': f['provider-port'], 'oracle-port': f['oracle-port']}, signal: this.abort.signal, warn: (m) => this.warn(m)})
          devnet = {running: true, started: d.started, rpcUrl: d.rpcUrl, pid: d.pid}
        } else devnet = {running: false, started: false, rpcUrl: null, pid: null}
      }
    } else if (f['start-devnet']) this.warn(`--start-devnet only applies to the local network, not ${network.name}.`)

    const changed = prevNetwork !== network.name || account.changed || imported.length > 0 || account.source === 'created' || remembered || Boolean(devnet?.started)
    const next = network.local
      ? [devnet?.running ? 'zg quickstart' : 'zg node start --detach', 'zg node accounts', 'zg wallet balance']
      : [`zg wallet balance${network.faucet ? ` (test 0G: ${network.faucet})` : ''}`, 'zg network check', 'zg dataset upload ./data']
    return {
      network: {name: network.name, chainId: network.chainId, previous: prevNetwork, changed: prevNetwork !== network.name},
      account,
      imported,
      skipped,
      remembered,
      devnet,
      alreadySetUp: !changed,
      config: configPath(),
      next,
    }
  }

  /** The account can sign on that network: a dev account on local, or a keystore that exists. */
  private usable(name: string, local: boolean, ks: {has(n: string): boolean}): boolean {
    return /^dev[0-9]$/i.test(name) ? local : ks.has(name)
  }

  protected override render(d: InitResult) {
    const head = d.alreadySetUp ? c.bold('zg is already set up; nothing was changed.') : c.bold('zg is set up.')
    const how = {created: 'created', 'imported-key': 'imported from the key file', 'imported-keystore': 'imported keystore', dev: 'devnet account', existing: 'existing account'}[d.account.source]
    return [
      head,
      '',
      keyValue([
        ['network', `${d.network.name} (chain ${d.network.chainId})${d.network.changed && d.network.previous ? ` — was ${d.network.previous}` : ''}`],
        ['account', `${d.account.name} (${how})${d.account.changed && d.account.previous ? ` — was ${d.account.previous}` : ''}`],
        ['address', d.account.address ?? '(stored encrypted; zg wallet show ' + d.account.name + ' after unlocking)'],
        ['keystore', d.account.keystore ?? undefined],
        ['imported', d.imported.length ? d.imported.map((e) => e.name).join(', ') : undefined],
        ['password', d.account.source === 'dev' ? undefined : d.remembered ? 'remembered in the OS keyring' : 'not remembered (use --password-file or ZG_PASSWORD, or run zg init --remember)'],
        ['devnet', d.devnet ? (d.devnet.running ? `${d.devnet.started ? 'started' : 'running'} at ${d.devnet.rpcUrl} (pid ${d.devnet.pid})` : 'not running (zg node start --detach)') : undefined],
        ['config', d.config],
      ]),
      '',
      `Next: ${d.next.join(' · ')}`,
    ].join('\n')
  }
}

function expandHome(p: string): string {
  return p === '~' ? os.homedir() : p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p
}

/** Names of the regular, non-hidden files of a folder (the candidate keystores); [] if it does not exist. */
function keystoreFiles(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, {withFileTypes: true})
      .filter((e) => e.isFile() && !e.name.startsWith('.'))
      .map((e) => e.name.replace(/\.json$/i, ''))
  } catch {
    return []
  }
}

function nameProblem(validate: (n: string) => string): (v: string) => string | undefined {
  return (v) => {
    try {
      validate(v)
      return undefined
    } catch (e) {
      return (e as Error).message
    }
  }
}
