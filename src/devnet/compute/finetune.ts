import {spawn} from 'node:child_process'
import {randomUUID} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {getAddress, hexlify, keccak256, toUtf8Bytes, type JsonRpcProvider, type Wallet} from 'ethers'
import {callContract, sendContract} from '../../core/chain/send.js'
import type {ComputeRefs} from '../../core/compute/contracts.js'
import {encryptDeliverable, sealToPublicKey} from '../../core/compute/deliverable.js'
import {fineTuningDomain, recoverCancel, recoverTaskRequest, signVerifierInput} from '../../core/compute/signing.js'
import {writeZip, type ZipEntry} from '../../core/compute/zip.js'
import type {NetworkProfile} from '../../core/networks.js'
import {datasetToText} from './datasets.js'
import {HttpError} from './http.js'
import {adapterName, BASE_MODEL, type ModelStore} from './models.js'
import {runTraining} from './trainer.js'

export const PROGRESS = ['Init', 'SettingUp', 'SetUp', 'Training', 'Trained', 'Delivering', 'Delivered', 'UserAcknowledged', 'Finished', 'Failed'] as const
export type Progress = (typeof PROGRESS)[number]
const CANCELLABLE: Progress[] = ['Init', 'SettingUp', 'SetUp', 'Training', 'Trained']

/** A task as 0G's broker returns it (api/fine-tuning schema), plus zg's extras (reason, losses, outputs). */
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
  signature: string
  progress: Progress
  deliverIndex: number
  deliverTime?: string
  modelType: 'text'
  // zg extras
  model: string
  reason?: string
  /** Training loss after each optimiser step. */
  losses: number[]
  totalSteps?: number
  datasetTokens?: number
  outputRootHash?: string
  adapterName?: string
  settleTxHash?: string
  executor?: boolean
}

interface StoredTask extends Task {
  userPublicKey: string
}

export interface TrainingParams {
  num_train_epochs: number
  learning_rate: number
  per_device_train_batch_size: number
  max_steps?: number
  seed: number
}

export const DEFAULT_TRAINING_PARAMS: TrainingParams = {num_train_epochs: 3, learning_rate: 0.003, per_device_train_batch_size: 16, seed: 7}

export interface FineTuneDeps {
  dir: string
  log: (l: string) => void
  provider: JsonRpcProvider
  refs: ComputeRefs
  providerWallet: Wallet
  teeSigner: Wallet
  chainId: number
  env: NodeJS.ProcessEnv
  models: ModelStore
  /** The devnet as a network profile, for storage downloads and uploads. */
  network: () => NetworkProfile
  pricePerToken: bigint
  /** Shell command of a custom trainer (ZG_PROVIDER_EXECUTOR); receives dataset path, params file and output dir. */
  executor?: string
  pollMs: number
  ackTimeoutMs: number
  signal: AbortSignal
}

/**
 * The fine-tuning side of the provider: 0G's task API and its lifecycle, run one task at a time.
 * Init → SettingUp (fetch the dataset from storage by root, verified; fee = tokens × epochs × price) → SetUp →
 * Training (a worker thread continues the base model's training, loss per step in the log) → Trained →
 * Delivering (zip, AES-256-GCM in 0G's deliverable format, upload to storage, addDeliverable) → Delivered →
 * UserAcknowledged (seen on chain) → settleFees with the key ECIES-sealed to the user → Finished; or Failed.
 */
export class FineTuning {
  private readonly tasks = new Map<string, StoredTask>()
  private readonly queue: string[] = []
  private readonly aborts = new Map<string, AbortController>()
  private running = false
  private watchers = new Set<NodeJS.Timeout>()

  constructor(private readonly d: FineTuneDeps) {
    fs.mkdirSync(path.join(d.dir, 'tasks'), {recursive: true})
    for (const id of fs.readdirSync(path.join(d.dir, 'tasks'))) {
      try {
        const t = JSON.parse(fs.readFileSync(path.join(d.dir, 'tasks', id, 'task.json'), 'utf8')) as StoredTask
        this.tasks.set(t.id, t)
      } catch {}
    }
    // After a restart: delivered tasks go on waiting for the user. Tasks that had not begun delivering run again from
    // the start, oldest first (the dataset is fetched and verified again; training is seeded, so it gives the same
    // model). A task caught mid-delivery is failed: its upload or on-chain record may be half done, and the key of a
    // half-done delivery is not on disk in a state to trust.
    for (const t of [...this.tasks.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt))) {
      if (t.progress === 'Delivered' || t.progress === 'UserAcknowledged') this.watchAck(t)
      else if (CANCELLABLE.includes(t.progress)) this.requeue(t)
      else if (t.progress !== 'Finished' && t.progress !== 'Failed') this.fail(t, 'the provider restarted while delivering the result; submit the task again')
    }
    void this.pump()
  }

  private requeue(t: StoredTask) {
    t.losses = []
    delete t.totalSteps
    this.set(t, 'Init', `the provider restarted during ${t.progress}: the task starts again from the beginning`)
    this.d.log(`task ${t.id} requeued after a restart`)
    this.queue.push(t.id)
  }

  private taskDir(id: string) {
    return path.join(this.d.dir, 'tasks', id)
  }

  private save(t: StoredTask) {
    t.updatedAt = new Date().toISOString()
    const file = path.join(this.taskDir(t.id), 'task.json')
    fs.mkdirSync(path.dirname(file), {recursive: true})
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(t))
    fs.renameSync(`${file}.tmp`, file)
  }

  private logTask(t: Task, line: string) {
    fs.appendFileSync(path.join(this.taskDir(t.id), 'log.txt'), `${new Date().toISOString()} ${line}\n`)
  }

  private set(t: StoredTask, p: Progress, note?: string) {
    t.progress = p
    this.save(t)
    this.logTask(t, `progress: ${p}${note ? ` (${note})` : ''}`)
  }

  private fail(t: StoredTask, reason: string) {
    t.reason = reason
    this.set(t, 'Failed', reason)
    this.d.log(`task ${t.id} failed: ${reason}`)
  }

  public(t: StoredTask): Task {
    const {userPublicKey: _pk, ...pub} = t
    return pub
  }

  modelHash(): string {
    try {
      return keccak256(fs.readFileSync(this.d.models.baseFile))
    } catch {
      return keccak256(toUtf8Bytes(BASE_MODEL))
    }
  }

  /** GET /v1/model: the base models a task can start from. */
  listModels() {
    return [{name: BASE_MODEL, hash: this.modelHash(), image: 'zg-devnet-trainer', dataType: 'text', trainingScript: this.d.executor ?? 'built-in (zg tiny language model, CPU)', description: 'Character-level neural language model (MLP, ~29k weights) trained on CPU; fine-tuning continues its training on your dataset.', tokenizer: 'characters', price: this.d.pricePerToken.toString()}]
  }

  pending(): number {
    return this.queue.length + (this.running ? 1 : 0)
  }

  list(user: string): Task[] {
    return [...this.tasks.values()].filter((t) => t.userAddress.toLowerCase() === user.toLowerCase()).sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map((t) => this.public(t))
  }

  get(user: string, id: string): StoredTask {
    const t = this.tasks.get(id)
    if (!t || t.userAddress.toLowerCase() !== user.toLowerCase()) throw new HttpError(404, 'task_not_found', `No task ${id} for ${user}.`)
    return t
  }

  log(user: string, id: string): string {
    this.get(user, id)
    try {
      return fs.readFileSync(path.join(this.taskDir(id), 'log.txt'), 'utf8')
    } catch {
      return ''
    }
  }

  /** POST /v1/user/{addr}/task */
  async create(pathUser: string, body: Record<string, unknown>): Promise<{id: string}> {
    const user = checkedAddress(String(body.userAddress ?? pathUser))
    if (user.toLowerCase() !== pathUser.toLowerCase()) throw new HttpError(400, 'invalid_request', 'userAddress does not match the address in the path.')
    const datasetHash = String(body.datasetHash ?? '')
    if (!/^0x[0-9a-fA-F]{64}(,0x[0-9a-fA-F]{64})*$/.test(datasetHash)) throw new HttpError(400, 'invalid_request', 'datasetHash must be a storage root (0x + 64 hex digits).')
    let nonce: bigint
    try {
      nonce = BigInt(String(body.nonce))
    } catch {
      throw new HttpError(400, 'invalid_request', 'nonce must be an integer.')
    }
    const signature = String(body.signature ?? '')
    let rec
    try {
      rec = await recoverTaskRequest(user, nonce, datasetHash, signature)
    } catch {
      throw new HttpError(401, 'invalid_signature', 'The task signature cannot be recovered.')
    }
    if (rec.address.toLowerCase() !== user.toLowerCase()) throw new HttpError(401, 'invalid_signature', `The task is signed by ${rec.address}, not by ${user}.`)
    let params: TrainingParams
    try {
      const raw = typeof body.trainingParams === 'string' ? JSON.parse(body.trainingParams || '{}') : (body.trainingParams ?? {})
      params = {...DEFAULT_TRAINING_PARAMS, ...(raw as Partial<TrainingParams>)}
    } catch {
      throw new HttpError(400, 'invalid_request', 'trainingParams must be a JSON object.')
    }
    for (const k of ['num_train_epochs', 'learning_rate', 'per_device_train_batch_size'] as const) {
      if (!(typeof params[k] === 'number' && params[k] > 0)) throw new HttpError(400, 'invalid_request', `trainingParams.${k} must be a positive number.`)
    }
    const modelHash = String(body.preTrainedModelHash ?? '')
    if (modelHash !== this.modelHash() && modelHash !== BASE_MODEL) {
      throw new HttpError(400, 'model_not_found', `Unknown pre-trained model ${modelHash}: this provider fine-tunes ${BASE_MODEL} (hash ${this.modelHash()}).`)
    }
    let acc: {acknowledged: boolean; balance: bigint}
    try {
      acc = (await callContract(this.d.provider, this.d.refs.fineTuning, 'getAccount', [user, this.d.providerWallet.address])) as {acknowledged: boolean; balance: bigint}
    } catch {
      throw new HttpError(402, 'no_sub_account', `${user} has no fine-tuning sub-account with this provider: transfer funds first (zg compute ledger transfer --service fine-tuning --provider ${this.d.providerWallet.address} --amount 1).`)
    }
    if (!acc.acknowledged) throw new HttpError(403, 'provider_not_acknowledged', `${user} has not acknowledged this provider's TEE signer for fine-tuning (zg compute ack ${this.d.providerWallet.address} --service fine-tuning).`)
    const active = [...this.tasks.values()].find((t) => t.userAddress.toLowerCase() === user.toLowerCase() && !['Finished', 'Failed'].includes(t.progress))
    if (active) throw new HttpError(409, 'task_in_progress', `${user} already has task ${active.id} (${active.progress}) with this provider; one task at a time.`)
    const now = new Date().toISOString()
    const t: StoredTask = {
      id: randomUUID(),
      createdAt: now,
      updatedAt: now,
      userAddress: user,
      preTrainedModelHash: this.modelHash(),
      datasetHash,
      trainingParams: JSON.stringify(params),
      fee: '0',
      nonce: nonce.toString(),
      signature,
      progress: 'Init',
      deliverIndex: 0,
      modelType: 'text',
      model: BASE_MODEL,
      losses: [],
      userPublicKey: rec.publicKey,
      executor: !!this.d.executor,
    }
    this.tasks.set(t.id, t)
    this.set(t, 'Init', `task created for ${user}`)
    this.queue.push(t.id)
    void this.pump()
    return {id: t.id}
  }

  /** POST /v1/user/{addr}/task/{id}/cancel {signature} */
  cancel(user: string, id: string, signature: string): Task {
    const t = this.get(user, id)
    let signer: string
    try {
      signer = recoverCancel(id, signature)
    } catch {
      throw new HttpError(401, 'invalid_signature', 'The cancel signature cannot be recovered.')
    }
    if (signer.toLowerCase() !== t.userAddress.toLowerCase()) throw new HttpError(401, 'invalid_signature', `The cancel request is signed by ${signer}, not by ${t.userAddress}.`)
    if (!CANCELLABLE.includes(t.progress)) throw new HttpError(409, 'not_cancellable', `Task ${id} is ${t.progress}: it can no longer be cancelled (delivery has begun).`)
    const qi = this.queue.indexOf(id)
    if (qi >= 0) this.queue.splice(qi, 1)
    this.aborts.get(id)?.abort()
    this.fail(t, 'cancelled by the user')
    return this.public(t)
  }

  private async pump(): Promise<void> {
    if (this.running) return
    const id = this.queue.shift()
    if (!id) return
    this.running = true
    const t = this.tasks.get(id)!
    const ac = new AbortController()
    this.aborts.set(id, ac)
    const onStop = () => ac.abort()
    this.d.signal.addEventListener('abort', onStop, {once: true})
    try {
      await this.run(t, ac.signal)
    } catch (e) {
      if (!ac.signal.aborted && t.progress !== 'Failed') this.fail(t, (e as Error).message)
    } finally {
      this.d.signal.removeEventListener('abort', onStop)
      this.aborts.delete(id)
      this.running = false
      void this.pump()
    }
  }

  private checkAlive(t: StoredTask, signal: AbortSignal) {
    if (signal.aborted || t.progress === 'Failed') throw new Error('cancelled')
  }

  private async run(t: StoredTask, signal: AbortSignal): Promise<void> {
    const dir = this.taskDir(t.id)
    const params = JSON.parse(t.trainingParams) as TrainingParams
    // --- SettingUp: the dataset, verified against its root, and the fee ---
    this.set(t, 'SettingUp', `fetching dataset ${t.datasetHash} from storage`)
    const {downloadBytes} = await import('../../core/storage/download.js')
    let data: Buffer
    try {
      data = (await downloadBytes(t.datasetHash, {network: this.d.network(), signal, maxBytes: 16 * 1024 * 1024, env: this.d.env})).data
    } catch (e) {
      if (signal.aborted) return
      return this.fail(t, `the dataset ${t.datasetHash} could not be fetched from storage: ${(e as Error).message}`)
    }
    this.checkAlive(t, signal)
    const datasetFile = path.join(dir, 'dataset.bin')
    fs.writeFileSync(datasetFile, data)
    const ds = datasetToText(data)
    const base = await this.d.models.get(BASE_MODEL)
    if (!base) return this.fail(t, 'the base model is not available')
    const {encode} = await import('../../core/compute/tinylm.js')
    const tokens = encode(ds.text, base.weights.config).length
    if (tokens < 2) return this.fail(t, 'the dataset holds no usable text')
    t.datasetTokens = tokens
    const fee = BigInt(tokens) * BigInt(Math.ceil(params.num_train_epochs)) * this.d.pricePerToken
    t.fee = fee.toString()
    this.logTask(t, `dataset verified: ${data.length} bytes, ${ds.format}, ${ds.records} records, ${tokens} tokens; fee ${fee} neuron (${tokens} tokens × ${Math.ceil(params.num_train_epochs)} epochs × ${this.d.pricePerToken})`)
    const acc = (await callContract(this.d.provider, this.d.refs.fineTuning, 'getAccount', [t.userAddress, this.d.providerWallet.address])) as {balance: bigint; pendingRefund: bigint}
    if (acc.balance - acc.pendingRefund < fee) {
      return this.fail(t, `insufficient balance: the task costs ${fee} neuron, the fine-tuning sub-account holds ${acc.balance - acc.pendingRefund}`)
    }
    this.set(t, 'SetUp')
    this.checkAlive(t, signal)

    // --- Training ---
    const steps = params.max_steps ?? Math.max(1, Math.ceil((params.num_train_epochs * tokens) / params.per_device_train_batch_size))
    t.totalSteps = steps
    this.set(t, 'Training', `${steps} steps, batch ${params.per_device_train_batch_size}, learning rate ${params.learning_rate}`)
    const outDir = path.join(dir, 'output')
    fs.mkdirSync(outDir, {recursive: true})
    const name = adapterName(BASE_MODEL, t.id)
    let entries: ZipEntry[]
    if (this.d.executor) {
      entries = await this.runExecutor(t, datasetFile, params, outDir, signal)
    } else {
      let lastSave = 0
      const out = await runTraining(
        {base: fs.readFileSync(this.d.models.baseFile), text: ds.text, steps, learningRate: params.learning_rate, batchSize: params.per_device_train_batch_size, seed: params.seed, meta: {name, owner: t.userAddress, base: BASE_MODEL, baseHash: t.preTrainedModelHash, dataset: t.datasetHash, taskId: t.id}},
        (step, loss) => {
          t.losses.push(loss)
          this.logTask(t, `step ${step}/${steps} loss=${loss.toFixed(4)}`)
          if (Date.now() - lastSave > 500) {
            lastSave = Date.now()
            this.save(t)
          }
        },
        signal,
      ).catch((e) => {
        if (signal.aborted) return undefined
        throw e
      })
      if (!out) return
      this.logTask(t, `training done: mean loss over the dataset ${out.evalBefore.toFixed(4)} → ${out.evalAfter.toFixed(4)} nats/char`)
      fs.writeFileSync(path.join(outDir, 'model.zglm'), out.model)
      const summary = {baseModel: BASE_MODEL, adapterName: name, taskId: t.id, dataset: t.datasetHash, params, steps: out.steps, firstLoss: out.firstLoss, lastLoss: out.lastLoss, evalLossBefore: out.evalBefore, evalLossAfter: out.evalAfter, losses: t.losses}
      entries = [
        {name: 'model.zglm', data: Buffer.from(out.model)},
        {name: 'training.json', data: Buffer.from(JSON.stringify(summary, null, 2))},
        {name: 'README.txt', data: Buffer.from(`Fine-tuned ${BASE_MODEL} (zg tiny character-level language model).\nRun it with: zg compute chat --local-model model.zglm -m "your question"\n`)},
      ]
    }
    this.checkAlive(t, signal)
    this.set(t, 'Trained')
    this.checkAlive(t, signal)

    // --- Delivering: encrypt, upload, record on chain ---
    this.set(t, 'Delivering')
    const zip = writeZip(entries)
    const {data: enc, key} = encryptDeliverable(zip, this.d.teeSigner)
    const encFile = path.join(dir, 'model.enc')
    fs.writeFileSync(encFile, enc)
    fs.writeFileSync(path.join(dir, 'key.hex'), key.toString('hex'), {mode: 0o600})
    const {uploadFile} = await import('../../core/storage/upload.js')
    const up = await uploadFile(encFile, {network: this.d.network(), provider: this.d.provider, signer: async () => this.d.providerWallet, env: this.d.env, timeoutMs: 120_000})
    t.outputRootHash = up.root
    this.logTask(t, `encrypted model uploaded: root ${up.root}, ${enc.length} bytes`)
    await sendContract(this.d.providerWallet, this.d.provider, this.d.refs.fineTuning, 'addDeliverable', [t.userAddress, t.id, hexlify(toUtf8Bytes(up.root))], {env: this.d.env, iface: this.d.refs.all, timeoutMs: 60_000})
    t.deliverTime = new Date().toISOString()
    t.adapterName = name
    this.set(t, 'Delivered', `acknowledge it with: zg compute job acknowledge ${t.id}`)
    this.watchAck(t)
  }

  private async runExecutor(t: StoredTask, datasetFile: string, params: TrainingParams, outDir: string, signal: AbortSignal): Promise<ZipEntry[]> {
    const paramsFile = path.join(this.taskDir(t.id), 'params.json')
    fs.writeFileSync(paramsFile, JSON.stringify(params, null, 2))
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`
    const cmd = `${this.d.executor} ${q(datasetFile)} ${q(paramsFile)} ${q(outDir)}`
    this.logTask(t, `executor: ${this.d.executor} <dataset> <params> <output dir>`)
    await new Promise<void>((resolve, reject) => {
      const child = spawn(cmd, {shell: true, cwd: this.taskDir(t.id), env: {...process.env, ZG_DATASET_PATH: datasetFile, ZG_PARAMS_PATH: paramsFile, ZG_OUTPUT_DIR: outDir, ZG_BASE_MODEL_PATH: this.d.models.baseFile, ZG_TASK_ID: t.id}, stdio: ['ignore', 'pipe', 'pipe']})
      const onAbort = () => child.kill('SIGTERM')
      signal.addEventListener('abort', onAbort, {once: true})
      const onLine = (buf: Buffer) => {
        for (const line of buf.toString('utf8').split('\n')) {
          if (!line.trim()) continue
          this.logTask(t, `[executor] ${line}`)
          const m = /loss\s*[=:]\s*([0-9.eE+-]+)/.exec(line)
          if (m && Number.isFinite(Number(m[1]))) t.losses.push(Number(m[1]))
        }
        this.save(t)
      }
      child.stdout.on('data', onLine)
      child.stderr.on('data', onLine)
      child.on('error', reject)
      child.on('close', (code) => {
        signal.removeEventListener('abort', onAbort)
        if (signal.aborted) return reject(new Error('cancelled'))
        if (code === 0) resolve()
        else reject(new Error(`the executor exited with code ${code}`))
      })
    })
    const entries: ZipEntry[] = []
    const walk = (d: string, rel: string) => {
      for (const e of fs.readdirSync(d, {withFileTypes: true})) {
        const p = path.join(d, e.name)
        if (e.isDirectory()) walk(p, `${rel}${e.name}/`)
        else entries.push({name: `${rel}${e.name}`, data: fs.readFileSync(p)})
      }
    }
    walk(outDir, '')
    if (!entries.length) throw new Error('the executor wrote nothing to the output dir')
    return entries
  }

  /** Waits for the user's acknowledgeDeliverable, then settles with the sealed key (or the penalty on timeout). */
  private watchAck(t: StoredTask) {
    const started = Date.parse(t.deliverTime ?? t.updatedAt)
    const tick = async () => {
      if (this.d.signal.aborted) return
      try {
        if (t.progress === 'Delivered') {
          const d = (await callContract(this.d.provider, this.d.refs.fineTuning, 'getDeliverable', [t.userAddress, this.d.providerWallet.address, t.id])) as {acknowledged: boolean; settled: boolean}
          if (d.acknowledged) this.set(t, 'UserAcknowledged')
          else if (Date.now() - started > this.d.ackTimeoutMs) {
            await this.settle(t, false)
            return
          }
        }
        if (t.progress === 'UserAcknowledged') {
          await this.settle(t, true)
          return
        }
      } catch (e) {
        this.logTask(t, `waiting for acknowledgement: ${(e as Error).message}`)
      }
      const h = setTimeout(() => {
        this.watchers.delete(h)
        void tick()
      }, this.d.pollMs)
      this.watchers.add(h)
    }
    void tick()
  }

  private async settle(t: StoredTask, acknowledged: boolean): Promise<void> {
    const acc = (await callContract(this.d.provider, this.d.refs.fineTuning, 'getAccount', [t.userAddress, this.d.providerWallet.address])) as {nonce: bigint}
    const now = BigInt(Date.now())
    const nonce = acc.nonce >= now ? acc.nonce + 1n : now
    let secret = '0x'
    if (acknowledged) {
      const key = Buffer.from(fs.readFileSync(path.join(this.taskDir(t.id), 'key.hex'), 'utf8'), 'hex')
      secret = await sealToPublicKey(t.userPublicKey, key)
    }
    const input = await signVerifierInput(this.d.teeSigner, fineTuningDomain(this.d.chainId, this.d.refs.fineTuning.address), {
      id: t.id,
      encryptedSecret: secret,
      modelRootHash: hexlify(toUtf8Bytes(t.outputRootHash!)),
      nonce,
      taskFee: BigInt(t.fee),
      user: t.userAddress,
    })
    const r = await sendContract(this.d.providerWallet, this.d.provider, this.d.refs.fineTuning, 'settleFees', [input], {env: this.d.env, iface: this.d.refs.all, timeoutMs: 60_000})
    t.settleTxHash = r.hash
    if (acknowledged) {
      this.logTask(t, `fees settled: ${t.fee} neuron, model key sealed to the user (tx ${r.hash})`)
      try {
        const model = fs.readFileSync(path.join(this.taskDir(t.id), 'output', 'model.zglm'))
        this.d.models.addFineTuned(t.adapterName!, t.userAddress, model)
        this.logTask(t, `deployed for inference as ${t.adapterName} (served to ${t.userAddress} only)`)
      } catch (e) {
        this.logTask(t, `not deployed for inference: ${(e as Error).message}`)
      }
      this.set(t, 'Finished')
    } else {
      this.fail(t, `the deliverable was not acknowledged within ${Math.round(this.d.ackTimeoutMs / 1000)} s; settled with the contract's penalty (tx ${r.hash})`)
    }
  }

  stop() {
    for (const h of this.watchers) clearTimeout(h)
    for (const a of this.aborts.values()) a.abort()
  }
}

function checkedAddress(a: string): string {
  try {
    return getAddress(a)
  } catch {
    throw new HttpError(400, 'invalid_request', `Not an address: ${a}`)
  }
}
