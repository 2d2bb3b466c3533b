import {Args} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {connect} from '../../cli/chain.js'
import {networkFlag} from '../../cli/flags.js'
import type {TokenView} from '../../core/inft/service.js'
import {c, keyValue} from '../../ui/format.js'

export default class InftShow extends ZgCommand<typeof InftShow> {
  static summary = 'Show an INFT: owner, data hashes and descriptions, agent address and balance, authorized users'
  static description = 'Reads only public, on-chain facts; the agent\'s metadata and key are encrypted (see `zg inft reveal`).'
  static examples = ['<%= config.bin %> inft show 0', '<%= config.bin %> inft show 3 --network galileo --json']
  static args = {id: Args.string({description: 'Token id', required: true})}
  static flags = {...networkFlag}

  async exec() {
    const {parseTokenId} = await import('../../core/inft/contract.js')
    const id = parseTokenId(this.args.id)
    const {network, provider} = await connect(this.flags)
    try {
      const {inftContext} = await import('../../core/inft/context.js')
      const {showToken} = await import('../../core/inft/service.js')
      return {network: network.name, ...(await showToken(inftContext({network, provider}), id))}
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: TokenView & {network: string}) {
    const lines: Array<[string, unknown]> = [
      ['token', d.tokenId],
      ['collection', d.nft],
      ['owner', d.owner],
      ['creator', d.creator],
      ['agent', d.agent],
      ['agent balance', d.agentBalance === null ? null : `${formatWei(d.agentBalance)} 0G`],
      ['authorized', d.authorizedUsers.length ? d.authorizedUsers.join(', ') : c.dim('(none)')],
    ]
    d.datas.forEach((x, i) => {
      lines.push([`data[${i}] hash`, x.dataHash])
      if (x.description) {
        const desc = x.description
        lines.push([`data[${i}]`, `${desc.encryption}, ${desc.storage_ptr.size} bytes, key sealing ${desc.keySealing}${desc.oracle ? `, oracle copy for ${desc.oracle.address}` : ''}`])
      } else lines.push([`data[${i}] description`, x.dataDescription])
    })
    return keyValue(lines)
  }
}

function formatWei(w: string): string {
  const v = BigInt(w)
  const whole = v / 10n ** 18n
  const frac = (v % 10n ** 18n).toString().padStart(18, '0').replace(/0+$/, '')
  return frac ? `${whole}.${frac}` : whole.toString()
}
