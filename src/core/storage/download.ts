/**
 * Verified downloads from 0G Storage.
 *
 * Every segment comes with its Merkle proof (zgs_downloadSegmentWithProofByTxSeq) and is checked against the
 * requested root before a byte of it is written (proof.ts verifySegmentProof: data length, segment root, proof
 * position, root, padding). The file root is then rebuilt from the verified segment roots and compared, and the size
 * checked, before the file appears at its path. A node that returns nothing or bad data for a segment is skipped for
 * the next holder of that segment (NODE #409: nodes that claim finalized and serve nothing exist); only when no node
 * has good data does the download fail, and then nothing is left behind.
 *
 * Data goes to `<out>.zgpart`, with a small sidecar `<out>.zgpart.json` listing verified segments, so an interrupted
 * download resumes; the part file is renamed to `<out>` at the end (never over an existing file without `force`).
 */
import fs from 'node:fs'
import {open, type FileHandle} from 'node:fs/promises'
import path from 'node:path'
import {ExitCode, isZgError, networkError, usageError, ZgError} from '../errors.js'
import type {NetworkProfile} from '../networks.js'
import {silentReporter, type Reporter} from '../progress.js'
import {writeFileAtomic} from '../keys/atomic-file.js'
import {SEGMENT_HEIGHT, SEGMENT_SIZE, zeroHash} from './constants.js'
import {fromHex, hashEquals} from './keccak.js'
import {SegmentSet} from './journal.js'
import {fileLayout} from './layout.js'
import {locateFile, parseRoots, type Holder, type Location} from './locate.js'
import {paddedSegmentRoot} from './merkle.js'
import {globalSegment, holdsSegment} from './nodes.js'
import {SegmentTree, verifySegmentProof} from './proof.js'
import {abortReason, throttle, throwIfAborted} from './util.js'
import {defaultVerifyWorkers, VerifyPool} from './verify-pool.js'

export interface DownloadOptions {
  network: NetworkProfile
  reporter?: Reporter
  signal?: AbortSignal
  /** Replace an existing file at the output path. */
  force?: boolean
  /** Segments fetched at once; default 8. */
  concurrency?: number
  /** Ask only these storage nodes (skips the indexer). */
  nodeUrls?: string[]
  /** Threads verifying proofs for downloads of 4 MiB and more; default one per spare core (max 4); 0 = none. */
  verifyWorkers?: number
  env?: NodeJS.ProcessEnv
}

/** Below this a worker's start-up (~30 ms) costs more than hashing on this thread. */
const POOL_MIN_BYTES = 4 * 1024 * 1024

export interface BadNode {
  url: string
  segment: number
  reason: string
}

export interface DownloadResult {
  root: string
  out: string
  size: number
  segments: number
  /** Verified: every segment proof, the rebuilt root and the size. Always true on success. */
  verified: true
  holders: string[]
  txSeq: number | null
  /** Segments taken from an earlier, interrupted run (re-hashed from disk for the root check). */
  resumedSegments: number
  /** Answers rejected along the way (missing or failed proof), each replaced by another node's data. */
  rejected: BadNode[]
  elapsedMs: number
  bytesPerSecond: number
}

/** Where the data goes: positional writes of verified segments. */
interface Sink {
  write(offset: number, data: Uint8Array): Promise<void>
}

interface FetchTarget {
  loc: Location
  /** Absolute offset of this root's bytes in the output. */
  base: number
  /** Segments already verified and in the sink. */
  have: SegmentSet
  /** Verified segment roots, 32 bytes each (data segments only). */
  roots: Uint8Array
}

interface FetchOptions {
  signal?: AbortSignal
  /** Verify on worker threads (big downloads); on this thread without. */
  pool?: VerifyPool
  reporter: Reporter
  concurrency: number
  onSegment?: () => void
  rejected: BadNode[]
  progress: {done: number; total: number}
}

function noGoodData(root: string, segment: number, tried: BadNode[], asked: number): ZgError {
  const why = tried.length ? tried.map((b) => `${b.url}: ${b.reason}`).join('; ') : `none of the ${asked} nodes holds it`
  return new ZgError(`No storage node served verifiable data for segment ${segment} of ${root} (${why}).`, {
    code: 'DATA_UNAVAILABLE',
    exit: ExitCode.NETWORK,
    suggestions: ['Try again later or against other nodes (--network / the profile\'s indexer); nothing was written.'],
    details: {root, segment, rejected: tried},
  })
}

/** Fetches and verifies every missing segment of one root into `sink`. */
async function fetchSegments(t: FetchTarget, sink: Sink, o: FetchOptions): Promise<void> {
  const {root, size} = t.loc
  const layout = fileLayout(size)
  const rootHash = fromHex(root)!
  const strikes = new Map<string, number>()
  let next = 0
  const todo: number[] = []
  for (let i = 0; i < layout.segments; i++) if (!t.have.has(i)) todo.push(i)

  const candidatesFor = (i: number): Holder[] => {
    const hs = t.loc.holders.filter((h) => holdsSegment(h.node.config, globalSegment(h.info.tx.startEntryIndex, i)))
    // Spread load over replicas, but nodes that served bad data go last.
    const rot = hs.length ? i % hs.length : 0
    const rotated = [...hs.slice(rot), ...hs.slice(0, rot)]
    return rotated.sort((a, b) => (strikes.get(a.node.url) ?? 0) - (strikes.get(b.node.url) ?? 0) || Number(b.info.finalized) - Number(a.info.finalized))
  }

  const one = async (i: number) => {
    const tried: BadNode[] = []
    for (const h of candidatesFor(i)) {
      throwIfAborted(o.signal)
      let seg
      try {
        seg = await h.node.client.downloadSegmentWithProofByTxSeq(h.info.tx.seq, i, {signal: o.signal, retries: 1})
      } catch (e) {
        if (o.signal?.aborted) throw abortReason(o.signal)
        tried.push({url: h.node.url, segment: i, reason: (e as Error).message})
        continue
      }
      const bad = (reason: string) => {
        tried.push({url: h.node.url, segment: i, reason})
        strikes.set(h.node.url, (strikes.get(h.node.url) ?? 0) + 1)
      }
      if (!seg || !Buffer.isBuffer(seg.bytes)) {
        bad('no data for this segment')
        continue
      }
      const raw = seg.bytes
      const {check, data} = o.pool ? await o.pool.verify(root, i, raw, seg.proof, size) : {check: verifySegmentProof(rootHash, i, raw, seg.proof, size), data: raw}
      if (!check.ok) {
        bad(`proof check failed: ${check.reason}`)
        continue
      }
      const leaf = fromHex(seg.proof.lemma[0]!)!
      const len = Math.min(SEGMENT_SIZE, size - i * SEGMENT_SIZE)
      await sink.write(t.base + i * SEGMENT_SIZE, data.subarray(0, len))
      t.roots.set(leaf, i * 32)
      t.have.add(i)
      o.rejected.push(...tried)
      o.progress.done += len
      o.reporter.emit({step: 'download', status: 'progress', done: o.progress.done, total: o.progress.total})
      o.onSegment?.()
      return
    }
    throw noGoodData(root, i, tried, t.loc.holders.length)
  }

  const worker = async () => {
    while (next < todo.length) await one(todo[next++]!)
  }
  await Promise.all(Array.from({length: Math.min(o.concurrency, todo.length)}, worker))
}

/** The root rebuilt from all data segment roots (plus whole-padding segments): must equal the requested one. */
function checkRoot(t: FetchTarget): void {
  const layout = fileLayout(t.loc.size)
  const all = new Uint8Array(layout.paddedSegments * 32)
  all.set(t.roots.subarray(0, layout.segments * 32))
  for (let i = layout.segments; i < layout.paddedSegments; i++) all.set(zeroHash(SEGMENT_HEIGHT), i * 32)
  const got = new SegmentTree(all).root
  if (!hashEquals(fromHex(got)!, fromHex(t.loc.root)!)) {
    throw new ZgError(`The downloaded data hashes to ${got}, not ${t.loc.root}.`, {code: 'ROOT_MISMATCH', exit: ExitCode.NETWORK, details: {expected: t.loc.root, got}})
  }
}

interface Sidecar {
  version: 1
  roots: string
  size: number
  fragments: {root: string; size: number; verified: string}[]
}

/** Resolves `--out`: an existing directory (or a path ending in a separator) gets the root as file name. */
export function resolveOutPath(out: string, root: string): string {
  const abs = path.resolve(out)
  if (out.endsWith(path.sep) || out.endsWith('/')) return path.join(abs, root)
  try {
    if (fs.statSync(abs).isDirectory()) return path.join(abs, root)
  } catch {
    // Not there yet: a file path.
  }
  return abs
}

/**
 * Downloads the file with root `rootSpec` (or the comma-separated fragment roots of a split file, concatenated)
 * to `out`, verified. See the module comment.
 * @throws usageError BAD_ROOT / OUTPUT_EXISTS (2); notFound FILE_NOT_FOUND (3); ZgError DATA_UNAVAILABLE (5);
 *   networkError (5); interrupted (130, resumable).
 */
export async function downloadFile(rootSpec: string, out: string, opts: DownloadOptions): Promise<DownloadResult> {
  const started = Date.now()
  const reporter = opts.reporter ?? silentReporter
  const roots = parseRoots(rootSpec)
  const target = resolveOutPath(out, roots.join('-').slice(0, 200))
  if (fs.existsSync(target) && !opts.force) {
    throw usageError(`${target} already exists.`, {code: 'OUTPUT_EXISTS', suggestions: ['Pass --force to replace it, or choose another --out.']})
  }
  reporter.emit({step: 'locate', status: 'started', message: `looking up ${roots.length > 1 ? `${roots.length} fragments` : roots[0]}`})
  const locs: Location[] = []
  for (const r of roots) {
    const loc = await locateFile(opts.network, r, {signal: opts.signal, nodeUrls: opts.nodeUrls})
    for (const w of loc.warnings) reporter.emit({step: 'locate', status: 'warn', message: w})
    locs.push(loc)
  }
  for (const l of locs) requireFinalized(l)
  const size = locs.reduce((s, l) => s + l.size, 0)
  reporter.emit({step: 'locate', status: 'done', message: `${size} bytes on ${new Set(locs.flatMap((l) => l.holders.map((h) => h.node.url))).size} node(s)`, data: {size}})

  const part = `${target}.zgpart`
  const sidecarPath = `${part}.json`
  fs.mkdirSync(path.dirname(target), {recursive: true})
  const prior = readSidecar(sidecarPath, roots.join(','), size, locs)
  const fh = await open(part, prior && fs.existsSync(part) ? 'r+' : 'w')
  let base = 0
  const targets: FetchTarget[] = locs.map((loc, k) => {
    const segs = fileLayout(loc.size).segments
    const t: FetchTarget = {loc, base, have: new SegmentSet(segs, prior?.fragments[k]?.verified), roots: new Uint8Array(segs * 32)}
    base += loc.size
    return t
  })
  const saveSidecar = throttle(() => {
    const sc: Sidecar = {version: 1, roots: roots.join(','), size, fragments: targets.map((t) => ({root: t.loc.root, size: t.loc.size, verified: t.have.encode()}))}
    writeFileAtomic(sidecarPath, JSON.stringify(sc), {mode: 0o644})
  }, 1000)
  const rejected: BadNode[] = []
  let resumed = 0
  let ok = false
  let pool: VerifyPool | undefined
  try {
    await fh.truncate(size)
    // Segments from an earlier run: re-hash them from disk (this also catches a part file changed since).
    for (const t of targets) resumed += await rehashResumed(fh, t)
    const progress = {done: 0, total: size}
    for (const t of targets) for (let i = 0; i < t.roots.length / 32; i++) if (t.have.has(i)) progress.done += Math.min(SEGMENT_SIZE, t.loc.size - i * SEGMENT_SIZE)
    reporter.emit({step: 'download', status: 'started', done: progress.done, total: size, message: resumed ? `resuming: ${resumed} segment(s) already verified` : undefined})
    const sink: Sink = {write: async (off, data) => void (await writeFully(fh, data, off))}
    if (size >= POOL_MIN_BYTES && (opts.verifyWorkers ?? defaultVerifyWorkers()) > 0) pool = new VerifyPool(opts.verifyWorkers ?? defaultVerifyWorkers())
    const fo = {signal: opts.signal, reporter, concurrency: Math.max(1, opts.concurrency ?? 8), rejected, progress, onSegment: saveSidecar, pool}
    for (const t of targets) {
      const fromBefore = t.have.count
      await fetchSegments(t, sink, fo)
      try {
        checkRoot(t)
      } catch (e) {
        if (fromBefore === 0) throw e
        // The part file changed since the earlier run verified it: fetch everything of this root again.
        reporter.emit({step: 'download', status: 'warn', message: `the partial download of ${t.loc.root} does not verify any more; fetching it again`})
        t.have = new SegmentSet(t.have.size)
        resumed -= fromBefore
        await fetchSegments(t, sink, fo)
        checkRoot(t)
      }
    }
    await fh.sync()
    if ((await fh.stat()).size !== size) throw new ZgError(`The part file has the wrong size.`, {code: 'SIZE_MISMATCH', exit: ExitCode.UNEXPECTED})
    reporter.emit({step: 'download', status: 'done', done: size, total: size, message: 'every segment proof and the root verified'})
    ok = true
  } catch (e) {
    await fh.close().catch(() => {})
    if (isIntegrityFailure(e)) {
      fs.rmSync(part, {force: true})
      fs.rmSync(sidecarPath, {force: true})
    } else {
      saveSidecar.flush()
    }
    throw resumableDownload(e, rootSpec)
  } finally {
    if (ok) await fh.close()
    await pool?.close()
  }
  if (fs.existsSync(target) && !opts.force) {
    throw usageError(`${target} appeared while downloading; the verified data is in ${part}.`, {code: 'OUTPUT_EXISTS', suggestions: ['Pass --force to replace it.']})
  }
  fs.renameSync(part, target)
  fs.rmSync(sidecarPath, {force: true})
  const elapsedMs = Date.now() - started
  return {
    root: roots.join(','),
    out: target,
    size,
    segments: targets.reduce((n, t) => n + t.roots.length / 32, 0),
    verified: true,
    holders: [...new Set(locs.flatMap((l) => l.holders.map((h) => h.node.url)))],
    txSeq: locs[0]!.holders[0]?.info.tx.seq ?? null,
    resumedSegments: resumed,
    rejected,
    elapsedMs,
    bytesPerSecond: Math.round(size / Math.max(0.001, elapsedMs / 1000)),
  }
}

/**
 * Downloads a small file into memory, verified the same way (dataset manifests).
 * @throws usageError FILE_TOO_LARGE when it is larger than `maxBytes`.
 */
export async function downloadBytes(rootSpec: string, opts: DownloadOptions & {maxBytes?: number}): Promise<{data: Buffer; root: string; holders: string[]}> {
  const roots = parseRoots(rootSpec)
  const locs: Location[] = []
  for (const r of roots) locs.push(requireFinalized(await locateFile(opts.network, r, {signal: opts.signal, nodeUrls: opts.nodeUrls})))
  const size = locs.reduce((s, l) => s + l.size, 0)
  const max = opts.maxBytes ?? 64 * 1024 * 1024
  if (size > max) throw usageError(`${rootSpec} holds ${size} bytes, more than the ${max} expected here.`, {code: 'FILE_TOO_LARGE'})
  const buf = Buffer.alloc(size)
  const sink: Sink = {write: async (off, data) => void buf.set(data, off)}
  const reporter = opts.reporter ?? silentReporter
  let base = 0
  for (const loc of locs) {
    const segs = fileLayout(loc.size).segments
    const t: FetchTarget = {loc, base, have: new SegmentSet(segs), roots: new Uint8Array(segs * 32)}
    await fetchSegments(t, sink, {signal: opts.signal, reporter, concurrency: opts.concurrency ?? 8, rejected: [], progress: {done: 0, total: size}})
    checkRoot(t)
    base += loc.size
  }
  return {data: buf, root: roots.join(','), holders: [...new Set(locs.flatMap((l) => l.holders.map((h) => h.node.url)))]}
}

/** Nodes know the root but none holds it complete: the upload has not finished (or was abandoned). */
function requireFinalized(loc: Location): Location {
  if (loc.holders.some((h) => h.info.finalized)) return loc
  throw new ZgError(`${loc.root} is known to ${loc.holders.length} node(s) but not finalized on any: its upload has not finished.`, {
    code: 'FILE_NOT_FINALIZED',
    exit: ExitCode.NOT_FOUND,
    suggestions: ['If you uploaded it, run the same zg storage upload command again to resume it; otherwise try again later.'],
    details: {root: loc.root, holders: loc.holders.map((h) => ({url: h.node.url, uploadedSegments: h.info.uploadedSegNum}))},
  })
}

function readSidecar(file: string, roots: string, size: number, locs: Location[]): Sidecar | undefined {
  try {
    const sc = JSON.parse(fs.readFileSync(file, 'utf8')) as Sidecar
    if (sc.version !== 1 || sc.roots !== roots || sc.size !== size || sc.fragments?.length !== locs.length) return undefined
    if (sc.fragments.some((f, k) => f.root !== locs[k]!.root || f.size !== locs[k]!.size)) return undefined
    return sc
  } catch {
    return undefined
  }
}

async function rehashResumed(fh: FileHandle, t: FetchTarget): Promise<number> {
  const {size} = t.loc
  const segs = t.roots.length / 32
  const buf = Buffer.alloc(SEGMENT_SIZE)
  let n = 0
  for (let i = 0; i < segs; i++) {
    if (!t.have.has(i)) continue
    const len = Math.min(SEGMENT_SIZE, size - i * SEGMENT_SIZE)
    const {bytesRead} = await fh.read(buf, 0, len, t.base + i * SEGMENT_SIZE)
    if (bytesRead !== len) {
      // The part file is shorter than the sidecar claims: fetch the segment again.
      t.have = dropFrom(t.have, i)
      continue
    }
    t.roots.set(paddedSegmentRoot(buf.subarray(0, len), i, size), i * 32)
    n++
  }
  return n
}

function dropFrom(set: SegmentSet, i: number): SegmentSet {
  const s = new SegmentSet(set.size)
  for (let k = 0; k < set.size; k++) if (k !== i && set.has(k)) s.add(k)
  return s
}

async function writeFully(fh: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let off = 0
  while (off < data.length) {
    const {bytesWritten} = await fh.write(data, off, data.length - off, position + off)
    off += bytesWritten
  }
}

function isIntegrityFailure(e: unknown): boolean {
  return isZgError(e) && (e.code === 'DATA_UNAVAILABLE' || e.code === 'ROOT_MISMATCH' || e.code === 'SIZE_MISMATCH')
}

function resumableDownload(e: unknown, root: string): unknown {
  if (isZgError(e) && e.exit === ExitCode.INTERRUPTED) {
    return new ZgError(`Download of ${root} interrupted; run the same command again to resume.`, {code: 'INTERRUPTED', exit: ExitCode.INTERRUPTED, details: {root}})
  }
  if (isZgError(e) && e.code === 'ROOT_MISMATCH') return e
  if (isZgError(e) && e.exit === ExitCode.NETWORK && e.code !== 'DATA_UNAVAILABLE') {
    return networkError(`${e.message} (the verified part is kept: run the same command again to resume)`, {code: e.code, cause: e, suggestions: e.suggestions, details: e.details})
  }
  return e
}
