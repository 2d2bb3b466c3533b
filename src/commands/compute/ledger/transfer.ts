import {Flags} from '@oclif/core'
import {ZgCommand} from '../../../cli/base-command.js'
import {signerFor, txOptions} from '../../../cli/chain.js'
import {asService, computeConnect, parseAmount, providerFlag, serviceFlag} from '../../../cli/compute.js'
import {jsonStreamFlag, networkFlag, signerFlags, txFlags} from '../../../cli/flags.js'
import {keyValue} from '../../../ui/format.js'

export default class ComputeLedgerTransfer extends ZgCommand<typeof ComputeLedgerTransfer> {
  static summary = 'Lock 0G from your ledger for one provider (a new sub-account needs at least 1 0G)'
  static description = 'Moves 0G from the main account into your sub-account with the provider, cancelling pending refunds of that sub-account first. The provider settles its fees from there.'
  static examples = ['<%= config.bin %> compute ledger transfer --provider 0x… --amount 2 --account dev1', '<%= config.bin %> compute ledger transfer --service fine-tuning --amount 1 --account dev1']
  static flags = {
    amount: Flags.string({description: 'Amount in 0G (decimal)', required: true, env: 'ZG_AMOUNT'}),
    ...providerFlag,
    ...serviceFlag,
    ...networkFlag,
    ...signerFlags,
    ...txFlags,
    ...jsonStreamFlag,
  }
  static steps = [{id: 'tx', title: 'Transfer to provider'}]

  async exec() {
    const amount = await parseAmount(this.flags.amount)
    const service = asService(this.flags.service)
    const {provider, refs, network} = await computeConnect(this.flags)
    try {
      const {pickProvider} = await import('../../../core/compute/providers.js')
      const target = await pickProvider(provider, refs, service, this.flags.provider)
      const s = await signerFor(this.flags, network, this.secretPrompt())
      for (const w of s.warnings) this.warn(w)
      const {transfer, readSubAccount} = await import('../../../core/compute/ledger.js')
      const opts = await txOptions(this.flags, network)
      const r = await this.withProgress((reporter) => transfer(s.wallet, provider, refs, service, target, amount, {...opts, reporter, signal: this.abort.signal, label: 'LedgerManager.transferFund'}))
      const sub = await readSubAccount(provider, refs, service, s.address, target)
      const {formatEther} = await import('ethers')
      return {network: network.name, user: s.address, service, provider: target, transferred: formatEther(amount), unit: '0G', hash: r.hash, locked: sub ? formatEther(sub.locked) : '0'}
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: Awaited<ReturnType<ComputeLedgerTransfer['exec']>>) {
    return keyValue([
      ['transferred', `${d.transferred} 0G to ${d.provider} (${d.service})`],
      ['locked with provider', `${d.locked} 0G`],
      ['tx', d.hash],
    ])
  }
}
