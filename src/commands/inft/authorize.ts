import {Args, Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {connect, signerFor, txOptions} from '../../cli/chain.js'
import {jsonStreamFlag, networkFlag, signerFlags, txFlags} from '../../cli/flags.js'
import type {AuthorizeResult} from '../../core/inft/service.js'
import {keyValue} from '../../ui/format.js'

export default class InftAuthorize extends ZgCommand<typeof InftAuthorize> {
  static summary = "Authorize a user to use an INFT's agent (the oracle then hands it the data key)"
  static description = 'Owner only. Authorized users can read the agent with `zg inft reveal` (the oracle re-seals the data key for them after checking authorizedUsersOf on chain). Every transfer clears the list.'
  static examples = ['<%= config.bin %> inft authorize 0 --user 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC --account dev1']
  static args = {id: Args.string({description: 'Token id', required: true})}
  static flags = {
    user: Flags.string({description: 'The user address', required: true, env: 'ZG_INFT_USER'}),
    ...networkFlag,
    ...signerFlags,
    ...txFlags,
    ...jsonStreamFlag,
  }
  static steps = [{id: 'authorize', title: 'Authorize the user'}]

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
      const r = await this.withProgress((reporter) => authorizeUser(inftContext({network, provider, reporter, signal: this.abort.signal, tx}), {owner: signer.wallet, tokenId: id, user, revoke: false}))
      return {network: network.name, ...r}
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: AuthorizeResult) {
    return keyValue([
      ['token', d.tokenId],
      ['authorized', d.user],
      ['tx', d.txHash],
      ['authorized users', d.authorizedUsers.length ? d.authorizedUsers.join(', ') : '(none)'],
    ])
  }
}
