import {Args, Flags} from '@oclif/core'
import {ZgCommand} from './base-command.js'
import {connect, signerFor, txOptions} from './chain.js'
import {jsonStreamFlag, networkFlag, signerFlags, txFlags} from './flags.js'
import type {AuthorizeResult} from '../core/inft/service.js'
import {keyValue} from '../ui/format.js'

/** `zg inft authorize` and `zg inft revoke`: one on-chain call with a flag between them. */
export abstract class InftUserAccessCommand extends ZgCommand<typeof InftUserAccessCommand> {
  protected abstract readonly revoke: boolean

  static args = {id: Args.string({description: 'Token id', required: true})}
  static flags = {
    user: Flags.string({description: 'The user address', required: true, env: 'ZG_INFT_USER'}),
    ...networkFlag,
    ...signerFlags,
    ...txFlags,
    ...jsonStreamFlag,
  }

  async exec() {
    const {parseTokenId} = await import('../core/inft/contract.js')
    const {checkedAddress} = await import('../core/inft/bundle.js')
    const id = parseTokenId(this.args.id)
    const user = checkedAddress(this.flags.user, '--user')
    const {network, provider} = await connect(this.flags)
    try {
      const signer = await signerFor(this.flags, network, this.secretPrompt())
      for (const w of signer.warnings) this.warn(w)
      const tx = await txOptions(this.flags, network)
      const {inftContext} = await import('../core/inft/context.js')
      const {authorizeUser} = await import('../core/inft/service.js')
      const r = await this.withProgress((reporter) => authorizeUser(inftContext({network, provider, reporter, signal: this.abort.signal, tx}), {owner: signer.wallet, tokenId: id, user, revoke: this.revoke}))
      return {network: network.name, ...r}
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: AuthorizeResult) {
    return keyValue([
      ['token', d.tokenId],
      [this.revoke ? 'revoked' : 'authorized', d.user],
      ['tx', d.txHash],
      ['authorized users', d.authorizedUsers.length ? d.authorizedUsers.join(', ') : '(none)'],
    ])
  }
}
