import {spawn} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {Flags} from '@oclif/core'
import {ZgCommand} from '../cli/base-command.js'
import {jsonStreamFlag} from '../cli/flags.js'
import {ExitCode, timeoutError, usageError, ZgError, type ExitCodeValue} from '../core/errors.js'
import {DEVNET_PORTS} from '../core/networks.js'
import type {ProgressEvent, Reporter} from '../core/progress.js'
import {c, keyValue} from '../ui/format.js'

// ---------------------------------------------------------------------------------------------------------------
// The detached devnet, shared with `zg init`: started through `zg node start --detach` itself (same code path,
// same logs and run.json), never re-implemented here.

const port = (what: string, def: number, env: string, note = '') => Flags.integer({description: `${what} port (default ${def}${note}; only used when the devnet is started)`, env, min: 1, max: 65535, helpGroup: 'PORTS'})

/** The port flags of `zg node start`, for commands that may start the devnet. */
export const devnetPortFlags = {
  'chain-port': port('Chain JSON-RPC', DEVNET_PORTS.chain, 'ZG_CHAIN_PORT'),
  'indexer-port': port('Storage indexer', DEVNET_PORTS.indexer, 'ZG_INDEXER_PORT'),
  'storage-port': port('First storage node', DEVNET_PORTS.storage[0], 'ZG_STORAGE_PORT', '; the second node takes the next one'),
  'provider-port': port('Compute provider', DEVNET_PORTS.provider, 'ZG_PROVIDER_PORT'),
  'oracle-port': port('INFT oracle', DEVNET_PORTS.oracle, 'ZG_ORACLE_PORT'),
}

export type DevnetPortOptions = Partial<Record<keyof typeof devnetPortFlags, number>>

export interface EnsuredDevnet {
  /** Started by this call (false: it was already running). */
  started: boolean
  pid: number
  rpcUrl: string
  ports: {chain: number; indexer: number; storage: number[]; provider: number; oracle: number}
  dataDir: string
  log?: string
}

/**
 * Makes sure the local devnet runs: reuses a running one (waiting for one that is still starting), otherwise runs
 * `zg node start --detach` with the given ports and returns once it is ready. `root` is the CLI's package root.
 */
export async function ensureDevnet(root: string, o: {ports?: DevnetPortOptions; timeoutSeconds?: number; signal?: AbortSignal; warn?: (m: string) => void} = {}): Promise<EnsuredDevnet> {
  const {runningDevnet, readRunInfo, devnetPaths} = await import('../devnet/state.js')
  const timeoutSeconds = o.timeoutSeconds ?? 90
  const given = Object.entries(o.ports ?? {}).filter(([, v]) => v !== undefined)
  let current = runningDevnet()
  if (current && !current.ready) {
    // Someone else is starting it: wait for it rather than start a second one.
    const deadline = Date.now() + timeoutSeconds * 1000
    while (current && !current.ready) {
      if (Date.now() > deadline) throw timeoutError(`The devnet (pid ${current.pid}) was still starting after ${timeoutSeconds} s.`, {suggestions: ['zg node status', 'zg node logs']})
      if (o.signal?.aborted) throw o.signal.reason
      await new Promise((r) => setTimeout(r, 100))
      current = runningDevnet()
    }
  }
  if (current?.ready) {
    if (given.length) {
      const p = current.ports as unknown as Record<string, number | number[]>
      const differs = given.some(([k, v]) => {
        const have = p[k.replace(/-port$/, '')]
        return Array.isArray(have) ? have[0] !== v : have !== v
      })
      if (differs) o.warn?.(`The devnet is already running on its own ports (rpc ${current.rpcUrl}); the port flags were not used.`)
    }
    return {started: false, pid: current.pid, rpcUrl: current.rpcUrl, ports: current.ports as EnsuredDevnet['ports'], dataDir: devnetPaths().root}
  }
  const args = [path.join(root, 'bin', 'run.js'), 'node', 'start', '--detach', '--json', '--timeout', String(timeoutSeconds)]
  for (const [k, v] of given) args.push(`--${k}`, String(v))
  const env = {...process.env, ZG_JSON_STREAM: '', ZG_JSON: '', ZG_DETACH: '', FORCE_COLOR: '0'}
  const out = await new Promise<{code: number; stdout: string; stderr: string}>((resolve, reject) => {
    const child = spawn(process.execPath, args, {env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({code: code ?? 1, stdout, stderr}))
  })
  let envelope: {ok: boolean; data?: {pid: number; rpcUrl: string; ports: EnsuredDevnet['ports']; dataDir: string; log?: string; alreadyRunning?: boolean}; error?: {code: string; message: string; suggestions?: string[]}} | undefined
  try {
    envelope = JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '')
  } catch {
    envelope = undefined
  }
  if (!envelope?.ok || !envelope.data) {
    const err = envelope?.error
    throw new ZgError(err ? `The devnet did not start: ${err.message}` : `The devnet did not start (exit ${out.code}): ${out.stderr.trim().split('\n').slice(-4).join(' ')}`, {
      code: err?.code ?? 'DEVNET_START_FAILED',
      exit: (Object.values(ExitCode) as number[]).includes(out.code) && out.code !== 0 ? (out.code as ExitCodeValue) : ExitCode.UNEXPECTED,
      suggestions: err?.suggestions?.length ? err.suggestions : ['zg node logs', 'zg node start --detach'],
    })
  }
  const info = readRunInfo()
  // Someone may have started it between our look and our start: then it was not us.
  return {started: !envelope.data.alreadyRunning, pid: envelope.data.pid, rpcUrl: envelope.data.rpcUrl, ports: envelope.data.ports ?? (info?.ports as EnsuredDevnet['ports']), dataDir: envelope.data.dataDir, log: envelope.data.log}
}

// ---------------------------------------------------------------------------------------------------------------
// The sample content

const SAMPLE_QA: Array<[string, string]> = [
  ['What is 0G?', '0G is a modular AI layer-1: chain, storage, compute and data availability for AI.'],
  ['What does 0G Storage do?', '0G Storage keeps datasets and models as Merkle-rooted files on storage nodes.'],
  ['What is 0G Compute?', '0G Compute runs inference and fine-tuning on providers paid from a ledger.'],
  ['What is an INFT?', 'An INFT is an ERC-7857 token whose encrypted metadata carries an AI agent.'],
  ['How is a fine-tuned model delivered?', 'The provider encrypts it to storage and seals its key to the user.'],
  ['How are answers verified?', 'Every answer is signed by the provider TEE key registered on chain.'],
]

/** A few chat records (JSONL, one conversation a line) the devnet provider can fine-tune on. */
export function sampleDataset(): string {
  return SAMPLE_QA.map(([q, a]) => JSON.stringify({messages: [{role: 'user', content: q}, {role: 'assistant', content: a}]})).join('\n') + '\n'
}

/** A small but well-formed safetensors file (one F32 tensor, deterministic values) standing in for trained weights. */
export function sampleWeights(seed: string): Buffer {
  const rows = 16
  const cols = 16
  const data = Buffer.alloc(rows * cols * 4)
  let x = [...seed].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 2166136261)
  for (let i = 0; i < rows * cols; i++) {
    x = (x * 1664525 + 1013904223) >>> 0
    data.writeFloatLE((x / 2 ** 32 - 0.5) * 0.2, i * 4)
  }
  const header = Buffer.from(JSON.stringify({__metadata__: {format: 'pt', source: 'zg quickstart'}, 'proj.weight': {dtype: 'F32', shape: [rows, cols], data_offsets: [0, data.length]}}))
  const padded = Buffer.concat([header, Buffer.alloc((8 - (header.length % 8)) % 8, 0x20)])
  const len = Buffer.alloc(8)
  len.writeBigUInt64LE(BigInt(padded.length))
  return Buffer.concat([len, padded, data])
}

/** Small on purpose: a few hundred steps of the devnet's tiny model, a couple of seconds on two cores. */
/** 0G locked with the provider per service when the sub-account is created (as `zg compute ack` does). */
const SUB_ACCOUNT_FUNDS = [['fine-tuning', '1'], ['inference', '2']] as const

const TRAINING_PARAMS = {num_train_epochs: 8, learning_rate: 0.004, per_device_train_batch_size: 16}

// ---------------------------------------------------------------------------------------------------------------

export default class Quickstart extends ZgCommand<typeof Quickstart> {
  static summary = 'The main job in one command on the local devnet: dataset → model → INFT agent → fine-tuning → chat'
  static description = `Starts the embedded devnet if it is not running (detached, so it keeps running afterwards), then, with the devnet's built-in accounts (dev0 owns everything, dev1 is a contributor):
  1. writes a small JSONL dataset of questions and answers about 0G and uploads it to 0G Storage;
  2. publishes it as a dataset asset in the registry;
  3. publishes a model "trained on it" (a small generated safetensors file and its config) with two contributors, dev0 70% and dev1 30%, and the dataset as its parent;
  4. mints an INFT whose encrypted agent (with a freshly generated agent key) uses that model;
  5. deposits into the compute ledger and acknowledges the devnet provider (fine-tuning and inference);
  6. fine-tunes the provider's tiny model on the dataset, acknowledges the delivered model and decrypts it;
  7. asks the fine-tuned model one question and checks the answer's signature against the provider's TEE signer;
then prints what happened and the commands that go deeper. Every run uses fresh names, so it can be run again on the same devnet. It runs on the local network only.`
  static examples = ['<%= config.bin %> quickstart', '<%= config.bin %> quickstart --json | jq .data.chat.answer', '<%= config.bin %> quickstart --chain-port 9545 --provider-port 3081 --json']
  static flags = {
    network: Flags.string({char: 'n', description: 'Network profile: quickstart runs on "local" only', env: 'ZG_NETWORK', helpGroup: 'NETWORK'}),
    message: Flags.string({char: 'm', description: 'The question for the fine-tuned model', default: 'What is 0G?', env: 'ZG_QUICKSTART_MESSAGE'}),
    out: Flags.string({description: 'Folder for the decrypted fine-tuned model (default: <data dir>/quickstart/<run id>)', env: 'ZG_QUICKSTART_OUT'}),
    timeout: Flags.integer({description: 'Seconds allowed for the devnet to start and, separately, for the fine-tuning job', default: 300, min: 1, env: 'ZG_QUICKSTART_TIMEOUT'}),
    ...devnetPortFlags,
    ...jsonStreamFlag,
  }
  static steps = [
    {id: 'devnet', title: 'Start the local devnet'},
    {id: 'dataset', title: 'Write and upload a sample dataset'},
    {id: 'publish-dataset', title: 'Publish it as a dataset asset'},
    {id: 'model', title: 'Publish a model trained on it (2 contributors)'},
    {id: 'inft', title: 'Mint an INFT agent that uses the model'},
    {id: 'ledger', title: 'Fund the compute ledger'},
    {id: 'ack', title: 'Acknowledge the devnet provider'},
    {id: 'finetune', title: 'Fine-tune on the dataset'},
    {id: 'download', title: 'Download and decrypt the fine-tuned model'},
    {id: 'chat', title: 'Chat with the fine-tuned model'},
  ]

  async exec() {
    const f = this.flags
    if (f.network !== undefined && f.network !== 'local') {
      throw usageError(`zg quickstart runs on the embedded devnet only, not on "${f.network}": it uses the devnet's funded dev accounts and its built-in compute provider.`, {
        code: 'LOCAL_ONLY',
        suggestions: [
          'Run it on the devnet: zg quickstart --network local (or without --network / ZG_NETWORK)',
          `On ${f.network}, run the steps one by one with your own account: zg dataset publish, zg model publish, zg inft mint, zg compute job submit, zg compute chat (each with --network ${f.network})`,
        ],
      })
    }
    const {getSetting} = await import('../core/config.js')
    const configured = String(getSetting('network').value ?? 'local')
    if (f.network === undefined && configured !== 'local') this.warn(`Your default network is "${configured}"; quickstart runs on the local devnet regardless (add --network local to the follow-up commands).`)
    const netArg = configured === 'local' ? '' : ' --network local'

    const started = Date.now()
    const runId = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').replace('.', '-').replace('Z', '')
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'zg-quickstart-'))
    try {
      return await this.withProgress((reporter) => this.quickstart(reporter, {runId, work, netArg, started}))
    } finally {
      fs.rmSync(work, {recursive: true, force: true})
    }
  }

  private async quickstart(reporter: Reporter, ctx: {runId: string; work: string; netArg: string; started: number}) {
    const f = this.flags
    const signal = this.abort.signal
    const {runId, work, netArg} = ctx

    // 1. devnet
    const devnet = await step(reporter, 'devnet', 'checking for a running devnet', async () =>
      ensureDevnet(this.config.root, {
        ports: {'chain-port': f['chain-port'], 'indexer-port': f['indexer-port'], 'storage-port': f['storage-port'], 'provider-port': f['provider-port'], 'oracle-port': f['oracle-port']},
        timeoutSeconds: f.timeout,
        signal,
        warn: (m) => this.warn(m),
      }), (d) => `${d.started ? 'started' : 'already running'} at ${d.rpcUrl}`)

    // The profile is read after the start: the devnet records its ports in the data dir.
    const {connect, txOptions} = await import('../cli/chain.js')
    const {network, provider} = await connect({network: 'local'})
    try {
      const tx = await txOptions({}, network)
      // The devnet's funded accounts, whatever key sources the environment names (ZG_PRIVATE_KEY, a default account).
      const {devWallet} = await import('../core/keys/dev-accounts.js')
      const owner = devWallet(0)
      const contributor = devWallet(1)
      const signer = async () => owner

      // 2. dataset: write + upload
      const datasetName = `quickstart-faq-${runId}`
      const dsDir = path.join(work, datasetName)
      fs.mkdirSync(dsDir, {recursive: true})
      fs.writeFileSync(path.join(dsDir, 'qa.jsonl'), sampleDataset())
      fs.writeFileSync(path.join(dsDir, 'README.md'), `# ${datasetName}\n\nQuestions and answers about 0G, written by \`zg quickstart\`.\n`)
      const {uploadDataset} = await import('../core/storage/dataset.js')
      const ds = await step(reporter, 'dataset', `${datasetName}: 2 files`, (inner) => uploadDataset(dsDir, {network, provider, signer, reporter: inner, signal, name: datasetName, tx}), (d) => `root ${d.root}`)
      for (const w of ds.warnings) this.warn(w)
      const train = ds.files.find((x) => x.path === 'qa.jsonl')!

      // 3. dataset asset
      const {publishDataset, publishModel} = await import('../core/registry/publish.js')
      const dsPub = await step(
        reporter,
        'publish-dataset',
        `registering ${datasetName}@1.0.0`,
        (inner) =>
          publishDataset(dsDir, {name: datasetName, version: '1.0.0', license: 'CC-BY-4.0', description: 'Questions and answers about 0G (zg quickstart sample)', contributors: [{address: owner.address, shareBps: 10000, name: 'dev0'}]}, {network, provider, signer, reporter: inner, signal, tx}),
        (d) => `asset ${d.assetId}`,
      )
      for (const w of dsPub.warnings) this.warn(w)

      // 4. model with two contributors, trained on the dataset
      const modelName = `quickstart-model-${runId}`
      const modelDir = path.join(work, modelName)
      fs.mkdirSync(modelDir, {recursive: true})
      fs.writeFileSync(path.join(modelDir, 'model.safetensors'), sampleWeights(runId))
      fs.writeFileSync(path.join(modelDir, 'config.json'), JSON.stringify({architecture: 'zg-tinylm', hidden_size: 16, trained_on: `${datasetName}@1.0.0`, training: TRAINING_PARAMS}, null, 2) + '\n')
      const {formatPackage, PACKAGE_FILE} = await import('../core/registry/package.js')
      fs.writeFileSync(
        path.join(modelDir, PACKAGE_FILE),
        formatPackage({
          schemaVersion: 1,
          name: modelName,
          version: '1.0.0',
          description: 'A tiny model trained on the quickstart dataset',
          format: 'safetensors',
          framework: 'zg-tinylm',
          files: ['model.safetensors', 'config.json'],
          license: 'Apache-2.0',
          parents: {datasets: [Number(dsPub.assetId)]},
          contributors: [
            {address: owner.address, shareBps: 7000, name: 'dev0 (owner)'},
            {address: contributor.address, shareBps: 3000, name: 'dev1'},
          ],
          lineageShareBps: 1000,
        }),
      )
      const model = await step(reporter, 'model', `${modelName}@1.0.0`, (inner) => publishModel(modelDir, {network, provider, signer, reporter: inner, signal, tx}), (d) => `asset ${d.assetId}`)
      for (const w of model.warnings) this.warn(w)

      // 5. INFT agent using the model
      const {AgentKey, checkMetadata} = await import('../core/inft/bundle.js')
      const {inftContext} = await import('../core/inft/context.js')
      const {mintAgent} = await import('../core/inft/service.js')
      const agentName = `Quickstart agent ${runId}`
      const metadata = checkMetadata({
        name: agentName,
        description: 'Answers questions about 0G with the quickstart model',
        model: {asset: `${modelName}@1.0.0`, root: model.manifestRoot},
        systemPrompt: 'You answer questions about 0G briefly and accurately.',
      })
      const minted = await step(
        reporter,
        'inft',
        agentName,
        (inner) => mintAgent(inftContext({network, provider, payer: signer, reporter: inner, signal, tx}), {signer: owner, metadata, agentKey: AgentKey.generate()}),
        (d) => `token ${d.tokenId}`,
      )
      for (const w of minted.warnings) this.warn(w)

      // 6. compute ledger
      const {computeRefs} = await import('../core/compute/contracts.js')
      const refs = computeRefs(network)
      const ledgerMod = await import('../core/compute/ledger.js')
      const {formatEther, parseEther} = await import('ethers')
      const {pickProvider, getFineTuningProvider} = await import('../core/compute/providers.js')
      // The devnet has one provider serving both; look each service up anyway.
      const providers = {'fine-tuning': await pickProvider(provider, refs, 'fine-tuning'), inference: await pickProvider(provider, refs, 'inference')}
      const providerAddr = providers['fine-tuning']
      const ledger = await step(
        reporter,
        'ledger',
        'reading the ledger',
        async (inner) => {
          const before = await ledgerMod.readLedger(provider, refs, owner.address)
          // The first deposit opens the ledger (at least 3 0G); later runs top up only what the missing sub-accounts need.
          let need = 0n
          for (const [service, fund] of SUB_ACCOUNT_FUNDS) if (!(await ledgerMod.readSubAccount(provider, refs, service, owner.address, providers[service]))) need += parseEther(fund)
          const amount = !before.exists ? parseEther('5') : before.available < need ? need - before.available + parseEther('1') : 0n
          const r = amount > 0n ? await ledgerMod.deposit(owner, provider, refs, amount, {...tx, reporter: inner, signal, label: 'LedgerManager.depositFund'}) : undefined
          const after = await ledgerMod.readLedger(provider, refs, owner.address)
          return {opened: !before.exists, deposited: formatEther(amount), txHash: r?.hash ?? null, available: formatEther(after.available), total: formatEther(after.total)}
        },
        (d) => (d.txHash ? `deposited ${d.deposited} 0G` : `enough funds already (${d.available} 0G available)`),
      )

      // 7. acknowledge the provider for both services
      const ack = await step(
        reporter,
        'ack',
        providers.inference === providerAddr ? providerAddr : `${providerAddr}, ${providers.inference}`,
        async (inner) => {
          const out: Record<string, {provider: string; funded: string | null; alreadyAcknowledged: boolean; txHashes: string[]}> = {}
          for (const [service, fund] of SUB_ACCOUNT_FUNDS) {
            const r = await ledgerMod.acknowledge(owner, provider, refs, service, providers[service], parseEther(fund), {...tx, reporter: inner, signal})
            out[service] = {provider: providers[service], funded: r.funded ? fund : null, alreadyAcknowledged: r.already, txHashes: [r.funded?.hash, r.acknowledged?.hash].filter((h): h is string => Boolean(h))}
          }
          return {fineTuning: out['fine-tuning']!, inference: out.inference!}
        },
        (d) => (d.fineTuning.alreadyAcknowledged && d.inference.alreadyAcknowledged ? 'already acknowledged' : 'acknowledged for fine-tuning and inference'),
      )

      // 8. fine-tuning job, followed to Finished (acknowledging the delivery on the way)
      const svc = await getFineTuningProvider(provider, refs, providerAddr)
      const baseModel = svc.models?.[0] ?? 'zg-tinylm-chat'
      const {createTask} = await import('../core/compute/finetune.js')
      const {followJob, acknowledgeJob, decryptJob} = await import('../core/compute/jobs.js')
      const {jobLine, lossSummary} = await import('../cli/jobs.js')
      const job = await step(
        reporter,
        'finetune',
        `${baseModel} on ${train.root}`,
        async (inner) => {
          const {id} = await createTask(owner, svc.url, {datasetHash: train.root!, model: baseModel, params: TRAINING_PARAMS})
          inner.emit({step: 'job', status: 'info', message: `task ${id}`})
          let ackHash: string | null = null
          const t = await followJob({
            url: svc.url,
            user: owner.address,
            taskId: id,
            signal,
            timeoutMs: f.timeout * 1000,
            pollMs: 250,
            onUpdate: (snap) => inner.emit({step: 'job', status: 'progress', message: jobLine(snap)}),
            onDelivered: async () => {
              const a = await acknowledgeJob(owner, {provider, refs, network, providerAddr, taskId: id, signal, tx})
              ackHash = a.hash
            },
          })
          if (t.progress === 'Failed') throw new ZgError(`Fine-tuning job ${id} failed: ${t.reason ?? 'no reason given'}`, {code: 'JOB_FAILED', exit: ExitCode.UNEXPECTED, details: {taskId: id, reason: t.reason}})
          return {taskId: id, baseModel, dataset: train.root!, params: TRAINING_PARAMS, progress: t.progress, fee: t.fee, loss: lossSummary(t), adapterName: t.adapterName ?? null, outputRoot: t.outputRootHash ?? null, acknowledgeTxHash: ackHash, settleTxHash: t.settleTxHash ?? null}
        },
        (d) => `${d.progress}${d.loss.first !== null ? `, loss ${d.loss.first.toFixed(3)} → ${d.loss.last!.toFixed(3)}` : ''}`,
      )

      // 9. download and decrypt
      const {dataDir} = await import('../core/paths.js')
      const outDir = path.resolve(f.out ?? path.join(dataDir(), 'quickstart', runId))
      const download = await step(reporter, 'download', outDir, () => decryptJob(owner, {provider, refs, network, providerAddr, taskId: job.taskId, outDir, signal}), (d) => `${d.files.length} files in ${d.outDir}`)

      // 10. chat with the fine-tuned model
      const {ChatSession} = await import('../core/compute/session.js')
      const question = f.message
      const chat = await step(
        reporter,
        'chat',
        question,
        async () => {
          const session = await ChatSession.open({provider, refs, providerAddr: providers.inference, wallet: owner})
          const r = await session.send([{role: 'user', content: question}], {model: job.adapterName ?? undefined, maxTokens: 160, temperature: 0.2, seed: 7, signal})
          return {
            model: r.result.model,
            question,
            answer: r.result.content,
            chatId: r.result.chatId,
            usage: r.result.usage,
            fee: formatEther(r.fee),
            signature: r.signature ? {verified: r.signature.verified, signer: r.signature.signer, expectedSigner: r.signature.expectedSigner, matchesExchange: r.signature.matchesExchange} : null,
          }
        },
        (d) => (d.signature?.verified ? 'answered, signature verified' : 'answered, signature NOT verified'),
      )
      if (!chat.signature?.verified) this.warn(`The chat answer's signature did not verify (signed by ${chat.signature?.signer ?? 'nobody'}, expected ${chat.signature?.expectedSigner ?? '?'}): do not trust it.`)

      const next = [
        `zg storage info ${ds.root}${netArg}`,
        `zg dataset download ${ds.root} --out ./${datasetName}${netArg}`,
        `zg model show ${modelName}@1.0.0${netArg}`,
        `zg model show ${datasetName}${netArg}`,
        `zg inft show ${minted.tokenId}${netArg}`,
        `zg compute job status ${job.taskId} --account dev0${netArg}`,
        `zg compute chat --model ${job.adapterName ?? baseModel} --account dev0${netArg}`,
      ]
      return {
        network: 'local',
        runId,
        durationMs: Date.now() - ctx.started,
        accounts: {owner: {name: 'dev0', address: owner.address}, contributor: {name: 'dev1', address: contributor.address}},
        devnet,
        dataset: {name: datasetName, root: ds.root, fileCount: ds.fileCount, totalSize: ds.totalSize, files: ds.files, trainingFile: {path: train.path, root: train.root, rows: train.rows ?? null}, manifestTxHash: ds.manifest.txHash, fee: ds.fee, paidNow: ds.paidNow},
        datasetAsset: {name: dsPub.name, version: dsPub.version, assetId: dsPub.assetId, versionIndex: dsPub.versionIndex, manifestRoot: dsPub.manifestRoot, owner: dsPub.owner, license: dsPub.license, txHash: dsPub.txHash},
        model: {
          name: model.name,
          version: model.version,
          assetId: model.assetId,
          versionIndex: model.versionIndex,
          manifestRoot: model.manifestRoot,
          owner: model.owner,
          license: model.license,
          files: model.files.map((x) => ({path: x.path, size: x.size, root: x.root})),
          contributors: model.contributors,
          parents: model.parents,
          lineageShareBps: model.lineageShareBps,
          txHash: model.txHash,
        },
        inft: {tokenId: minted.tokenId, name: agentName, owner: minted.owner, agent: minted.agent, model: metadata.model, dataRoot: minted.dataRoot, txHash: minted.txHash, storageTxHash: minted.storageTxHash, oracleSealed: minted.oracleSealed, nft: minted.nft},
        ledger,
        providerAck: ack,
        job,
        download: {outDir: download.outDir, zip: download.zip, files: download.files, signer: download.signer},
        chat,
        next,
      }
    } finally {
      provider.destroy()
    }
  }

  protected override render(d: Awaited<ReturnType<Quickstart['exec']>>) {
    const short = (h: string | null | undefined) => (h ? `${h.slice(0, 10)}…${h.slice(-6)}` : '—')
    const lines = [
      c.bold(`zg quickstart: done in ${(d.durationMs / 1000).toFixed(1)} s (run ${d.runId})`),
      '',
      keyValue([
        ['devnet', `${d.devnet.started ? 'started' : 'already running'} at ${d.devnet.rpcUrl} (pid ${d.devnet.pid}; stop it with zg node stop)`],
        ['dataset', `${d.dataset.name}: ${d.dataset.fileCount} files, ${d.dataset.trainingFile.rows ?? '?'} Q/A rows, root ${d.dataset.root}`],
        ['dataset asset', `#${d.datasetAsset.assetId} ${d.datasetAsset.name}@${d.datasetAsset.version} (${d.datasetAsset.license}), tx ${short(d.datasetAsset.txHash)}`],
        ['model asset', `#${d.model.assetId} ${d.model.name}@${d.model.version}, parent dataset #${d.datasetAsset.assetId}, tx ${short(d.model.txHash)}`],
        ['contributors', d.model.contributors.map((x) => `${x.name ?? x.address} ${x.shareBps / 100}%`).join(', ')],
        ['INFT', `token ${d.inft.tokenId} owned by ${d.inft.owner}, agent ${d.inft.agent}, tx ${short(d.inft.txHash)}`],
        ['compute ledger', d.ledger.txHash ? `deposited ${d.ledger.deposited} 0G (${d.ledger.available} 0G available)` : `${d.ledger.available} 0G available`],
        ['fine-tuning', `task ${d.job.taskId}: ${d.job.progress}${d.job.loss.first !== null ? `, loss ${d.job.loss.first.toFixed(3)} → ${d.job.loss.last!.toFixed(3)} over ${d.job.loss.steps} steps` : ''}`],
        ['fine-tuned model', `${d.job.adapterName ?? '—'} (decrypted to ${d.download.outDir})`],
        ['question', d.chat.question],
        ['answer', d.chat.answer],
        ['signature', d.chat.signature?.verified ? c.green(`verified (TEE signer ${d.chat.signature.expectedSigner})`) : c.red('NOT verified')],
      ]),
      '',
      c.bold('Go deeper:'),
      ...d.next.map((n) => `  ${n}`),
    ]
    return lines.join('\n')
  }
}

/** Runs one quickstart step: started/done events around `fn`, whose own events are folded into this step. */
async function step<T>(reporter: Reporter, id: string, startMessage: string, fn: (inner: Reporter) => Promise<T>, doneMessage: (v: T) => string): Promise<T> {
  reporter.emit({step: id, status: 'started', message: startMessage})
  const inner: Reporter = {
    emit(e: ProgressEvent) {
      const message = e.message ? (e.step === id || e.step === 'tx' || e.step === 'job' ? e.message : `${e.step}: ${e.message}`) : undefined
      const data = e.data ? {data: e.data} : {}
      if (e.status === 'warn') return reporter.emit({step: id, status: 'warn', message, ...data})
      if (!message) return
      reporter.emit({step: id, status: 'progress', message, ...data})
    },
  }
  const v = await fn(inner)
  reporter.emit({step: id, status: 'done', message: doneMessage(v)})
  return v
}
