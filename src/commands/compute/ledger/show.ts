import {Args} from '@oclif/core'
import {ZgCommand} from '../../../cli/base-command.js'
import {signerFor} from '../../../cli/chain.js'
import {computeConnect} from '../../../cli/compute.js'
import {networkFlag, signerFlags} from '../../../cli/flags.js'
import {usageError} from '../../../core/errors.js'
import {c, keyValue, table} from '../../../ui/format.js'

interface Row {
  service: string
  provider: string
  balance: string
  locked: string
  pendingRefund: string
  acknowledged: boolean
  refunds: Array<{amount: string; unlocksAt: string; unlocked: boolean}>
}

export default class ComputeLedgerShow extends ZgCommand<typeof ComputeLedgerShow> {
  static summary = 'Show your compute ledger: available, locked per provider, pending refunds and when they unlock'
  static description =
    'Amounts in 0G (1 0G = 10^18 neuron). "available" is in your main account and can be moved to a provider or refunded to your wallet; "locked" sits in a sub-account for one provider, which settles its fees from it; "pending refund" was requested back and unlocks after the lock time (then `zg compute ledger retrieve` collects it).'
  static examples = ['<%= config.bin %> compute ledger show --account dev1', '<%= config.bin %> compute ledger show 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --json']
  static args = {address: Args.string({description: 'Whose ledger (default: the signer\'s)'})}
  static flags = {...networkFlag, ...signerFlags}

  async exec() {
    const {provider, refs, network} = await computeConnect(this.flags)
    try {
      const {isAddress, getAddress, formatEther} = await import('ethers')
      let user: string
      if (this.args.address) {
        if (!isAddress(this.args.address)) throw usageError(`Not an address: ${this.args.address}`)
        user = getAddress(this.args.address)
      } else {
        const s = await signerFor(this.flags, network, this.secretPrompt())
        for (const w of s.warnings) this.warn(w)
        user = s.address
      }
      const {readLedger} = await import('../../../core/compute/ledger.js')
      const l = await readLedger(provider, refs, user)
      const rows: Row[] = l.subAccounts.map((s) => ({
        service: s.service,
        provider: s.provider,
        balance: formatEther(s.balance),
        locked: formatEther(s.locked),
        pendingRefund: formatEther(s.pendingRefund),
        acknowledged: s.acknowledged,
        refunds: s.refunds.map((r) => ({amount: formatEther(r.amount), unlocksAt: new Date(r.unlocksAt * 1000).toISOString(), unlocked: r.unlocked})),
      }))
      const lockedTotal = l.subAccounts.reduce((a, s) => a + s.locked, 0n)
      const pendingTotal = l.subAccounts.reduce((a, s) => a + s.pendingRefund, 0n)
      return {
        network: network.name,
        user,
        exists: l.exists,
        unit: '0G',
        available: formatEther(l.available),
        locked: formatEther(lockedTotal),
        pendingRefund: formatEther(pendingTotal),
        total: formatEther(l.total),
        availableNeuron: l.available.toString(),
        totalNeuron: l.total.toString(),
        lockTimeSeconds: l.lockTimes,
        subAccounts: rows,
      }
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: Awaited<ReturnType<ComputeLedgerShow['exec']>>) {
    if (!d.exists) return `${d.user} has no compute ledger on ${d.network}. Open one with at least 3 0G: zg compute ledger deposit --amount 3`
    const head = keyValue([
      ['account', d.user],
      ['available (main account)', `${d.available} 0G`],
      ['locked with providers', `${d.locked} 0G`],
      ['pending refunds', `${d.pendingRefund} 0G`],
      ['total', `${d.total} 0G`],
    ])
    const subs = table(d.subAccounts, [
      {header: 'SERVICE', get: (r) => r.service},
      {header: 'PROVIDER', get: (r) => r.provider},
      {header: 'LOCKED (0G)', get: (r) => r.locked},
      {header: 'PENDING REFUND (0G)', get: (r) => r.pendingRefund},
      {header: 'UNLOCKS', get: (r) => (r.refunds.length ? r.refunds.map((x) => `${x.amount} ${x.unlocked ? c.green('now') : 'at ' + x.unlocksAt}`).join('; ') : '-')},
      {header: 'ACKNOWLEDGED', get: (r) => r.acknowledged},
    ], 'no sub-accounts yet: zg compute ack <provider>')
    return `${head}\n\n${subs}`
  }
}
