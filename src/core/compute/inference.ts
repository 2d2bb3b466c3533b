import {ExitCode, networkError, ZgError} from '../errors.js'
import {verifyChatSignature, type ChatSignature} from './signing.js'

/**
 * The user's side of a chat with a provider: OpenAI-compatible request to {url}/v1/proxy/chat/completions with an
 * app-sk key, optional SSE streaming, then the provider's signature of sha256(request):sha256(response), fetched
 * by chat id and checked against the TEE signer on chain and against the bytes we actually sent and received.
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

export interface ChatUsage {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
}

export interface ChatResult {
  chatId: string
  model: string
  content: string
  finishReason: string | null
  usage: ChatUsage | null
  /** The exact bytes sent and received, for the signature check. */
  requestBody: string
  responseBody: string
}

export interface ChatOptions {
  url: string
  apiKey: string
  model?: string
  messages: ChatMessage[]
  maxTokens?: number
  temperature?: number
  seed?: number
  stream?: boolean
  onToken?: (piece: string) => void
  signal?: AbortSignal
  timeoutMs?: number
}

/** Maps a provider's error answer to zg's errors: 401/403 → exit 4, 402 → exit 6 (insufficient balance), else 5. */
export function providerError(status: number, body: string, url: string): ZgError {
  let code = `HTTP_${status}`
  let message = body.slice(0, 500)
  let details: Record<string, unknown> | undefined
  try {
    const j = JSON.parse(body) as {error?: {code?: string; message?: string; details?: Record<string, unknown>} | string}
    if (typeof j.error === 'string') message = j.error
    else if (j.error) {
      code = j.error.code ?? code
      message = j.error.message ?? message
      details = j.error.details
    }
  } catch {}
  const upper = code.toUpperCase()
  if (status === 402) {
    return new ZgError(`The provider refused the request (402 ${code}): ${message}`, {
      code: upper === 'INSUFFICIENT_BALANCE' ? 'INSUFFICIENT_BALANCE' : upper,
      exit: ExitCode.TX_FAILED,
      details: {status, ...details},
      suggestions: ['See your balances: zg compute ledger show', 'Move more 0G to this provider: zg compute ledger transfer --provider <address> --amount 1'],
    })
  }
  if (status === 401 || status === 403) {
    const hint: Record<string, string> = {
      TOKEN_REVOKED: 'Make a new key: zg compute token <provider>',
      TOKEN_GENERATION_MISMATCH: 'All keys were revoked; make a new one: zg compute token <provider>',
      TOKEN_EXPIRED: 'Make a new key: zg compute token <provider> --expires 7d',
      WRONG_PROVIDER: 'Use a key made for this provider: zg compute token <provider>',
      PROVIDER_NOT_ACKNOWLEDGED: 'Acknowledge the provider first: zg compute ack <provider>',
    }
    return new ZgError(`The provider refused the API key (${status} ${code}): ${message}`, {code: upper, exit: ExitCode.AUTH, details: {status, ...details}, suggestions: hint[upper] ? [hint[upper]!] : []})
  }
  if (status === 404) return new ZgError(`The provider answered 404 (${code}): ${message}`, {code: upper, exit: ExitCode.NOT_FOUND, details: {status}})
  return networkError(`The provider at ${url} answered ${status} (${code}): ${message}`, {code: 'PROVIDER_ERROR', details: {status}})
}

export async function chat(o: ChatOptions): Promise<ChatResult> {
  const body: Record<string, unknown> = {messages: o.messages}
  if (o.model) body.model = o.model
  if (o.maxTokens) body.max_tokens = o.maxTokens
  if (o.temperature !== undefined) body.temperature = o.temperature
  if (o.seed !== undefined) body.seed = o.seed
  if (o.stream) body.stream = true
  const requestBody = JSON.stringify(body)
  const endpoint = `${o.url.replace(/\/+$/, '')}/v1/proxy/chat/completions`
  const signals = [AbortSignal.timeout(o.timeoutMs ?? 120_000), ...(o.signal ? [o.signal] : [])]
  let res: Response
  try {
    res = await fetch(endpoint, {method: 'POST', headers: {'content-type': 'application/json', authorization: `Bearer ${o.apiKey}`}, body: requestBody, signal: AbortSignal.any(signals)})
  } catch (e) {
    throw networkError(`The provider at ${o.url} did not answer: ${(e as Error).message}`, {code: 'PROVIDER_UNREACHABLE', cause: e})
  }
  if (!res.ok) throw providerError(res.status, await res.text(), o.url)
  const headerId = res.headers.get('zg-res-key')
  if (!o.stream) {
    const responseBody = await res.text()
    const j = JSON.parse(responseBody) as {id: string; model: string; choices: Array<{message: {content: string}; finish_reason: string | null}>; usage?: ChatUsage}
    return {chatId: headerId ?? j.id, model: j.model, content: j.choices[0]?.message.content ?? '', finishReason: j.choices[0]?.finish_reason ?? null, usage: j.usage ?? null, requestBody, responseBody}
  }
  let responseBody = ''
  let content = ''
  let usage: ChatUsage | null = null
  let model = o.model ?? ''
  let finishReason: string | null = null
  let id = headerId ?? ''
  let pending = ''
  const decoder = new TextDecoder()
  for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
    const s = decoder.decode(part, {stream: true})
    responseBody += s
    pending += s
    let nl: number
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).trim()
      pending = pending.slice(nl + 1)
      if (!line.startsWith('data:')) continue
      const data = line.slice(5).trim()
      if (data === '[DONE]') continue
      try {
        const j = JSON.parse(data) as {id?: string; model?: string; usage?: ChatUsage; choices?: Array<{delta?: {content?: string}; finish_reason?: string | null}>}
        if (j.id && !id) id = j.id
        if (j.model) model = j.model
        if (j.usage) usage = j.usage
        for (const ch of j.choices ?? []) {
          if (ch.delta?.content) {
            content += ch.delta.content
            o.onToken?.(ch.delta.content)
          }
          if (ch.finish_reason) finishReason = ch.finish_reason
        }
      } catch {}
    }
  }
  return {chatId: id, model, content, finishReason, usage, requestBody, responseBody}
}

export interface SignatureCheck {
  verified: boolean
  signer: string
  expectedSigner: string
  /** The signed text matches sha256(what we sent):sha256(what we received). */
  matchesExchange: boolean
  text: string
  signature: string
}

/** Fetches the provider's signature of a chat and checks it the way the SDK does, and against our own bytes. */
export async function verifyChat(url: string, r: ChatResult, expectedSigner: string, signal?: AbortSignal): Promise<SignatureCheck> {
  const {responseSignatureText} = await import('./signing.js')
  const endpoint = `${url.replace(/\/+$/, '')}/v1/proxy/signature/${encodeURIComponent(r.chatId)}?model=${encodeURIComponent(r.model)}`
  let res: Response
  try {
    res = await fetch(endpoint, {signal: AbortSignal.any([AbortSignal.timeout(30_000), ...(signal ? [signal] : [])])})
  } catch (e) {
    throw networkError(`Could not fetch the signature of chat ${r.chatId}: ${(e as Error).message}`, {code: 'PROVIDER_UNREACHABLE', cause: e})
  }
  if (!res.ok) throw providerError(res.status, await res.text(), url)
  const s = (await res.json()) as ChatSignature
  const expectedText = responseSignatureText(r.requestBody, r.responseBody)
  const verified = verifyChatSignature(s.text, s.signature, expectedSigner)
  return {verified: verified && s.text === expectedText, signer: s.signing_address, expectedSigner, matchesExchange: s.text === expectedText, text: s.text, signature: s.signature}
}
