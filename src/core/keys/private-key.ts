import {Wallet} from 'ethers'
import {usageError} from '../errors.js'

// The secp256k1 group order: a private key must be in [1, n-1].
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

/**
 * Parses a hex private key as people paste or store it: 64 hex digits, with or without 0x, surrounded by
 * whitespace or a trailing newline (files written by `echo`). Returns an unconnected Wallet.
 *
 * The error never contains the input, not even a fragment: a mistyped key is still mostly a key. Only its length
 * is reported. `where` names the source ("--private-key-file /path", "ZG_PRIVATE_KEY") for the message.
 */
export function parsePrivateKey(text: string, where = 'the private key'): Wallet {
  const s = text.trim()
  const hex = s.startsWith('0x') || s.startsWith('0X') ? s.slice(2) : s
  const bad = (why: string) =>
    usageError(`${where} is not a valid private key: ${why}.`, {
      code: 'INVALID_PRIVATE_KEY',
      suggestions: ['A private key is 64 hexadecimal digits, optionally prefixed with 0x, alone in the file or variable.'],
    })
  if (hex.length === 0) throw bad('it is empty')
  if (!/^[0-9a-fA-F]*$/.test(hex)) throw bad('it contains characters that are not hexadecimal digits')
  if (hex.length !== 64) throw bad(`expected 64 hex digits, got ${hex.length}`)
  const k = BigInt('0x' + hex)
  if (k === 0n || k >= SECP256K1_N) throw bad('it is outside the range of secp256k1 keys')
  try {
    return new Wallet('0x' + hex.toLowerCase())
  } catch {
    // Deliberately no `cause`: library errors may echo their input.
    throw bad('it was rejected by the signer')
  }
}
