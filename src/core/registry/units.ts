/** Amounts of 0G as people read and type them (18 decimals, like ether). No ethers here: commands import it eagerly. */
import {usageError} from '../errors.js'

const UNIT = 10n ** 18n

/** "1500000000000000000" → "1.5 0G". */
export function formatZg(wei: string | bigint): string {
  const w = BigInt(wei)
  const sign = w < 0n ? '-' : ''
  const a = w < 0n ? -w : w
  const frac = (a % UNIT).toString().padStart(18, '0').replace(/0+$/, '')
  return `${sign}${a / UNIT}${frac ? `.${frac}` : ''} 0G`
}

/** A positive decimal amount of 0G → wei; exit 2 naming the flag otherwise. */
export function parseZgAmount(text: string, flag = '--amount'): bigint {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(text.trim())
  if (!m || (m[1] === '' && !m[2]) || (m[2]?.length ?? 0) > 18) {
    throw usageError(`${flag} must be a decimal number of 0G (at most 18 decimals), got "${text}".`, {code: 'BAD_AMOUNT', suggestions: [`Example: ${flag} 0.25`]})
  }
  const wei = BigInt(m[1] || '0') * UNIT + BigInt((m[2] ?? '').padEnd(18, '0') || '0')
  if (wei <= 0n) throw usageError(`${flag} must be greater than zero.`, {code: 'BAD_AMOUNT'})
  return wei
}
