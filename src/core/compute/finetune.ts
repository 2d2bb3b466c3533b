import type {JsonRpcProvider, Wallet} from 'ethers'
import {callContract, sendContract, type SendContractResult, type SendOptions} from '../chain/send.js'
import {networkError, notFound, usageError} from '../errors.js'
import type {ComputeRefs} from './contracts.js'
import {providerError} from './inference.js'
import {signCancel, signTaskRequest} from './signing.js'

/** The user's side of 0G's fine-tuning task API (provider HTTP) and deliverables (FineTuningServing). */

export const TASK_STATES = ['Init', 'SettingUp', 'SetUp', 'Training', 'Trained', 'Delivering', 'Delivered', 'UserAcknowledged', 'Finished', 'Failed'] as const
export type TaskState = (typeof TASK_STATES)[number]

export interface Task {
  id: string
  createdAt: string
  updatedAt: string
  userAddress: string
  preTrainedModelHash: string
  datasetHash: string
  trainingParams: string
  fee: string
  nonce: string
  progress: TaskState
  deliverTime?: string
  model?: string
  reason?: string
  losses?: number[]
  totalSteps?: number
  datasetTokens?: number
  outputRootHash?: string
  adapterName?: string
  settleTxHash?: string
}

export interface ProviderModel {
  name: string
  hash: string
  description?: string
  price?: string
}

async function http<T>(url: string, init: RequestInit & {text?: boolean} = {}): Promise<T> {
  let res: Response
  try {
    res = await fetch(url, {...init, signal: init.signal ?? AbortSignal.timeout(30_000)})
  } catch (e) {
    throw networkError(`The provider at ${new URL(url).origin} did not answer: ${(e as Error).message}`, {code: 'PROVIDER_UNREACHABLE', cause: e})
  }
  const body = await res.text()
  if (!res.ok) throw providerError(res.status, body, new URL(url).origin)
  return (init.text ? body : JSON.parse(body)) as T
}

const base = (url: string) => url.replace(/\/+$/, '')

export function listModels(url: string): Promise<ProviderModel[]> {
  return http<ProviderModel[]>(`${base(url)}/v1/model`)
}

export async function createTask(wallet: Wallet, url: string, o: {datasetHash: string; model: string; params: Record<string, unknown>}): Promise<{id: string; modelHash: string}> {
  const models = await listModels(url)
  const m = models.find((x) => x.name === o.model || x.hash === o.model)
  if (!m) throw notFound(`The provider does not fine-tune "${o.model}". It offers: ${models.map((x) => x.name).join(', ') || 'nothing'}.`, {code: 'MODEL_NOT_FOUND'})
  const nonce = BigInt(Date.now()) * 10000n + 40n
  const signature = await signTaskRequest(wallet, wallet.address, nonce, o.datasetHash)
  const body = {userAddress: wallet.address, datasetHash: o.datasetHash, trainingParams: JSON.stringify(o.params), preTrainedModelHash: m.hash, fee: '0', nonce: nonce.toString(), signature, wait: false}
  const r = await http<{id: string}>(`${base(url)}/v1/user/${wallet.address}/task`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(body)})
  return {id: r.id, modelHash: m.hash}
}

export function listTasks(url: string, user: string): Promise<Task[]> {
  return http<Task[]>(`${base(url)}/v1/user/${user}/task`)
}

export function getTask(url: string, user: string, id: string, signal?: AbortSignal): Promise<Task> {
  return http<Task>(`${base(url)}/v1/user/${user}/task/${id}`, signal ? {signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)])} : {})
}

export function getTaskLog(url: string, user: string, id: string): Promise<string> {
  return http<string>(`${base(url)}/v1/user/${user}/task/${id}/log`, {text: true})
}

export async function cancelTask(wallet: Wallet, url: string, id: string): Promise<Task> {
  const signature = await signCancel(wallet, id)
  return http<Task>(`${base(url)}/v1/user/${wallet.address}/task/${id}/cancel`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({signature})})
}

export interface DeliverableView {
  id: string
  /** The storage root of the encrypted model (on chain as the UTF-8 bytes of the root string, as 0G's broker does). */
  root: string
  encryptedSecret: string
  acknowledged: boolean
  settled: boolean
  timestamp: number
}

export async function getDeliverable(provider: JsonRpcProvider, refs: ComputeRefs, user: string, providerAddr: string, id: string): Promise<DeliverableView> {
  const {toUtf8String} = await import('ethers')
  let d: Record<string, unknown>
  try {
    d = (await callContract(provider, refs.fineTuning, 'getDeliverable', [user, providerAddr, id])) as Record<string, unknown>
  } catch (e) {
    if (/DeliverableNotExists|AccountNotExists/.test(String((e as Error).message) + JSON.stringify((e as {details?: unknown}).details ?? ''))) {
      throw notFound(`Task ${id} has no deliverable on chain yet.`, {code: 'DELIVERABLE_NOT_FOUND', suggestions: [`Wait until the task is Delivered: zg compute job status ${id}`]})
    }
    throw e
  }
  let root: string
  try {
    root = toUtf8String(d.modelRootHash as string)
  } catch {
    root = String(d.modelRootHash)
  }
  return {id, root, encryptedSecret: String(d.encryptedSecret), acknowledged: Boolean(d.acknowledged), settled: Boolean(d.settled), timestamp: Number(d.timestamp)}
}

export async function acknowledgeDeliverable(wallet: Wallet, provider: JsonRpcProvider, refs: ComputeRefs, providerAddr: string, id: string, tx: Partial<SendOptions> = {}): Promise<SendContractResult> {
  return sendContract(wallet, provider, refs.fineTuning, 'acknowledgeDeliverable', [providerAddr, id], {...tx, iface: refs.all})
}

/** Parses --params (a JSON file's text) into training parameters, with a clear error. */
export function parseParams(text: string | undefined): Record<string, unknown> {
  if (!text) return {}
  try {
    const j = JSON.parse(text) as unknown
    if (!j || typeof j !== 'object' || Array.isArray(j)) throw new Error('not an object')
    return j as Record<string, unknown>
  } catch (e) {
    throw usageError(`The training parameters are not a JSON object: ${(e as Error).message}`)
  }
}
