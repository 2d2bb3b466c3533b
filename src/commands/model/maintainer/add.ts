import {ModelMaintainerCommand} from '../../../cli/model-maintainer.js'

export default class ModelMaintainerAdd extends ModelMaintainerCommand {
  static summary = 'Appoint a maintainer: an account that may publish new versions of your model or dataset'
  static description = 'Owner only (exit 4 otherwise, before anything is sent). A maintainer publishes under the owner\'s name with zg model publish --owner OWNER (or zg dataset publish --owner OWNER); the asset, its name and its lineage share stay the owner\'s. Appointing an existing maintainer sends nothing.'
  static examples = [
    '<%= config.bin %> model maintainer add tiny-llm --address 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC --account alice',
    '<%= config.bin %> model maintainer add 3 --address dev2 --account dev3 --json',
  ]
  static steps = [{id: 'tx', title: 'Appoint the maintainer'}]
  // oclif reads args and flags as own properties of the command class, so restate them.
  static args = ModelMaintainerCommand.args
  static flags = ModelMaintainerCommand.flags
  protected readonly enable = true
}
