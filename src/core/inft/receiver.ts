import {getAddress, type Wallet} from 'ethers'
import {getSetting} from '../config.js'
import {usageError} from '../errors.js'
import {DEV_ACCOUNT_COUNT, devWallet} from '../keys/dev-accounts.js'
import {Keystore} from '../keys/keystore.js'
import {resolveSigner} from '../keys/sources.js'

export interface ReceiverOptions {
  /** The transfer's receiver. */
  to: string
  /** --receiver-account NAME: a keystore account (or dev0…dev9 locally) holding the receiver's key. */
  account?: string
  /** --receiver-password-file. */
  passwordFile?: string
  isLocalNetwork: boolean
  prompt?: (q: string) => Promise<string>
  env?: NodeJS.ProcessEnv
}

/**
 * The receiver's key when this zg holds it, so the sender's zg can sign the receiver's access proof itself:
 * `--receiver-account`, else a devnet account (local only) or a keystore account whose address is `to`.
 * Undefined when none is known (the receiver then runs `zg inft request-access`). The sender's own key sources
 * (ZG_PRIVATE_KEY, ZG_PASSWORD) are deliberately not used; the receiver's password comes from
 * --receiver-password-file, ZG_RECEIVER_PASSWORD, the OS keyring or a prompt.
 */
export async function receiverSigner(o: ReceiverOptions): Promise<Wallet | undefined> {
  const env = o.env ?? process.env
  const to = getAddress(o.to)
  const ks = Keystore.fromEnv(env)
  const resolve = async (account: string) => {
    const r = await resolveSigner({
      account,
      passwordFile: o.passwordFile,
      isLocalNetwork: o.isLocalNetwork,
      prompt: o.prompt,
      keystore: ks,
      env: {ZG_PASSWORD: env.ZG_RECEIVER_PASSWORD},
      useKeyring: getSetting('keyring').value !== 'off',
    })
    return r.wallet
  }
  if (o.account) {
    const w = await resolve(o.account)
    if (w.address !== to) throw usageError(`--receiver-account ${o.account} is ${w.address}, not the receiver ${to}.`, {code: 'RECEIVER_MISMATCH'})
    return w
  }
  if (o.isLocalNetwork) {
    for (let i = 0; i < DEV_ACCOUNT_COUNT; i++) if (devWallet(i).address === to) return devWallet(i)
  }
  let entries: ReturnType<Keystore['list']> = []
  try {
    entries = ks.list()
  } catch {
    entries = []
  }
  const match = entries.find((e) => e.address && getAddress(e.address) === to)
  return match ? resolve(match.name) : undefined
}
