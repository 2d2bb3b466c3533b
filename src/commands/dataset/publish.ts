import {Args, Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {connect, signerFor, txOptions} from '../../cli/chain.js'
import {jsonStreamFlag, networkFlag, signerFlags, txFlags, assetOwnerFlag, fileUploadFlags} from '../../cli/flags.js'
import type {DatasetPublishResult} from '../../core/registry/publish.js'
import {formatZg} from '../../core/registry/units.js'
import {bytes, keyValue} from '../../ui/format.js'

export default class DatasetPublish extends ZgCommand<typeof DatasetPublish> {
  static summary = 'Publish a file or directory as a registered dataset version, with contributors and license'
  static description = `Checks the metadata (name, semantic version, SPDX license, contributor shares summing to 10000 bps, parents in the registry) and simulates the registration before anything is uploaded; then uploads the data exactly like zg dataset upload (every file with its sha256 and 0G root, then the zg-dataset manifest; nothing already stored is paid again) and registers the manifest root in the AssetRegistry. The first version creates the asset; publishing the same name again adds a version and keeps the earlier ones. A maintainer the owner appointed (zg model maintainer add) adds versions to the owner's dataset with --owner OWNER; a signer that is not one is refused (exit 4) before anything is uploaded. Download a version with zg model download NAME@VERSION (or zg dataset download ROOT).`
  static examples = [
    '<%= config.bin %> dataset publish ./open-corpus --dataset-version 1.0.0 --license CC-BY-4.0 --account alice',
    '<%= config.bin %> dataset publish ./corpus --name open-corpus --dataset-version 1.1.0 --license CC-BY-4.0 --contributor dev0:6000 --contributor dev1:4000 --json',
    '<%= config.bin %> dataset publish ./corpus --name open-corpus --dataset-version 1.2.0 --license CC-BY-4.0 --contributor dev1:10000 --owner 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --account dev2',
  ]
  static args = {path: Args.string({description: 'File or directory', required: true})}
  static flags = {
    name: Flags.string({description: 'Dataset name, unique among your assets (default: the file or directory name)', env: 'ZG_DATASET_NAME'}),
    'dataset-version': Flags.string({description: 'Semantic version of this release, e.g. 1.0.0', required: true, env: 'ZG_DATASET_VERSION'}),
    license: Flags.string({description: 'SPDX license expression, e.g. CC-BY-4.0', required: true, env: 'ZG_DATASET_LICENSE'}),
    description: Flags.string({description: 'What the dataset is (recorded nowhere on chain; shown in the output)', env: 'ZG_DATASET_DESCRIPTION'}),
    contributor: Flags.string({description: 'ADDRESS_OR_ACCOUNT:BPS[:NAME], shares summing to 10000 (repeatable; default: the owner — --owner, else the signer — 10000)', multiple: true, env: 'ZG_DATASET_CONTRIBUTORS'}),
    'parent-dataset': Flags.string({description: 'Dataset this one derives from: id or name@version (repeatable)', multiple: true, env: 'ZG_DATASET_PARENT_DATASETS'}),
    'parent-model': Flags.string({description: 'Model that produced it: id or name@version (repeatable)', multiple: true, env: 'ZG_DATASET_PARENT_MODELS'}),
    'lineage-share': Flags.integer({description: 'Basis points of every payment passed to the parents (default 1000 with parents)', min: 0, max: 10000, env: 'ZG_DATASET_LINEAGE_SHARE'}),
    ...fileUploadFlags,
    ...assetOwnerFlag,
    ...networkFlag,
    ...signerFlags,
    ...txFlags,
    ...jsonStreamFlag,
  }
  static steps = [
    {id: 'check', title: 'Check metadata, parents and registry'},
    {id: 'scan', title: 'Scan files'},
    {id: 'upload', title: 'Upload files'},
    {id: 'manifest', title: 'Upload manifest'},
    {id: 'register', title: 'Register version'},
  ]

  async exec() {
    const path = await import('node:path')
    const {publishDataset} = await import('../../core/registry/publish.js')
    const {parseContributorSpec} = await import('../../core/registry/accounts.js')
    const {network, provider} = await connect(this.flags)
    try {
      const tx = await txOptions(this.flags, network)
      const signer = await signerFor(this.flags, network, this.secretPrompt())
      for (const w of signer.warnings) this.warn(w)
      const f = this.flags
      const {addressOf} = await import('../../core/registry/accounts.js')
      const owner = f.owner ? addressOf(f.owner, {local: network.local, what: '--owner'}) : undefined
      // Without --contributor the whole share goes to the asset's owner: the signer, or the owner a maintainer
      // publishes for (crediting the maintainer would move the owner's revenue to whoever ran the command).
      const contributors = f.contributor?.length ? f.contributor.map((s) => parseContributorSpec(s, {local: network.local})) : [{address: owner ?? signer.address, shareBps: 10000}]
      const parents = {
        ...(f['parent-dataset']?.length ? {datasets: f['parent-dataset']} : {}),
        ...(f['parent-model']?.length ? {models: f['parent-model']} : {}),
      }
      const meta = {
        name: f.name ?? path.basename(path.resolve(this.args.path)),
        version: f['dataset-version'],
        license: f.license,
        ...(f.description ? {description: f.description} : {}),
        contributors,
        ...(Object.keys(parents).length ? {parents} : {}),
        ...(f['lineage-share'] !== undefined ? {lineageShareBps: f['lineage-share']} : {}),
      }
      const r = await this.withProgress((reporter) =>
        publishDataset(
          this.args.path,
          meta,
          {network, provider, signer: async () => signer.wallet, owner, reporter, signal: this.abort.signal, timeoutMs: f.timeout * 1000, replicas: f.replicas, tx},
          'the dataset metadata (--name, --dataset-version, --license, --contributor, --parent-*)',
        ),
      )
      for (const w of r.warnings) this.warn(w)
      return {...r, ...(f.description ? {description: f.description} : {})}
    } finally {
      provider.destroy()
    }
  }

  protected override render(r: DatasetPublishResult) {
    return keyValue([
      ['published', `dataset ${r.name}@${r.version}`],
      ['asset', `${r.assetId} (version #${r.versionIndex})`],
      ['owner', r.owner],
      ['publisher', r.publisher !== r.owner ? `${r.publisher} (maintainer)` : undefined],
      ['license', r.license],
      ['manifest', r.manifestRoot],
      ['files', `${r.fileCount} (${bytes(r.totalSize)})`],
      ['contributors', r.contributors.map((c) => `${c.address} ${c.shareBps} bps`).join(', ')],
      ['parents', r.parents.length ? r.parents.map((p) => `${p.name}@${p.version} (${p.kind} ${p.id})`).join(', ') : undefined],
      ['storage fee', `${formatZg(r.storageFeePaidNow)} paid now`],
      ['tx', r.txHash ?? undefined],
      ['download', `zg model download ${r.name}@${r.version} --out ./${r.name}`],
    ])
  }
}
