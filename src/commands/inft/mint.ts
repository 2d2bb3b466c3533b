import fs from 'node:fs'
import {Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {connect, signerFor, txOptions} from '../../cli/chain.js'
import {jsonStreamFlag, networkFlag, signerFlags, txFlags, yesFlag} from '../../cli/flags.js'
import {notFound, usageError} from '../../core/errors.js'
import type {AgentKey as AgentKeyT} from '../../core/inft/bundle.js'
import {keyValue} from '../../ui/format.js'

export default class InftMint extends ZgCommand<typeof InftMint> {
  static summary = 'Mint an Intelligent NFT whose encrypted payload is an AI agent (its own key + metadata)'
  static description = [
    'Builds the agent bundle (agent private key, name, description, model, system prompt, tools, memory), encrypts it with AES-256-GCM under a fresh data key, uploads the ciphertext to 0G Storage, seals the data key (ECIES) to the owner and to the network\'s re-encryption oracle, and mints the token with the storage root as its data hash.',
    'On a terminal it asks for what is missing (name, model, prompt, generate or import the agent key, confirm the fee); otherwise pass --name and --generate-agent-key or --agent-key-file. The agent key is never printed: use `zg inft reveal --reveal-key` on a terminal.',
  ].join('\n\n')
  static examples = [
    '<%= config.bin %> inft mint',
    '<%= config.bin %> inft mint --account dev1 --name "Research agent" --model 0x…root --prompt-file prompt.txt --generate-agent-key --yes',
    '<%= config.bin %> inft mint --name trader --agent-key-file agent.key --to 0x… --to-pubkey 0x… --yes --json',
  ]
  static flags = {
    name: Flags.string({description: 'Agent name', env: 'ZG_INFT_NAME'}),
    description: Flags.string({description: 'Agent description', env: 'ZG_INFT_DESCRIPTION'}),
    model: Flags.string({description: 'Model: a 0G Storage root (0x…) or a registered model asset name', env: 'ZG_INFT_MODEL'}),
    'prompt-file': Flags.string({description: 'File holding the agent\'s system prompt', env: 'ZG_INFT_PROMPT_FILE'}),
    'tools-file': Flags.string({description: 'JSON file with the agent\'s tool definitions (an array)', env: 'ZG_INFT_TOOLS_FILE'}),
    'memory-file': Flags.string({description: 'JSON file with the agent\'s initial memory', env: 'ZG_INFT_MEMORY_FILE'}),
    'generate-agent-key': Flags.boolean({description: 'Generate a fresh agent private key', env: 'ZG_INFT_GENERATE_AGENT_KEY', exclusive: ['agent-key-file']}),
    'agent-key-file': Flags.string({description: 'Import the agent private key from this file (64 hex digits)', env: 'ZG_INFT_AGENT_KEY_FILE', exclusive: ['generate-agent-key']}),
    to: Flags.string({description: 'Owner of the new token (default: the signer)', env: 'ZG_INFT_TO'}),
    'to-pubkey': Flags.string({description: 'Public key of --to (needed to seal the data key to it when it is not the signer)', env: 'ZG_INFT_TO_PUBKEY'}),
    ...networkFlag,
    ...signerFlags,
    ...txFlags,
    ...yesFlag,
    ...jsonStreamFlag,
  }
  static steps = [
    {id: 'encrypt', title: 'Encrypt the agent bundle'},
    {id: 'hash', title: 'Hash the ciphertext'},
    {id: 'submit', title: 'Submit to 0G Storage'},
    {id: 'upload', title: 'Upload segments'},
    {id: 'finalize', title: 'Wait for the storage nodes'},
    {id: 'seal', title: 'Seal the data key'},
    {id: 'mint', title: 'Mint the token'},
  ]

  async exec() {
    const f = this.flags
    const {AgentKey, checkMetadata, parseModelRef, checkedAddress} = await import('../../core/inft/bundle.js')
    // Metadata: flags first, then the wizard on a terminal.
    let name = f.name
    if (name === undefined) name = await this.promptText({message: 'Agent name', flag: '--name', env: 'ZG_INFT_NAME', validate: (v) => (v.trim() ? undefined : 'a name is required')})
    let model = f.model
    let systemPrompt = f['prompt-file'] !== undefined ? readText(f['prompt-file'], '--prompt-file') : undefined
    const wizard = this.mode.interactive
    if (wizard && model === undefined) model = (await this.promptText({message: 'Model (0G Storage root or registered asset; empty for none)', flag: '--model'})).trim() || undefined
    if (wizard && systemPrompt === undefined) systemPrompt = (await this.promptText({message: 'System prompt (empty for none; --prompt-file for long ones)', flag: '--prompt-file'})) || undefined
    const metadata = checkMetadata({
      name,
      description: f.description,
      model: model ? parseModelRef(model) : undefined,
      systemPrompt,
      tools: f['tools-file'] !== undefined ? (readJson(f['tools-file'], '--tools-file') as unknown[]) : undefined,
      memory: f['memory-file'] !== undefined ? readJson(f['memory-file'], '--memory-file') : undefined,
    })

    let agentKey: AgentKeyT
    if (f['agent-key-file'] !== undefined) {
      const file = f['agent-key-file']
      agentKey = AgentKey.fromHex(readText(file, '--agent-key-file'), `--agent-key-file ${file}`)
      if (process.platform !== 'win32' && (fs.statSync(file).mode & 0o077) !== 0) this.warn(`${file} is readable by other users; restrict it with: chmod 600 ${file}`)
    } else if (f['generate-agent-key']) agentKey = AgentKey.generate()
    else {
      const how = await this.promptSelect({
        message: 'Agent key',
        flag: '--generate-agent-key or --agent-key-file',
        choices: [
          {label: 'Generate a fresh key', value: 'generate'},
          {label: 'Import an existing key', value: 'import'},
        ],
      })
      agentKey = how === 'generate' ? AgentKey.generate() : AgentKey.fromHex(await this.promptText({message: 'Agent private key (hex)', flag: '--agent-key-file', mask: true}), 'the agent key')
    }

    const {network, provider} = await connect(this.flags)
    try {
      const signer = await signerFor(this.flags, network, this.secretPrompt())
      for (const w of signer.warnings) this.warn(w)
      const to = f.to !== undefined ? checkedAddress(f.to, '--to') : signer.address
      if (f['to-pubkey'] !== undefined && f.to === undefined) throw usageError('--to-pubkey only goes with --to.')
      const {inftContext} = await import('../../core/inft/context.js')
      const {callContract} = await import('../../core/chain/send.js')
      const {nftRef} = await import('../../core/inft/contract.js')
      const {formatEther} = await import('ethers')
      const tx = await txOptions(this.flags, network)
      const probe = inftContext({network, provider})
      const fee = await callContract<bigint>(provider, nftRef(probe.nft), 'getMintFee')
      const ok = await this.confirm(`mint agent "${metadata.name}" (${agentKey.address}) to ${to} on ${network.name}: mint fee ${formatEther(fee)} 0G plus storage and gas`, f.yes)
      if (!ok) return {minted: false}
      const {mintAgent} = await import('../../core/inft/service.js')
      const r = await this.withProgress((reporter) => {
        const ctx = inftContext({network, provider, payer: async () => signer.wallet, reporter, signal: this.abort.signal, tx})
        return mintAgent(ctx, {signer: signer.wallet, metadata, agentKey, to, toPublicKey: f['to-pubkey']})
      })
      for (const w of r.warnings) this.warn(w)
      const {warnings: _w, ...data} = r
      return {minted: true, network: network.name, name: metadata.name, ...data}
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: {minted: boolean; tokenId?: string; agent?: string; dataRoot?: string; txHash?: string; owner?: string; name?: string}) {
    if (!d.minted) return 'cancelled'
    return keyValue([
      ['token', d.tokenId],
      ['name', d.name],
      ['owner', d.owner],
      ['agent', d.agent],
      ['data root', d.dataRoot],
      ['tx', d.txHash],
    ])
  }
}

function readText(file: string, flag: string): string {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw notFound(`${flag}: no such file ${file}`, {code: 'FILE_NOT_FOUND'})
    throw usageError(`${flag}: cannot read ${file} (${code ?? 'error'})`, {code: 'FILE_UNREADABLE'})
  }
}

function readJson(file: string, flag: string): unknown {
  const text = readText(file, flag)
  try {
    return JSON.parse(text)
  } catch {
    throw usageError(`${flag}: ${file} is not valid JSON.`, {code: 'INVALID_JSON'})
  }
}
