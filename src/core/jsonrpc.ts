import {networkError, ZgError, ExitCode} from './errors.js'

/**
 * Minimal JSON-RPC 2.0 over HTTP for 0G's node, indexer and eth endpoints where a full ethers provider is overkill
 * (status checks, storage RPC). Retries transient transport failures with backoff; a JSON-RPC error object is not
 * transient and is thrown as RpcCallError so callers can match 0G's exact error strings.
 */
export class RpcCallError extends ZgError {
  constructor(
    readonly url: string,
    readonly method: string,
    readonly rpcCode: number,
    readonly rpcMessage: string,
    readonly rpcData?: unknown,
  ) {
    super(`${method} on ${url} failed: ${rpcMessage}${rpcData !== undefined ? ` (${typeof rpcData === 'string' ? rpcData : JSON.stringify(rpcData)})` : ''}`, {
      code: 'RPC_ERROR',
      exit: ExitCode.UNEXPECTED,
      details: {url, method, rpcCode, rpcData},
    })
  }
}

export interface RpcOptions {
  timeoutMs?: number
  retries?: number
  signal?: AbortSignal
}

let nextId = 1

export async function rpcCall<T = unknown>(url: string, method: string, params?: unknown[], opts: RpcOptions = {}): Promise<T> {
  const body = JSON.stringify(params === undefined ? {jsonrpc: '2.0', id: nextId++, method} : {jsonrpc: '2.0', id: nextId++, method, params})
  const retries = opts.retries ?? 2
  let lastErr: unknown
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (opts.signal?.aborted) throw opts.signal.reason
    let res: Response
    try {
      const signals = [AbortSignal.timeout(opts.timeoutMs ?? 10_000)]
      if (opts.signal) signals.push(opts.signal)
      res = await fetch(url, {method: 'POST', headers: {'content-type': 'application/json'}, body, signal: AbortSignal.any(signals)})
    } catch (e) {
      if (opts.signal?.aborted) throw opts.signal.reason
      lastErr = e
      await backoff(attempt)
      continue
    }
    if (res.status === 429 || res.status >= 500) {
      lastErr = new Error(`HTTP ${res.status}`)
      const ra = Number(res.headers.get('retry-after'))
      await new Promise((r) => setTimeout(r, Number.isFinite(ra) && ra > 0 ? Math.min(ra * 1000, 10_000) : backoffMs(attempt)))
      continue
    }
    let json: {result?: T; error?: {code: number; message: string; data?: unknown}}
    try {
      json = (await res.json()) as typeof json
    } catch (e) {
      throw networkError(`${url} answered ${method} with something that is not JSON-RPC (HTTP ${res.status}).`, {code: 'RPC_BAD_RESPONSE', cause: e})
    }
    if (json.error) throw new RpcCallError(url, method, json.error.code, json.error.message, json.error.data)
    return json.result as T
  }
  throw networkError(`Cannot reach ${url} (${method}): ${describe(lastErr)}.`, {cause: lastErr, details: {url, method}, suggestions: ['Check the URL and your connection; for the local devnet run `zg node start`.']})
}

const backoffMs = (attempt: number) => Math.min(100 * 2 ** attempt, 2000) * (0.5 + Math.random() / 2)
const backoff = (attempt: number) => new Promise((r) => setTimeout(r, backoffMs(attempt)))

function describe(e: unknown): string {
  const err = e as {cause?: {code?: string; message?: string}; message?: string; name?: string}
  if (err?.name === 'TimeoutError') return 'timed out'
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e)
}
