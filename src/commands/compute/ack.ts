import {Args, Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {signerFor, txOptions} from '../../cli/chain.js'
import {asService, computeConnect, parseAmount, serviceFlag} from '../../cli/compute.js'
import {jsonStreamFlag, networkFlag, signerFlags, txFlags} from '../../cli/flags.js'
import {keyValue, warnLine} from '../../ui/format.js'

export default class ComputeAck extends ZgCommand<typeof ComputeAck> {
  static summary = 'Acknowledge a provider: check its attestation, fund a sub-account if needed, trust its TEE signer'
  static description =
    'Fetches the provider\'s quote and checks that it names the TEE signer registered on chain (a devnet quote is a development attestation and is reported as such), creates the sub-account with --amount if you have none, then records on chain that you trust the signer, which settlement requires.'
  static examples = ['<%= config.bin %> compute ack --account dev1', '<%= config.bin %> compute ack 0x… --service fine-tuning --amount 1 --account dev1 --json']
  static args = {provider: Args.string({description: 'Provider address (default: the only provider on the network)'})}
  static flags = {
    amount: Flags.string({description: '0G to lock with the provider if you have no sub-account yet (default 2 for inference, 1 for fine-tuning)', env: 'ZG_AMOUNT'}),
    ...serviceFlag,
    ...networkFlag,
    ...signerFlags,
    ...txFlags,
    ...jsonStreamFlag,
  }
  static steps = [{id: 'tx', title: 'Acknowledge provider'}]

  async exec() {
    const service = asService(this.flags.service)
    const fund = await parseAmount(this.flags.amount ?? (service === 'inference' ? '2' : '1'))
    const {provider, refs, network} = await computeConnect(this.flags)
    try {
      const {pickProvider, getInferenceProvider, getFineTuningProvider} = await import('../../core/compute/providers.js')
      const target = await pickProvider(provider, refs, service, this.args.provider)
      const svc = service === 'inference' ? await getInferenceProvider(provider, refs, target) : await getFineTuningProvider(provider, refs, target)
      const attestation = await checkQuote(svc.url, svc.teeSigner)
      if (attestation.development) this.warn(`${target} serves a development attestation (software, not TEE hardware): fine on a devnet, worthless as a proof elsewhere.`)
      if (!attestation.matches) this.warn(`The provider's quote does not name its on-chain TEE signer ${svc.teeSigner} (${attestation.error ?? 'report_data differs'}).`)
      if (!svc.acknowledged) this.warn(`The contract owner has not vetted ${target}'s TEE signer; settlement will fail until it does.`)
      const s = await signerFor(this.flags, network, this.secretPrompt())
      for (const w of s.warnings) this.warn(w)
      const {acknowledge, readSubAccount} = await import('../../core/compute/ledger.js')
      const opts = await txOptions(this.flags, network)
      const r = await this.withProgress((reporter) => acknowledge(s.wallet, provider, refs, service, target, fund, {...opts, reporter, signal: this.abort.signal}))
      const sub = await readSubAccount(provider, refs, service, s.address, target)
      const {formatEther} = await import('ethers')
      return {
        network: network.name,
        user: s.address,
        service,
        provider: target,
        teeSigner: svc.teeSigner,
        attestation,
        alreadyAcknowledged: r.already,
        funded: r.funded ? formatEther(fund) : null,
        hashes: [r.funded?.hash, r.acknowledged?.hash].filter(Boolean),
        locked: sub ? formatEther(sub.locked) : '0',
        acknowledged: sub?.acknowledged ?? false,
      }
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: Awaited<ReturnType<ComputeAck['exec']>>) {
    return [
      keyValue([
        ['provider', `${d.provider} (${d.service})`],
        ['TEE signer', d.teeSigner],
        ['attestation', d.attestation.development ? 'development (software) — names the signer: ' + (d.attestation.matches ? 'yes' : 'NO') : d.attestation.matches ? 'names the signer' : 'does NOT name the signer'],
        ['acknowledged', d.alreadyAcknowledged ? 'already' : 'yes'],
        ['funded', d.funded ? `${d.funded} 0G` : undefined],
        ['locked with provider', `${d.locked} 0G`],
        ['tx', d.hashes.length ? d.hashes.join(', ') : undefined],
      ]),
      d.attestation.matches ? '' : warnLine('the attestation did not check out'),
    ]
      .filter(Boolean)
      .join('\n')
  }
}

/** GET {url}/v1/quote: report_data must carry the signer address (NUL padded, base64). */
async function checkQuote(url: string, signer: string): Promise<{matches: boolean; development: boolean; error?: string}> {
  try {
    const res = await fetch(`${url.replace(/\/+$/, '')}/v1/quote`, {signal: AbortSignal.timeout(15_000)})
    if (!res.ok) return {matches: false, development: false, error: `quote answered ${res.status}`}
    const q = (await res.json()) as {report_data?: string; development?: boolean}
    const named = Buffer.from(q.report_data ?? '', 'base64').toString('utf8').replace(/\0+$/, '')
    return {matches: named.toLowerCase() === signer.toLowerCase(), development: Boolean(q.development)}
  } catch (e) {
    return {matches: false, development: false, error: (e as Error).message}
  }
}
