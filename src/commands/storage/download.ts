import {Args, Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {resolveNetwork} from '../../cli/network.js'
import {jsonStreamFlag, networkFlag} from '../../cli/flags.js'
import type {DownloadResult} from '../../core/storage/download.js'
import type {Reporter} from '../../core/progress.js'
import {teeWarnings} from '../../core/storage/util.js'
import {bytes, keyValue} from '../../ui/format.js'

export default class StorageDownload extends ZgCommand<typeof StorageDownload> {
  static summary = 'Download a file from 0G Storage, verified'
  static description = `Every segment is checked against the root with its Merkle proof before it is written, and the whole root and size are checked before the file appears at --out; a node serving bad or no data is skipped for another holder. Data goes to <out>.zgpart first: an interrupted download resumes when run again. An existing file is never replaced without --force. For a file uploaded in fragments, pass the comma-separated roots.`
  static examples = [
    '<%= config.bin %> storage download 0x1ad0…ae73 --out model.bin',
    '<%= config.bin %> storage download 0x1ad0…ae73 --out ./downloads/ --json',
  ]
  static args = {root: Args.string({description: 'Data root (0x + 64 hex digits), or comma-separated fragment roots', required: true})}
  static flags = {
    out: Flags.string({char: 'o', description: 'Output file (or an existing directory: the root becomes the file name)', required: true, env: 'ZG_OUT'}),
    force: Flags.boolean({char: 'f', description: 'Replace an existing output file', env: 'ZG_FORCE'}),
    node: Flags.string({description: 'Ask only this storage node (repeatable); default: the network\'s indexer and nodes', multiple: true, env: 'ZG_STORAGE_NODE'}),
    concurrency: Flags.integer({description: 'Segments fetched at once', default: 8, min: 1, max: 64, env: 'ZG_DOWNLOAD_CONCURRENCY'}),
    ...networkFlag,
    ...jsonStreamFlag,
  }
  static steps = [
    {id: 'locate', title: 'Locate file'},
    {id: 'download', title: 'Download and verify'},
  ]

  async exec() {
    const {downloadFile} = await import('../../core/storage/download.js')
    const {parseRoots} = await import('../../core/storage/locate.js')
    parseRoots(this.args.root)
    const network = resolveNetwork(this.flags)
    return this.withProgress((reporter) =>
      downloadFile(this.args.root, this.flags.out, {
        network,
        reporter: this.progressWithWarnings(reporter),
        signal: this.abort.signal,
        force: this.flags.force,
        nodeUrls: this.flags.node,
        concurrency: this.flags.concurrency,
      }),
    )
  }

  /** Under --json the reporter is silent: its warnings go to the envelope instead. */
  private progressWithWarnings(reporter: Reporter): Reporter {
    return this.mode.json ? teeWarnings(reporter, (m) => this.warn(m)) : reporter
  }

  protected override render(r: DownloadResult) {
    const secs = r.elapsedMs / 1000
    return keyValue([
      ['saved', r.out],
      ['root', r.root],
      ['size', `${bytes(r.size)} (${r.size} bytes)`],
      ['verified', 'every segment proof, the root and the size'],
      ['speed', `${bytes(r.bytesPerSecond)}/s (${secs.toFixed(1)} s)`],
      ['resumed', r.resumedSegments ? `${r.resumedSegments} segment(s) from an earlier run` : undefined],
      ['rejected', r.rejected.length ? `${r.rejected.length} bad answer(s), replaced from other nodes` : undefined],
      ['from', r.holders.join(', ')],
    ])
  }
}
