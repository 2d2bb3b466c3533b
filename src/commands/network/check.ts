import {Args, Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {getSetting} from '../../core/config.js'
import {getNetwork} from '../../core/networks.js'
import {checkNetwork, type CheckResult} from '../../core/network-check.js'
import {keyValue} from '../../ui/format.js'

export default class NetworkCheck extends ZgCommand<typeof NetworkCheck> {
  static summary = 'Check that a profile\'s RPC, indexer and storage node answer and agree'
  static description = 'Verifies eth_chainId against the profile, reads the latest block and, where configured, the indexer and a storage node (zgs_getStatus chain id and Flow address). Exits 5 when the RPC is unreachable.'
  static examples = ['<%= config.bin %> network check', '<%= config.bin %> network check galileo --json']
  static args = {name: Args.string({description: 'Profile name (default: the current one)'})}
  static flags = {
    timeout: Flags.integer({description: 'Milliseconds per request', default: 10_000, env: 'ZG_CHECK_TIMEOUT'}),
  }

  async exec() {
    const p = getNetwork(this.args.name ?? String(getSetting('network').value))
    const r = await checkNetwork(p, this.flags.timeout)
    if (r.indexer && !r.indexer.ok) this.warn(`indexer ${r.indexer.url}: ${r.indexer.error}`)
    if (r.storageNode && !r.storageNode.ok) this.warn(`storage node ${r.storageNode.url}: ${r.storageNode.error ?? 'chain id or Flow address differs from the profile'}`)
    return r
  }

  protected override render(r: CheckResult) {
    return keyValue([
      ['network', r.network],
      ['rpc', `${r.rpcUrl} (${r.latencyMs} ms)`],
      ['chain id', r.chainId],
      ['latest block', r.latestBlock],
      ['indexer', r.indexer ? `${r.indexer.ok ? 'ok' : 'FAILED'} ${r.indexer.url}${r.indexer.nodes !== undefined ? `, ${r.indexer.nodes} nodes` : ''}` : undefined],
      ['storage node', r.storageNode ? `${r.storageNode.ok ? 'ok' : 'FAILED'} ${r.storageNode.url}${r.storageNode.flowAddress ? `, flow ${r.storageNode.flowAddress}` : ''}` : undefined],
    ])
  }
}
