/**
 * Splitting large files into fragments, each uploaded as its own Flow submission with its own root, the way
 * 0G's clients do it (GO transfer/uploader.go SplitableUpload + core File.Split; TS Uploader.splitableUpload
 * + AbstractFile.split, default fragmentSize 4 GiB in transfer/types.ts):
 * - the fragment size is raised to at least one chunk (256 B) and then to the next power of two;
 * - a file no larger than that is one submission (one fragment: the whole file);
 * - otherwise fragment k covers bytes [k·f, min((k+1)·f, size)), each with its own flow padding.
 * Splitting keeps padding small: one 4 GiB + 1 B submission would be padded to 4.25 GiB.
 * A download of such a file takes the fragment roots in order and concatenates the fragments.
 */
import {CHUNK_SIZE} from './constants.js'
import {nextPow2} from './layout.js'

/** 4 GiB, the default of the Go client (--fragment-size) and of the TS SDK. */
export const DEFAULT_FRAGMENT_SIZE = 4 * 1024 * 1024 * 1024

export interface Fragment {
  index: number
  /** Byte offset of the fragment in the file. */
  offset: number
  /** Bytes in the fragment. */
  size: number
}

/** The fragment size the clients actually use for a requested one. */
export function normalizeFragmentSize(requested: number = DEFAULT_FRAGMENT_SIZE): number {
  if (!Number.isSafeInteger(requested) || requested <= 0) {
    throw new RangeError(`fragment size must be a positive safe integer, got ${requested}`)
  }
  return nextPow2(Math.max(requested, CHUNK_SIZE))
}

/** The fragments of a `size`-byte file (one fragment when it fits). */
export function splitFragments(size: number, fragmentSize: number = DEFAULT_FRAGMENT_SIZE): Fragment[] {
  if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`file size must be a positive safe integer, got ${size}`)
  const f = normalizeFragmentSize(fragmentSize)
  const out: Fragment[] = []
  for (let offset = 0, index = 0; offset < size; offset += f, index++) {
    out.push({index, offset, size: Math.min(f, size - offset)})
  }
  return out
}
