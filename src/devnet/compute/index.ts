import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {parseEther, Wallet, type JsonRpcProvider} from 'ethers'
import {makeProvider} from '../../core/chain/provider.js'
import {callContract, sendContract} from '../../core/chain/send.js'
import {computeRefsAt, type ComputeRefs} from '../../core/compute/contracts.js'
import {devWallet} from '../../core/keys/dev-accounts.js'
import type {NetworkProfile} from '../../core/networks.js'
import type {DevnetPorts, RunningService, ServiceContext, ServiceModule} from '../service.js'
import {MIN_LOCKED_BALANCE} from './auth.js'
import {Billing} from './billing.js'
import {FineTuning} from './finetune.js'
import {BASE_MODEL, ModelStore} from './models.js'
import {createProviderServer} from './server.js'

const HOST = '127.0.0.1'
/** HD index of the dev account that is the devnet's compute provider (its stake and fees go there). */
export const DEVNET_PROVIDER_ACCOUNT_INDEX = 8
const STAKE = parseEther('100')

/**
 * Options of the devnet provider, all from the environment of `zg node start` (so they reach a detached devnet):
 * ZG_PROVIDER_TARGET_URL      serve chats from this OpenAI-compatible server (e.g. http://127.0.0.1:11434/v1)
 *                             instead of the built-in model; ZG_PROVIDER_TARGET_MODEL / _API_KEY go with it
 * ZG_PROVIDER_EXECUTOR        shell command of a custom trainer: gets <dataset> <params.json> <output dir>
 * ZG_PROVIDER_SETTLE_INTERVAL_MS  how often owed fees are settled on chain (default 30000)
 * ZG_PROVIDER_INPUT_PRICE / _OUTPUT_PRICE / _FT_PRICE  neuron per token (defaults 1e12, 2e12, 1e12)
 * ZG_PROVIDER_BASE_STEPS      training steps of the base model at first start (default 1500)
 * ZG_PROVIDER_ACK_TIMEOUT_S   how long a delivered model waits for the user's acknowledgement (default 21600)
 * ZG_PROVIDER_POLL_MS         chain polling while waiting for acknowledgements (default 1000)
 */
export interface ProviderOptions {
  targetUrl?: string
  targetModel?: string
  targetApiKey?: string
  executor?: string
  settleIntervalMs: number
  inputPrice: bigint
  outputPrice: bigint
  ftPrice: bigint
  baseSteps: number
  ackTimeoutMs: number
  pollMs: number
}

export function providerOptions(env: NodeJS.ProcessEnv = process.env): ProviderOptions {
  const num = (k: string, d: number) => (env[k] && Number.isFinite(Number(env[k])) ? Number(env[k]) : d)
  const big = (k: string, d: bigint) => {
    try {
      return env[k] ? BigInt(env[k]!) : d
    } catch {
      return d
    }
  }
  return {
    targetUrl: env.ZG_PROVIDER_TARGET_URL || undefined,
    targetModel: env.ZG_PROVIDER_TARGET_MODEL || undefined,
    targetApiKey: env.ZG_PROVIDER_TARGET_API_KEY || undefined,
    executor: env.ZG_PROVIDER_EXECUTOR || undefined,
    settleIntervalMs: num('ZG_PROVIDER_SETTLE_INTERVAL_MS', 30_000),
    inputPrice: big('ZG_PROVIDER_INPUT_PRICE', 10n ** 12n),
    outputPrice: big('ZG_PROVIDER_OUTPUT_PRICE', 2n * 10n ** 12n),
    ftPrice: big('ZG_PROVIDER_FT_PRICE', 10n ** 12n),
    baseSteps: num('ZG_PROVIDER_BASE_STEPS', 1500),
    ackTimeoutMs: num('ZG_PROVIDER_ACK_TIMEOUT_S', 21_600) * 1000,
    pollMs: num('ZG_PROVIDER_POLL_MS', 1000),
  }
}

/** The TEE signer key: made once per devnet, kept in the service dir with mode 0600. */
export function loadTeeSigner(dir: string): Wallet {
  const file = path.join(dir, 'tee-signer.key')
  if (fs.existsSync(file)) return new Wallet(fs.readFileSync(file, 'utf8').trim())
  const w = Wallet.createRandom()
  fs.writeFileSync(file, w.privateKey + '\n', {mode: 0o600})
  return new Wallet(w.privateKey)
}

async function registerOnChain(
  provider: JsonRpcProvider,
  refs: ComputeRefs,
  me: Wallet,
  owner: Wallet,
  tee: Wallet,
  url: string,
  model: string,
  o: ProviderOptions,
  env: NodeJS.ProcessEnv,
  log: (l: string) => void,
): Promise<void> {
  const tx = {env, iface: refs.all, timeoutMs: 60_000}
  // InferenceServing
  const params = {
    serviceType: 'chatbot',
    url,
    model,
    verifiability: 'TeeML',
    inputPrice: o.inputPrice,
    outputPrice: o.outputPrice,
    additionalInfo: JSON.stringify({ProviderType: 'decentralized', DevelopmentAttestation: true, Description: 'zg devnet provider (software TEE; development attestation only)'}),
    teeSignerAddress: tee.address,
  }
  const existing = (await callContract(provider, refs.inference, 'serviceExists', [me.address])) as boolean
  if (!existing) {
    await sendContract(me, provider, refs.inference, 'addOrUpdateService', [params], {...tx, value: STAKE})
    log(`inference service registered (${model}) with a ${STAKE / 10n ** 18n} 0G stake`)
  } else {
    const s = (await callContract(provider, refs.inference, 'getService', [me.address])) as unknown as Record<string, unknown>
    if (s.url !== url || s.model !== model || s.teeSignerAddress !== tee.address || s.inputPrice !== o.inputPrice || s.outputPrice !== o.outputPrice) {
      await sendContract(me, provider, refs.inference, 'addOrUpdateService', [params], tx)
      log('inference service updated')
    }
  }
  const inf = (await callContract(provider, refs.inference, 'getService', [me.address])) as unknown as {teeSignerAcknowledged: boolean}
  if (!inf.teeSignerAcknowledged) {
    await sendContract(owner, provider, refs.inference, 'acknowledgeTEESignerByOwner', [me.address], tx)
    log(`inference TEE signer ${tee.address} acknowledged by the contract owner`)
  }
  // FineTuningServing
  const quota = {cpuCount: BigInt(os.cpus().length), nodeMemory: BigInt(Math.round(os.totalmem() / 2 ** 20)), gpuCount: 0n, nodeStorage: 10_240n, gpuType: 'none (CPU)'}
  let ft: {url: string; teeSignerAddress: string; pricePerToken: bigint; teeSignerAcknowledged: boolean} | undefined
  try {
    ft = (await callContract(provider, refs.fineTuning, 'getService', [me.address])) as unknown as typeof ft
  } catch {
    ft = undefined
  }
  const ftArgs = [url, quota, o.ftPrice, false, [BASE_MODEL], tee.address]
  if (!ft) {
    await sendContract(me, provider, refs.fineTuning, 'addOrUpdateService', ftArgs, {...tx, value: STAKE})
    log('fine-tuning service registered')
  } else if (ft.url !== url || ft.teeSignerAddress !== tee.address || ft.pricePerToken !== o.ftPrice) {
    await sendContract(me, provider, refs.fineTuning, 'addOrUpdateService', ftArgs, tx)
    log('fine-tuning service updated')
  }
  const ft2 = (await callContract(provider, refs.fineTuning, 'getService', [me.address])) as unknown as {teeSignerAcknowledged: boolean}
  if (!ft2.teeSignerAcknowledged) {
    await sendContract(owner, provider, refs.fineTuning, 'acknowledgeTEESignerByOwner', [me.address], tx)
    log('fine-tuning TEE signer acknowledged by the contract owner')
  }
}

const urlOf = (port: number) => `http://${HOST}:${port}`

export const computeService: ServiceModule = {
  name: 'compute',
  description: '0G Compute provider: OpenAI-compatible inference (built-in tiny model or --target-url) and fine-tuning, settled on chain',
  async start(ctx: ServiceContext): Promise<RunningService[]> {
    const o = providerOptions()
    const env = process.env
    const tee = loadTeeSigner(ctx.dir)
    const me = devWallet(DEVNET_PROVIDER_ACCOUNT_INDEX)
    const owner = devWallet(0)
    const refs = computeRefsAt(ctx.contracts)
    const provider = await makeProvider(ctx.rpcUrl, {chainId: ctx.chainId, local: true})
    const url = urlOf(ctx.ports.provider)
    const models = new ModelStore(ctx.dir, ctx.log, {baseSteps: o.baseSteps, signal: ctx.signal})
    const billing = new Billing(ctx.dir, {provider, refs, providerWallet: me, teeSigner: tee, chainId: ctx.chainId, env}, ctx.log)
    const network = (): NetworkProfile => ({
      name: 'local',
      chainId: ctx.chainId,
      rpcUrl: ctx.rpcUrl,
      indexerUrl: urlOf(ctx.ports.indexer),
      storageNodes: ctx.ports.storage.map(urlOf),
      contracts: {...ctx.contracts},
      builtin: true,
      local: true,
    })
    const fineTuning = new FineTuning({
      dir: ctx.dir,
      log: ctx.log,
      provider,
      refs,
      providerWallet: me,
      teeSigner: tee,
      chainId: ctx.chainId,
      env,
      models,
      network,
      pricePerToken: o.ftPrice,
      executor: o.executor,
      pollMs: o.pollMs,
      ackTimeoutMs: o.ackTimeoutMs,
      signal: ctx.signal,
    })
    let registered = false
    const servedModel = o.targetUrl ? (o.targetModel ?? 'external-model') : BASE_MODEL
    const server = createProviderServer({
      provider,
      refs,
      self: me.address,
      teeSigner: tee,
      models,
      billing,
      fineTuning,
      prices: {input: o.inputPrice, output: o.outputPrice},
      target: o.targetUrl ? {url: o.targetUrl, model: o.targetModel, apiKey: o.targetApiKey} : undefined,
      servedModel,
      minLocked: MIN_LOCKED_BALANCE,
      log: ctx.log,
      signal: ctx.signal,
      isRegistered: () => registered,
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(ctx.ports.provider, HOST, () => resolve())
    })
    try {
      await registerOnChain(provider, refs, me, owner, tee, url, servedModel, o, env, ctx.log)
      registered = true
    } catch (e) {
      server.close()
      provider.destroy()
      throw e
    }
    billing.start(o.settleIntervalMs)
    ctx.log(`provider ${me.address} serving ${servedModel} at ${url} (TEE signer ${tee.address})${o.targetUrl ? ` → ${o.targetUrl}` : ''}`)
    return [
      {
        name: 'compute-provider',
        url,
        port: ctx.ports.provider,
        async health() {
          try {
            const r = await fetch(`${url}/health`, {signal: AbortSignal.timeout(1000)})
            await r.body?.cancel()
            return r.ok && registered
          } catch {
            return false
          }
        },
        async stop() {
          fineTuning.stop()
          await billing.stop()
          server.closeAllConnections()
          await new Promise<void>((r) => server.close(() => r()))
          provider.destroy()
        },
      },
    ]
  },
  profile(ports: DevnetPorts) {
    return {computeProviderUrl: urlOf(ports.provider)}
  },
}
