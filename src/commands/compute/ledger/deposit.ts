import {Flags} from '@oclif/core'
import {ZgCommand} from '../../../cli/base-command.js'
import {signerFor, txOptions} from '../../../cli/chain.js'
import {computeConnect, parseAmount} from '../../../cli/compute.js'
import {jsonStreamFlag, networkFlag, signerFlags, txFlags} from '../../../cli/flags.js'
import {usageError} from '../../../core/errors.js'
import {keyValue} from '../../../ui/format.js'

export default class ComputeLedgerDeposit extends ZgCommand<typeof ComputeLedgerDeposit> {
  static summary = 'Deposit 0G from your wallet into your compute ledger (the first deposit opens it: at least 3 0G)'
  static examples = ['<%= config.bin %> compute ledger deposit --amount 5 --account dev1', 'ZG_PRIVATE_KEY=… <%= config.bin %> compute ledger deposit --amount 3 --network galileo --json']
  static flags = {
    amount: Flags.string({description: 'Amount in 0G (decimal)', required: true, env: 'ZG_AMOUNT'}),
    ...networkFlag,
    ...signerFlags,
    ...txFlags,
    ...jsonStreamFlag,
  }
  static steps = [{id: 'tx', title: 'Deposit'}]

  async exec() {
    const amount = await parseAmount(this.flags.amount)
    const {provider, refs, network} = await computeConnect(this.flags)
    try {
      const s = await signerFor(this.flags, network, this.secretPrompt())
      for (const w of s.warnings) this.warn(w)
      const {deposit, readLedger, MIN_LEDGER_BALANCE} = await import('../../../core/compute/ledger.js')
      const existing = await readLedger(provider, refs, s.address)
      if (!existing.exists && amount < MIN_LEDGER_BALANCE) {
        throw usageError(`${s.address} has no compute ledger yet: the first deposit opens it and must be at least 3 0G (got ${this.flags.amount}).`, {code: 'MINIMUM_DEPOSIT', suggestions: ['zg compute ledger deposit --amount 3']})
      }
      const opts = await txOptions(this.flags, network)
      const r = await this.withProgress((reporter) => deposit(s.wallet, provider, refs, amount, {...opts, reporter, signal: this.abort.signal, label: 'LedgerManager.depositFund'}))
      const l = await readLedger(provider, refs, s.address)
      const {formatEther} = await import('ethers')
      return {network: network.name, user: s.address, deposited: formatEther(amount), unit: '0G', hash: r.hash, blockNumber: r.blockNumber, available: formatEther(l.available), total: formatEther(l.total)}
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: Awaited<ReturnType<ComputeLedgerDeposit['exec']>>) {
    return keyValue([
      ['deposited', `${d.deposited} 0G`],
      ['available now', `${d.available} 0G`],
      ['tx', d.hash],
    ])
  }
}
