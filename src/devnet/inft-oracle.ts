/**
 * The devnet's INFT re-encryption oracle: an HTTP service on ports.oracle speaking the protocol of
 * src/core/inft/oracle.ts (GET /health, GET /v1/info, POST /v1/reseal, POST /v1/access), with the decisions in
 * inft-oracle-logic.ts. It signs with the devnet oracle account (dev account DEVNET_ORACLE_ACCOUNT_INDEX), the
 * address the devnet's TEEVerifier trusts. Its URL goes into the `local` profile as `oracleUrl`; other networks set
 * their own (a TEE), so the same commands work against a real oracle.
 *
 * Logs one line per request (never keys, sealed keys or signatures).
 */
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {JsonRpcProvider} from 'ethers'
import {devWallet} from '../core/keys/dev-accounts.js'
import type {NetworkProfile} from '../core/networks.js'
import {DEVNET_ORACLE_ACCOUNT_INDEX} from './deploy.js'
import {OracleError, ReencryptionOracle, type OracleDeps} from './inft-oracle-logic.js'
import type {DevnetPorts, RunningService, ServiceContext, ServiceModule} from './service.js'

const MAX_BODY_BYTES = 1024 * 1024

export interface OracleServerOptions extends Omit<OracleDeps, 'log'> {
  host?: string
  /** 0 picks a free port. */
  port: number
  log?: (line: string) => void
}

export interface OracleServer {
  url: string
  port: number
  oracle: ReencryptionOracle
  close(): Promise<void>
}

/** Starts the HTTP front of an oracle (used by the devnet service and by tests). */
export async function startOracleServer(o: OracleServerOptions): Promise<OracleServer> {
  const oracle = new ReencryptionOracle(o)
  const log = o.log ?? (() => {})
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body)
      res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)})
      res.end(text)
    }
    const fail = (e: unknown) => {
      if (e instanceof OracleError) {
        log(`${req.method} ${req.url} → ${e.status} ${e.code}: ${e.message}`)
        return send(e.status, {error: {code: e.code, message: e.message}})
      }
      log(`${req.method} ${req.url} → 500 ${(e as Error)?.message ?? String(e)}`)
      return send(500, {error: {code: 'INTERNAL', message: 'the oracle failed; see its log'}})
    }
    const path = (req.url ?? '/').split('?')[0]
    if (req.method === 'GET' && path === '/health') return send(200, {ok: true})
    if (req.method === 'GET' && path === '/v1/info') return send(200, oracle.info())
    if (req.method !== 'POST' || (path !== '/v1/reseal' && path !== '/v1/access')) return send(404, {error: {code: 'NOT_FOUND', message: `no route ${req.method} ${path}`}})
    const chunks: Buffer[] = []
    let size = 0
    let tooBig = false
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY_BYTES) tooBig = true
      else chunks.push(c)
    })
    req.on('error', fail)
    req.on('end', () => {
      if (tooBig) return send(413, {error: {code: 'TOO_LARGE', message: `the body exceeds ${MAX_BODY_BYTES} bytes`}})
      let body: unknown
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      } catch {
        return send(400, {error: {code: 'BAD_REQUEST', message: 'the body is not JSON'}})
      }
      const work = path === '/v1/reseal' ? oracle.reseal(body) : oracle.access(body)
      work.then((r) => {
        log(`${req.method} ${path} → 200`)
        send(200, r)
      }, fail)
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port, o.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://${o.host ?? '127.0.0.1'}:${port}`,
    port,
    oracle,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

const oracleUrl = (ports: DevnetPorts) => `http://127.0.0.1:${ports.oracle}`

/** The `local` profile the oracle uses to reach the devnet's storage (to check keys against ciphertexts). */
function storageProfile(ctx: ServiceContext): NetworkProfile {
  return {
    name: 'local',
    chainId: ctx.chainId,
    rpcUrl: ctx.rpcUrl,
    indexerUrl: `http://127.0.0.1:${ctx.ports.indexer}`,
    storageNodes: ctx.ports.storage.map((p) => `http://127.0.0.1:${p}`),
    contracts: {flow: ctx.contracts.flow, agentNFT: ctx.contracts.agentNFT, teeVerifier: ctx.contracts.teeVerifier},
    builtin: true,
    local: true,
  }
}

export const inftOracleService: ServiceModule = {
  name: 'inft-oracle',
  description: 'INFT re-encryption oracle (re-seals data keys, signs ERC-7857 ownership proofs)',
  async start(ctx) {
    const provider = new JsonRpcProvider(ctx.rpcUrl, ctx.chainId, {staticNetwork: true, batchStallTime: 0, cacheTimeout: -1, pollingInterval: 50})
    const network = storageProfile(ctx)
    const {downloadBytes} = await import('../core/storage/download.js')
    const wallet = devWallet(DEVNET_ORACLE_ACCOUNT_INDEX)
    let srv: OracleServer
    try {
      srv = await startOracleServer({
        port: ctx.ports.oracle,
        wallet,
        provider,
        chainId: ctx.chainId,
        contracts: [ctx.contracts.agentNFT],
        fetchBlob: async (root, maxBytes) => new Uint8Array((await downloadBytes(root, {network, maxBytes, signal: ctx.signal})).data),
        log: ctx.log,
      })
    } catch (e) {
      provider.destroy()
      throw e
    }
    ctx.log(`oracle ${wallet.address} listening on ${srv.url} for AgentNFT ${ctx.contracts.agentNFT}`)
    const running: RunningService = {
      name: 'inft-oracle',
      url: srv.url,
      port: srv.port,
      async health() {
        const r = await fetch(`${srv.url}/health`, {signal: AbortSignal.timeout(2000)})
        return r.ok
      },
      async stop() {
        await srv.close()
        provider.destroy()
      },
    }
    return [running]
  },
  profile: (ports) => ({oracleUrl: oracleUrl(ports)}),
}
