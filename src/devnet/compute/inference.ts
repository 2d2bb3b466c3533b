import {randomUUID} from 'node:crypto'
import type {IncomingMessage, ServerResponse} from 'node:http'
import type {Wallet} from 'ethers'
import {chatPrompt, DEFAULT_LM_CONFIG, encode, generate, type ChatMessage} from '../../core/compute/tinylm.js'
import {responseSignatureText, sha256Hex, signChat, type ChatSignature} from '../../core/compute/signing.js'
import type {Billing} from './billing.js'
import {HttpError, sendJson} from './http.js'
import {BASE_MODEL, type ModelStore} from './models.js'

export interface ChatRequest {
  model?: string
  messages?: ChatMessage[]
  max_tokens?: number
  max_completion_tokens?: number
  temperature?: number
  top_k?: number
  seed?: number
  stream?: boolean
  stop?: string | string[]
  stream_options?: {include_usage?: boolean}
}

export interface Prices {
  input: bigint
  output: bigint
}

export interface Usage {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
}

export const DEFAULT_MAX_TOKENS = 160
export const MAX_TOKENS_CAP = 1024

/** Signatures of recent chats, by chat id (GET /v1/proxy/signature/{id}). */
export class SignatureStore {
  private readonly map = new Map<string, ChatSignature>()
  constructor(private readonly cap = 10_000) {}
  set(id: string, s: ChatSignature) {
    this.map.set(id, s)
    if (this.map.size > this.cap) this.map.delete(this.map.keys().next().value!)
  }
  get(id: string) {
    return this.map.get(id)
  }
}

export function validateChat(req: ChatRequest): {messages: ChatMessage[]; maxTokens: number} {
  if (!Array.isArray(req.messages) || req.messages.length === 0) throw new HttpError(400, 'invalid_request', '"messages" must be a non-empty array of {role, content}.')
  for (const m of req.messages) {
    if (!m || typeof m !== 'object' || typeof m.role !== 'string') throw new HttpError(400, 'invalid_request', 'Every message needs a "role" and a "content".')
    if (Array.isArray(m.content)) m.content = (m.content as Array<{type?: string; text?: string}>).map((p) => (p?.type === 'text' ? p.text ?? '' : '')).join(' ')
    if (typeof m.content !== 'string') throw new HttpError(400, 'invalid_request', 'Message "content" must be text.')
  }
  const maxTokens = Number(req.max_completion_tokens ?? req.max_tokens ?? DEFAULT_MAX_TOKENS)
  if (!Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > MAX_TOKENS_CAP) throw new HttpError(400, 'invalid_request', `"max_tokens" must be 1..${MAX_TOKENS_CAP}.`)
  return {messages: req.messages, maxTokens}
}

/** Tokens of a prompt for billing before generation: the model's tokens are characters. */
export function promptTokens(messages: ChatMessage[]): number {
  const prompt = chatPrompt(messages)
  return encode(prompt, DEFAULT_LM_CONFIG).length
}

/**
 * Serves one chat completion from the local model: OpenAI's response shape (or SSE chunks with usage in the last
 * chunk before [DONE]), the chat id in ZG-Res-Key, the signature of sha256(request):sha256(response) kept for
 * GET /v1/proxy/signature/{id}, and the fee recorded for settlement.
 */
export async function serveLocalChat(
  res: ServerResponse,
  body: Buffer,
  req: ChatRequest,
  ctx: {user: string; models: ModelStore; prices: Prices; billing: Billing; signatures: SignatureStore; teeSigner: Wallet},
): Promise<void> {
  const {messages, maxTokens} = validateChat(req)
  const entry = await ctx.models.get(req.model)
  if (!entry || (entry.owner && entry.owner.toLowerCase() !== ctx.user.toLowerCase())) {
    throw new HttpError(404, 'model_not_found', `This provider serves no model "${req.model}" for ${ctx.user}. See GET /v1/models.`)
  }
  const prompt = chatPrompt(messages)
  const usagePrompt = encode(prompt, entry.weights.config).length
  const id = `chatcmpl-${randomUUID()}`
  const created = Math.floor(Date.now() / 1000)
  const stops = ['\n', ...(Array.isArray(req.stop) ? req.stop : req.stop ? [req.stop] : [])]
  const seed = Number.isInteger(req.seed) ? Number(req.seed) : Math.floor(Math.random() * 2 ** 31)
  const temperature = typeof req.temperature === 'number' ? Math.max(0, Math.min(req.temperature, 2)) : 0.6
  const model = entry.name

  let sent = ''
  const headers = {'ZG-Res-Key': id, 'access-control-expose-headers': 'ZG-Res-Key'}
  let usage: Usage
  if (req.stream) {
    res.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...headers})
    const write = (obj: unknown) => {
      const line = `data: ${JSON.stringify(obj)}\n\n`
      sent += line
      res.write(line)
    }
    const chunk = (delta: Record<string, unknown>, finish: string | null) => ({id, object: 'chat.completion.chunk', created, model, choices: [{index: 0, delta, finish_reason: finish}]})
    write(chunk({role: 'assistant', content: ''}, null))
    let first = true
    const g = generate(entry.weights, prompt, {
      maxTokens,
      temperature,
      topK: req.top_k,
      seed,
      stop: stops,
      onToken: (piece) => {
        // The first character after "A:" is the space the corpus puts there; it is not part of the answer.
        if (first && piece === ' ') {
          first = false
          return
        }
        first = false
        write(chunk({content: piece}, null))
      },
    })
    usage = {prompt_tokens: usagePrompt, completion_tokens: g.tokens, total_tokens: usagePrompt + g.tokens}
    write(chunk({}, g.finishReason))
    write({id, object: 'chat.completion.chunk', created, model, choices: [], usage})
    sent += 'data: [DONE]\n\n'
    res.end('data: [DONE]\n\n')
  } else {
    const g = generate(entry.weights, prompt, {maxTokens, temperature, topK: req.top_k, seed, stop: stops})
    usage = {prompt_tokens: usagePrompt, completion_tokens: g.tokens, total_tokens: usagePrompt + g.tokens}
    sent = sendJson(
      res,
      200,
      {id, object: 'chat.completion', created, model, choices: [{index: 0, message: {role: 'assistant', content: g.text.replace(/^ /, '')}, finish_reason: g.finishReason}], usage},
      headers,
    )
  }
  await record(id, body, sent, usage, ctx)
}

export async function record(id: string, body: Buffer, sent: string, usage: Usage, ctx: {user: string; prices: Prices; billing: Billing; signatures: SignatureStore; teeSigner: Wallet}): Promise<void> {
  const fee = BigInt(usage.prompt_tokens) * ctx.prices.input + BigInt(usage.completion_tokens) * ctx.prices.output
  ctx.billing.add(ctx.user, fee, sha256Hex(body))
  ctx.signatures.set(id, await signChat(ctx.teeSigner, responseSignatureText(body, sent)))
}

/**
 * Forwards a chat to an OpenAI-compatible server (llama.cpp, Ollama, vLLM …) like 0G's broker in front of its
 * model: the body goes through unchanged (the model renamed to the target's), the answer comes back unchanged
 * (streamed as it arrives) plus ZG-Res-Key, and usage (from the target, or counted) is billed and signed.
 */
export async function serveTargetChat(
  res: ServerResponse,
  body: Buffer,
  req: ChatRequest,
  target: {url: string; model?: string; apiKey?: string},
  ctx: {user: string; prices: Prices; billing: Billing; signatures: SignatureStore; teeSigner: Wallet},
  signal: AbortSignal,
): Promise<void> {
  validateChat(req)
  const out: ChatRequest = {...req}
  if (target.model) out.model = target.model
  if (out.stream) out.stream_options = {...(out.stream_options ?? {}), include_usage: true}
  let upstream: Response
  try {
    upstream = await fetch(`${target.url.replace(/\/+$/, '')}/chat/completions`, {
      method: 'POST',
      headers: {'content-type': 'application/json', ...(target.apiKey ? {authorization: `Bearer ${target.apiKey}`} : {})},
      body: JSON.stringify(out),
      signal,
    })
  } catch (e) {
    throw new HttpError(502, 'target_unreachable', `The model server behind this provider (${target.url}) did not answer: ${(e as Error).message}`)
  }
  const id = `chatcmpl-${randomUUID()}`
  if (!upstream.ok) {
    const text = await upstream.text()
    throw new HttpError(502, 'target_error', `The model server behind this provider answered ${upstream.status}: ${text.slice(0, 500)}`)
  }
  const ctype = upstream.headers.get('content-type') ?? 'application/json'
  res.writeHead(200, {'content-type': ctype, 'ZG-Res-Key': id, 'access-control-expose-headers': 'ZG-Res-Key'})
  let sent = ''
  const decoder = new TextDecoder()
  for await (const part of upstream.body as unknown as AsyncIterable<Uint8Array>) {
    const s = decoder.decode(part, {stream: true})
    sent += s
    res.write(part)
  }
  res.end()
  const usage = usageOf(sent, promptTokens(req.messages ?? []))
  await record(id, body, sent, usage, ctx)
}

/** Usage from an OpenAI response or SSE stream; counted (≈ 4 characters a token) when the server gave none. */
function usageOf(sent: string, promptEstimate: number): Usage {
  const objs: Array<{usage?: Usage; choices?: Array<{message?: {content?: string}; delta?: {content?: string}}>}> = []
  if (sent.trimStart().startsWith('{')) {
    try {
      objs.push(JSON.parse(sent))
    } catch {}
  } else {
    for (const line of sent.split('\n')) {
      const m = /^data:\s*(.*)$/.exec(line.trim())
      if (!m || m[1] === '[DONE]') continue
      try {
        objs.push(JSON.parse(m[1]!))
      } catch {}
    }
  }
  const withUsage = objs.filter((o) => o.usage).at(-1)
  if (withUsage?.usage) {
    const u = withUsage.usage
    return {prompt_tokens: u.prompt_tokens ?? 0, completion_tokens: u.completion_tokens ?? 0, total_tokens: u.total_tokens ?? (u.prompt_tokens ?? 0) + (u.completion_tokens ?? 0)}
  }
  const text = objs.map((o) => o.choices?.map((c) => c.message?.content ?? c.delta?.content ?? '').join('') ?? '').join('')
  const completion = Math.ceil(text.length / 4)
  const prompt = Math.ceil(promptEstimate / 4)
  return {prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion}
}

export {BASE_MODEL}
