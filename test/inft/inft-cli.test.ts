/**
 * `zg inft` end to end on a devnet (chain, storage nodes, indexer, INFT oracle), driven through the CLI as a user
 * would: mint → reveal → transfer → the new owner reveals, the old one is refused → rotate → the old agent
 * address is empty and the new one holds the funds; plus authorize/revoke, clone, sweep, and the refusals.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {decrypt as eciesDecrypt} from 'eciesjs'
import {getBytes, JsonRpcProvider, parseEther, Wallet} from 'ethers'
import {AgentKey, parseBundle} from '../../src/core/inft/bundle.js'
import {inftContext} from '../../src/core/inft/context.js'
import {sealedKeyEvents} from '../../src/core/inft/contract.js'
import {decryptPayload} from '../../src/core/inft/crypto.js'
import {revealAgent} from '../../src/core/inft/service.js'
import {devWallet} from '../../src/core/keys/dev-accounts.js'
import {getNetwork} from '../../src/core/networks.js'
import {registerSecret} from '../helpers/capture.js'
import {envelope, runZg, type RunResult} from '../helpers/cli.js'
import {startTestDevnet} from '../helpers/devnet.js'

const dev = (i: number) => devWallet(i)
for (let i = 0; i < 10; i++) registerSecret(dev(i).privateKey)

describe('zg inft end to end on the devnet', {timeout: 600_000}, () => {
  let net: Awaited<ReturnType<typeof startTestDevnet>>
  let provider: JsonRpcProvider
  let work: string
  /** Every agent key that existed in this test: none may appear in any output. */
  const agentKeys: string[] = []
  const outputs: RunResult[] = []
  const zg = async (args: string[], input?: string) => {
    const r = await runZg(args, {env: net.env, input, timeoutMs: 180_000})
    outputs.push(r)
    return r
  }
  const ok = async (args: string[]) => {
    const r = await zg([...args, '--json'])
    const e = envelope(r)
    assert.equal(r.code, 0, `zg ${args.join(' ')} failed: ${r.stdout}\n${r.stderr}`)
    assert.equal(e.ok, true)
    return e.data
  }
  const fails = async (args: string[], exit: number, code?: string) => {
    const r = await zg([...args, '--json'])
    assert.equal(r.code, exit, `zg ${args.join(' ')}: expected exit ${exit}, got ${r.code}: ${r.stdout}\n${r.stderr}`)
    const e = envelope(r)
    assert.equal(e.ok, false)
    if (code) assert.equal(e.error.code, code, e.error.message)
    return e.error
  }
  /** The agent key of a token as its owner sees it (decrypted here, through the services), for the secret scan. */
  const learnAgentKey = async (owner: Wallet, tokenId: string) => {
    const network = getNetwork('local', net.env)
    const p = new JsonRpcProvider(network.rpcUrl, undefined, {staticNetwork: true})
    try {
      const r = await revealAgent(inftContext({network, provider: p, env: net.env}), {reader: owner, tokenId: BigInt(tokenId)})
      for (const k of [r.bundle.agent, ...r.bundle.previousAgents.map((x) => x.key)]) {
        registerSecret(k.reveal())
        agentKeys.push(k.reveal())
      }
      return r.bundle
    } finally {
      p.destroy()
    }
  }

  before(async () => {
    net = await startTestDevnet()
    provider = new JsonRpcProvider(net.rpcUrl, undefined, {staticNetwork: true, pollingInterval: 50})
    work = path.join(net.home.dataDir, '..', 'work')
    fs.mkdirSync(work, {recursive: true})
  })

  after(async () => {
    provider?.destroy()
    await net?.stop()
  })

  let tokenId: string
  let agent: string
  let agentKey: AgentKey

  test('mint with flags prints the token id, agent address, data root and tx hash', async () => {
    agentKey = AgentKey.generate()
    registerSecret(agentKey.reveal())
    agentKeys.push(agentKey.reveal())
    const keyFile = path.join(work, 'agent.key')
    fs.writeFileSync(keyFile, agentKey.reveal() + '\n', {mode: 0o600})
    fs.writeFileSync(path.join(work, 'prompt.txt'), 'You are Scout. Find things.\n')
    fs.writeFileSync(path.join(work, 'tools.json'), JSON.stringify([{name: 'web_search'}]))
    const d = await ok(['inft', 'mint', '--account', 'dev1', '--name', 'Scout', '--description', 'a finder', '--model', 'llama-3-8b', '--prompt-file', path.join(work, 'prompt.txt'), '--tools-file', path.join(work, 'tools.json'), '--agent-key-file', keyFile, '--yes'])
    assert.equal(d.minted, true)
    assert.match(d.tokenId, /^\d+$/)
    assert.equal(d.agent, agentKey.address)
    assert.equal(d.owner, dev(1).address)
    assert.match(d.dataRoot, /^0x[0-9a-f]{64}$/)
    assert.match(d.txHash, /^0x[0-9a-f]{64}$/)
    assert.equal(d.oracleSealed, true)
    tokenId = d.tokenId
    agent = d.agent

    // Human output: the same facts, one per line.
    const r = await zg(['inft', 'show', tokenId])
    assert.equal(r.code, 0)
    assert.match(r.stdout, new RegExp(`owner\\s+${dev(1).address}`))
    assert.match(r.stdout, new RegExp(`agent\\s+${agent}`))
  })

  test('without a terminal, mint names the missing flags (exit 2)', async () => {
    let e = await fails(['inft', 'mint', '--account', 'dev1', '--generate-agent-key', '--yes'], 2, 'INPUT_REQUIRED')
    assert.match(e.message, /--name/)
    e = await fails(['inft', 'mint', '--account', 'dev1', '--name', 'x', '--yes'], 2, 'INPUT_REQUIRED')
    assert.match(e.message, /--generate-agent-key or --agent-key-file/)
    e = await fails(['inft', 'mint', '--account', 'dev1', '--name', 'x', '--generate-agent-key'], 2, 'INPUT_REQUIRED')
    assert.match(e.message, /--yes/)
  })

  test('the sealed key zg published is opened by the eciesjs library directly', async () => {
    const network = getNetwork('local', net.env)
    const [ev] = await sealedKeyEvents(provider, network.contracts.agentNFT!, dev(1).address, BigInt(tokenId))
    const dataKey = eciesDecrypt(dev(1).privateKey.slice(2), getBytes(ev!.sealedKeys[0]!))
    assert.equal(dataKey.length, 32)
    const ctx = inftContext({network, provider, env: net.env})
    const show = await ok(['inft', 'show', tokenId])
    const blob = await ctx.store.get(show.datas[0].dataHash)
    const bundle = parseBundle(decryptPayload(blob, new Uint8Array(dataKey)))
    assert.equal(bundle.agent.reveal(), agentKey.reveal())
  })

  test('reveal: the owner reads the metadata; the key is only for --reveal-key on a terminal', async () => {
    const d = await ok(['inft', 'reveal', tokenId, '--account', 'dev1'])
    assert.equal(d.role, 'owner')
    assert.equal(d.agent, agent)
    assert.deepEqual(d.metadata, {name: 'Scout', description: 'a finder', model: {asset: 'llama-3-8b'}, systemPrompt: 'You are Scout. Find things.\n', tools: [{name: 'web_search'}]})
    const human = await zg(['inft', 'reveal', tokenId, '--account', 'dev1'])
    assert.equal(human.code, 0)
    assert.match(human.stdout, /You are Scout/)
    await fails(['inft', 'reveal', tokenId, '--account', 'dev1', '--reveal-key'], 2, 'REVEAL_REFUSED')
    const piped = await zg(['inft', 'reveal', tokenId, '--account', 'dev1', '--reveal-key'])
    assert.equal(piped.code, 2)
    assert.match(piped.stderr, /only on an interactive terminal/)
  })

  test('authorize lets a user read through the oracle; revoke stops it', async () => {
    await fails(['inft', 'reveal', tokenId, '--account', 'dev3'], 4, 'NOT_AUTHORIZED')
    const a = await ok(['inft', 'authorize', tokenId, '--user', dev(3).address, '--account', 'dev1'])
    assert.deepEqual(a.authorizedUsers, [dev(3).address])
    const r = await ok(['inft', 'reveal', tokenId, '--account', 'dev3'])
    assert.equal(r.role, 'authorized')
    assert.equal(r.via, 'oracle')
    assert.equal(r.metadata.name, 'Scout')
    const s = await ok(['inft', 'show', tokenId])
    assert.deepEqual(s.authorizedUsers, [dev(3).address])
    await ok(['inft', 'revoke', tokenId, '--user', dev(3).address, '--account', 'dev1'])
    await fails(['inft', 'reveal', tokenId, '--account', 'dev3'], 4, 'NOT_AUTHORIZED')
  })

  test('transfer with the receiver\'s access proof file: the new owner reveals, the old owner is refused', async () => {
    const file = path.join(work, 'access.json')
    await fails(['inft', 'transfer', tokenId, '--to', '0x000000000000000000000000000000000000dEaD', '--account', 'dev1', '--yes'], 2, 'ACCESS_PROOF_REQUIRED')
    const req = await ok(['inft', 'request-access', tokenId, '--account', 'dev2', '--out', file])
    assert.equal(req.receiver, dev(2).address)
    const onDisk = JSON.parse(fs.readFileSync(file, 'utf8'))
    assert.equal(onDisk.type, 'zg.inft.access-request')
    // The file is for dev2: using it for another receiver is refused before anything is sent.
    await fails(['inft', 'transfer', tokenId, '--to', dev(5).address, '--access-proof', file, '--account', 'dev1', '--yes'], 2, 'ACCESS_PROOF_MISMATCH')
    // Only the owner can transfer.
    await fails(['inft', 'transfer', tokenId, '--to', dev(2).address, '--access-proof', file, '--account', 'dev3', '--yes'], 4, 'NOT_OWNER')

    const t = await ok(['inft', 'transfer', tokenId, '--to', dev(2).address, '--access-proof', file, '--account', 'dev1', '--yes'])
    assert.equal(t.to, dev(2).address)
    assert.match(t.txHash, /^0x[0-9a-f]{64}$/)
    const r = await ok(['inft', 'reveal', tokenId, '--account', 'dev2'])
    assert.equal(r.role, 'owner')
    assert.equal(r.agent, agent)
    const e = await fails(['inft', 'reveal', tokenId, '--account', 'dev1'], 4, 'NOT_AUTHORIZED')
    assert.match(e.message, /may not read/)
    const list = await ok(['inft', 'list', '--owner', dev(2).address])
    assert.deepEqual(list.tokens.map((x: {tokenId: string}) => x.tokenId), [tokenId])
  })

  test('rotate: the old agent key\'s balance is zero and the new agent holds the funds', async () => {
    await ok(['wallet', 'send', '--account', 'dev4', '--to', agent, '--amount', '1.5', '--yes'])
    assert.equal(await provider.getBalance(agent), parseEther('1.5'))
    await fails(['inft', 'rotate', tokenId, '--account', 'dev1', '--yes'], 4, 'NOT_OWNER')
    const r = await ok(['inft', 'rotate', tokenId, '--account', 'dev2', '--yes'])
    assert.equal(r.oldAgent, agent)
    assert.notEqual(r.newAgent, agent)
    assert.notEqual(r.dataRoot, r.oldDataRoot)
    assert.equal(await provider.getBalance(agent), 0n)
    const held = await provider.getBalance(r.newAgent)
    assert.equal(held, BigInt(r.funds.amount))
    assert.ok(held > parseEther('1.49') && held < parseEther('1.5'))
    const bundle = await learnAgentKey(dev(2), tokenId)
    assert.equal(bundle.agent.address, r.newAgent)
    const shown = await ok(['inft', 'show', tokenId])
    assert.equal(shown.agent, r.newAgent)
    assert.equal(shown.agentBalance, held.toString())
    const rev = await ok(['inft', 'reveal', tokenId, '--account', 'dev2'])
    assert.deepEqual(rev.previousAgents, [agent])
    agent = r.newAgent
  })

  test('sweep moves the agent wallet to the owner', async () => {
    const before = await provider.getBalance(dev(2).address)
    const s = await ok(['inft', 'sweep', tokenId, '--account', 'dev2', '--yes'])
    assert.equal(s.sweeps.length, 1)
    assert.equal(s.sweeps[0].from, agent)
    assert.equal(await provider.getBalance(agent), 0n)
    assert.equal((await provider.getBalance(dev(2).address)) - before, BigInt(s.sweeps[0].amount))
  })

  test('clone to an account this zg holds: the access proof is signed here; the clone can rotate', async () => {
    const c = await ok(['inft', 'clone', tokenId, '--to', dev(6).address, '--account', 'dev2', '--yes'])
    assert.match(c.newTokenId, /^\d+$/)
    assert.equal((await ok(['inft', 'show', tokenId])).owner, dev(2).address)
    const r = await ok(['inft', 'reveal', c.newTokenId, '--account', 'dev6'])
    assert.equal(r.agent, agent)
    const rot = await ok(['inft', 'rotate', c.newTokenId, '--account', 'dev6', '--yes'])
    assert.equal(rot.funds, null)
    await learnAgentKey(dev(6), c.newTokenId)
    const all = await ok(['inft', 'list'])
    assert.ok(all.tokens.length >= 2)
  })

  test('no agent key appears in any output', () => {
    assert.ok(agentKeys.length >= 3)
    for (const r of outputs) {
      const text = (r.stdout + r.stderr).toLowerCase()
      for (const k of agentKeys) assert.ok(!text.includes(k.slice(2).toLowerCase()), 'an agent key leaked into zg output')
    }
    // Nor in the devnet's logs (the oracle's included).
    const logs = path.join(net.home.dataDir, 'devnet', 'logs')
    for (const f of fs.readdirSync(logs)) {
      const text = fs.readFileSync(path.join(logs, f), 'utf8').toLowerCase()
      for (const k of agentKeys) assert.ok(!text.includes(k.slice(2).toLowerCase()), `an agent key leaked into ${f}`)
    }
  })
})
