import {Args, Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {addNetwork, type NetworkContracts} from '../../core/networks.js'

const addr = (what: string, env: string) => Flags.string({description: `${what} contract address`, env, helpGroup: 'CONTRACTS'})

export default class NetworkAdd extends ZgCommand<typeof NetworkAdd> {
  static summary = 'Add a custom network profile'
  static examples = [
    '<%= config.bin %> network add my-galileo --rpc https://my-node:8545 --chain-id 16602 --indexer https://indexer-storage-testnet-turbo.0g.ai --flow 0x22E03a6A89B950F1c82ec5e74F8eCa321a105296',
  ]
  static args = {name: Args.string({description: 'Profile name (lowercase, digits, dashes)', required: true})}
  static flags = {
    rpc: Flags.string({description: 'EVM JSON-RPC URL', required: true, env: 'ZG_NETWORK_RPC'}),
    'chain-id': Flags.integer({description: 'Chain id the RPC must report', required: true, env: 'ZG_NETWORK_CHAIN_ID'}),
    indexer: Flags.string({description: 'Storage indexer URL', env: 'ZG_NETWORK_INDEXER'}),
    'storage-node': Flags.string({description: 'Storage node URL (repeatable), used when there is no indexer', multiple: true, env: 'ZG_NETWORK_STORAGE_NODES'}),
    oracle: Flags.string({description: 'INFT re-encryption oracle URL', env: 'ZG_NETWORK_ORACLE'}),
    explorer: Flags.string({description: 'Block explorer URL', env: 'ZG_NETWORK_EXPLORER'}),
    flow: addr('Storage Flow', 'ZG_NETWORK_FLOW'),
    ledger: addr('Compute ledger', 'ZG_NETWORK_LEDGER'),
    inference: addr('Compute inference serving', 'ZG_NETWORK_INFERENCE'),
    'fine-tuning': addr('Compute fine-tuning serving', 'ZG_NETWORK_FINE_TUNING'),
    'agent-nft': addr('INFT (ERC-7857)', 'ZG_NETWORK_AGENT_NFT'),
    registry: addr('Asset registry', 'ZG_NETWORK_REGISTRY'),
    force: Flags.boolean({description: 'Replace an existing custom profile of that name', env: 'ZG_FORCE'}),
  }

  async exec() {
    const f = this.flags
    const contracts: NetworkContracts = {flow: f.flow, ledger: f.ledger, inference: f.inference, fineTuning: f['fine-tuning'], agentNFT: f['agent-nft'], registry: f.registry}
    for (const k of Object.keys(contracts) as Array<keyof NetworkContracts>) if (!contracts[k]) delete contracts[k]
    return addNetwork(
      this.args.name,
      {chainId: f['chain-id'], rpcUrl: f.rpc, indexerUrl: f.indexer, storageNodes: f['storage-node'], oracleUrl: f.oracle, explorer: f.explorer, contracts},
      {force: f.force},
    )
  }

  protected override render(n: {name: string; chainId: number}) {
    return `Added network ${n.name} (chain ${n.chainId}). Check it with: zg network check ${n.name}`
  }
}
