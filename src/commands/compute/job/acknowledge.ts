import {Args} from '@oclif/core'
import {ZgCommand} from '../../../cli/base-command.js'
import {signerFor, txOptions} from '../../../cli/chain.js'
import {computeConnect, providerFlag} from '../../../cli/compute.js'
import {jsonStreamFlag, networkFlag, signerFlags, txFlags} from '../../../cli/flags.js'
import {keyValue} from '../../../ui/format.js'

export default class ComputeJobAcknowledge extends ZgCommand<typeof ComputeJobAcknowledge> {
  static summary = 'Accept a delivered model: download it (verified against its storage root), then acknowledge it on chain'
  static description = 'After this the provider settles the fee and seals the model key to you; then `zg compute job download` decrypts it. A deliverable left unacknowledged is settled by the provider with the contract\'s penalty fee and no key.'
  static examples = ['<%= config.bin %> compute job acknowledge 5f0c…-… --account dev1']
  static args = {id: Args.string({description: 'Task id', required: true})}
  static flags = {...providerFlag, ...networkFlag, ...signerFlags, ...txFlags, ...jsonStreamFlag}
  static steps = [
    {id: 'download', title: 'Download the encrypted model'},
    {id: 'tx', title: 'Acknowledge on chain'},
  ]

  async exec() {
    const {provider, refs, network} = await computeConnect(this.flags)
    try {
      const {pickProvider} = await import('../../../core/compute/providers.js')
      const target = await pickProvider(provider, refs, 'fine-tuning', this.flags.provider)
      const s = await signerFor(this.flags, network, this.secretPrompt())
      const {acknowledgeJob} = await import('../../../core/compute/jobs.js')
      const opts = await txOptions(this.flags, network)
      const r = await this.withProgress((reporter) => acknowledgeJob(s.wallet, {provider, refs, network, providerAddr: target, taskId: this.args.id, reporter, signal: this.abort.signal, tx: opts}))
      return {taskId: this.args.id, provider: target, root: r.fetched.root, encryptedModel: r.fetched.file, size: r.fetched.size, alreadyAcknowledged: r.already, hash: r.hash}
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: Awaited<ReturnType<ComputeJobAcknowledge['exec']>>) {
    return keyValue([
      ['task', d.taskId],
      ['encrypted model', `${d.encryptedModel} (${d.size} bytes, root ${d.root})`],
      ['acknowledged', d.alreadyAcknowledged ? 'already' : `yes (tx ${d.hash})`],
      ['next', `zg compute job download ${d.taskId} once the provider has settled`],
    ])
  }
}
