/**
 * The 0G Storage Merkle tree of a file: segment roots, file root and submission nodes, in one read pass.
 *
 * Shape (GO core/dataflow.go + core/merkle, TS AbstractFile/MerkleTree, NODE merkle_light): leaf =
 * keccak256(256-byte chunk), parent = keccak256(left ‖ right), an odd last node is carried up unchanged.
 * The data is flow-padded with zero chunks (layout.ts). A segment root is the tree over that segment's ≤1024
 * leaves; the file root is the tree over all segment roots (including a whole-padding segment, whose root is
 * ZERO_HASHES[10]). Submission node roots are perfect subtrees of the same tree, so they are picked up while
 * the tree is built instead of re-reading the file as the SDK does.
 */
import {availableParallelism} from 'node:os'
import {open, type FileHandle} from 'node:fs/promises'
import {Worker} from 'node:worker_threads'
import {ExitCode, ZgError, interrupted, isZgError, notFound, usageError} from '../errors.js'
import {type Reporter, silentReporter} from '../progress.js'
import {CHUNK_SIZE, SEGMENT_CHUNKS, SEGMENT_HEIGHT, SEGMENT_SIZE, zeroHash} from './constants.js'
import {type Hash, hashChunksInto, hashPair, keccak256, reduceLevelInPlace, toHex} from './keccak.js'
import {ceilDiv, type FileLayout, fileLayout, segmentLeafCount} from './layout.js'

/** A node of the Flow `submit` call: contract height (log2 of its chunks) and subtree root. */
export interface SubmissionNode {
  height: number
  root: string
}

export interface FileTree extends Omit<FileLayout, 'nodes'> {
  /** File Merkle root ("0x…"), the `dataMerkleRoot` the storage nodes index files by. */
  root: string
  nodes: SubmissionNode[]
  /** Roots of all `paddedSegments` segments, 32 bytes each, packed: what segment proofs are made from. */
  segmentRoots: Uint8Array
}

/** A subtree inside one segment, in segment-local chunk coordinates. */
export interface LocalSpan {
  startChunk: number
  height: number
}

const levelBuf = new Uint8Array(SEGMENT_CHUNKS * 32)
const tailChunk = new Uint8Array(CHUNK_SIZE)

/**
 * Root of one segment: the chunks of `data` (its last chunk may be partial: it is zero-padded) followed
 * by zero-chunk leaves up to `leafCount`. The root is written to out[outOffset..+32]. The roots of the
 * perfect subtrees listed in `spans` are returned in the same order (used for the small submission nodes
 * of the last segment).
 */
export function segmentRootInto(
  data: Uint8Array,
  leafCount: number,
  out: Uint8Array,
  outOffset: number,
  spans: readonly LocalSpan[] = [],
): Hash[] {
  const fullChunks = Math.floor(data.length / CHUNK_SIZE)
  const dataChunks = ceilDiv(data.length, CHUNK_SIZE)
  if (!Number.isInteger(leafCount) || leafCount < 1 || leafCount > SEGMENT_CHUNKS || dataChunks > leafCount) {
    throw new RangeError(`a segment holds 1..${SEGMENT_CHUNKS} leaves; got ${dataChunks} data chunks for ${leafCount} leaves`)
  }
  hashChunksInto(data, fullChunks, levelBuf)
  if (dataChunks > fullChunks) {
    tailChunk.fill(0)
    tailChunk.set(data.subarray(fullChunks * CHUNK_SIZE))
    levelBuf.set(keccak256(tailChunk), fullChunks * 32)
  }
  const empty = zeroHash(0)
  for (let i = dataChunks; i < leafCount; i++) levelBuf.set(empty, i * 32)

  const spanRoots: Hash[] = new Array(spans.length)
  const capture = (level: number) => {
    for (let j = 0; j < spans.length; j++) {
      const s = spans[j]!
      if (s.height !== level) continue
      const idx = s.startChunk / 2 ** level
      spanRoots[j] = levelBuf.slice(idx * 32, idx * 32 + 32)
    }
  }
  let n = leafCount
  let level = 0
  capture(0)
  while (n > 1) {
    n = reduceLevelInPlace(levelBuf, n)
    capture(++level)
  }
  out.set(levelBuf.subarray(0, 32), outOffset)
  return spanRoots
}

/** Root of one segment's bytes padded with zero-chunk leaves to `leafCount` (default: its own chunks). */
export function segmentRoot(data: Uint8Array, leafCount = ceilDiv(data.length, CHUNK_SIZE)): Hash {
  const out = new Uint8Array(32)
  segmentRootInto(data, leafCount, out, 0)
  return out
}

/**
 * Root of segment `index` of a file of `fileSize` bytes, from that segment's bytes (as uploaded or
 * downloaded: whole chunks, or the exact tail). The last segment gets the zero-chunk leaves the flow
 * padding gives it (GO core.PaddedSegmentRoot), so the result is the leaf a segment proof proves.
 */
export function paddedSegmentRoot(data: Uint8Array, index: number, fileSize: number): Hash {
  const {paddedChunks, segments} = fileLayout(fileSize)
  if (!Number.isSafeInteger(index) || index < 0 || index >= segments) {
    throw new RangeError(`segment index ${index} is out of range: the file has ${segments} data segments`)
  }
  return segmentRoot(data, segmentLeafCount(index, paddedChunks))
}

/**
 * The file root, the submission nodes of height ≥ 10 (from segment roots) plus the small ones computed in
 * the last segment. `segmentRoots` must already hold every padded segment.
 */
function finishTree(layout: FileLayout, segmentRoots: Uint8Array, smallNodeRoots: Hash[]): FileTree {
  const buf = segmentRoots.slice()
  const nodes: SubmissionNode[] = layout.nodes.map((s) => ({height: s.height, root: ''}))
  const capture = (level: number) => {
    layout.nodes.forEach((s, j) => {
      if (s.height !== level + SEGMENT_HEIGHT) return
      const idx = s.startChunk / SEGMENT_CHUNKS / 2 ** level
      nodes[j]!.root = toHex(buf.subarray(idx * 32, idx * 32 + 32))
    })
  }
  let n = layout.paddedSegments
  let level = 0
  capture(0)
  while (n > 1) {
    n = reduceLevelInPlace(buf, n)
    capture(++level)
  }
  let k = 0
  for (const node of nodes) if (node.height < SEGMENT_HEIGHT) node.root = toHex(smallNodeRoots[k++]!)
  const {nodes: _spans, ...rest} = layout
  return {...rest, root: toHex(buf.subarray(0, 32)), nodes, segmentRoots}
}

/** Small (height < 10) submission nodes in the last segment's local coordinates. */
function smallSpans(layout: FileLayout): LocalSpan[] {
  const base = (layout.segments - 1) * SEGMENT_CHUNKS
  return layout.nodes
    .filter((s) => s.height < SEGMENT_HEIGHT)
    .map((s) => ({startChunk: s.startChunk - base, height: s.height}))
}

function emptySegmentRoots(layout: FileLayout): Uint8Array {
  const roots = new Uint8Array(layout.paddedSegments * 32)
  // Whole segments of flow padding are never read or uploaded; their root is the all-zero segment.
  for (let i = layout.segments; i < layout.paddedSegments; i++) roots.set(zeroHash(SEGMENT_HEIGHT), i * 32)
  return roots
}

/** The whole tree of data held in memory. */
export function treeFromBytes(bytes: Uint8Array): FileTree {
  const layout = fileLayout(bytes.length)
  const roots = emptySegmentRoots(layout)
  const spans = smallSpans(layout)
  let small: Hash[] = []
  for (let i = 0; i < layout.segments; i++) {
    const data = bytes.subarray(i * SEGMENT_SIZE, Math.min((i + 1) * SEGMENT_SIZE, bytes.length))
    const last = i === layout.segments - 1
    const r = segmentRootInto(data, segmentLeafCount(i, layout.paddedChunks), roots, i * 32, last ? spans : [])
    if (last) small = r
  }
  return finishTree(layout, roots, small)
}

/** The file root from submission nodes, as the storage node derives it from a Submit event (right fold). */
export function rootFromNodes(nodes: readonly {root: string | Hash}[]): string {
  if (nodes.length === 0) throw new RangeError('a submission has at least one node')
  const bytes = nodes.map((n) => (typeof n.root === 'string' ? Buffer.from(n.root.replace(/^0x/, ''), 'hex') : n.root))
  let r: Hash = bytes[bytes.length - 1]!
  for (let i = bytes.length - 2; i >= 0; i--) r = hashPair(bytes[i]!, r)
  return toHex(r)
}

// ---------------------------------------------------------------------------------------------------------
// Streaming over a file

/** Segments per read: 2 MiB reads keep syscalls negligible while memory stays flat (two buffers). */
const BATCH_SEGMENTS = 8

/**
 * Read buffers, reused across ranges: a worker hashes many ranges, and fresh 2 MiB buffers per range would
 * pile up in V8's large-object space until a full GC (measured: +60 MiB peak RSS on 256 MiB). A pool rather
 * than one pair because two trees may be computed at once in one process.
 */
const bufferPool: Uint8Array[][] = []

/** A contiguous run of data segments of one file (or fragment) to hash. */
export interface RangeJob {
  /** Absolute file offset of byte 0 of the data (non-zero for fragments). */
  fileOffset: number
  /** Data size in bytes. */
  size: number
  paddedChunks: number
  /** Data segments [segStart, segEnd). */
  segStart: number
  segEnd: number
  /** Small submission nodes, hashed only when the range holds the last data segment. */
  spans: LocalSpan[]
}

/** Where hashRange writes: roots of the whole file (segment i at i × 32) and the span roots (j × 32). */
export interface RangeOutput {
  roots: Uint8Array
  spanRoots: Uint8Array
}

function fileChanged(what: string): ZgError {
  return new ZgError(`${what} changed size while it was being hashed.`, {
    code: 'FILE_CHANGED',
    exit: ExitCode.UNEXPECTED,
    suggestions: ['Wait until nothing writes to the file, then run the command again.'],
  })
}

function abortError(signal: AbortSignal): ZgError {
  return isZgError(signal.reason) ? signal.reason : interrupted('Hashing was interrupted.')
}

async function readFully(fh: FileHandle, buf: Uint8Array, length: number, position: number): Promise<Uint8Array> {
  let got = 0
  while (got < length) {
    const {bytesRead} = await fh.read(buf, got, length - got, position + got)
    if (bytesRead === 0) throw fileChanged('The file')
    got += bytesRead
  }
  return buf.subarray(0, length)
}

/**
 * Hashes the segments of `job` from an open file into `out`: double-buffered, so the next read runs in
 * libuv's thread pool while this thread hashes the current buffer.
 */
export async function hashRange(
  fh: FileHandle,
  job: RangeJob,
  out: RangeOutput,
  onBytes: (bytes: number) => void = () => {},
  signal?: AbortSignal,
): Promise<void> {
  const lastData = ceilDiv(job.size, SEGMENT_SIZE) - 1
  const start = job.segStart * SEGMENT_SIZE
  const end = Math.min(job.segEnd * SEGMENT_SIZE, job.size)
  const bufSize = Math.min(BATCH_SEGMENTS * SEGMENT_SIZE, end - start)
  const bufs = bufferPool.pop() ?? [new Uint8Array(BATCH_SEGMENTS * SEGMENT_SIZE), new Uint8Array(BATCH_SEGMENTS * SEGMENT_SIZE)]
  type Batch = {data: Uint8Array; at: number}
  const read = (k: number, at: number): Promise<Batch> =>
    readFully(fh, bufs[k % 2]!, Math.min(bufSize, end - at), job.fileOffset + at).then((data) => ({data, at}))

  let pending: Promise<Batch> | undefined = read(0, start)
  try {
    for (let k = 1; pending; k++) {
      const {data, at}: Batch = await pending
      if (signal?.aborted) throw abortError(signal)
      const next: number = at + data.length
      pending = next < end ? read(k, next) : undefined
      for (let off = 0; off < data.length; off += SEGMENT_SIZE) {
        const seg = (at + off) / SEGMENT_SIZE
        const isLast = seg === lastData
        const spanRoots = segmentRootInto(
          data.subarray(off, Math.min(off + SEGMENT_SIZE, data.length)),
          segmentLeafCount(seg, job.paddedChunks),
          out.roots,
          seg * 32,
          isLast ? job.spans : [],
        )
        if (isLast) spanRoots.forEach((r, j) => out.spanRoots.set(r, j * 32))
      }
      onBytes(data.length)
    }
  } finally {
    // Don't leave a read racing a closing file handle (or an unhandled rejection) behind on error.
    await pending?.catch(() => {})
    bufferPool.push(bufs)
  }
}

// ---------------------------------------------------------------------------------------------------------
// Worker threads

/**
 * Files below this size are hashed on the calling thread alone. Larger ones are cut into tasks that the
 * calling thread and the workers claim from a shared counter, so a worker still starting up (≈40 ms to boot
 * and load its WASM) holds nothing up. Measured with `node bench/storage-merkle.mjs --threshold` on the
 * idle 2-core reference box, 1 thread vs 1 thread + 1 worker: 8 MiB 75 vs 96 ms, 16 MiB 128 vs 123 ms,
 * 32 MiB 230 vs 182 ms, 64 MiB 429 vs 297 ms, 256 MiB 1.74 vs 0.96 s.
 */
export const PARALLEL_MIN_BYTES = 16 * 1024 * 1024

/**
 * Task sizes: guided self-scheduling, each task a share of what is left (remaining / (2 × threads)), between
 * 4 and 64 segments (1…16 MiB). Large first tasks keep claims rare; small last ones keep any thread from
 * finishing long after the others (with equal 2 MiB tasks and prefetching, a 16 MiB file took 221 ms on two
 * threads against 146 ms on one, mostly waiting for the last task).
 */
const MAX_TASK_SEGMENTS = 64
const MIN_TASK_SEGMENTS = 4

/** Task boundaries: task t covers segments [bounds[t], bounds[t+1]). */
function planTasks(segments: number, threads: number): number[] {
  const bounds = [0]
  for (let next = 0; next < segments; ) {
    const left = segments - next
    next += Math.min(left, Math.max(MIN_TASK_SEGMENTS, Math.min(MAX_TASK_SEGMENTS, ceilDiv(left, 2 * threads))))
    bounds.push(next)
  }
  return bounds
}

/**
 * State shared by the calling thread and the workers. Tasks are claimed with an atomic counter, so a free
 * thread never waits on a message from the calling thread (whose event loop is busy hashing), nothing is
 * handed out before a thread can start it, and results land in place in shared memory.
 */
export interface SharedTasks {
  base: Omit<RangeJob, 'segStart' | 'segEnd'>
  bounds: number[]
  /** Int32 [next task to claim]. */
  control: SharedArrayBuffer
  roots: SharedArrayBuffer
  spanRoots: SharedArrayBuffer
}

/** Claims and hashes tasks until none is left; returns after this thread's last one. */
export async function runSharedTasks(
  fh: FileHandle,
  shared: SharedTasks,
  onBytes: (n: number) => void,
  onTaskDone: () => void,
  signal?: AbortSignal,
): Promise<void> {
  const control = new Int32Array(shared.control)
  const out = {roots: new Uint8Array(shared.roots), spanRoots: new Uint8Array(shared.spanRoots)}
  const tasks = shared.bounds.length - 1
  for (let t = Atomics.add(control, 0, 1); t < tasks && !signal?.aborted; t = Atomics.add(control, 0, 1)) {
    await hashRange(fh, {...shared.base, segStart: shared.bounds[t]!, segEnd: shared.bounds[t + 1]!}, out, onBytes, signal)
    onTaskDone()
  }
}

/** Parent ← worker. */
export type WorkerMessage =
  | {type: 'progress'; bytes: number}
  | {type: 'task-done'}
  | {type: 'error'; message: string; code?: string}

export interface WorkerInput {
  path: string
  shared: SharedTasks
}

function workerFailure(message: string, code?: string, cause?: unknown): ZgError {
  if (code === 'FILE_CHANGED') return fileChanged('The file')
  return new ZgError(`Hashing worker failed: ${message}`, {code: 'HASH_FAILED', exit: ExitCode.UNEXPECTED, cause})
}

/**
 * Hashes data segments [0, segments) on `workers` worker threads and (if `mainThread`) this one. Resolves
 * once every task is done and this thread's own loop has stopped (so the caller may close `fh`); workers
 * still booting by then are simply terminated.
 */
async function hashParallel(
  path: string,
  fh: FileHandle,
  base: SharedTasks['base'],
  segments: number,
  workers: number,
  mainThread: boolean,
  onBytes: (n: number) => void,
  signal?: AbortSignal,
): Promise<RangeOutput> {
  const shared: SharedTasks = {
    base,
    bounds: planTasks(segments, workers + (mainThread ? 1 : 0)),
    control: new SharedArrayBuffer(4),
    roots: new SharedArrayBuffer(segments * 32),
    spanRoots: new SharedArrayBuffer(base.spans.length * 32),
  }
  const tasks = shared.bounds.length - 1
  // Counted from 'task-done' messages, not shared memory: a worker's progress messages precede its
  // task-done on the same port, so when the count is complete every byte has been reported.
  let completed = 0
  const stop = new AbortController()
  let failure: unknown
  let resolveAll!: () => void
  const allDone = new Promise<void>((resolve) => (resolveAll = resolve))
  const pool: Worker[] = []
  let alive = workers

  const finish = (err?: unknown) => {
    if (stop.signal.aborted) return
    failure = err
    stop.abort()
    for (const w of pool) void w.terminate()
    resolveAll()
  }
  const taskDone = () => {
    if (++completed === tasks) finish()
  }
  const onAbort = () => finish(abortError(signal!))
  signal?.addEventListener('abort', onAbort, {once: true})

  for (let k = 0; k < workers; k++) {
    const w = new Worker(new URL('./merkle-worker.js', import.meta.url), {workerData: {path, shared} satisfies WorkerInput})
    pool.push(w)
    w.on('message', (m: WorkerMessage) => {
      if (stop.signal.aborted) return
      if (m.type === 'progress') onBytes(m.bytes)
      else if (m.type === 'task-done') taskDone()
      else finish(workerFailure(m.message, m.code))
    })
    w.on('error', (e) => finish(workerFailure(e.message, undefined, e)))
    // A worker leaves (code 0) once no task is left to claim, possibly while others still hash theirs.
    w.on('exit', (code) => {
      alive--
      if (completed < tasks && (code !== 0 || (alive === 0 && !mainThread))) {
        finish(workerFailure(`exited with code ${code} before the work was done`))
      }
    })
  }

  const own = mainThread
    ? runSharedTasks(fh, shared, onBytes, taskDone, stop.signal).catch((e: unknown) => finish(e))
    : Promise.resolve()
  try {
    await allDone
    await own
  } finally {
    signal?.removeEventListener('abort', onAbort)
  }
  if (failure !== undefined) throw failure
  return {roots: new Uint8Array(shared.roots), spanRoots: new Uint8Array(shared.spanRoots)}
}

// ---------------------------------------------------------------------------------------------------------

export interface FileTreeOptions {
  reporter?: Reporter
  signal?: AbortSignal
  /**
   * Worker threads to add to the calling thread: 0 hashes here only. By default files of PARALLEL_MIN_BYTES
   * or more get one worker per extra core (at most 7).
   */
  workers?: number
  /**
   * Hash on the calling thread as well (default true). false leaves its event loop free (a live UI, a
   * server) and sends all the work to the workers; it needs workers ≥ 1.
   */
  mainThread?: boolean
  /** Hash only `length` bytes from `offset` (a fragment of a larger file). Defaults: the whole file. */
  offset?: number
  length?: number
}

async function openForHashing(path: string): Promise<{fh: FileHandle; fileSize: number}> {
  let fh: FileHandle
  try {
    fh = await open(path, 'r')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw notFound(`No such file: ${path}`, {code: 'FILE_NOT_FOUND', suggestions: ['Check the path.']})
    throw usageError(`Cannot open ${path}: ${(e as Error).message}`, {code: 'FILE_UNREADABLE', cause: e})
  }
  const st = await fh.stat()
  if (!st.isFile()) {
    await fh.close()
    throw usageError(`${path} is not a regular file.`, {code: 'NOT_A_FILE', suggestions: ['Pass a file, not a directory or device.']})
  }
  return {fh, fileSize: st.size}
}

function autoWorkers(size: number): number {
  return size < PARALLEL_MIN_BYTES ? 0 : Math.min(availableParallelism() - 1, 7)
}

/**
 * Streams a file (or the byte range of one fragment) once and returns its Merkle tree. Memory is flat in
 * the file size apart from the 32 bytes kept per segment.
 */
export async function computeFileTree(path: string, opts: FileTreeOptions = {}): Promise<FileTree> {
  const reporter = opts.reporter ?? silentReporter
  const signal = opts.signal
  if (signal?.aborted) throw abortError(signal)
  const {fh, fileSize} = await openForHashing(path)
  try {
    const offset = opts.offset ?? 0
    const size = opts.length ?? fileSize - offset
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(size) || offset + size > fileSize) {
      throw usageError(`Byte range ${offset}+${size} is outside ${path} (${fileSize} bytes).`, {code: 'BAD_RANGE'})
    }
    const layout = fileLayout(size)
    const roots = emptySegmentRoots(layout)
    const spans = smallSpans(layout)
    const workers = opts.workers ?? autoWorkers(size)
    const mainThread = opts.mainThread ?? true
    if (!Number.isSafeInteger(workers) || workers < 0 || (workers === 0 && !mainThread)) {
      throw new RangeError(`workers must be an integer ≥ 0 (≥ 1 without the main thread), got ${workers}`)
    }

    reporter.emit({step: 'hash', status: 'started', done: 0, total: size})
    let done = 0
    const onBytes = (n: number) => {
      done += n
      reporter.emit({step: 'hash', status: 'progress', done, total: size})
    }
    const base = {fileOffset: offset, size, paddedChunks: layout.paddedChunks, spans}
    const spanRoots = new Uint8Array(spans.length * 32)
    if (workers === 0 || (layout.segments < 2 && mainThread)) {
      await hashRange(fh, {...base, segStart: 0, segEnd: layout.segments}, {roots, spanRoots}, onBytes, signal)
    } else {
      const out = await hashParallel(path, fh, base, layout.segments, workers, mainThread, onBytes, signal)
      roots.set(out.roots.subarray(0, layout.segments * 32))
      spanRoots.set(out.spanRoots)
    }
    const small = spans.map((_, j) => spanRoots.slice(j * 32, j * 32 + 32))
    if ((await fh.stat()).size !== fileSize) throw fileChanged(path)
    const tree = finishTree(layout, roots, small)
    reporter.emit({step: 'hash', status: 'done', done: size, total: size, data: {root: tree.root}})
    return tree
  } finally {
    await fh.close()
  }
}
