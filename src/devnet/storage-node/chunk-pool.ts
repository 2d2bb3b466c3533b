/**
 * The node's upload bookkeeping (NODE chunk_pool): a write window per file root that rejects a segment already
 * stored or in flight, a global bound on concurrent segment writes, and a memory cache for segments of files whose
 * Submit log has not been synced yet (small files only, as in the real node).
 */
import {callFailed} from './errors.js'
import type {StoredSegment} from './store.js'

export interface WriteControlOptions {
  /** `chunk_pool_max_writings`: concurrent segment writes before "too many data writing". */
  maxWritings: number
}

interface FileWrite {
  totalSegments: number
  inFlight: Set<number>
  /** Accepted segments outside this node's shard: verified, not stored, but a repeat is still a duplicate. */
  skipped: Set<number>
}

export class WriteControl {
  private readonly files = new Map<string, FileWrite>()
  private writing = 0

  constructor(private readonly opts: WriteControlOptions) {}

  get totalWritings(): number {
    return this.writing
  }

  /**
   * Claims a write slot for segment `idx` of `root` (ChunkPoolWriteCtrl::write_segment, same checks in the same
   * order), throwing the node's error when it cannot be written now.
   */
  begin(root: string, idx: number, totalSegments: number, isStored: (idx: number) => boolean): void {
    let f = this.files.get(root)
    if (!f) {
      f = {totalSegments, inFlight: new Set(), skipped: new Set()}
      this.files.set(root, f)
    }
    if (f.totalSegments !== totalSegments) {
      throw callFailed(
        `file size in segment doesn't match with file size declared in previous segment. Previous total segments:${f.totalSegments}, current total segments:${totalSegments}s`,
      )
    }
    if (f.inFlight.has(idx) || f.skipped.has(idx) || isStored(idx)) throw callFailed('segment has already been uploaded or is being uploaded')
    if (this.writing >= this.opts.maxWritings) throw callFailed(`too many data writing: ${this.opts.maxWritings}`)
    f.inFlight.add(idx)
    this.writing++
  }

  /** Releases the slot: a failed write rolls back so the segment can be uploaded again; a skipped one stays seen. */
  end(root: string, idx: number, outcome: 'stored' | 'skipped' | 'failed'): void {
    const f = this.files.get(root)
    this.writing--
    if (!f) return
    f.inFlight.delete(idx)
    if (outcome === 'skipped') f.skipped.add(idx)
  }

  /** Forgets a file's window (finalized, or its tx reverted). */
  remove(root: string): void {
    const f = this.files.get(root)
    if (f && f.inFlight.size === 0) this.files.delete(root)
  }

  has(root: string): boolean {
    return this.files.has(root)
  }
}

export interface SegmentCacheOptions {
  /** `max_cache_file_size`: files above this are not cached before their tx is known (10 MiB). */
  maxFileSize: number
  /** `max_cached_chunks_all`: chunks of all cached files together. */
  maxChunks: number
  /** A cached file no segment arrived for within this long is dropped. */
  expiryMs: number
}

export interface CachedFile {
  fileSize: number
  segments: Map<number, StoredSegment>
  chunks: number
  expiresAt: number
}

/** ChunkPoolCache: segments of not-yet-synced files, in memory, keyed by root (lost on restart, as in the node). */
export class SegmentCache {
  private readonly files = new Map<string, CachedFile>()
  private chunks = 0

  constructor(readonly opts: SegmentCacheOptions) {}

  has(root: string): boolean {
    this.collect()
    return this.files.has(root)
  }

  get(root: string): CachedFile | undefined {
    return this.files.get(root)
  }

  /** Caches a verified segment; a segment already cached is accepted again without error. */
  add(root: string, idx: number, fileSize: number, seg: StoredSegment): void {
    this.collect()
    let f = this.files.get(root)
    if (!f) {
      f = {fileSize, segments: new Map(), chunks: 0, expiresAt: 0}
      this.files.set(root, f)
    }
    if (f.segments.has(idx)) return
    const n = seg.data.length / 256
    if (this.chunks + n > this.opts.maxChunks) throw callFailed(`exceeds the maximum cached chunks of whole pool: ${this.opts.maxChunks}`)
    this.chunks += n
    f.chunks += n
    f.expiresAt = Date.now() + this.opts.expiryMs
    f.segments.set(idx, seg)
  }

  /** Takes a file out of the cache (to write it once its tx is known). */
  take(root: string): CachedFile | undefined {
    const f = this.files.get(root)
    if (!f) return undefined
    this.files.delete(root)
    this.chunks -= f.chunks
    return f
  }

  private collect(): void {
    const now = Date.now()
    for (const [root, f] of this.files) {
      if (f.expiresAt <= now && f.segments.size > 0) this.take(root)
    }
  }
}
