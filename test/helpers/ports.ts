import fs from 'node:fs'
import net from 'node:net'

/**
 * Ports are picked below the kernel's ephemeral range (outgoing connections take their local port from that range:
 * a port the OS handed out with listen(0) and that we released could be taken by any client socket before the
 * service under test binds it — seen in CI when a burst test opened thousands of connections). Random choice keeps
 * parallel test files apart; each candidate is checked by binding it.
 */
function pickRange(): [number, number] {
  try {
    const [lo] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number)
    if (lo && lo > 12_000) return [10_000, lo - 2]
  } catch {
    // Not Linux: fall through.
  }
  return [20_000, 32_000]
}
const [LOW, HIGH] = pickRange()

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer()
    srv.once('error', () => resolve(false))
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)))
  })
}

/**
 * Claims `port` for this test run: scripts/test.mjs gives every test process the same ZG_TEST_PORT_DIR, and a port is
 * handed out once per run (an exclusive create), so test files running side by side never pick the same one between
 * checking it and binding it. Without the variable (a file run on its own) every port counts as unclaimed.
 */
export function claimPort(port: number): boolean {
  const dir = process.env.ZG_TEST_PORT_DIR
  if (!dir) return true
  fs.mkdirSync(dir, {recursive: true})
  try {
    fs.writeFileSync(`${dir}/${port}`, String(process.pid), {flag: 'wx'})
    return true
  } catch {
    return false
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1, outside the ephemeral range and claimed for this run. */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW))
    if (claimPort(port) && (await canBind(port))) return port
  }
  throw new Error(`no free port between ${LOW} and ${HIGH}`)
}
