import {Args} from '@oclif/core'
import {ZgCommand} from '../../../cli/base-command.js'
import {providerFlag} from '../../../cli/compute.js'
import {withFineTuningSession} from '../../../cli/jobs.js'
import {networkFlag, signerFlags} from '../../../cli/flags.js'

export default class ComputeJobLogs extends ZgCommand<typeof ComputeJobLogs> {
  static summary = 'Print a fine-tuning job\'s log (state changes and the loss of every training step)'
  static examples = ['<%= config.bin %> compute job logs 5f0c…-… --account dev1', '<%= config.bin %> compute job logs 5f0c…-… --json']
  static args = {id: Args.string({description: 'Task id', required: true})}
  static flags = {...providerFlag, ...networkFlag, ...signerFlags}

  async exec() {
    return withFineTuningSession(this.flags, this.secretPrompt(), async ({url, signer}) => {
      const {getTaskLog} = await import('../../../core/compute/finetune.js')
      const log = await getTaskLog(url, signer.address, this.args.id)
      return {taskId: this.args.id, lines: log.split('\n').filter(Boolean)}
    })
  }


  protected override render(d: {lines: string[]}) {
    return d.lines.join('\n')
  }
}
