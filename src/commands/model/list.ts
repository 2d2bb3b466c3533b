import {Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {connect} from '../../cli/chain.js'
import {networkFlag} from '../../cli/flags.js'
import {formatZg} from '../../core/registry/units.js'
import {table} from '../../ui/format.js'

export interface ListItem {
  id: string
  kind: string
  name: string
  owner: string
  latestVersion: string
  versions: number
  license: string
  contributors: number
  parents: string[]
  totalPaid: string
  deprecated: boolean
  createdAt: string
}

export default class ModelList extends ZgCommand<typeof ModelList> {
  static summary = 'List registered models (or datasets) from the registry'
  static description = 'Reads the AssetRegistry of the network: every asset with its latest version, license, contributors and what it was paid. No indexer or backend is involved.'
  static examples = ['<%= config.bin %> model list', '<%= config.bin %> model list --owner alice --json', '<%= config.bin %> model list --kind all --name tiny-llm']
  static flags = {
    owner: Flags.string({description: 'Only assets of this owner (0x address, keystore account or devN)', env: 'ZG_OWNER'}),
    name: Flags.string({description: 'Only assets whose name contains this text (case-insensitive)', env: 'ZG_NAME'}),
    kind: Flags.string({description: 'Which assets', options: ['model', 'dataset', 'all'], default: 'model', env: 'ZG_ASSET_KIND'}),
    ...networkFlag,
  }

  async exec(): Promise<{network: string; registry: string; assets: ListItem[]}> {
    const {Registry, isoTime, mapLimit} = await import('../../core/registry/client.js')
    const {addressOf} = await import('../../core/registry/accounts.js')
    const {network, provider} = await connect(this.flags)
    try {
      const reg = Registry.for(network, provider)
      const owner = this.flags.owner ? addressOf(this.flags.owner, {local: network.local, what: '--owner'}) : undefined
      const needle = this.flags.name?.toLowerCase()
      const assets = (await reg.list()).filter(
        (a) => (this.flags.kind === 'all' || a.kind === this.flags.kind) && (!owner || a.owner === owner) && (!needle || a.name.toLowerCase().includes(needle)),
      )
      const items = await mapLimit(assets, 8, async (a) => {
        const v = await reg.version(a.id, a.versionCount - 1)
        return {
          id: a.id.toString(),
          kind: a.kind,
          name: a.name,
          owner: a.owner,
          latestVersion: v.version,
          versions: a.versionCount,
          license: v.license,
          contributors: v.contributors.length,
          parents: v.parents.map(String),
          totalPaid: a.totalPaid.toString(),
          deprecated: a.deprecated,
          createdAt: isoTime(a.createdAt),
        }
      })
      return {network: network.name, registry: reg.address, assets: items}
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: {assets: ListItem[]}) {
    return table(
      d.assets,
      [
        {header: 'ID', get: (a) => a.id},
        {header: 'KIND', get: (a) => a.kind},
        {header: 'NAME', get: (a) => `${a.name}${a.deprecated ? ' (deprecated)' : ''}`},
        {header: 'LATEST', get: (a) => a.latestVersion},
        {header: 'VERSIONS', get: (a) => a.versions},
        {header: 'LICENSE', get: (a) => a.license},
        {header: 'PARENTS', get: (a) => a.parents.join(',') || '-'},
        {header: 'PAID', get: (a) => formatZg(a.totalPaid)},
        {header: 'OWNER', get: (a) => a.owner},
      ],
      '(no assets match)',
    )
  }
}
