import assert from 'node:assert/strict'
import {
  Contract,
  HDNodeWallet,
  Interface,
  JsonRpcProvider,
  Mnemonic,
  type ContractTransactionResponse,
  type TransactionReceipt,
} from 'ethers'
import {DEV_MNEMONIC, startAnvil} from '../../src/devnet/anvil.js'
import {deployDevnetContracts, loadArtifact, type DevnetContracts} from '../../src/devnet/deploy.js'
import {freePort} from '../helpers/ports.js'

const mnemonic = Mnemonic.fromPhrase(DEV_MNEMONIC)
/** dev account i of the anvil mnemonic (dev0 deploys; tests use the others). */
export const devKey = (i: number) => HDNodeWallet.fromMnemonic(mnemonic, `m/44'/60'/0'/0/${i}`)

export interface Devnet {
  url: string
  provider: JsonRpcProvider
  contracts: DevnetContracts
  /** A contract handle whose signer is dev account `signer` (default: a read-only handle). */
  contract(artifact: string, address: string, signer?: number): Contract
  stop(): Promise<void>
}

/** A fresh anvil with every devnet contract deployed. */
export async function startDevnet(): Promise<Devnet> {
  const anvil = await startAnvil({port: await freePort()})
  try {
    const contracts = await deployDevnetContracts(anvil.url)
    const provider = new JsonRpcProvider(anvil.url, undefined, {batchStallTime: 0, cacheTimeout: -1, pollingInterval: 50})
    return {
      url: anvil.url,
      provider,
      contracts,
      contract: (artifact, address, signer) =>
        new Contract(address, loadArtifact(artifact).abi as never, signer === undefined ? provider : devKey(signer).connect(provider)),
      async stop() {
        provider.destroy()
        await anvil.stop()
      },
    }
  } catch (e) {
    await anvil.stop()
    throw e
  }
}

/** Waits for a receipt with a bound (tx.wait() has hung against anvil) and asserts success. */
export async function mined(
  provider: JsonRpcProvider,
  tx: ContractTransactionResponse | Promise<ContractTransactionResponse>,
): Promise<TransactionReceipt> {
  const sent = await tx
  const deadline = Date.now() + 10_000
  for (;;) {
    const r = await provider.getTransactionReceipt(sent.hash)
    if (r) {
      assert.equal(r.status, 1, `tx ${sent.hash} reverted`)
      return r
    }
    if (Date.now() > deadline) throw new Error(`no receipt for ${sent.hash}`)
    await new Promise((res) => setTimeout(res, 20))
  }
}

/** The custom error (or Error(string)) a reverted call or gas estimate carried, decoded with `iface`. */
export async function revertOf(iface: Interface, p: Promise<unknown>): Promise<{name: string; args: unknown[]}> {
  try {
    await p
  } catch (e) {
    const data = (e as {data?: string}).data
    assert.ok(data && data !== '0x', `expected revert data, got ${(e as Error).message}`)
    if (data.startsWith('0x08c379a0')) {
      const [reason] = Interface.from(['function Error(string)']).decodeFunctionData('Error', data)
      return {name: 'Error', args: [reason]}
    }
    const parsed = iface.parseError(data)
    assert.ok(parsed, `unknown revert data ${data}`)
    return {name: parsed.name, args: [...parsed.args]}
  }
  assert.fail('expected a revert')
}

/** The named events a receipt carries for `iface` at `address`. */
export function eventsOf(iface: Interface, receipt: TransactionReceipt, address: string, name: string) {
  return receipt.logs
    .filter((l) => l.address.toLowerCase() === address.toLowerCase())
    .map((l) => iface.parseLog(l))
    .filter((e) => e?.name === name)
    .map((e) => e!)
}

export async function increaseTime(provider: JsonRpcProvider, seconds: number): Promise<void> {
  await provider.send('evm_increaseTime', [seconds])
  await provider.send('evm_mine', [])
}
