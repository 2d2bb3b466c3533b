import {Flags} from '@oclif/core'
import {ZgCommand} from '../../../cli/base-command.js'
import {signerFor, txOptions} from '../../../cli/chain.js'
import {computeConnect, parseAmount} from '../../../cli/compute.js'
import {jsonStreamFlag, networkFlag, signerFlags, txFlags} from '../../../cli/flags.js'
import {keyValue} from '../../../ui/format.js'

export default class ComputeLedgerRefund extends ZgCommand<typeof ComputeLedgerRefund> {
  static summary = 'Withdraw available 0G from your compute ledger back to your wallet'
  static description = 'Only the available part of the main account can be withdrawn; what is locked with providers must first come back with `zg compute ledger retrieve`. What stays must be 0 or at least 3 0G.'
  static examples = ['<%= config.bin %> compute ledger refund --amount 1 --account dev1']
  static flags = {
    amount: Flags.string({description: 'Amount in 0G (decimal)', required: true, env: 'ZG_AMOUNT'}),
    ...networkFlag,
    ...signerFlags,
    ...txFlags,
    ...jsonStreamFlag,
  }
  static steps = [{id: 'tx', title: 'Refund'}]

  async exec() {
    const amount = await parseAmount(this.flags.amount)
    const {provider, refs, network} = await computeConnect(this.flags)
    try {
      const s = await signerFor(this.flags, network, this.secretPrompt())
      for (const w of s.warnings) this.warn(w)
      const {refund, readLedger} = await import('../../../core/compute/ledger.js')
      const opts = await txOptions(this.flags, network)
      const r = await this.withProgress((reporter) => refund(s.wallet, provider, refs, amount, {...opts, reporter, signal: this.abort.signal, label: 'LedgerManager.refund'}))
      const l = await readLedger(provider, refs, s.address)
      const {formatEther} = await import('ethers')
      return {network: network.name, user: s.address, refunded: formatEther(amount), unit: '0G', hash: r.hash, available: formatEther(l.available), total: formatEther(l.total), ledgerExists: l.exists}
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: Awaited<ReturnType<ComputeLedgerRefund['exec']>>) {
    return keyValue([
      ['refunded to wallet', `${d.refunded} 0G`],
      ['available now', d.ledgerExists ? `${d.available} 0G` : '(ledger closed)'],
      ['tx', d.hash],
    ])
  }
}
