import type {JsonRpcProvider} from 'ethers'
import {getSetting} from '../core/config.js'
import type {NetworkProfile} from '../core/networks.js'
import type {ResolvedSigner} from '../core/keys/sources.js'
import type {SendOptions} from '../core/chain/send.js'
import type {Reporter} from '../core/progress.js'
import {resolveNetwork} from './network.js'

/** Flags a chain-facing command may carry (see networkFlag, signerFlags, txFlags in flags.ts). */
export interface ChainFlags {
  network?: string
  'rpc-url'?: string
  account?: string
  'private-key-file'?: string
  'private-key-stdin'?: boolean
  'password-file'?: string
  'gas-price'?: string
  legacy?: boolean
  'tx-timeout'?: number
}

/** The network profile and a provider with zg's timeouts and retries (settings rpc-timeout / rpc-retries). */
export async function connect(flags: ChainFlags, reporter?: Reporter): Promise<{network: NetworkProfile; provider: JsonRpcProvider}> {
  const network = resolveNetwork(flags)
  const {makeProvider, checkChain} = await import('../core/chain/provider.js')
  const provider = await makeProvider(network.rpcUrl, {
    chainId: network.chainId,
    local: network.local,
    timeoutMs: Number(getSetting('rpc-timeout').value),
    retries: Number(getSetting('rpc-retries').value),
    reporter,
  })
  // The profile's chain id is trusted for speed; a custom or overridden RPC is verified once, so reads never come
  // silently from another chain. The devnet is ours and always 31337.
  if (!network.local || network.rpcUrl !== resolveNetwork({network: network.name}).rpcUrl) {
    try {
      await checkChain(provider, network.chainId)
    } catch (e) {
      provider.destroy()
      throw e
    }
  }
  return {network, provider}
}

/**
 * The signer for this run, from the key flags / env / default account, in the order of DESIGN.md "Keys".
 * `prompt` is given only on an interactive terminal; elsewhere a locked keystore fails naming the flags.
 */
export async function signerFor(flags: ChainFlags, network: NetworkProfile, prompt?: (q: string) => Promise<string>): Promise<ResolvedSigner> {
  const {resolveSigner} = await import('../core/keys/sources.js')
  const account = getSetting('account')
  return resolveSigner({
    privateKeyFile: flags['private-key-file'],
    privateKeyStdin: flags['private-key-stdin'],
    account: flags.account,
    passwordFile: flags['password-file'],
    isLocalNetwork: network.local,
    prompt,
    defaultAccount: account.source === 'config' ? String(account.value) : undefined,
    useKeyring: getSetting('keyring').value !== 'off',
  })
}

/** Transaction options from --gas-price / --legacy / --tx-timeout and the tx-timeout setting. */
export async function txOptions(flags: ChainFlags, network: NetworkProfile): Promise<Partial<SendOptions>> {
  const o: Partial<SendOptions> = {timeoutMs: flags['tx-timeout'] ? flags['tx-timeout'] * 1000 : Number(getSetting('tx-timeout').value)}
  if (flags['gas-price']) {
    const {parseUnits} = await import('ethers')
    const {usageError} = await import('../core/errors.js')
    try {
      o.gasPrice = parseUnits(flags['gas-price'], 'gwei')
    } catch {
      throw usageError(`--gas-price must be a number of gwei, got "${flags['gas-price']}"`)
    }
  }
  if (flags.legacy) o.legacy = true
  if (!network.local && network.faucet) o.fundingHint = `Get test 0G at ${network.faucet}`
  return o
}
