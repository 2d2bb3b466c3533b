import {ZgCommand} from '../../../cli/base-command.js'
import {signerFor} from '../../../cli/chain.js'
import {computeConnect, providerFlag} from '../../../cli/compute.js'
import {lossSummary} from '../../../cli/jobs.js'
import {networkFlag, signerFlags} from '../../../cli/flags.js'
import {table} from '../../../ui/format.js'

export default class ComputeJobList extends ZgCommand<typeof ComputeJobList> {
  static summary = 'List your fine-tuning jobs with a provider'
  static examples = ['<%= config.bin %> compute job list --account dev1', '<%= config.bin %> compute job list --json']
  static flags = {...providerFlag, ...networkFlag, ...signerFlags}

  async exec() {
    const {provider, refs, network} = await computeConnect(this.flags)
    try {
      const {pickProvider, getFineTuningProvider} = await import('../../../core/compute/providers.js')
      const target = await pickProvider(provider, refs, 'fine-tuning', this.flags.provider)
      const svc = await getFineTuningProvider(provider, refs, target)
      const s = await signerFor(this.flags, network, this.secretPrompt())
      const {listTasks} = await import('../../../core/compute/finetune.js')
      const tasks = await listTasks(svc.url, s.address)
      return {network: network.name, provider: target, user: s.address, tasks: tasks.map((t) => ({id: t.id, progress: t.progress, createdAt: t.createdAt, updatedAt: t.updatedAt, model: t.model, dataset: t.datasetHash, fee: t.fee, reason: t.reason ?? null, loss: lossSummary(t)}))}
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: Awaited<ReturnType<ComputeJobList['exec']>>) {
    return table(d.tasks, [
      {header: 'TASK', get: (t) => t.id},
      {header: 'STATE', get: (t) => t.progress},
      {header: 'CREATED', get: (t) => t.createdAt},
      {header: 'LOSS', get: (t) => (t.loss.first !== null ? `${t.loss.first.toFixed(3)} → ${t.loss.last!.toFixed(3)}` : '-')},
      {header: 'FEE (neuron)', get: (t) => t.fee},
      {header: 'NOTE', get: (t) => t.reason ?? ''},
    ], 'no fine-tuning jobs yet: zg compute job submit --help')
  }
}
