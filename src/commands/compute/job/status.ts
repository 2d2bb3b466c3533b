import {Args} from '@oclif/core'
import {ZgCommand} from '../../../cli/base-command.js'
import {providerFlag} from '../../../cli/compute.js'
import {lossSummary, withFineTuningSession} from '../../../cli/jobs.js'
import {networkFlag, signerFlags} from '../../../cli/flags.js'
import {keyValue} from '../../../ui/format.js'
import {sparkline} from '../../../ui/sparkline.js'

export default class ComputeJobStatus extends ZgCommand<typeof ComputeJobStatus> {
  static summary = 'Show a fine-tuning job: state, loss, fee, deliverable'
  static examples = ['<%= config.bin %> compute job status 5f0c…-… --account dev1', '<%= config.bin %> compute job status 5f0c…-… --json']
  static args = {id: Args.string({description: 'Task id', required: true})}
  static flags = {...providerFlag, ...networkFlag, ...signerFlags}

  async exec() {
    return withFineTuningSession(this.flags, this.secretPrompt(), async ({network, provider, refs, target, url, signer}) => {
      const {getTask, getDeliverable} = await import('../../../core/compute/finetune.js')
      const t = await getTask(url, signer.address, this.args.id)
      let deliverable = null
      if (['Delivered', 'UserAcknowledged', 'Finished'].includes(t.progress) || t.outputRootHash) {
        try {
          const d = await getDeliverable(provider, refs, signer.address, target, t.id)
          deliverable = {root: d.root, acknowledged: d.acknowledged, settled: d.settled, keySealed: d.encryptedSecret !== '0x'}
        } catch {}
      }
      return {network: network.name, provider: target, task: t, loss: lossSummary(t), deliverable}
    })
  }


  protected override render(d: Awaited<ReturnType<ComputeJobStatus['exec']>>) {
    const t = d.task
    return keyValue([
      ['task', t.id],
      ['state', t.progress],
      ['reason', t.reason],
      ['model', t.model],
      ['dataset', t.datasetHash],
      ['steps', t.totalSteps ? `${d.loss.steps}/${t.totalSteps}` : undefined],
      ['loss', d.loss.first !== null ? `${d.loss.first.toFixed(4)} → ${d.loss.last!.toFixed(4)}  ${sparkline(t.losses ?? [], 40)}` : undefined],
      ['fee', `${t.fee} neuron`],
      ['deliverable', d.deliverable ? `${d.deliverable.root} (acknowledged: ${d.deliverable.acknowledged ? 'yes' : 'no'}, settled: ${d.deliverable.settled ? 'yes' : 'no'})` : undefined],
      ['served as', t.adapterName],
      ['updated', t.updatedAt],
    ])
  }
}
