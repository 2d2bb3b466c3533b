import {Args} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {connect, signerFor} from '../../cli/chain.js'
import {networkFlag, signerFlags} from '../../cli/flags.js'
import {usageError} from '../../core/errors.js'
import {devAccountIndex, devWallet} from '../../core/keys/dev-accounts.js'
import {Keystore} from '../../core/keys/keystore.js'

export default class WalletBalance extends ZgCommand<typeof WalletBalance> {
  static summary = 'Show the 0G balance of an address or account'
  static examples = ['<%= config.bin %> wallet balance 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', '<%= config.bin %> wallet balance alice --network galileo', '<%= config.bin %> wallet balance --account dev1 --json']
  static args = {who: Args.string({description: 'Address or account name (default: the signing account)'})}
  static flags = {...networkFlag, ...signerFlags}

  async exec() {
    const {network, provider} = await connect(this.flags)
    try {
      const address = await this.address(network)
      const {formatEther} = await import('ethers')
      const wei = await provider.getBalance(address)
      return {network: network.name, address, wei: wei.toString(), balance: formatEther(wei)}
    } finally {
      provider.destroy()
    }
  }

  private async address(network: {local: boolean} & Parameters<typeof signerFor>[1]): Promise<string> {
    const who = this.args.who
    const {isAddress, getAddress} = await import('ethers')
    if (who && isAddress(who)) return getAddress(who)
    if (who) {
      const dev = devAccountIndex(who)
      if (dev !== undefined) {
        if (!network.local) throw usageError('dev0…dev9 exist only on the local devnet.')
        return devWallet(dev).address
      }
      const e = Keystore.fromEnv().get(who)
      if (e.address) return e.address
    }
    return (await signerFor({...this.flags, account: who ?? this.flags.account}, network, this.secretPrompt())).address
  }

  protected override render(d: {address: string; balance: string; network: string}) {
    return `${d.balance} 0G  (${d.address} on ${d.network})`
  }
}
