import {Args, Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {connect, signerFor, txOptions} from '../../cli/chain.js'
import {jsonStreamFlag, networkFlag, signerFlags, txFlags, assetOwnerFlag, fileUploadFlags} from '../../cli/flags.js'
import type {PublishResult} from '../../core/registry/publish.js'
import {bytes, keyValue, table} from '../../ui/format.js'
import {formatZg as zg} from '../../core/registry/units.js'

export default class ModelPublish extends ZgCommand<typeof ModelPublish> {
  static summary = 'Publish a model version: upload its files and manifest, register it with its contributors'
  static description = `Reads DIR/zg-model.json (write one with zg model init) and refuses, before uploading anything, a package with a schema error, a bad semantic version, an unknown SPDX license, missing files, contributor shares that do not sum to 10000 bps, a parent that is not in the registry, or a version that is already published; every problem is reported with its JSON path and the fix.

Then every file is hashed (sha256) and uploaded through the storage engine (verified, resumable, never paid twice: files already stored, e.g. unchanged since the last version, cost nothing), the manifest (files with 0G roots, sizes and sha256, parents, contributors) is uploaded, and the version is registered in the AssetRegistry: the first version creates the asset, later ones add versions, earlier versions stay. A maintainer the owner appointed (zg model maintainer add) publishes a new version of the owner's model with --owner OWNER; a signer that is not one is refused (exit 4) before anything is uploaded. --dry-run does every check and shows what would be uploaded, the storage fee still to pay and the gas estimate, without sending anything (it still needs the publishing account, to know whether the asset exists and whether the registry would accept the version).`
  static examples = [
    '<%= config.bin %> model publish ./tiny-llm --account alice',
    '<%= config.bin %> model publish --dry-run',
    '<%= config.bin %> model publish ./tiny-llm --account dev0 --json',
    '<%= config.bin %> model publish ./tiny-llm --owner 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC --account bob',
  ]
  static args = {dir: Args.string({description: 'Package directory (holding zg-model.json), or the zg-model.json file', default: '.'})}
  static flags = {
    'dry-run': Flags.boolean({description: 'Check everything, hash and quote; upload and register nothing', env: 'ZG_DRY_RUN'}),
    ...fileUploadFlags,
    ...assetOwnerFlag,
    ...networkFlag,
    ...signerFlags,
    ...txFlags,
    ...jsonStreamFlag,
  }
  static steps = [
    {id: 'check', title: 'Check package, parents and registry'},
    {id: 'hash', title: 'Hash files'},
    {id: 'upload', title: 'Upload files'},
    {id: 'manifest', title: 'Upload manifest'},
    {id: 'register', title: 'Register version'},
  ]

  async exec() {
    const {loadModelPackage} = await import('../../core/registry/package.js')
    // Local checks first: a broken package fails before any connection.
    loadModelPackage(this.args.dir)
    const {publishModel} = await import('../../core/registry/publish.js')
    const {network, provider} = await connect(this.flags)
    try {
      const {addressOf} = await import('../../core/registry/accounts.js')
      const owner = this.flags.owner ? addressOf(this.flags.owner, {local: network.local, what: '--owner'}) : undefined
      const tx = await txOptions(this.flags, network)
      const prompt = this.secretPrompt()
      const signer = async () => {
        const s = await signerFor(this.flags, network, prompt)
        for (const w of s.warnings) this.warn(w)
        return s.wallet
      }
      const r = await this.withProgress((reporter) =>
        publishModel(this.args.dir, {network, provider, signer, owner, reporter, signal: this.abort.signal, dryRun: this.flags['dry-run'], timeoutMs: this.flags.timeout * 1000, replicas: this.flags.replicas, tx}),
      )
      for (const w of r.warnings) this.warn(w)
      return r
    } finally {
      provider.destroy()
    }
  }

  protected override render(r: PublishResult) {
    const head = keyValue([
      [r.dryRun ? 'would publish' : 'published', `${r.kind} ${r.name}@${r.version}`],
      ['asset', r.assetId ? `${r.assetId}${r.versionIndex !== null ? ` (version #${r.versionIndex})` : ''}` : 'new (id assigned on registration)'],
      ['owner', r.owner],
      ['publisher', r.publisher !== r.owner ? `${r.publisher} (maintainer)` : undefined],
      ['license', r.license],
      ['manifest', r.manifestRoot],
      ['files', `${r.fileCount} (${bytes(r.totalSize)})`],
      ['parents', r.parents.length ? r.parents.map((p) => `${p.name}@${p.version} (${p.kind} ${p.id})`).join(', ') : undefined],
      ['storage fee', r.dryRun ? `${zg(r.storageFeeToPay)} to pay` : `${zg(r.storageFeePaidNow)} paid now`],
      [r.dryRun ? 'gas (estimate)' : 'gas', r.gas !== null ? `${r.gas} (${zg(r.txFee ?? '0')})` : undefined],
      ['tx', r.txHash ?? undefined],
      ['network', r.network],
    ])
    const files = table(r.files, [
      {header: 'FILE', get: (f) => f.path},
      {header: 'SIZE', get: (f) => bytes(f.size)},
      {header: 'ROOT', get: (f) => f.root ?? '(empty)'},
      {header: r.dryRun ? 'TO PAY' : 'PAID NOW', get: (f) => (f.reused ? 'nothing (already stored)' : r.dryRun || f.paidNow ? zg(f.fee) : '0')},
    ])
    const next = r.dryRun ? 'Run again without --dry-run to publish.' : `Download: zg model download ${r.name}@${r.version} --out ./${r.name}`
    return `${head}\n\n${files}\n\n${next}`
  }
}
