/**
 * Lineage and money views of an asset: the tree of parents (datasets a model was trained on, models it derives
 * from), what each contributor earned through it, and an account's earnings across the registry.
 */
import type {Wallet} from 'ethers'
import type {SendOptions} from '../chain/send.js'
import {sendContract} from '../chain/send.js'
import {isZgError, notFound, txError, usageError} from '../errors.js'
import type {Reporter} from '../progress.js'
import {mapLimit, type AssetInfo, type Registry, type ResolvedAsset, type VersionInfo} from './client.js'
import type {AssetKindName} from './package.js'

export interface LineageNode {
  id: string
  kind: AssetKindName
  name: string
  owner: string
  /** The version shown: the one asked for at the root, the latest for parents (whose latest contributors get paid). */
  version: string
  /** The parent's contributors receive lineageBps of every payment to the child, split among its parents. */
  lineageBps: number
  parents: LineageNode[]
  /** Already shown higher up this branch (a cycle between versions); its parents are not repeated. */
  cycle?: true
  /** Deeper than the bound; its parents are not listed. */
  truncated?: true
}

const MAX_DEPTH = 8

/** The lineage tree of `resolved` (its own version's parents, then each parent's latest version's parents). */
export async function lineageTree(reg: Registry, resolved: ResolvedAsset): Promise<LineageNode> {
  const cache = new Map<bigint, Promise<{asset: AssetInfo; latest: VersionInfo}>>()
  const load = (id: bigint) => {
    let p = cache.get(id)
    if (!p) {
      p = reg.asset(id).then(async (asset) => ({asset, latest: await reg.version(id, asset.versionCount - 1)}))
      cache.set(id, p)
    }
    return p
  }
  const build = async (asset: AssetInfo, version: VersionInfo, path: bigint[]): Promise<LineageNode> => {
    const node: LineageNode = {id: asset.id.toString(), kind: asset.kind, name: asset.name, owner: asset.owner, version: version.version, lineageBps: asset.lineageBps, parents: []}
    if (path.includes(asset.id)) return {...node, cycle: true}
    if (path.length >= MAX_DEPTH) return version.parents.length ? {...node, truncated: true} : node
    node.parents = await mapLimit(version.parents, 4, async (pid) => {
      const {asset: pa, latest} = await load(pid)
      return build(pa, latest, [...path, asset.id])
    })
    return node
  }
  return build(resolved.asset, resolved.version, [])
}

export interface ContributorEarning {
  account: string
  shareBps: number
  /** Wei credited to this account through this asset (direct payments and payments to its descendants). */
  earned: string
}

export interface AssetEarnings {
  /** Wei paid to this asset itself. */
  totalPaid: string
  /** Wei credited to anyone because of this asset (its contributors, via itself or via descendants). */
  creditedViaThisAsset: string
  /** Wei passed up from payments to this asset to its parents' contributors. */
  passedToParents: string
  contributors: ContributorEarning[]
  /** Accounts credited through this asset that are not among the shown version's contributors (earlier versions). */
  others: {account: string; earned: string}[]
}

/** What the contributors of `resolved` earned through the asset (EarningsCredited events with it as source). */
export async function assetEarnings(reg: Registry, resolved: ResolvedAsset): Promise<AssetEarnings> {
  const id = resolved.asset.id
  const [asSource, asPaid] = await Promise.all([reg.credits({sourceAssetId: id}), reg.credits({assetId: id})])
  const byAccount = new Map<string, bigint>()
  for (const c of asSource) byAccount.set(c.account, (byAccount.get(c.account) ?? 0n) + c.amount)
  const passed = asPaid.filter((c) => c.sourceAssetId !== id).reduce((s, c) => s + c.amount, 0n)
  const listed = new Set(resolved.version.contributors.map((c) => c.account))
  return {
    totalPaid: resolved.asset.totalPaid.toString(),
    creditedViaThisAsset: asSource.reduce((s, c) => s + c.amount, 0n).toString(),
    passedToParents: passed.toString(),
    contributors: resolved.version.contributors.map((c) => ({account: c.account, shareBps: c.shareBps, earned: (byAccount.get(c.account) ?? 0n).toString()})),
    others: [...byAccount].filter(([a]) => !listed.has(a)).map(([account, v]) => ({account, earned: v.toString()})),
  }
}

export interface AccountEarnings {
  account: string
  network: string
  /** Wei that `withdraw` would pay now. */
  withdrawable: string
  /** Wei ever credited / withdrawn (from events). */
  credited: string
  withdrawn: string
  /** Credits grouped by the asset whose contributor the account is, and the asset that was paid. */
  byAsset: {sourceAssetId: string; sourceName: string; sourceKind: AssetKindName; paidAssetId: string; paidName: string; amount: string; payments: number}[]
}

export async function accountEarnings(reg: Registry, account: string): Promise<AccountEarnings> {
  const [withdrawable, credits, withdrawn] = await Promise.all([reg.earningsOf(account), reg.credits({account}), reg.withdrawn(account)])
  const groups = new Map<string, {source: bigint; paid: bigint; amount: bigint; payments: number}>()
  for (const c of credits) {
    const k = `${c.sourceAssetId}:${c.assetId}`
    const g = groups.get(k) ?? {source: c.sourceAssetId, paid: c.assetId, amount: 0n, payments: 0}
    g.amount += c.amount
    g.payments++
    groups.set(k, g)
  }
  const ids = [...new Set([...groups.values()].flatMap((g) => [g.source, g.paid]))]
  const assets = new Map((await mapLimit(ids, 8, (id) => reg.asset(id))).map((a) => [a.id, a]))
  return {
    account,
    network: reg.network.name,
    withdrawable: withdrawable.toString(),
    credited: credits.reduce((s, c) => s + c.amount, 0n).toString(),
    withdrawn: withdrawn.toString(),
    byAsset: [...groups.values()].map((g) => ({
      sourceAssetId: g.source.toString(),
      sourceName: assets.get(g.source)!.name,
      sourceKind: assets.get(g.source)!.kind,
      paidAssetId: g.paid.toString(),
      paidName: assets.get(g.paid)!.name,
      amount: g.amount.toString(),
      payments: g.payments,
    })),
  }
}

export interface PayResult {
  assetId: string
  kind: AssetKindName
  name: string
  version: string
  payer: string
  amount: string
  txHash: string
  blockNumber: number
  /** Who was credited how much by this payment (the contract's EarningsCredited events). */
  credited: {account: string; sourceAssetId: string; amount: string}[]
  network: string
}

/** Pays `value` wei to an asset; the registry splits it (contributors, lineage, no dust lost). */
export async function payAsset(reg: Registry, wallet: Wallet, resolved: ResolvedAsset, value: bigint, tx: Partial<SendOptions> & {reporter?: Reporter; signal?: AbortSignal}): Promise<PayResult> {
  if (value <= 0n) throw usageError('The amount must be greater than zero.', {code: 'ZERO_PAYMENT'})
  const res = await sendContract(wallet, reg.provider, reg.ref, 'pay', [resolved.asset.id], {...tx, value, label: `AssetRegistry.pay(${resolved.asset.id})`})
  return {
    assetId: resolved.asset.id.toString(),
    kind: resolved.asset.kind,
    name: resolved.asset.name,
    version: resolved.version.version,
    payer: wallet.address,
    amount: value.toString(),
    txHash: res.hash,
    blockNumber: res.blockNumber,
    credited: res.events.filter((e) => e.name === 'EarningsCredited').map((e) => ({account: e.args.account as string, sourceAssetId: String(e.args.sourceAssetId), amount: String(e.args.amount)})),
    network: reg.network.name,
  }
}

export interface WithdrawResult {
  account: string
  amount: string
  txHash: string
  blockNumber: number
  /** Gas paid for the withdrawal, wei. */
  fee: string
  network: string
}

/** Withdraws everything credited to the wallet's account; exit 3 NOTHING_TO_WITHDRAW when there is nothing. */
export async function withdrawEarnings(reg: Registry, wallet: Wallet, tx: Partial<SendOptions> & {reporter?: Reporter; signal?: AbortSignal}): Promise<WithdrawResult> {
  const owed = await reg.earningsOf(wallet.address)
  if (owed === 0n) {
    throw notFound(`${wallet.address} has nothing to withdraw on ${reg.network.name}.`, {code: 'NOTHING_TO_WITHDRAW', suggestions: ['See what was credited: zg model earnings']})
  }
  try {
    const res = await sendContract(wallet, reg.provider, reg.ref, 'withdraw', [], {...tx, label: 'AssetRegistry.withdraw'})
    const w = res.events.find((e) => e.name === 'Withdrawn')
    return {account: wallet.address, amount: String(w?.args.amount ?? owed), txHash: res.hash, blockNumber: res.blockNumber, fee: res.fee.toString(), network: reg.network.name}
  } catch (e) {
    if (isZgError(e) && (e.details as {revert?: {name?: string}} | undefined)?.revert?.name === 'NothingToWithdraw') {
      throw txError(`${wallet.address} has nothing left to withdraw (another withdrawal took it first).`, {code: 'NOTHING_TO_WITHDRAW', cause: e})
    }
    throw e
  }
}

