import {Args, Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {connect, signerFor, txOptions} from '../../cli/chain.js'
import {jsonStreamFlag, networkFlag, signerFlags, txFlags, yesFlag} from '../../cli/flags.js'
import type {PayResult} from '../../core/registry/lineage.js'
import {formatZg, parseZgAmount} from '../../core/registry/units.js'
import {keyValue, table} from '../../ui/format.js'

export default class ModelPay extends ZgCommand<typeof ModelPay> {
  static summary = 'Pay a model or dataset: the registry splits it among contributors and up the lineage'
  static description = `Sends --amount 0G to AssetRegistry.pay. The payment is split by the latest version: the asset's lineage share (set by its owner) goes to its parents, equally per parent and then by each parent's contributor shares; the rest goes to the asset's own contributors by share. Every wei is credited (rounding remainders go to the first contributor); contributors collect with zg model withdraw.`
  static examples = ['<%= config.bin %> model pay tiny-llm --amount 0.5 --yes', '<%= config.bin %> model pay 3 --amount 1 --account dev8 --yes --json']
  static args = {ref: Args.string({description: 'Asset: id, name or OWNER/name', required: true})}
  static flags = {
    amount: Flags.string({description: 'Amount in 0G (decimal, e.g. 0.5)', required: true, env: 'ZG_AMOUNT'}),
    ...networkFlag,
    ...signerFlags,
    ...txFlags,
    ...yesFlag,
    ...jsonStreamFlag,
  }
  static steps = [{id: 'tx', title: 'Pay'}]

  async exec() {
    const value = parseZgAmount(this.flags.amount)
    const {Registry} = await import('../../core/registry/client.js')
    const {payAsset} = await import('../../core/registry/lineage.js')
    const {parseAssetRef} = await import('../../core/registry/refs.js')
    const ref = parseAssetRef(this.args.ref)
    const {network, provider} = await connect(this.flags)
    try {
      const reg = Registry.for(network, provider)
      const r = await reg.resolveAsset(ref)
      if (ref.version) this.warn(`Payments go to the asset as a whole and are split by its latest version; @${ref.version} is ignored.`)
      const resolved = await reg.resolve({raw: ref.raw, id: r.id})
      const signer = await signerFor(this.flags, network, this.secretPrompt())
      for (const w of signer.warnings) this.warn(w)
      if (!(await this.confirm(`pay ${formatZg(value)} from ${signer.address} to ${r.kind} ${r.name} (asset ${r.id}) on ${network.name}`, this.flags.yes))) return {paid: false}
      const tx = await txOptions(this.flags, network)
      const res = await this.withProgress((reporter) => payAsset(reg, signer.wallet, resolved, value, {...tx, reporter, signal: this.abort.signal}))
      return {paid: true, ...res}
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: {paid: boolean} & Partial<PayResult>) {
    if (!d.paid) return 'cancelled'
    return `${keyValue([
      ['paid', `${formatZg(d.amount!)} to ${d.kind} ${d.name} (asset ${d.assetId})`],
      ['tx', d.txHash],
      ['block', d.blockNumber],
    ])}\n\n${table(d.credited!, [
      {header: 'CREDITED TO', get: (x) => x.account},
      {header: 'AS CONTRIBUTOR OF', get: (x) => (x.sourceAssetId === d.assetId ? `asset ${x.sourceAssetId}` : `asset ${x.sourceAssetId} (parent)`)},
      {header: 'AMOUNT', get: (x) => formatZg(x.amount)},
    ])}`
  }
}
