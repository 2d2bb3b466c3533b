import {InftUserAccessCommand} from '../../cli/inft-user-access.js'

export default class InftAuthorize extends InftUserAccessCommand {
  static summary = "Authorize a user to use an INFT's agent (the oracle then hands it the data key)"
  static description = 'Owner only. Authorized users can read the agent with `zg inft reveal` (the oracle re-seals the data key for them after checking authorizedUsersOf on chain). Every transfer clears the list.'
  static examples = ['<%= config.bin %> inft authorize 0 --user 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC --account dev1']
  static steps = [{id: 'authorize', title: 'Authorize the user'}]
  // oclif reads args and flags as own properties of the command class, so restate them.
  static args = InftUserAccessCommand.args
  static flags = InftUserAccessCommand.flags
  protected readonly revoke = false
}
