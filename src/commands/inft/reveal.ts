import {Args, Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {connect, signerFor} from '../../cli/chain.js'
import {jsonStreamFlag, networkFlag, signerFlags} from '../../cli/flags.js'
import {usageError} from '../../core/errors.js'
import type {AgentMetadata} from '../../core/inft/bundle.js'
import {c, keyValue} from '../../ui/format.js'

interface RevealView {
  tokenId: string
  owner: string
  reader: string
  role: string
  via: string
  dataRoot: string
  agent: string
  previousAgents: string[]
  createdAt: string
  metadata: AgentMetadata
}

export default class InftReveal extends ZgCommand<typeof InftReveal> {
  static summary = 'Decrypt an INFT\'s agent (owner or authorized user): its metadata, and its key with --reveal-key'
  static description = [
    'Checks on chain that the signer owns the token or is one of its authorized users, opens the data key sealed to the signer (published on chain at mint, transfer and rotate; authorized users get it through the oracle), downloads the ciphertext from 0G Storage and decrypts it.',
    'The agent private key is printed only with --reveal-key, only on a terminal and never under --json.',
  ].join('\n\n')
  static examples = ['<%= config.bin %> inft reveal 0 --account dev1', '<%= config.bin %> inft reveal 0 --account alice --reveal-key']
  static args = {id: Args.string({description: 'Token id', required: true})}
  static flags = {
    'reveal-key': Flags.boolean({description: 'Also print the agent\'s private key (terminal only)', env: 'ZG_INFT_REVEAL_KEY'}),
    ...networkFlag,
    ...signerFlags,
    ...jsonStreamFlag,
  }
  static steps = [
    {id: 'locate', title: 'Locate the ciphertext'},
    {id: 'download', title: 'Download from 0G Storage'},
    {id: 'keys', title: 'Open the sealed data key'},
  ]

  private revealedKey?: string

  async exec() {
    if (this.flags['reveal-key']) {
      if (this.mode.json) throw usageError('--reveal-key never prints a key inside --json output.', {code: 'REVEAL_REFUSED', suggestions: ['Run without --json on a terminal.']})
      if (!process.stdout.isTTY || !this.mode.interactive) {
        throw usageError('Refusing to print the agent key: --reveal-key works only on an interactive terminal.', {code: 'REVEAL_REFUSED', suggestions: ['Run it in a terminal (not piped, not in CI).']})
      }
    }
    const {parseTokenId} = await import('../../core/inft/contract.js')
    const id = parseTokenId(this.args.id)
    const {network, provider} = await connect(this.flags)
    try {
      const signer = await signerFor(this.flags, network, this.secretPrompt())
      for (const w of signer.warnings) this.warn(w)
      const {inftContext} = await import('../../core/inft/context.js')
      const {revealAgent} = await import('../../core/inft/service.js')
      const r = await this.withProgress((reporter) => revealAgent(inftContext({network, provider, reporter, signal: this.abort.signal}), {reader: signer.wallet, tokenId: id}))
      for (const w of r.warnings) this.warn(w)
      if (this.flags['reveal-key']) this.revealedKey = r.bundle.agent.reveal()
      const view: RevealView = {
        tokenId: r.tokenId,
        owner: r.owner,
        reader: signer.address,
        role: r.role,
        via: r.via,
        dataRoot: r.dataRoot,
        agent: r.bundle.agent.address,
        previousAgents: r.bundle.previousAgents.map((p) => p.key.address),
        createdAt: r.bundle.createdAt,
        metadata: r.bundle.metadata,
      }
      return view
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: RevealView) {
    const m = d.metadata
    const lines: Array<[string, unknown]> = [
      ['token', d.tokenId],
      ['you are', `${d.role} (${d.reader})`],
      ['name', m.name],
      ['description', m.description],
      ['model', m.model ? (m.model.asset ?? m.model.root) : undefined],
      ['agent', d.agent],
      ['previous agents', d.previousAgents.length ? d.previousAgents.join(', ') : undefined],
      ['tools', m.tools ? `${m.tools.length} tool(s)` : undefined],
      ['data root', d.dataRoot],
    ]
    let out = keyValue(lines)
    if (m.systemPrompt) out += `\n\n${c.bold('system prompt')}\n${m.systemPrompt}`
    if (m.tools?.length) out += `\n\n${c.bold('tools')}\n${JSON.stringify(m.tools, null, 2)}`
    if (m.memory !== undefined) out += `\n\n${c.bold('memory')}\n${JSON.stringify(m.memory, null, 2)}`
    if (this.revealedKey) {
      out += `\n\n${c.bold('agent private key')} ${c.yellow('(anyone who sees it controls the agent)')}\n${this.revealedKey}`
      this.revealedKey = undefined
    }
    return out
  }
}
