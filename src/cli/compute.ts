import {Flags} from '@oclif/core'
import type {JsonRpcProvider} from 'ethers'
import type {ComputeRefs, ServiceKind} from '../core/compute/contracts.js'
import type {NetworkProfile} from '../core/networks.js'
import {connect, type ChainFlags} from './chain.js'

/** Flags and glue shared by the `zg compute` commands. */

export const providerFlag = {
  provider: Flags.string({char: 'p', description: 'Provider address (default: the only provider on the network, e.g. the devnet\'s)', env: 'ZG_COMPUTE_PROVIDER'}),
}

export const serviceFlag = {
  service: Flags.string({description: 'Which serving contract', options: ['inference', 'fine-tuning'], default: 'inference', env: 'ZG_COMPUTE_SERVICE'}),
}

export interface ComputeConn {
  network: NetworkProfile
  provider: JsonRpcProvider
  refs: ComputeRefs
}

export async function computeConnect(flags: ChainFlags): Promise<ComputeConn> {
  const {network, provider} = await connect(flags)
  const {computeRefs} = await import('../core/compute/contracts.js')
  try {
    return {network, provider, refs: computeRefs(network)}
  } catch (e) {
    provider.destroy()
    throw e
  }
}

/** "1.5 0G" with every digit the chain has (no rounding hides a fee). */
export async function og(v: bigint | string): Promise<string> {
  const {formatEther} = await import('ethers')
  return `${formatEther(BigInt(v))} 0G`
}

export function ogSync(v: bigint | string, formatEther: (v: bigint) => string): string {
  return `${formatEther(BigInt(v))} 0G`
}

/** Parses a decimal 0G amount from a flag into neuron (1 0G = 10^18 neuron). */
export async function parseAmount(text: string, flag = '--amount'): Promise<bigint> {
  const {parseEther} = await import('ethers')
  const {usageError} = await import('../core/errors.js')
  let v: bigint
  try {
    v = parseEther(text.trim())
  } catch {
    throw usageError(`${flag} must be a decimal amount of 0G (e.g. 1.5), got "${text}"`)
  }
  if (v <= 0n) throw usageError(`${flag} must be greater than zero`)
  return v
}

/** Durations like 30m, 12h, 7d, 3600s or plain seconds → ms; "never"/"0" → 0. */
export async function parseDuration(text: string, flag: string): Promise<number> {
  const {usageError} = await import('../core/errors.js')
  const t = text.trim().toLowerCase()
  if (t === 'never' || t === '0') return 0
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(t)
  if (!m) throw usageError(`${flag} must be a duration like 30m, 12h, 7d or "never", got "${text}"`)
  const mult = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h' | 'd']
  return Math.round(Number(m[1]) * mult)
}

export const asService = (s: string | undefined): ServiceKind => (s === 'fine-tuning' ? 'fine-tuning' : 'inference')
