/** Naming an account where zg asks for an address: 0x…, a keystore account name, or dev0…dev9 on the devnet. */
import {getAddress, isAddress} from 'ethers'
import {usageError} from '../errors.js'
import {devAccountIndex, devWallet} from '../keys/dev-accounts.js'
import {Keystore} from '../keys/keystore.js'

/**
 * The checksummed address `who` names. Keystore accounts are looked up without unlocking them.
 * @throws usageError (2) for a malformed address or a dev account off the devnet; notFound (3) for an unknown account.
 */
export function addressOf(who: string, opts: {local: boolean; what?: string; env?: NodeJS.ProcessEnv}): string {
  const what = opts.what ?? 'address'
  if (/^0x/i.test(who)) {
    if (!isAddress(who)) throw usageError(`${what} ${who} is not a valid address (40 hex digits, with a correct EIP-55 checksum if mixed case).`, {code: 'BAD_ADDRESS'})
    return getAddress(who)
  }
  const dev = devAccountIndex(who)
  if (dev !== undefined) {
    if (!opts.local) throw usageError(`${who} exists only on the local devnet; give a 0x address or a keystore account.`, {code: 'DEV_ACCOUNT_REMOTE'})
    return devWallet(dev).address
  }
  const e = Keystore.fromEnv(opts.env).get(who)
  if (!e.address) throw usageError(`The keystore account ${who} records no address; give the 0x address instead.`, {code: 'BAD_ADDRESS'})
  return getAddress(e.address)
}

/**
 * Parses a --contributor value: ADDRESS_OR_ACCOUNT:BPS[:NAME] (e.g. 0xabc…:5000:alice, dev1:2500).
 * @throws usageError naming the flag and the expected form.
 */
export function parseContributorSpec(spec: string, opts: {local: boolean; flag?: string; env?: NodeJS.ProcessEnv}): {address: string; shareBps: number; name?: string} {
  const flag = opts.flag ?? '--contributor'
  const m = /^([^:]+):([^:]+)(?::(.+))?$/.exec(spec.trim())
  if (!m) throw usageError(`${flag} "${spec}" is not ADDRESS:BPS[:NAME].`, {code: 'BAD_CONTRIBUTOR', suggestions: [`Example: ${flag} 0x70997970C51812dc3A010C7d01b50e0d17dc79C8:2500:alice (2500 bps = 25%)`]})
  const bps = Number(m[2])
  if (!/^\d+$/.test(m[2]!) || !Number.isSafeInteger(bps)) throw usageError(`${flag} "${spec}": the share "${m[2]}" is not a whole number of basis points.`, {code: 'BAD_CONTRIBUTOR', suggestions: ['Shares are basis points: 10000 = 100%, 2500 = 25%.']})
  return {address: addressOf(m[1]!, {local: opts.local, what: `${flag} address`, env: opts.env}), shareBps: bps, ...(m[3] ? {name: m[3]} : {})}
}
