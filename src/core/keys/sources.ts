import fs from 'node:fs'
import type {Wallet} from 'ethers'
import {authError, notFound, usageError, ZgError} from '../errors.js'
import {DEV_ACCOUNT_COUNT, devAccountIndex, devWallet} from './dev-accounts.js'
import {getKeyringPassword} from './keyring.js'
import {Keystore} from './keystore.js'
import {parsePrivateKey} from './private-key.js'

/**
 * Key resolution: which key signs this run. The order (first match wins):
 *
 * 1. a per-run source: `--private-key-file PATH`, `--private-key-stdin`, or `ZG_PRIVATE_KEY` (CI);
 * 2. `--account NAME`: dev0..dev9 on the local network (derived from the devnet mnemonic), otherwise an encrypted
 *    keystore whose password comes from `--password-file`, `ZG_PASSWORD`, the OS keyring, or an interactive prompt;
 * 3. the configured default account (same rules as 2).
 *
 * Nothing here prints, and no error, warning or returned field ever contains private key material.
 */

export type SignerSource = 'private-key-file' | 'stdin' | 'env' | 'dev' | 'keystore'
export type PasswordSource = 'password-file' | 'env' | 'keyring' | 'prompt'

export interface ResolveSignerOptions {
  /** --private-key-file: a file holding the hex key (a trailing newline is fine). */
  privateKeyFile?: string
  /** --private-key-stdin: read the hex key from standard input (see `stdin`). */
  privateKeyStdin?: boolean
  /** --account NAME: dev0..dev9 (local only) or a keystore account. */
  account?: string
  /** --password-file: the keystore password, first line (a trailing newline is stripped). */
  passwordFile?: string
  /** True on the embedded devnet profile: enables dev0..dev9. */
  isLocalNetwork: boolean
  /** Environment to read ZG_PRIVATE_KEY / ZG_PASSWORD from; default process.env. */
  env?: NodeJS.ProcessEnv
  /**
   * Asks the user for a secret (without echo). Pass it only when stdin/stdout are a TTY and CI is unset; without it
   * a keystore that needs a password fails with KEYSTORE_LOCKED naming --password-file and ZG_PASSWORD.
   */
  prompt?: (question: string) => Promise<string>
  /** The configured default account, used when nothing else names a key. */
  defaultAccount?: string
  /** The keystore folder to use; default Keystore.fromEnv(env). */
  keystore?: Keystore
  /** Look up remembered passwords in the OS keyring; default true. */
  useKeyring?: boolean
  /** Bound for the keyring lookup; default 3000 ms. */
  keyringTimeoutMs?: number
  /** Where --private-key-stdin reads from; default process.stdin. */
  stdin?: AsyncIterable<string | Uint8Array>
  /** Wrong-password retries when prompting; default 3 attempts in total. */
  promptAttempts?: number
}

export interface ResolvedSigner {
  /** The signer, not connected to any provider. */
  wallet: Wallet
  /** Checksummed address. */
  address: string
  source: SignerSource
  /** The account name for 'dev' and 'keystore' sources. */
  account?: string
  /** Where a keystore's password came from. */
  passwordSource?: PasswordSource
  /** Things the user should know (a key source that shadowed --account, a world-readable key file …). */
  warnings: string[]
}

const KEY_SOURCES_HINT = [
  'Pass --account NAME (an account created with `zg wallet create` or `zg wallet import`),',
  'or --private-key-file PATH, or --private-key-stdin, or set ZG_PRIVATE_KEY (CI).',
]

/** Resolves the signer for one run; see the module comment for the order. Throws typed errors (exit 2/3/4). */
export async function resolveSigner(opts: ResolveSignerOptions): Promise<ResolvedSigner> {
  const env = opts.env ?? process.env
  const warnings: string[] = []
  if (opts.privateKeyFile !== undefined && opts.privateKeyStdin) {
    throw usageError('Give only one of --private-key-file and --private-key-stdin.', {code: 'CONFLICTING_KEY_SOURCES'})
  }
  const shadows = (what: string) => {
    if (opts.account !== undefined) warnings.push(`${what} was used, so --account ${opts.account} was ignored.`)
  }

  if (opts.privateKeyFile !== undefined) {
    const file = opts.privateKeyFile
    let text: string
    try {
      text = fs.readFileSync(file, 'utf8')
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'ENOENT') throw notFound(`Private key file ${file} does not exist.`, {code: 'FILE_NOT_FOUND'})
      throw authError(`Cannot read private key file ${file} (${code ?? 'error'}).`, {code: 'KEY_FILE_UNREADABLE'})
    }
    const wallet = parsePrivateKey(text, `--private-key-file ${file}`)
    if (process.platform !== 'win32' && (fs.statSync(file).mode & 0o077) !== 0) {
      warnings.push(`${file} is readable by other users; restrict it with: chmod 600 ${file}`)
    }
    shadows('--private-key-file')
    return {wallet, address: wallet.address, source: 'private-key-file', warnings}
  }

  if (opts.privateKeyStdin) {
    const wallet = parsePrivateKey(await readAll(opts.stdin ?? process.stdin), '--private-key-stdin input')
    shadows('--private-key-stdin')
    return {wallet, address: wallet.address, source: 'stdin', warnings}
  }

  if (env.ZG_PRIVATE_KEY !== undefined && env.ZG_PRIVATE_KEY !== '') {
    const wallet = parsePrivateKey(env.ZG_PRIVATE_KEY, 'ZG_PRIVATE_KEY')
    shadows('ZG_PRIVATE_KEY')
    if (opts.prompt) warnings.push('ZG_PRIVATE_KEY is meant for CI; on your own machine prefer an encrypted account (--account).')
    return {wallet, address: wallet.address, source: 'env', warnings}
  }

  if (opts.account !== undefined) return {...(await fromAccount(opts.account, opts, env)), warnings}

  if (opts.defaultAccount !== undefined && opts.defaultAccount !== '') {
    // A dev account as default means "on the devnet"; elsewhere it just isn't a key, rather than an error.
    if (!(devAccountIndex(opts.defaultAccount) !== undefined && !opts.isLocalNetwork)) {
      return {...(await fromAccount(opts.defaultAccount, opts, env)), warnings}
    }
  }

  throw authError('No key to sign with.', {
    code: 'KEY_REQUIRED',
    suggestions: [KEY_SOURCES_HINT.join(' '), ...(opts.isLocalNetwork ? ['On the local devnet, --account dev0 … dev9 are funded accounts.'] : [])],
  })
}

async function fromAccount(name: string, opts: ResolveSignerOptions, env: NodeJS.ProcessEnv): Promise<Omit<ResolvedSigner, 'warnings'>> {
  const dev = devAccountIndex(name)
  if (dev !== undefined) {
    if (!opts.isLocalNetwork) {
      throw usageError(`"${name}" is a devnet account; dev0..dev${DEV_ACCOUNT_COUNT - 1} exist only on the local network.`, {
        code: 'DEV_ACCOUNT_NOT_LOCAL',
        suggestions: ['Use --network local, or sign with your own account: --account NAME.'],
      })
    }
    const wallet = devWallet(dev)
    return {wallet, address: wallet.address, source: 'dev', account: `dev${dev}`}
  }

  const ks = opts.keystore ?? Keystore.fromEnv(env)
  // get() validates the name and throws the notFound (listing the known accounts) before any password is asked.
  if (!ks.has(name)) ks.get(name)
  const done = (wallet: Wallet, passwordSource: PasswordSource) => ({wallet, address: wallet.address, source: 'keystore' as const, account: name, passwordSource})

  if (opts.passwordFile !== undefined) {
    return done(await ks.decrypt(name, readPasswordFile(opts.passwordFile)), 'password-file')
  }
  if (env.ZG_PASSWORD !== undefined && env.ZG_PASSWORD !== '') {
    return done(await ks.decrypt(name, env.ZG_PASSWORD), 'env')
  }

  let keyringNote = ''
  if (opts.useKeyring ?? true) {
    try {
      const pw = await getKeyringPassword(name, {timeoutMs: opts.keyringTimeoutMs})
      if (pw !== null) {
        try {
          return done(await ks.decrypt(name, pw), 'keyring')
        } catch (e) {
          if (!(e instanceof ZgError && e.code === 'BAD_PASSWORD')) throw e
          keyringNote = ' The password remembered in the OS keyring is out of date.'
        }
      }
    } catch (e) {
      // An unusable keyring is not an error here, only a reason to fall through to the prompt.
      if (!(e instanceof ZgError && /^KEYRING_/.test(e.code))) throw e
    }
  }

  if (opts.prompt) {
    const attempts = Math.max(1, opts.promptAttempts ?? 3)
    for (let i = 1; ; i++) {
      const pw = await opts.prompt(`Password for account "${name}":`)
      try {
        return done(await ks.decrypt(name, pw), 'prompt')
      } catch (e) {
        if (!(e instanceof ZgError && e.code === 'BAD_PASSWORD') || i >= attempts) throw e
      }
    }
  }

  throw authError(`Account "${name}" is encrypted and no password was given.${keyringNote}`, {
    code: 'KEYSTORE_LOCKED',
    suggestions: ['Pass the password with --password-file PATH or the ZG_PASSWORD environment variable, or run in an interactive terminal to be prompted.'],
    details: {account: name},
  })
}

/** A password file's content up to its first line break (editors and `echo` add a trailing newline). */
function readPasswordFile(file: string): string {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw notFound(`Password file ${file} does not exist.`, {code: 'FILE_NOT_FOUND'})
    throw authError(`Cannot read password file ${file} (${code ?? 'error'}).`, {code: 'PASSWORD_FILE_UNREADABLE'})
  }
  return text.replace(/\r?\n[\s\S]*$/, '')
}

async function readAll(input: AsyncIterable<string | Uint8Array>): Promise<string> {
  const parts: Buffer[] = []
  for await (const chunk of input) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk))
  return Buffer.concat(parts).toString('utf8')
}
