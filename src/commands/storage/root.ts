import {Args} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {jsonStreamFlag} from '../../cli/flags.js'
import type {Reporter} from '../../core/progress.js'
import type {FileTree} from '../../core/storage/merkle.js'
import {bytes, keyValue} from '../../ui/format.js'

interface RootResult {
  root: string
  size: number
  chunks: number
  paddedChunks: number
  segments: number
  paddedSegments: number
  nodes: FileTree['nodes']
  /** Above the fragment size (4 GiB) the file is stored as fragments, and `root` is their roots joined by commas. */
  fragments?: {root: string; offset: number; size: number}[]
}

export default class StorageRoot extends ZgCommand<typeof StorageRoot> {
  static summary = 'Compute a file\'s 0G Storage root, offline'
  static description = 'The Merkle root 0G indexes the file by, and its submission nodes, computed locally without any network (the same result zg storage upload submits). Files above 4 GiB are uploaded as 4 GiB fragments, each with its own root: those are listed too.'
  static examples = ['<%= config.bin %> storage root ./data.jsonl', '<%= config.bin %> storage root ./data.jsonl --json']
  static args = {file: Args.string({description: 'File to hash', required: true})}
  static flags = {...jsonStreamFlag}
  static steps = [{id: 'hash', title: 'Hash file'}]

  async exec(): Promise<RootResult> {
    return this.withProgress((reporter) => this.compute(reporter))
  }

  private async compute(reporter: Reporter): Promise<RootResult> {
    const {checkUploadable} = await import('../../core/storage/upload.js')
    const {computeFileTree} = await import('../../core/storage/merkle.js')
    const {splitFragments} = await import('../../core/storage/fragments.js')
    const st = checkUploadable(this.args.file)
    const frags = splitFragments(st.size)
    if (frags.length === 1) {
      const t = await computeFileTree(this.args.file, {signal: this.abort.signal, reporter})
      return {root: t.root, size: t.size, chunks: t.chunks, paddedChunks: t.paddedChunks, segments: t.segments, paddedSegments: t.paddedSegments, nodes: t.nodes}
    }
    const trees: FileTree[] = []
    for (const f of frags) trees.push(await computeFileTree(this.args.file, {signal: this.abort.signal, reporter, offset: f.offset, length: f.size}))
    const sum = (k: 'chunks' | 'paddedChunks' | 'segments' | 'paddedSegments') => trees.reduce((n, t) => n + t[k], 0)
    return {
      root: trees.map((t) => t.root).join(','),
      size: st.size,
      chunks: sum('chunks'),
      paddedChunks: sum('paddedChunks'),
      segments: sum('segments'),
      paddedSegments: sum('paddedSegments'),
      nodes: trees.flatMap((t) => t.nodes),
      fragments: trees.map((t, k) => ({root: t.root, offset: frags[k]!.offset, size: t.size})),
    }
  }

  protected override render(r: RootResult) {
    return keyValue([
      ['root', r.root],
      ['size', `${bytes(r.size)} (${r.size} bytes)`],
      ['chunks', `${r.chunks} (${r.paddedChunks} padded)`],
      ['segments', r.segments],
      ['nodes', r.nodes.map((n) => `h${n.height} ${n.root}`).join('\n' + ' '.repeat(10))],
      ['fragments', r.fragments ? r.fragments.length : undefined],
    ])
  }
}
