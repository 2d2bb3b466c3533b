import {Args, Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {connect} from '../../cli/chain.js'
import {jsonStreamFlag, networkFlag} from '../../cli/flags.js'
import type {AssetDownloadResult} from '../../core/registry/download.js'
import {bytes, keyValue} from '../../ui/format.js'

export default class ModelDownload extends ZgCommand<typeof ModelDownload> {
  static summary = 'Download a registered model (or dataset) version, every file verified against its manifest'
  static description = `Resolves NAME@VERSION in the registry (no version: the latest), downloads the manifest the registry names (verified against its root), checks that it describes that version, then downloads every file: its 0G root is verified segment by segment, then its sha256 against the manifest. A file that fails is removed and the command fails (exit 5). Paths that would leave the output directory are refused; existing files are kept unless --force.`
  static examples = ['<%= config.bin %> model download tiny-llm@1.0.0 --out ./tiny-llm', '<%= config.bin %> model download 3 --out ./m --force --json']
  static args = {ref: Args.string({description: 'Asset: NAME@VERSION, id or OWNER/name (no version: the latest)', required: true})}
  static flags = {
    out: Flags.string({char: 'o', description: 'Directory to write the files into (created if needed)', required: true, env: 'ZG_OUT'}),
    force: Flags.boolean({char: 'f', description: 'Replace files that already exist', env: 'ZG_FORCE'}),
    ...networkFlag,
    ...jsonStreamFlag,
  }
  static steps = [
    {id: 'resolve', title: 'Resolve in the registry'},
    {id: 'manifest', title: 'Read manifest'},
    {id: 'download', title: 'Download and verify files'},
  ]

  async exec() {
    const {Registry} = await import('../../core/registry/client.js')
    const {downloadAsset} = await import('../../core/registry/download.js')
    const {parseAssetRef} = await import('../../core/registry/refs.js')
    const ref = parseAssetRef(this.args.ref)
    const {network, provider} = await connect(this.flags)
    try {
      const reg = Registry.for(network, provider)
      return await this.withProgress(async (reporter) => {
        reporter.emit({step: 'resolve', status: 'started', message: ref.raw})
        const r = await reg.resolve(ref)
        reporter.emit({step: 'resolve', status: 'done', message: `${r.asset.kind} ${r.asset.name}@${r.version.version} (asset ${r.asset.id})`})
        return downloadAsset(r, this.flags.out, {network, reporter, signal: this.abort.signal, force: this.flags.force})
      })
    } finally {
      provider.destroy()
    }
  }

  protected override render(r: AssetDownloadResult) {
    return keyValue([
      [r.kind, `${r.name}@${r.version} (asset ${r.assetId})`],
      ['saved', r.out],
      ['files', `${r.fileCount} (${bytes(r.totalSize)}), each verified: 0G root and sha256`],
      ['license', r.license],
    ])
  }
}
