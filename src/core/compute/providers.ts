import type {JsonRpcProvider} from 'ethers'
import {callContract} from '../chain/send.js'
import {notFound, usageError} from '../errors.js'
import type {ComputeRefs, ServiceKind} from './contracts.js'

export interface InferenceProviderView {
  type: 'inference'
  provider: string
  url: string
  model: string
  serviceType: string
  verifiability: string
  /** neuron per token */
  inputPrice: bigint
  outputPrice: bigint
  teeSigner: string
  /** The contract owner vetted this provider's TEE signer (the SDK hides providers without it). */
  acknowledged: boolean
  additionalInfo: string
  updatedAt: number
}

export interface FineTuningProviderView {
  type: 'fine-tuning'
  provider: string
  url: string
  models: string[]
  /** neuron per token */
  pricePerToken: bigint
  occupied: boolean
  teeSigner: string
  acknowledged: boolean
  quota: {cpuCount: number; nodeMemory: number; gpuCount: number; nodeStorage: number; gpuType: string}
}

export type ProviderView = InferenceProviderView | FineTuningProviderView

const inferenceView = (s: Record<string, unknown>): InferenceProviderView => ({
  type: 'inference',
  provider: String(s.provider),
  url: String(s.url),
  model: String(s.model),
  serviceType: String(s.serviceType),
  verifiability: String(s.verifiability),
  inputPrice: BigInt(s.inputPrice as bigint),
  outputPrice: BigInt(s.outputPrice as bigint),
  teeSigner: String(s.teeSignerAddress),
  acknowledged: Boolean(s.teeSignerAcknowledged),
  additionalInfo: String(s.additionalInfo),
  updatedAt: Number(s.updatedAt),
})

const fineTuningView = (s: Record<string, unknown>): FineTuningProviderView => {
  const q = s.quota as Record<string, unknown>
  return {
    type: 'fine-tuning',
    provider: String(s.provider),
    url: String(s.url),
    models: [...(s.models as string[])],
    pricePerToken: BigInt(s.pricePerToken as bigint),
    occupied: Boolean(s.occupied),
    teeSigner: String(s.teeSignerAddress),
    acknowledged: Boolean(s.teeSignerAcknowledged),
    quota: {cpuCount: Number(q.cpuCount), nodeMemory: Number(q.nodeMemory), gpuCount: Number(q.gpuCount), nodeStorage: Number(q.nodeStorage), gpuType: String(q.gpuType)},
  }
}

export async function listInferenceProviders(provider: JsonRpcProvider, refs: ComputeRefs): Promise<InferenceProviderView[]> {
  const out: InferenceProviderView[] = []
  for (let offset = 0; ; offset += 50) {
    const [services, total] = (await callContract(provider, refs.inference, 'getAllServices', [offset, 50])) as [Array<Record<string, unknown>>, bigint]
    out.push(...services.map(inferenceView))
    if (offset + 50 >= Number(total) || services.length === 0) break
  }
  return out
}

export async function listFineTuningProviders(provider: JsonRpcProvider, refs: ComputeRefs): Promise<FineTuningProviderView[]> {
  const services = (await callContract(provider, refs.fineTuning, 'getAllServices', [])) as Array<Record<string, unknown>>
  return services.map(fineTuningView)
}

export async function getInferenceProvider(provider: JsonRpcProvider, refs: ComputeRefs, address: string): Promise<InferenceProviderView> {
  try {
    return inferenceView((await callContract(provider, refs.inference, 'getService', [address])) as Record<string, unknown>)
  } catch (e) {
    if (/ServiceNotExist/.test(String((e as Error).message) + JSON.stringify((e as {details?: unknown}).details ?? ''))) {
      throw notFound(`${address} is not an inference provider on this network.`, {code: 'PROVIDER_NOT_FOUND', suggestions: ['List providers: zg compute providers']})
    }
    throw e
  }
}

export async function getFineTuningProvider(provider: JsonRpcProvider, refs: ComputeRefs, address: string): Promise<FineTuningProviderView> {
  try {
    return fineTuningView((await callContract(provider, refs.fineTuning, 'getService', [address])) as Record<string, unknown>)
  } catch (e) {
    if (/ServiceNotExist/.test(String((e as Error).message) + JSON.stringify((e as {details?: unknown}).details ?? ''))) {
      throw notFound(`${address} is not a fine-tuning provider on this network.`, {code: 'PROVIDER_NOT_FOUND', suggestions: ['List providers: zg compute providers --type fine-tuning']})
    }
    throw e
  }
}

/**
 * The provider a command means: the given address, or — when none is given — the only acknowledged provider of
 * that kind (the devnet has exactly one).
 */
export async function pickProvider(provider: JsonRpcProvider, refs: ComputeRefs, kind: ServiceKind, given?: string): Promise<string> {
  const {isAddress, getAddress} = await import('ethers')
  if (given) {
    if (!isAddress(given)) throw usageError(`Not a provider address: ${given}`)
    return getAddress(given)
  }
  const list = kind === 'inference' ? await listInferenceProviders(provider, refs) : await listFineTuningProviders(provider, refs)
  const ok = list.filter((p) => p.acknowledged)
  if (ok.length === 1) return ok[0]!.provider
  if (!ok.length) throw notFound(`There is no ${kind} provider on this network.`, {code: 'PROVIDER_NOT_FOUND', suggestions: ['On the devnet, start it first: zg node start']})
  throw usageError(`There are ${ok.length} ${kind} providers: name one with --provider.`, {code: 'PROVIDER_REQUIRED', details: {providers: ok.map((p) => p.provider)}, suggestions: ['List them: zg compute providers']})
}
