import type {IncomingMessage, ServerResponse} from 'node:http'

/** An error answered to the client as OpenAI-style JSON: {error: {message, type, code}} (and `error` for the SDK). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message)
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): string {
  const text = JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))
  res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers})
  res.end(text)
  return text
}

export function sendError(res: ServerResponse, e: HttpError): void {
  const type = e.status === 401 ? 'authentication_error' : e.status === 402 ? 'insufficient_quota' : e.status === 403 ? 'permission_error' : e.status === 404 ? 'not_found_error' : e.status >= 500 ? 'server_error' : 'invalid_request_error'
  sendJson(res, e.status, {error: {message: e.message, type, code: e.code, ...(e.details ? {details: e.details} : {})}})
}

export async function readBody(req: IncomingMessage, limit = 4 * 1024 * 1024): Promise<Buffer> {
  const parts: Buffer[] = []
  let n = 0
  for await (const c of req) {
    n += (c as Buffer).length
    if (n > limit) throw new HttpError(413, 'request_too_large', `The request body exceeds ${limit} bytes.`)
    parts.push(c as Buffer)
  }
  return Buffer.concat(parts)
}

export function parseJson<T>(body: Buffer): T {
  try {
    return JSON.parse(body.toString('utf8')) as T
  } catch {
    throw new HttpError(400, 'invalid_json', 'The request body is not valid JSON.')
  }
}
