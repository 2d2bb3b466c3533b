import {ZgCommand} from '../../../cli/base-command.js'
import {providerFlag} from '../../../cli/compute.js'
import {lossSummary, withFineTuningSession} from '../../../cli/jobs.js'
import {networkFlag, signerFlags} from '../../../cli/flags.js'
import {table} from '../../../ui/format.js'

export default class ComputeJobList extends ZgCommand<typeof ComputeJobList> {
  static summary = 'List your fine-tuning jobs with a provider'
  static examples = ['<%= config.bin %> compute job list --account dev1', '<%= config.bin %> compute job list --json']
  static flags = {...providerFlag, ...networkFlag, ...signerFlags}

  async exec() {
    return withFineTuningSession(this.flags, this.secretPrompt(), async ({network, target, url, signer}) => {
      const {listTasks} = await import('../../../core/compute/finetune.js')
      const tasks = await listTasks(url, signer.address)
      return {network: network.name, provider: target, user: signer.address, tasks: tasks.map((t) => ({id: t.id, progress: t.progress, createdAt: t.createdAt, updatedAt: t.updatedAt, model: t.model, dataset: t.datasetHash, fee: t.fee, reason: t.reason ?? null, loss: lossSummary(t)}))}
    })
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
