import {FetchRequest, JsonRpcProvider, Network, type FetchCancelSignal, type GetUrlResponse} from 'ethers'
import {networkError, usageError, ZgError} from '../errors.js'
import type {Reporter} from '../progress.js'

/**
 * ethers providers that behave on flaky public RPCs and on the instant local devnet alike:
 * - every HTTP attempt has a timeout; transient failures (429 honouring Retry-After, 5xx, connection resets,
 *   timeouts, JSON-RPC "limit exceeded") are retried with exponential backoff and full jitter; connection refused
 *   is retried only briefly (a node that isn't running won't start in the next seconds);
 * - when retries run out the caller gets a ZgError (exit 5) naming the URL (with any API key masked), not ethers'
 *   generic SERVER_ERROR or an endless "failed to detect network" loop on the console;
 * - no JSON-RPC batching and no result cache (against a fast chain batching costs ~10 ms per call and the cache
 *   made two back-to-back sends reuse a nonce: shared/docs/devnet-engines.md);
 * - the network is static: we ask eth_chainId ourselves once (or trust the given chainId), so ethers never polls it.
 */

export interface ProviderOptions {
  /** The chain id if known (profile): skips the eth_chainId round trip. Check it with `checkChain` before sending. */
  chainId?: number
  /** Per-attempt HTTP timeout; default 15000 ms (local: 5000). */
  timeoutMs?: number
  /** Retries after the first attempt for transient failures; default 3. */
  retries?: number
  /** The embedded devnet: 50 ms polling instead of 1000 ms. */
  local?: boolean
  /** Told about each retry (step 'rpc', status 'warn') so a CLI can say why it is slow. */
  reporter?: Reporter
  /** Backoff base delay; default 250 ms (tests shrink it). */
  backoffBaseMs?: number
  /** Backoff and Retry-After cap; default 10000 ms. */
  backoffMaxMs?: number
}

/** How many times "connection refused" is retried, whatever `retries` says. */
const REFUSED_RETRIES = 2

/**
 * A JsonRpcProvider for `rpcUrl`. Async because, without a known chainId, it asks the node once (with the same
 * retry/timeout rules) instead of letting ethers detect the network in a background loop.
 *
 * @throws usageError RPC_URL_INVALID for a malformed URL; networkError RPC_UNREACHABLE / RPC_TIMEOUT /
 *   RPC_RATE_LIMITED / RPC_HTTP_ERROR (exit 5) when the chain id is needed and the node does not answer.
 */
export async function makeProvider(rpcUrl: string, opts: ProviderOptions = {}): Promise<JsonRpcProvider> {
  const conn = makeConnection(rpcUrl, opts)
  const chainId = opts.chainId ?? (await fetchChainId(conn))
  const provider = new JsonRpcProvider(conn, undefined, {
    staticNetwork: Network.from(chainId),
    batchMaxCount: 1,
    batchStallTime: 0,
    cacheTimeout: -1,
    polling: false,
  })
  provider.pollingInterval = opts.local ? 50 : 1000
  return provider
}

/**
 * Verifies the node serves `expectedChainId` (a wrong RPC URL would otherwise sign for another chain: signatures
 * carry the chain id, so the tx would just fail there, but reads would silently come from the wrong chain).
 * @throws usageError CHAIN_MISMATCH (exit 2); network errors as makeProvider.
 */
export async function checkChain(provider: JsonRpcProvider, expectedChainId: number | bigint): Promise<void> {
  const got = BigInt(await provider.send('eth_chainId', []))
  if (got !== BigInt(expectedChainId)) {
    const url = redactUrl(provider._getConnection().url)
    throw usageError(`The RPC at ${url} serves chain ${got}, but chain ${expectedChainId} was expected.`, {
      code: 'CHAIN_MISMATCH',
      suggestions: ['Check --rpc-url / the network profile: the URL and the chain id must belong to the same network.'],
      details: {url, expected: Number(expectedChainId), actual: Number(got)},
    })
  }
}

/** The URL for messages: no userinfo, no query values, long path segments (API keys) masked. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    u.username = ''
    u.password = ''
    for (const k of [...u.searchParams.keys()]) u.searchParams.set(k, '***')
    u.pathname = u.pathname
      .split('/')
      .map((seg) => (/^[A-Za-z0-9_-]{20,}$/.test(seg) ? seg.slice(0, 4) + '***' : seg))
      .join('/')
    return u.toString().replace(/\/$/, '')
  } catch {
    return '<invalid url>'
  }
}

/** The FetchRequest behind makeProvider: our getUrl with retries and per-attempt timeouts. */
export function makeConnection(rpcUrl: string, opts: ProviderOptions = {}): FetchRequest {
  let parsed: URL
  try {
    parsed = new URL(rpcUrl)
  } catch {
    throw usageError(`"${rpcUrl}" is not a valid RPC URL.`, {code: 'RPC_URL_INVALID', suggestions: ['Use a full URL such as http://127.0.0.1:8545 or https://evmrpc-testnet.0g.ai']})
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw usageError(`Only http(s) RPC URLs are supported, got ${redactUrl(rpcUrl)}.`, {code: 'RPC_URL_INVALID'})
  }
  const req = new FetchRequest(rpcUrl)
  const timeoutMs = opts.timeoutMs ?? (opts.local ? 5000 : 15_000)
  const retries = Math.max(0, opts.retries ?? 3)
  const base = opts.backoffBaseMs ?? 250
  const max = opts.backoffMaxMs ?? 10_000
  // ethers' own overall deadline must not cut our retries short.
  req.timeout = (timeoutMs + max) * (retries + 1) + 1000
  // We handle 429 ourselves (ethers reads Retry-After as milliseconds, the header is in seconds).
  req.setThrottleParams({maxAttempts: 1})
  req.getUrlFunc = retryingGetUrl({url: rpcUrl, timeoutMs, retries, base, max, reporter: opts.reporter})
  return req
}

interface RetryConfig {
  url: string
  timeoutMs: number
  retries: number
  base: number
  max: number
  reporter?: Reporter
}

type Failure = {kind: 'refused' | 'unreachable' | 'timeout' | 'rate-limited' | 'http'; detail: string; retryAfterMs?: number; status?: number}

function retryingGetUrl(cfg: RetryConfig) {
  const shown = redactUrl(cfg.url)
  return async (req: FetchRequest, signal?: FetchCancelSignal): Promise<GetUrlResponse> => {
    let refused = 0
    let last: Failure | undefined
    let method = 'request'
    try {
      method = (JSON.parse(Buffer.from(req.body ?? new Uint8Array()).toString('utf8')) as {method?: string}).method ?? method
    } catch {}
    for (let attempt = 0; ; attempt++) {
      const ac = new AbortController()
      const onCancel = () => ac.abort(new Error('cancelled'))
      signal?.addListener(onCancel)
      const timer = setTimeout(() => ac.abort(new Error('timeout')), cfg.timeoutMs)
      let failure: Failure | undefined
      try {
        const res = await fetch(req.url, {
          method: req.method,
          headers: req.headers,
          body: req.body ? Buffer.from(req.body) : undefined,
          signal: ac.signal,
        })
        const body = new Uint8Array(await res.arrayBuffer())
        const headers: Record<string, string> = {}
        res.headers.forEach((v, k) => (headers[k] = v))
        const response = {statusCode: res.status, statusMessage: res.statusText, headers, body}
        failure = classifyResponse(res.status, headers, body)
        if (!failure) return response
      } catch (e) {
        if (signal?.cancelled) throw e
        failure = classifyThrown(e, ac.signal)
      } finally {
        clearTimeout(timer)
      }
      last = failure
      if (failure.kind === 'http') break
      if (failure.kind === 'refused' && ++refused > REFUSED_RETRIES) break
      if (attempt >= cfg.retries) break
      const backoff = Math.random() * Math.min(cfg.max, cfg.base * 2 ** attempt)
      const delay = failure.retryAfterMs !== undefined ? Math.min(failure.retryAfterMs, cfg.max) : failure.kind === 'refused' ? 100 * (attempt + 1) : backoff
      cfg.reporter?.emit({
        step: 'rpc',
        status: 'warn',
        message: `${method} to ${shown}: ${failure.detail}; retrying in ${Math.round(delay)} ms (${attempt + 1}/${cfg.retries})`,
        data: {url: shown, attempt: attempt + 1, delayMs: Math.round(delay), reason: failure.kind},
      })
      await new Promise((r) => setTimeout(r, delay))
    }
    throw failureError(last!, shown, method)
  }
}

/** undefined = a final answer (2xx, or any JSON-RPC reply that is not a rate limit). */
function classifyResponse(status: number, headers: Record<string, string>, body: Uint8Array): Failure | undefined {
  let rpc: {error?: {code?: number; message?: string}} | undefined
  try {
    rpc = JSON.parse(Buffer.from(body).toString('utf8'))
  } catch {}
  const rpcLimited = rpc?.error && (rpc.error.code === -32005 || /rate.?limit|too many requests/i.test(rpc.error.message ?? ''))
  if (status === 429 || rpcLimited) {
    return {kind: 'rate-limited', detail: status === 429 ? 'HTTP 429 Too Many Requests' : `rate limited (${rpc?.error?.message})`, retryAfterMs: retryAfter(headers['retry-after'])}
  }
  if (status >= 200 && status < 300) return undefined
  // Some nodes wrap JSON-RPC errors (reverts, bad params) in 4xx/5xx: those are answers for ethers to decode.
  if (rpc && typeof rpc === 'object' && ('error' in rpc || 'result' in rpc)) return undefined
  if (status >= 500) return {kind: 'unreachable', detail: `HTTP ${status}`, status}
  return {kind: 'http', detail: `HTTP ${status}`, status}
}

function retryAfter(v: string | undefined): number | undefined {
  if (!v) return undefined
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Number(v) * 1000
  const at = Date.parse(v)
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now())
}

function classifyThrown(e: unknown, signal: AbortSignal): Failure {
  if (signal.aborted) return {kind: 'timeout', detail: 'no answer in time'}
  const codes: string[] = []
  let c: unknown = e
  for (let i = 0; c && i < 5; i++) {
    const x = c as {code?: unknown; errors?: unknown[]; cause?: unknown}
    if (typeof x.code === 'string') codes.push(x.code)
    if (Array.isArray(x.errors)) for (const sub of x.errors) if (typeof (sub as {code?: unknown})?.code === 'string') codes.push((sub as {code: string}).code)
    c = x.cause
  }
  if (codes.includes('ECONNREFUSED')) return {kind: 'refused', detail: 'connection refused'}
  if (codes.includes('ETIMEDOUT') || codes.includes('UND_ERR_CONNECT_TIMEOUT') || codes.includes('UND_ERR_HEADERS_TIMEOUT')) return {kind: 'timeout', detail: 'connection timed out'}
  if (codes.includes('ENOTFOUND') || codes.includes('EAI_AGAIN')) return {kind: 'refused', detail: 'host not found'}
  return {kind: 'unreachable', detail: codes[0] ?? ((e as Error)?.message || 'network error')}
}

function failureError(f: Failure, url: string, method: string): ZgError {
  const details = {url, method, reason: f.kind, ...(f.status ? {status: f.status} : {})}
  const check = 'Check the URL and your connection; for the local devnet run `zg node start`.'
  switch (f.kind) {
    case 'timeout':
      return networkError(`The RPC at ${url} did not answer ${method} in time.`, {code: 'RPC_TIMEOUT', details, suggestions: ['Raise --rpc-timeout or --rpc-retries, or use another RPC URL.']})
    case 'rate-limited':
      return networkError(`The RPC at ${url} keeps rate-limiting requests (${f.detail}).`, {code: 'RPC_RATE_LIMITED', details, suggestions: ['Wait a moment, raise --rpc-retries, or use an RPC endpoint with a higher limit.']})
    case 'http':
      return networkError(`The RPC at ${url} answered ${method} with ${f.detail}, not JSON-RPC.`, {code: 'RPC_HTTP_ERROR', details, suggestions: [check]})
    default:
      return networkError(`Cannot reach the RPC at ${url} (${f.detail}).`, {code: 'RPC_UNREACHABLE', details, suggestions: [check]})
  }
}

async function fetchChainId(conn: FetchRequest): Promise<number> {
  const req = conn.clone()
  req.body = JSON.stringify({jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: []})
  req.setHeader('content-type', 'application/json')
  const res = await req.send()
  let chainId: number | undefined
  try {
    const json = JSON.parse(res.bodyText) as {result?: string}
    if (typeof json.result === 'string') chainId = Number(BigInt(json.result))
  } catch {}
  if (chainId === undefined) {
    throw networkError(`The RPC at ${redactUrl(conn.url)} did not answer eth_chainId with a chain id.`, {code: 'RPC_BAD_RESPONSE', details: {url: redactUrl(conn.url)}})
  }
  return chainId
}
