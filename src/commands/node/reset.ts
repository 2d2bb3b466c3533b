import fs from 'node:fs'
import {ZgCommand} from '../../cli/base-command.js'
import {yesFlag} from '../../cli/flags.js'
import {stopDevnet} from '../../devnet/supervisor.js'
import {devnetPaths} from '../../devnet/state.js'

export default class NodeReset extends ZgCommand<typeof NodeReset> {
  static summary = 'Stop the devnet and delete its chain, contracts and service data'
  static description = 'Everything under the devnet data dir is removed: blocks, balances, deployed contracts, stored files and logs. Keystores and config are kept.'
  static examples = ['<%= config.bin %> node reset --yes']
  static flags = {...yesFlag}

  async exec() {
    const p = devnetPaths()
    if (!(await this.confirm(`delete the devnet state in ${p.root}`, this.flags.yes))) return {reset: false, dataDir: p.root}
    const stopped = await stopDevnet()
    fs.rmSync(p.root, {recursive: true, force: true})
    const {resetChainNonces} = await import('../../core/chain/nonce.js')
    resetChainNonces(31337)
    return {reset: true, wasRunning: stopped.stopped, dataDir: p.root}
  }

  protected override render(d: {reset: boolean; dataDir: string}) {
    return d.reset ? `devnet reset (${d.dataDir} removed). Start fresh: zg node start --detach` : 'cancelled'
  }
}
