import {claimPort, freePort} from './ports.js'
import {runZg, envelope, tempHome} from './cli.js'

/** Flags giving a devnet its own free ports, so tests can run side by side. */
export async function devnetPortArgs(): Promise<string[]> {
  const storage = await freePairPort()
  return ['--chain-port', String(await freePort()), '--indexer-port', String(await freePort()), '--storage-port', String(storage), '--provider-port', String(await freePort()), '--oracle-port', String(await freePort())]
}

/** A free port whose successor is free too (the second storage node takes port + 1). */
async function freePairPort(): Promise<number> {
  const net = await import('node:net')
  for (let i = 0; i < 50; i++) {
    const p = await freePort()
    if (!claimPort(p + 1)) continue
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.createServer()
      s.once('error', () => resolve(false))
      s.listen(p + 1, '127.0.0.1', () => s.close(() => resolve(true)))
    })
    if (ok && p < 65535) return p
  }
  throw new Error('no free port pair')
}

/** Starts a detached devnet in a fresh temp home; returns its env and a stopper that also cleans up. */
export async function startTestDevnet() {
  const home = tempHome('zg-devnet-')
  const ports = await devnetPortArgs()
  const r = await runZg(['node', 'start', '--detach', '--json', ...ports], {env: home.env, timeoutMs: 90_000})
  const e = envelope(r)
  if (!e.ok) throw new Error(`devnet failed to start: ${r.stdout} ${r.stderr}`)
  return {
    home,
    env: home.env,
    ports,
    rpcUrl: e.data.rpcUrl as string,
    pid: e.data.pid as number,
    async stop() {
      await runZg(['node', 'stop'], {env: home.env})
      home.cleanup()
    },
  }
}
