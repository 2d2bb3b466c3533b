import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {envelope, runZg, tempHome} from '../helpers/cli.js'
import {registerSecret} from '../helpers/capture.js'
import {devnetPortArgs} from '../helpers/devnet.js'
import {devWallet} from '../../src/core/keys/dev-accounts.js'

for (let i = 0; i < 10; i++) registerSecret(devWallet(i).privateKey)

const DEV0 = devWallet(0).address
const DEV1 = devWallet(1).address
const HASH = /^0x[0-9a-f]{64}$/
const ROOT = /^0x[0-9a-f]{64}$/

describe('zg quickstart on a fresh data dir', () => {
  const home = tempHome('zg-quickstart-')
  let ports: string[] = []
  let first: any
  const ok = async (args: string[]) => {
    const r = await runZg([...args, '--json'], {env: home.env})
    const e = envelope(r)
    assert.equal(e.ok, true, `zg ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`)
    return e.data
  }

  before(async () => {
    ports = await devnetPortArgs()
  })
  after(async () => {
    await runZg(['node', 'stop'], {env: home.env})
    home.cleanup()
  })

  test('one command: devnet, dataset, model, INFT, fine-tuning and a verified chat, every step reported', async () => {
    const r = await runZg(['quickstart', '--json', ...ports], {env: home.env, timeoutMs: 240_000})
    const e = envelope(r)
    assert.equal(e.ok, true, r.stdout + r.stderr)
    assert.equal(r.code, 0)
    const d = (first = e.data)

    // devnet: started here, detached, on the ports given
    assert.equal(d.network, 'local')
    assert.equal(d.devnet.started, true)
    assert.equal(d.devnet.rpcUrl, `http://127.0.0.1:${ports[1]}`)
    assert.equal(d.accounts.owner.address, DEV0)
    assert.equal(d.accounts.contributor.address, DEV1)

    // dataset: uploaded (JSONL Q/A + README), then published as an asset
    assert.match(d.dataset.root, ROOT)
    assert.equal(d.dataset.fileCount, 2)
    assert.equal(d.dataset.trainingFile.path, 'qa.jsonl')
    assert.match(d.dataset.trainingFile.root, ROOT)
    assert.ok(d.dataset.trainingFile.rows >= 3)
    assert.equal(d.datasetAsset.manifestRoot, d.dataset.root, 'the asset records the uploaded dataset')
    assert.match(d.datasetAsset.assetId, /^\d+$/)
    assert.match(d.datasetAsset.txHash, HASH)
    assert.equal(d.datasetAsset.owner, DEV0)

    // model: two contributors 70/30, trained on the dataset
    assert.match(d.model.assetId, /^\d+$/)
    assert.notEqual(d.model.assetId, d.datasetAsset.assetId)
    assert.match(d.model.manifestRoot, ROOT)
    assert.match(d.model.txHash, HASH)
    assert.deepEqual(d.model.contributors.map((c: any) => [c.address, c.shareBps]), [[DEV0, 7000], [DEV1, 3000]])
    assert.deepEqual(d.model.parents.map((p: any) => [p.kind, p.id]), [['dataset', d.datasetAsset.assetId]])
    assert.deepEqual(d.model.files.map((f: any) => f.path).sort(), ['config.json', 'model.safetensors'])

    // INFT: owned by dev0, its agent uses the model
    assert.match(d.inft.tokenId, /^\d+$/)
    assert.equal(d.inft.owner, DEV0)
    assert.match(d.inft.agent, /^0x[0-9a-fA-F]{40}$/)
    assert.notEqual(d.inft.agent, DEV0)
    assert.equal(d.inft.model.root, d.model.manifestRoot)
    assert.equal(d.inft.model.asset, `${d.model.name}@1.0.0`)
    assert.match(d.inft.txHash, HASH)
    assert.equal(d.inft.oracleSealed, true)

    // compute: the ledger opened with a deposit, the provider acknowledged for both services
    assert.equal(d.ledger.opened, true)
    assert.match(d.ledger.txHash, HASH)
    assert.equal(d.providerAck.fineTuning.alreadyAcknowledged, false)
    assert.equal(d.providerAck.inference.alreadyAcknowledged, false)
    assert.ok(d.providerAck.fineTuning.txHashes.length >= 1)

    // fine-tuning: on the dataset's training file, finished, delivered, acknowledged, decrypted
    assert.equal(d.job.progress, 'Finished')
    assert.equal(d.job.dataset, d.dataset.trainingFile.root)
    assert.ok(d.job.loss.steps > 10)
    assert.ok(d.job.loss.last < d.job.loss.first, `loss falls: ${d.job.loss.first} → ${d.job.loss.last}`)
    assert.ok(BigInt(d.job.fee) > 0n)
    assert.match(d.job.adapterName, /^ft-/)
    assert.match(d.job.acknowledgeTxHash, HASH)
    assert.ok(fs.statSync(path.join(d.download.outDir, 'model.zglm')).size > 0)
    assert.ok(d.download.outDir.startsWith(home.dataDir), 'the model is kept under the data dir')

    // chat: the fine-tuned model answers, signed by the provider's TEE signer
    assert.equal(d.chat.model, d.job.adapterName)
    assert.ok(d.chat.answer.trim().length > 0)
    assert.equal(d.chat.signature.verified, true)
    assert.equal(d.chat.signature.matchesExchange, true)
    assert.equal(d.chat.signature.signer, d.chat.signature.expectedSigner)

    // the summary points at the commands that go deeper
    for (const cmd of [`zg storage info ${d.dataset.root}`, `zg model show ${d.model.name}@1.0.0`, `zg inft show ${d.inft.tokenId}`, `zg compute job status ${d.job.taskId} --account dev0`]) {
      assert.ok(d.next.includes(cmd), cmd)
    }
  })

  test('every artifact really exists: storage, registry, INFT, job', async () => {
    assert.ok(first, 'the first run succeeded')
    const d = first
    const info = await ok(['storage', 'info', d.dataset.root])
    assert.equal(info.finalized, true)
    const train = await ok(['storage', 'info', d.dataset.trainingFile.root])
    assert.equal(train.finalized, true)

    const model = await ok(['model', 'show', `${d.model.name}@1.0.0`])
    assert.equal(model.id, d.model.assetId)
    assert.equal(model.kind, 'model')
    assert.equal(model.owner, DEV0)
    assert.equal(model.version.manifestRoot, d.model.manifestRoot)
    assert.deepEqual(model.version.parents, [d.datasetAsset.assetId])
    assert.deepEqual(model.contributors.map((c: any) => [c.account, c.shareBps]), [[DEV0, 7000], [DEV1, 3000]])
    const dataset = await ok(['model', 'show', d.datasetAsset.assetId])
    assert.equal(dataset.kind, 'dataset')
    assert.equal(dataset.version.manifestRoot, d.dataset.root)

    const token = await ok(['inft', 'show', d.inft.tokenId])
    assert.equal(token.owner, DEV0)
    assert.equal(token.agent, d.inft.agent)

    const job = await ok(['compute', 'job', 'status', d.job.taskId, '--account', 'dev0'])
    assert.equal(job.task.progress, 'Finished')
    assert.equal(job.deliverable.acknowledged, true)
    assert.equal(job.deliverable.settled, true)
  })

  test('a second run on the same devnet works: the devnet is reused, names and assets are new', async () => {
    assert.ok(first, 'the first run succeeded')
    const r = await runZg(['quickstart', '--json'], {env: home.env, timeoutMs: 240_000})
    const e = envelope(r)
    assert.equal(e.ok, true, r.stdout + r.stderr)
    const d = e.data
    assert.equal(d.devnet.started, false)
    assert.equal(d.devnet.pid, first.devnet.pid)
    assert.notEqual(d.runId, first.runId)
    assert.notEqual(d.dataset.name, first.dataset.name)
    assert.notEqual(d.model.assetId, first.model.assetId)
    assert.notEqual(d.inft.tokenId, first.inft.tokenId)
    assert.notEqual(d.job.taskId, first.job.taskId)
    assert.equal(d.ledger.opened, false)
    assert.equal(d.providerAck.fineTuning.alreadyAcknowledged, true)
    assert.equal(d.providerAck.inference.alreadyAcknowledged, true)
    assert.equal(d.job.progress, 'Finished')
    assert.equal(d.chat.signature.verified, true)
    assert.ok(d.chat.answer.trim().length > 0)
  })

  test('piped (CI) form: one progress line per step on stderr, the summary on stdout', async () => {
    assert.ok(first, 'the first run succeeded')
    const r = await runZg(['quickstart'], {env: home.env, timeoutMs: 240_000})
    assert.equal(r.code, 0, r.stderr)
    for (const step of ['devnet', 'dataset', 'publish-dataset', 'model', 'inft', 'ledger', 'ack', 'finetune', 'download', 'chat']) {
      assert.match(r.stderr, new RegExp(`^✔ ${step}: `, 'm'), step)
    }
    assert.match(r.stdout, /signature\s+verified/)
    assert.match(r.stdout, /zg inft show \d+/)
    assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colour codes in a pipe')
  })

  test('other networks are refused with a clear message (exit 2)', async () => {
    const r = await runZg(['quickstart', '--network', 'galileo', '--json'], {env: home.env})
    assert.equal(r.code, 2)
    const e = envelope(r)
    assert.equal(e.error.code, 'LOCAL_ONLY')
    assert.match(e.error.message, /embedded devnet only/)
  })
})
