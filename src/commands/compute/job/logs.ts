import {Args} from '@oclif/core'
import {ZgCommand} from '../../../cli/base-command.js'
import {signerFor} from '../../../cli/chain.js'
import {computeConnect, providerFlag} from '../../../cli/compute.js'
import {networkFlag, signerFlags} from '../../../cli/flags.js'

export default class ComputeJobLogs extends ZgCommand<typeof ComputeJobLogs> {
  static summary = 'Print a fine-tuning job\'s log (state changes and the loss of every training step)'
  static examples = ['<%= config.bin %> compute job logs 5f0c…-… --account dev1', '<%= config.bin %> compute job logs 5f0c…-… --json']
  static args = {id: Args.string({description: 'Task id', required: true})}
  static flags = {...providerFlag, ...networkFlag, ...signerFlags}

  async exec() {
    const {provider, refs, network} = await computeConnect(this.flags)
    try {
      const {pickProvider, getFineTuningProvider} = await import('../../../core/compute/providers.js')
      const target = await pickProvider(provider, refs, 'fine-tuning', this.flags.provider)
      const svc = await getFineTuningProvider(provider, refs, target)
      const s = await signerFor(this.flags, network, this.secretPrompt())
      const {getTaskLog} = await import('../../../core/compute/finetune.js')
      const log = await getTaskLog(svc.url, s.address, this.args.id)
      return {taskId: this.args.id, lines: log.split('\n').filter(Boolean)}
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: {lines: string[]}) {
    return d.lines.join('\n')
  }
}
