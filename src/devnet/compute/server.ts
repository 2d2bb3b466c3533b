import http from 'node:http'
import type {JsonRpcProvider, Wallet} from 'ethers'
import type {ComputeRefs} from '../../core/compute/contracts.js'
import {authorize, MIN_LOCKED_BALANCE} from './auth.js'
import type {Billing} from './billing.js'
import type {FineTuning} from './finetune.js'
import {HttpError, parseJson, readBody, sendError, sendJson} from './http.js'
import {promptTokens, serveLocalChat, serveTargetChat, validateChat, DEFAULT_MAX_TOKENS, SignatureStore, type ChatRequest, type Prices} from './inference.js'
import {BASE_MODEL, type ModelStore} from './models.js'

export interface ServerDeps {
  provider: JsonRpcProvider
  refs: ComputeRefs
  self: string
  teeSigner: Wallet
  models: ModelStore
  billing: Billing
  fineTuning: FineTuning
  prices: Prices
  target?: {url: string; model?: string; apiKey?: string}
  /** The model name registered on chain. */
  servedModel: string
  minLocked: bigint
  log: (l: string) => void
  signal: AbortSignal
  isRegistered: () => boolean
}

/** The provider's HTTP surface: 0G's inference broker routes and its fine-tuning task API, on one port. */
export function createProviderServer(d: ServerDeps): http.Server {
  const signatures = new SignatureStore()
  const route = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://provider')
    const p = url.pathname.replace(/\/+$/, '') || '/'
    const m = req.method ?? 'GET'
    let g: RegExpExecArray | null

    if (m === 'GET' && p === '/health') return sendJson(res, 200, {ok: true, provider: d.self, modelReady: d.target ? true : d.models.isReady(), registered: d.isRegistered()})
    if (m === 'GET' && p === '/v1/quote') return sendJson(res, 200, devQuote(d.teeSigner.address, d.self))
    if (m === 'GET' && (p === '/v1/models' || p === '/v1/proxy/models')) {
      const created = Math.floor(Date.now() / 1000)
      const data = [{id: d.servedModel, object: 'model', created, owned_by: d.self}]
      if (!d.target) {
        const owner = url.searchParams.get('user') ?? undefined
        for (const e of d.models.list(owner)) if (e.name !== BASE_MODEL) data.push({id: e.name, object: 'model', created, owned_by: d.self})
      }
      return sendJson(res, 200, {object: 'list', data})
    }
    if (m === 'GET' && p === '/v1/service') {
      return sendJson(res, 200, {provider: d.self, teeSigner: d.teeSigner.address, model: d.servedModel, inputPrice: d.prices.input.toString(), outputPrice: d.prices.output.toString(), target: d.target ? 'external' : 'built-in', development: true})
    }
    if (m === 'POST' && p === '/v1/proxy/chat/completions') {
      const body = await readBody(req)
      const chat = parseJson<ChatRequest>(body)
      const {messages, maxTokens} = validateChat(chat)
      const estimate = BigInt(promptTokens(messages)) * d.prices.input + BigInt(maxTokens ?? DEFAULT_MAX_TOKENS) * d.prices.output
      const auth = await authorize(req.headers.authorization, {provider: d.provider, refs: d.refs, self: d.self, estimate, unsettled: (u) => d.billing.unsettled(u), minLocked: d.minLocked})
      const ctx = {user: auth.user, models: d.models, prices: d.prices, billing: d.billing, signatures, teeSigner: d.teeSigner}
      const wantsBase = !chat.model || chat.model === d.servedModel || chat.model === BASE_MODEL
      if (d.target && wantsBase) return serveTargetChat(res, body, chat, d.target, ctx, d.signal)
      if (!d.target && chat.model === d.servedModel) chat.model = BASE_MODEL
      return serveLocalChat(res, body, chat, ctx)
    }
    if (m === 'GET' && (g = /^\/v1\/proxy\/signature\/([^/]+)$/.exec(p))) {
      const s = signatures.get(decodeURIComponent(g[1]!))
      if (!s) throw new HttpError(404, 'signature_not_found', `No signature for chat ${g[1]} (unknown id, or older than this provider's memory).`)
      return sendJson(res, 200, s)
    }
    if (m === 'GET' && (g = /^\/v1\/user\/(0x[0-9a-fA-F]{40})\/unsettledfee$/.exec(p))) {
      const auth = await authorize(req.headers.authorization, {provider: d.provider, refs: d.refs, self: d.self})
      if (auth.user.toLowerCase() !== g[1]!.toLowerCase()) throw new HttpError(403, 'wrong_user', `The API key belongs to ${auth.user}, not ${g[1]}.`)
      return sendJson(res, 200, {unsettledFee: d.billing.unsettled(auth.user).toString()})
    }
    if (m === 'POST' && p === '/v1/settle') {
      await d.billing.settle()
      return sendJson(res, 200, {ok: true})
    }

    // --- fine-tuning ---
    if (m === 'GET' && p === '/v1/task/pending') {
      const text = String(d.fineTuning.pending())
      res.writeHead(200, {'content-type': 'text/plain'})
      return res.end(text)
    }
    if (m === 'GET' && p === '/v1/model') return sendJson(res, 200, d.fineTuning.listModels())
    if (m === 'GET' && (g = /^\/v1\/model\/([^/]+)$/.exec(p))) {
      const model = d.fineTuning.listModels().find((x) => x.name === decodeURIComponent(g![1]!))
      if (!model) throw new HttpError(404, 'model_not_found', `No fine-tuning model named ${g[1]}.`)
      return sendJson(res, 200, model)
    }
    if ((g = /^\/v1\/user\/(0x[0-9a-fA-F]{40})\/task(?:\/([0-9a-fA-F-]{36})(\/log|\/cancel)?)?$/.exec(p))) {
      const [, user, id, sub] = g as unknown as [string, string, string | undefined, string | undefined]
      if (m === 'POST' && !id) return sendJson(res, 200, await d.fineTuning.create(user, parseJson<Record<string, unknown>>(await readBody(req))))
      if (m === 'GET' && !id) {
        const list = d.fineTuning.list(user)
        return sendJson(res, 200, url.searchParams.get('latest') === 'true' ? list.slice(0, 1) : list)
      }
      if (m === 'GET' && id && !sub) return sendJson(res, 200, d.fineTuning.public(d.fineTuning.get(user, id)))
      if (m === 'GET' && id && sub === '/log') {
        const text = d.fineTuning.log(user, id)
        res.writeHead(200, {'content-type': 'text/plain; charset=utf-8'})
        return res.end(text)
      }
      if (m === 'POST' && id && sub === '/cancel') {
        const b = parseJson<{signature?: string}>(await readBody(req))
        return sendJson(res, 200, d.fineTuning.cancel(user, id, String(b.signature ?? '')))
      }
    }
    throw new HttpError(404, 'not_found', `No route ${m} ${p}.`)
  }

  return http.createServer((req, res) => {
    route(req, res).catch((e: unknown) => {
      if (res.headersSent) {
        d.log(`error after the response started: ${(e as Error).message}`)
        res.end()
        return
      }
      if (e instanceof HttpError) return sendError(res, e)
      d.log(`internal error on ${req.method} ${req.url}: ${(e as Error).stack ?? e}`)
      sendError(res, new HttpError(500, 'internal_error', `The provider failed: ${(e as Error).message}`))
    })
  })
}

/**
 * dstack-shaped attestation, but produced by software: nothing here comes from TEE hardware, and it says so.
 * report_data = base64 of the signer address, NUL-padded to 64 bytes (what the SDK compares with the chain).
 */
export function devQuote(signer: string, provider: string) {
  const reportData = Buffer.alloc(64)
  Buffer.from(signer, 'utf8').copy(reportData)
  return {
    development: true,
    warning: 'DEVELOPMENT ATTESTATION: produced by the zg devnet in software, not by TEE hardware. It proves nothing about where this code runs.',
    quote: Buffer.from(`zg-devnet-development-attestation:${signer}`).toString('hex'),
    event_log: '[]',
    report_data: reportData.toString('base64'),
    signing_address: signer,
    provider,
    vm_config: JSON.stringify({zg_devnet: true}),
    tcb_info: {development: true},
  }
}

export {MIN_LOCKED_BALANCE}
