import fs from 'node:fs'
import {Args, Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {connect, signerFor} from '../../cli/chain.js'
import {networkFlag, signerFlags} from '../../cli/flags.js'
import {usageError} from '../../core/errors.js'
import type {AccessRequestFile} from '../../core/inft/access.js'
import {keyValue} from '../../ui/format.js'

export default class InftRequestAccess extends ZgCommand<typeof InftRequestAccess> {
  static summary = 'As the receiver of an INFT, sign the access proof the sender needs for `zg inft transfer` / `clone`'
  static description = [
    'Signs, for each data item of the token, "seal this data key to my public key" (ERC-7857 access proof, bound to the chain, the collection, a single-use nonce and a deadline) and writes it as a file for the sender, who passes it with --access-proof. It holds no secret.',
    'With --for, a delegate the receiver named on chain (AgentNFT.delegateAccess) signs on its behalf.',
  ].join('\n\n')
  static examples = [
    '<%= config.bin %> inft request-access 0 --account bob --out access-0.json',
    '<%= config.bin %> inft request-access 0 --account bob --valid-for 2h > access-0.json',
  ]
  static args = {id: Args.string({description: 'Token id', required: true})}
  static flags = {
    out: Flags.string({char: 'o', description: 'Write the proof file here (default: print it on stdout)', env: 'ZG_INFT_OUT'}),
    'valid-for': Flags.string({description: 'How long the proof stays valid: e.g. 30m, 2h, 1d (default 1d)', env: 'ZG_INFT_VALID_FOR', default: '1d'}),
    for: Flags.string({description: 'The receiver, when signing as its access delegate', env: 'ZG_INFT_FOR'}),
    force: Flags.boolean({description: 'Replace --out if it exists', env: 'ZG_FORCE'}),
    ...networkFlag,
    ...signerFlags,
  }

  async exec() {
    const {parseTokenId} = await import('../../core/inft/contract.js')
    const {checkedAddress} = await import('../../core/inft/bundle.js')
    const id = parseTokenId(this.args.id)
    const ttl = parseDuration(this.flags['valid-for'])
    const receiver = this.flags.for !== undefined ? checkedAddress(this.flags.for, '--for') : undefined
    const out = this.flags.out
    if (out !== undefined && fs.existsSync(out) && !this.flags.force) throw usageError(`${out} exists.`, {code: 'OUTPUT_EXISTS', suggestions: ['Pass --force to replace it.']})
    const {network, provider} = await connect(this.flags)
    try {
      const signer = await signerFor(this.flags, network, this.secretPrompt())
      for (const w of signer.warnings) this.warn(w)
      const {inftContext} = await import('../../core/inft/context.js')
      const {requestAccess} = await import('../../core/inft/service.js')
      const file = await requestAccess(inftContext({network, provider}), {signer: signer.wallet, tokenId: id, receiver, ttlSeconds: ttl})
      if (out !== undefined) {
        fs.writeFileSync(out, JSON.stringify(file, null, 2) + '\n')
        this.written = out
      }
      return file
    } finally {
      provider.destroy()
    }
  }

  private written?: string

  protected override render(d: AccessRequestFile) {
    if (!this.written) return JSON.stringify(d, null, 2)
    return keyValue([
      ['wrote', this.written],
      ['token', d.tokenId],
      ['receiver', d.receiver],
      ['valid until', new Date(Math.min(...d.proofs.map((p) => p.deadline)) * 1000).toISOString()],
      ['next', `the owner runs: zg inft transfer ${d.tokenId} --to ${d.receiver} --access-proof ${this.written}`],
    ])
  }
}

function parseDuration(s: string): number {
  const m = /^\s*(\d+)\s*(s|m|h|d)?\s*$/i.exec(s)
  if (!m) throw usageError(`--valid-for must look like 90s, 30m, 2h or 1d, got "${s}"`)
  const n = Number(m[1]) * {s: 1, m: 60, h: 3600, d: 86400}[(m[2] ?? 's').toLowerCase() as 's' | 'm' | 'h' | 'd']
  if (n <= 0 || n > 30 * 86400) throw usageError('--valid-for must be between 1 second and 30 days.')
  return n
}
