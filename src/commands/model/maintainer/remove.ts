import {ModelMaintainerCommand} from '../../../cli/model-maintainer.js'

export default class ModelMaintainerRemove extends ModelMaintainerCommand {
  static summary = 'Remove a maintainer of your model or dataset: it can no longer publish versions'
  static description = 'Owner only (exit 4 otherwise, before anything is sent). Versions the maintainer already published stay. Removing an account that is not a maintainer sends nothing.'
  static examples = [
    '<%= config.bin %> model maintainer remove tiny-llm --address 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC --account alice',
    '<%= config.bin %> model maintainer remove 3 --address dev2 --account dev3 --json',
  ]
  static steps = [{id: 'tx', title: 'Remove the maintainer'}]
  // oclif reads args and flags as own properties of the command class, so restate them.
  static args = ModelMaintainerCommand.args
  static flags = ModelMaintainerCommand.flags
  protected readonly enable = false
}
