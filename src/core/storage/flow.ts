/**
 * The Flow contract from a client's side: fee, `submit`, and finding the `Submit` event of a submission
 * (CON contracts/dataFlow/Flow.sol, FixedPriceFlow.sol; shared/docs/0g-storage.md §2). The ABI is the one the
 * devnet deploys (contracts/artifacts/Flow.json), which is 0G's current one: `submit` 0xbc8c11f8.
 */
import {Interface, getAddress, keccak256, concat, type JsonRpcProvider, type Log, type Wallet} from 'ethers'
import {callContract, sendContract, type ContractRef, type SendOptions} from '../chain/send.js'
import {loadArtifact} from '../../devnet/deploy.js'
import type {SubmissionNode} from './merkle.js'

/** topic0 of `Submit(address,bytes32,uint256,uint256,uint256,(uint256,bytes,(bytes32,uint256)[]))`. */
export const SUBMIT_TOPIC = '0x167ce04d2aa1981994d3a31695da0d785373335b1078cec239a1a3a2c7675555'

let flowIface: Interface | undefined
let marketIface: Interface | undefined

export function flowInterface(): Interface {
  return (flowIface ??= new Interface(loadArtifact('Flow').abi as never))
}

export function marketInterface(): Interface {
  return (marketIface ??= new Interface(loadArtifact('FixedPriceMarket').abi as never))
}

export function flowRef(address: string): ContractRef {
  return {address: getAddress(address), iface: flowInterface(), name: 'Flow'}
}

/** Flow sectors a submission occupies: Σ 2^height (what the fee is charged on). */
export function submissionSectors(nodes: readonly SubmissionNode[]): bigint {
  return nodes.reduce((s, n) => s + (1n << BigInt(n.height)), 0n)
}

/** The market's current price per 256-byte sector, in wei (read live: it differs per network and changes). */
export async function pricePerSector(provider: JsonRpcProvider, flow: string): Promise<bigint> {
  const market = await callContract<string>(provider, flowRef(flow), 'market')
  return callContract<bigint>(provider, {address: market, iface: marketInterface(), name: 'Market'}, 'pricePerSector')
}

/** The Submit event's `identity`: keccak256 of the packed node roots (not the data root). */
export function submissionIdentity(nodes: readonly SubmissionNode[]): string {
  return keccak256(concat(nodes.map((n) => n.root)))
}

export interface SubmitEvent {
  txSeq: number
  startEntryIndex: number
  /** Sectors (Σ 2^h). */
  sectors: bigint
  /** File bytes (`submission.length`). */
  size: number
  identity: string
  sender: string
  nodes: SubmissionNode[]
  txHash: string
  blockNumber: number
}

/** Decodes the Submit events among `logs` emitted by `flow`. */
export function parseSubmitLogs(logs: readonly Log[], flow: string): SubmitEvent[] {
  const iface = flowInterface()
  const out: SubmitEvent[] = []
  for (const log of logs) {
    if (log.address.toLowerCase() !== flow.toLowerCase() || log.topics[0] !== SUBMIT_TOPIC) continue
    const p = iface.parseLog({topics: [...log.topics], data: log.data})
    if (!p) continue
    // Positional: an ethers Result is an Array, so `.length` would be its field count, not the struct's `length`.
    const sub = p.args.getValue('submission') as [bigint, string, [string, bigint][]]
    out.push({
      txSeq: Number(p.args.getValue('submissionIndex')),
      startEntryIndex: Number(p.args.getValue('startPos')),
      sectors: p.args.getValue('length') as bigint,
      size: Number(sub[0]),
      identity: p.args.getValue('identity') as string,
      sender: p.args.getValue('sender') as string,
      nodes: sub[2].map((n) => ({root: n[0], height: Number(n[1])})),
      txHash: log.transactionHash,
      blockNumber: log.blockNumber,
    })
  }
  return out
}

/** Does `e` record exactly this submission (same nodes, same byte length)? */
export function sameSubmission(e: SubmitEvent, nodes: readonly SubmissionNode[], size: number): boolean {
  return e.size === size && e.nodes.length === nodes.length && e.nodes.every((n, i) => n.height === nodes[i]!.height && n.root.toLowerCase() === nodes[i]!.root.toLowerCase())
}

/**
 * Submit events for these nodes and size from `fromBlock` on (the identity is an indexed topic, so the node does the
 * filtering). Used to recover a submission whose tx hash was lost (killed between broadcast and journal write).
 */
export async function findSubmissions(provider: JsonRpcProvider, flow: string, nodes: readonly SubmissionNode[], size: number, fromBlock: number): Promise<SubmitEvent[]> {
  const logs = await provider.getLogs({address: flow, topics: [SUBMIT_TOPIC, null, submissionIdentity(nodes)], fromBlock, toBlock: 'latest'})
  return parseSubmitLogs(logs, flow).filter((e) => sameSubmission(e, nodes, size))
}

/** The Flow.submit argument: ((length, tags, nodes), submitter). */
export function submissionArg(nodes: readonly SubmissionNode[], size: number, submitter: string, tags = '0x'): unknown[] {
  return [[[BigInt(size), tags, nodes.map((n) => [n.root, BigInt(n.height)])], submitter]]
}

export interface SubmitResult {
  hash: string
  event: SubmitEvent
  /** Gas paid, wei. */
  gasFee: bigint
}

/**
 * Sends Flow.submit with `value` and returns the decoded Submit event of this submission.
 * Errors are sendContract's (simulation decodes NotEnoughFee / InvalidSubmission).
 */
export async function submit(
  wallet: Wallet,
  provider: JsonRpcProvider,
  flow: string,
  nodes: readonly SubmissionNode[],
  size: number,
  value: bigint,
  opts: SendOptions & {tags?: string} = {},
): Promise<SubmitResult> {
  const res = await sendContract(wallet, provider, flowRef(flow), 'submit', submissionArg(nodes, size, wallet.address, opts.tags), {...opts, value, label: opts.label ?? 'Flow.submit'})
  const events = parseSubmitLogs(res.receipt.logs as Log[], flow).filter((e) => sameSubmission(e, nodes, size))
  if (events.length === 0) throw new Error(`Flow.submit ${res.hash} succeeded but emitted no Submit event for this data`)
  return {hash: res.hash, event: events[0]!, gasFee: res.fee}
}
