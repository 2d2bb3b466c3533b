import type {JsonRpcProvider, Wallet} from 'ethers'
import {authError} from '../errors.js'
import type {ComputeRefs} from './contracts.js'
import {chat, verifyChat, type ChatMessage, type ChatResult, type SignatureCheck} from './inference.js'
import {readSubAccount} from './ledger.js'
import {getInferenceProvider, type InferenceProviderView} from './providers.js'
import {createAppToken, EPHEMERAL_TOKEN_ID} from './token.js'

/**
 * One conversation with an inference provider: the service read from chain once, an API key (given, or an
 * ephemeral one signed by the wallet for this session), then per message: chat, fee, and the response signature
 * checked against the TEE signer registered on chain.
 */
export class ChatSession {
  private constructor(
    readonly service: InferenceProviderView,
    private readonly apiKey: string,
    readonly expectedSigner: string,
  ) {}

  static async open(o: {provider: JsonRpcProvider; refs: ComputeRefs; providerAddr: string; wallet?: Wallet; apiKey?: string}): Promise<ChatSession> {
    const service = await getInferenceProvider(o.provider, o.refs, o.providerAddr)
    let signer = service.teeSigner
    try {
      const info = JSON.parse(service.additionalInfo) as {TargetSeparated?: boolean; TargetTeeAddress?: string; ProviderType?: string}
      if (info.TargetSeparated && info.ProviderType !== 'centralized' && info.TargetTeeAddress) signer = info.TargetTeeAddress
    } catch {}
    let key = o.apiKey
    if (!key) {
      if (!o.wallet) throw authError('A chat needs an API key (--api-key) or a signer to make one (--account …).')
      const acc = await readSubAccount(o.provider, o.refs, 'inference', o.wallet.address, service.provider)
      key = (await createAppToken(o.wallet, {provider: service.provider, generation: Number(acc?.generation ?? 0n), tokenId: EPHEMERAL_TOKEN_ID, expiresInMs: 60 * 60 * 1000})).key
    }
    return new ChatSession(service, key, signer)
  }

  fee(usage: ChatResult['usage']): bigint {
    if (!usage) return 0n
    return BigInt(usage.prompt_tokens) * this.service.inputPrice + BigInt(usage.completion_tokens) * this.service.outputPrice
  }

  async send(messages: ChatMessage[], o: {model?: string; maxTokens?: number; temperature?: number; seed?: number; stream?: boolean; onToken?: (p: string) => void; signal?: AbortSignal; verify?: boolean} = {}): Promise<{result: ChatResult; fee: bigint; signature?: SignatureCheck}> {
    const result = await chat({url: this.service.url, apiKey: this.apiKey, model: o.model, messages, maxTokens: o.maxTokens, temperature: o.temperature, seed: o.seed, stream: o.stream, onToken: o.onToken, signal: o.signal})
    const signature = o.verify === false ? undefined : await verifyChat(this.service.url, result, this.expectedSigner, o.signal)
    return {result, fee: this.fee(result.usage), signature}
  }
}
