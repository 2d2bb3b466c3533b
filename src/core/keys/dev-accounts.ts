import {HDNodeWallet, Wallet} from 'ethers'

/**
 * The well-known test mnemonic anvil and hardhat fund on a local chain. Kept here (core) rather than imported from
 * src/devnet because dependencies point devnet → core; a test checks both copies agree.
 */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk'
export const DEV_ACCOUNT_COUNT = 10

const DEV_NAME = /^dev([0-9])$/i

/** The index i of a dev account name "dev0".."dev9" (case-insensitive), or undefined for any other name. */
export function devAccountIndex(name: string): number | undefined {
  const m = DEV_NAME.exec(name)
  return m ? Number(m[1]) : undefined
}

export const isDevAccountName = (name: string): boolean => devAccountIndex(name) !== undefined

// Deriving from the phrase runs PBKDF2 (2048 rounds), so remember each account once per process.
const cache = new Map<number, Wallet>()

/**
 * The signer of dev account `index` (0..9): BIP-44 path m/44'/60'/0'/0/index of DEV_MNEMONIC, the same accounts
 * anvil funds. Returns a plain (non-HD, unconnected) Wallet. These keys are public knowledge: never use them
 * anywhere but the local devnet.
 */
export function devWallet(index: number): Wallet {
  if (!Number.isInteger(index) || index < 0 || index >= DEV_ACCOUNT_COUNT) {
    throw new RangeError(`dev account index must be 0..${DEV_ACCOUNT_COUNT - 1}, got ${index}`)
  }
  let w = cache.get(index)
  if (!w) {
    const hd = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`)
    w = new Wallet(hd.privateKey)
    cache.set(index, w)
  }
  return w
}
