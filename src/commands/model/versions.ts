import {Args} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {connect} from '../../cli/chain.js'
import {networkFlag} from '../../cli/flags.js'
import {table} from '../../ui/format.js'

export interface VersionItem {
  index: number
  version: string
  manifestRoot: string
  license: string
  contributors: {account: string; shareBps: number}[]
  parents: string[]
  publisher: string
  createdAt: string
  latest: boolean
}

export default class ModelVersions extends ZgCommand<typeof ModelVersions> {
  static summary = 'List every published version of a model or dataset'
  static description = 'Versions are immutable and kept forever: each one has its own manifest, license, contributors and parents. Payments follow the latest.'
  static examples = ['<%= config.bin %> model versions tiny-llm', '<%= config.bin %> model versions 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266/tiny-llm --json']
  static args = {ref: Args.string({description: 'Asset: id, name or OWNER/name', required: true})}
  static flags = {...networkFlag}

  async exec(): Promise<{id: string; kind: string; name: string; owner: string; network: string; versions: VersionItem[]}> {
    const {Registry, isoTime} = await import('../../core/registry/client.js')
    const {parseAssetRef} = await import('../../core/registry/refs.js')
    const {network, provider} = await connect(this.flags)
    try {
      const reg = Registry.for(network, provider)
      const ref = parseAssetRef(this.args.ref)
      if (ref.version) this.warn(`@${ref.version} is ignored: every version is listed.`)
      const asset = await reg.resolveAsset(ref)
      const versions = await reg.versions(asset)
      return {
        id: asset.id.toString(),
        kind: asset.kind,
        name: asset.name,
        owner: asset.owner,
        network: network.name,
        versions: versions.map((v) => ({
          index: v.index,
          version: v.version,
          manifestRoot: v.manifestRoot,
          license: v.license,
          contributors: v.contributors,
          parents: v.parents.map(String),
          publisher: v.publisher,
          createdAt: isoTime(v.createdAt),
          latest: v.index === versions.length - 1,
        })),
      }
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: {kind: string; name: string; id: string; versions: VersionItem[]}) {
    return `${d.kind} ${d.name} (asset ${d.id})\n` +
      table(d.versions, [
        {header: '#', get: (v) => v.index},
        {header: 'VERSION', get: (v) => `${v.version}${v.latest ? ' (latest)' : ''}`},
        {header: 'LICENSE', get: (v) => v.license},
        {header: 'CONTRIBUTORS', get: (v) => v.contributors.length},
        {header: 'PARENTS', get: (v) => v.parents.join(',') || '-'},
        {header: 'PUBLISHED', get: (v) => v.createdAt},
        {header: 'MANIFEST', get: (v) => v.manifestRoot},
      ])
  }
}
