import fs from 'node:fs'
import path from 'node:path'
import {Flags} from '@oclif/core'
import {ZgCommand} from '../../../cli/base-command.js'
import {signerFor, txOptions} from '../../../cli/chain.js'
import {computeConnect, providerFlag} from '../../../cli/compute.js'
import {jobLine, lossSummary} from '../../../cli/jobs.js'
import {jsonStreamFlag, networkFlag, signerFlags, txFlags} from '../../../cli/flags.js'
import {ExitCode, usageError, ZgError} from '../../../core/errors.js'
import {keyValue} from '../../../ui/format.js'

export default class ComputeJobSubmit extends ZgCommand<typeof ComputeJobSubmit> {
  static summary = 'Start a fine-tuning job from a dataset (a storage root, or a file that is uploaded first)'
  static description =
    'The provider fetches the dataset from 0G Storage by root and verifies it, trains, then delivers the model encrypted to storage. With --wait, zg follows the job with one line per change, acknowledges the delivered model (after downloading and verifying it), waits for the provider to settle and exits 0 only when the job is Finished (non-zero with the reason otherwise); --out then also decrypts the model there.'
  static examples = [
    '<%= config.bin %> compute job submit --model zg-tinylm-chat --dataset ./train.jsonl --account dev1',
    '<%= config.bin %> compute job submit --model zg-tinylm-chat --dataset 0x… --params params.json --wait --out ./my-model --account dev1',
  ]
  static flags = {
    model: Flags.string({description: 'Base model to fine-tune (see GET {url}/v1/model)', required: true, env: 'ZG_JOB_MODEL'}),
    dataset: Flags.string({description: 'Dataset: a storage root (0x…) or a local file to upload (JSONL chat/instruction records or plain text)', required: true, env: 'ZG_JOB_DATASET'}),
    params: Flags.string({description: 'Training parameters, a JSON file: num_train_epochs, learning_rate, per_device_train_batch_size, max_steps', env: 'ZG_JOB_PARAMS'}),
    wait: Flags.boolean({description: 'Follow the job to Finished (acknowledging the delivery), for CI', env: 'ZG_JOB_WAIT'}),
    'no-acknowledge': Flags.boolean({description: 'With --wait: stop at Delivered instead of acknowledging', env: 'ZG_JOB_NO_ACK'}),
    out: Flags.string({description: 'With --wait: decrypt the finished model into this folder', env: 'ZG_JOB_OUT'}),
    timeout: Flags.integer({description: 'With --wait: seconds before giving up (exit 7; the job goes on)', default: 1800, env: 'ZG_JOB_TIMEOUT'}),
    ...providerFlag,
    ...networkFlag,
    ...signerFlags,
    ...txFlags,
    ...jsonStreamFlag,
  }

  async exec() {
    const paramsText = this.flags.params ? readParams(this.flags.params) : undefined
    const {parseParams} = await import('../../../core/compute/finetune.js')
    const params = parseParams(paramsText)
    const {provider, refs, network} = await computeConnect(this.flags)
    try {
      const {pickProvider, getFineTuningProvider} = await import('../../../core/compute/providers.js')
      const target = await pickProvider(provider, refs, 'fine-tuning', this.flags.provider)
      const svc = await getFineTuningProvider(provider, refs, target)
      const s = await signerFor(this.flags, network, this.secretPrompt())
      for (const w of s.warnings) this.warn(w)
      const opts = await txOptions(this.flags, network)
      let datasetRoot = this.flags.dataset.trim()
      let uploaded = false
      if (!/^0x[0-9a-fA-F]{64}$/.test(datasetRoot)) {
        if (!fs.existsSync(datasetRoot)) throw usageError(`--dataset is neither a storage root (0x + 64 hex digits) nor a file: ${datasetRoot}`)
        const {uploadFile} = await import('../../../core/storage/upload.js')
        this.note(`Uploading ${path.basename(datasetRoot)} to 0G Storage…`)
        const up = await this.withProgress((reporter) => uploadFile(datasetRoot, {network, provider, signer: async () => s.wallet, reporter, signal: this.abort.signal, tx: opts}), [])
        datasetRoot = up.root
        uploaded = true
        this.note(`Dataset root ${datasetRoot}`)
      }
      const {createTask} = await import('../../../core/compute/finetune.js')
      const {id} = await createTask(s.wallet, svc.url, {datasetHash: datasetRoot, model: this.flags.model, params})
      this.note(`Task ${id} submitted to ${target}`)
      const base = {network: network.name, provider: target, user: s.address, taskId: id, dataset: datasetRoot, datasetUploaded: uploaded, model: this.flags.model}
      if (!this.flags.wait) return {...base, progress: 'Init'}

      const {followJob, acknowledgeJob, decryptJob} = await import('../../../core/compute/jobs.js')
      const t = await followJob({
        url: svc.url,
        user: s.address,
        taskId: id,
        signal: this.abort.signal,
        timeoutMs: this.flags.timeout * 1000,
        stopAt: this.flags['no-acknowledge'] ? 'Delivered' : undefined,
        onUpdate: (snap) => this.note(jobLine(snap)),
        onDelivered: async () => {
          this.note('Downloading the encrypted model (verified against its root) and acknowledging it on chain…')
          const a = await acknowledgeJob(s.wallet, {provider, refs, network, providerAddr: target, taskId: id, signal: this.abort.signal, tx: opts})
          this.note(`Acknowledged${a.hash ? ` (tx ${a.hash})` : ''}; waiting for the provider to settle`)
        },
      })
      if (t.progress === 'Failed') {
        throw new ZgError(`Fine-tuning job ${id} failed: ${t.reason ?? 'no reason given'}`, {code: 'JOB_FAILED', exit: ExitCode.UNEXPECTED, details: {taskId: id, reason: t.reason}})
      }
      let model: unknown = null
      if (t.progress === 'Finished' && this.flags.out) {
        model = await decryptJob(s.wallet, {provider, refs, network, providerAddr: target, taskId: id, outDir: path.resolve(this.flags.out), signal: this.abort.signal})
      }
      return {...base, progress: t.progress, fee: t.fee, loss: lossSummary(t), adapterName: t.adapterName ?? null, outputRoot: t.outputRootHash ?? null, model}
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: Record<string, unknown>) {
    const loss = d.loss as ReturnType<typeof lossSummary> | undefined
    return keyValue([
      ['task', d.taskId],
      ['state', d.progress],
      ['dataset', d.dataset],
      ['loss', loss && loss.first !== null ? `${loss.first.toFixed(4)} → ${loss.last!.toFixed(4)} over ${loss.steps} steps` : undefined],
      ['fee', d.fee ? `${d.fee} neuron` : undefined],
      ['served as', d.adapterName ?? undefined],
      ['model', d.model ? (d.model as {outDir: string}).outDir : undefined],
      ['follow', d.progress === 'Finished' ? undefined : `zg compute job watch ${d.taskId}`],
    ])
  }
}

function readParams(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch {
    throw usageError(`Cannot read the training parameters file ${file}.`, {code: 'FILE_NOT_FOUND'})
  }
}
