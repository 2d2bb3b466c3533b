import fs from 'node:fs'
import path from 'node:path'
import {configStore} from './config.js'
import {notFound, usageError} from './errors.js'
import {devnetDir} from './paths.js'

/** Contract addresses a profile may know. Unset ones are features not available on that network. */
export interface NetworkContracts {
  flow?: string
  market?: string
  mine?: string
  reward?: string
  ledger?: string
  inference?: string
  fineTuning?: string
  agentNFT?: string
  teeVerifier?: string
  registry?: string
}

export interface NetworkProfile {
  name: string
  chainId: number
  rpcUrl: string
  indexerUrl?: string
  /** Storage node URLs used directly when there is no indexer. */
  storageNodes?: string[]
  /** Re-encryption oracle for INFT transfers (a TEE on real networks). */
  oracleUrl?: string
  explorer?: string
  faucet?: string
  contracts: NetworkContracts
  builtin: boolean
  /** The embedded devnet: dev accounts allowed, fast polling. */
  local: boolean
}

/** Default ports of the devnet, fixed and documented in the README. */
export const DEVNET_PORTS = {chain: 8545, indexer: 12345, storage: [5678, 5679], provider: 3080, oracle: 3090} as const

/** The one table of public network facts (shared/docs/protocol-*.md). Addresses change: keep them only here. */
const BUILTIN: Record<string, Omit<NetworkProfile, 'builtin' | 'local' | 'name'>> = {
  galileo: {
    chainId: 16602,
    rpcUrl: 'https://evmrpc-testnet.0g.ai',
    indexerUrl: 'https://indexer-storage-testnet-turbo.0g.ai',
    explorer: 'https://chainscan-galileo.0g.ai',
    faucet: 'https://faucet.0g.ai',
    contracts: {
      flow: '0x22E03a6A89B950F1c82ec5e74F8eCa321a105296',
      mine: '0x00A9E9604b0538e06b268Fb297Df333337f9593b',
      reward: '0xA97B57b4BdFEA2D0a25e535bd849ad4e6C440A69',
      ledger: '0xE70830508dAc0A97e6c087c75f402f9Be669E406',
      inference: '0xa79F4c8311FF93C06b8CfB403690cc987c93F91E',
      fineTuning: '0xC6C075D8039763C8f1EbE580be5ADdf2fd6941bA',
    },
  },
  mainnet: {
    chainId: 16661,
    rpcUrl: 'https://evmrpc.0g.ai',
    indexerUrl: 'https://indexer-storage-turbo.0g.ai',
    explorer: 'https://chainscan.0g.ai',
    contracts: {
      flow: '0x62D4144dB0F0a6fBBaeb6296c785C71B3D57C526',
      mine: '0xCd01c5Cd953971CE4C2c9bFb95610236a7F414fe',
      reward: '0x457aC76B58ffcDc118AABD6DbC63ff9072880870',
      ledger: '0x2dE54c845Cd948B72D2e32e39586fe89607074E3',
      inference: '0x47340d900bdFec2BD393c626E12ea0656F938d84',
      fineTuning: '0x4e3474095518883744ddf135b7E0A23301c7F9c0',
    },
  },
}

/** What a running (or once-started) devnet recorded about itself. */
export interface DevnetState {
  chainId: number
  rpcUrl: string
  indexerUrl?: string
  storageNodes?: string[]
  oracleUrl?: string
  providerUrl?: string
  contracts: NetworkContracts
  deployBlock?: number
}

export function devnetStatePath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(devnetDir(env), 'network.json')
}

export function readDevnetState(env: NodeJS.ProcessEnv = process.env): DevnetState | undefined {
  try {
    return JSON.parse(fs.readFileSync(devnetStatePath(env), 'utf8')) as DevnetState
  } catch {
    return undefined
  }
}

function localProfile(env: NodeJS.ProcessEnv): NetworkProfile {
  const st = readDevnetState(env)
  return {
    name: 'local',
    chainId: 31337,
    rpcUrl: st?.rpcUrl ?? `http://127.0.0.1:${DEVNET_PORTS.chain}`,
    indexerUrl: st?.indexerUrl ?? `http://127.0.0.1:${DEVNET_PORTS.indexer}`,
    storageNodes: st?.storageNodes ?? DEVNET_PORTS.storage.map((p) => `http://127.0.0.1:${p}`),
    oracleUrl: st?.oracleUrl ?? `http://127.0.0.1:${DEVNET_PORTS.oracle}`,
    contracts: st?.contracts ?? {},
    builtin: true,
    local: true,
  }
}

type StoredProfile = Omit<NetworkProfile, 'builtin' | 'local' | 'name'>

function customProfiles(): Record<string, StoredProfile> {
  return (configStore().get('networks') as Record<string, StoredProfile> | undefined) ?? {}
}

export const BUILTIN_NAMES = ['local', ...Object.keys(BUILTIN)]

export function listNetworks(env: NodeJS.ProcessEnv = process.env): NetworkProfile[] {
  return [localProfile(env), ...Object.entries(BUILTIN).map(([name, p]) => ({name, ...p, builtin: true, local: false})), ...Object.entries(customProfiles()).map(([name, p]) => ({name, ...p, builtin: false, local: false}))]
}

export function getNetwork(name: string, env: NodeJS.ProcessEnv = process.env): NetworkProfile {
  if (name === 'local') return localProfile(env)
  const b = BUILTIN[name]
  if (b) return {name, ...b, builtin: true, local: false}
  const c = customProfiles()[name]
  if (c) return {name, ...c, builtin: false, local: false}
  throw notFound(`Unknown network profile "${name}".`, {code: 'NETWORK_NOT_FOUND', suggestions: [`Known profiles: ${listNetworks(env).map((n) => n.name).join(', ')}`, 'Add one with: zg network add NAME --rpc URL --chain-id ID']})
}

const NAME_RE = /^[a-z][a-z0-9-]{0,31}$/
const ADDR_RE = /^0x[0-9a-fA-F]{40}$/

export function addNetwork(name: string, p: StoredProfile, {force = false} = {}): NetworkProfile {
  if (!NAME_RE.test(name)) throw usageError(`Network name "${name}" is invalid: use lowercase letters, digits and dashes (max 32), starting with a letter.`)
  if (BUILTIN_NAMES.includes(name)) throw usageError(`"${name}" is a built-in profile and cannot be replaced.`, {suggestions: ['Pick another name, e.g. my-' + name]})
  const all = customProfiles()
  if (all[name] && !force) throw usageError(`Network "${name}" already exists.`, {code: 'NETWORK_EXISTS', suggestions: ['Pass --force to replace it, or remove it first: zg network remove ' + name]})
  if (!Number.isInteger(p.chainId) || p.chainId <= 0) throw usageError(`--chain-id must be a positive integer`)
  for (const u of [p.rpcUrl, p.indexerUrl, p.oracleUrl, ...(p.storageNodes ?? [])]) if (u !== undefined) checkUrl(u)
  for (const [k, v] of Object.entries(p.contracts)) if (v !== undefined && !ADDR_RE.test(v)) throw usageError(`Contract address for ${k} is not a 0x-prefixed 20-byte hex address: ${v}`)
  configStore().set('networks', {...all, [name]: p})
  return {name, ...p, builtin: false, local: false}
}

export function removeNetwork(name: string): void {
  if (BUILTIN_NAMES.includes(name)) throw usageError(`"${name}" is a built-in profile and cannot be removed.`)
  const all = customProfiles()
  if (!all[name]) throw notFound(`Unknown network profile "${name}".`, {code: 'NETWORK_NOT_FOUND'})
  delete all[name]
  configStore().set('networks', all)
}

export function checkUrl(u: string): string {
  let url: URL
  try {
    url = new URL(u)
  } catch {
    throw usageError(`"${u}" is not a valid URL.`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`"${u}" must be an http(s) URL.`)
  return u
}
