import {ZgCommand} from '../../cli/base-command.js'
import {connect, signerFor, txOptions} from '../../cli/chain.js'
import {jsonStreamFlag, networkFlag, signerFlags, txFlags} from '../../cli/flags.js'
import type {WithdrawResult} from '../../core/registry/lineage.js'
import {formatZg} from '../../core/registry/units.js'
import {keyValue} from '../../ui/format.js'

export default class ModelWithdraw extends ZgCommand<typeof ModelWithdraw> {
  static summary = 'Withdraw everything the registry credited to your account'
  static description = 'Pull payment: all earnings credited to the signing account, from every model and dataset it contributes to, are sent to it in one transaction. Exits 3 (NOTHING_TO_WITHDRAW) when there is nothing.'
  static examples = ['<%= config.bin %> model withdraw --account alice', 'ZG_PRIVATE_KEY=… <%= config.bin %> model withdraw --json']
  static flags = {...networkFlag, ...signerFlags, ...txFlags, ...jsonStreamFlag}
  static steps = [{id: 'tx', title: 'Withdraw'}]

  async exec(): Promise<WithdrawResult> {
    const {Registry} = await import('../../core/registry/client.js')
    const {withdrawEarnings} = await import('../../core/registry/lineage.js')
    const {network, provider} = await connect(this.flags)
    try {
      const reg = Registry.for(network, provider)
      const signer = await signerFor(this.flags, network, this.secretPrompt())
      for (const w of signer.warnings) this.warn(w)
      const tx = await txOptions(this.flags, network)
      return await this.withProgress((reporter) => withdrawEarnings(reg, signer.wallet, {...tx, reporter, signal: this.abort.signal}))
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: WithdrawResult) {
    return keyValue([
      ['withdrawn', `${formatZg(d.amount)} to ${d.account}`],
      ['tx', d.txHash],
      ['gas paid', formatZg(d.fee)],
    ])
  }
}
