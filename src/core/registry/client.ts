/**
 * Reading the AssetRegistry: assets, versions, earnings, and the resolution of a reference (refs.ts) to one asset
 * version, which every command shares. State comes from the contract's views (no indexer, no backend); the history
 * of payments comes from its events.
 */
import {Interface, type JsonRpcProvider, type Log} from 'ethers'
import {callContract, type ContractRef} from '../chain/send.js'
import {ExitCode, isZgError, notFound, usageError, ZgError} from '../errors.js'
import {readDevnetState, type NetworkProfile} from '../networks.js'
import {loadArtifact} from '../../devnet/deploy.js'
import {formatRef, parseAssetRef, type AssetRef} from './refs.js'
import {compareSemver, isSemver} from './semver.js'
import type {AssetKindName} from './package.js'

export const KINDS: readonly AssetKindName[] = ['dataset', 'model']
export const kindIndex = (k: AssetKindName): number => KINDS.indexOf(k)

export interface ContributorShare {
  account: string
  shareBps: number
}

export interface AssetInfo {
  id: bigint
  kind: AssetKindName
  name: string
  owner: string
  createdAt: number
  deprecated: boolean
  lineageBps: number
  versionCount: number
  maintainers: string[]
  /** Wei paid to this asset, ever. */
  totalPaid: bigint
}

export interface VersionInfo {
  index: number
  version: string
  manifestRoot: string
  license: string
  contributors: ContributorShare[]
  parents: bigint[]
  publisher: string
  createdAt: number
}

export interface ResolvedAsset {
  asset: AssetInfo
  version: VersionInfo
  /** True when the reference named no version and the latest was taken. */
  latest: boolean
}

export interface Credit {
  account: string
  /** The asset that was paid. */
  assetId: bigint
  /** The asset whose contributors were credited (the paid asset itself, or one of its parents). */
  sourceAssetId: bigint
  amount: bigint
  blockNumber: number
  txHash: string
}

let iface: Interface | undefined
export function registryInterface(): Interface {
  return (iface ??= new Interface(loadArtifact('AssetRegistry').abi as never))
}

const CONCURRENCY = 16

export class Registry {
  readonly ref: ContractRef

  constructor(
    readonly provider: JsonRpcProvider,
    readonly address: string,
    readonly network: NetworkProfile,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.ref = {address, iface: registryInterface(), name: 'AssetRegistry'}
  }

  /** The registry of `network`; usage error naming the fix when the profile has none. */
  static for(network: NetworkProfile, provider: JsonRpcProvider, env: NodeJS.ProcessEnv = process.env): Registry {
    const address = network.contracts.registry
    if (!address) {
      throw new ZgError(`Network "${network.name}" has no asset registry${network.local ? ' (is the devnet running? start it with: zg node start)' : ''}.`, {
        code: 'REGISTRY_UNKNOWN',
        exit: ExitCode.USAGE,
        suggestions: network.local
          ? ['Start the local devnet: zg node start']
          : ['0G runs no public model registry; deploy contracts/artifacts/AssetRegistry.json and add its address: zg network add NAME … --registry 0x…', 'Or use the local devnet: --network local'],
      })
    }
    return new Registry(provider, address, network, env)
  }

  private async call<T>(method: string, args: unknown[] = []): Promise<T> {
    try {
      return await callContract<T>(this.provider, this.ref, method, args)
    } catch (e) {
      throw this.explain(e)
    }
  }

  /** Maps the registry's "not found" reverts to exit 3; the rest unchanged. */
  private explain(e: unknown): unknown {
    if (!isZgError(e)) return e
    const r = (e.details as {revert?: {name?: string; args?: Record<string, string>}} | undefined)?.revert
    if (r?.name === 'AssetNotFound') return notFound(`No asset ${r.args?.assetId ?? ''} in the registry on ${this.network.name}.`, {code: 'ASSET_NOT_FOUND', suggestions: ['List assets with: zg model list'], cause: e})
    return e
  }

  async count(): Promise<bigint> {
    return this.call<bigint>('assetCount')
  }

  async asset(id: bigint): Promise<AssetInfo> {
    const r = await this.call<any>('getAsset', [id])
    return {
      id: BigInt(r.id),
      kind: KINDS[Number(r.kind)] ?? 'model',
      name: r.name,
      owner: r.owner,
      createdAt: Number(r.createdAt),
      deprecated: r.deprecated,
      lineageBps: Number(r.lineageBps),
      versionCount: Number(r.versionCount),
      maintainers: [...r.maintainers],
      totalPaid: BigInt(r.totalPaid),
    }
  }

  async version(id: bigint, index: number): Promise<VersionInfo> {
    return toVersion(await this.call<any>('getVersion', [id, index]), index)
  }

  async versions(asset: AssetInfo): Promise<VersionInfo[]> {
    return mapLimit(Array.from({length: asset.versionCount}, (_, i) => i), CONCURRENCY, (i) => this.version(asset.id, i))
  }

  /** Index of `version` in the asset's versions, or undefined when it was never published. */
  async versionIndexOf(id: bigint, version: string): Promise<number | undefined> {
    try {
      return Number(await callContract<bigint>(this.provider, this.ref, 'versionIndexOf', [id, version]))
    } catch (e) {
      const name = isZgError(e) ? (e.details as {revert?: {name?: string}} | undefined)?.revert?.name : undefined
      if (name === 'InvalidVersion') return undefined
      throw this.explain(e)
    }
  }

  /** Id of `owner`'s asset called `name`, or undefined. */
  async assetIdOf(owner: string, name: string): Promise<bigint | undefined> {
    const id = await this.call<bigint>('assetIdOf', [owner, name])
    return id === 0n ? undefined : BigInt(id)
  }

  async earningsOf(account: string): Promise<bigint> {
    return BigInt(await this.call<bigint>('earningsOf', [account]))
  }

  /** Every asset, in id order (one view call per asset, a few at a time). */
  async list(): Promise<AssetInfo[]> {
    const n = Number(await this.count())
    return mapLimit(Array.from({length: n}, (_, i) => BigInt(i + 1)), CONCURRENCY, (id) => this.asset(id))
  }

  /**
   * Resolves a reference (string as typed, or parsed) to one asset and one version.
   * @throws usageError INVALID_ASSET_REF (2); notFound ASSET_NOT_FOUND / VERSION_NOT_FOUND (3); usageError
   *   AMBIGUOUS_ASSET (2) when a bare name belongs to several owners.
   */
  async resolve(input: string | AssetRef, opts: {list?: AssetInfo[]} = {}): Promise<ResolvedAsset> {
    const ref = typeof input === 'string' ? parseAssetRef(input) : input
    const asset = await this.resolveAsset(ref, opts)
    if (ref.version === undefined) {
      return {asset, version: await this.version(asset.id, asset.versionCount - 1), latest: true}
    }
    const index = await this.versionIndexOf(asset.id, ref.version)
    if (index === undefined) {
      const all = await this.versions(asset)
      const known = all.map((v) => v.version).sort((a, b) => (isSemver(a) && isSemver(b) ? compareSemver(a, b) : a < b ? -1 : 1))
      throw notFound(`${asset.kind} ${asset.name} (asset ${asset.id}) has no version ${ref.version}.`, {
        code: 'VERSION_NOT_FOUND',
        suggestions: [`Published versions: ${known.join(', ')}`, `The latest: ${formatRef({name: asset.name, version: all[all.length - 1]?.version})}`],
        details: {assetId: asset.id.toString(), version: ref.version, versions: known},
      })
    }
    return {asset, version: await this.version(asset.id, index), latest: false}
  }

  /** The asset a reference names (ignoring its version). */
  async resolveAsset(ref: AssetRef, opts: {list?: AssetInfo[]} = {}): Promise<AssetInfo> {
    if (ref.id !== undefined) {
      const n = await this.count()
      if (ref.id > n) throw notFound(`No asset ${ref.id} in the registry on ${this.network.name} (it holds ${n}).`, {code: 'ASSET_NOT_FOUND', suggestions: ['List assets with: zg model list']})
      return this.asset(ref.id)
    }
    if (ref.owner !== undefined) {
      const id = await this.assetIdOf(ref.owner, ref.name!)
      if (id === undefined) throw notFound(`${ref.owner} owns no asset called ${ref.name} on ${this.network.name}.`, {code: 'ASSET_NOT_FOUND', suggestions: [`List that owner's assets: zg model list --owner ${ref.owner} --kind all`]})
      return this.asset(id)
    }
    const all = opts.list ?? (await this.list())
    const matches = all.filter((a) => a.name === ref.name)
    if (matches.length === 1) return matches[0]!
    if (matches.length === 0) {
      const folded = all.filter((a) => a.name.toLowerCase() === ref.name!.toLowerCase())
      throw notFound(`No asset called ${ref.name} in the registry on ${this.network.name}.`, {
        code: 'ASSET_NOT_FOUND',
        suggestions: folded.length ? [`Names are case-sensitive: did you mean ${folded[0]!.name}?`] : ['List assets with: zg model list --kind all'],
      })
    }
    throw usageError(`${matches.length} owners have an asset called ${ref.name}; say whose.`, {
      code: 'AMBIGUOUS_ASSET',
      suggestions: matches.map((a) => `${a.owner}/${a.name}${ref.version ? `@${ref.version}` : ''} (asset ${a.id}, ${a.kind})`),
      details: {candidates: matches.map((a) => ({id: a.id.toString(), owner: a.owner, kind: a.kind}))},
    })
  }

  /** The first block worth scanning for events: the devnet's deployment block, else genesis. */
  fromBlock(): number {
    return this.network.local ? (readDevnetState(this.env)?.deployBlock ?? 0) : 0
  }

  /** EarningsCredited events, filtered by the indexed account / paid asset / source asset. */
  async credits(filter: {account?: string; assetId?: bigint; sourceAssetId?: bigint}): Promise<Credit[]> {
    const ev = this.ref.iface.getEvent('EarningsCredited')!
    const topics = this.ref.iface.encodeFilterTopics(ev, [filter.account ?? null, filter.assetId ?? null, filter.sourceAssetId ?? null])
    const logs = await this.logs(topics)
    return logs.map((l) => {
      const p = this.ref.iface.parseLog({topics: [...l.topics], data: l.data})!
      return {account: p.args.account, assetId: BigInt(p.args.assetId), sourceAssetId: BigInt(p.args.sourceAssetId), amount: BigInt(p.args.amount), blockNumber: l.blockNumber, txHash: l.transactionHash}
    })
  }

  /** Total withdrawn by `account` (Withdrawn events). */
  async withdrawn(account: string): Promise<bigint> {
    const ev = this.ref.iface.getEvent('Withdrawn')!
    const logs = await this.logs(this.ref.iface.encodeFilterTopics(ev, [account]))
    return logs.reduce((s, l) => s + BigInt(this.ref.iface.parseLog({topics: [...l.topics], data: l.data})!.args.amount), 0n)
  }

  /**
   * eth_getLogs of the registry from fromBlock() to the head. A node that refuses a range as too large gets it in
   * halves (bounded), so public RPCs with range limits work for registries that are not too old.
   */
  async logs(topics: (string | string[] | null)[]): Promise<Log[]> {
    const head = await this.provider.getBlockNumber()
    const out: Log[] = []
    let budget = 256
    const get = async (from: number, to: number): Promise<void> => {
      try {
        out.push(...(await this.provider.getLogs({address: this.address, topics, fromBlock: from, toBlock: to})))
      } catch (e) {
        if (to - from < 1 || --budget <= 0) throw e
        const mid = from + Math.floor((to - from) / 2)
        await get(from, mid)
        await get(mid + 1, to)
      }
    }
    await get(this.fromBlock(), head)
    return out.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index)
  }
}

function toVersion(r: any, index: number): VersionInfo {
  return {
    index,
    version: r.version,
    manifestRoot: r.manifestRoot,
    license: r.license,
    contributors: [...r.contributors].map((c: any) => ({account: c.account, shareBps: Number(c.shareBps)})),
    parents: [...r.parents].map((p: bigint) => BigInt(p)),
    publisher: r.publisher,
    createdAt: Number(r.createdAt),
  }
}

export async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, worker))
  return out
}

export const isoTime = (seconds: number): string => new Date(seconds * 1000).toISOString()
