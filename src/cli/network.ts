import {getSetting} from '../core/config.js'
import {checkUrl, getNetwork, type NetworkProfile} from '../core/networks.js'

/** The profile a command runs against: --network > ZG_NETWORK > config > local; --rpc-url overrides its RPC. */
export function resolveNetwork(flags: {network?: string; 'rpc-url'?: string}): NetworkProfile {
  const name = flags.network ?? String(getSetting('network').value ?? 'local')
  const p = getNetwork(name)
  return flags['rpc-url'] ? {...p, rpcUrl: checkUrl(flags['rpc-url'])} : p
}
