/**
 * The node's durable state: an SQLite database (node:sqlite, WAL) for the transaction log, the sync position and
 * the index of stored segments, and one file per stored segment. A segment file is written to tmp/, fsynced and
 * renamed into place before its index row is committed, so a crash (kill -9) leaves either no segment or a complete
 * one; every read re-hashes the file against the root recorded at upload, so a file damaged on disk is dropped
 * instead of served.
 */
import fs from 'node:fs'
import {mkdir, open, rename} from 'node:fs/promises'
import path from 'node:path'
import {randomBytes} from 'node:crypto'
import {DatabaseSync, type StatementSync} from 'node:sqlite'
import {hashEquals} from '../../core/storage/keccak.js'
import {segmentRoot} from '../../core/storage/merkle.js'
import type {SubmissionNode, TxRecord} from './submit-log.js'

const SCHEMA_VERSION = 1

const identity = (st: fs.Stats) => `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`

export interface StoredSegment {
  data: Uint8Array
  proof: {lemma: string[]; path: boolean[]}
}

interface TxRow {
  seq: number
  root: string
  start: number
  size: number
  sectors: number
  nodes: string
  block: number
  block_hash: string
  finalized: number
}

const toTx = (r: TxRow): TxRecord => ({
  seq: r.seq,
  root: r.root,
  startEntryIndex: r.start,
  size: r.size,
  sectors: r.sectors,
  nodes: JSON.parse(r.nodes) as SubmissionNode[],
  blockNumber: r.block,
  blockHash: r.block_hash,
  finalized: r.finalized === 1,
})

export class NodeStore {
  private readonly db: DatabaseSync
  private readonly segDir: string
  private readonly tmpDir: string
  private readonly q: Record<string, StatementSync>
  /**
   * Files whose content is known to hash to their recorded root, by identity (inode, size, mtime, ctime): set when
   * we write a segment and when a read verifies one. Any later change to the file changes its identity and brings
   * back the full re-hash, so damaged files are still caught, without hashing every segment on every download.
   */
  private readonly verified = new Map<string, string>()

  constructor(readonly dir: string) {
    this.segDir = path.join(dir, 'segments')
    this.tmpDir = path.join(dir, 'tmp')
    fs.mkdirSync(this.segDir, {recursive: true})
    // Leftovers of writes a crash interrupted: never referenced by the index, so they can go.
    fs.rmSync(this.tmpDir, {recursive: true, force: true})
    fs.mkdirSync(this.tmpDir, {recursive: true})
    this.db = new DatabaseSync(path.join(dir, 'node.db'))
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;')
    const version = (this.db.prepare('PRAGMA user_version').get() as {user_version: number}).user_version
    if (version !== SCHEMA_VERSION) {
      this.db.exec(`
        DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS txs; DROP TABLE IF EXISTS segments;
        CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
        CREATE TABLE txs (seq INTEGER PRIMARY KEY, root TEXT NOT NULL, start INTEGER NOT NULL, size INTEGER NOT NULL,
          sectors INTEGER NOT NULL, nodes TEXT NOT NULL, block INTEGER NOT NULL, block_hash TEXT NOT NULL,
          finalized INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX txs_root ON txs (root, seq);
        CREATE TABLE segments (root TEXT NOT NULL, idx INTEGER NOT NULL, seg_root BLOB NOT NULL, proof TEXT NOT NULL,
          PRIMARY KEY (root, idx)) WITHOUT ROWID;
        PRAGMA user_version = ${SCHEMA_VERSION};`)
    }
    const p = (sql: string) => this.db.prepare(sql)
    this.q = {
      metaGet: p('SELECT v FROM meta WHERE k = ?'),
      metaSet: p('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v'),
      txBySeq: p('SELECT * FROM txs WHERE seq = ?'),
      txsByRoot: p('SELECT * FROM txs WHERE root = ? ORDER BY seq'),
      txsAll: p('SELECT * FROM txs ORDER BY seq'),
      txsAfterBlock: p('SELECT * FROM txs WHERE block > ? ORDER BY seq'),
      txDistinctBlocks: p('SELECT DISTINCT block, block_hash FROM txs ORDER BY block DESC'),
      txInsert: p('INSERT OR REPLACE INTO txs (seq, root, start, size, sectors, nodes, block, block_hash, finalized) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      txDeleteAfter: p('DELETE FROM txs WHERE block > ?'),
      txFinalize: p('UPDATE txs SET finalized = ? WHERE seq = ?'),
      maxSeq: p('SELECT MAX(seq) AS m FROM txs'),
      segGet: p('SELECT seg_root, proof FROM segments WHERE root = ? AND idx = ?'),
      segHas: p('SELECT 1 AS x FROM segments WHERE root = ? AND idx = ?'),
      segInsert: p('INSERT OR REPLACE INTO segments (root, idx, seg_root, proof) VALUES (?, ?, ?, ?)'),
      segDelete: p('DELETE FROM segments WHERE root = ? AND idx = ?'),
      segCountShard: p('SELECT COUNT(*) AS n FROM segments WHERE root = ? AND idx < ? AND (idx + ?) % ? = ?'),
      segCount: p('SELECT COUNT(*) AS n FROM segments WHERE root = ?'),
      segProofs: p('SELECT idx, proof FROM segments WHERE root = ? ORDER BY idx'),
    }
  }

  getMeta(k: string): string | undefined {
    return (this.q.metaGet!.get(k) as {v: string} | undefined)?.v
  }

  setMeta(k: string, v: string): void {
    this.q.metaSet!.run(k, v)
  }

  /** Forgets everything (another chain or Flow contract behind the same data dir). */
  wipe(): void {
    this.db.exec('DELETE FROM meta; DELETE FROM txs; DELETE FROM segments;')
    fs.rmSync(this.segDir, {recursive: true, force: true})
    fs.mkdirSync(this.segDir, {recursive: true})
  }

  getTx(seq: number): TxRecord | undefined {
    const r = this.q.txBySeq!.get(seq) as TxRow | undefined
    return r && toTx(r)
  }

  txsByRoot(root: string): TxRecord[] {
    return (this.q.txsByRoot!.all(root) as unknown as TxRow[]).map(toTx)
  }

  allTxs(): TxRecord[] {
    return (this.q.txsAll!.all() as unknown as TxRow[]).map(toTx)
  }

  nextTxSeq(): number {
    const m = (this.q.maxSeq!.get() as {m: number | null}).m
    return m === null ? 0 : m + 1
  }

  /** Distinct blocks holding synced txs, newest first (for finding where a reorg forked). */
  txBlocks(): {block: number; hash: string}[] {
    return (this.q.txDistinctBlocks!.all() as {block: number; block_hash: string}[]).map((r) => ({block: r.block, hash: r.block_hash}))
  }

  /** Adds txs and moves the sync position in one transaction. */
  commitSync(txs: readonly TxRecord[], block: number, blockHash: string): void {
    this.transaction(() => {
      for (const t of txs) {
        this.q.txInsert!.run(t.seq, t.root, t.startEntryIndex, t.size, t.sectors, JSON.stringify(t.nodes), t.blockNumber, t.blockHash, t.finalized ? 1 : 0)
      }
      this.setMeta('syncBlock', String(block))
      this.setMeta('syncBlockHash', blockHash)
    })
  }

  /** Drops txs mined after `block` (a reorg) and rewinds the sync position; returns what was dropped. */
  revertAfter(block: number, blockHash: string): TxRecord[] {
    let dropped: TxRecord[] = []
    this.transaction(() => {
      dropped = (this.q.txsAfterBlock!.all(block) as unknown as TxRow[]).map(toTx)
      this.q.txDeleteAfter!.run(block)
      this.setMeta('syncBlock', String(block))
      this.setMeta('syncBlockHash', blockHash)
    })
    return dropped
  }

  setFinalized(seq: number, finalized: boolean): void {
    this.q.txFinalize!.run(finalized ? 1 : 0, seq)
  }

  hasSegment(root: string, idx: number): boolean {
    return this.q.segHas!.get(root, idx) !== undefined
  }

  /** Stored segments i < numSegments of `root` with (startSegment + i) % numShard == shardId. */
  countShardSegments(root: string, numSegments: number, startSegment: number, numShard: number, shardId: number): number {
    return (this.q.segCountShard!.get(root, numSegments, startSegment, numShard, shardId) as {n: number}).n
  }

  countSegments(root: string): number {
    return (this.q.segCount!.get(root) as {n: number}).n
  }

  /** Proofs of every stored segment of `root` (they carry the file-tree hashes the flow proofs need). */
  segmentProofs(root: string): {idx: number; proof: StoredSegment['proof']}[] {
    return (this.q.segProofs!.all(root) as {idx: number; proof: string}[]).map((r) => ({idx: r.idx, proof: JSON.parse(r.proof)}))
  }

  private filePath(root: string, idx: number): string {
    return path.join(this.segDir, root.slice(2), String(idx))
  }

  /** Writes a verified segment durably: file (tmp, fsync, rename), then its index row. */
  async putSegment(root: string, idx: number, data: Uint8Array, proof: StoredSegment['proof'], dataRoot?: Uint8Array): Promise<void> {
    const tmp = path.join(this.tmpDir, `${root.slice(2, 18)}-${idx}-${randomBytes(6).toString('hex')}`)
    const fh = await open(tmp, 'w')
    try {
      await fh.writeFile(data)
      await fh.sync()
    } finally {
      await fh.close()
    }
    const dest = this.filePath(root, idx)
    await mkdir(path.dirname(dest), {recursive: true})
    await rename(tmp, dest)
    // The caller has usually hashed the data already while checking its proof.
    this.q.segInsert!.run(root, idx, dataRoot ?? segmentRoot(data), JSON.stringify(proof))
    this.markVerified(dest)
  }

  /**
   * A stored segment, checked against the root of its chunks recorded at upload; undefined when not stored. A
   * file that is missing or does not hash to that root is dropped from the index (`onCorrupt` is told).
   */
  async readSegment(root: string, idx: number, onCorrupt?: (why: string) => void): Promise<StoredSegment | undefined> {
    const row = this.q.segGet!.get(root, idx) as {seg_root: Uint8Array; proof: string} | undefined
    if (!row) return undefined
    let data: Uint8Array
    const file = this.filePath(root, idx)
    let known = false
    try {
      // Synchronous on purpose: segment files are small and hot in the page cache, and one stat plus one read beat
      // four thread-pool round trips of the promise API on the download path.
      known = this.verified.get(file) === identity(fs.statSync(file))
      const buf = fs.readFileSync(file)
      data = new Uint8Array(buf.buffer, buf.byteOffset, buf.length)
    } catch (e) {
      this.dropSegment(root, idx)
      onCorrupt?.(`segment ${idx} of ${root} is indexed but unreadable (${(e as Error).message}); dropped`)
      return undefined
    }
    if (!known && (data.length === 0 || data.length % 256 !== 0 || !hashEquals(segmentRoot(data), row.seg_root))) {
      this.verified.delete(file)
      this.dropSegment(root, idx)
      onCorrupt?.(`segment ${idx} of ${root} does not match the root recorded at upload; dropped`)
      return undefined
    }
    if (!known) this.markVerified(file)
    return {data, proof: JSON.parse(row.proof)}
  }

  private markVerified(file: string): void {
    try {
      this.verified.set(file, identity(fs.statSync(file)))
    } catch {
      this.verified.delete(file)
    }
  }

  dropSegment(root: string, idx: number): void {
    this.q.segDelete!.run(root, idx)
    // Synchronously, so that a re-upload racing with this cannot have its fresh file removed.
    fs.rmSync(this.filePath(root, idx), {force: true})
  }

  /** Where a stored segment lives on disk (tests damage it to check verify-on-read). */
  segmentFile(root: string, idx: number): string {
    return this.filePath(root, idx)
  }

  transaction(fn: () => void): void {
    this.db.exec('BEGIN IMMEDIATE')
    try {
      fn()
      this.db.exec('COMMIT')
    } catch (e) {
      this.db.exec('ROLLBACK')
      throw e
    }
  }

  close(): void {
    if (this.db.isOpen) this.db.close()
  }
}
