/**
 * Downloading a registered version: the registry names the manifest root; the manifest (itself verified against
 * that root by the downloader) lists every file with its 0G root and sha256; each file is verified twice (segment
 * proofs and rebuilt root, then sha256) before it counts. Datasets use the dataset engine of `zg dataset download`.
 */
import fs from 'node:fs'
import path from 'node:path'
import {ExitCode, usageError, ZgError} from '../errors.js'
import {silentReporter} from '../progress.js'
import {downloadDataset, safeTarget} from '../storage/dataset.js'
import {downloadBytes, downloadFile, type DownloadOptions} from '../storage/download.js'
import {throwIfAborted} from '../storage/util.js'
import type {ResolvedAsset} from './client.js'
import {parseModelManifest, sha256File, type ManifestFile, type ModelManifest} from './manifest.js'
import type {AssetKindName} from './package.js'

export interface AssetDownloadResult {
  assetId: string
  kind: AssetKindName
  name: string
  version: string
  manifestRoot: string
  out: string
  fileCount: number
  totalSize: number
  files: {path: string; size: number; sha256: string; root: string | null}[]
  /** Every file matched its 0G root (segment proofs) and the manifest's sha256. */
  verified: true
  license: string
  elapsedMs: number
}

export interface AssetDownloadOptions extends Omit<DownloadOptions, 'force'> {
  force?: boolean
}

/** Downloads a resolved asset version into `outDir` (created if needed); refuses to overwrite unless `force`. */
export async function downloadAsset(resolved: ResolvedAsset, outDir: string, opts: AssetDownloadOptions): Promise<AssetDownloadResult> {
  const started = Date.now()
  const reporter = opts.reporter ?? silentReporter
  const {asset, version} = resolved
  const base = {assetId: asset.id.toString(), kind: asset.kind, name: asset.name, version: version.version, manifestRoot: version.manifestRoot, license: version.license}
  if (asset.kind === 'dataset') {
    const d = await downloadDataset(version.manifestRoot, outDir, {...opts, force: opts.force})
    return {...base, out: d.out, fileCount: d.fileCount, totalSize: d.totalSize, files: d.files, verified: true, elapsedMs: Date.now() - started}
  }
  reporter.emit({step: 'manifest', status: 'started', message: `reading the manifest ${version.manifestRoot}`})
  const got = await downloadBytes(version.manifestRoot, {...opts, maxBytes: 64 * 1024 * 1024})
  const manifest = parseModelManifest(got.data, version.manifestRoot)
  checkAgainstRegistry(manifest, resolved)
  reporter.emit({step: 'manifest', status: 'done', message: `${manifest.name}@${manifest.version}: ${manifest.files.length} file(s), ${manifest.totalSize} bytes`})

  const out = path.resolve(outDir)
  fs.mkdirSync(out, {recursive: true})
  const outReal = fs.realpathSync(out)
  const targets = manifest.files.map((f) => ({f, target: safeTarget(outReal, f.path)}))
  if (!opts.force) {
    const clash = targets.filter((t) => fs.existsSync(t.target))
    if (clash.length) {
      throw usageError(`${clash.length} file(s) of ${manifest.name}@${manifest.version} already exist in ${out} (first: ${clash[0]!.f.path}).`, {code: 'OUTPUT_EXISTS', suggestions: ['Pass --force to replace them, or choose another --out.']})
    }
  }
  const total = manifest.files.reduce((s, f) => s + f.size, 0)
  let done = 0
  reporter.emit({step: 'download', status: 'started', done: 0, total})
  for (const {f, target} of targets) {
    throwIfAborted(opts.signal)
    fs.mkdirSync(path.dirname(target), {recursive: true})
    safeTarget(outReal, f.path)
    await fetchOne(f, target, opts)
    done += f.size
    reporter.emit({step: 'download', status: 'progress', done, total, message: f.path})
  }
  reporter.emit({step: 'download', status: 'done', done: total, total, message: `${manifest.files.length} file(s) verified (0G root and sha256)`})
  return {...base, out, fileCount: manifest.files.length, totalSize: total, files: manifest.files.map((f) => ({path: f.path, size: f.size, sha256: f.sha256, root: f.root})), verified: true, elapsedMs: Date.now() - started}
}

async function fetchOne(f: ManifestFile, target: string, opts: AssetDownloadOptions): Promise<void> {
  if (f.size === 0 || f.root === null) {
    fs.writeFileSync(target, '')
  } else {
    const r = await downloadFile(f.root, target, {...opts, force: opts.force, reporter: silentReporter})
    if (r.size !== f.size) {
      fs.rmSync(target, {force: true})
      throw new ZgError(`${f.path}: ${r.size} bytes downloaded, the manifest says ${f.size}.`, {code: 'SIZE_MISMATCH', exit: ExitCode.NETWORK, details: {path: f.path}})
    }
  }
  const sha = await sha256File(target, opts.signal)
  if (sha !== f.sha256) {
    fs.rmSync(target, {force: true})
    throw new ZgError(`${f.path}: sha256 ${sha} differs from the manifest's ${f.sha256}; the file was removed.`, {code: 'SHA256_MISMATCH', exit: ExitCode.NETWORK, details: {path: f.path, expected: f.sha256, got: sha}})
  }
}

/** The manifest must describe the version the registry points at. */
function checkAgainstRegistry(m: ModelManifest, r: ResolvedAsset): void {
  if (m.name !== r.asset.name || m.version !== r.version.version || m.license !== r.version.license) {
    throw new ZgError(
      `The manifest ${r.version.manifestRoot} describes ${m.name}@${m.version} (${m.license}), but the registry lists it as ${r.asset.name}@${r.version.version} (${r.version.license}).`,
      {code: 'MANIFEST_MISMATCH', exit: ExitCode.UNEXPECTED, suggestions: ['The version was registered with another manifest than the one it names; report it to the publisher.']},
    )
  }
}


