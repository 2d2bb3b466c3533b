import fs from 'node:fs'
import {notFound, usageError} from '../errors.js'

/** Reads the password a new keystore is encrypted with: --password-file, then ZG_PASSWORD; undefined if neither. */
export function passwordFromSources(passwordFile: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (passwordFile) {
    let text: string
    try {
      text = fs.readFileSync(passwordFile, 'utf8')
    } catch {
      throw notFound(`Cannot read the password file ${passwordFile}.`, {code: 'PASSWORD_FILE_NOT_FOUND'})
    }
    const pw = text.split(/\r?\n/)[0]
    if (!pw) throw usageError(`The password file ${passwordFile} is empty.`)
    return pw
  }
  return env.ZG_PASSWORD || undefined
}

/** scrypt cost for new keystores: the standard 2^18 unless ZG_KEYSTORE_SCRYPT_N lowers it (tests, CI). */
export function scryptN(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.ZG_KEYSTORE_SCRYPT_N
  if (!raw) return undefined
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1024 || (n & (n - 1)) !== 0) throw usageError(`ZG_KEYSTORE_SCRYPT_N must be a power of two ≥ 1024, got ${raw}`)
  return n
}
