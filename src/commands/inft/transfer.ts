import {InftHandoverCommand} from '../../cli/inft-handover.js'

export default class InftTransfer extends InftHandoverCommand {
  static summary = 'Transfer an INFT with its agent: the oracle re-seals the data key for the receiver (iTransferFrom)'
  static description = [
    'Needs the receiver\'s access proof: from a file the receiver wrote with `zg inft request-access` (--access-proof), or signed here when this zg holds the receiver\'s account (--receiver-account, a devnet account, or a keystore account with that address).',
    'zg opens your sealed data key, seals it to the network\'s re-encryption oracle, which checks on chain that you own the token and that the key opens the stored ciphertext, re-seals it to the receiver and signs the ownership proof; then iTransferFrom publishes the receiver\'s sealed key. The receiver can `zg inft reveal` at once; you no longer can. The receiver should then `zg inft rotate` so that the agent key you knew controls nothing.',
  ].join('\n\n')
  static examples = [
    '<%= config.bin %> inft transfer 0 --to 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC --access-proof access-0.json --account alice --yes',
    '<%= config.bin %> inft transfer 0 --to 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC --account dev1 --yes',
  ]
  static steps = [
    {id: 'locate', title: 'Locate the ciphertext'},
    {id: 'download', title: 'Download from 0G Storage'},
    {id: 'keys', title: 'Open your sealed data key'},
    {id: 'oracle', title: 'Oracle re-seal and ownership proof'},
    {id: 'transfer', title: 'iTransferFrom'},
  ]
  // oclif reads args and flags as own properties of the command class (it spreads the class), so restate them.
  static args = InftHandoverCommand.args
  static flags = InftHandoverCommand.flags
  protected readonly clone = false
}
