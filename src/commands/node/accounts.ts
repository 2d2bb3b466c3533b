import {ZgCommand} from '../../cli/base-command.js'
import {rpcCall} from '../../core/jsonrpc.js'
import {DEV_ACCOUNT_COUNT, devWallet} from '../../core/keys/dev-accounts.js'
import {getNetwork} from '../../core/networks.js'
import {table} from '../../ui/format.js'

export default class NodeAccounts extends ZgCommand<typeof NodeAccounts> {
  static summary = 'List the prefunded dev accounts (dev0…dev9) of the local devnet'
  static description = 'Use them on any signing command against the local network with --account devN. Their keys are public (the standard test mnemonic): never use them elsewhere.'
  static examples = ['<%= config.bin %> node accounts', '<%= config.bin %> wallet send --account dev1 --to 0x… --amount 1']

  async exec() {
    const rpcUrl = getNetwork('local').rpcUrl
    const rows: Array<{name: string; address: string; balance?: string}> = []
    for (let i = 0; i < DEV_ACCOUNT_COUNT; i++) rows.push({name: `dev${i}`, address: devWallet(i).address})
    try {
      const {formatEther} = await import('ethers')
      for (const r of rows) r.balance = formatEther(BigInt(await rpcCall<string>(rpcUrl, 'eth_getBalance', [r.address, 'latest'], {retries: 0, timeoutMs: 2000})))
    } catch {
      this.warn('The devnet is not running: balances are not shown (zg node start --detach).')
    }
    return rows
  }

  protected override render(rows: Array<{name: string; address: string; balance?: string}>) {
    return table(rows, [
      {header: 'ACCOUNT', get: (r) => r.name},
      {header: 'ADDRESS', get: (r) => r.address},
      {header: 'BALANCE (0G)', get: (r) => r.balance},
    ])
  }
}
