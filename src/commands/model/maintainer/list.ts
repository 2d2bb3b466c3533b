import {Args} from '@oclif/core'
import {ZgCommand} from '../../../cli/base-command.js'
import {connect} from '../../../cli/chain.js'
import {networkFlag} from '../../../cli/flags.js'
import type {MaintainerList} from '../../../core/registry/maintainers.js'
import {keyValue} from '../../../ui/format.js'

export default class ModelMaintainerList extends ZgCommand<typeof ModelMaintainerList> {
  static summary = 'List the maintainers of a model or dataset (accounts that may publish its versions)'
  static description = 'REF is an asset id (12), a name (tiny-llm) or OWNER/name. The owner publishes too, and is not listed.'
  static examples = ['<%= config.bin %> model maintainer list tiny-llm', '<%= config.bin %> model maintainer list 3 --json']
  static args = {ref: Args.string({description: 'Asset: id, name or OWNER/name', required: true})}
  static flags = {...networkFlag}

  async exec(): Promise<MaintainerList> {
    const {Registry} = await import('../../../core/registry/client.js')
    const {maintainedAsset, maintainerList} = await import('../../../core/registry/maintainers.js')
    const {network, provider} = await connect(this.flags)
    try {
      const reg = Registry.for(network, provider)
      return maintainerList(reg, await maintainedAsset(reg, this.args.ref))
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: MaintainerList) {
    return keyValue([
      [d.kind, `${d.name} (asset ${d.assetId})`],
      ['owner', d.owner],
      ['maintainers', d.maintainers.length ? d.maintainers.join(', ') : '(none)'],
    ])
  }
}
