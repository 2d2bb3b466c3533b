import {Args} from '@oclif/core'
import {ZgCommand} from '../../../cli/base-command.js'
import {providerFlag} from '../../../cli/compute.js'
import {withFineTuningSession} from '../../../cli/jobs.js'
import {networkFlag, signerFlags} from '../../../cli/flags.js'
import {keyValue} from '../../../ui/format.js'

export default class ComputeJobCancel extends ZgCommand<typeof ComputeJobCancel> {
  static summary = 'Cancel a fine-tuning job before its delivery starts (nothing is charged: no deliverable, no settlement)'
  static examples = ['<%= config.bin %> compute job cancel 5f0c…-… --account dev1']
  static args = {id: Args.string({description: 'Task id', required: true})}
  static flags = {...providerFlag, ...networkFlag, ...signerFlags}

  async exec() {
    return withFineTuningSession(this.flags, this.secretPrompt(), async ({url, signer}) => {
      const {cancelTask} = await import('../../../core/compute/finetune.js')
      const t = await cancelTask(signer.wallet, url, this.args.id)
      return {taskId: t.id, progress: t.progress, reason: t.reason ?? null, stepsDone: t.losses?.length ?? 0}
    })
  }


  protected override render(d: Awaited<ReturnType<ComputeJobCancel['exec']>>) {
    return keyValue([
      ['task', d.taskId],
      ['state', `${d.progress} (${d.reason})`],
      ['steps trained', d.stepsDone],
    ])
  }
}
