/**
 * Datasets on 0G Storage: a file or a directory tree uploaded file by file, then described by a manifest (JSON) that
 * is uploaded last; the manifest's root names the dataset. Downloading restores the tree with every file verified
 * twice: its 0G root (segment proofs, downloader) and the sha256 the manifest recorded.
 *
 * The manifest is deterministic (sorted paths, no timestamps), so uploading the same tree again yields the same root
 * and, with the journal and the nodes' file infos, pays for nothing.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {ExitCode, notFound, usageError, ZgError} from '../errors.js'
import {silentReporter, type Reporter} from '../progress.js'
import {downloadBytes, downloadFile, type DownloadOptions} from './download.js'
import {listEntries, type DatasetInfo} from './journal.js'
import {parseRoot, parseRoots} from './locate.js'
import {uploadFile, type UploadOptions, type UploadResult} from './upload.js'
import {throwIfAborted} from './util.js'

export const DATASET_SCHEMA = 'zg-dataset'
export const DATASET_SCHEMA_VERSION = 1

export type DatasetFormat = 'jsonl' | 'csv' | 'parquet' | 'text' | 'image' | 'other'

export interface DatasetFile {
  /** Relative path with "/" separators. */
  path: string
  size: number
  sha256: string
  /** 0G root (comma-joined fragment roots above 4 GiB); null for an empty file, which 0G cannot store. */
  root: string | null
  format: DatasetFormat
  /** Data rows: non-empty lines for jsonl, lines minus the header for csv (quoted newlines are not parsed). */
  rows?: number
}

export interface DatasetManifest {
  schema: typeof DATASET_SCHEMA
  schemaVersion: number
  name: string
  fileCount: number
  totalSize: number
  files: DatasetFile[]
}

// --- scanning ------------------------------------------------------------------------------------------------

const EXT: Record<string, DatasetFormat> = {
  '.jsonl': 'jsonl', '.ndjson': 'jsonl',
  '.csv': 'csv', '.tsv': 'csv',
  '.parquet': 'parquet', '.pq': 'parquet',
  '.txt': 'text', '.md': 'text', '.text': 'text',
  '.png': 'image', '.jpg': 'image', '.jpeg': 'image', '.gif': 'image', '.webp': 'image', '.bmp': 'image', '.tif': 'image', '.tiff': 'image',
}

const MAGIC: {format: DatasetFormat; bytes: number[]}[] = [
  {format: 'parquet', bytes: [0x50, 0x41, 0x52, 0x31]},
  {format: 'image', bytes: [0x89, 0x50, 0x4e, 0x47]},
  {format: 'image', bytes: [0xff, 0xd8, 0xff]},
  {format: 'image', bytes: [0x47, 0x49, 0x46, 0x38]},
]

/** Format from the extension, confirmed or (without a known extension) found by magic bytes. */
export function detectFormat(rel: string, head: Uint8Array): DatasetFormat {
  const byExt = EXT[path.extname(rel).toLowerCase()]
  const byMagic = MAGIC.find((m) => m.bytes.every((b, i) => head[i] === b))?.format
  if (byExt === 'parquet') return byMagic === 'parquet' ? 'parquet' : 'other'
  return byExt ?? byMagic ?? 'other'
}

export interface ScannedFile {
  abs: string
  rel: string
  size: number
}

/** The regular files of `dir`, sorted by relative path; symlinks and special files are skipped with a warning. */
export function scanTree(dir: string, warnings: string[] = []): ScannedFile[] {
  const out: ScannedFile[] = []
  const walk = (d: string, relDir: string) => {
    for (const e of fs.readdirSync(d, {withFileTypes: true})) {
      const abs = path.join(d, e.name)
      const rel = relDir ? `${relDir}/${e.name}` : e.name
      if (e.isSymbolicLink()) warnings.push(`skipped symlink ${rel}`)
      else if (e.isDirectory()) walk(abs, rel)
      else if (e.isFile()) out.push({abs, rel, size: fs.statSync(abs).size})
      else warnings.push(`skipped ${rel} (not a regular file)`)
    }
  }
  walk(dir, '')
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0))
}

/** sha256 and (for line formats) row counts in one streaming pass. */
export async function describeFile(f: ScannedFile, signal?: AbortSignal, onBytes?: (n: number) => void): Promise<Omit<DatasetFile, 'root'>> {
  const hash = crypto.createHash('sha256')
  const fd = fs.openSync(f.abs, 'r')
  const head = Buffer.alloc(8)
  fs.readSync(fd, head, 0, 8, 0)
  fs.closeSync(fd)
  const format = detectFormat(f.rel, head)
  const countLines = format === 'jsonl' || format === 'csv'
  let lines = 0
  let nonEmpty = 0
  let lineHasContent = false
  for await (const chunk of fs.createReadStream(f.abs, {highWaterMark: 1 << 20, signal})) {
    const b = chunk as Buffer
    hash.update(b)
    onBytes?.(b.length)
    if (!countLines) continue
    let from = 0
    for (let nl = b.indexOf(10, from); nl !== -1; nl = b.indexOf(10, from)) {
      const content = lineHasContent || hasContent(b, from, nl)
      lines++
      if (content) nonEmpty++
      lineHasContent = false
      from = nl + 1
    }
    if (from < b.length && hasContent(b, from, b.length)) lineHasContent = true
  }
  if (lineHasContent) {
    lines++
    nonEmpty++
  }
  const entry: Omit<DatasetFile, 'root'> = {path: f.rel, size: f.size, sha256: hash.digest('hex'), format}
  if (format === 'jsonl') entry.rows = nonEmpty
  if (format === 'csv') entry.rows = Math.max(0, nonEmpty - 1)
  return entry
}

function hasContent(b: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 13 && b[i] !== 32 && b[i] !== 9) return true
  return false
}

// --- upload --------------------------------------------------------------------------------------------------

export interface DatasetUploadOptions extends Omit<UploadOptions, 'dataset' | 'dryRun'> {
  /** Dataset name; default the file or directory name. */
  name?: string
}

export interface DatasetUploadResult {
  /** The manifest's root: the dataset's name on 0G. */
  root: string
  name: string
  fileCount: number
  totalSize: number
  files: DatasetFile[]
  manifest: {size: number; txSeq: number | null; txHash: string | null}
  /** Wei: everything this dataset cost, paid now or earlier. */
  fee: string
  paidNow: boolean
  reused: boolean
  network: string
  warnings: string[]
}

/**
 * Uploads a file or a directory as a dataset: every file (scan → upload), then the manifest.
 * @throws notFound for a missing path (3); usageError for an empty directory or dataset (2); upload errors.
 */
export async function uploadDataset(input: string, opts: DatasetUploadOptions): Promise<DatasetUploadResult> {
  const reporter = opts.reporter ?? silentReporter
  const abs = path.resolve(input)
  let st: fs.Stats
  try {
    st = fs.statSync(abs)
  } catch {
    throw notFound(`No such file or directory: ${input}`, {code: 'FILE_NOT_FOUND'})
  }
  const warnings: string[] = []
  const scanned = st.isDirectory() ? scanTree(abs, warnings) : st.isFile() ? [{abs, rel: path.basename(abs), size: st.size}] : []
  if (!st.isDirectory() && !st.isFile()) throw usageError(`${input} is neither a file nor a directory.`, {code: 'NOT_A_FILE'})
  const totalSize = scanned.reduce((s, f) => s + f.size, 0)
  if (scanned.length === 0) throw usageError(`${input} holds no files to upload.`, {code: 'EMPTY_DATASET'})
  if (totalSize === 0) throw usageError(`Every file in ${input} is empty: empty files cannot be stored on 0G.`, {code: 'EMPTY_DATASET'})
  const name = opts.name ?? path.basename(abs)
  for (const w of warnings) reporter.emit({step: 'scan', status: 'warn', message: w})

  reporter.emit({step: 'scan', status: 'started', done: 0, total: totalSize, message: `${scanned.length} file(s)`})
  const described: Omit<DatasetFile, 'root'>[] = []
  let scannedBytes = 0
  for (const f of scanned) {
    throwIfAborted(opts.signal)
    described.push(
      await describeFile(f, opts.signal, (n) => {
        scannedBytes += n
        reporter.emit({step: 'scan', status: 'progress', done: scannedBytes, total: totalSize})
      }),
    )
  }
  reporter.emit({step: 'scan', status: 'done', done: totalSize, total: totalSize, message: `${scanned.length} file(s), ${totalSize} bytes`})

  const files: DatasetFile[] = []
  let fee = 0n
  let paidNow = false
  let reused = false
  let uploadedBytes = 0
  reporter.emit({step: 'upload', status: 'started', done: 0, total: totalSize})
  for (let k = 0; k < scanned.length; k++) {
    const f = scanned[k]!
    const d = described[k]!
    if (f.size === 0) {
      files.push({...d, root: null})
      continue
    }
    const r = await uploadFile(f.abs, {...opts, reporter: fileReporter(reporter, f, uploadedBytes, totalSize)})
    if (r.size !== d.size) throw new ZgError(`${f.rel} changed while the dataset was being uploaded.`, {code: 'FILE_CHANGED', exit: ExitCode.UNEXPECTED})
    uploadedBytes += f.size
    reporter.emit({step: 'upload', status: 'progress', done: uploadedBytes, total: totalSize, message: `${f.rel} → ${r.root}`})
    files.push({...d, root: r.root})
    fee += BigInt(r.fee)
    paidNow ||= r.paidNow
    reused ||= r.reused
  }
  reporter.emit({step: 'upload', status: 'done', done: totalSize, total: totalSize, message: `${files.length} file(s)`})

  const manifest: DatasetManifest = {schema: DATASET_SCHEMA, schemaVersion: DATASET_SCHEMA_VERSION, name, fileCount: files.length, totalSize, files}
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zg-dataset-'))
  const manifestPath = path.join(tmp, 'manifest.json')
  let m: UploadResult
  try {
    fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 1) + '\n')
    reporter.emit({step: 'manifest', status: 'started', message: 'uploading the manifest'})
    const info: DatasetInfo = {name, files: files.length, totalSize}
    m = await uploadFile(manifestPath, {...opts, dataset: info, reporter: fileReporter(silentReporter, {rel: 'manifest', size: 0}, 0, 0, reporter)})
    reporter.emit({step: 'manifest', status: 'done', message: m.root, data: {root: m.root}})
  } finally {
    fs.rmSync(tmp, {recursive: true, force: true})
  }
  return {
    root: m.root,
    name,
    fileCount: files.length,
    totalSize,
    files,
    manifest: {size: m.size, txSeq: m.txSeq, txHash: m.txHash},
    fee: (fee + BigInt(m.fee)).toString(),
    paidNow: paidNow || m.paidNow,
    reused: reused || m.reused,
    network: m.network,
    warnings,
  }
}

/** Folds one file's upload events into the dataset's "upload" step (bytes scaled to the file's share). */
function fileReporter(outer: Reporter, f: {rel: string; size: number}, base: number, total: number, warnTo: Reporter = outer): Reporter {
  return {
    emit(e) {
      if (e.status === 'warn') return warnTo.emit({...e, step: 'upload', message: `${f.rel}: ${e.message ?? ''}`})
      if (e.step === 'submit' && e.status === 'info' && e.data?.hash) return warnTo.emit({step: 'upload', status: 'info', message: `${f.rel}: transaction ${e.data.hash}`, data: e.data})
      if (e.step === 'upload' && e.status === 'progress' && e.total && total) {
        outer.emit({step: 'upload', status: 'progress', done: base + Math.floor((f.size * (e.done ?? 0)) / e.total), total})
      }
    },
  }
}

// --- download ------------------------------------------------------------------------------------------------

/** Parses and validates a manifest; usage error NOT_A_DATASET when it is not one. */
export function parseManifest(data: Uint8Array, root: string): DatasetManifest {
  let m: DatasetManifest
  try {
    m = JSON.parse(Buffer.from(data).toString('utf8')) as DatasetManifest
  } catch {
    throw notADataset(root, 'it is not JSON')
  }
  if (!m || m.schema !== DATASET_SCHEMA) throw notADataset(root, 'it has no zg-dataset schema tag')
  if (m.schemaVersion !== DATASET_SCHEMA_VERSION) throw notADataset(root, `schema version ${m.schemaVersion} is not supported (this zg reads ${DATASET_SCHEMA_VERSION})`)
  if (!Array.isArray(m.files) || typeof m.name !== 'string') throw notADataset(root, 'its file list is malformed')
  const seen = new Set<string>()
  for (const f of m.files) {
    if (!f || typeof f.path !== 'string' || !Number.isSafeInteger(f.size) || f.size < 0 || typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256)) {
      throw notADataset(root, `entry ${JSON.stringify(f?.path)} is malformed`)
    }
    if (f.size > 0) {
      if (typeof f.root !== 'string') throw notADataset(root, `${f.path} has no root`)
      parseRoots(f.root)
    }
    checkRelPath(f.path)
    if (seen.has(f.path)) throw notADataset(root, `${f.path} is listed twice`)
    seen.add(f.path)
  }
  return m
}

function notADataset(root: string, why: string): ZgError {
  return usageError(`${root} is not a zg dataset manifest: ${why}.`, {code: 'NOT_A_DATASET', suggestions: ['For a single file use: zg storage download ROOT --out FILE']})
}

/** A manifest path must stay inside the output directory: relative, no "..", no empty or odd segments. */
export function checkRelPath(p: string): void {
  const unsafe = (why: string) =>
    new ZgError(`Refusing to write "${p}": ${why}; the dataset manifest tries to escape the output directory.`, {code: 'UNSAFE_PATH', exit: ExitCode.USAGE, details: {path: p}})
  if (p.length === 0 || p.length > 4096) throw unsafe('empty or too long')
  if (p.includes('\0')) throw unsafe('NUL byte')
  if (p.includes('\\')) throw unsafe('backslash')
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) throw unsafe('absolute path')
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.' || seg === '..') throw unsafe(`path segment "${seg}"`)
  }
}

/** `rel` under `outDir`, after checking that no existing symlink redirects it elsewhere. */
/** `rel` under `outDir`, refusing paths that leave it and existing symlinked directories on the way. */
export function safeTarget(outDir: string, rel: string): string {
  checkRelPath(rel)
  const target = path.resolve(outDir, ...rel.split('/'))
  if (!target.startsWith(outDir + path.sep)) throw new ZgError(`Refusing to write "${rel}" outside ${outDir}.`, {code: 'UNSAFE_PATH', exit: ExitCode.USAGE})
  // Walk the existing part of the path: a symlinked directory inside the output could point anywhere.
  let dir = outDir
  const parts = rel.split('/')
  for (const seg of parts.slice(0, -1)) {
    dir = path.join(dir, seg)
    let st: fs.Stats
    try {
      st = fs.lstatSync(dir)
    } catch {
      break
    }
    if (st.isSymbolicLink() || !st.isDirectory()) throw new ZgError(`Refusing to write "${rel}": ${dir} is a symlink or not a directory.`, {code: 'UNSAFE_PATH', exit: ExitCode.USAGE})
  }
  return target
}

export interface DatasetDownloadOptions extends Omit<DownloadOptions, 'force'> {
  force?: boolean
}

export interface DatasetDownloadResult {
  root: string
  name: string
  out: string
  fileCount: number
  totalSize: number
  files: {path: string; size: number; sha256: string; root: string | null}[]
  elapsedMs: number
}

export async function fetchManifest(root: string, opts: DownloadOptions): Promise<{manifest: DatasetManifest; holders: string[]}> {
  const r = parseRoot(root)
  const got = await downloadBytes(r, {...opts, maxBytes: 64 * 1024 * 1024})
  return {manifest: parseManifest(got.data, r), holders: got.holders}
}

/**
 * Restores dataset `root` under `outDir`: every file's 0G root verified by the downloader, then its sha256.
 * Refuses unsafe paths before writing anything, and existing files unless `force`.
 */
export async function downloadDataset(root: string, outDir: string, opts: DatasetDownloadOptions): Promise<DatasetDownloadResult> {
  const started = Date.now()
  const reporter = opts.reporter ?? silentReporter
  reporter.emit({step: 'manifest', status: 'started', message: `reading manifest ${root}`})
  const {manifest} = await fetchManifest(root, opts)
  reporter.emit({step: 'manifest', status: 'done', message: `${manifest.name}: ${manifest.files.length} file(s), ${manifest.totalSize} bytes`})
  const out = path.resolve(outDir)
  fs.mkdirSync(out, {recursive: true})
  const outReal = fs.realpathSync(out)
  const targets = manifest.files.map((f) => ({f, target: safeTarget(outReal, f.path)}))
  if (!opts.force) {
    const clash = targets.filter((t) => fs.existsSync(t.target))
    if (clash.length) {
      throw usageError(`${clash.length} file(s) of the dataset already exist in ${out} (first: ${clash[0]!.f.path}).`, {code: 'OUTPUT_EXISTS', suggestions: ['Pass --force to replace them, or choose another --out.']})
    }
  }
  const total = manifest.files.reduce((s, f) => s + f.size, 0)
  let done = 0
  reporter.emit({step: 'download', status: 'started', done: 0, total})
  for (const {f, target} of targets) {
    throwIfAborted(opts.signal)
    fs.mkdirSync(path.dirname(target), {recursive: true})
    safeTarget(outReal, f.path)
    if (f.size === 0 || f.root === null) {
      fs.writeFileSync(target, '')
    } else {
      await downloadFile(f.root, target, {...opts, force: opts.force, reporter: silentReporter})
    }
    const sha = await sha256File(target)
    if (sha !== f.sha256) {
      fs.rmSync(target, {force: true})
      throw new ZgError(`${f.path}: sha256 ${sha} differs from the manifest's ${f.sha256}.`, {code: 'SHA256_MISMATCH', exit: ExitCode.NETWORK, details: {path: f.path}})
    }
    done += f.size
    reporter.emit({step: 'download', status: 'progress', done, total, message: f.path})
  }
  reporter.emit({step: 'download', status: 'done', done: total, total, message: `${manifest.files.length} file(s) verified (0G root and sha256)`})
  return {
    root: parseRoot(root),
    name: manifest.name,
    out,
    fileCount: manifest.files.length,
    totalSize: total,
    files: manifest.files.map((f) => ({path: f.path, size: f.size, sha256: f.sha256, root: f.root})),
    elapsedMs: Date.now() - started,
  }
}

async function sha256File(p: string): Promise<string> {
  const h = crypto.createHash('sha256')
  for await (const chunk of fs.createReadStream(p, {highWaterMark: 1 << 20})) h.update(chunk as Buffer)
  return h.digest('hex')
}

// --- list ----------------------------------------------------------------------------------------------------

export interface DatasetListItem {
  root: string
  name: string
  files: number
  totalSize: number
  networks: string[]
  finalized: boolean
  updatedAt: string
}

/** Datasets this machine uploaded (from the journal), newest first. */
export function listDatasets(env?: NodeJS.ProcessEnv): DatasetListItem[] {
  return listEntries(env)
    .filter((e) => e.dataset)
    .map((e) => {
      const recs = Object.values(e.records)
      return {
        root: e.root,
        name: e.dataset!.name,
        files: e.dataset!.files,
        totalSize: e.dataset!.totalSize,
        networks: [...new Set(recs.map((r) => r.network))],
        finalized: recs.some((r) => r.state === 'finalized'),
        updatedAt: e.updatedAt,
      }
    })
}
