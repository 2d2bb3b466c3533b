/**
 * Uploading a file to 0G Storage, resumably and paying once.
 *
 *   hash      one streaming pass (merkle.ts): root, submission nodes, segment roots
 *   check     the journal, the chain and the storage nodes: is this data already submitted or stored here?
 *   submit    Flow.submit with value = Σ2^h × pricePerSector (only if nothing was found); txSeq from the Submit log
 *   upload    segments to the nodes of their shard, bounded memory (segment-upload.ts)
 *   finalize  wait, with a deadline, until every selected node reports the file finalized
 *
 * Every fact that costs money or time is journaled before the next step (journal.ts), so a rerun of the same
 * command after Ctrl-C, a timeout (exit 7) or kill -9 continues where the last one stopped. Files above the fragment
 * size (4 GiB) are split, each fragment with its own root and submission, as 0G's clients do.
 */
import fs from 'node:fs'
import {open, type FileHandle} from 'node:fs/promises'
import path from 'node:path'
import type {JsonRpcProvider, Wallet} from 'ethers'
import {ExitCode, interrupted, isZgError, notFound, timeoutError, usageError, ZgError} from '../errors.js'
import type {SendOptions} from '../chain/send.js'
import {waitForReceipt} from '../chain/send.js'
import type {NetworkProfile} from '../networks.js'
import {silentReporter, type ProgressEvent, type Reporter} from '../progress.js'
import {splitFragments, type Fragment} from './fragments.js'
import {findSubmissions, parseSubmitLogs, pricePerSector, sameSubmission, submissionSectors, submit, type SubmitEvent} from './flow.js'
import {lockRoot, newEntry, readEntry, recordKey, SegmentSet, writeEntry, type DatasetInfo, type JournalEntry, type UploadRecord} from './journal.js'
import {computeFileTree, type FileTree} from './merkle.js'
import {resolveNodes, selectNodes, type StorageNode} from './nodes.js'
import {SegmentTree} from './proof.js'
import type {FileInfo} from './rpc-client.js'
import {planUpload, uploadSegments} from './segment-upload.js'
import {abortReason, sleep, throttle} from './util.js'

export interface UploadOptions {
  network: NetworkProfile
  provider: JsonRpcProvider
  /** Resolves the signer; called only when a submission has to be paid (not for dry runs or reused data). */
  signer?: () => Promise<Wallet>
  reporter?: Reporter
  signal?: AbortSignal
  /** Compute root, segments and fee and look for existing copies; send nothing. */
  dryRun?: boolean
  /** Bound on the storage side (nodes learning the tx, segments, finalization); default 600000 ms → exit 7. */
  timeoutMs?: number
  /** Default 4 GiB (rounded up to a power of two). */
  fragmentSize?: number
  /** Copies of every segment to place (nodes selected per shard); default 1. */
  replicas?: number
  /** Flow submission tags, hex; default 0x. */
  tags?: string
  /** Receipt timeout, gas price … for Flow.submit. */
  tx?: Partial<SendOptions>
  /** Don't wait for finalization after the segments are accepted. */
  skipFinalize?: boolean
  /** Recorded in the journal for `zg dataset list`. */
  dataset?: DatasetInfo
  /** Hashing threads (merkle.ts default when unset). */
  hashWorkers?: number
  /** Data bytes in flight across nodes; default 32 MiB. */
  maxInflightBytes?: number
  /** Segments per zgs_uploadSegmentsByTxSeq call; default 4. */
  batchSegments?: number
  /** Upload requests in flight per node; default 8. */
  perNodeConcurrency?: number
  env?: NodeJS.ProcessEnv
}

export interface FragmentResult {
  root: string
  offset: number
  size: number
  segments: number
  txSeq: number | null
  txHash: string | null
  /** Wei paid for this fragment in this or an earlier run (journal), or "0" when the data was already on chain. */
  fee: string
  paidNow: boolean
  reused: boolean
  finalized: boolean
}

export interface UploadResult {
  /** The data root; for a fragmented file the fragment roots joined by commas (what `zg storage download` takes). */
  root: string
  size: number
  segments: number
  txSeq: number | null
  txHash: string | null
  /** Storage fee in wei (decimal string): paid now, earlier (journal), or the quote under --dry-run. */
  fee: string
  pricePerSector: string
  network: string
  /** This run paid a Flow.submit. */
  paidNow: boolean
  /** Some data was already submitted or stored (by an earlier run or anyone): no payment for it. */
  reused: boolean
  finalized: boolean
  dryRun: boolean
  path: string
  nodes: string[]
  fragments: FragmentResult[]
  elapsedMs: number
}

const DEFAULT_TIMEOUT_MS = 600_000

/** A readable, non-empty regular file, or the right typed error (exit 3 missing, exit 2 otherwise). */
export function checkUploadable(file: string): fs.Stats {
  let st: fs.Stats
  try {
    st = fs.statSync(file)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') throw notFound(`No such file: ${file}`, {code: 'FILE_NOT_FOUND', suggestions: ['Check the path.']})
    throw usageError(`Cannot read ${file}: ${(e as Error).message}`, {code: 'FILE_UNREADABLE'})
  }
  if (st.isDirectory()) {
    throw usageError(`${file} is a directory, not a file.`, {code: 'IS_A_DIRECTORY', suggestions: [`Upload a whole directory as a dataset: zg dataset upload ${file}`]})
  }
  if (!st.isFile()) throw usageError(`${file} is not a regular file.`, {code: 'NOT_A_FILE'})
  if (st.size === 0) throw usageError(`${file} is empty: empty files cannot be stored on 0G.`, {code: 'EMPTY_FILE', suggestions: ['0G Storage needs at least one byte of data.']})
  try {
    fs.accessSync(file, fs.constants.R_OK)
  } catch {
    throw usageError(`${file} is not readable.`, {code: 'FILE_UNREADABLE'})
  }
  return st
}

interface FragmentState {
  frag: Fragment
  tree: FileTree
  result: FragmentResult
  entry?: JournalEntry
  record?: UploadRecord
  /** Node URL → FileInfo for this root (null when unknown) at check time. */
  infos: Map<string, FileInfo | null>
  needsSubmit: boolean
}

/**
 * Uploads `file` (see the module comment). Resolves when every selected node reports the data finalized (unless
 * `skipFinalize`).
 * @throws notFound FILE_NOT_FOUND (3); usageError EMPTY_FILE / IS_A_DIRECTORY (2); authError from `signer` (4);
 *   networkError (5); txError (6); timeoutError (7, resumable); interrupted (130, resumable).
 */
export async function uploadFile(file: string, opts: UploadOptions): Promise<UploadResult> {
  const started = Date.now()
  const reporter = opts.reporter ?? silentReporter
  const signal = opts.signal
  const env = opts.env ?? process.env
  const abs = path.resolve(file)
  const st = checkUploadable(abs)
  const fragments = splitFragments(st.size, opts.fragmentSize)

  // 1. hash (all fragments, reported as one step)
  const trees: FileTree[] = []
  reporter.emit({step: 'hash', status: 'started', done: 0, total: st.size})
  for (const frag of fragments) {
    const r = offsetReporter(reporter, 'hash', frag.offset, st.size)
    trees.push(await computeFileTree(abs, {reporter: r, signal, workers: opts.hashWorkers, offset: frag.offset, length: frag.size}))
  }
  const rootStr = trees.map((t) => t.root).join(',')
  reporter.emit({step: 'hash', status: 'done', done: st.size, total: st.size, message: rootStr, data: {root: rootStr}})

  // 2. nodes, Flow address, price
  const nodeSet = await resolveNodes(opts.network, {signal})
  for (const w of nodeSet.warnings) reporter.emit({step: 'upload', status: 'warn', message: w})
  const replicas = opts.replicas ?? 1
  const nodes = selectNodes(nodeSet.nodes, replicas)
  if (!nodes) {
    throw new ZgError(`The storage nodes of "${opts.network.name}" cannot hold ${replicas} cop${replicas === 1 ? 'y' : 'ies'} of every segment (shards: ${nodeSet.nodes.map((n) => `${n.url} ${n.config.shardId}/${n.config.numShard}`).join(', ')}).`, {
      code: 'NOT_ENOUGH_NODES',
      exit: ExitCode.NETWORK,
      suggestions: replicas > 1 ? ['Lower --replicas.'] : ['Check the network\'s storage nodes: zg network check'],
    })
  }
  const flow = await flowAddress(opts.network, nodes, signal)
  const key = recordKey(opts.network.chainId, flow)
  const price = await pricePerSector(opts.provider, flow)

  const states: FragmentState[] = fragments.map((frag, k) => {
    const tree = trees[k]!
    return {
      frag,
      tree,
      infos: new Map(),
      needsSubmit: false,
      result: {root: tree.root, offset: frag.offset, size: frag.size, segments: tree.segments, txSeq: null, txHash: null, fee: '0', paidNow: false, reused: false, finalized: false},
    }
  })

  const summary = (): UploadResult => {
    const frs = states.map((s) => s.result)
    return {
      root: rootStr,
      size: st.size,
      segments: frs.reduce((n, f) => n + f.segments, 0),
      txSeq: frs[0]!.txSeq,
      txHash: frs[0]!.txHash,
      fee: frs.reduce((n, f) => n + BigInt(f.fee), 0n).toString(),
      pricePerSector: price.toString(),
      network: opts.network.name,
      paidNow: frs.some((f) => f.paidNow),
      reused: frs.some((f) => f.reused),
      finalized: frs.every((f) => f.finalized),
      dryRun: !!opts.dryRun,
      path: abs,
      nodes: nodes.map((n) => n.url),
      fragments: frs,
      elapsedMs: Date.now() - started,
    }
  }

  if (opts.dryRun) {
    for (const s of states) {
      await inspectExisting(s, nodes, opts, key, flow, reporter, env, true)
      const sectors = submissionSectors(s.tree.nodes)
      s.result.fee = s.needsSubmit ? (sectors * price).toString() : s.result.fee
    }
    return summary()
  }

  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS)
  const fh = await open(abs, 'r')
  try {
    // Segments are read again for the upload: they must be the bytes that were hashed (and paid for).
    const now = await fh.stat()
    if (now.size !== st.size || now.mtimeMs !== st.mtimeMs) {
      throw new ZgError(`${abs} changed while it was being hashed.`, {code: 'FILE_CHANGED', exit: ExitCode.UNEXPECTED, suggestions: ['Wait until nothing writes to the file, then run the command again.']})
    }
    for (const s of states) {
      const release = await lockRoot(s.tree.root, {env, signal})
      try {
        await uploadFragment(s, {opts, nodes, flow, key, price, reporter, env, fh, deadline, abs, fragments: states.length})
      } catch (e) {
        throw resumable(e, s.tree.root)
      } finally {
        await release()
      }
    }
  } finally {
    await fh.close()
  }
  return summary()
}

interface FragmentCtx {
  opts: UploadOptions
  nodes: StorageNode[]
  flow: string
  key: string
  price: bigint
  reporter: Reporter
  env: NodeJS.ProcessEnv
  fh: FileHandle
  deadline: number
  abs: string
  fragments: number
}

async function uploadFragment(s: FragmentState, c: FragmentCtx): Promise<void> {
  const {opts, reporter, env} = c
  const signal = opts.signal
  const label = c.fragments > 1 ? `fragment ${s.frag.index + 1}/${c.fragments} ` : ''

  // 3. check + submit
  reporter.emit({step: 'submit', status: 'started', message: `${label}checking for an earlier submission`})
  await inspectExisting(s, c.nodes, opts, c.key, c.flow, reporter, env, false)
  // A dataset manifest is uploaded from a temp file: its path would only mislead `storage info`.
  const source = opts.dataset ? undefined : c.abs
  const entry = (s.entry ??= newEntry(s.tree.root, s.tree.size, {path: source, offset: s.frag.offset, dataset: opts.dataset}))
  if (opts.dataset) entry.dataset = opts.dataset
  entry.path = source
  if (s.needsSubmit) {
    await doSubmit(s, c)
  } else {
    entry.records[c.key] = s.record!
    reporter.emit({step: 'submit', status: 'done', message: `${label}already on chain (tx seq ${s.result.txSeq}): nothing to pay`, data: {txSeq: s.result.txSeq, txHash: s.result.txHash, paid: false}})
  }
  const rec = s.record!
  const txSeq = rec.txSeq!
  writeEntry(entry, env)

  // 4. wait for the nodes to know the transaction (they follow the chain's Submit logs)
  const pendingNodes = c.nodes.filter((n) => !s.infos.get(n.url)?.finalized)
  const infos = await waitForTx(pendingNodes, s.tree.root, txSeq, c.deadline, signal, reporter)
  const startEntryIndex = rec.startEntryIndex ?? [...infos.values()][0]?.tx.startEntryIndex ?? 0
  rec.startEntryIndex = startEntryIndex
  const toUpload = pendingNodes.filter((n) => !infos.get(n.url)?.finalized)

  // 5. upload
  const done = new Map(c.nodes.map((n) => [n.url, new SegmentSet(s.tree.segments, rec.uploaded[n.url])]))
  const save = throttle(() => {
    for (const [url, set] of done) rec.uploaded[url] = set.encode()
    writeEntry(entry, env)
  }, 1000)
  const segTree = new SegmentTree(s.tree.segmentRoots)
  const finalizedEarly = new Set<string>()
  const send = async (targets: StorageNode[], fresh: boolean) => {
    const doneMap = fresh ? new Map(targets.map((n) => [n.url, new SegmentSet(s.tree.segments)])) : done
    const plan = planUpload(s.tree.size, startEntryIndex, targets, doneMap)
    let sent = 0
    reporter.emit({step: 'upload', status: 'started', done: 0, total: plan.bytes, message: `${label}${plan.bytes === 0 ? 'nothing left to send' : `to ${targets.length} node${targets.length === 1 ? '' : 's'}`}`})
    await uploadSegments(
      {
        fh: c.fh,
        offset: s.frag.offset,
        size: s.tree.size,
        root: s.tree.root,
        tree: segTree,
        txSeq,
        startEntryIndex,
        nodes: targets,
        done: doneMap,
        signal,
        deadline: c.deadline,
        maxInflightBytes: opts.maxInflightBytes,
        batchSegments: opts.batchSegments,
        perNodeConcurrency: opts.perNodeConcurrency,
        onProgress: (b) => {
          sent += b
          reporter.emit({step: 'upload', status: 'progress', done: sent, total: plan.bytes})
        },
        // A resend after a stall must not trust (nor rewrite) the journal's sets: they are what went missing.
        onCheckpoint: fresh ? undefined : save,
        onNodeFinalized: (url) => finalizedEarly.add(url),
        onWarn: (m) => reporter.emit({step: 'upload', status: 'warn', message: m}),
      },
      plan,
    ).finally(() => save.flush())
    reporter.emit({step: 'upload', status: 'done', done: plan.bytes, total: plan.bytes, message: `${label}${plan.bytes} bytes sent`})
  }
  await send(toUpload, false)

  // 6. finalize
  if (opts.skipFinalize) {
    writeEntry(entry, env)
    return
  }
  await waitFinalized(s, c, toUpload.filter((n) => !finalizedEarly.has(n.url)), txSeq, (stalled) => send(stalled, true))
  rec.state = 'finalized'
  rec.finalizedAt = new Date().toISOString()
  s.result.finalized = true
  writeEntry(entry, env)
}

/**
 * Finds what already exists for this fragment: node file infos, the journal record (verified against the chain),
 * a Submit event recoverable from a lost hash. Sets txSeq/record when the data needs no new submission.
 */
async function inspectExisting(s: FragmentState, nodes: StorageNode[], opts: UploadOptions, key: string, flow: string, reporter: Reporter, env: NodeJS.ProcessEnv, dry: boolean): Promise<void> {
  const root = s.tree.root
  const size = s.tree.size
  await Promise.all(
    nodes.map(async (n) => {
      try {
        const info = await n.client.getFileInfo(root, true, {signal: opts.signal, retries: 1})
        s.infos.set(n.url, info && info.tx && info.tx.size === size && info.tx.dataMerkleRoot?.toLowerCase() === root ? info : null)
      } catch (e) {
        if (opts.signal?.aborted) throw abortReason(opts.signal)
        s.infos.set(n.url, null)
        reporter.emit({step: 'submit', status: 'warn', message: `${n.url} did not answer zgs_getFileInfo: ${(e as Error).message}`})
      }
    }),
  )
  s.entry = readEntry(root, env)
  const rec = s.entry?.records[key]
  const known = [...s.infos.values()].find((i): i is FileInfo => !!i)
  const allFinalized = nodes.every((n) => s.infos.get(n.url)?.finalized)
  // Our own earlier submission first (it carries what we paid), verified on chain.
  let ours: SubmitEvent | undefined
  if (rec?.txHash) {
    ours = await eventOfTx(opts, rec.txHash, flow, s, reporter)
  } else if (rec && rec.state === 'submitting' && rec.fromBlock !== undefined) {
    // Killed between broadcast and recording the hash: the Submit event (identity is an indexed topic) tells.
    const evs = await findSubmissions(opts.provider, flow, s.tree.nodes, size, rec.fromBlock).catch(() => [] as SubmitEvent[])
    ours = evs.find((e) => rec.submitter && e.sender.toLowerCase() === rec.submitter.toLowerCase()) ?? evs[0]
  }
  if (ours) {
    adopt(s, rec, opts.network, flow, ours, true, allFinalized)
    return
  }
  // Anyone's submission of the same data that the nodes know: nothing to pay.
  if (known) {
    adopt(s, undefined, opts.network, flow, {txSeq: known.tx.seq, startEntryIndex: known.tx.startEntryIndex}, false, allFinalized)
    return
  }
  if (rec && !dry) {
    reporter.emit({step: 'submit', status: 'warn', message: `The journal's earlier submission of ${root}${rec.txHash ? ` (${rec.txHash})` : ''} is not on this chain (dropped, or the chain was reset): submitting again.`})
  }
  s.needsSubmit = true
  s.record = undefined
}

function adopt(s: FragmentState, rec: UploadRecord | undefined, network: NetworkProfile, flow: string, ev: {txSeq: number; startEntryIndex: number; txHash?: string}, ours: boolean, finalized: boolean) {
  // Someone else's submission of the same data (or one the journal did not know): we paid nothing for it.
  const record: UploadRecord = ours && rec ? rec : {network: network.name, chainId: network.chainId, flow, state: 'submitted', uploaded: {}, fee: '0'}
  record.state = finalized ? 'finalized' : 'submitted'
  record.txSeq = ev.txSeq
  record.startEntryIndex = ev.startEntryIndex
  if (ev.txHash) record.txHash = ev.txHash
  s.record = record
  s.needsSubmit = false
  s.result.txSeq = ev.txSeq
  s.result.txHash = record.txHash ?? null
  s.result.fee = record.fee ?? '0'
  s.result.reused = true
  s.result.finalized = finalized
}

/** The Submit event of a journaled tx hash: mined → event; pending → wait; unknown (dropped/reset) → undefined. */
async function eventOfTx(opts: UploadOptions, hash: string, flow: string, s: FragmentState, reporter: Reporter): Promise<SubmitEvent | undefined> {
  const p = opts.provider
  let receipt = await p.getTransactionReceipt(hash)
  if (!receipt) {
    const tx = await p.getTransaction(hash)
    if (!tx) return undefined
    reporter.emit({step: 'submit', status: 'info', message: `waiting for the earlier submission ${hash}`, data: {hash}})
    receipt = await waitForReceipt(p, hash, {timeoutMs: opts.tx?.timeoutMs, signal: opts.signal, reporter, label: 'Flow.submit'})
  }
  if (receipt.status !== 1) return undefined
  return parseSubmitLogs(receipt.logs, flow).find((e) => sameSubmission(e, s.tree.nodes, s.tree.size))
}

async function doSubmit(s: FragmentState, c: FragmentCtx): Promise<void> {
  const {opts, reporter, env} = c
  if (!opts.signer) throw new ZgError('Submitting needs a signer.', {code: 'KEY_REQUIRED', exit: ExitCode.AUTH})
  const wallet = await opts.signer()
  const fee = submissionSectors(s.tree.nodes) * c.price
  const entry = s.entry!
  const rec: UploadRecord = {
    network: opts.network.name,
    chainId: opts.network.chainId,
    flow: c.flow,
    state: 'submitting',
    fromBlock: await opts.provider.getBlockNumber(),
    fee: fee.toString(),
    submitter: wallet.address,
    uploaded: {},
  }
  entry.records[c.key] = rec
  writeEntry(entry, env)
  // Journal the hash the moment the node has the transaction: a kill after this point cannot make us pay again.
  const txReporter: Reporter = {
    emit(e: ProgressEvent) {
      if (e.step === 'tx' && e.status === 'info' && typeof e.data?.hash === 'string' && !rec.txHash) {
        rec.txHash = e.data.hash
        writeEntry(entry, env)
        s.result.txHash = rec.txHash
        reporter.emit({step: 'submit', status: 'info', message: `transaction ${rec.txHash}`, data: {hash: rec.txHash}})
        return
      }
      if (e.step === 'tx') reporter.emit({...e, step: 'submit', status: e.status === 'started' || e.status === 'done' ? 'info' : e.status})
    },
  }
  let res
  try {
    res = await submit(wallet, opts.provider, c.flow, s.tree.nodes, s.tree.size, fee, {...opts.tx, tags: opts.tags, reporter: txReporter, signal: opts.signal})
  } catch (e) {
    if (!rec.txHash) {
      // Nothing was broadcast: forget the attempt so the next run does not go looking for it.
      delete entry.records[c.key]
      writeEntry(entry, env)
    }
    throw e
  }
  rec.state = 'submitted'
  rec.txHash = res.hash
  rec.txSeq = res.event.txSeq
  rec.startEntryIndex = res.event.startEntryIndex
  rec.submittedAt = new Date().toISOString()
  writeEntry(entry, env)
  s.record = rec
  Object.assign(s.result, {txSeq: rec.txSeq, txHash: rec.txHash, fee: rec.fee, paidNow: true})
  reporter.emit({step: 'submit', status: 'done', message: `tx seq ${rec.txSeq}, paid ${fee} wei`, data: {txSeq: rec.txSeq, txHash: rec.txHash, fee: fee.toString(), paid: true}})
}

/** Polls the nodes until each knows `txSeq` (for `root`); returns their infos. */
async function waitForTx(nodes: StorageNode[], root: string, txSeq: number, deadline: number, signal: AbortSignal | undefined, reporter: Reporter): Promise<Map<string, FileInfo>> {
  const out = new Map<string, FileInfo>()
  if (nodes.length === 0) return out
  reporter.emit({step: 'upload', status: 'info', message: `waiting for the storage nodes to see tx seq ${txSeq}`})
  let wait = 20
  for (;;) {
    await Promise.all(
      nodes
        .filter((n) => !out.has(n.url))
        .map(async (n) => {
          const info = await n.client.getFileInfoByTxSeq(txSeq, {signal, retries: 1}).catch((e) => {
            if (signal?.aborted) throw abortReason(signal)
            return null
          })
          if (!info) return
          if (info.tx.dataMerkleRoot.toLowerCase() !== root.toLowerCase()) {
            throw new ZgError(`Storage node ${n.url} holds tx seq ${txSeq} with root ${info.tx.dataMerkleRoot}, not ${root}: the node follows another chain or Flow contract.`, {
              code: 'NODE_MISMATCH',
              exit: ExitCode.NETWORK,
              suggestions: ['Check the network profile (zg network check).'],
            })
          }
          out.set(n.url, info)
        }),
    )
    if (out.size === nodes.length) return out
    if (Date.now() > deadline) {
      throw timeoutError(`The storage nodes have not seen tx seq ${txSeq} (root ${root}) in time.`, {
        code: 'UPLOAD_TIMEOUT',
        suggestions: ['Run the same command again to resume; the data is already paid for and will not be paid again.', 'Raise the bound with --timeout.'],
        details: {root, txSeq, waitingFor: nodes.filter((n) => !out.has(n.url)).map((n) => n.url)},
      })
    }
    await sleep(wait, signal)
    wait = Math.min(wait * 2, 1000)
  }
}

/**
 * Polls until every node reports the file finalized. A node whose uploaded count stops growing for a while although
 * it got every segment (it lost some: restart, cache eviction) gets its segments again, once per stall.
 */
async function waitFinalized(s: FragmentState, c: FragmentCtx, nodes: StorageNode[], txSeq: number, resend: (nodes: StorageNode[]) => Promise<void>): Promise<void> {
  const {reporter, deadline} = c
  const signal = c.opts.signal
  const pending = new Map(nodes.map((n) => [n.url, {node: n, count: -1, since: Date.now()}]))
  const total = nodes.length
  reporter.emit({step: 'finalize', status: 'started', done: total - pending.size, total})
  let wait = 50
  const STALL_MS = 20_000
  while (pending.size) {
    for (const [url, p] of [...pending]) {
      const info = await p.node.client.getFileInfoByTxSeq(txSeq, {signal, retries: 1}).catch(() => {
        if (signal?.aborted) throw abortReason(signal)
        return null
      })
      if (info?.finalized) {
        pending.delete(url)
        reporter.emit({step: 'finalize', status: 'progress', done: total - pending.size, total, message: `${url} finalized`})
      } else if (info && info.uploadedSegNum !== p.count) {
        p.count = info.uploadedSegNum
        p.since = Date.now()
      }
    }
    if (!pending.size) break
    if (Date.now() > deadline) {
      throw timeoutError(`Upload of ${s.tree.root} is not finalized yet (tx seq ${txSeq}).`, {
        code: 'FINALIZE_TIMEOUT',
        suggestions: ['Run the same command again to resume: it checks what the nodes hold and sends only what is missing, without paying again.', 'Raise the bound with --timeout.'],
        details: {root: s.tree.root, txSeq, waitingFor: [...pending.keys()]},
      })
    }
    const stalled = [...pending.values()].filter((p) => Date.now() - p.since > STALL_MS)
    if (stalled.length) {
      reporter.emit({step: 'finalize', status: 'warn', message: `no progress on ${stalled.map((p) => p.node.url).join(', ')}: sending the segments again`})
      for (const p of stalled) p.since = Date.now()
      await resend(stalled.map((p) => p.node))
    }
    await sleep(wait, signal)
    wait = Math.min(wait * 2, 1000)
  }
  reporter.emit({step: 'finalize', status: 'done', done: total, total, message: `finalized on ${total} node${total === 1 ? '' : 's'}`})
}

/** Flow address from the profile, else from a node's status; and the node must follow the same chain. */
async function flowAddress(network: NetworkProfile, nodes: StorageNode[], signal?: AbortSignal): Promise<string> {
  let status
  try {
    status = await nodes[0]!.client.getStatus({signal, retries: 1})
  } catch (e) {
    if (signal?.aborted) throw abortReason(signal)
    if (network.contracts.flow) return network.contracts.flow
    throw e
  }
  const id = status?.networkIdentity
  if (id && Number(id.chainId) !== network.chainId) {
    throw new ZgError(`Storage node ${nodes[0]!.url} serves chain ${id.chainId}, but network "${network.name}" is chain ${network.chainId}.`, {
      code: 'CHAIN_MISMATCH',
      exit: ExitCode.USAGE,
      suggestions: ['Check the profile\'s indexer / storage node URLs: zg network show'],
    })
  }
  const flow = network.contracts.flow ?? id?.flowAddress
  if (!flow) {
    throw new ZgError(`Network "${network.name}" has no Flow contract address.`, {code: 'FLOW_UNKNOWN', exit: ExitCode.USAGE, suggestions: ['Add it to the profile: zg network add … --flow ADDRESS']})
  }
  if (id?.flowAddress && network.contracts.flow && id.flowAddress.toLowerCase() !== network.contracts.flow.toLowerCase()) {
    throw new ZgError(`Storage node ${nodes[0]!.url} follows Flow ${id.flowAddress}, but the profile says ${network.contracts.flow}.`, {
      code: 'FLOW_MISMATCH',
      exit: ExitCode.USAGE,
      suggestions: ['Check the profile (zg network show) and the node (zg network check).'],
    })
  }
  return flow
}

/** Ctrl-C says how to continue: the journal makes a rerun resume without paying again. */
function resumable(e: unknown, root: string): unknown {
  if (isZgError(e) && e.exit === ExitCode.INTERRUPTED) {
    return interrupted(`Upload of ${root} interrupted; run the same command again to resume (nothing is paid twice).`, {details: {root}})
  }
  return e
}

/** Re-bases a fragment's progress events into the whole file's byte range (one "hash" step for all fragments). */
function offsetReporter(reporter: Reporter, step: string, offset: number, total: number): Reporter {
  return {
    emit(e) {
      if (e.step !== step) return reporter.emit(e)
      if (e.status !== 'progress') return
      reporter.emit({...e, done: offset + (e.done ?? 0), total})
    },
  }
}

