import path from 'node:path'
import {Args, Flags} from '@oclif/core'
import {ZgCommand} from '../../../cli/base-command.js'
import {signerFor} from '../../../cli/chain.js'
import {computeConnect, providerFlag} from '../../../cli/compute.js'
import {networkFlag, signerFlags} from '../../../cli/flags.js'
import {keyValue, table} from '../../../ui/format.js'

export default class ComputeJobDownload extends ZgCommand<typeof ComputeJobDownload> {
  static summary = 'Decrypt a finished job\'s model: unseal its key with your account, decrypt, check the provider\'s signature'
  static examples = ['<%= config.bin %> compute job download 5f0c…-… --out ./my-model --account dev1']
  static args = {id: Args.string({description: 'Task id', required: true})}
  static flags = {
    out: Flags.string({description: 'Folder for model.zip and its files (default ./<task id>)', env: 'ZG_JOB_OUT'}),
    ...providerFlag,
    ...networkFlag,
    ...signerFlags,
  }

  async exec() {
    const {provider, refs, network} = await computeConnect(this.flags)
    try {
      const {pickProvider} = await import('../../../core/compute/providers.js')
      const target = await pickProvider(provider, refs, 'fine-tuning', this.flags.provider)
      const s = await signerFor(this.flags, network, this.secretPrompt())
      const {decryptJob} = await import('../../../core/compute/jobs.js')
      const outDir = path.resolve(this.flags.out ?? this.args.id)
      const m = await decryptJob(s.wallet, {provider, refs, network, providerAddr: target, taskId: this.args.id, outDir, signal: this.abort.signal})
      return {taskId: this.args.id, ...m}
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: Awaited<ReturnType<ComputeJobDownload['exec']>>) {
    return (
      keyValue([
        ['decrypted to', d.outDir],
        ['signed by', `${d.signer} (the provider's TEE signer)`],
      ]) +
      '\n\n' +
      table(d.files, [
        {header: 'FILE', get: (f) => f.name},
        {header: 'BYTES', get: (f) => f.size},
      ])
    )
  }
}
