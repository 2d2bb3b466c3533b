/**
 * The AgentNFT (ERC-7857) and TEEVerifier contracts from a client's side: ABIs, typed reads and event scans.
 * The ABI is the one the devnet deploys (contracts/artifacts/AgentNFT.json), which follows 0G's AgentNFT v1
 * reference plus `mintWithSealedKeys` / `updateWithSealedKeys` (publishing the owner's sealed keys on chain).
 */
import {Interface, getAddress, type JsonRpcProvider, type Log} from 'ethers'
import {callContract, type ContractRef} from '../chain/send.js'
import {notFound, usageError, ZgError} from '../errors.js'
import type {NetworkProfile} from '../networks.js'
import {loadArtifact} from '../../devnet/deploy.js'

let nftIface: Interface | undefined
let verifierIface: Interface | undefined

/** AgentNFT's ABI with the verifier's custom errors added, so reverts inside verifyTransferValidity are named. */
export function agentNftInterface(): Interface {
  if (!nftIface) {
    const errors = (loadArtifact('TEEVerifier').abi as Array<{type: string}>).filter((f) => f.type === 'error')
    nftIface = new Interface([...(loadArtifact('AgentNFT').abi as never[]), ...(errors as never[])])
  }
  return nftIface
}

export function teeVerifierInterface(): Interface {
  return (verifierIface ??= new Interface(loadArtifact('TEEVerifier').abi as never))
}

export const nftRef = (address: string): ContractRef => ({address: getAddress(address), iface: agentNftInterface(), name: 'AgentNFT'})
export const verifierRef = (address: string): ContractRef => ({address: getAddress(address), iface: teeVerifierInterface(), name: 'TEEVerifier'})

/** The profile's AgentNFT address, or a clear error when the network has none configured. */
export function nftAddressOf(network: NetworkProfile): string {
  const a = network.contracts.agentNFT
  if (!a) {
    throw usageError(`The network "${network.name}" has no AgentNFT contract configured.`, {
      code: 'INFT_NOT_CONFIGURED',
      suggestions: network.local
        ? ['Start the devnet (zg node start); it deploys AgentNFT.']
        : ['No INFT collection is published for 0G\'s public networks: deploy your own and add it to a custom profile (zg network add … --agent-nft 0x…).'],
    })
  }
  return getAddress(a)
}

export interface IntelligentData {
  dataDescription: string
  dataHash: string
}

/** Parses a decimal (or 0x) token id; usage error otherwise. */
export function parseTokenId(s: string | number | bigint): bigint {
  try {
    const v = BigInt(typeof s === 'string' ? s.trim() : s)
    if (v < 0n) throw new Error()
    return v
  } catch {
    throw usageError(`"${s}" is not a token id (a non-negative integer).`, {code: 'INVALID_TOKEN_ID'})
  }
}

/** ownerOf, with a nonexistent token reported as notFound TOKEN_NOT_FOUND (exit 3). */
export async function ownerOfToken(provider: JsonRpcProvider, nft: string, tokenId: bigint): Promise<string> {
  try {
    return getAddress(await callContract<string>(provider, nftRef(nft), 'ownerOf', [tokenId]))
  } catch (e) {
    throw tokenError(e, tokenId)
  }
}

export async function intelligentDatasOf(provider: JsonRpcProvider, nft: string, tokenId: bigint): Promise<IntelligentData[]> {
  try {
    const r = await callContract<Array<{dataDescription: string; dataHash: string}>>(provider, nftRef(nft), 'intelligentDatasOf', [tokenId])
    return r.map((d) => ({dataDescription: d.dataDescription, dataHash: d.dataHash.toLowerCase()}))
  } catch (e) {
    throw tokenError(e, tokenId)
  }
}

export async function authorizedUsersOf(provider: JsonRpcProvider, nft: string, tokenId: bigint): Promise<string[]> {
  try {
    return (await callContract<string[]>(provider, nftRef(nft), 'authorizedUsersOf', [tokenId])).map((a) => getAddress(a))
  } catch (e) {
    throw tokenError(e, tokenId)
  }
}

export async function delegateOf(provider: JsonRpcProvider, nft: string, user: string): Promise<string> {
  return getAddress(await callContract<string>(provider, nftRef(nft), 'getDelegateAccess', [user]))
}

export async function verifierOf(provider: JsonRpcProvider, nft: string): Promise<string> {
  return getAddress(await callContract<string>(provider, nftRef(nft), 'verifier'))
}

/** The oracle address the collection's verifier trusts. */
export async function trustedOracleOf(provider: JsonRpcProvider, nft: string): Promise<string> {
  const v = await verifierOf(provider, nft)
  return getAddress(await callContract<string>(provider, verifierRef(v), 'teeOracleAddress'))
}

function tokenError(e: unknown, tokenId: bigint): unknown {
  if (e instanceof ZgError) {
    const name = (e.details?.revert as {name?: string} | undefined)?.name
    if (name === 'ERC721NonexistentToken') return notFound(`Token ${tokenId} does not exist (never minted, or burned).`, {code: 'TOKEN_NOT_FOUND', details: {tokenId: tokenId.toString()}})
  }
  return e
}

// ---------------------------------------------------------------------------------------------------------------
// Events

/** eth_getLogs over [from, to], split into smaller ranges when the node refuses a large one. */
export async function getLogsChunked(provider: JsonRpcProvider, filter: {address: string; topics: Array<string | string[] | null>}, fromBlock: number, toBlock?: number): Promise<Log[]> {
  const head = toBlock ?? (await provider.getBlockNumber())
  const out: Log[] = []
  let span = Math.max(1, head - fromBlock + 1)
  let start = fromBlock
  while (start <= head) {
    const end = Math.min(head, start + span - 1)
    try {
      out.push(...(await provider.getLogs({...filter, fromBlock: start, toBlock: end})))
      start = end + 1
    } catch (e) {
      if (span <= 1000) throw e
      span = Math.ceil(span / 8)
    }
  }
  return out
}

const topicId = (id: bigint) => '0x' + id.toString(16).padStart(64, '0')
const topicAddr = (a: string) => '0x' + getAddress(a).slice(2).toLowerCase().padStart(64, '0')

export interface SealedKeyEvent {
  to: string
  tokenId: bigint
  sealedKeys: string[]
  blockNumber: number
  logIndex: number
  txHash: string
}

/** PublishedSealedKey events for (to, tokenId), newest first. */
export async function sealedKeyEvents(provider: JsonRpcProvider, nft: string, to: string, tokenId: bigint, fromBlock = 0): Promise<SealedKeyEvent[]> {
  const iface = agentNftInterface()
  const topic = iface.getEvent('PublishedSealedKey')!.topicHash
  const logs = await getLogsChunked(provider, {address: nft, topics: [topic, topicAddr(to), topicId(tokenId)]}, fromBlock)
  return logs
    .map((l) => {
      const p = iface.parseLog({topics: [...l.topics], data: l.data})!
      return {to: getAddress(p.args[0] as string), tokenId: p.args[1] as bigint, sealedKeys: [...(p.args[2] as string[])], blockNumber: l.blockNumber, logIndex: l.index, txHash: l.transactionHash}
    })
    .sort((a, b) => b.blockNumber - a.blockNumber || b.logIndex - a.logIndex)
}

/**
 * Token ids that ever went to `account` (Transfer events to it; with side 'from', that ever left it: from the zero
 * address = every mint). The caller checks ownerOf for the current state.
 */
export async function tokensEverHeldBy(provider: JsonRpcProvider, nft: string, account: string, fromBlock = 0, side: 'to' | 'from' = 'to'): Promise<bigint[]> {
  const iface = agentNftInterface()
  const topic = iface.getEvent('Transfer')!.topicHash
  const topics = side === 'to' ? [topic, null, topicAddr(account)] : [topic, topicAddr(account)]
  const logs = await getLogsChunked(provider, {address: nft, topics}, fromBlock)
  const ids = new Set<bigint>()
  for (const l of logs) ids.add(BigInt(l.topics[3]!))
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/** Every token id minted so far (0 … totalMinted-1). */
export async function mintedCount(provider: JsonRpcProvider, nft: string): Promise<bigint> {
  return callContract<bigint>(provider, nftRef(nft), 'totalMinted')
}

export interface CloneLink {
  tokenId: bigint
  newTokenId: bigint
}

/** Cloned events where `tokenId` is the source or the clone. */
export async function cloneLinks(provider: JsonRpcProvider, nft: string, tokenId: bigint, fromBlock = 0): Promise<CloneLink[]> {
  const iface = agentNftInterface()
  const topic = iface.getEvent('Cloned')!.topicHash
  const [asSource, asClone] = await Promise.all([
    getLogsChunked(provider, {address: nft, topics: [topic, topicId(tokenId)]}, fromBlock),
    getLogsChunked(provider, {address: nft, topics: [topic, null, topicId(tokenId)]}, fromBlock),
  ])
  return [...asSource, ...asClone].map((l) => ({tokenId: BigInt(l.topics[1]!), newTokenId: BigInt(l.topics[2]!)}))
}
