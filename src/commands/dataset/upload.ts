import {Args, Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {connect, signerFor, txOptions} from '../../cli/chain.js'
import {jsonStreamFlag, networkFlag, signerFlags, txFlags, fileUploadFlags} from '../../cli/flags.js'
import type {DatasetUploadResult} from '../../core/storage/dataset.js'
import type {Reporter} from '../../core/progress.js'
import {teeWarnings} from '../../core/storage/util.js'
import {bytes, keyValue} from '../../ui/format.js'

export default class DatasetUpload extends ZgCommand<typeof DatasetUpload> {
  static summary = 'Upload a file or a directory as a dataset'
  static description = `Every file is hashed (sha256, and row counts for jsonl/csv), uploaded to 0G Storage, and described in a manifest (schema zg-dataset v1: relative path, size, sha256, 0G root, format, rows) that is uploaded last: the manifest's root names the dataset. Symlinks are skipped. Uploads are resumable and never pay twice; running the command again on the same tree pays nothing.`
  static examples = [
    '<%= config.bin %> dataset upload ./my-dataset --account dev0',
    '<%= config.bin %> dataset upload ./train.jsonl --name train-v2 --json',
  ]
  static args = {path: Args.string({description: 'File or directory', required: true})}
  static flags = {
    name: Flags.string({description: 'Dataset name (default: the file or directory name)', env: 'ZG_DATASET_NAME'}),
    ...fileUploadFlags,
    ...networkFlag,
    ...signerFlags,
    ...txFlags,
    ...jsonStreamFlag,
  }
  static steps = [
    {id: 'scan', title: 'Scan files'},
    {id: 'upload', title: 'Upload files'},
    {id: 'manifest', title: 'Upload manifest'},
  ]

  async exec() {
    const {uploadDataset} = await import('../../core/storage/dataset.js')
    const {network, provider} = await connect(this.flags)
    try {
      const tx = await txOptions(this.flags, network)
      const prompt = this.secretPrompt()
      let signerWallet: Promise<import('ethers').Wallet> | undefined
      const signer = () =>
        (signerWallet ??= signerFor(this.flags, network, prompt).then((s) => {
          for (const w of s.warnings) this.warn(w)
          return s.wallet
        }))
      const r = await this.withProgress((reporter) =>
        uploadDataset(this.args.path, {
          network,
          provider,
          signer,
          reporter: this.progressWithWarnings(reporter),
          signal: this.abort.signal,
          name: this.flags.name,
          timeoutMs: this.flags.timeout * 1000,
          replicas: this.flags.replicas,
          tx,
        }),
      )
      for (const w of r.warnings) this.warn(w)
      return r
    } finally {
      provider.destroy()
    }
  }

  /** Under --json the reporter is silent: its warnings go to the envelope instead. */
  private progressWithWarnings(reporter: Reporter): Reporter {
    return this.mode.json ? teeWarnings(reporter, (m) => this.warn(m)) : reporter
  }

  protected override render(r: DatasetUploadResult) {
    return keyValue([
      ['dataset', r.root],
      ['name', r.name],
      ['files', `${r.fileCount} (${bytes(r.totalSize)})`],
      ['network', r.network],
      ['fee', `${r.fee} wei${r.paidNow ? '' : ' (nothing paid now)'}`],
      ['download', `zg dataset download ${r.root} --out ./${r.name}`],
    ])
  }
}
