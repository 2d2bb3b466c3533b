import {Args, Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {connect, signerFor, txOptions} from '../../cli/chain.js'
import {jsonStreamFlag, networkFlag, signerFlags, txFlags, yesFlag} from '../../cli/flags.js'
import type {RotateResult} from '../../core/inft/service.js'
import {keyValue} from '../../ui/format.js'

export default class InftRotate extends ZgCommand<typeof InftRotate> {
  static summary = 'Give an INFT\'s agent a fresh key: re-encrypt, upload, update the token, move the agent\'s funds'
  static description = [
    'Owner only. Decrypts the agent, generates a new agent key, re-encrypts the bundle under a new data key, uploads it, updates the token (the new data key is sealed to you on chain) and then moves the old agent address\'s native balance to the new one. A previous owner who kept the old agent key or data key then controls nothing and cannot read the new data.',
    'For a clone that shares its agent with another token, the funds stay where they are unless --move-funds (they are shared with that token\'s owner). The old key is kept inside the new encrypted bundle so later deposits to the old address can be swept (`zg inft sweep --previous`).',
  ].join('\n\n')
  static examples = ['<%= config.bin %> inft rotate 0 --account bob --yes']
  static args = {id: Args.string({description: 'Token id', required: true})}
  static flags = {
    'move-funds': Flags.boolean({description: 'Move the old agent\'s balance to the new agent (default: yes, except for clones sharing the agent)', allowNo: true, env: 'ZG_INFT_MOVE_FUNDS'}),
    ...networkFlag,
    ...signerFlags,
    ...txFlags,
    ...yesFlag,
    ...jsonStreamFlag,
  }
  static steps = [
    {id: 'locate', title: 'Locate the current ciphertext'},
    {id: 'download', title: 'Download from 0G Storage'},
    {id: 'keys', title: 'Open your sealed data key'},
    {id: 'encrypt', title: 'Re-encrypt with a new agent key and data key'},
    {id: 'hash', title: 'Hash the ciphertext'},
    {id: 'submit', title: 'Submit to 0G Storage'},
    {id: 'upload', title: 'Upload segments'},
    {id: 'finalize', title: 'Wait for the storage nodes'},
    {id: 'seal', title: 'Seal the new data key'},
    {id: 'update', title: 'Update the token'},
    {id: 'sweep', title: 'Move the agent\'s funds'},
  ]

  async exec() {
    const {parseTokenId} = await import('../../core/inft/contract.js')
    const id = parseTokenId(this.args.id)
    const {network, provider} = await connect(this.flags)
    try {
      const signer = await signerFor(this.flags, network, this.secretPrompt())
      for (const w of signer.warnings) this.warn(w)
      const tx = await txOptions(this.flags, network)
      if (!(await this.confirm(`rotate the agent key of token ${id} on ${network.name} (storage fee and gas)`, this.flags.yes))) return {rotated: false}
      const {inftContext} = await import('../../core/inft/context.js')
      const {rotateAgent} = await import('../../core/inft/service.js')
      const mf = this.flags['move-funds']
      const r = await this.withProgress((reporter) =>
        rotateAgent(inftContext({network, provider, payer: async () => signer.wallet, reporter, signal: this.abort.signal, tx}), {owner: signer.wallet, tokenId: id, moveFunds: mf === undefined ? 'auto' : mf ? 'yes' : 'no'}),
      )
      for (const w of r.warnings) this.warn(w)
      const {warnings: _w, ...data} = r
      return {rotated: true, network: network.name, ...data}
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: Partial<RotateResult> & {rotated: boolean}) {
    if (!d.rotated) return 'cancelled'
    return keyValue([
      ['token', d.tokenId],
      ['old agent', d.oldAgent],
      ['new agent', d.newAgent],
      ['data root', d.dataRoot],
      ['tx', d.txHash],
      ['funds moved', d.funds ? `${weiTo0g(d.funds.amount)} 0G (tx ${d.funds.txHash ?? '-'})` : 'no'],
    ])
  }
}

function weiTo0g(w: string): string {
  const v = BigInt(w)
  const frac = (v % 10n ** 18n).toString().padStart(18, '0').replace(/0+$/, '')
  return frac ? `${v / 10n ** 18n}.${frac}` : `${v / 10n ** 18n}`
}
