import {Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {computeConnect} from '../../cli/compute.js'
import {networkFlag} from '../../cli/flags.js'
import {c, table} from '../../ui/format.js'

export default class ComputeProviders extends ZgCommand<typeof ComputeProviders> {
  static summary = 'List the compute providers: model, prices, verifiability, acknowledged'
  static description =
    'Reads the serving contracts. Prices are per token, in 0G (1 0G = 10^18 neuron). "acknowledged" means the contract owner vetted the provider\'s TEE signer; the official SDK hides providers without it (shown here, marked).'
  static examples = ['<%= config.bin %> compute providers', '<%= config.bin %> compute providers --type fine-tuning --json']
  static flags = {
    type: Flags.string({description: 'Only this kind of provider', options: ['inference', 'fine-tuning'], env: 'ZG_COMPUTE_TYPE'}),
    ...networkFlag,
  }

  async exec() {
    const {provider, refs, network} = await computeConnect(this.flags)
    try {
      const {listInferenceProviders, listFineTuningProviders} = await import('../../core/compute/providers.js')
      const {formatEther} = await import('ethers')
      const out: Array<Record<string, unknown>> = []
      if (this.flags.type !== 'fine-tuning') {
        for (const p of await listInferenceProviders(provider, refs)) {
          out.push({type: 'inference', provider: p.provider, url: p.url, model: p.model, verifiability: p.verifiability, inputPricePerToken: formatEther(p.inputPrice), outputPricePerToken: formatEther(p.outputPrice), inputPriceNeuron: p.inputPrice.toString(), outputPriceNeuron: p.outputPrice.toString(), teeSigner: p.teeSigner, acknowledged: p.acknowledged, additionalInfo: p.additionalInfo})
        }
      }
      if (this.flags.type !== 'inference') {
        for (const p of await listFineTuningProviders(provider, refs)) {
          out.push({type: 'fine-tuning', provider: p.provider, url: p.url, models: p.models, model: p.models.join(', '), verifiability: 'TeeML', pricePerToken: formatEther(p.pricePerToken), pricePerTokenNeuron: p.pricePerToken.toString(), occupied: p.occupied, teeSigner: p.teeSigner, acknowledged: p.acknowledged, quota: p.quota})
        }
      }
      return {network: network.name, providers: out}
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: {network: string; providers: Array<Record<string, unknown>>}) {
    return table(
      d.providers,
      [
        {header: 'TYPE', get: (p) => String(p.type)},
        {header: 'PROVIDER', get: (p) => String(p.provider)},
        {header: 'MODEL', get: (p) => String(p.model)},
        {header: 'PRICE / TOKEN (0G)', get: (p) => (p.type === 'inference' ? `in ${p.inputPricePerToken} · out ${p.outputPricePerToken}` : `${p.pricePerToken}`)},
        {header: 'VERIFIABILITY', get: (p) => String(p.verifiability)},
        {header: 'ACKNOWLEDGED', get: (p) => (p.acknowledged ? c.green('yes') : c.yellow('no (signer not vetted)'))},
        {header: 'URL', get: (p) => String(p.url)},
      ],
      `no compute providers on ${d.network}`,
    )
  }
}
