import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {Interface} from 'ethers'
import type {ContractRef} from '../chain/send.js'
import {ExitCode, usageError, ZgError} from '../errors.js'
import type {NetworkProfile} from '../networks.js'

/**
 * The three compute contracts (LedgerManager, InferenceServing, FineTuningServing) as ethers Interfaces built from
 * the committed artifacts in contracts/artifacts, whose ABIs match the official compute SDK's (a test checks it).
 */

// dist/src/core/compute/x.js and src/core/compute/x.ts both sit four levels below the package root.
const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'contracts', 'artifacts')
const ifaces = new Map<string, Interface>()

export type ComputeContractName = 'LedgerManager' | 'InferenceServing' | 'FineTuningServing'

export function computeInterface(name: ComputeContractName): Interface {
  let i = ifaces.get(name)
  if (!i) {
    let abi: unknown
    try {
      abi = (JSON.parse(fs.readFileSync(path.join(ARTIFACTS, `${name}.json`), 'utf8')) as {abi: unknown}).abi
    } catch (e) {
      throw new ZgError(`The contract artifact ${name} is missing or unreadable.`, {code: 'ARTIFACT_MISSING', exit: ExitCode.UNEXPECTED, cause: e, suggestions: ['Reinstall zg']})
    }
    i = new Interface(abi as never)
    ifaces.set(name, i)
  }
  return i
}

export interface ComputeRefs {
  ledger: ContractRef
  inference: ContractRef
  fineTuning: ContractRef
  /** Every compute ABI, to decode custom errors raised across contracts (ledger → serving). */
  all: Interface[]
}

export function computeRefsAt(addresses: {ledger: string; inference: string; fineTuning: string}): ComputeRefs {
  const ledger = {address: addresses.ledger, iface: computeInterface('LedgerManager'), name: 'LedgerManager'}
  const inference = {address: addresses.inference, iface: computeInterface('InferenceServing'), name: 'InferenceServing'}
  const fineTuning = {address: addresses.fineTuning, iface: computeInterface('FineTuningServing'), name: 'FineTuningServing'}
  return {ledger, inference, fineTuning, all: [ledger.iface, inference.iface, fineTuning.iface]}
}

/** The compute contracts of a network profile; a clear usage error when the profile has none. */
export function computeRefs(network: NetworkProfile): ComputeRefs {
  const {ledger, inference, fineTuning} = network.contracts
  if (!ledger || !inference || !fineTuning) {
    throw usageError(`The network "${network.name}" has no 0G Compute contracts configured.`, {
      code: 'COMPUTE_UNAVAILABLE',
      suggestions: network.local
        ? ['Start the devnet first: zg node start']
        : ['Add the LedgerManager, InferenceServing and FineTuningServing addresses to the profile: zg network add --help'],
    })
  }
  return computeRefsAt({ledger, inference, fineTuning})
}

/** Service kinds and their ledger names (the "<type>-<version>" the LedgerManager registers). */
export const SERVICE_NAMES = {inference: 'inference-v1.0', 'fine-tuning': 'fine-tuning-v1.1'} as const
export type ServiceKind = keyof typeof SERVICE_NAMES
