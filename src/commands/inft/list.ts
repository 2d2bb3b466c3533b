import {Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {connect} from '../../cli/chain.js'
import {networkFlag} from '../../cli/flags.js'
import type {TokenSummary} from '../../core/inft/service.js'
import {table} from '../../ui/format.js'

export default class InftList extends ZgCommand<typeof InftList> {
  static summary = 'List the INFTs of the network\'s collection, or those an address owns'
  static examples = ['<%= config.bin %> inft list', '<%= config.bin %> inft list --owner 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --json']
  static flags = {
    owner: Flags.string({description: 'Only tokens this address owns now', env: 'ZG_INFT_OWNER'}),
    ...networkFlag,
  }

  async exec() {
    const {checkedAddress} = await import('../../core/inft/bundle.js')
    const owner = this.flags.owner !== undefined ? checkedAddress(this.flags.owner, '--owner') : undefined
    const {network, provider} = await connect(this.flags)
    try {
      const {inftContext} = await import('../../core/inft/context.js')
      const {listTokens} = await import('../../core/inft/service.js')
      const tokens = await listTokens(inftContext({network, provider}), {owner})
      return {network: network.name, owner: owner ?? null, tokens}
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: {tokens: TokenSummary[]}) {
    return table(d.tokens, [
      {header: 'TOKEN', get: (t) => t.tokenId},
      {header: 'OWNER', get: (t) => t.owner},
      {header: 'AGENT', get: (t) => t.agent},
      {header: 'DATA HASH', get: (t) => t.dataHash},
    ], '(no tokens)')
  }
}
