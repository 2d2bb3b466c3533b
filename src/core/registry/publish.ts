/**
 * Publishing a model or dataset version:
 *
 *   check     the package (schema, shares, semver, license, files), its parents on chain, and a simulation of the
 *             registry call with a placeholder root: every refusal happens here, before a byte is uploaded
 *   hash      sha256 of every file (the manifest records it; downloads verify it)
 *   upload    every file through the storage engine (resumable; data already on the network is not paid again)
 *   manifest  the manifest, uploaded last; its root is what the registry records
 *   register  AssetRegistry.register (first version) or publishVersion (next ones)
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type {JsonRpcProvider, Wallet} from 'ethers'
import {callContract, sendContract, type SendOptions} from '../chain/send.js'
import {authError, ExitCode, isZgError, notFound, usageError, ZgError} from '../errors.js'
import type {NetworkProfile} from '../networks.js'
import {silentReporter, type ProgressEvent, type Reporter} from '../progress.js'
import {uploadDataset, type DatasetUploadResult} from '../storage/dataset.js'
import {uploadFile, type UploadResult} from '../storage/upload.js'
import {throwIfAborted} from '../storage/util.js'
import {kindIndex, Registry, type AssetInfo} from './client.js'
import {MODEL_MANIFEST_SCHEMA, MODEL_MANIFEST_VERSION, serializeManifest, sha256File, type ManifestFile, type ManifestParent, type ModelManifest} from './manifest.js'
import {loadModelPackage, packageError, validatePackage, type AssetKindName, type CheckedPackage, type Problem} from './package.js'
import {formatRef} from './refs.js'
import {compareSemver} from './semver.js'

export interface PublishOptions {
  network: NetworkProfile
  provider: JsonRpcProvider
  /** The publishing account (owner of a new asset, owner or maintainer of an existing one). */
  signer: () => Promise<Wallet>
  /**
   * The owner of the asset to publish a version of, when the signer publishes as one of its maintainers (default:
   * the signer). name@version is resolved under this owner; the asset must exist and the signer must be its owner or
   * a maintainer.
   */
  owner?: string
  reporter?: Reporter
  signal?: AbortSignal
  /** Check, hash and quote; upload and register nothing. */
  dryRun?: boolean
  /** Storage bound per file (upload.ts), default 600000 ms. */
  timeoutMs?: number
  replicas?: number
  tx?: Partial<SendOptions>
  env?: NodeJS.ProcessEnv
}

export interface PublishedFile extends ManifestFile {
  /** Wei: paid now, paid earlier (journal), or, under --dry-run, the quote when it still has to be paid. */
  fee: string
  paidNow: boolean
  /** Already submitted or stored (by an earlier publish or anyone): not paid again. */
  reused: boolean
}

export interface PublishResult {
  kind: AssetKindName
  name: string
  version: string
  /** Null under --dry-run for an asset that does not exist yet. */
  assetId: string | null
  versionIndex: number | null
  newAsset: boolean
  /** The asset's owner (the signer, or the owner a maintainer publishes for). */
  owner: string
  /** The signing account. */
  publisher: string
  license: string
  manifestRoot: string
  fileCount: number
  totalSize: number
  files: PublishedFile[]
  parents: ManifestParent[]
  contributors: {address: string; shareBps: number; name?: string}[]
  lineageShareBps: number
  /** Wei of storage fees paid by this run (0 when every file was already stored). */
  storageFeePaidNow: string
  /** Wei of storage fees still to pay (the --dry-run quote; 0 after a real publish). */
  storageFeeToPay: string
  /** Gas of the registry transaction: used (publish) or estimated (dry run). */
  gas: string | null
  /** Wei of gas: paid (publish) or estimated at the current gas price (dry run). */
  txFee: string | null
  txHash: string | null
  blockNumber: number | null
  dryRun: boolean
  network: string
  warnings: string[]
}

const PLACEHOLDER_ROOT = '0x' + '11'.repeat(32)

/** Publishes the model package in `dir` (see the module comment). */
export async function publishModel(dir: string, opts: PublishOptions): Promise<PublishResult> {
  const reporter = opts.reporter ?? silentReporter
  reporter.emit({step: 'check', status: 'started', message: 'checking zg-model.json'})
  const checked = loadModelPackage(dir)
  const ctx = await prepare(checked, checked.file, opts)
  reporter.emit({step: 'check', status: 'done', message: `${formatRef(checked.pkg)}: ${checked.files.length} file(s), ${ctx.newAsset ? 'new asset' : `new version of asset ${ctx.existing!.id}`}`})

  // hash
  const total = checked.files.reduce((s, f) => s + f.size, 0)
  reporter.emit({step: 'hash', status: 'started', done: 0, total})
  const sha = new Map<string, string>()
  let hashed = 0
  for (const f of checked.files) {
    throwIfAborted(opts.signal)
    sha.set(f.path, await sha256File(f.abs, opts.signal, (n) => reporter.emit({step: 'hash', status: 'progress', done: (hashed += n), total})))
  }
  reporter.emit({step: 'hash', status: 'done', done: total, total, message: `${checked.files.length} file(s), ${total} bytes`})

  // upload
  const files: PublishedFile[] = []
  let sent = 0
  reporter.emit({step: 'upload', status: 'started', done: 0, total, message: opts.dryRun ? 'quoting (dry run)' : undefined})
  for (const f of checked.files) {
    throwIfAborted(opts.signal)
    const digest = sha.get(f.path)!
    if (f.size === 0) {
      files.push({path: f.path, size: 0, sha256: digest, root: null, fee: '0', paidNow: false, reused: false})
      continue
    }
    const r = await uploadFile(f.abs, uploadOptions(opts, ctx.wallet, fileReporter(reporter, f.path, f.size, sent, total)))
    if (r.size !== f.size) throw new ZgError(`${f.path} changed while it was being published.`, {code: 'FILE_CHANGED', exit: ExitCode.UNEXPECTED})
    sent += f.size
    reporter.emit({step: 'upload', status: 'progress', done: sent, total, message: `${f.path} → ${r.root}${r.reused ? ' (already stored, not paid again)' : ''}`})
    files.push({path: f.path, size: f.size, sha256: digest, root: r.root, fee: r.fee, paidNow: r.paidNow, reused: r.reused})
  }
  reporter.emit({step: 'upload', status: 'done', done: total, total})

  // manifest
  const pkg = checked.pkg
  const manifest: ModelManifest = {
    schema: MODEL_MANIFEST_SCHEMA,
    schemaVersion: MODEL_MANIFEST_VERSION,
    name: pkg.name,
    version: pkg.version,
    ...(pkg.description !== undefined ? {description: pkg.description} : {}),
    format: pkg.format!,
    ...(pkg.framework !== undefined ? {framework: pkg.framework} : {}),
    license: pkg.license,
    fileCount: files.length,
    totalSize: total,
    files: files.map(({path: p, size, sha256, root}) => ({path: p, size, sha256, root})),
    parents: ctx.parents,
    contributors: checked.contributors,
    lineageShareBps: checked.lineageShareBps,
  }
  reporter.emit({step: 'manifest', status: 'started', message: 'uploading the manifest'})
  const m = await withTempFile('manifest.json', serializeManifest(manifest), (p) => uploadFile(p, uploadOptions(opts, ctx.wallet, fileReporter(silentReporter, 'manifest', 0, 0, 0, reporter))))
  reporter.emit({step: 'manifest', status: 'done', message: m.root, data: {root: m.root}})

  const fees = feeTotals([...files, {fee: m.fee, paidNow: m.paidNow, reused: m.reused}], !!opts.dryRun)
  const reg = await register(ctx, m.root, opts)
  return {
    kind: 'model',
    name: pkg.name,
    version: pkg.version,
    ...reg,
    newAsset: ctx.newAsset,
    owner: ctx.assetOwner,
    publisher: ctx.owner,
    license: pkg.license,
    manifestRoot: m.root,
    fileCount: files.length,
    totalSize: total,
    files,
    parents: ctx.parents,
    contributors: checked.contributors,
    lineageShareBps: checked.lineageShareBps,
    ...fees,
    dryRun: !!opts.dryRun,
    network: opts.network.name,
    warnings: [...checked.warnings, ...ctx.warnings],
  }
}

/** What `zg dataset publish` registers besides the data: the same fields as zg-model.json, without format/files. */
export interface DatasetMeta {
  name: string
  version: string
  license: string
  description?: string
  contributors: {address: string; shareBps: number; name?: string}[]
  parents?: {datasets?: (string | number)[]; models?: (string | number)[]}
  lineageShareBps?: number
}

export interface DatasetPublishResult extends Omit<PublishResult, 'files'> {
  files: DatasetUploadResult['files']
  /** The dataset manifest of `zg dataset upload`: `zg dataset download ROOT` restores it. */
  datasetRoot: string
}

/**
 * Publishes a file or directory as a dataset version: checks like publishModel, uploads it with the dataset engine
 * of `zg dataset upload` (its manifest root is what the registry records), then registers it.
 * Dry runs are not offered here (the dataset engine has none); use `zg dataset upload` + `zg storage upload --dry-run`.
 */
export async function publishDataset(input: string, meta: DatasetMeta, opts: Omit<PublishOptions, 'dryRun'>, source = 'the dataset metadata'): Promise<DatasetPublishResult> {
  const reporter = opts.reporter ?? silentReporter
  reporter.emit({step: 'check', status: 'started', message: 'checking the dataset metadata'})
  if (!fs.existsSync(input)) throw notFound(`No such file or directory: ${input}`, {code: 'FILE_NOT_FOUND'})
  const {problems, checked} = validatePackage(meta, {kind: 'dataset'})
  if (problems.length) throw packageError(problems, source)
  const ctx = await prepare(checked!, source, opts)
  reporter.emit({step: 'check', status: 'done', message: `${formatRef(meta)}: ${ctx.newAsset ? 'new asset' : `new version of asset ${ctx.existing!.id}`}`})
  const d = await uploadDataset(input, {...uploadOptions(opts, ctx.wallet, reporter), name: meta.name})
  const reg = await register(ctx, d.root, opts)
  return {
    kind: 'dataset',
    name: meta.name,
    version: meta.version,
    ...reg,
    newAsset: ctx.newAsset,
    owner: ctx.assetOwner,
    publisher: ctx.owner,
    license: meta.license,
    manifestRoot: d.root,
    datasetRoot: d.root,
    fileCount: d.fileCount,
    totalSize: d.totalSize,
    files: d.files,
    parents: ctx.parents,
    contributors: checked!.contributors,
    lineageShareBps: checked!.lineageShareBps,
    storageFeePaidNow: d.paidNow ? d.fee : '0',
    storageFeeToPay: '0',
    dryRun: false,
    network: opts.network.name,
    warnings: [...checked!.warnings, ...ctx.warnings, ...d.warnings],
  }
}

// ---------------------------------------------------------------------------------------------------------------

interface Prepared {
  checked: CheckedPackage
  registry: Registry
  wallet: Wallet
  /** The signer. */
  owner: string
  /** Whose asset this is: opts.owner, else the signer. */
  assetOwner: string
  existing?: AssetInfo
  newAsset: boolean
  parents: ManifestParent[]
  parentIds: bigint[]
  warnings: string[]
  /** Change the asset's lineage share after publishing (the package sets one that differs). */
  setLineage: boolean
}

/** Everything that can refuse a publish, done before any upload. */
async function prepare(checked: CheckedPackage, source: string, opts: PublishOptions | Omit<PublishOptions, 'dryRun'>): Promise<Prepared> {
  const registry = Registry.for(opts.network, opts.provider, opts.env)
  const pkg = checked.pkg
  const warnings: string[] = []
  const wallet = await opts.signer()
  const owner = wallet.address
  const assetOwner = opts.owner ?? owner
  const forOther = assetOwner.toLowerCase() !== owner.toLowerCase()

  const existingId = await registry.assetIdOf(assetOwner, pkg.name)
  const existing = existingId === undefined ? undefined : await registry.asset(existingId)
  if (forOther) await checkMaintainer(registry, checked.kind, pkg.name, assetOwner, owner, existing)
  if (existing && existing.kind !== checked.kind) {
    throw usageError(`${forOther ? `${assetOwner} already owns` : 'You already own'} a ${existing.kind} called ${pkg.name} (asset ${existing.id}); a ${checked.kind} cannot be published under the same name.`, {code: 'NAME_TAKEN', suggestions: ['Choose another "name".']})
  }

  // Parents: every reference must resolve, to an asset of the listed kind, once.
  const {parents, ids} = await resolveParents(registry, checked, existing?.id, source)

  if (existing) {
    if (existing.deprecated) throw usageError(`${existing.kind} ${pkg.name} (asset ${existing.id}) is deprecated: no new versions can be published.`, {code: 'ASSET_DEPRECATED'})
    const index = await registry.versionIndexOf(existing.id, pkg.version)
    if (index !== undefined) {
      const latest = await registry.version(existing.id, existing.versionCount - 1)
      throw usageError(`${pkg.name}@${pkg.version} is already published (asset ${existing.id}, version #${index}); versions are immutable.`, {
        code: 'VERSION_EXISTS',
        suggestions: [`Raise "version" in ${source} (the latest is ${latest.version}).`],
        details: {assetId: existing.id.toString(), version: pkg.version},
      })
    }
    const latest = await registry.version(existing.id, existing.versionCount - 1)
    try {
      if (compareSemver(pkg.version, latest.version) < 0) warnings.push(`${pkg.version} is lower than the latest version ${latest.version}; payments always follow the latest published version.`)
    } catch {
      // an on-chain version that is not semver (published by another client): nothing to compare
    }
  }
  const setLineage = !!existing && checked.pkg.lineageShareBps !== undefined && existing.lineageBps !== checked.lineageShareBps
  if (setLineage && existing!.owner.toLowerCase() !== owner.toLowerCase()) {
    warnings.push(`Only the owner ${existing!.owner} can change the lineage share (${existing!.lineageBps} bps on chain); it stays as it is.`)
  }

  const prepared: Prepared = {checked, registry, wallet, owner, assetOwner, existing, newAsset: !existing, parents, parentIds: ids, warnings, setLineage: setLineage && existing!.owner.toLowerCase() === owner.toLowerCase()}
  // The registry call, simulated with a placeholder root: refusals the checks above did not foresee happen now.
  const [method, args] = registryCall(prepared, PLACEHOLDER_ROOT)
  try {
    await callContract(opts.provider, registry.ref, method, args, {from: owner})
  } catch (e) {
    throw refusal(e, prepared)
  }
  return prepared
}

/**
 * A signer publishing under another owner's name: the asset must exist (a maintainer adds versions, it never creates
 * assets) and the signer must be one of its maintainers. Both are views, so the refusal comes before any upload.
 * @throws notFound ASSET_NOT_FOUND (3); authError NOT_PUBLISHER (4): the signer lacks the right, no transaction failed.
 */
async function checkMaintainer(registry: Registry, kind: AssetKindName, name: string, assetOwner: string, signer: string, existing: AssetInfo | undefined): Promise<void> {
  if (!existing) {
    throw notFound(`${assetOwner} owns no asset called ${name} on ${registry.network.name}; a maintainer publishes new versions of an existing asset, it cannot create one.`, {
      code: 'ASSET_NOT_FOUND',
      suggestions: [`List that owner's assets: zg model list --owner ${assetOwner} --kind all`, `Publish a new ${kind} of your own: drop --owner.`],
    })
  }
  if (!existing.maintainers.some((m) => m.toLowerCase() === signer.toLowerCase())) {
    throw authError(`${signer} may not publish versions of ${existing.kind} ${name} (asset ${existing.id}): only its owner ${existing.owner} and the maintainers it appoints can; nothing was uploaded.`, {
      code: 'NOT_PUBLISHER',
      suggestions: [`The owner appoints you with: zg model maintainer add ${existing.id} --address ${signer}`, `See the maintainers: zg model maintainer list ${existing.id}`],
      details: {assetId: existing.id.toString(), owner: existing.owner, signer, maintainers: existing.maintainers},
    })
  }
}

async function resolveParents(registry: Registry, checked: CheckedPackage, selfId: bigint | undefined, source: string): Promise<{parents: ManifestParent[]; ids: bigint[]}> {
  const problems: Problem[] = []
  let unknown = 0
  const parents: ManifestParent[] = []
  const ids: bigint[] = []
  const list = checked.parents.length && checked.parents.some((p) => p.ref.id === undefined && p.ref.owner === undefined) ? await registry.list() : undefined
  for (const p of checked.parents) {
    try {
      const r = await registry.resolve(p.ref, {list})
      if (r.asset.kind !== p.kind) {
        problems.push({path: p.path, message: `${p.ref.raw} is a ${r.asset.kind} (asset ${r.asset.id}), not a ${p.kind}`, fix: `Move it to "parents.${r.asset.kind}s".`})
        continue
      }
      if (selfId !== undefined && r.asset.id === selfId) {
        problems.push({path: p.path, message: `${p.ref.raw} is the asset being published`, fix: 'An asset cannot be its own parent; remove it.'})
        continue
      }
      if (ids.includes(r.asset.id)) {
        problems.push({path: p.path, message: `${p.ref.raw} names asset ${r.asset.id} a second time`, fix: 'List every parent once.'})
        continue
      }
      ids.push(r.asset.id)
      parents.push({id: r.asset.id.toString(), kind: r.asset.kind, name: r.asset.name, owner: r.asset.owner, version: r.version.version, manifestRoot: r.version.manifestRoot})
    } catch (e) {
      if (!isZgError(e) || (e.exit !== ExitCode.NOT_FOUND && e.code !== 'AMBIGUOUS_ASSET')) throw e
      if (e.exit === ExitCode.NOT_FOUND) unknown++
      problems.push({
        path: p.path,
        message: e.exit === ExitCode.NOT_FOUND ? `unknown parent: ${e.message.replace(/\.$/, '')}` : e.message.replace(/\.$/, ''),
        fix: e.exit === ExitCode.NOT_FOUND ? `Publish the ${p.kind} first (zg ${p.kind} publish), or fix the reference (${e.suggestions[0] ?? 'zg model list --kind all'}).` : `Name one of: ${e.suggestions.join('; ')}.`,
      })
    }
  }
  if (problems.length) {
    const err = packageError(problems, source)
    if (unknown) {
      throw new ZgError(err.message, {code: 'UNKNOWN_PARENT', exit: ExitCode.NOT_FOUND, suggestions: err.suggestions, details: err.details})
    }
    throw err
  }
  return {parents, ids}
}

function registryCall(p: Prepared, manifestRoot: string): [string, unknown[]] {
  const v = {
    version: p.checked.pkg.version,
    manifestRoot,
    license: p.checked.pkg.license,
    contributors: p.checked.contributors.map((c) => ({account: c.address, shareBps: c.shareBps})),
    parents: p.parentIds,
  }
  return p.existing ? ['publishVersion', [p.existing.id, v]] : ['register', [kindIndex(p.checked.kind), p.checked.pkg.name, v, p.checked.lineageShareBps]]
}

/** A simulated registry revert → what to change. */
function refusal(e: unknown, p: Prepared): unknown {
  if (!isZgError(e) || e.code !== 'TX_REVERTED') return e
  const r = (e.details as {revert?: {name?: string; reason?: string}} | undefined)?.revert
  const name = r?.name
  const pkg = p.checked.pkg
  const say = (message: string, suggestions: string[] = [], code = 'REGISTRY_REFUSED') => usageError(message, {code, suggestions, cause: e, details: e.details})
  switch (name) {
    case 'NotPublisher':
      return authError(`${p.owner} may not publish versions of asset ${p.existing?.id}: only its owner and the maintainers it appoints can.`, {code: 'NOT_PUBLISHER', suggestions: ["Publish with the owner's account (--account), or as a maintainer the owner appointed (zg model maintainer add)."], cause: e, details: e.details})
    case 'VersionExists':
      return say(`${pkg.name}@${pkg.version} is already published.`, ['Raise "version".'], 'VERSION_EXISTS')
    case 'NameTaken':
      return say(`${p.owner} already owns an asset called ${pkg.name}.`, ['Choose another "name".'], 'NAME_TAKEN')
    case undefined:
      return e
    default:
      return say(`The registry refuses ${pkg.name}@${pkg.version}: ${e.message.replace(/^.*reverted: /, '')}`)
  }
}

async function register(p: Prepared, manifestRoot: string, opts: PublishOptions | Omit<PublishOptions, 'dryRun'>): Promise<Pick<PublishResult, 'assetId' | 'versionIndex' | 'gas' | 'txFee' | 'txHash' | 'blockNumber'>> {
  const reporter = opts.reporter ?? silentReporter
  const [method, args] = registryCall(p, manifestRoot)
  if ('dryRun' in opts && opts.dryRun) {
    const data = p.registry.ref.iface.encodeFunctionData(method, args)
    const [gas, feeData] = await Promise.all([opts.provider.estimateGas({from: p.owner, to: p.registry.address, data}), opts.provider.getFeeData()])
    const price = feeData.maxFeePerGas ?? feeData.gasPrice ?? 0n
    return {assetId: p.existing ? p.existing.id.toString() : null, versionIndex: null, gas: gas.toString(), txFee: (gas * price).toString(), txHash: null, blockNumber: null}
  }
  reporter.emit({step: 'register', status: 'started', message: `AssetRegistry.${method}`})
  const txReporter = forward(reporter, 'register')
  const res = await sendContract(p.wallet, opts.provider, p.registry.ref, method, args, {...opts.tx, reporter: txReporter, signal: opts.signal})
  const registered = res.events.find((e) => e.name === 'AssetRegistered')
  const published = res.events.find((e) => e.name === 'VersionPublished')
  const assetId = registered ? BigInt(registered.args.assetId as bigint) : p.existing!.id
  let gas = res.gasUsed
  let fee = res.fee
  if (p.setLineage) {
    const l = await sendContract(p.wallet, opts.provider, p.registry.ref, 'setLineageShare', [assetId, p.checked.lineageShareBps], {...opts.tx, reporter: txReporter, signal: opts.signal})
    gas += l.gasUsed
    fee += l.fee
  }
  reporter.emit({step: 'register', status: 'done', message: `asset ${assetId}, version #${published?.args.versionIndex ?? '?'}`, data: {hash: res.hash}})
  return {
    assetId: assetId.toString(),
    versionIndex: published ? Number(published.args.versionIndex as bigint) : null,
    gas: gas.toString(),
    txFee: fee.toString(),
    txHash: res.hash,
    blockNumber: res.blockNumber,
  }
}

function uploadOptions(opts: PublishOptions | Omit<PublishOptions, 'dryRun'>, wallet: Wallet, reporter: Reporter) {
  return {
    network: opts.network,
    provider: opts.provider,
    signer: async () => wallet,
    reporter,
    signal: opts.signal,
    dryRun: 'dryRun' in opts ? opts.dryRun : undefined,
    timeoutMs: opts.timeoutMs,
    replicas: opts.replicas,
    tx: opts.tx,
    env: opts.env,
  }
}

function feeTotals(parts: {fee: string; paidNow: boolean; reused: boolean}[], dryRun: boolean): Pick<PublishResult, 'storageFeePaidNow' | 'storageFeeToPay'> {
  const sum = (xs: typeof parts) => xs.reduce((s, x) => s + BigInt(x.fee), 0n).toString()
  return dryRun ? {storageFeePaidNow: '0', storageFeeToPay: sum(parts.filter((x) => !x.reused))} : {storageFeePaidNow: sum(parts.filter((x) => x.paidNow)), storageFeeToPay: '0'}
}

async function withTempFile<T>(name: string, content: string, fn: (p: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zg-model-'))
  try {
    const p = path.join(dir, name)
    fs.writeFileSync(p, content)
    return await fn(p)
  } finally {
    fs.rmSync(dir, {recursive: true, force: true})
  }
}

/** Folds one file's upload events into the "upload" step (bytes scaled to its share); warnings and tx hashes pass. */
function fileReporter(outer: Reporter, rel: string, size: number, base: number, total: number, infoTo: Reporter = outer): Reporter {
  const hashes = new Set<unknown>()
  return {
    emit(e: ProgressEvent) {
      if (e.status === 'warn') return infoTo.emit({...e, step: 'upload', message: `${rel}: ${e.message ?? ''}`})
      if (e.step === 'submit' && e.status === 'info' && e.data?.hash) {
        // The engine reports the hash when it is broadcast and again when it is mined: say it once.
        if (hashes.has(e.data.hash)) return
        hashes.add(e.data.hash)
        return infoTo.emit({step: 'upload', status: 'info', message: `${rel}: transaction ${e.data.hash}`, data: e.data})
      }
      if (e.step === 'upload' && e.status === 'progress' && e.total && total) {
        outer.emit({step: 'upload', status: 'progress', done: base + Math.floor((size * (e.done ?? 0)) / e.total), total})
      }
    },
  }
}

/** Re-labels send-and-wait events ("tx") as one of our steps. */
function forward(reporter: Reporter, step: string): Reporter {
  return {
    emit(e) {
      if (e.step !== 'tx') return reporter.emit(e)
      if (e.status === 'info' || e.status === 'progress' || e.status === 'warn') reporter.emit({...e, step})
    },
  }
}
