import assert from 'node:assert/strict'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {JsonRpcProvider} from 'ethers'
import {envelope, ROOT, runZg} from '../helpers/cli.js'
import {registerSecret} from '../helpers/capture.js'
import {startTestDevnet} from '../helpers/devnet.js'
import {freePort} from '../helpers/ports.js'
import {devWallet} from '../../src/core/keys/dev-accounts.js'
import {computeRefsAt} from '../../src/core/compute/contracts.js'
import {callContract} from '../../src/core/chain/send.js'
import {SDK_COMPUTE_ADDRESSES} from '../../src/devnet/deploy.js'
import * as lm from '../../src/core/compute/tinylm.js'

for (let i = 0; i < 10; i++) registerSecret(devWallet(i).privateKey)
const PROVIDER = devWallet(8).address
const refs = computeRefsAt(SDK_COMPUTE_ADDRESSES)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * An OpenAI-compatible model server standing in for llama.cpp/Ollama behind the provider (--target-url): it
 * really generates, from a small model it trains at start, and records what it answered.
 */
async function startTarget(port: number) {
  const w = lm.initWeights(lm.DEFAULT_LM_CONFIG, 5)
  lm.train(w, lm.encode('Q: hi\nA: hello from the target server\n'.repeat(20), w.config), {steps: 150, learningRate: 0.01})
  const answers: string[] = []
  const usages: Array<{prompt_tokens: number; completion_tokens: number; total_tokens: number}> = []
  const server = http.createServer(async (req, res) => {
    let body = ''
    for await (const c of req) body += c
    if (req.url !== '/v1/chat/completions') {
      res.writeHead(404).end()
      return
    }
    const j = JSON.parse(body) as {model: string; messages: lm.ChatMessage[]; stream?: boolean}
    const g = lm.generate(w, lm.chatPrompt(j.messages), {maxTokens: 60, stop: ['\n'], seed: 1, temperature: 0.2})
    answers.push(g.text)
    const usage = {prompt_tokens: 7, completion_tokens: g.tokens, total_tokens: 7 + g.tokens}
    usages.push(usage)
    if (j.stream) {
      res.writeHead(200, {'content-type': 'text/event-stream'})
      res.write(`data: ${JSON.stringify({id: 'x', object: 'chat.completion.chunk', model: j.model, choices: [{index: 0, delta: {content: g.text}, finish_reason: 'stop'}]})}\n\n`)
      res.write(`data: ${JSON.stringify({id: 'x', object: 'chat.completion.chunk', model: j.model, choices: [], usage})}\n\n`)
      res.end('data: [DONE]\n\n')
      return
    }
    const out = JSON.stringify({id: 'target-1', object: 'chat.completion', created: 1, model: j.model, choices: [{index: 0, message: {role: 'assistant', content: g.text}, finish_reason: 'stop'}], usage})
    res.writeHead(200, {'content-type': 'application/json'}).end(out)
  })
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()))
  return {answers, usages, close: () => new Promise<void>((r) => server.close(() => r()))}
}

/** A custom trainer (--executor): continues the base model with zg's own tiny-LM code, prints its loss per step. */
const EXECUTOR = `
import fs from 'node:fs'
import path from 'node:path'
const lm = await import(${JSON.stringify(path.join(ROOT, 'dist', 'src', 'core', 'compute', 'tinylm.js'))})
const [dataset, paramsFile, outDir] = process.argv.slice(2)
const params = JSON.parse(fs.readFileSync(paramsFile, 'utf8'))
const {weights} = lm.deserialize(fs.readFileSync(process.env.ZG_BASE_MODEL_PATH))
const ids = lm.encode(fs.readFileSync(dataset, 'utf8'), weights.config)
lm.train(weights, ids, {steps: params.max_steps ?? 40, learningRate: 0.005, onStep: (s, l) => console.log('custom step ' + s + ' loss=' + l.toFixed(4))})
fs.writeFileSync(path.join(outDir, 'model.zglm'), lm.serialize(weights, {name: 'custom', trainer: 'executor'}))
fs.writeFileSync(path.join(outDir, 'notes.txt'), 'trained by a custom executor')
`

describe('devnet provider options: --target-url, --executor, unacknowledged deliveries', () => {
  let dn: Awaited<ReturnType<typeof startTestDevnet>>
  let target: Awaited<ReturnType<typeof startTarget>>
  let chain: JsonRpcProvider
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'zg-provider-opts-'))
  const ok = async (args: string[], timeoutMs?: number) => {
    const r = await runZg([...args, '--json'], {env: dn.env, timeoutMs})
    const e = envelope(r)
    assert.equal(e.ok, true, `zg ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`)
    return e.data
  }

  before(async () => {
    const port = await freePort()
    target = await startTarget(port)
    fs.writeFileSync(path.join(work, 'trainer.mjs'), EXECUTOR)
    process.env.ZG_PROVIDER_TARGET_URL = `http://127.0.0.1:${port}/v1`
    process.env.ZG_PROVIDER_TARGET_MODEL = 'stand-in-model'
    process.env.ZG_PROVIDER_EXECUTOR = `"${process.execPath}" "${path.join(work, 'trainer.mjs')}"`
    process.env.ZG_PROVIDER_ACK_TIMEOUT_S = '2'
    process.env.ZG_PROVIDER_POLL_MS = '200'
    process.env.ZG_PROVIDER_BASE_STEPS = '60'
    process.env.ZG_PROVIDER_SETTLE_INTERVAL_MS = '1000'
    dn = await startTestDevnet()
    chain = new JsonRpcProvider(dn.rpcUrl, 31337, {staticNetwork: true})
  })
  after(async () => {
    chain?.destroy()
    await dn?.stop()
    await target?.close()
    fs.rmSync(work, {recursive: true, force: true})
  })

  test('--target-url: chats are served by the OpenAI-compatible server behind the provider, signed and billed', async () => {
    const p = await ok(['compute', 'providers', '--type', 'inference'])
    assert.equal(p.providers[0].model, 'stand-in-model')
    await ok(['compute', 'ledger', 'deposit', '--amount', '4', '--account', 'dev1'])
    await ok(['compute', 'ack', '--account', 'dev1'])
    const c = await ok(['compute', 'chat', '-m', 'hi', '--account', 'dev1'])
    assert.equal(c.answer, target.answers.at(-1))
    assert.equal(c.model, 'stand-in-model')
    assert.equal(c.signature.verified, true)
    assert.deepEqual(c.usage, target.usages.at(-1), 'usage comes from the model server')
    // Settled on chain like any other chat.
    const user = devWallet(1).address
    for (let i = 0; i < 60; i++) {
      const a = (await callContract(chain, refs.inference, 'getAccount', [user, PROVIDER])) as unknown as {nonce: bigint}
      if (a.nonce > 0n) return
      await sleep(250)
    }
    assert.fail('the target chat was never settled')
  })

  test('--executor trains the job; a delivery never acknowledged is settled with the contract penalty only', async () => {
    const user = devWallet(2).address
    await ok(['compute', 'ledger', 'deposit', '--amount', '3', '--account', 'dev2'])
    await ok(['compute', 'ack', '--service', 'fine-tuning', '--account', 'dev2'])
    fs.writeFileSync(path.join(work, 'd.txt'), 'Q: who trains you?\nA: a custom executor.\n'.repeat(10))
    fs.writeFileSync(path.join(work, 'p.json'), JSON.stringify({max_steps: 30}))
    const before = (await callContract(chain, refs.fineTuning, 'getAccount', [user, PROVIDER])) as unknown as {balance: bigint}
    const d = await ok(['compute', 'job', 'submit', '--model', 'zg-tinylm-chat', '--dataset', path.join(work, 'd.txt'), '--params', path.join(work, 'p.json'), '--wait', '--no-acknowledge', '--account', 'dev2'], 120_000)
    assert.equal(d.progress, 'Delivered')
    assert.equal(d.loss.steps, 30, 'the executor\'s loss lines are the job\'s losses')
    const logs = await ok(['compute', 'job', 'logs', d.taskId, '--account', 'dev2'])
    assert.ok(logs.lines.some((l: string) => l.includes('[executor] custom step 30 loss=')))
    // Not acknowledged within 2 s: the provider settles with the penalty (30 %) and seals no key.
    let st: any
    for (let i = 0; i < 80; i++) {
      st = await ok(['compute', 'job', 'status', d.taskId, '--account', 'dev2'])
      if (st.task.progress === 'Failed') break
      await sleep(250)
    }
    assert.equal(st.task.progress, 'Failed')
    assert.match(st.task.reason, /not acknowledged/)
    assert.equal(st.deliverable.settled, true)
    assert.equal(st.deliverable.keySealed, false)
    const afterAcc = (await callContract(chain, refs.fineTuning, 'getAccount', [user, PROVIDER])) as unknown as {balance: bigint}
    const penalty = (await callContract(chain, refs.fineTuning, 'penaltyPercentage', [])) as bigint
    assert.equal(before.balance - afterAcc.balance, (BigInt(d.fee ?? st.task.fee) * penalty) / 100n)
    // Too late to acknowledge, and there is no key to decrypt with.
    const late = await runZg(['compute', 'job', 'acknowledge', d.taskId, '--account', 'dev2', '--json'], {env: dn.env})
    assert.equal(envelope(late).error.code, 'DELIVERABLE_SETTLED')
    const dl = await runZg(['compute', 'job', 'download', d.taskId, '--out', path.join(work, 'm'), '--account', 'dev2', '--json'], {env: dn.env})
    assert.equal(dl.code, 3)
    assert.equal(envelope(dl).error.code, 'MODEL_KEY_NOT_READY')
  })
})
