import fs from 'node:fs'
import path from 'node:path'
import {Flags} from '@oclif/core'
import {ZgCommand} from '../../../cli/base-command.js'
import {signerFor} from '../../../cli/chain.js'
import {signerFlags} from '../../../cli/flags.js'
import {operatorDir, operatorDirFlag} from '../../../cli/operator.js'
import {usageError} from '../../../core/errors.js'
import {getNetwork} from '../../../core/networks.js'
import {OPERATOR_META, configPath, renderNodeConfig, validateShard, type OperatorMeta} from '../../../core/operator/config.js'
import {keyValue} from '../../../ui/format.js'

export default class OperatorInit extends ZgCommand<typeof OperatorInit> {
  static summary = 'Generate a storage node config for galileo or mainnet from the network\'s contract addresses'
  static description = 'Writes config.toml (0G\'s zgs_node format) into the node folder. The miner key comes from a zg account and is NOT written into the config: `zg node operator start` injects it at start-up from the encrypted keystore. --unsafe writes it into config.toml (mode 0600) for setups that start zgs_node themselves.'
  static examples = [
    '<%= config.bin %> node operator init --network galileo --account miner --enr-address 203.0.113.7',
    '<%= config.bin %> node operator init --network mainnet --account miner --shard 0/2 --dir /srv/zgs',
  ]
  static flags = {
    network: Flags.string({char: 'n', description: 'galileo or mainnet (or a custom profile with flow/mine/reward addresses)', default: 'galileo', env: 'ZG_NETWORK'}),
    ...operatorDirFlag,
    ...signerFlags,
    'rpc-listen': Flags.string({description: 'Address the node\'s public RPC binds to', default: '0.0.0.0:5678', env: 'ZG_OPERATOR_RPC_LISTEN'}),
    shard: Flags.string({description: 'Shard position <id>/<count>, e.g. 0/2 (default: all data)', env: 'ZG_OPERATOR_SHARD'}),
    'enr-address': Flags.string({description: 'Public IP announced to peers', env: 'ZG_OPERATOR_ENR_ADDRESS'}),
    'boot-node': Flags.string({description: 'Bootstrap node multiaddr (repeatable)', multiple: true, env: 'ZG_OPERATOR_BOOT_NODES'}),
    'start-block': Flags.integer({description: 'Block to start syncing Flow logs from (the Flow deployment block)', default: 0, min: 0, env: 'ZG_OPERATOR_START_BLOCK'}),
    unsafe: Flags.boolean({description: 'Write the miner key in plain text into config.toml (mode 0600)', env: 'ZG_OPERATOR_UNSAFE'}),
    force: Flags.boolean({description: 'Overwrite an existing config', env: 'ZG_FORCE'}),
  }

  async exec() {
    const f = this.flags
    const network = getNetwork(f.network)
    if (network.local) throw usageError('Operator mode is for real networks; the local devnet runs its own storage nodes (zg node start).')
    const dir = operatorDir(f)
    if (fs.existsSync(configPath(dir)) && !f.force) throw usageError(`${configPath(dir)} already exists.`, {code: 'CONFIG_EXISTS', suggestions: ['Pass --force to overwrite it, or --dir for another node']})
    const signer = await signerFor(f, network, this.secretPrompt())
    if (!signer.account && !f.unsafe) {
      throw usageError('The miner key must come from a zg account (--account NAME) so it can stay encrypted; a raw key source only works with --unsafe.', {suggestions: ['Import it first: zg wallet import miner --private-key-file KEY', 'Or accept a plain-text key in config.toml: --unsafe']})
    }
    const text = renderNodeConfig({
      network,
      dir,
      rpcListen: f['rpc-listen'],
      shardPosition: validateShard(f.shard),
      enrAddress: f['enr-address'],
      bootNodes: f['boot-node'],
      logSyncStartBlock: f['start-block'],
      minerKey: f.unsafe ? signer.wallet.privateKey : undefined,
    })
    fs.mkdirSync(dir, {recursive: true, mode: 0o700})
    fs.writeFileSync(configPath(dir), text, {mode: 0o600})
    fs.chmodSync(configPath(dir), 0o600)
    const meta: OperatorMeta = {network: network.name, account: signer.account, rpcListen: f['rpc-listen'], keyInConfig: Boolean(f.unsafe), createdAt: new Date().toISOString()}
    fs.writeFileSync(path.join(dir, OPERATOR_META), JSON.stringify(meta, null, 2) + '\n')
    if (f.unsafe) this.warn('The miner key is written in plain text in config.toml (mode 0600). Keep that folder private.')
    return {dir, config: configPath(dir), network: network.name, miner: signer.address, account: signer.account ?? null, keyInConfig: meta.keyInConfig, flow: network.contracts.flow}
  }

  protected override render(d: {dir: string; config: string; miner: string; network: string}) {
    return keyValue([
      ['config', d.config],
      ['network', d.network],
      ['miner', d.miner],
      ['next', `zg node operator start --dir ${d.dir} --binary /path/to/zgs_node`],
    ])
  }
}
