import type {JsonRpcProvider} from 'ethers'
import type {Task} from '../core/compute/finetune.js'
import type {ResolvedSigner} from '../core/keys/sources.js'
import type {NetworkProfile} from '../core/networks.js'
import {signerFor, type ChainFlags} from './chain.js'
import {computeConnect, type ComputeConn} from './compute.js'

/** One progress line for a job snapshot (used by `job submit --wait` and `job watch` without a TTY). */
export function jobLine(t: Task): string {
  const losses = t.losses ?? []
  if (t.progress === 'Training' && losses.length) {
    const step = losses.length
    return `Training: step ${step}/${t.totalSteps ?? '?'} loss ${losses[step - 1]!.toFixed(4)}`
  }
  if (t.progress === 'Failed') return `Failed: ${t.reason ?? 'no reason given'}`
  if (t.progress === 'Delivered') return `Delivered: encrypted model at root ${t.outputRootHash ?? '?'}`
  if (t.progress === 'Finished') return `Finished: fee ${t.fee} neuron settled${t.adapterName ? `; served as ${t.adapterName}` : ''}`
  return t.progress
}

/** Loss summary of a task: first, last, and the minimum, over the steps logged. */
export function lossSummary(t: Task): {steps: number; first: number | null; last: number | null; min: number | null} {
  const l = t.losses ?? []
  return {steps: l.length, first: l[0] ?? null, last: l.at(-1) ?? null, min: l.length ? Math.min(...l) : null}
}

/**
 * The fine-tuning provider, its service URL and the user's signer, for the `zg compute job …` commands that talk to
 * one provider as one user; the provider connection is closed when `fn` ends.
 */
export async function withFineTuningSession<T>(
  flags: ChainFlags & {provider?: string},
  prompt: ((q: string) => Promise<string>) | undefined,
  fn: (s: {network: NetworkProfile; provider: JsonRpcProvider; refs: ComputeConn['refs']; target: string; url: string; signer: ResolvedSigner}) => Promise<T>,
): Promise<T> {
  const {provider, refs, network} = await computeConnect(flags)
  try {
    const {pickProvider, getFineTuningProvider} = await import('../core/compute/providers.js')
    const target = await pickProvider(provider, refs, 'fine-tuning', flags.provider)
    const svc = await getFineTuningProvider(provider, refs, target)
    const signer = await signerFor(flags, network, prompt)
    return await fn({network, provider, refs, target, url: svc.url, signer})
  } finally {
    provider.destroy()
  }
}
