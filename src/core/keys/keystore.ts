import fs from 'node:fs'
import path from 'node:path'
import {decryptKeystoreJson, encryptKeystoreJson, getAddress, hexlify, randomBytes, Wallet} from 'ethers'
import {authError, notFound, usageError, ZgError} from '../errors.js'
import {keystoreDir} from '../paths.js'
import {ensurePrivateDir, writeFileAtomic} from './atomic-file.js'
import {isDevAccountName} from './dev-accounts.js'
import {parsePrivateKey} from './private-key.js'

/**
 * Encrypted accounts in Web3 Secret Storage v3 (scrypt), one file per account in keystoreDir(), named exactly by the
 * account name with no extension, as Foundry keeps ~/.foundry/keystores/NAME. Files are 0600, the folder 0700,
 * and every write is atomic (temp file + rename/link), so a crash never leaves half a keystore.
 *
 * Interop: files are produced by ethers' own encryptor (the one behind `Wallet.encrypt`) and read by
 * `decryptKeystoreJson` (behind `Wallet.fromEncryptedJson`), so ethers reads ours and we read ethers'. The only
 * change we make is spelling the "Crypto" key in lower case: the spec and Foundry (serde, case-sensitive) use
 * "crypto", ethers writes "Crypto" but reads either. Checked by hand with cast 1.5.1: `cast wallet address
 * --keystore` reads our files and rejects ethers' own ("missing field `crypto`"); we import and decrypt cast's.
 */

/**
 * geth's "standard" scrypt cost (N = 2^18, r = 8, p = 1): about 1 s to encrypt or decrypt in Node. (Foundry's
 * `cast wallet` 1.5 writes N = 2^13; we read either, since N is stored in the file.)
 */
export const DEFAULT_SCRYPT_N = 2 ** 18

export interface KeystoreEntry {
  /** The account name, which is also the file name. */
  name: string
  /**
   * Checksummed address from the file's optional "address" field; null when the file has none (Foundry's
   * `cast wallet` omits it), in which case only decrypting reveals it.
   */
  address: string | null
  /** Absolute path of the keystore file. */
  path: string
}

export interface EncryptOptions {
  /** scrypt cost N, a power of two; default DEFAULT_SCRYPT_N. Tests use 2^12 for speed. */
  scryptN?: number
  /** Replace an existing account of the same name; default false (ACCOUNT_EXISTS error). */
  overwrite?: boolean
}

export interface ImportDirResult {
  imported: KeystoreEntry[]
  /** Files not imported and why (not a v3 keystore, invalid name, name taken). */
  skipped: {file: string; reason: string}[]
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/

/**
 * Checks an account name and returns it. Names are file names, so: 1–64 of [A-Za-z0-9_.-], not starting with a
 * dot (hidden files; our temp files start with one, and "." / ".." are not names), and not dev0..dev9, which
 * always mean the devnet's built-in accounts.
 */
export function validateAccountName(name: string): string {
  if (!NAME.test(name) || name.startsWith('.')) {
    throw usageError(`"${name}" is not a valid account name.`, {
      code: 'INVALID_ACCOUNT_NAME',
      suggestions: ['Use 1 to 64 letters, digits, "_", "-" or "." (not first), e.g. "deployer" or "ci-bot.1".'],
    })
  }
  if (isDevAccountName(name)) {
    throw usageError(`"${name}" is reserved for the devnet's built-in account of that name.`, {
      code: 'RESERVED_ACCOUNT_NAME',
      suggestions: ['Pick another name; dev0..dev9 always refer to the local devnet accounts.'],
    })
  }
  return name
}

/**
 * Validates that `text` is a Web3 Secret Storage v3 keystore (version 3, aes-128-ctr, scrypt or pbkdf2, hex
 * fields) without decrypting it, and returns its address if it states one. `source` names the file in errors.
 */
export function parseKeystoreJson(text: string, source: string): {address: string | null} {
  const invalid = (why: string) =>
    usageError(`${source} is not a Web3 Secret Storage v3 keystore: ${why}.`, {
      code: 'KEYSTORE_INVALID',
      suggestions: ['Keystores are the JSON files written by geth, Foundry (`cast wallet new`), MetaMask exports or ethers.'],
    })
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    throw invalid('it is not JSON')
  }
  if (!isObject(data)) throw invalid('it is not a JSON object')
  if (Number(data.version) !== 3) throw invalid(`version is ${JSON.stringify(data.version ?? null)}, not 3`)
  const crypto = data.crypto ?? data.Crypto
  if (!isObject(crypto)) throw invalid('it has no "crypto" section')
  const hex = (v: unknown) => typeof v === 'string' && /^(0x)?([0-9a-fA-F]{2})+$/.test(v)
  if (crypto.cipher !== 'aes-128-ctr') throw invalid(`unsupported cipher ${JSON.stringify(crypto.cipher ?? null)}`)
  if (!isObject(crypto.cipherparams) || !hex(crypto.cipherparams.iv)) throw invalid('cipherparams.iv is missing')
  if (!hex(crypto.ciphertext)) throw invalid('ciphertext is missing')
  if (!hex(crypto.mac)) throw invalid('mac is missing')
  const kdf = String(crypto.kdf ?? '').toLowerCase()
  if (kdf !== 'scrypt' && kdf !== 'pbkdf2') throw invalid(`unsupported kdf ${JSON.stringify(crypto.kdf ?? null)}`)
  if (!isObject(crypto.kdfparams) || !hex(crypto.kdfparams.salt)) throw invalid('kdfparams are missing')
  let address: string | null = null
  if (data.address !== undefined && data.address !== null) {
    try {
      const a = String(data.address)
      address = getAddress(a.startsWith('0x') ? a : '0x' + a)
    } catch {
      throw invalid('its address field is not an address')
    }
  }
  return {address}
}

/** The keystore folder. Construct with a directory, or use `Keystore.fromEnv()` for the configured one. */
export class Keystore {
  readonly dir: string

  constructor(dir: string = keystoreDir()) {
    this.dir = path.resolve(dir)
  }

  /** The keystore under keystoreDir(env) (ZG_DATA_DIR redirects it). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): Keystore {
    return new Keystore(keystoreDir(env))
  }

  /** Path of account `name`'s file (validates the name). */
  pathOf(name: string): string {
    return path.join(this.dir, validateAccountName(name))
  }

  /** True if an account of this name exists. Never throws for odd names (they simply don't exist). */
  has(name: string): boolean {
    try {
      return fs.statSync(this.pathOf(name)).isFile()
    } catch {
      return false
    }
  }

  /**
   * All accounts, sorted by name. Files that are not v3 keystores, or whose names aren't valid account names,
   * are ignored (the folder may hold a stray file).
   */
  list(): KeystoreEntry[] {
    let names: string[]
    try {
      names = fs.readdirSync(this.dir)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw e
    }
    const out: KeystoreEntry[] = []
    for (const name of names.sort()) {
      if (!NAME.test(name) || name.startsWith('.') || isDevAccountName(name)) continue
      const file = path.join(this.dir, name)
      try {
        if (!fs.statSync(file).isFile()) continue
        out.push({name, path: file, address: parseKeystoreJson(fs.readFileSync(file, 'utf8'), file).address})
      } catch {
        continue
      }
    }
    return out
  }

  /** One account; notFound (exit 3) listing the known names if absent. */
  get(name: string): KeystoreEntry {
    return this.#read(name).entry
  }

  /** Creates account `name` with a new random key, encrypted with `password`. */
  async create(name: string, password: string, opts: EncryptOptions = {}): Promise<KeystoreEntry> {
    // ethers' randomBytes is crypto.getRandomValues; a 32-byte value outside the curve order has probability ~2^-128.
    return this.#write(name, hexlify(randomBytes(32)), password, opts)
  }

  /** Imports a raw hex private key (see parsePrivateKey for accepted forms) as account `name`. */
  async importKey(name: string, privateKey: string, password: string, opts: EncryptOptions = {}): Promise<KeystoreEntry> {
    return this.#write(name, parsePrivateKey(privateKey).privateKey, password, opts)
  }

  /**
   * Copies an existing v3 keystore file (Foundry, geth, MetaMask, ethers) byte for byte as account `name`
   * (default: the file's base name without a .json extension). No password is needed: the file is validated
   * structurally, not decrypted.
   */
  importKeystoreFile(file: string, name?: string, opts: {overwrite?: boolean} = {}): KeystoreEntry {
    let text: string
    try {
      text = fs.readFileSync(file, 'utf8')
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'ENOENT') throw notFound(`Keystore file ${file} does not exist.`, {code: 'FILE_NOT_FOUND'})
      throw usageError(`Cannot read ${file}: ${(e as Error).message}`, {code: 'FILE_UNREADABLE'})
    }
    const {address} = parseKeystoreJson(text, file)
    const target = name ?? path.basename(file).replace(/\.json$/i, '')
    if (name === undefined && !NAME.test(target)) {
      throw usageError(`The file name "${target}" is not a valid account name.`, {
        code: 'INVALID_ACCOUNT_NAME',
        suggestions: ['Pass a name for the imported account explicitly.'],
      })
    }
    const dest = this.pathOf(target)
    ensurePrivateDir(this.dir)
    this.#commit(target, dest, text, opts.overwrite ?? false)
    return {name: target, address, path: dest}
  }

  /**
   * Imports every v3 keystore file in `dir` (e.g. ~/.foundry/keystores), each under its own file name. Existing
   * accounts are kept unless `overwrite`; anything that can't be imported is listed in `skipped` with the reason.
   */
  importKeystoreDir(dir: string, opts: {overwrite?: boolean} = {}): ImportDirResult {
    let files: fs.Dirent[]
    try {
      files = fs.readdirSync(dir, {withFileTypes: true})
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`Folder ${dir} does not exist.`, {code: 'FILE_NOT_FOUND'})
      throw usageError(`Cannot read folder ${dir}: ${(e as Error).message}`, {code: 'FILE_UNREADABLE'})
    }
    const result: ImportDirResult = {imported: [], skipped: []}
    for (const f of files.sort((a, b) => a.name.localeCompare(b.name))) {
      if (!f.isFile() || f.name.startsWith('.')) continue
      const file = path.join(dir, f.name)
      try {
        result.imported.push(this.importKeystoreFile(file, undefined, opts))
      } catch (e) {
        result.skipped.push({file, reason: e instanceof ZgError ? e.message : String((e as Error)?.message ?? e)})
      }
    }
    return result
  }

  /** Deletes account `name`'s file and returns what it was. */
  remove(name: string): KeystoreEntry {
    const {entry} = this.#read(name)
    fs.rmSync(entry.path)
    return entry
  }

  /**
   * Decrypts account `name`. Wrong password → authError BAD_PASSWORD (exit 4). `progress` receives 0..1 during
   * scrypt (about a second at the default cost). Returns an unconnected Wallet.
   */
  async decrypt(name: string, password: string, progress?: (fraction: number) => void): Promise<Wallet> {
    const {entry, text} = this.#read(name)
    let account: {privateKey: string}
    try {
      account = await decryptKeystoreJson(text, password, progress)
    } catch (e) {
      // No `cause`: keep library internals (which may hold key material) out of the error chain entirely.
      const err = e as {code?: string; argument?: string}
      if (err?.code === 'INVALID_ARGUMENT' && err.argument === 'password') {
        throw authError(`Wrong password for account "${name}".`, {
          code: 'BAD_PASSWORD',
          suggestions: ['Check the password (or the file given with --password-file / ZG_PASSWORD) and try again.'],
          details: {account: name},
        })
      }
      throw authError(`Account "${name}" (${entry.path}) could not be decrypted: the keystore is damaged or unsupported.`, {
        code: 'KEYSTORE_INVALID',
        details: {account: name},
      })
    }
    return new Wallet(account.privateKey)
  }

  /** The account's private key as 0x-hex. Only for an explicit, user-requested reveal or export. */
  async exportKey(name: string, password: string): Promise<string> {
    return (await this.decrypt(name, password)).privateKey
  }

  async #write(name: string, privateKey: string, password: string, opts: EncryptOptions): Promise<KeystoreEntry> {
    const dest = this.pathOf(name)
    if (typeof password !== 'string' || password.length === 0) {
      throw usageError('A keystore password must not be empty.', {code: 'PASSWORD_REQUIRED'})
    }
    if (!opts.overwrite && this.has(name)) throw exists(name, dest)
    const N = opts.scryptN ?? DEFAULT_SCRYPT_N
    if (!Number.isSafeInteger(N) || N < 2 || (N & (N - 1)) !== 0) throw usageError(`scrypt N must be a power of two, got ${N}.`)
    const wallet = new Wallet(privateKey)
    const json = await encryptKeystoreJson({address: wallet.address, privateKey: wallet.privateKey}, password, {scrypt: {N}})
    const data = JSON.parse(json) as Record<string, unknown>
    const {Crypto, ...rest} = data
    const text = JSON.stringify({...rest, crypto: Crypto})
    ensurePrivateDir(this.dir)
    this.#commit(name, dest, text, opts.overwrite ?? false)
    return {name, address: wallet.address, path: dest}
  }

  #commit(name: string, dest: string, text: string, overwrite: boolean): void {
    try {
      writeFileAtomic(dest, text, {mode: 0o600, overwrite})
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw exists(name, dest)
      throw e
    }
  }

  #read(name: string): {entry: KeystoreEntry; text: string} {
    const file = this.pathOf(name)
    let text: string
    try {
      text = fs.readFileSync(file, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
      const known = this.list().map((a) => a.name)
      throw notFound(`No account named "${name}" in ${this.dir}.`, {
        code: 'ACCOUNT_NOT_FOUND',
        suggestions: [known.length ? `Known accounts: ${known.join(', ')}.` : 'There are no accounts yet: create one with `zg wallet create NAME` or import one.'],
        details: {account: name, known},
      })
    }
    const {address} = parseKeystoreJson(text, file)
    return {entry: {name, address, path: file}, text}
  }
}

function exists(name: string, file: string): ZgError {
  return usageError(`An account named "${name}" already exists (${file}).`, {
    code: 'ACCOUNT_EXISTS',
    suggestions: ['Choose another name, or remove the existing account first.'],
  })
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
