import {Args, Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {resolveNetwork} from '../../cli/network.js'
import {jsonStreamFlag, networkFlag} from '../../cli/flags.js'
import type {DatasetDownloadResult} from '../../core/storage/dataset.js'
import type {Reporter} from '../../core/progress.js'
import {teeWarnings} from '../../core/storage/util.js'
import {bytes, keyValue} from '../../ui/format.js'

export default class DatasetDownload extends ZgCommand<typeof DatasetDownload> {
  static summary = 'Download a dataset into a directory, every file verified'
  static description = 'Reads the manifest (itself verified against its root), then downloads every file: its 0G root is checked segment by segment and as a whole, then its sha256 against the manifest. Paths that would leave the output directory are refused before anything is written; existing files are kept unless --force.'
  static examples = ['<%= config.bin %> dataset download 0x5e1f…90ab --out ./data', '<%= config.bin %> dataset download 0x5e1f…90ab --out ./data --force --json']
  static args = {root: Args.string({description: 'Dataset (manifest) root', required: true})}
  static flags = {
    out: Flags.string({char: 'o', description: 'Directory to restore the dataset into (created if needed)', required: true, env: 'ZG_OUT'}),
    force: Flags.boolean({char: 'f', description: 'Replace files that already exist', env: 'ZG_FORCE'}),
    ...networkFlag,
    ...jsonStreamFlag,
  }
  static steps = [
    {id: 'manifest', title: 'Read manifest'},
    {id: 'download', title: 'Download and verify files'},
  ]

  async exec() {
    const {downloadDataset} = await import('../../core/storage/dataset.js')
    const {parseRoot} = await import('../../core/storage/locate.js')
    parseRoot(this.args.root)
    const network = resolveNetwork(this.flags)
    return this.withProgress((reporter) => downloadDataset(this.args.root, this.flags.out, {network, reporter: this.progressWithWarnings(reporter), signal: this.abort.signal, force: this.flags.force}))
  }

  /** Under --json the reporter is silent: its warnings go to the envelope instead. */
  private progressWithWarnings(reporter: Reporter): Reporter {
    return this.mode.json ? teeWarnings(reporter, (m) => this.warn(m)) : reporter
  }

  protected override render(r: DatasetDownloadResult) {
    return keyValue([
      ['dataset', `${r.name} (${r.root})`],
      ['saved', r.out],
      ['files', `${r.fileCount} (${bytes(r.totalSize)}), each verified: 0G root and sha256`],
    ])
  }
}
