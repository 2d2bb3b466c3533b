import {Args, Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {connect, signerFor, txOptions} from '../../cli/chain.js'
import {jsonStreamFlag, networkFlag, signerFlags, txFlags, yesFlag} from '../../cli/flags.js'
import type {SweepResult} from '../../core/inft/service.js'
import {table} from '../../ui/format.js'

export default class InftSweep extends ZgCommand<typeof InftSweep> {
  static summary = 'Move an INFT agent wallet\'s native balance to the owner (or --to)'
  static description = 'Owner only. Decrypts the agent key and sends the whole balance of the agent address, gas paid from it, to --to (default: you). --previous also sweeps the keys the agent had before its rotations.'
  static examples = ['<%= config.bin %> inft sweep 0 --account bob --yes', '<%= config.bin %> inft sweep 0 --account bob --previous --to 0x… --yes --json']
  static args = {id: Args.string({description: 'Token id', required: true})}
  static flags = {
    to: Flags.string({description: 'Where the funds go (default: the owner)', env: 'ZG_INFT_SWEEP_TO'}),
    previous: Flags.boolean({description: 'Also sweep the agent\'s retired keys', env: 'ZG_INFT_SWEEP_PREVIOUS'}),
    ...networkFlag,
    ...signerFlags,
    ...txFlags,
    ...yesFlag,
    ...jsonStreamFlag,
  }
  static steps = [
    {id: 'locate', title: 'Locate the ciphertext'},
    {id: 'download', title: 'Download from 0G Storage'},
    {id: 'keys', title: 'Open your sealed data key'},
    {id: 'sweep', title: 'Sweep the agent wallet'},
  ]

  async exec() {
    const {parseTokenId} = await import('../../core/inft/contract.js')
    const {checkedAddress} = await import('../../core/inft/bundle.js')
    const id = parseTokenId(this.args.id)
    const to = this.flags.to !== undefined ? checkedAddress(this.flags.to, '--to') : undefined
    const {network, provider} = await connect(this.flags)
    try {
      const signer = await signerFor(this.flags, network, this.secretPrompt())
      for (const w of signer.warnings) this.warn(w)
      const tx = await txOptions(this.flags, network)
      if (!(await this.confirm(`sweep the agent wallet of token ${id} to ${to ?? signer.address} on ${network.name}`, this.flags.yes))) return {swept: false}
      const {inftContext} = await import('../../core/inft/context.js')
      const {sweepAgent} = await import('../../core/inft/service.js')
      const r = await this.withProgress((reporter) => sweepAgent(inftContext({network, provider, reporter, signal: this.abort.signal, tx}), {owner: signer.wallet, tokenId: id, to, previous: this.flags.previous}))
      return {swept: true, network: network.name, ...r}
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: Partial<SweepResult> & {swept: boolean}) {
    if (!d.swept) return 'cancelled'
    return table(d.sweeps ?? [], [
      {header: 'FROM', get: (s) => s.from},
      {header: 'TO', get: (s) => s.to},
      {header: 'AMOUNT (wei)', get: (s) => s.amount},
      {header: 'TX', get: (s) => s.txHash ?? '(nothing to move)'},
    ], '(nothing to sweep)')
  }
}
