import {Args} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {resolveNetwork} from '../../cli/network.js'
import {networkFlag} from '../../cli/flags.js'
import type {StorageInfo} from '../../core/storage/info.js'
import {bytes, keyValue, table} from '../../ui/format.js'

export default class StorageInfoCommand extends ZgCommand<typeof StorageInfoCommand> {
  static summary = 'Show what the storage nodes know about a data root'
  static description = 'Size, transaction sequence, finalization and the nodes holding it (asked directly, plus the indexer), and what this machine recorded if it uploaded it. Exits 3 when no node knows the root.'
  static examples = ['<%= config.bin %> storage info 0x1ad0…ae73', '<%= config.bin %> storage info 0x1ad0…ae73 --network galileo --json']
  static args = {root: Args.string({description: 'Data root (0x + 64 hex digits)', required: true})}
  static flags = {...networkFlag}

  async exec() {
    const {storageInfo} = await import('../../core/storage/info.js')
    const {parseRoot} = await import('../../core/storage/locate.js')
    parseRoot(this.args.root)
    const info = await storageInfo(resolveNetwork(this.flags), this.args.root, {signal: this.abort.signal})
    for (const w of info.warnings) this.warn(w)
    return info
  }

  protected override render(i: StorageInfo) {
    const head = keyValue([
      ['root', i.root],
      ['network', i.network],
      ['size', `${bytes(i.size)} (${i.size} bytes, ${i.segments} segment${i.segments === 1 ? '' : 's'})`],
      ['tx seq', i.txSeq],
      ['finalized', i.finalized],
      ['uploaded from', i.local?.path],
      ['dataset', i.local?.dataset],
      ['paid', i.local?.fee !== undefined ? `${i.local.fee} wei` : undefined],
    ])
    const nodes = table(i.holders, [
      {header: 'NODE', get: (h) => h.url},
      {header: 'SHARD', get: (h) => h.shard},
      {header: 'TX SEQ', get: (h) => h.txSeq},
      {header: 'FINALIZED', get: (h) => h.finalized},
      {header: 'SEGMENTS', get: (h) => h.uploadedSegments},
    ])
    return `${head}\n\n${nodes}`
  }
}
