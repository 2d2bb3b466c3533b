import {InftHandoverCommand} from '../../cli/inft-handover.js'

export default class InftClone extends InftHandoverCommand {
  static summary = 'Clone an INFT: a new token with the same agent data for a receiver (iCloneFrom)'
  static description = [
    'Like `zg inft transfer`, but you keep the token and the receiver gets a new one carrying the same encrypted data (and so the same agent key). The receiver should `zg inft rotate` its clone for an agent of its own; rotate leaves funds shared with the source token where they are unless --move-funds.',
  ].join('\n\n')
  static examples = [
    '<%= config.bin %> inft clone 0 --to 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC --access-proof access-0.json --account alice --yes',
  ]
  static steps = [
    {id: 'locate', title: 'Locate the ciphertext'},
    {id: 'download', title: 'Download from 0G Storage'},
    {id: 'keys', title: 'Open your sealed data key'},
    {id: 'oracle', title: 'Oracle re-seal and ownership proof'},
    {id: 'clone', title: 'iCloneFrom'},
  ]
  // oclif reads args and flags as own properties of the command class (it spreads the class), so restate them.
  static args = InftHandoverCommand.args
  static flags = InftHandoverCommand.flags
  protected readonly clone = true
}
