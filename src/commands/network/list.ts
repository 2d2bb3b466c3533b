import {ZgCommand} from '../../cli/base-command.js'
import {getSetting} from '../../core/config.js'
import {listNetworks} from '../../core/networks.js'
import {table} from '../../ui/format.js'

export default class NetworkList extends ZgCommand<typeof NetworkList> {
  static summary = 'List network profiles'
  static examples = ['<%= config.bin %> network list', '<%= config.bin %> network list --json']

  async exec() {
    const current = String(getSetting('network').value)
    return listNetworks().map((n) => ({...n, current: n.name === current}))
  }

  protected override render(rows: Awaited<ReturnType<NetworkList['exec']>>) {
    return table(rows, [
      {header: '', get: (n) => (n.current ? '*' : ' ')},
      {header: 'NAME', get: (n) => n.name},
      {header: 'CHAIN', get: (n) => n.chainId},
      {header: 'RPC', get: (n) => n.rpcUrl},
      {header: 'INDEXER', get: (n) => n.indexerUrl},
      {header: 'KIND', get: (n) => (n.local ? 'devnet' : n.builtin ? 'built-in' : 'custom')},
    ])
  }
}
