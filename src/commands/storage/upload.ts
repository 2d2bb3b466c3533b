import {Args, Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {connect, signerFor, txOptions} from '../../cli/chain.js'
import {jsonStreamFlag, networkFlag, signerFlags, txFlags} from '../../cli/flags.js'
import type {UploadResult} from '../../core/storage/upload.js'
import type {Reporter} from '../../core/progress.js'
import {teeWarnings} from '../../core/storage/util.js'
import {bytes, keyValue} from '../../ui/format.js'

export default class StorageUpload extends ZgCommand<typeof StorageUpload> {
  static summary = 'Upload a file to 0G Storage (resumable, never pays twice)'
  static description = `Hashes the file once, pays the storage fee with one Flow.submit (Σ 2^height × pricePerSector, read on chain), sends the segments to the nodes of their shard with bounded memory and waits until the nodes report the file finalized.

Progress is journaled in the data dir: after Ctrl-C, a timeout (exit 7), a crash or kill -9, running the same command again resumes where it stopped and does not pay again. Data that is already on the network (uploaded by anyone) is not paid for again either. Files above 4 GiB are split into fragments, each with its own root; the printed root is then the comma-separated list that zg storage download takes.`
  static examples = [
    '<%= config.bin %> storage upload ./model.safetensors --account dev0',
    '<%= config.bin %> storage upload data.jsonl --dry-run',
    'ZG_PRIVATE_KEY=… <%= config.bin %> storage upload data.bin --network galileo --json',
  ]
  static args = {file: Args.string({description: 'File to upload', required: true})}
  static flags = {
    'dry-run': Flags.boolean({description: 'Compute root, segments and fee and look for existing copies; send nothing', env: 'ZG_DRY_RUN'}),
    timeout: Flags.integer({description: 'Seconds to wait for the storage nodes (sync, segments, finalization) before exiting with code 7', default: 600, min: 1, env: 'ZG_STORAGE_TIMEOUT'}),
    replicas: Flags.integer({description: 'Copies of every segment to place on distinct nodes', default: 1, min: 1, env: 'ZG_REPLICAS'}),
    'fragment-size': Flags.integer({description: 'Split files larger than this many bytes (rounded up to a power of two; default 4 GiB)', env: 'ZG_FRAGMENT_SIZE', min: 256, hidden: true}),
    'no-finalize': Flags.boolean({description: 'Return once the nodes accepted every segment, without waiting for finalization', env: 'ZG_NO_FINALIZE'}),
    ...networkFlag,
    ...signerFlags,
    ...txFlags,
    ...jsonStreamFlag,
  }
  static steps = [
    {id: 'hash', title: 'Hash file'},
    {id: 'submit', title: 'Submit to Flow'},
    {id: 'upload', title: 'Upload segments'},
    {id: 'finalize', title: 'Wait for finalization'},
  ]

  async exec() {
    const {checkUploadable, uploadFile} = await import('../../core/storage/upload.js')
    checkUploadable(this.args.file)
    const {network, provider} = await connect(this.flags)
    try {
      const tx = await txOptions(this.flags, network)
      const prompt = this.secretPrompt()
      const signer = async () => {
        const s = await signerFor(this.flags, network, prompt)
        for (const w of s.warnings) this.warn(w)
        return s.wallet
      }
      return await this.withProgress((reporter) =>
        uploadFile(this.args.file, {
          network,
          provider,
          signer,
          reporter: this.progressWithWarnings(reporter),
          signal: this.abort.signal,
          dryRun: this.flags['dry-run'],
          timeoutMs: this.flags.timeout * 1000,
          replicas: this.flags.replicas,
          fragmentSize: this.flags['fragment-size'],
          skipFinalize: this.flags['no-finalize'],
          tx,
        }),
      )
    } finally {
      provider.destroy()
    }
  }

  /** Under --json the reporter is silent: its warnings go to the envelope instead. */
  private progressWithWarnings(reporter: Reporter): Reporter {
    return this.mode.json ? teeWarnings(reporter, (m) => this.warn(m)) : reporter
  }

  protected override render(r: UploadResult) {
    const amount = `${formatWei(r.fee)} 0G (${r.fee} wei)`
    let fee: string
    if (r.dryRun) fee = r.reused && r.fee === '0' ? 'nothing: the data is already on chain' : `${amount}${r.reused ? ' (partly on chain already)' : ' would be paid'}`
    else if (r.paidNow) fee = `${amount} paid`
    else fee = r.fee === '0' ? 'nothing: the data was already on chain' : `${amount}, paid by an earlier run (not again)`
    return keyValue([
      ['root', r.root],
      ['size', `${bytes(r.size)} (${r.size} bytes, ${r.segments} segment${r.segments === 1 ? '' : 's'})`],
      ['network', r.network],
      ['fee', fee],
      ['tx seq', r.txSeq ?? undefined],
      ['tx', r.txHash ?? undefined],
      ['fragments', r.fragments.length > 1 ? r.fragments.length : undefined],
      ['finalized', r.dryRun ? undefined : r.finalized],
      ['nodes', r.nodes.join(', ')],
    ])
  }
}

function formatWei(wei: string): string {
  const w = BigInt(wei)
  const whole = w / 10n ** 18n
  const frac = (w % 10n ** 18n).toString().padStart(18, '0').replace(/0+$/, '')
  return frac ? `${whole}.${frac}` : `${whole}`
}
