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

/** A TCP port that was free a moment ago on 127.0.0.1, outside the ephemeral range (see above). */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW))
    if (await canBind(port)) return port
  }
  throw new Error(`no free port between ${LOW} and ${HIGH}`)
}
