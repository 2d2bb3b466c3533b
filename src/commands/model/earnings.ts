import {Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {connect, signerFor} from '../../cli/chain.js'
import {networkFlag, signerFlags} from '../../cli/flags.js'
import type {AccountEarnings} from '../../core/registry/lineage.js'
import {formatZg} from '../../core/registry/units.js'
import {keyValue, table} from '../../ui/format.js'

export default class ModelEarnings extends ZgCommand<typeof ModelEarnings> {
  static summary = 'Show what an account earned as a contributor of models and datasets, and can withdraw'
  static description = 'Withdrawable is the registry\'s balance for the account (what zg model withdraw pays out now). The breakdown comes from the registry\'s events: per asset the account contributes to, and per asset that was paid (the asset itself, or a model built on it).'
  static examples = ['<%= config.bin %> model earnings --account alice', '<%= config.bin %> model earnings --address 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --json']
  static flags = {
    address: Flags.string({description: 'Whose earnings (0x address, keystore account or devN); default: the signing account', env: 'ZG_ADDRESS'}),
    ...networkFlag,
    ...signerFlags,
  }

  async exec(): Promise<AccountEarnings> {
    const {Registry} = await import('../../core/registry/client.js')
    const {accountEarnings} = await import('../../core/registry/lineage.js')
    const {addressOf} = await import('../../core/registry/accounts.js')
    const {network, provider} = await connect(this.flags)
    try {
      const reg = Registry.for(network, provider)
      const account = this.flags.address ? addressOf(this.flags.address, {local: network.local, what: '--address'}) : (await signerFor(this.flags, network, this.secretPrompt())).address
      return await accountEarnings(reg, account)
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: AccountEarnings) {
    return `${keyValue([
      ['account', d.account],
      ['withdrawable', formatZg(d.withdrawable)],
      ['credited (all time)', formatZg(d.credited)],
      ['withdrawn', formatZg(d.withdrawn)],
      ['network', d.network],
    ])}\n\n${table(
      d.byAsset,
      [
        {header: 'CONTRIBUTOR OF', get: (x) => `${x.sourceName} (${x.sourceKind} ${x.sourceAssetId})`},
        {header: 'PAID ASSET', get: (x) => (x.paidAssetId === x.sourceAssetId ? 'itself' : `${x.paidName} (${x.paidAssetId})`)},
        {header: 'PAYMENTS', get: (x) => x.payments},
        {header: 'EARNED', get: (x) => formatZg(x.amount)},
      ],
      '(nothing credited yet)',
    )}`
  }
}
