import {Args, Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {signerFor} from '../../cli/chain.js'
import {computeConnect, parseDuration} from '../../cli/compute.js'
import {networkFlag, signerFlags} from '../../cli/flags.js'
import {usageError} from '../../core/errors.js'
import {keyValue} from '../../ui/format.js'

export default class ComputeToken extends ZgCommand<typeof ComputeToken> {
  static summary = 'Make an app-sk API key for a provider (works with any OpenAI client)'
  static description =
    'Signs a persistent key (id 0–254) with your wallet, in the format 0G\'s SDK uses, for the provider\'s OpenAI-compatible endpoint {url}/v1/proxy. Nothing is sent on chain; revoke the key on chain with `zg compute revoke`. Anyone holding the key can spend from your sub-account with this provider until it expires or is revoked.'
  static examples = [
    '<%= config.bin %> compute token --account dev1',
    '<%= config.bin %> compute token 0x… --id 3 --expires 7d --account dev1 --json',
    'OPENAI_BASE_URL=$(zg compute providers --json | jq -r .data.providers[0].url)/v1/proxy OPENAI_API_KEY=$(zg compute token --account dev1 --json | jq -r .data.apiKey) your-openai-app',
  ]
  static args = {provider: Args.string({description: 'Provider address (default: the only provider on the network)'})}
  static flags = {
    expires: Flags.string({description: 'Lifetime: 30m, 12h, 7d … or "never"', default: 'never', env: 'ZG_TOKEN_EXPIRES'}),
    id: Flags.integer({description: 'Key id 0–254 (default: the lowest one not revoked)', min: 0, max: 254, env: 'ZG_TOKEN_ID'}),
    ...networkFlag,
    ...signerFlags,
  }

  async exec() {
    const expiresIn = await parseDuration(this.flags.expires, '--expires')
    const {provider, refs, network} = await computeConnect(this.flags)
    try {
      const {pickProvider, getInferenceProvider} = await import('../../core/compute/providers.js')
      const target = await pickProvider(provider, refs, 'inference', this.args.provider)
      const svc = await getInferenceProvider(provider, refs, target)
      const s = await signerFor(this.flags, network, this.secretPrompt())
      for (const w of s.warnings) this.warn(w)
      const {readSubAccount} = await import('../../core/compute/ledger.js')
      const acc = await readSubAccount(provider, refs, 'inference', s.address, target)
      if (!acc) this.warn(`You have no sub-account with ${target} yet: the key will be refused until you run \`zg compute ack ${target}\`.`)
      const bitmap = acc?.revokedBitmap ?? 0n
      let id = this.flags.id
      if (id === undefined) {
        id = 0
        while (id < 255 && ((bitmap >> BigInt(id)) & 1n) === 1n) id++
        if (id >= 255) throw usageError('All 255 key ids are revoked: revoke all keys (zg compute revoke --all) to start a new generation.')
      } else if (((bitmap >> BigInt(id)) & 1n) === 1n) {
        throw usageError(`Key id ${id} is revoked for this provider; pick another --id, or revoke all keys to reset.`, {code: 'TOKEN_ID_REVOKED'})
      }
      const {createAppToken} = await import('../../core/compute/token.js')
      const {key, token} = await createAppToken(s.wallet, {provider: target, generation: Number(acc?.generation ?? 0n), tokenId: id, expiresInMs: expiresIn})
      return {
        network: network.name,
        provider: target,
        user: s.address,
        apiKey: key,
        tokenId: token.tokenId,
        generation: token.generation,
        createdAt: new Date(token.timestamp).toISOString(),
        expiresAt: token.expiresAt ? new Date(token.expiresAt).toISOString() : null,
        baseUrl: `${svc.url.replace(/\/+$/, '')}/v1/proxy`,
        model: svc.model,
      }
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: Awaited<ReturnType<ComputeToken['exec']>>) {
    if (!process.stdout.isTTY) return d.apiKey
    return keyValue([
      ['api key', d.apiKey],
      ['key id', d.tokenId],
      ['expires', d.expiresAt ?? 'never'],
      ['base URL', d.baseUrl],
      ['model', d.model],
      ['revoke', `zg compute revoke ${d.provider} --id ${d.tokenId}`],
    ])
  }
}
