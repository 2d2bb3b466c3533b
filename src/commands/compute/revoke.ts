import {Args, Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {signerFor, txOptions} from '../../cli/chain.js'
import {computeConnect} from '../../cli/compute.js'
import {jsonStreamFlag, networkFlag, signerFlags, txFlags} from '../../cli/flags.js'
import {usageError} from '../../core/errors.js'
import {keyValue} from '../../ui/format.js'

export default class ComputeRevoke extends ZgCommand<typeof ComputeRevoke> {
  static summary = 'Revoke API keys for a provider on chain: one key id, or all of them'
  static description = '--id revokes one persistent key (0–254); --all bumps the account\'s generation, which invalidates every key made before, ephemeral session keys included. The provider checks the chain on every request.'
  static examples = ['<%= config.bin %> compute revoke --id 0 --account dev1', '<%= config.bin %> compute revoke 0x… --all --account dev1 --json']
  static args = {provider: Args.string({description: 'Provider address (default: the only provider on the network)'})}
  static flags = {
    id: Flags.integer({description: 'Key id to revoke (0–254)', min: 0, max: 254, env: 'ZG_TOKEN_ID', exclusive: ['all']}),
    all: Flags.boolean({description: 'Revoke every key (new generation)', env: 'ZG_REVOKE_ALL', exclusive: ['id']}),
    ...networkFlag,
    ...signerFlags,
    ...txFlags,
    ...jsonStreamFlag,
  }
  static steps = [{id: 'tx', title: 'Revoke'}]

  async exec() {
    if (this.flags.id === undefined && !this.flags.all) throw usageError('Say what to revoke: --id N or --all.')
    const {provider, refs, network} = await computeConnect(this.flags)
    try {
      const {pickProvider} = await import('../../core/compute/providers.js')
      const target = await pickProvider(provider, refs, 'inference', this.args.provider)
      const s = await signerFor(this.flags, network, this.secretPrompt())
      for (const w of s.warnings) this.warn(w)
      const {sendContract} = await import('../../core/chain/send.js')
      const opts = await txOptions(this.flags, network)
      const r = await this.withProgress((reporter) =>
        this.flags.all
          ? sendContract(s.wallet, provider, refs.inference, 'revokeAllTokens', [target], {...opts, reporter, iface: refs.all, signal: this.abort.signal})
          : sendContract(s.wallet, provider, refs.inference, 'revokeToken', [target, this.flags.id], {...opts, reporter, iface: refs.all, signal: this.abort.signal}),
      )
      const {readSubAccount} = await import('../../core/compute/ledger.js')
      const acc = await readSubAccount(provider, refs, 'inference', s.address, target)
      return {network: network.name, provider: target, user: s.address, revoked: this.flags.all ? 'all' : this.flags.id, generation: Number(acc?.generation ?? 0n), hash: r.hash}
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: Awaited<ReturnType<ComputeRevoke['exec']>>) {
    return keyValue([
      ['revoked', d.revoked === 'all' ? `every key (now generation ${d.generation})` : `key id ${d.revoked}`],
      ['provider', d.provider],
      ['tx', d.hash],
    ])
  }
}
