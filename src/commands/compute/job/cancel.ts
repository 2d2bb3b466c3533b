import {Args} from '@oclif/core'
import {ZgCommand} from '../../../cli/base-command.js'
import {signerFor} from '../../../cli/chain.js'
import {computeConnect, providerFlag} from '../../../cli/compute.js'
import {networkFlag, signerFlags} from '../../../cli/flags.js'
import {keyValue} from '../../../ui/format.js'

export default class ComputeJobCancel extends ZgCommand<typeof ComputeJobCancel> {
  static summary = 'Cancel a fine-tuning job before its delivery starts (nothing is charged: no deliverable, no settlement)'
  static examples = ['<%= config.bin %> compute job cancel 5f0c…-… --account dev1']
  static args = {id: Args.string({description: 'Task id', required: true})}
  static flags = {...providerFlag, ...networkFlag, ...signerFlags}

  async exec() {
    const {provider, refs, network} = await computeConnect(this.flags)
    try {
      const {pickProvider, getFineTuningProvider} = await import('../../../core/compute/providers.js')
      const target = await pickProvider(provider, refs, 'fine-tuning', this.flags.provider)
      const svc = await getFineTuningProvider(provider, refs, target)
      const s = await signerFor(this.flags, network, this.secretPrompt())
      const {cancelTask} = await import('../../../core/compute/finetune.js')
      const t = await cancelTask(s.wallet, svc.url, this.args.id)
      return {taskId: t.id, progress: t.progress, reason: t.reason ?? null, stepsDone: t.losses?.length ?? 0}
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: Awaited<ReturnType<ComputeJobCancel['exec']>>) {
    return keyValue([
      ['task', d.taskId],
      ['state', `${d.progress} (${d.reason})`],
      ['steps trained', d.stepsDone],
    ])
  }
}
