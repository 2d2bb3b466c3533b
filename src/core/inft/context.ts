import type {JsonRpcProvider, Wallet} from 'ethers'
import type {SendOptions} from '../chain/send.js'
import {readDevnetState, type NetworkProfile} from '../networks.js'
import type {Reporter} from '../progress.js'
import {nftAddressOf} from './contract.js'
import {OracleClient} from './oracle.js'
import type {InftContext} from './service.js'
import {zgStorage, type BlobStore} from './store.js'

export interface ContextOptions {
  network: NetworkProfile
  provider: JsonRpcProvider
  /** Pays for storage uploads (mint, rotate). */
  payer?: () => Promise<Wallet>
  reporter?: Reporter
  signal?: AbortSignal
  tx?: Partial<SendOptions>
  env?: NodeJS.ProcessEnv
  /** Replace 0G Storage (tests). */
  store?: BlobStore
  /** Override the profile's oracle URL. */
  oracleUrl?: string
}

/** The InftContext for a network profile: its AgentNFT, 0G Storage, its oracle, the devnet's deploy block. */
export function inftContext(o: ContextOptions): InftContext {
  const nft = nftAddressOf(o.network)
  const oracleUrl = o.oracleUrl ?? o.network.oracleUrl
  const fromBlock = o.network.local ? (readDevnetState(o.env)?.deployBlock ?? 0) : 0
  return {
    network: o.network,
    provider: o.provider,
    chainId: o.network.chainId,
    nft,
    store: o.store ?? zgStorage({network: o.network, provider: o.provider, signer: o.payer, reporter: o.reporter, signal: o.signal, tx: o.tx, env: o.env}),
    oracle: oracleUrl ? new OracleClient(oracleUrl, {signal: o.signal}) : undefined,
    reporter: o.reporter,
    signal: o.signal,
    tx: o.tx,
    fromBlock,
  }
}
