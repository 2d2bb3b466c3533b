import {Args, Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {connect, signerFor, txOptions} from '../../cli/chain.js'
import {jsonStreamFlag, networkFlag, signerFlags, txFlags} from '../../cli/flags.js'
import type {AuthorizeResult} from '../../core/inft/service.js'
import {keyValue} from '../../ui/format.js'

export default class InftRevoke extends ZgCommand<typeof InftRevoke> {
  static summary = "Revoke a user's authorization to use an INFT's agent"
  static description = 'Owner only. The oracle stops handing the data key to the user; a key it already received cannot be taken back: rotate the agent (`zg inft rotate`) for that.'
  static examples = ['<%= config.bin %> inft revoke 0 --user 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC --account dev1']
  static args = {id: Args.string({description: 'Token id', required: true})}
  static flags = {
    user: Flags.string({description: 'The user address', required: true, env: 'ZG_INFT_USER'}),
    ...networkFlag,
    ...signerFlags,
    ...txFlags,
    ...jsonStreamFlag,
  }
  static steps = [{id: 'revoke', title: 'Revoke the user'}]

  async exec() {
    const {parseTokenId} = await import('../../core/inft/contract.js')
    const {checkedAddress} = await import('../../core/inft/bundle.js')
    const id = parseTokenId(this.args.id)
    const user = checkedAddress(this.flags.user, '--user')
    const {network, provider} = await connect(this.flags)
    try {
      const signer = await signerFor(this.flags, network, this.secretPrompt())
      for (const w of signer.warnings) this.warn(w)
      const tx = await txOptions(this.flags, network)
      const {inftContext} = await import('../../core/inft/context.js')
      const {authorizeUser} = await import('../../core/inft/service.js')
      const r = await this.withProgress((reporter) => authorizeUser(inftContext({network, provider, reporter, signal: this.abort.signal, tx}), {owner: signer.wallet, tokenId: id, user, revoke: true}))
      return {network: network.name, ...r}
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: AuthorizeResult) {
    return keyValue([
      ['token', d.tokenId],
      ['revoked', d.user],
      ['tx', d.txHash],
      ['authorized users', d.authorizedUsers.length ? d.authorizedUsers.join(', ') : '(none)'],
    ])
  }
}
