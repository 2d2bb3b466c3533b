import {Args} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {resolveNetwork} from '../../cli/network.js'
import {networkFlag} from '../../cli/flags.js'
import type {DatasetFile} from '../../core/storage/dataset.js'
import {bytes, keyValue, table} from '../../ui/format.js'

interface DatasetInfoResult {
  root: string
  name: string
  fileCount: number
  totalSize: number
  formats: Record<string, number>
  files: DatasetFile[]
  holders: string[]
}

export default class DatasetInfo extends ZgCommand<typeof DatasetInfo> {
  static summary = 'Show a dataset\'s manifest: files, sizes, formats, rows'
  static description = 'Downloads and verifies the manifest only (not the files). Exits 3 when no node knows the root, 2 when the root is not a dataset manifest.'
  static examples = ['<%= config.bin %> dataset info 0x5e1f…90ab', '<%= config.bin %> dataset info 0x5e1f…90ab --json']
  static args = {root: Args.string({description: 'Dataset (manifest) root', required: true})}
  static flags = {...networkFlag}

  async exec(): Promise<DatasetInfoResult> {
    const {fetchManifest} = await import('../../core/storage/dataset.js')
    const {parseRoot} = await import('../../core/storage/locate.js')
    const root = parseRoot(this.args.root)
    const {manifest, holders} = await fetchManifest(root, {network: resolveNetwork(this.flags), signal: this.abort.signal})
    const formats: Record<string, number> = {}
    for (const f of manifest.files) formats[f.format] = (formats[f.format] ?? 0) + 1
    return {root, name: manifest.name, fileCount: manifest.files.length, totalSize: manifest.totalSize, formats, files: manifest.files, holders}
  }

  protected override render(d: DatasetInfoResult) {
    const head = keyValue([
      ['dataset', d.root],
      ['name', d.name],
      ['files', `${d.fileCount} (${bytes(d.totalSize)})`],
      ['formats', Object.entries(d.formats).map(([k, v]) => `${k} ${v}`).join(', ')],
    ])
    const files = table(d.files, [
      {header: 'PATH', get: (f) => f.path},
      {header: 'SIZE', get: (f) => bytes(f.size)},
      {header: 'FORMAT', get: (f) => f.format},
      {header: 'ROWS', get: (f) => f.rows},
      {header: 'ROOT', get: (f) => f.root},
    ])
    return `${head}\n\n${files}`
  }
}
