/**
 * The upload journal: what this machine has submitted and uploaded, so that an interrupted upload (Ctrl-C, a
 * timeout, kill -9, a crash) resumes when the same command runs again, and never pays `Flow.submit` twice for the
 * same data (cli-conventions.md §4.7; GO issues #145/#148/#158 were exactly that bug).
 *
 * One JSON file per data root in <dataDir>/journal/, replaced atomically on every write (temp file, fsync, rename),
 * so a kill at any moment leaves either the previous or the next state. A root can be on several networks; each
 * has its own record, keyed by chain id and Flow address. The journal is a hint, never the truth: before
 * trusting a record the uploader checks the chain (the tx hash) and the storage nodes (the root).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import lockfile from 'proper-lockfile'
import {ExitCode, ZgError} from '../errors.js'
import {ensurePrivateDir, writeFileAtomic} from '../keys/atomic-file.js'
import {dataDir} from '../paths.js'

export const JOURNAL_VERSION = 1

/** One network's view of an upload. */
export interface UploadRecord {
  network: string
  chainId: number
  flow: string
  /**
   * submitting: a transaction may have been broadcast (its hash is unknown if we died in the instant between);
   * submitted: mined, txSeq known; finalized: every selected node reported the file finalized.
   */
  state: 'submitting' | 'submitted' | 'finalized'
  /** Block number read just before sending: where to look for our Submit event if the hash was lost. */
  fromBlock?: number
  txHash?: string
  txSeq?: number
  startEntryIndex?: number
  /** Wei paid in msg.value, decimal string. "0" when the data was already on chain. */
  fee?: string
  submitter?: string
  submittedAt?: string
  /** Segments acknowledged by each node (URL → bitmap, base64; bit i = file segment i). */
  uploaded: Record<string, string>
  finalizedAt?: string
}

export interface DatasetInfo {
  name: string
  files: number
  totalSize: number
}

export interface JournalEntry {
  version: number
  root: string
  size: number
  /** Absolute path of the source file when it was uploaded (informational). */
  path?: string
  /** Byte range of a fragment within `path`. */
  offset?: number
  /** Set when this root is a dataset manifest. */
  dataset?: DatasetInfo
  createdAt: string
  updatedAt: string
  records: Record<string, UploadRecord>
}

export function journalDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(dataDir(env), 'journal')
}

const ROOT_RE = /^0x[0-9a-f]{64}$/

function entryPath(root: string, env?: NodeJS.ProcessEnv): string {
  const r = root.toLowerCase()
  if (!ROOT_RE.test(r)) throw new RangeError(`not a data root: ${root}`)
  return path.join(journalDir(env), `${r}.json`)
}

/** Key of a network's record: the same root on another chain (or another Flow) is another upload. */
export function recordKey(chainId: number, flow: string): string {
  return `${chainId}:${flow.toLowerCase()}`
}

export function readEntry(root: string, env?: NodeJS.ProcessEnv): JournalEntry | undefined {
  let text: string
  try {
    text = fs.readFileSync(entryPath(root, env), 'utf8')
  } catch {
    return undefined
  }
  try {
    const e = JSON.parse(text) as JournalEntry
    if (e.version !== JOURNAL_VERSION || e.root?.toLowerCase() !== root.toLowerCase() || typeof e.records !== 'object') return undefined
    return e
  } catch {
    // Cannot happen with atomic writes unless someone edited the file; an unreadable hint is no hint.
    return undefined
  }
}

export function writeEntry(entry: JournalEntry, env?: NodeJS.ProcessEnv): void {
  ensurePrivateDir(journalDir(env))
  entry.updatedAt = new Date().toISOString()
  writeFileAtomic(entryPath(entry.root, env), JSON.stringify(entry, null, 1), {mode: 0o600})
}

export function newEntry(root: string, size: number, extra: Partial<JournalEntry> = {}): JournalEntry {
  const now = new Date().toISOString()
  return {version: JOURNAL_VERSION, root: root.toLowerCase(), size, createdAt: now, updatedAt: now, records: {}, ...extra}
}

/** Every readable entry, newest first. */
export function listEntries(env?: NodeJS.ProcessEnv): JournalEntry[] {
  let names: string[]
  try {
    names = fs.readdirSync(journalDir(env))
  } catch {
    return []
  }
  const out: JournalEntry[] = []
  for (const n of names) {
    const m = /^(0x[0-9a-f]{64})\.json$/.exec(n)
    if (!m) continue
    const e = readEntry(m[1]!, env)
    if (e) out.push(e)
  }
  return out.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
}

// --- segment bitmaps -------------------------------------------------------------------------------------------

export class SegmentSet {
  private readonly bits: Uint8Array
  private n = 0

  constructor(
    readonly size: number,
    encoded?: string,
  ) {
    this.bits = new Uint8Array(Math.ceil(size / 8))
    if (encoded) {
      const b = Buffer.from(encoded, 'base64')
      if (b.length === this.bits.length) this.bits.set(b)
      for (let i = 0; i < size; i++) if (this.has(i)) this.n++
    }
  }

  has(i: number): boolean {
    return (this.bits[i >> 3]! & (1 << (i & 7))) !== 0
  }

  add(i: number): void {
    if (i < 0 || i >= this.size || this.has(i)) return
    this.bits[i >> 3]! |= 1 << (i & 7)
    this.n++
  }

  get count(): number {
    return this.n
  }

  encode(): string {
    return Buffer.from(this.bits).toString('base64')
  }
}

// --- lock ------------------------------------------------------------------------------------------------------

/** A lock not refreshed for this long belongs to a dead process (kill -9): the next run takes it over. */
const STALE_MS = 5000

/**
 * Holds the root's upload lock, so two zg processes uploading the same data at once cannot both pay. A lock whose
 * holder (pid recorded inside it, same host) is gone is taken over at once, so a rerun after kill -9 does not wait;
 * otherwise proper-lockfile's staleness (a few seconds without refresh) decides. Fails if a live process keeps it.
 */
export async function lockRoot(root: string, opts: {env?: NodeJS.ProcessEnv; waitMs?: number; signal?: AbortSignal} = {}): Promise<() => Promise<void>> {
  const dir = journalDir(opts.env)
  ensurePrivateDir(dir)
  const file = entryPath(root, opts.env).replace(/\.json$/, '.lock')
  // Beside the lock, not in it: proper-lockfile removes a stale lock with rmdir, which needs it empty.
  const owner = `${file}.owner`
  const deadline = Date.now() + (opts.waitMs ?? STALE_MS * 3)
  for (;;) {
    try {
      const release = await lockfile.lock(file, {lockfilePath: file, realpath: false, stale: STALE_MS, update: 1000, retries: 0, onCompromised: () => undefined})
      try {
        fs.writeFileSync(owner, JSON.stringify({pid: process.pid, host: os.hostname()}))
      } catch {
        // Without an owner record the lock still works; it only goes stale more slowly.
      }
      return async () => {
        fs.rmSync(owner, {force: true})
        await release().catch(() => undefined)
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e
    }
    if (holderIsGone(owner, file)) {
      fs.rmSync(file, {recursive: true, force: true})
      continue
    }
    if (opts.signal?.aborted) throw opts.signal.reason
    if (Date.now() >= deadline) {
      throw new ZgError(`Another zg process is uploading ${root} right now.`, {
        code: 'UPLOAD_IN_PROGRESS',
        exit: ExitCode.USAGE,
        suggestions: ['Wait for it to finish, or stop it; running the same upload again afterwards resumes it without paying twice.', `If no zg process is running, remove ${file}.`],
        details: {root, lock: file},
      })
    }
    await new Promise((r) => setTimeout(r, 250))
  }
}

/**
 * The recorded holder is dead and the lock has not been refreshed since (a live holder refreshes it every second,
 * so a lock just taken by a new process, beside an old owner record, never looks abandoned).
 */
function holderIsGone(owner: string, lock: string): boolean {
  let rec: {pid?: number; host?: string}
  try {
    rec = JSON.parse(fs.readFileSync(owner, 'utf8'))
    if (Date.now() - fs.statSync(lock).mtimeMs < 1500) return false
  } catch {
    return false
  }
  if (rec.host !== os.hostname() || !Number.isInteger(rec.pid) || rec.pid === process.pid) return false
  try {
    process.kill(rec.pid!, 0)
    return false
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH'
  }
}
