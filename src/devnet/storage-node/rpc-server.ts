/**
 * A JSON-RPC 2.0 server over plain HTTP for the devnet's 0G services (storage nodes, indexer), behaving on the wire
 * like the servers 0G runs (jsonrpsee for the node, go-ethereum's rpc for the indexer): POST to any path, HTTP 200
 * with the error inside the JSON-RPC envelope, batches, and request ids echoed byte for byte (the official TS SDK
 * sends ids like 17345678901234568 that a plain JSON.parse would round). GET /health answers for `zg node status`.
 */
import {isAscii} from 'node:buffer'
import http from 'node:http'
import type {AddressInfo} from 'node:net'

/** An error that becomes the `error` object of a JSON-RPC response. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message)
    this.name = 'RpcError'
  }
}

export type RpcParams = unknown[] | Record<string, unknown> | undefined
export type RpcMethod = (params: RpcParams) => unknown

export interface RpcServerOptions {
  host?: string
  /** 0 picks a free port. */
  port: number
  methods: Record<string, RpcMethod>
  /** GET /health answers 200 when this says true, 503 otherwise. */
  health?: () => boolean
  /** Largest accepted request body; jsonrpsee's default in the node is 100 MiB. */
  maxBodyBytes?: number
  /** Error for an unknown method: jsonrpsee and go-ethereum word it differently. */
  methodNotFound?: (method: string) => RpcError
  log?: (line: string) => void
}

export interface RpcServerHandle {
  url: string
  port: number
  close(): Promise<void>
}

export const MAX_BODY_BYTES = 100 * 1024 * 1024

type Json = Record<string, unknown>

// Node 24 has JSON.parse source access and JSON.rawJSON (ES2025); TypeScript's ES2023 lib does not know them yet.
type SourceReviver = (this: unknown, key: string, value: unknown, context: {source?: string}) => unknown
const rawJSON = (JSON as unknown as {rawJSON(text: string): unknown}).rawJSON

/**
 * Keeps the numeric `id` of a request object as its source text so that the reply carries exactly the digits that
 * were sent. Only request objects (holders with a `method`) are touched, never an `id` inside the params.
 */
const keepIdText: SourceReviver = function (key, value, context) {
  const holder = this as Record<string, unknown> | null
  if (key === 'id' && typeof value === 'number' && context?.source !== undefined && holder && typeof holder === 'object' && 'method' in holder) {
    return rawJSON(context.source)
  }
  return value
}

export function parseJsonLosslessIds(text: string): unknown {
  return JSON.parse(text, keepIdText as unknown as (this: unknown, key: string, value: unknown) => unknown)
}

const errorObject = (e: RpcError) => (e.data === undefined ? {code: e.code, message: e.message} : {code: e.code, message: e.message, data: e.data})

const defaultMethodNotFound = () => new RpcError(-32601, 'Method not found')

/** Handles one request object; undefined for a notification (no id), which gets no reply. */
async function handleOne(req: unknown, opts: RpcServerOptions): Promise<Json | undefined> {
  const obj = req !== null && typeof req === 'object' && !Array.isArray(req) ? (req as Json) : undefined
  const hasId = obj !== undefined && 'id' in obj
  const id = hasId ? obj.id : null
  const reply = (body: Json): Json | undefined => (obj && !hasId ? undefined : {jsonrpc: '2.0', ...body, id})
  if (!obj || obj.jsonrpc !== '2.0' || typeof obj.method !== 'string') {
    return {jsonrpc: '2.0', error: {code: -32600, message: 'Invalid request'}, id}
  }
  const params = obj.params
  if (params !== undefined && params !== null && typeof params !== 'object') {
    return reply({error: {code: -32602, message: 'Invalid params', data: 'params must be an array or an object'}})
  }
  const method = Object.hasOwn(opts.methods, obj.method) ? opts.methods[obj.method] : undefined
  if (!method) return reply({error: errorObject((opts.methodNotFound ?? defaultMethodNotFound)(obj.method))})
  try {
    const result = await method((params ?? undefined) as RpcParams)
    return reply({result: result === undefined ? null : result})
  } catch (e) {
    if (e instanceof RpcError) return reply({error: errorObject(e)})
    opts.log?.(`${obj.method} failed unexpectedly: ${(e as Error)?.stack ?? String(e)}`)
    return reply({error: {code: -32603, message: 'Internal error', data: (e as Error)?.message ?? String(e)}})
  }
}

function send(res: http.ServerResponse, status: number, body: string | string[]): void {
  const parts = typeof body === 'string' ? [body] : body
  const lengths = parts.map((p) => Buffer.byteLength(p))
  res.writeHead(status, {'content-type': 'application/json; charset=utf-8', 'content-length': lengths.reduce((a, b) => a + b, 0)})
  // Segment replies are hundreds of KB of base64: ASCII text (UTF-8 length equal to its length) is written as latin1,
  // the same bytes with a plain copy instead of a UTF-8 encode.
  parts.forEach((p, i) => res.write(p, lengths[i] === p.length ? 'latin1' : 'utf8'))
  res.end()
}

/** Placeholder for a large `result.data` string, spliced back in at send time instead of copied by JSON.stringify. */
const DATA_SLOT = '__zg_segment_data_slot__'
const SPLICE_MIN = 32 * 1024

/** One reply as text parts: the big base64 `data` of a segment stays a separate string. */
function serializeReply(reply: Json): string | string[] {
  const result = reply.result as Json | null | undefined
  const data = result && typeof result === 'object' && !Array.isArray(result) ? result.data : undefined
  if (typeof data !== 'string' || data.length < SPLICE_MIN) return JSON.stringify(reply)
  const text = JSON.stringify({...reply, result: {...result, data: DATA_SLOT}})
  const at = text.indexOf(DATA_SLOT)
  return [text.slice(0, at), data, text.slice(at + DATA_SLOT.length)]
}

async function handleBody(text: string, opts: RpcServerOptions): Promise<string | string[]> {
  let parsed: unknown
  try {
    parsed = parseJsonLosslessIds(text)
  } catch {
    return JSON.stringify({jsonrpc: '2.0', error: {code: -32700, message: 'Parse error'}, id: null})
  }
  if (Array.isArray(parsed)) {
    if (parsed.length === 0) return JSON.stringify({jsonrpc: '2.0', error: {code: -32600, message: 'Invalid request'}, id: null})
    const replies = (await Promise.all(parsed.map((r) => handleOne(r, opts)))).filter((r) => r !== undefined)
    return replies.length ? JSON.stringify(replies) : ''
  }
  const reply = await handleOne(parsed, opts)
  return reply ? serializeReply(reply) : ''
}

/** Starts the server on 127.0.0.1 (or `host`) and resolves once it listens. */
export async function startRpcServer(opts: RpcServerOptions): Promise<RpcServerHandle> {
  const host = opts.host ?? '127.0.0.1'
  const limit = opts.maxBodyBytes ?? MAX_BODY_BYTES
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/health' || req.url?.startsWith('/health?'))) {
      const ok = opts.health ? opts.health() : true
      send(res, ok ? 200 : 503, JSON.stringify({status: ok ? 'ok' : 'syncing'}))
      return
    }
    if (req.method !== 'POST') {
      res.writeHead(405, {allow: 'POST'})
      res.end()
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let tooBig = false
    req.on('data', (c: Buffer) => {
      if (tooBig) return
      size += c.length
      if (size > limit) {
        tooBig = true
        chunks.length = 0
        // jsonrpsee answers an oversized body with 413 and this error object, then drops the connection.
        res.setHeader('connection', 'close')
        send(res, 413, JSON.stringify({jsonrpc: '2.0', error: {code: -32701, message: 'Request is too big', data: `Exceeded max limit of ${limit}`}, id: null}))
        req.destroy()
        return
      }
      chunks.push(c)
    })
    req.on('end', () => {
      if (tooBig) return
      const raw = Buffer.concat(chunks, size)
      handleBody(raw.toString(isAscii(raw) ? 'latin1' : 'utf8'), opts).then(
        (body) => send(res, 200, body),
        (e) => {
          opts.log?.(`request failed: ${(e as Error)?.stack ?? String(e)}`)
          send(res, 200, JSON.stringify({jsonrpc: '2.0', error: {code: -32603, message: 'Internal error'}, id: null}))
        },
      )
    })
    req.on('error', () => {})
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
