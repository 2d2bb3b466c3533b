import {Args, Flags} from '@oclif/core'
import {ZgCommand} from '../../../cli/base-command.js'
import {signerFor} from '../../../cli/chain.js'
import {computeConnect, providerFlag} from '../../../cli/compute.js'
import {jobLine, lossSummary} from '../../../cli/jobs.js'
import {networkFlag, signerFlags} from '../../../cli/flags.js'
import {ExitCode, ZgError} from '../../../core/errors.js'
import {keyValue} from '../../../ui/format.js'

export default class ComputeJobWatch extends ZgCommand<typeof ComputeJobWatch> {
  static summary = 'Watch a fine-tuning job live: state machine, loss sparkline, log tail'
  static description = 'On a terminal, a live view until the job is Finished or Failed (q leaves; the job goes on). Elsewhere, one line per change. Exits 0 when the job is Finished, non-zero with the reason when it Failed.'
  static examples = ['<%= config.bin %> compute job watch 5f0c…-… --account dev1']
  static args = {id: Args.string({description: 'Task id', required: true})}
  static flags = {
    timeout: Flags.integer({description: 'Seconds before giving up (exit 7; the job goes on)', default: 3600, env: 'ZG_JOB_TIMEOUT'}),
    ...providerFlag,
    ...networkFlag,
    ...signerFlags,
  }

  async exec() {
    const {provider, refs, network} = await computeConnect(this.flags)
    try {
      const {pickProvider, getFineTuningProvider} = await import('../../../core/compute/providers.js')
      const target = await pickProvider(provider, refs, 'fine-tuning', this.flags.provider)
      const svc = await getFineTuningProvider(provider, refs, target)
      const s = await signerFor(this.flags, network, this.secretPrompt())
      const {getTask, getTaskLog} = await import('../../../core/compute/finetune.js')
      let t
      if (this.mode.interactive) {
        const {runJobWatch} = await import('../../../ui/job-watch.js')
        t = await runJobWatch(async () => {
          const [task, log] = await Promise.all([getTask(svc.url, s.address, this.args.id), getTaskLog(svc.url, s.address, this.args.id)])
          return {task, log: log.split('\n').filter(Boolean)}
        })
        if (!t) t = await getTask(svc.url, s.address, this.args.id)
      } else {
        const {followJob} = await import('../../../core/compute/jobs.js')
        t = await followJob({url: svc.url, user: s.address, taskId: this.args.id, signal: this.abort.signal, timeoutMs: this.flags.timeout * 1000, onUpdate: (snap) => this.note(jobLine(snap))})
      }
      if (t.progress === 'Failed') throw new ZgError(`Fine-tuning job ${t.id} failed: ${t.reason ?? 'no reason given'}`, {code: 'JOB_FAILED', exit: ExitCode.UNEXPECTED, details: {taskId: t.id, reason: t.reason}})
      return {taskId: t.id, progress: t.progress, loss: lossSummary(t), fee: t.fee}
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: Awaited<ReturnType<ComputeJobWatch['exec']>>) {
    return keyValue([
      ['task', d.taskId],
      ['state', d.progress],
      ['loss', d.loss.first !== null ? `${d.loss.first.toFixed(4)} → ${d.loss.last!.toFixed(4)} over ${d.loss.steps} steps` : undefined],
    ])
  }
}
