import {spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {Flags} from '@oclif/core'
import {ZgCommand} from '../../../cli/base-command.js'
import {signerFor} from '../../../cli/chain.js'
import {signerFlags} from '../../../cli/flags.js'
import {operatorDir, operatorDirFlag} from '../../../cli/operator.js'
import {ExitCode, ZgError, timeoutError, usageError} from '../../../core/errors.js'
import {getNetwork} from '../../../core/networks.js'
import {readOperator} from '../../../core/operator/config.js'
import {checkBinary, nodeLog, readOperatorRun, superviseNode} from '../../../core/operator/supervisor.js'
import {pidAlive} from '../../../devnet/state.js'

export default class OperatorStart extends ZgCommand<typeof OperatorStart> {
  static summary = 'Run a zgs_node binary with the generated config, restarting it on crash with backoff'
  static description = 'The miner key is decrypted from the account chosen at init and handed to the node in a private runtime config that is deleted once the node has read it. Node output goes to <dir>/log/zgs_node.out.log (see `zg node operator logs`). --detach supervises in the background.'
  static examples = ['<%= config.bin %> node operator start --binary ~/0g-storage-node/target/release/zgs_node --detach', 'ZG_PASSWORD_FILE=/run/secrets/pw <%= config.bin %> node operator start --dir /srv/zgs --binary /usr/local/bin/zgs_node']
  static flags = {
    network: Flags.string({char: 'n', description: 'Network of the node (locates the default folder)', default: 'galileo', env: 'ZG_NETWORK'}),
    ...operatorDirFlag,
    binary: Flags.string({description: 'Path of the zgs_node executable', required: true, env: 'ZG_ZGS_NODE_BINARY'}),
    detach: Flags.boolean({char: 'd', description: 'Supervise in the background and return once the node runs', env: 'ZG_DETACH'}),
    'password-file': signerFlags['password-file'],
    'backoff-ms': Flags.integer({description: 'First restart delay after a crash (doubles up to 60 s)', default: 1000, min: 10, env: 'ZG_OPERATOR_BACKOFF_MS'}),
  }
  static override interruptIsSuccess = true
  static override graceMs = 15_000

  async exec() {
    const f = this.flags
    const dir = operatorDir(f)
    const {meta} = readOperator(dir)
    const binary = checkBinary(f.binary)
    const running = readOperatorRun(dir)
    if (running && pidAlive(running.supervisorPid) && running.supervisorPid !== process.pid) {
      throw new ZgError(`The node in ${dir} is already supervised (pid ${running.supervisorPid}).`, {code: 'NODE_RUNNING', exit: ExitCode.USAGE, suggestions: ['zg node operator status', 'zg node operator stop']})
    }
    let minerKey: string | undefined
    if (process.env.ZG_OPERATOR_CHILD) {
      minerKey = await readKeyFromStdin()
    } else if (!meta.keyInConfig) {
      if (!meta.account) throw usageError('This node was initialized without an account; re-run init with --account.')
      const network = getNetwork(meta.network)
      const signer = await signerFor({account: meta.account, 'password-file': f['password-file']}, network, this.secretPrompt())
      minerKey = signer.wallet.privateKey
    }
    if (f.detach && !process.env.ZG_OPERATOR_CHILD) return this.detach(dir, minerKey)
    const final = await superviseNode({
      dir,
      binary,
      minerKey,
      signal: this.abort.signal,
      backoffBaseMs: f['backoff-ms'],
      reporter: {emit: (e) => process.stderr.write(`${e.status === 'warn' ? '!' : '·'} ${e.message}\n`)},
    })
    return {dir, stopped: true, restarts: final.restarts}
  }

  private async detach(dir: string, minerKey: string | undefined) {
    const args = [path.join(this.config.root, 'bin', 'run.js'), 'node', 'operator', 'start', ...this.argv.filter((a) => !['--detach', '-d', '--json'].includes(a))]
    fs.mkdirSync(path.join(dir, 'log'), {recursive: true})
    const out = fs.openSync(path.join(dir, 'log', 'supervisor.log'), 'a')
    // The key travels over a pipe, never through argv or the environment (both readable in /proc).
    const child = spawn(process.execPath, args, {detached: true, stdio: ['pipe', out, out], env: {...process.env, ZG_OPERATOR_CHILD: '1', ZG_OPERATOR_DIR: dir, ZG_DETACH: '', ZG_JSON: '', CI: '1'}})
    fs.closeSync(out)
    child.stdin!.end(minerKey ?? '')
    child.unref()
    const deadline = Date.now() + 15_000
    for (;;) {
      const run = readOperatorRun(dir)
      if (run && run.supervisorPid === child.pid && run.nodePid) return {dir, detached: true, supervisorPid: child.pid, nodePid: run.nodePid, log: nodeLog(dir)}
      if (child.exitCode !== null || !pidAlive(child.pid)) throw new ZgError(`The supervisor exited at start; see ${path.join(dir, 'log', 'supervisor.log')}.`, {code: 'OPERATOR_START_FAILED', exit: ExitCode.UNEXPECTED})
      if (Date.now() > deadline) throw timeoutError('The node did not start within 15 s.')
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  protected override render(d: {detached?: boolean; nodePid?: number; log?: string; stopped?: boolean; restarts?: number}) {
    if (d.detached) return `zgs_node running (pid ${d.nodePid}), supervised in the background; logs: ${d.log}`
    return `node stopped after ${d.restarts} restart(s)`
  }
}

async function readKeyFromStdin(): Promise<string | undefined> {
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  const key = Buffer.concat(chunks).toString('utf8').trim()
  return key || undefined
}
