import {InftUserAccessCommand} from '../../cli/inft-user-access.js'

export default class InftRevoke extends InftUserAccessCommand {
  static summary = "Revoke a user's authorization to use an INFT's agent"
  static description = 'Owner only. The oracle stops handing the data key to the user; a key it already received cannot be taken back: rotate the agent (`zg inft rotate`) for that.'
  static examples = ['<%= config.bin %> inft revoke 0 --user 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC --account dev1']
  static steps = [{id: 'revoke', title: 'Revoke the user'}]
  // oclif reads args and flags as own properties of the command class, so restate them.
  static args = InftUserAccessCommand.args
  static flags = InftUserAccessCommand.flags
  protected readonly revoke = true
}
