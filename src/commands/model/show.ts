import {Args} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {connect} from '../../cli/chain.js'
import {networkFlag} from '../../cli/flags.js'
import type {AssetEarnings, LineageNode} from '../../core/registry/lineage.js'
import {formatZg} from '../../core/registry/units.js'
import {c, keyValue, table} from '../../ui/format.js'

export interface ShowData {
  id: string
  kind: string
  name: string
  owner: string
  deprecated: boolean
  createdAt: string
  maintainers: string[]
  lineageBps: number
  versionCount: number
  version: {index: number; version: string; latest: boolean; manifestRoot: string; license: string; publisher: string; createdAt: string; parents: string[]}
  contributors: {account: string; shareBps: number; earned: string | null}[]
  earnings: Omit<AssetEarnings, 'contributors'> | null
  lineage: LineageNode
  network: string
}

export default class ModelShow extends ZgCommand<typeof ModelShow> {
  static summary = 'Show a model or dataset: version, lineage tree, contributors, shares and earnings'
  static description = `REF is an asset id (12), a name (tiny-llm) or OWNER/name, optionally @VERSION (default: the latest). The lineage tree lists the version's parents (datasets it was trained on, models it derives from) and, below them, their latest versions' parents. Earnings come from the registry's events: what was paid to the asset, what its contributors were credited through it (also from payments to models built on it), and what was passed up to its parents.`
  static examples = ['<%= config.bin %> model show tiny-llm', '<%= config.bin %> model show tiny-llm@1.0.0 --json', '<%= config.bin %> model show 3']
  static args = {ref: Args.string({description: 'Asset: id, name or OWNER/name, optionally @VERSION', required: true})}
  static flags = {...networkFlag}

  async exec(): Promise<ShowData> {
    const {Registry, isoTime} = await import('../../core/registry/client.js')
    const {lineageTree, assetEarnings} = await import('../../core/registry/lineage.js')
    const {network, provider} = await connect(this.flags)
    try {
      const reg = Registry.for(network, provider)
      const r = await reg.resolve(this.args.ref)
      const [lineage, earnings] = await Promise.all([
        lineageTree(reg, r),
        assetEarnings(reg, r).catch((e: Error) => {
          this.warn(`Earnings are not shown: the node did not return the registry's events (${e.message}).`)
          return null
        }),
      ])
      const {asset, version} = r
      return {
        id: asset.id.toString(),
        kind: asset.kind,
        name: asset.name,
        owner: asset.owner,
        deprecated: asset.deprecated,
        createdAt: isoTime(asset.createdAt),
        maintainers: asset.maintainers,
        lineageBps: asset.lineageBps,
        versionCount: asset.versionCount,
        version: {
          index: version.index,
          version: version.version,
          latest: version.index === asset.versionCount - 1,
          manifestRoot: version.manifestRoot,
          license: version.license,
          publisher: version.publisher,
          createdAt: isoTime(version.createdAt),
          parents: version.parents.map(String),
        },
        contributors: version.contributors.map((ct) => ({account: ct.account, shareBps: ct.shareBps, earned: earnings?.contributors.find((e) => e.account === ct.account)?.earned ?? null})),
        earnings: earnings ? {totalPaid: earnings.totalPaid, creditedViaThisAsset: earnings.creditedViaThisAsset, passedToParents: earnings.passedToParents, others: earnings.others} : null,
        lineage,
        network: network.name,
      }
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: ShowData) {
    const head = keyValue([
      [d.kind, `${d.name}@${d.version.version}${d.version.latest ? ' (latest)' : ` (latest of ${d.versionCount} is #${d.versionCount - 1})`}`],
      ['asset', `${d.id}, version #${d.version.index} of ${d.versionCount}`],
      ['owner', d.owner],
      ['maintainers', d.maintainers.length ? d.maintainers.join(', ') : undefined],
      ['license', d.version.license],
      ['manifest', d.version.manifestRoot],
      ['published', `${d.version.createdAt} by ${d.version.publisher}`],
      ['deprecated', d.deprecated ? 'yes: no new versions' : undefined],
      ['lineage share', d.version.parents.length ? `${d.lineageBps} bps of every payment go to the parents` : undefined],
      ['paid to it', d.earnings ? formatZg(d.earnings.totalPaid) : 'unknown'],
      ['passed to parents', d.earnings && d.version.parents.length ? formatZg(d.earnings.passedToParents) : undefined],
      ['network', d.network],
    ])
    const contributors = table(d.contributors, [
      {header: 'CONTRIBUTOR', get: (x) => x.account},
      {header: 'SHARE', get: (x) => `${(x.shareBps / 100).toFixed(2)}% (${x.shareBps} bps)`},
      {header: 'EARNED', get: (x) => (x.earned === null ? '?' : formatZg(x.earned))},
    ])
    return [head, '', c.bold('Contributors'), contributors, '', c.bold('Lineage'), renderTree(d.lineage)].join('\n')
  }
}

export function renderTree(root: LineageNode): string {
  const label = (n: LineageNode) => `${n.name}@${n.version} ${c.dim(`(${n.kind} ${n.id})`)}${n.cycle ? c.dim(' (cycle, shown above)') : ''}${n.truncated ? c.dim(' …') : ''}`
  const lines = [label(root)]
  const walk = (n: LineageNode, prefix: string) => {
    n.parents.forEach((p, i) => {
      const last = i === n.parents.length - 1
      lines.push(`${prefix}${last ? '└─ ' : '├─ '}${label(p)}`)
      walk(p, prefix + (last ? '   ' : '│  '))
    })
  }
  walk(root, '')
  if (!root.parents.length) lines.push(c.dim('(no parents)'))
  return lines.join('\n')
}
