import fs from 'node:fs'
import {Args, Flags} from '@oclif/core'
import {ZgCommand} from './base-command.js'
import {connect, signerFor, txOptions} from './chain.js'
import {jsonStreamFlag, networkFlag, signerFlags, txFlags, yesFlag} from './flags.js'
import {notFound, usageError} from '../core/errors.js'
import type {TransferResult} from '../core/inft/service.js'
import {keyValue} from '../ui/format.js'

/**
 * `zg inft transfer` and `zg inft clone` differ only in the contract call (iTransferFrom or iCloneFrom): the access
 * proof, the oracle re-seal and the confirmation are this one flow.
 */
export abstract class InftHandoverCommand extends ZgCommand<typeof InftHandoverCommand> {
  /** true: iCloneFrom (the sender keeps its token); false: iTransferFrom. */
  protected abstract readonly clone: boolean

  static args = {id: Args.string({description: 'Token id', required: true})}
  static flags = {
    to: Flags.string({description: 'Receiver address', required: true, env: 'ZG_INFT_TO'}),
    'access-proof': Flags.string({description: 'Access proof file written by the receiver (zg inft request-access)', env: 'ZG_INFT_ACCESS_PROOF'}),
    'receiver-account': Flags.string({description: 'Sign the access proof here with this account of the receiver', env: 'ZG_RECEIVER_ACCOUNT', exclusive: ['access-proof']}),
    'receiver-password-file': Flags.string({description: 'Password file of --receiver-account (or ZG_RECEIVER_PASSWORD)', env: 'ZG_RECEIVER_PASSWORD_FILE'}),
    ...networkFlag,
    ...signerFlags,
    ...txFlags,
    ...yesFlag,
    ...jsonStreamFlag,
  }

  async exec() {
    const f = this.flags
    const {parseTokenId} = await import('../core/inft/contract.js')
    const {checkedAddress} = await import('../core/inft/bundle.js')
    const {parseAccessRequest} = await import('../core/inft/access.js')
    const id = parseTokenId(this.args.id)
    const to = checkedAddress(f.to, '--to')
    let access = f['access-proof'] !== undefined ? parseAccessRequest(readFile(f['access-proof']), f['access-proof']) : undefined
    const {network, provider} = await connect(this.flags)
    try {
      const signer = await signerFor(this.flags, network, this.secretPrompt())
      for (const w of signer.warnings) this.warn(w)
      const tx = await txOptions(this.flags, network)
      const {inftContext} = await import('../core/inft/context.js')
      const {requestAccess, transferAgent} = await import('../core/inft/service.js')
      const probe = inftContext({network, provider})
      if (!access) {
        const {receiverSigner} = await import('../core/inft/receiver.js')
        const receiver = await receiverSigner({to, account: f['receiver-account'], passwordFile: f['receiver-password-file'], isLocalNetwork: network.local, prompt: this.secretPrompt()})
        if (!receiver) {
          throw usageError(`The receiver's access proof is needed, and this zg does not hold the key of ${to}.`, {
            code: 'ACCESS_PROOF_REQUIRED',
            suggestions: [`The receiver runs: zg inft request-access ${id} --out access.json, and you pass --access-proof access.json`, 'Or, if you hold the receiver\'s account here: --receiver-account NAME'],
          })
        }
        access = await requestAccess(probe, {signer: receiver, tokenId: id, ttlSeconds: 900})
      }
      if (!(await this.confirm(`${this.clone ? 'clone' : 'transfer'} token ${id} from ${signer.address} to ${to} on ${network.name}`, f.yes))) return {done: false}
      const r = await this.withProgress((reporter) => transferAgent(inftContext({network, provider, reporter, signal: this.abort.signal, tx}), {owner: signer.wallet, tokenId: id, to, access: access!, clone: this.clone}))
      for (const w of r.warnings) this.warn(w)
      const {warnings: _w, ...data} = r
      return {done: true, network: network.name, ...data}
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: Partial<TransferResult> & {done: boolean}) {
    if (!d.done) return 'cancelled'
    return keyValue([
      ['token', d.tokenId],
      ...(d.newTokenId !== undefined ? [['new token', d.newTokenId] as [string, unknown]] : []),
      ['from', d.from],
      ['to', d.to],
      ['oracle', d.oracle],
      ['tx', d.txHash],
    ])
  }
}

function readFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`--access-proof: no such file ${file}`, {code: 'FILE_NOT_FOUND'})
    throw usageError(`--access-proof: cannot read ${file}`, {code: 'FILE_UNREADABLE'})
  }
}
