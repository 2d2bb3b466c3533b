import fs from 'node:fs'
import path from 'node:path'
import type {JsonRpcProvider, Wallet} from 'ethers'
import type {SendOptions} from '../chain/send.js'
import {ExitCode, interrupted, timeoutError, usageError, ZgError} from '../errors.js'
import type {NetworkProfile} from '../networks.js'
import {dataDir} from '../paths.js'
import {silentReporter, type Reporter} from '../progress.js'
import type {ComputeRefs} from './contracts.js'
import {decryptDeliverable, unsealWithPrivateKey} from './deliverable.js'
import {acknowledgeDeliverable, getDeliverable, getTask, type Task} from './finetune.js'
import {getFineTuningProvider} from './providers.js'
import {readZip} from './zip.js'

/**
 * Fine-tuning jobs from the user's side, end to end: follow a task's state machine, fetch the encrypted model from
 * storage (verified against its root) and acknowledge it on chain, then — once the provider has settled and sealed
 * the key to us — unseal the key and decrypt the model (checking the provider's TEE signature over it).
 */

export const TERMINAL = new Set(['Finished', 'Failed'])

/** Where a job's encrypted model is kept between acknowledge and download. */
export function deliverablePath(taskId: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(dataDir(env), 'compute', 'deliverables', `${taskId}.enc`)
}

export interface FetchedDeliverable {
  root: string
  file: string
  size: number
  reused: boolean
}

/** Downloads the encrypted model of `taskId` (verified by the storage proofs against the on-chain root). */
export async function fetchDeliverable(
  o: {provider: JsonRpcProvider; refs: ComputeRefs; network: NetworkProfile; user: string; providerAddr: string; taskId: string; reporter?: Reporter; signal?: AbortSignal; env?: NodeJS.ProcessEnv},
): Promise<FetchedDeliverable> {
  const d = await getDeliverable(o.provider, o.refs, o.user, o.providerAddr, o.taskId)
  const file = deliverablePath(o.taskId, o.env)
  const stamp = `${file}.root`
  if (fs.existsSync(file) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === d.root) {
    return {root: d.root, file, size: fs.statSync(file).size, reused: true}
  }
  fs.mkdirSync(path.dirname(file), {recursive: true})
  const {downloadFile} = await import('../storage/download.js')
  const r = await downloadFile(d.root, file, {network: o.network, reporter: o.reporter, signal: o.signal, force: true, env: o.env})
  fs.writeFileSync(stamp, d.root)
  return {root: d.root, file, size: r.size, reused: false}
}

/** Downloads (verified) and acknowledges the deliverable on chain, which lets the provider settle and seal the key. */
export async function acknowledgeJob(
  wallet: Wallet,
  o: {provider: JsonRpcProvider; refs: ComputeRefs; network: NetworkProfile; providerAddr: string; taskId: string; reporter?: Reporter; signal?: AbortSignal; tx?: Partial<SendOptions>; env?: NodeJS.ProcessEnv},
): Promise<{fetched: FetchedDeliverable; hash: string | null; already: boolean}> {
  const fetched = await fetchDeliverable({...o, user: wallet.address})
  const d = await getDeliverable(o.provider, o.refs, wallet.address, o.providerAddr, o.taskId)
  if (d.acknowledged) return {fetched, hash: null, already: true}
  if (d.settled) {
    throw usageError(`Task ${o.taskId}'s deliverable was already settled without your acknowledgement (the provider took the penalty fee); it can no longer be acknowledged.`, {code: 'DELIVERABLE_SETTLED'})
  }
  const r = await acknowledgeDeliverable(wallet, o.provider, o.refs, o.providerAddr, o.taskId, {...o.tx, reporter: o.reporter, signal: o.signal})
  return {fetched, hash: r.hash, already: false}
}

export interface DecryptedModel {
  outDir: string
  zip: string
  files: Array<{name: string; size: number}>
  signer: string
}

/** Unseals the model key with the wallet, decrypts the deliverable and writes model.zip plus its files to outDir. */
export async function decryptJob(
  wallet: Wallet,
  o: {provider: JsonRpcProvider; refs: ComputeRefs; network: NetworkProfile; providerAddr: string; taskId: string; outDir: string; reporter?: Reporter; signal?: AbortSignal; env?: NodeJS.ProcessEnv},
): Promise<DecryptedModel> {
  const d = await getDeliverable(o.provider, o.refs, wallet.address, o.providerAddr, o.taskId)
  if (!d.settled || d.encryptedSecret === '0x' || !d.encryptedSecret) {
    throw new ZgError(
      d.acknowledged
        ? `Task ${o.taskId} is acknowledged but the provider has not settled it yet, so the model key is not on chain yet.`
        : `Task ${o.taskId}'s deliverable is not acknowledged: acknowledge it first (zg compute job acknowledge ${o.taskId}).`,
      {code: 'MODEL_KEY_NOT_READY', exit: ExitCode.NOT_FOUND, suggestions: [`Follow the job: zg compute job status ${o.taskId}`]},
    )
  }
  const fetched = await fetchDeliverable({...o, user: wallet.address})
  const svc = await getFineTuningProvider(o.provider, o.refs, o.providerAddr)
  let key: Buffer
  try {
    key = await unsealWithPrivateKey(wallet.privateKey, d.encryptedSecret)
  } catch {
    throw new ZgError('The model key on chain does not open with this account\'s key: it was sealed to someone else.', {code: 'KEY_UNSEAL_FAILED', exit: ExitCode.AUTH})
  }
  let zip: Buffer
  try {
    zip = decryptDeliverable(fs.readFileSync(fetched.file), key, svc.teeSigner)
  } catch (e) {
    throw new ZgError(`The delivered model failed its check: ${(e as Error).message}`, {code: 'DELIVERABLE_INVALID', exit: ExitCode.UNEXPECTED})
  }
  fs.mkdirSync(o.outDir, {recursive: true})
  const zipPath = path.join(o.outDir, 'model.zip')
  fs.writeFileSync(zipPath, zip)
  const files: Array<{name: string; size: number}> = []
  for (const e of readZip(zip)) {
    const dest = path.resolve(o.outDir, e.name)
    if (!dest.startsWith(path.resolve(o.outDir) + path.sep)) continue // no escaping the output dir
    fs.mkdirSync(path.dirname(dest), {recursive: true})
    fs.writeFileSync(dest, e.data)
    files.push({name: e.name, size: e.data.length})
  }
  return {outDir: o.outDir, zip: zipPath, files, signer: svc.teeSigner}
}

export interface FollowOptions {
  url: string
  user: string
  taskId: string
  /** Called with every new snapshot (state change or new losses). */
  onUpdate: (t: Task) => void
  /** When the task reaches Delivered: e.g. acknowledge it. Called once. */
  onDelivered?: (t: Task) => Promise<void>
  /** Stop following at this state (e.g. 'Delivered' when not acknowledging). */
  stopAt?: string
  signal?: AbortSignal
  timeoutMs?: number
  pollMs?: number
  reporter?: Reporter
}

/** Polls the task until it is Finished or Failed (or `stopAt`); returns the last snapshot. */
export async function followJob(o: FollowOptions): Promise<Task> {
  const deadline = Date.now() + (o.timeoutMs ?? 30 * 60_000)
  const reporter = o.reporter ?? silentReporter
  let last = ''
  let delivered = false
  for (;;) {
    if (o.signal?.aborted) throw interrupted(`Stopped following task ${o.taskId}; it goes on at the provider.`, {details: {taskId: o.taskId}, suggestions: [`Resume: zg compute job watch ${o.taskId}`]})
    const t = await getTask(o.url, o.user, o.taskId, o.signal)
    const sig = `${t.progress}:${t.losses?.length ?? 0}`
    if (sig !== last) {
      last = sig
      o.onUpdate(t)
    }
    if (TERMINAL.has(t.progress) || t.progress === o.stopAt) return t
    if (t.progress === 'Delivered' && !delivered && o.onDelivered) {
      delivered = true
      await o.onDelivered(t)
      continue
    }
    if (Date.now() > deadline) {
      throw timeoutError(`Task ${o.taskId} is still ${t.progress} after the time allowed.`, {details: {taskId: o.taskId, progress: t.progress}, suggestions: [`It goes on at the provider: zg compute job watch ${o.taskId}`]})
    }
    await new Promise<void>((r) => {
      const h = setTimeout(r, o.pollMs ?? 1000)
      o.signal?.addEventListener('abort', () => (clearTimeout(h), r()), {once: true})
    })
    reporter.emit({step: 'job', status: 'progress', message: t.progress})
  }
}
