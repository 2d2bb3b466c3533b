import {Args, Flags} from '@oclif/core'
import {ZgCommand} from './base-command.js'
import {connect, signerFor, txOptions} from './chain.js'
import {jsonStreamFlag, networkFlag, signerFlags, txFlags} from './flags.js'
import type {MaintainerChange} from '../core/registry/maintainers.js'
import {formatZg} from '../core/registry/units.js'
import {keyValue} from '../ui/format.js'

/** `zg model maintainer add` and `zg model maintainer remove`: one owner-signed call with a flag between them. */
export abstract class ModelMaintainerCommand extends ZgCommand<typeof ModelMaintainerCommand> {
  protected abstract readonly enable: boolean

  static args = {ref: Args.string({description: 'Asset: id, name or OWNER/name (a bare name you own is yours)', required: true})}
  static flags = {
    address: Flags.string({description: 'The maintainer: 0x address, keystore account or devN', required: true, env: 'ZG_MAINTAINER'}),
    ...networkFlag,
    ...signerFlags,
    ...txFlags,
    ...jsonStreamFlag,
  }

  async exec(): Promise<MaintainerChange> {
    const {Registry} = await import('../core/registry/client.js')
    const {addressOf} = await import('../core/registry/accounts.js')
    const {maintainedAsset, setMaintainer} = await import('../core/registry/maintainers.js')
    const {network, provider} = await connect(this.flags)
    try {
      const account = addressOf(this.flags.address, {local: network.local, what: '--address'})
      const reg = Registry.for(network, provider)
      const signer = await signerFor(this.flags, network, this.secretPrompt())
      for (const w of signer.warnings) this.warn(w)
      const asset = await maintainedAsset(reg, this.args.ref, signer.address)
      const tx = await txOptions(this.flags, network)
      const r = await this.withProgress((reporter) => setMaintainer(reg, signer.wallet, asset, account, this.enable, {...tx, reporter, signal: this.abort.signal}))
      if (!r.changed) this.warn(`${account} ${this.enable ? 'already is' : 'is not'} a maintainer of asset ${r.assetId}; nothing was sent.`)
      return r
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: MaintainerChange) {
    return keyValue([
      [d.kind, `${d.name} (asset ${d.assetId})`],
      ['owner', d.owner],
      [this.enable ? 'appointed' : 'removed', d.changed ? d.account : undefined],
      ['tx', d.txHash ?? undefined],
      ['gas paid', d.changed ? formatZg(d.fee) : undefined],
      ['maintainers', d.maintainers.length ? d.maintainers.join(', ') : '(none)'],
    ])
  }
}
