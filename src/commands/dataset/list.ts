import {ZgCommand} from '../../cli/base-command.js'
import type {DatasetListItem} from '../../core/storage/dataset.js'
import {bytes, table} from '../../ui/format.js'

export default class DatasetList extends ZgCommand<typeof DatasetList> {
  static summary = 'List the datasets this machine uploaded'
  static description = 'Read from the local upload journal (no network): root, name, files, size, networks and whether the upload finished.'
  static examples = ['<%= config.bin %> dataset list', '<%= config.bin %> dataset list --json']

  async exec() {
    const {listDatasets} = await import('../../core/storage/dataset.js')
    return listDatasets()
  }

  protected override render(rows: DatasetListItem[]) {
    return table(
      rows,
      [
        {header: 'ROOT', get: (r) => r.root},
        {header: 'NAME', get: (r) => r.name},
        {header: 'FILES', get: (r) => r.files},
        {header: 'SIZE', get: (r) => bytes(r.totalSize)},
        {header: 'NETWORK', get: (r) => r.networks.join(',')},
        {header: 'FINALIZED', get: (r) => r.finalized},
      ],
      'No datasets uploaded from this machine yet (zg dataset upload PATH).',
    )
  }
}
