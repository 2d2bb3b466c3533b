/**
 * zgs_uploadSegmentsByTxSeq request bodies built straight into reusable byte buffers.
 *
 * Why not JSON.stringify: each segment's base64 is a ~350 KB string, which V8 puts in large-object space and frees
 * only on a full GC; at upload speed the heap then grows by hundreds of MiB before collecting (measured: 330 MiB peak
 * RSS for 64 MiB). Encoding base64 in JS into a buffer that is reused for the next batch keeps the heap flat; the JS
 * encoder runs at ~700 MB/s, far above what a node accepts.
 */
import type {SegmentProof} from './proof.js'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
/** 12 input bits → two base64 characters (first in the low byte). */
const PAIRS = new Uint16Array(4096)
for (let i = 0; i < 4096; i++) PAIRS[i] = ALPHABET.charCodeAt(i >> 6) | (ALPHABET.charCodeAt(i & 63) << 8)

export const base64Length = (n: number) => 4 * Math.ceil(n / 3)

/** Standard base64 (with padding) of `src` written at dst[off…]; returns the end offset. */
export function base64Into(src: Uint8Array, dst: Uint8Array, off: number): number {
  const n = src.length - (src.length % 3)
  let o = off
  for (let i = 0; i < n; i += 3) {
    const v = (src[i]! << 16) | (src[i + 1]! << 8) | src[i + 2]!
    const p1 = PAIRS[v >>> 12]!
    const p2 = PAIRS[v & 4095]!
    dst[o] = p1 & 255
    dst[o + 1] = p1 >>> 8
    dst[o + 2] = p2 & 255
    dst[o + 3] = p2 >>> 8
    o += 4
  }
  const rest = src.length - n
  if (rest) {
    const a = src[n]!
    const b = rest === 2 ? src[n + 1]! : 0
    dst[o] = ALPHABET.charCodeAt(a >> 2)
    dst[o + 1] = ALPHABET.charCodeAt(((a & 3) << 4) | (b >> 4))
    dst[o + 2] = rest === 2 ? ALPHABET.charCodeAt((b & 15) << 2) : 61
    dst[o + 3] = 61
    o += 4
  }
  return o
}

export interface BodySegment {
  index: number
  /** The segment's bytes (whole chunks). */
  data: Uint8Array
  proof: SegmentProof
}

/** Upper bound of the body size for segments of these data lengths (proofs ≤ 64 levels). */
export function bodyCapacity(dataLengths: number[]): number {
  return 256 + dataLengths.reduce((s, n) => s + base64Length(n) + 64 * 70 + 256, 0)
}

/**
 * Writes `{"jsonrpc":"2.0","id":…,"method":"zgs_uploadSegmentsByTxSeq","params":[[segments…],txSeq]}` into a buffer
 * (of bodyCapacity bytes) one segment at a time, so each segment's bytes can come from a reused read buffer.
 */
export class UploadBodyWriter {
  private o = 0
  private count = 0

  constructor(
    private readonly buf: Uint8Array,
    id: number,
    private readonly root: string,
    private readonly fileSize: number,
  ) {
    this.ascii(`{"jsonrpc":"2.0","id":${id},"method":"zgs_uploadSegmentsByTxSeq","params":[[`)
  }

  private ascii(s: string): void {
    for (let i = 0; i < s.length; i++) this.buf[this.o++] = s.charCodeAt(i)
  }

  segment(s: BodySegment): void {
    this.ascii(`${this.count++ ? ',' : ''}{"root":"${this.root}","data":"`)
    this.o = base64Into(s.data, this.buf, this.o)
    this.ascii(`","index":${s.index},"proof":${JSON.stringify({lemma: s.proof.lemma, path: s.proof.path})},"fileSize":${this.fileSize}}`)
  }

  /** Closes the body; returns its length. */
  end(txSeq: number): number {
    this.ascii(`],${txSeq}]}`)
    return this.o
  }
}

/** Free buffers for bodies, so steady-state uploads allocate nothing per request. */
export class BufferPool {
  private readonly free: Buffer[] = []

  constructor(private readonly keep = 32) {}

  take(size: number): Buffer {
    const i = this.free.findIndex((b) => b.length >= size)
    if (i >= 0) return this.free.splice(i, 1)[0]!
    return Buffer.allocUnsafe(size)
  }

  give(b: Buffer): void {
    if (this.free.length < this.keep) this.free.push(b)
  }
}
