import {Args} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {getSetting} from '../../core/config.js'
import {getNetwork, type NetworkProfile} from '../../core/networks.js'
import {keyValue} from '../../ui/format.js'

export default class NetworkShow extends ZgCommand<typeof NetworkShow> {
  static summary = 'Show a network profile: RPC, indexer, contract addresses'
  static description = 'For `local`, contract addresses come from the running (or last started) devnet.'
  static examples = ['<%= config.bin %> network show', '<%= config.bin %> network show galileo --json']
  static args = {name: Args.string({description: 'Profile name (default: the current one)'})}

  async exec() {
    return getNetwork(this.args.name ?? String(getSetting('network').value))
  }

  protected override render(n: NetworkProfile) {
    return keyValue([
      ['name', n.name],
      ['chain id', n.chainId],
      ['rpc', n.rpcUrl],
      ['indexer', n.indexerUrl],
      ['storage nodes', n.storageNodes?.join(', ')],
      ['oracle', n.oracleUrl],
      ['explorer', n.explorer],
      ['faucet', n.faucet],
      ...Object.entries(n.contracts).map(([k, v]): [string, unknown] => [`contract ${k}`, v]),
    ])
  }
}
