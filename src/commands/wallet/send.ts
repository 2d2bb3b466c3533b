import {Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {connect, signerFor, txOptions} from '../../cli/chain.js'
import {jsonStreamFlag, networkFlag, signerFlags, txFlags, yesFlag} from '../../cli/flags.js'
import {usageError} from '../../core/errors.js'
import {keyValue} from '../../ui/format.js'

export default class WalletSend extends ZgCommand<typeof WalletSend> {
  static summary = 'Send 0G to an address'
  static description = 'Simulates first, prints the transaction hash as soon as it is known and waits for the receipt (exit 7 with the hash if it does not come in time).'
  static examples = ['<%= config.bin %> wallet send --account dev0 --to 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --amount 1.5 --yes', 'ZG_PRIVATE_KEY=… <%= config.bin %> wallet send --network galileo --to 0x… --amount 0.01 --yes --json']
  static flags = {
    to: Flags.string({description: 'Recipient address', required: true, env: 'ZG_TO'}),
    amount: Flags.string({description: 'Amount in 0G (decimal, e.g. 0.5)', required: true, env: 'ZG_AMOUNT'}),
    ...networkFlag,
    ...signerFlags,
    ...txFlags,
    ...yesFlag,
    ...jsonStreamFlag,
  }
  static steps = [{id: 'tx', title: 'Send transaction'}]

  async exec() {
    const {isAddress, getAddress, parseEther, formatEther} = await import('ethers')
    if (!isAddress(this.flags.to)) throw usageError(`--to is not an address: ${this.flags.to}`)
    let value: bigint
    try {
      value = parseEther(this.flags.amount)
    } catch {
      throw usageError(`--amount must be a decimal number of 0G, got "${this.flags.amount}"`)
    }
    if (value <= 0n) throw usageError('--amount must be greater than zero')
    const {network, provider} = await connect(this.flags)
    try {
      const signer = await signerFor(this.flags, network, this.secretPrompt())
      for (const w of signer.warnings) this.warn(w)
      const to = getAddress(this.flags.to)
      if (!(await this.confirm(`send ${formatEther(value)} 0G from ${signer.address} to ${to} on ${network.name}`, this.flags.yes))) return {sent: false}
      const {sendTransaction} = await import('../../core/chain/send.js')
      const opts = await txOptions(this.flags, network)
      const r = await this.withProgress((reporter) => sendTransaction(signer.wallet, provider, {to, value}, {...opts, reporter, label: 'transfer', signal: this.abort.signal}))
      return {sent: true, network: network.name, from: signer.address, to, amount: formatEther(value), hash: r.hash, blockNumber: r.blockNumber, fee: r.fee.toString()}
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: {sent: boolean; hash?: string; amount?: string; to?: string; blockNumber?: number}) {
    if (!d.sent) return 'cancelled'
    return keyValue([
      ['sent', `${d.amount} 0G to ${d.to}`],
      ['tx', d.hash],
      ['block', d.blockNumber],
    ])
  }
}
