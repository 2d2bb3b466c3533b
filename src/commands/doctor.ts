import fs from 'node:fs'
import path from 'node:path'
import {ZgCommand} from '../cli/base-command.js'
import {networkFlag} from '../cli/flags.js'
import {resolveNetwork} from '../cli/network.js'
import {configDir, dataDir} from '../core/paths.js'
import {c} from '../ui/format.js'

interface Check {
  name: string
  ok: boolean
  detail: string
  fix?: string
}

export default class Doctor extends ZgCommand<typeof Doctor> {
  static summary = 'Check this machine and the current network: Node, folders, keyring, RPC'
  static description = 'Exits 0 when everything zg needs works; otherwise 1, or 5 when only the network is unreachable. Every failed check says how to fix it.'
  static examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --network galileo --json']
  static flags = {...networkFlag}

  async exec() {
    const checks: Check[] = []
    const major = Number(process.versions.node.split('.')[0])
    checks.push({name: 'node', ok: major >= 22, detail: process.version, fix: major >= 22 ? undefined : 'Install Node 24 LTS'})
    for (const [name, dir] of [['config dir', configDir()], ['data dir', dataDir()]] as const) checks.push(writable(name, dir))
    const {probeKeyring} = await import('../core/keys/keyring.js')
    const k = await probeKeyring({timeoutMs: 3000})
    checks.push({name: 'keyring', ok: true, detail: k.state === 'available' ? `available (${k.ms} ms)` : `${k.state}${k.reason ? `: ${k.reason}` : ''} — optional; passwords come from --password-file or ZG_PASSWORD`})
    const network = resolveNetwork(this.flags)
    const {checkNetwork} = await import('../core/network-check.js')
    let networkOk = true
    try {
      const r = await checkNetwork(network, 5000)
      checks.push({name: `network ${network.name}`, ok: true, detail: `${r.rpcUrl} chain ${r.chainId}, block ${r.latestBlock}, ${r.latencyMs} ms`})
      if (r.indexer) checks.push({name: 'indexer', ok: r.indexer.ok, detail: r.indexer.ok ? `${r.indexer.url}, ${r.indexer.nodes} nodes` : `${r.indexer.url}: ${r.indexer.error}`})
      if (r.storageNode) checks.push({name: 'storage node', ok: r.storageNode.ok, detail: r.storageNode.ok ? `${r.storageNode.url}` : `${r.storageNode.url}: ${r.storageNode.error ?? 'chain id or Flow address differs from the profile'}`})
    } catch (e) {
      networkOk = false
      checks.push({name: `network ${network.name}`, ok: false, detail: (e as Error).message, fix: network.local ? 'zg node start --detach' : 'check your connection or the profile (zg network show)'})
    }
    const localFailed = checks.some((x) => !x.ok && !x.name.startsWith('network') && x.name !== 'indexer' && x.name !== 'storage node')
    if (localFailed) process.exitCode = 1
    else if (!networkOk) process.exitCode = 5
    return {ok: !localFailed && networkOk, checks}
  }

  protected override render(d: {checks: Check[]}) {
    return d.checks.map((x) => `${x.ok ? c.green('✔') : c.red('✖')} ${x.name.padEnd(16)} ${x.detail}${x.fix ? `\n  → ${x.fix}` : ''}`).join('\n')
  }
}

function writable(name: string, dir: string): Check {
  try {
    fs.mkdirSync(dir, {recursive: true})
    const probe = path.join(dir, `.zg-doctor-${process.pid}`)
    fs.writeFileSync(probe, 'ok')
    fs.rmSync(probe)
    return {name, ok: true, detail: dir}
  } catch (e) {
    return {name, ok: false, detail: `${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, fix: `Make it writable or point ZG_${name.startsWith('config') ? 'CONFIG' : 'DATA'}_DIR elsewhere`}
  }
}
