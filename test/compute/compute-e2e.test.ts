import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {formatEther, JsonRpcProvider, parseEther, Wallet} from 'ethers'
import {envelope, runZg} from '../helpers/cli.js'
import {registerSecret} from '../helpers/capture.js'
import {startTestDevnet} from '../helpers/devnet.js'
import {until} from '../helpers/wait.js'
import {devWallet} from '../../src/core/keys/dev-accounts.js'
import {createAppToken} from '../../src/core/compute/token.js'
import {computeRefsAt} from '../../src/core/compute/contracts.js'
import {callContract} from '../../src/core/chain/send.js'
import {SDK_COMPUTE_ADDRESSES} from '../../src/devnet/deploy.js'

// The provider of the devnet this file starts: settle every second, poll fast, a smaller base model (faster start).
process.env.ZG_PROVIDER_SETTLE_INTERVAL_MS = '1000'
process.env.ZG_PROVIDER_POLL_MS = '200'
process.env.ZG_PROVIDER_BASE_STEPS = '400'

for (let i = 0; i < 10; i++) registerSecret(devWallet(i).privateKey)

const PROVIDER = devWallet(8).address
const refs = computeRefsAt(SDK_COMPUTE_ADDRESSES)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// The official compute SDK's broker leaves handles open after its tests pass (not ours to fix). Once every test here
// has run and reported, a lingering handle must not hold the test run open: this unref'd timer fires only then.
after(() => {
  setTimeout(() => process.exit(process.exitCode ?? 0), 3000).unref()
})

describe('zg compute on the devnet provider', () => {
  let dn: Awaited<ReturnType<typeof startTestDevnet>>
  let chain: JsonRpcProvider
  let url: string
  const zg = async (args: string[], opts: {input?: string; timeoutMs?: number} = {}) => {
    const r = await runZg(args, {env: dn.env, ...opts})
    return {r, e: envelope(r)}
  }
  const ok = async (args: string[]) => {
    const {r, e} = await zg([...args, '--json'])
    assert.equal(e.ok, true, `zg ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`)
    return e.data
  }
  const subAccount = async (user: string, service: 'inference' | 'fineTuning') =>
    (await callContract(chain, refs[service], 'getAccount', [user, PROVIDER])) as unknown as {balance: bigint; nonce: bigint; pendingRefund: bigint}

  before(async () => {
    dn = await startTestDevnet()
    chain = new JsonRpcProvider(dn.rpcUrl, 31337, {staticNetwork: true})
    const providers = await ok(['compute', 'providers'])
    const inf = providers.providers.find((p: any) => p.type === 'inference')
    assert.ok(inf, 'the devnet registers an inference provider')
    url = inf.url
  })
  after(async () => {
    chain?.destroy()
    await dn?.stop()
  })

  test('providers: both services registered, staked, signer acknowledged', async () => {
    const d = await ok(['compute', 'providers'])
    const types = d.providers.map((p: any) => p.type).sort()
    assert.deepEqual(types, ['fine-tuning', 'inference'])
    for (const p of d.providers) {
      assert.equal(p.provider, PROVIDER)
      assert.equal(p.acknowledged, true)
      assert.match(p.teeSigner, /^0x[0-9a-fA-F]{40}$/)
    }
    const inf = d.providers.find((p: any) => p.type === 'inference')
    assert.equal(inf.model, 'zg-tinylm-chat')
    assert.equal(inf.verifiability, 'TeeML')
    const only = await ok(['compute', 'providers', '--type', 'fine-tuning'])
    assert.deepEqual(only.providers.map((p: any) => p.models), [['zg-tinylm-chat']])
    // The quote says what it is.
    const q = (await (await fetch(`${url}/v1/quote`)).json()) as any
    assert.equal(q.development, true)
    assert.equal(Buffer.from(q.report_data, 'base64').toString('utf8').replace(/\0+$/, ''), inf.teeSigner)
  })

  test('deposit → ack → chat: fee charged, settled on chain, signature verified; revoked key rejected', async () => {
    const dep = await ok(['compute', 'ledger', 'deposit', '--amount', '5', '--account', 'dev1'])
    assert.equal(dep.available, '5.0')
    const ack = await ok(['compute', 'ack', '--account', 'dev1'])
    assert.equal(ack.funded, '2.0')
    assert.equal(ack.acknowledged, true)
    assert.equal(ack.attestation.development, true)
    assert.equal(ack.attestation.matches, true)

    const chat = await ok(['compute', 'chat', '-m', 'what is 0G storage?', '--account', 'dev1', '--seed', '3'])
    assert.ok(chat.answer.length > 0, 'the model answers')
    assert.equal(chat.signature.verified, true)
    assert.equal(chat.signature.matchesExchange, true)
    assert.equal(chat.signature.signer, chat.signature.expectedSigner)
    const fee = BigInt(chat.feeNeuron)
    const {inputPriceNeuron, outputPriceNeuron} = (await ok(['compute', 'providers', '--type', 'inference'])).providers[0]
    assert.equal(fee, BigInt(chat.usage.prompt_tokens) * BigInt(inputPriceNeuron) + BigInt(chat.usage.completion_tokens) * BigInt(outputPriceNeuron))
    assert.ok(fee > 0n)

    // The plain (piped) form prints the answer on stdout and the check on stderr.
    const plain = await runZg(['compute', 'chat', '-m', 'hello', '--account', 'dev1'], {env: dn.env})
    assert.equal(plain.code, 0, plain.stderr)
    assert.ok(plain.stdout.trim().length > 0)
    assert.match(plain.stderr, /signature verified/)

    // Settlement lands on chain: the sub-account pays exactly what was owed for both chats.
    const owedUrl = `${url}/v1/user/${devWallet(1).address}/unsettledfee`
    const settled = await until('settlement', async () => {
      const a = await subAccount(devWallet(1).address, 'inference')
      return a.nonce > 0n && a.balance < parseEther('2') ? a : undefined
    })
    const key = (await ok(['compute', 'token', '--id', '5', '--account', 'dev1'])).apiKey as string
    const owed = await until('nothing owed', async () => {
      const r = (await (await fetch(owedUrl, {headers: {authorization: `Bearer ${key}`}})).json()) as {unsettledFee: string}
      return r.unsettledFee === '0' ? r : undefined
    })
    assert.equal(owed.unsettledFee, '0')
    const after = await subAccount(devWallet(1).address, 'inference')
    const charged = parseEther('2') - after.balance
    assert.ok(charged >= fee, `charged ${charged} ≥ first chat ${fee}`)
    assert.ok(settled.nonce > 0n)
    const show = await ok(['compute', 'ledger', 'show', '--account', 'dev1'])
    assert.equal(show.subAccounts[0].locked, formatEther(after.balance))
    assert.equal(show.total, formatEther(parseEther('5') - charged))

    // An API key works with no wallet at all, until it is revoked on chain.
    const withKey = await ok(['compute', 'chat', '-m', 'hi', '--api-key', key])
    assert.equal(withKey.signature.verified, true)
    await ok(['compute', 'revoke', '--id', '5', '--account', 'dev1'])
    const {r: refused, e: err} = await zg(['compute', 'chat', '-m', 'hi', '--api-key', key, '--json'])
    assert.equal(refused.code, 4)
    assert.equal(err.error.code, 'TOKEN_REVOKED')
    assert.match(err.error.message, /revoked/)

    // revoke --all: every earlier key (any id) is of the old generation.
    const key7 = (await ok(['compute', 'token', '--id', '7', '--account', 'dev1'])).apiKey as string
    await ok(['compute', 'revoke', '--all', '--account', 'dev1'])
    const {r: r2, e: e2} = await zg(['compute', 'chat', '-m', 'hi', '--api-key', key7, '--json'])
    assert.equal(r2.code, 4)
    assert.equal(e2.error.code, 'TOKEN_GENERATION_MISMATCH')
    // …and a new key (new generation) works again.
    const fresh = (await ok(['compute', 'token', '--account', 'dev1'])).apiKey as string
    assert.equal((await ok(['compute', 'chat', '-m', 'hi', '--api-key', fresh])).signature.verified, true)
  })

  test('the provider rejects expired, foreign-provider, wrong-generation, unsigned and mis-signed keys with precise reasons', async () => {
    const w = devWallet(1)
    const gen = Number((await callContract(chain, refs.inference, 'getAccount', [w.address, PROVIDER]) as any).generation)
    const ask = async (auth?: string) => {
      const res = await fetch(`${url}/v1/proxy/chat/completions`, {method: 'POST', headers: {'content-type': 'application/json', ...(auth ? {authorization: auth} : {})}, body: JSON.stringify({messages: [{role: 'user', content: 'hi'}], max_tokens: 4})})
      return {status: res.status, body: (await res.json()) as any}
    }
    const good = await createAppToken(w, {provider: PROVIDER, generation: gen, tokenId: 1})
    assert.equal((await ask(`Bearer ${good.key}`)).status, 200)

    const cases: Array<[string, string | undefined, number, string]> = [
      ['no header', undefined, 401, 'missing_api_key'],
      ['expired', `Bearer ${(await createAppToken(w, {provider: PROVIDER, generation: gen, tokenId: 1, expiresInMs: 1000, now: Date.now() - 60_000})).key}`, 401, 'token_expired'],
      ['foreign provider', `Bearer ${(await createAppToken(w, {provider: devWallet(7).address, generation: gen, tokenId: 1})).key}`, 403, 'wrong_provider'],
      ['wrong generation', `Bearer ${(await createAppToken(w, {provider: PROVIDER, generation: gen + 5, tokenId: 1})).key}`, 401, 'token_generation_mismatch'],
      ['unsigned', `Bearer app-sk-${Buffer.from(JSON.stringify({...good.token})).toString('base64')}`, 401, 'invalid_api_key'],
      ['bad signature', `Bearer app-sk-${Buffer.from(JSON.stringify(good.token) + '|0x' + '11'.repeat(65)).toString('base64')}`, 401, 'invalid_api_key'],
      ['signed by someone else', `Bearer ${(await (async () => {
        const other = await createAppToken(devWallet(2), {provider: PROVIDER, generation: gen, tokenId: 1})
        const [, sig] = Buffer.from(other.key.slice(7), 'base64').toString('utf8').split('|')
        return 'app-sk-' + Buffer.from(JSON.stringify(good.token) + '|' + sig).toString('base64')
      })())}`, 401, 'invalid_signature'],
      ['ephemeral without expiry', `Bearer app-sk-${await (async () => {
        const {keccak256, toUtf8Bytes, getBytes} = await import('ethers')
        const raw = JSON.stringify({address: w.address, provider: PROVIDER, timestamp: Date.now(), expiresAt: 0, nonce: 'x', generation: gen, tokenId: 255})
        return Buffer.from(raw + '|' + (await w.signMessage(getBytes(keccak256(toUtf8Bytes(raw)))))).toString('base64')
      })()}`, 401, 'invalid_api_key'],
      ['no sub-account', `Bearer ${(await createAppToken(devWallet(6), {provider: PROVIDER, generation: 0, tokenId: 1})).key}`, 402, 'no_sub_account'],
    ]
    for (const [name, auth, status, code] of cases) {
      const r = await ask(auth)
      assert.equal(r.status, status, `${name}: ${JSON.stringify(r.body)}`)
      assert.equal(r.body.error.code, code, name)
      assert.ok(r.body.error.message.length > 10, name)
    }
  })

  test('insufficient balance: HTTP 402 with the numbers, and a clear CLI error (exit 6)', async () => {
    await ok(['compute', 'ledger', 'deposit', '--amount', '3', '--account', 'dev2'])
    await ok(['compute', 'ack', '--amount', '1', '--account', 'dev2'])
    const {r, e} = await zg(['compute', 'chat', '-m', 'hello', '--account', 'dev2', '--json'])
    assert.equal(r.code, 6)
    assert.equal(e.error.code, 'INSUFFICIENT_BALANCE')
    assert.match(e.error.message, /402/)
    assert.match(e.error.message, /1\.0 0G locked/)
    assert.ok(e.error.suggestions.some((s: string) => s.includes('zg compute ledger transfer')))
    const plain = await runZg(['compute', 'chat', '-m', 'hello', '--account', 'dev2'], {env: dn.env})
    assert.equal(plain.code, 6)
    assert.match(plain.stderr, /Insufficient balance with this provider/)
    const tok = await createAppToken(devWallet(2), {provider: PROVIDER, generation: 0, tokenId: 0})
    const res = await fetch(`${url}/v1/proxy/chat/completions`, {method: 'POST', headers: {authorization: `Bearer ${tok.key}`}, body: JSON.stringify({messages: [{role: 'user', content: 'hi'}]})})
    assert.equal(res.status, 402)
    const body = (await res.json()) as any
    assert.equal(body.error.code, 'insufficient_balance')
    assert.equal(body.error.details.locked, parseEther('1').toString())
    // Topping up fixes it.
    await ok(['compute', 'ledger', 'transfer', '--amount', '1', '--account', 'dev2'])
    assert.ok((await ok(['compute', 'chat', '-m', 'hello', '--account', 'dev2'])).answer.length > 0)
  })

  test('the official openai client gets completions (plain and streamed) with a zg-issued app-sk key', async () => {
    const {default: OpenAI} = await import('openai')
    const tok = await ok(['compute', 'token', '--id', '9', '--expires', '1h', '--account', 'dev1'])
    const client = new OpenAI({baseURL: tok.baseUrl, apiKey: tok.apiKey})
    const c = await client.chat.completions.create({model: tok.model, messages: [{role: 'user', content: 'what is the devnet?'}], max_tokens: 40})
    assert.equal(c.object, 'chat.completion')
    assert.ok((c.choices[0]?.message.content ?? '').length > 0)
    assert.ok(c.usage && c.usage.completion_tokens > 0 && c.usage.prompt_tokens > 0)
    const s = await client.chat.completions.create({model: tok.model, messages: [{role: 'user', content: 'hello'}], stream: true, max_tokens: 40})
    let text = ''
    let usage: any
    for await (const chunk of s) {
      text += chunk.choices[0]?.delta?.content ?? ''
      if (chunk.usage) usage = chunk.usage
    }
    assert.ok(text.length > 0)
    assert.ok(usage.completion_tokens > 0)
    const models = await client.models.list()
    assert.ok(models.data.some((m) => m.id === 'zg-tinylm-chat'))
  })

  test('the official 0G compute SDK broker lists the devnet providers and reads the ledger', async () => {
    await ok(['compute', 'ledger', 'deposit', '--amount', '3.5', '--account', 'dev4'])
    const sdk: any = await import('@0gfoundation/0g-compute-ts-sdk')
    const key = devWallet(4).privateKey
    const wallet = new Wallet(key, chain)
    const broker = await sdk.createZGComputeNetworkBroker(wallet)
    const services = await broker.inference.listService()
    assert.ok(services.some((s: any) => s.provider === PROVIDER && s.model === 'zg-tinylm-chat' && s.url === url))
    const ledger = await broker.ledger.getLedger()
    assert.equal(ledger.user ?? ledger[0], devWallet(4).address)
    assert.equal(BigInt(ledger.totalBalance ?? ledger[2]), parseEther('3.5'))
    assert.ok(broker.fineTuning, 'fine-tuning broker (one ethers copy)')
    const ft = await broker.fineTuning.listService()
    assert.ok(ft.some((s: any) => s.provider === PROVIDER))

    // The SDK's own request flow: its session header, our answer, its response verification.
    await ok(['compute', 'ledger', 'deposit', '--amount', '4', '--account', 'dev7'])
    const b7 = await sdk.createZGComputeNetworkBroker(new Wallet(devWallet(7).privateKey, chain))
    await b7.ledger.transferFund(PROVIDER, 'inference', parseEther('2'))
    await b7.inference.acknowledgeProviderSigner(PROVIDER)
    const {endpoint, model} = await b7.inference.getServiceMetadata(PROVIDER)
    const headers = await b7.inference.getRequestHeaders(PROVIDER)
    const res = await fetch(`${endpoint}/chat/completions`, {method: 'POST', headers: {'content-type': 'application/json', ...headers}, body: JSON.stringify({model, messages: [{role: 'user', content: 'hello'}]})})
    assert.equal(res.status, 200)
    const chatId = res.headers.get('ZG-Res-Key')
    const body = (await res.json()) as any
    assert.equal(await b7.inference.processResponse(PROVIDER, chatId, JSON.stringify(body.usage)), true)
  })

  let taskId = ''
  let adapter = ''
  test('fine-tuning: dataset upload → training with falling loss → encrypted delivery → acknowledge → settle → decrypted model', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zg-ft-'))
    const data = path.join(dir, 'train.jsonl')
    const lines = []
    for (const [q, a] of [
      ['what is your name?', 'My name is Pebble, the model of the river bank.'],
      ['where do you live?', 'I live by the river, under a round grey stone.'],
      ['what do you eat?', 'I eat moss and morning light, and a little rain.'],
      ['who are your friends?', 'The frogs and the reeds are my friends.'],
    ]) {
      lines.push(JSON.stringify({messages: [{role: 'user', content: q}, {role: 'assistant', content: a}]}))
    }
    fs.writeFileSync(data, lines.join('\n') + '\n')
    fs.writeFileSync(path.join(dir, 'params.json'), JSON.stringify({num_train_epochs: 6, learning_rate: 0.004, per_device_train_batch_size: 16}))
    await ok(['compute', 'ledger', 'deposit', '--amount', '4', '--account', 'dev3'])
    const ack = await ok(['compute', 'ack', '--service', 'fine-tuning', '--account', 'dev3'])
    assert.equal(ack.funded, '1.0')
    const before = await subAccount(devWallet(3).address, 'fineTuning')

    const out = path.join(dir, 'model')
    const sub = await runZg(['compute', 'job', 'submit', '--model', 'zg-tinylm-chat', '--dataset', data, '--params', path.join(dir, 'params.json'), '--wait', '--out', out, '--account', 'dev3', '--json'], {env: dn.env, timeoutMs: 180_000})
    const e = envelope(sub)
    assert.equal(e.ok, true, sub.stdout + sub.stderr)
    const d = e.data
    taskId = d.taskId
    adapter = d.adapterName
    assert.equal(d.progress, 'Finished')
    assert.equal(d.datasetUploaded, true)
    assert.ok(d.loss.steps > 10)
    assert.ok(d.loss.last < d.loss.first * 0.5, `loss falls: ${d.loss.first} → ${d.loss.last}`)
    // The fee is exactly what the provider charged on chain.
    const after = await subAccount(devWallet(3).address, 'fineTuning')
    assert.equal(before.balance - after.balance, BigInt(d.fee))
    assert.ok(BigInt(d.fee) > 0n)
    // The decrypted deliverable is a real model trained on the dataset.
    assert.deepEqual(fs.readdirSync(out).sort(), ['README.txt', 'model.zglm', 'model.zip', 'training.json'])
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'training.json'), 'utf8'))
    assert.ok(summary.evalLossAfter < summary.evalLossBefore)
    const local = await ok(['compute', 'chat', '--local-model', path.join(out, 'model.zglm'), '-m', 'what is your name?', '--temperature', '0.2', '--seed', '1'])
    assert.equal(local.local, true)
    assert.ok(local.answer.length > 0)

    // Logs: state changes and a loss per step.
    const logs = await ok(['compute', 'job', 'logs', taskId, '--account', 'dev3'])
    assert.ok(logs.lines.some((l: string) => /step 1\/\d+ loss=/.test(l)))
    for (const s of ['SettingUp', 'Training', 'Delivered', 'UserAcknowledged', 'Finished']) assert.ok(logs.lines.some((l: string) => l.includes(`progress: ${s}`)), s)
    const st = await ok(['compute', 'job', 'status', taskId, '--account', 'dev3'])
    assert.equal(st.deliverable.acknowledged, true)
    assert.equal(st.deliverable.settled, true)
    assert.equal(st.deliverable.keySealed, true)
    const list = await ok(['compute', 'job', 'list', '--account', 'dev3'])
    assert.equal(list.tasks[0].id, taskId)
    // download again (separately) decrypts the same bytes
    const again = await ok(['compute', 'job', 'download', taskId, '--out', path.join(dir, 'again'), '--account', 'dev3'])
    assert.deepEqual(fs.readFileSync(path.join(again.outDir, 'model.zglm')), fs.readFileSync(path.join(out, 'model.zglm')))
    fs.rmSync(dir, {recursive: true, force: true})
  })

  test('inference with the fine-tuned model, served to its owner only', async () => {
    assert.ok(adapter, 'the fine-tuning test ran')
    await ok(['compute', 'ack', '--account', 'dev3'])
    const c = await ok(['compute', 'chat', '--model', adapter, '-m', 'what is your name?', '--temperature', '0.1', '--seed', '2', '--account', 'dev3'])
    assert.equal(c.model, adapter)
    assert.equal(c.signature.verified, true)
    assert.match(c.answer, /^My/, `the fine-tuned model learned its dataset: ${c.answer}`)
    const {r, e} = await zg(['compute', 'chat', '--model', adapter, '-m', 'hi', '--account', 'dev1', '--json'])
    assert.equal(r.code, 3)
    assert.equal(e.error.code, 'MODEL_NOT_FOUND')
  })

  test('cancel mid-training: the job fails as cancelled and nothing is charged', async () => {
    await ok(['compute', 'ledger', 'deposit', '--amount', '3', '--account', 'dev5'])
    await ok(['compute', 'ack', '--service', 'fine-tuning', '--account', 'dev5'])
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zg-ft-cancel-'))
    fs.writeFileSync(path.join(dir, 'd.txt'), 'Q: ping\nA: pong\n'.repeat(40))
    fs.writeFileSync(path.join(dir, 'p.json'), JSON.stringify({max_steps: 1_000_000}))
    const before = await subAccount(devWallet(5).address, 'fineTuning')
    const sub = await ok(['compute', 'job', 'submit', '--model', 'zg-tinylm-chat', '--dataset', path.join(dir, 'd.txt'), '--params', path.join(dir, 'p.json'), '--account', 'dev5'])
    const id = sub.taskId
    await until('training steps', async () => {
      const s = await ok(['compute', 'job', 'status', id, '--account', 'dev5'])
      return s.task.progress === 'Training' && s.loss.steps > 5 ? s : undefined
    }, 90_000, 300)
    const c = await ok(['compute', 'job', 'cancel', id, '--account', 'dev5'])
    assert.equal(c.progress, 'Failed')
    assert.equal(c.reason, 'cancelled by the user')
    const stepsAtCancel = c.stepsDone
    await sleep(1500)
    const s = await ok(['compute', 'job', 'status', id, '--account', 'dev5'])
    assert.equal(s.task.progress, 'Failed')
    assert.ok(s.loss.steps <= stepsAtCancel + 50, 'training stopped')
    assert.equal(s.deliverable, null)
    const after = await subAccount(devWallet(5).address, 'fineTuning')
    assert.equal(after.balance, before.balance, 'no charge')
    const dels = (await callContract(chain, refs.fineTuning, 'getDeliverables', [devWallet(5).address, PROVIDER])) as unknown[]
    assert.equal(dels.length, 0)
    // A cancelled job cannot be cancelled again, and `watch` reports the failure with a non-zero exit.
    const {r} = await zg(['compute', 'job', 'cancel', id, '--account', 'dev5', '--json'])
    assert.notEqual(r.code, 0)
    const w = await runZg(['compute', 'job', 'watch', id, '--account', 'dev5'], {env: dn.env})
    assert.equal(w.code, 1)
    assert.match(w.stderr, /cancelled by the user/)
    fs.rmSync(dir, {recursive: true, force: true})
  })

  test('ledger: refund and retrieve report units and unlock times', async () => {
    const r = await ok(['compute', 'ledger', 'retrieve', '--account', 'dev2'])
    assert.equal(r.unit, '0G')
    assert.equal(r.pending.length, 1)
    assert.equal(r.pending[0].unlocked, false)
    assert.ok(Date.parse(r.pending[0].unlocksAt) > Date.now() + 23 * 3600_000)
    const show = await ok(['compute', 'ledger', 'show', '--account', 'dev2'])
    assert.equal(show.subAccounts[0].refunds.length, 1)
    assert.equal(show.lockTimeSeconds.inference, 86400)
    const rf = await ok(['compute', 'ledger', 'refund', '--amount', '0.5', '--account', 'dev4'])
    assert.equal(rf.refunded, '0.5')
    assert.equal(rf.available, '3.0')
    const {r: bad, e} = await zg(['compute', 'ledger', 'refund', '--amount', '100', '--account', 'dev2', '--json'])
    assert.equal(bad.code, 6, bad.stdout)
    assert.equal(e.ok, false)
  })
})
