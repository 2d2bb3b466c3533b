import {Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {signerFor} from '../../cli/chain.js'
import {computeConnect, providerFlag} from '../../cli/compute.js'
import {networkFlag, signerFlags} from '../../cli/flags.js'
import {ExitCode, usageError, ZgError} from '../../core/errors.js'
import {c} from '../../ui/format.js'

interface OneShot {
  provider: string | null
  model: string
  answer: string
  chatId: string | null
  usage: {prompt_tokens: number; completion_tokens: number; total_tokens: number} | null
  fee: string
  feeNeuron: string
  signature: {verified: boolean; signer: string; expectedSigner: string; matchesExchange: boolean} | null
  local: boolean
}

export default class ComputeChat extends ZgCommand<typeof ComputeChat> {
  static summary = 'Chat with a provider\'s model: one answer with -m, an interactive chat on a terminal otherwise'
  static description =
    'Every answer\'s signature (sha256 of the request and response, signed by the provider\'s TEE key) is fetched and checked against the signer on chain; --json adds usage, the fee (prices from chain) and the check. Authenticates with --api-key, or signs a one-hour session key with your account. --local-model runs a downloaded fine-tuned model (model.zglm, or the job\'s model.zip) on this machine instead.'
  static examples = [
    '<%= config.bin %> compute chat -m "what is 0G storage?" --account dev1',
    '<%= config.bin %> compute chat --api-key "$KEY" -m "hello" --json',
    '<%= config.bin %> compute chat --model ft-zg-tinylm-chat-1234abcd-5678 -m "hi" --account dev1',
    '<%= config.bin %> compute chat --local-model ./job/model.zglm -m "hi"',
  ]
  static flags = {
    message: Flags.string({char: 'm', description: 'Ask this and print the answer (no interactive chat)', env: 'ZG_CHAT_MESSAGE'}),
    model: Flags.string({description: 'Model to ask (default: the provider\'s model; a fine-tuned one by its ft-… name)', env: 'ZG_CHAT_MODEL'}),
    system: Flags.string({description: 'System prompt', env: 'ZG_CHAT_SYSTEM'}),
    'api-key': Flags.string({description: 'An app-sk key from `zg compute token` (instead of signing a session key)', env: 'ZG_COMPUTE_API_KEY'}),
    'max-tokens': Flags.integer({description: 'Longest answer, in tokens', min: 1, max: 1024, env: 'ZG_CHAT_MAX_TOKENS'}),
    temperature: Flags.string({description: 'Sampling temperature (0–2)', env: 'ZG_CHAT_TEMPERATURE'}),
    seed: Flags.integer({description: 'Sampling seed, for repeatable answers', env: 'ZG_CHAT_SEED'}),
    'local-model': Flags.string({description: 'Run this downloaded model file (model.zglm or model.zip) locally', env: 'ZG_CHAT_LOCAL_MODEL'}),
    'no-verify': Flags.boolean({description: 'Skip the response signature check', env: 'ZG_CHAT_NO_VERIFY'}),
    ...providerFlag,
    ...networkFlag,
    ...signerFlags,
  }

  async exec() {
    const temperature = this.flags.temperature === undefined ? undefined : Number(this.flags.temperature)
    if (temperature !== undefined && !(temperature >= 0 && temperature <= 2)) throw usageError('--temperature must be between 0 and 2')
    if (this.flags['local-model']) {
      if (!this.flags.message) throw usageError('--local-model needs -m "your question".')
      return this.local(this.flags['local-model'], this.flags.message, temperature)
    }
    if (!this.flags.message) {
      this.requireInteractive({message: 'An interactive chat needs a terminal', flag: '-m "your question"', env: 'ZG_CHAT_MESSAGE'})
    }
    const {provider, refs, network} = await computeConnect(this.flags)
    try {
      const {pickProvider} = await import('../../core/compute/providers.js')
      const target = await pickProvider(provider, refs, 'inference', this.flags.provider)
      const wallet = this.flags['api-key'] ? undefined : (await signerFor(this.flags, network, this.secretPrompt())).wallet
      const {ChatSession} = await import('../../core/compute/session.js')
      const session = await ChatSession.open({provider, refs, providerAddr: target, wallet, apiKey: this.flags['api-key']})
      const messages: Array<{role: 'system' | 'user'; content: string}> = this.flags.system ? [{role: 'system', content: this.flags.system}] : []
      if (!this.flags.message) {
        const {runChatUi} = await import('../../ui/compute-chat.js')
        const turns = await runChatUi({session, model: this.flags.model, system: this.flags.system, maxTokens: this.flags['max-tokens'], temperature, signal: this.abort.signal, verify: !this.flags['no-verify']})
        return {provider: target, turns}
      }
      messages.push({role: 'user', content: this.flags.message})
      const {formatEther} = await import('ethers')
      const r = await session.send(messages as never, {model: this.flags.model, maxTokens: this.flags['max-tokens'], temperature, seed: this.flags.seed, signal: this.abort.signal, verify: !this.flags['no-verify']})
      const out: OneShot = {
        provider: target,
        model: r.result.model,
        answer: r.result.content,
        chatId: r.result.chatId,
        usage: r.result.usage,
        fee: formatEther(r.fee),
        feeNeuron: r.fee.toString(),
        signature: r.signature ? {verified: r.signature.verified, signer: r.signature.signer, expectedSigner: r.signature.expectedSigner, matchesExchange: r.signature.matchesExchange} : null,
        local: false,
      }
      if (r.signature && !r.signature.verified) {
        throw new ZgError(`The answer's signature does NOT verify: signed by ${r.signature.signer}, expected ${r.signature.expectedSigner}${r.signature.matchesExchange ? '' : '; the signed hashes do not match what was sent and received'}.`, {
          code: 'SIGNATURE_INVALID',
          exit: ExitCode.UNEXPECTED,
          details: {...out},
          suggestions: ['Do not trust this answer; check the provider with: zg compute providers'],
        })
      }
      return out
    } finally {
      provider.destroy()
    }
  }

  private async local(file: string, message: string, temperature?: number): Promise<OneShot> {
    const fs = await import('node:fs')
    const {deserialize, generate, chatPrompt} = await import('../../core/compute/tinylm.js')
    const {readZip} = await import('../../core/compute/zip.js')
    let buf: Buffer
    try {
      buf = fs.readFileSync(file)
    } catch {
      throw usageError(`Cannot read ${file}.`, {code: 'FILE_NOT_FOUND'})
    }
    if (buf.subarray(0, 4).toString('latin1') === 'PK\x03\x04') {
      const entry = readZip(buf).find((e) => e.name.endsWith('.zglm'))
      if (!entry) throw usageError(`${file} holds no .zglm model.`)
      buf = entry.data
    }
    let m
    try {
      m = deserialize(buf)
    } catch (e) {
      throw usageError(`${file} is not a zg model: ${(e as Error).message}`)
    }
    const g = generate(m.weights, chatPrompt([{role: 'user', content: message}]), {maxTokens: this.flags['max-tokens'] ?? 160, temperature: temperature ?? 0.6, seed: this.flags.seed ?? Math.floor(Math.random() * 2 ** 31), stop: ['\n']})
    const answer = g.text.replace(/^ /, '')
    return {provider: null, model: String(m.meta.name), answer, chatId: null, usage: {prompt_tokens: 0, completion_tokens: g.tokens, total_tokens: g.tokens}, fee: '0', feeNeuron: '0', signature: null, local: true}
  }

  protected override render(d: OneShot | {provider: string; turns: number}) {
    if ('turns' in d) return
    const lines = [d.answer]
    if (d.signature) process.stderr.write(c.dim(`${d.signature.verified ? c.green('✔ signature verified') : c.red('✘ signature invalid')} (TEE signer ${d.signature.expectedSigner}) · ${d.usage?.total_tokens ?? '?'} tokens · fee ${d.fee} 0G\n`))
    return lines.join('\n')
  }
}
