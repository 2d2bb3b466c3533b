import {ZgError, ExitCode, networkError, timeoutError, txError, usageError} from '../core/errors.js'
import {silentReporter, type Reporter} from '../core/progress.js'
import {rpcCall} from '../core/jsonrpc.js'
import {DEV_MNEMONIC} from '../core/keys/dev-accounts.js'
import {loadArtifact} from '../core/contracts.js'

/** Addresses of everything the devnet deploys, and the block of the first deployment (where indexers start). */
export interface DevnetContracts {
  flow: string
  market: string
  ledger: string
  inference: string
  fineTuning: string
  agentNFT: string
  teeVerifier: string
  registry: string
  deployBlock: number
}

export interface DeployOptions {
  reporter?: Reporter
  /** The key the INFT TEEVerifier trusts for ownership proofs; default: the devnet oracle account (dev9). */
  oracleAddress?: string
  /** Default 30,733,644,962 wei per 256-byte sector: the Galileo turbo price (≈0.129 0G per GiB). */
  storagePricePerSector?: bigint
  /** Bound on the whole deployment, default 30 s. */
  timeoutMs?: number
  /**
   * Sign in-process even when the node holds dev0 unlocked (by default the node signs, which is faster). For nodes
   * that list dev0 in eth_accounts but cannot sign with it.
   */
  localSigning?: boolean
}


/**
 * The compute addresses the official compute SDK hard-codes for chain 31337: the CREATE addresses of dev0 at
 * nonces 2, 6 and 12 when each serving contract is deployed as implementation → beacon → proxy → initialize.
 */
export const SDK_COMPUTE_ADDRESSES = {
  ledger: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
  inference: '0x0165878A594ca255338adfa4d48449f69242Eb8F',
  fineTuning: '0xA51c1fc2f0D1a1b8494Ed1FE312d7C3a78Ed91C0',
} as const

export const DEFAULT_STORAGE_PRICE_PER_SECTOR = 30_733_644_962n
/** HD index (of DEV_MNEMONIC) of the devnet INFT oracle key: the TEEVerifier trusts its address by default. */
export const DEVNET_ORACLE_ACCOUNT_INDEX = 9
export const INFERENCE_SERVICE = {type: 'inference', version: 'v1.0', fullName: 'inference-v1.0'} as const
export const FINE_TUNING_SERVICE = {type: 'fine-tuning', version: 'v1.1', fullName: 'fine-tuning-v1.1'} as const
/** Refund lock of the serving contracts on the devnet: the real default (1 day). */
export const DEVNET_LOCK_TIME_SECONDS = 86_400
/** Share of the fee a fine-tuning provider keeps when the user never acknowledges the deliverable (real default). */
export const DEVNET_PENALTY_PERCENTAGE = 30

// Artifacts are read through core (commands and core modules need them too); re-exported for callers of deploy.
export {loadArtifact, type Artifact} from '../core/contracts.js'

/** One transaction of the deployment plan: a contract creation or a call. */
type Step =
  | {label: string; create: string; args: unknown[]}
  | {label: string; to: string; contract: string; method: string; args: unknown[]}

/**
 * Deploys every devnet contract from dev0 onto a fresh chain. All addresses follow from dev0's nonces, so the whole
 * plan is built up front, its transactions are sent back to back without waiting for receipts (the nonces keep
 * them in order) and then every receipt is awaited under one bound. The compute contracts come first, in the order that puts them at the addresses the
 * compute SDK hard-codes for chain 31337.
 */
export async function deployDevnetContracts(rpcUrl: string, opts: DeployOptions = {}): Promise<DevnetContracts> {
  const {HDNodeWallet, Interface, ContractFactory, getCreateAddress, getAddress, Mnemonic} = await import('ethers')
  const reporter = opts.reporter ?? silentReporter
  const timeoutMs = opts.timeoutMs ?? 30_000
  const deadline = Date.now() + timeoutMs
  const price = opts.storagePricePerSector ?? DEFAULT_STORAGE_PRICE_PER_SECTOR
  if (price < 0n) throw usageError(`The storage price per sector must not be negative, got ${price}.`)

  // One seed computation for both keys (each fromMnemonic call would redo it).
  const accounts = HDNodeWallet.fromSeed(Mnemonic.fromPhrase(DEV_MNEMONIC).computeSeed()).derivePath("m/44'/60'/0'/0")
  const deployer = accounts.deriveChild(0)
  const oracle = opts.oracleAddress
    ? checkedAddress(opts.oracleAddress, getAddress)
    : accounts.deriveChild(DEVNET_ORACLE_ACCOUNT_INDEX).address

  // Plain JSON-RPC rather than an ethers provider: nothing here needs one, and ethers' network detection prints to
  // the console when the node is down. Sends are never retried (a retry could only hit "nonce too low").
  const left = () => Math.max(1, deadline - Date.now())
  const read = <T>(method: string, params: unknown[]) => rpcCall<T>(rpcUrl, method, params, {timeoutMs: left()})
  const send = (method: string, params: unknown[]) => rpcCall<string>(rpcUrl, method, params, {timeoutMs: left(), retries: 0})
  reporter.emit({step: 'deploy', status: 'started', message: 'Deploying devnet contracts'})
  try {
    const [chainIdHex, nonceHex, block, unlocked] = await withDeadline(
      Promise.all([
        read<string>('eth_chainId', []),
        read<string>('eth_getTransactionCount', [deployer.address, 'pending']),
        read<{number: string; baseFeePerGas?: string}>('eth_getBlockByNumber', ['latest', false]),
        read<string[]>('eth_accounts', []).catch(() => [] as string[]),
      ]),
      deadline,
      `The chain at ${rpcUrl} did not answer`,
    )
    const chainId = BigInt(chainIdHex)
    const startNonce = Number(BigInt(nonceHex))
    if (startNonce !== 0) {
      throw usageError(
        `The devnet deployer ${deployer.address} has already sent ${startNonce} transaction(s) on ${rpcUrl}; ` +
          'the devnet contracts must be deployed on a fresh chain so that they land at their well-known addresses.',
        {code: 'CHAIN_NOT_FRESH', suggestions: ['Reset the devnet (zg node reset) or start a new chain, then deploy again']},
      )
    }

    const at = (nonce: number) => getCreateAddress({from: deployer.address, nonce})
    const plan: Step[] = []
    const addr: Record<string, string> = {}
    const create = (key: string, label: string, artifact: string, args: unknown[] = []) => {
      addr[key] = at(plan.length)
      plan.push({label, create: artifact, args})
    }
    const call = (label: string, to: string, contract: string, method: string, args: unknown[]) =>
      plan.push({label, to, contract, method, args})

    // Compute: nonces 0..15. The SDK's 31337 addresses are the proxies at nonces 2, 6 and 12.
    create('ledgerImpl', 'LedgerManager implementation', 'LedgerManager')
    create('ledgerBeacon', 'LedgerManager beacon', 'UpgradeableBeacon', [addr.ledgerImpl, deployer.address])
    create('ledger', 'LedgerManager proxy', 'BeaconProxy', [addr.ledgerBeacon, '0x'])
    call('LedgerManager.initialize', addr.ledger, 'LedgerManager', 'initialize', [deployer.address])
    create('inferenceImpl', 'InferenceServing implementation', 'InferenceServing')
    create('inferenceBeacon', 'InferenceServing beacon', 'UpgradeableBeacon', [addr.inferenceImpl, deployer.address])
    create('inference', 'InferenceServing proxy', 'BeaconProxy', [addr.inferenceBeacon, '0x'])
    call('InferenceServing.initialize', addr.inference, 'InferenceServing', 'initialize', [
      DEVNET_LOCK_TIME_SECONDS,
      addr.ledger,
      deployer.address,
    ])
    call('register inference-v1.0', addr.ledger, 'LedgerManager', 'registerService', [
      INFERENCE_SERVICE.type,
      INFERENCE_SERVICE.version,
      addr.inference,
      'Inference serving (zg devnet)',
    ])
    call('recommend inference-v1.0', addr.ledger, 'LedgerManager', 'setRecommendedService', [
      INFERENCE_SERVICE.type,
      INFERENCE_SERVICE.version,
    ])
    create('fineTuningImpl', 'FineTuningServing implementation', 'FineTuningServing')
    create('fineTuningBeacon', 'FineTuningServing beacon', 'UpgradeableBeacon', [addr.fineTuningImpl, deployer.address])
    create('fineTuning', 'FineTuningServing proxy', 'BeaconProxy', [addr.fineTuningBeacon, '0x'])
    call('FineTuningServing.initialize', addr.fineTuning, 'FineTuningServing', 'initialize', [
      DEVNET_LOCK_TIME_SECONDS,
      addr.ledger,
      deployer.address,
      DEVNET_PENALTY_PERCENTAGE,
    ])
    call('register fine-tuning-v1.1', addr.ledger, 'LedgerManager', 'registerService', [
      FINE_TUNING_SERVICE.type,
      FINE_TUNING_SERVICE.version,
      addr.fineTuning,
      'Fine-tuning serving (zg devnet)',
    ])
    call('recommend fine-tuning-v1.1', addr.ledger, 'LedgerManager', 'setRecommendedService', [
      FINE_TUNING_SERVICE.type,
      FINE_TUNING_SERVICE.version,
    ])

    // Storage: the market needs the flow's address and the flow the market's, so the market gets the next nonce's.
    const marketNonce = plan.length
    create('market', 'FixedPriceMarket', 'FixedPriceMarket', [price, at(marketNonce + 1), deployer.address])
    create('flow', 'Flow', 'Flow', [addr.market])

    // INFT and the asset registry.
    create('teeVerifier', 'TEEVerifier', 'TEEVerifier', [oracle, deployer.address])
    create('agentNFT', 'AgentNFT', 'AgentNFT', [
      'zg devnet Agent',
      'ZGAGENT',
      JSON.stringify({chainURL: rpcUrl, indexerURL: ''}),
      addr.teeVerifier,
      deployer.address,
    ])
    create('registry', 'AssetRegistry', 'AssetRegistry')

    const baseFee = block.baseFeePerGas ? BigInt(block.baseFeePerGas) : 1_000_000_000n
    const priority = 1_000_000_000n
    const maxFee = baseFee * 2n + priority
    // anvil (and hardhat) hold dev0 unlocked: letting the node sign is several times faster than signing 25
    // transactions with big bytecode in JavaScript. Any other node gets locally signed raw transactions.
    const nodeSigns = !opts.localSigning && unlocked.some((a) => a.toLowerCase() === deployer.address.toLowerCase())
    const hex = (n: bigint | number) => '0x' + n.toString(16)
    const requests: [string, unknown[]][] = []
    for (const [i, step] of plan.entries()) {
      let to: string | null = null
      let data: string
      let gasLimit: bigint
      if ('create' in step) {
        const a = loadArtifact(step.create)
        data = (await new ContractFactory(a.abi as never, a.bytecode).getDeployTransaction(...step.args)).data
        // Fixed limits instead of eth_estimateGas: later steps call contracts that do not exist until earlier
        // steps are mined, and the devnet only charges the gas actually used.
        gasLimit = 12_000_000n
      } else {
        to = step.to
        data = new Interface(loadArtifact(step.contract).abi as never).encodeFunctionData(step.method, step.args)
        gasLimit = 3_000_000n
      }
      const nonce = startNonce + i
      if (nodeSigns) {
        const tx: Record<string, string> = {from: deployer.address, nonce: hex(nonce), data, gas: hex(gasLimit), value: '0x0'}
        Object.assign(tx, {maxFeePerGas: hex(maxFee), maxPriorityFeePerGas: hex(priority)})
        if (to) tx.to = to
        requests.push(['eth_sendTransaction', [tx]])
      } else {
        const fees = {maxFeePerGas: maxFee, maxPriorityFeePerGas: priority}
        const raw = await deployer.signTransaction({type: 2, chainId, nonce, to, data, gasLimit, value: 0n, ...fees})
        requests.push(['eth_sendRawTransaction', [raw]])
      }
    }
    // One after the other without waiting for receipts: each send returns as soon as the node has the tx. Sending
    // them all at once was tried and is not faster; anvil then left some out-of-order nonces unmined for good.
    const hashes: string[] = []
    for (const [i, request] of requests.entries()) {
      try {
        hashes.push(await withDeadline(send(...request), deadline, 'Sending a deployment transaction timed out'))
      } catch (e) {
        if (e instanceof ZgError && e.code === 'TIMEOUT') throw e
        throw txError(`The devnet rejected the deployment transaction "${plan[i]!.label}": ${errorText(e)}`, {cause: e})
      }
    }

    const receipts = await waitForReceipts(read, hashes, deadline)
    for (const [i, r] of receipts.entries()) {
      if (r.status !== '0x1') {
        throw txError(`Deploying the devnet contracts failed at "${plan[i]!.label}" (tx ${hashes[i]}).`, {
          details: {step: plan[i]!.label, txHash: hashes[i]},
          suggestions: ['Rebuild the contract artifacts (npm run contracts) and reset the devnet'],
        })
      }
    }

    const result: DevnetContracts = {
      flow: addr.flow!,
      market: addr.market!,
      ledger: addr.ledger!,
      inference: addr.inference!,
      fineTuning: addr.fineTuning!,
      agentNFT: addr.agentNFT!,
      teeVerifier: addr.teeVerifier!,
      registry: addr.registry!,
      deployBlock: Number(BigInt(receipts[0]!.blockNumber)),
    }
    reporter.emit({step: 'deploy', status: 'done', message: `Deployed ${plan.length} transactions`, data: {...result}})
    return result
  } catch (e) {
    if (e instanceof ZgError) throw e
    throw networkError(`Could not deploy the devnet contracts through ${rpcUrl}: ${errorText(e)}`, {cause: e})
  }
}

interface RawReceipt {
  status: string
  blockNumber: string
}

/** Polls until every receipt is there; with automine they are there at once, so start without a pause. */
async function waitForReceipts(
  read: <T>(method: string, params: unknown[]) => Promise<T>,
  hashes: string[],
  deadline: number,
): Promise<RawReceipt[]> {
  const receipts: (RawReceipt | null)[] = hashes.map(() => null)
  let delay = 0
  for (;;) {
    const missing = receipts.flatMap((r, i) => (r ? [] : [i]))
    const got = await withDeadline(
      Promise.all(missing.map((i) => read<RawReceipt | null>('eth_getTransactionReceipt', [hashes[i]]))),
      deadline,
      'Waiting for the deployment receipts timed out',
    )
    got.forEach((r, k) => (receipts[missing[k]!] = r))
    if (receipts.every(Boolean)) return receipts as RawReceipt[]
    if (Date.now() + delay > deadline) {
      throw timeoutError(`${receipts.filter((r) => !r).length} deployment transaction(s) were not mined in time.`, {
        suggestions: ['Check that the devnet chain is mining (automine or a short --block-time)'],
      })
    }
    await new Promise((r) => setTimeout(r, delay))
    delay = Math.min(delay * 2 || 10, 200)
  }
}

async function withDeadline<T>(p: Promise<T>, deadline: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const left = Math.max(0, deadline - Date.now())
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(timeoutError(`${message} (bound ${left} ms).`)), left)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

function checkedAddress(a: string, getAddress: (a: string) => string): string {
  try {
    return getAddress(a)
  } catch {
    throw usageError(`The oracle address "${a}" is not a valid address.`)
  }
}

function errorText(e: unknown): string {
  const err = e as {shortMessage?: string; message?: string}
  return err?.shortMessage ?? err?.message ?? String(e)
}
