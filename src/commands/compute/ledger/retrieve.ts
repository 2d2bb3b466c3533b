import {ZgCommand} from '../../../cli/base-command.js'
import {signerFor, txOptions} from '../../../cli/chain.js'
import {asService, computeConnect, providerFlag, serviceFlag} from '../../../cli/compute.js'
import {jsonStreamFlag, networkFlag, signerFlags, txFlags} from '../../../cli/flags.js'
import {keyValue, table} from '../../../ui/format.js'

export default class ComputeLedgerRetrieve extends ZgCommand<typeof ComputeLedgerRetrieve> {
  static summary = 'Bring 0G locked with providers back to your ledger (refunds unlock after the lock time)'
  static description =
    'Collects every refund whose lock time has passed into your main account and requests the rest back; what was requested unlocks after the serving contract\'s lock time (1 day by default): run this again then. Without --provider, retrieves from every provider of the service.'
  static examples = ['<%= config.bin %> compute ledger retrieve --account dev1', '<%= config.bin %> compute ledger retrieve --service fine-tuning --provider 0x… --json']
  static flags = {...providerFlag, ...serviceFlag, ...networkFlag, ...signerFlags, ...txFlags, ...jsonStreamFlag}
  static steps = [{id: 'tx', title: 'Retrieve funds'}]

  async exec() {
    const service = asService(this.flags.service)
    const {provider, refs, network} = await computeConnect(this.flags)
    try {
      const s = await signerFor(this.flags, network, this.secretPrompt())
      for (const w of s.warnings) this.warn(w)
      const {readLedger, retrieve} = await import('../../../core/compute/ledger.js')
      const {getAddress, formatEther} = await import('ethers')
      const before = await readLedger(provider, refs, s.address)
      const providers = this.flags.provider ? [getAddress(this.flags.provider)] : before.subAccounts.filter((x) => x.service === service).map((x) => x.provider)
      const opts = await txOptions(this.flags, network)
      const r = await this.withProgress((reporter) => retrieve(s.wallet, provider, refs, service, providers, {...opts, reporter, signal: this.abort.signal, label: 'LedgerManager.retrieveFund'}))
      const after = await readLedger(provider, refs, s.address)
      const pending = after.subAccounts
        .filter((x) => x.service === service && providers.includes(x.provider))
        .flatMap((x) => x.refunds.map((f) => ({provider: x.provider, amount: formatEther(f.amount), unlocksAt: new Date(f.unlocksAt * 1000).toISOString(), unlocked: f.unlocked})))
      return {network: network.name, user: s.address, service, providers, hash: r.hash, unit: '0G', collected: formatEther(after.available - before.available), available: formatEther(after.available), pending}
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: Awaited<ReturnType<ComputeLedgerRetrieve['exec']>>) {
    return (
      keyValue([
        ['collected now', `${d.collected} 0G`],
        ['available now', `${d.available} 0G`],
        ['tx', d.hash],
      ]) +
      '\n\n' +
      table(d.pending, [
        {header: 'PROVIDER', get: (p) => p.provider},
        {header: 'PENDING (0G)', get: (p) => p.amount},
        {header: 'UNLOCKS AT', get: (p) => (p.unlocked ? 'now: run retrieve again' : p.unlocksAt)},
      ], 'nothing left pending')
    )
  }
}
