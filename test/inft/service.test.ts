/**
 * The INFT services against a real chain (anvil with the devnet contracts) and the real oracle HTTP service, with
 * an in-memory blob store standing in for 0G Storage (the end-to-end CLI test uses the real storage nodes).
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {ContractFactory, getBytes, hexlify, keccak256, parseEther, randomBytes, type JsonRpcProvider} from 'ethers'
import {sendContract, sendTransaction} from '../../src/core/chain/send.js'
import {ZgError} from '../../src/core/errors.js'
import {createAccessRequest, parseAccessRequest} from '../../src/core/inft/access.js'
import {AgentKey} from '../../src/core/inft/bundle.js'
import {intelligentDatasOf, nftRef, sealedKeyEvents} from '../../src/core/inft/contract.js'
import {decryptPayload, openSealed, publicKeyOf} from '../../src/core/inft/crypto.js'
import {parseDescription} from '../../src/core/inft/description.js'
import {OracleClient, resealDigest, signRequestDigest} from '../../src/core/inft/oracle.js'
import {ownershipProofDigest, signProofDigest} from '../../src/core/inft/proofs.js'
import {authorizeUser, mintAgent, requestAccess, revealAgent, rotateAgent, showToken, listTokens, sweepAgent, transferAgent, type InftContext} from '../../src/core/inft/service.js'
import type {BlobStore} from '../../src/core/inft/store.js'
import type {NetworkProfile} from '../../src/core/networks.js'
import {devWallet} from '../../src/core/keys/dev-accounts.js'
import {DEVNET_ORACLE_ACCOUNT_INDEX, loadArtifact} from '../../src/devnet/deploy.js'
import {startOracleServer, type OracleServer} from '../../src/devnet/inft-oracle.js'
import {startDevnet, type Devnet} from '../contracts/helpers.js'
import {registerSecret} from '../helpers/capture.js'

/** 0G Storage stand-in: root = keccak256(bytes); `corrupt` flips a byte of what get() returns. */
class MemoryStore implements BlobStore {
  readonly blobs = new Map<string, Uint8Array>()
  corrupt = new Set<string>()
  async put(bytes: Uint8Array) {
    const root = keccak256(bytes)
    this.blobs.set(root, bytes.slice())
    return {root, size: bytes.length, txHash: null, fee: '0', reused: false}
  }
  async get(root: string) {
    const b = this.blobs.get(root.toLowerCase())
    if (!b) throw new Error(`no blob ${root}`)
    const out = b.slice()
    if (this.corrupt.has(root.toLowerCase())) out[out.length >> 1]! ^= 1
    return out
  }
}

async function expectZgError(p: Promise<unknown>, code: string | RegExp, exit?: number): Promise<ZgError> {
  try {
    await p
  } catch (e) {
    assert.ok(e instanceof ZgError, `expected a ZgError, got ${(e as Error)?.stack ?? e}`)
    if (typeof code === 'string') assert.equal(e.code, code, e.message)
    else assert.match(e.code, code, e.message)
    if (exit !== undefined) assert.equal(e.exit, exit)
    return e
  }
  assert.fail(`expected error ${code}`)
}

const revertName = (e: ZgError) => (e.details?.revert as {name?: string} | undefined)?.name

describe('INFT services (anvil + oracle service, in-memory storage)', {timeout: 180_000}, () => {
  let dev: Devnet
  let provider: JsonRpcProvider
  let oracle: OracleServer
  let ctx: InftContext
  let store: MemoryStore
  let tmp: string
  const alice = devWallet(1)
  const bob = devWallet(2)
  const carol = devWallet(3)
  const funder = devWallet(4)
  let tokenId: bigint
  let agentAddress: string

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zg-inft-svc-'))
    dev = await startDevnet()
    provider = dev.provider
    store = new MemoryStore()
    const oracleWallet = devWallet(DEVNET_ORACLE_ACCOUNT_INDEX)
    oracle = await startOracleServer({port: 0, wallet: oracleWallet, provider, chainId: 31337, contracts: [dev.contracts.agentNFT], fetchBlob: (r) => store.get(r)})
    const network: NetworkProfile = {name: 'test', chainId: 31337, rpcUrl: dev.url, oracleUrl: oracle.url, contracts: {agentNFT: dev.contracts.agentNFT, teeVerifier: dev.contracts.teeVerifier}, builtin: false, local: true}
    ctx = {network, provider, chainId: 31337, nft: dev.contracts.agentNFT, store, oracle: new OracleClient(oracle.url), tx: {env: {ZG_DATA_DIR: tmp}}, fromBlock: 0}
  })

  after(async () => {
    await oracle?.close()
    await dev?.stop()
    if (tmp) fs.rmSync(tmp, {recursive: true, force: true})
  })

  test('mint: the data key is published sealed to the owner, the description carries the oracle copy', async () => {
    const agent = AgentKey.generate()
    registerSecret(agent.reveal())
    const r = await mintAgent(ctx, {signer: alice, agentKey: agent, metadata: {name: 'Scout', systemPrompt: 'find things', tools: [{name: 'web'}], memory: {notes: []}}})
    tokenId = BigInt(r.tokenId)
    agentAddress = r.agent
    assert.equal(r.agent, agent.address)
    assert.equal(r.owner, alice.address)
    assert.equal(r.oracleSealed, true)
    assert.deepEqual(r.warnings, [])
    const [d] = await intelligentDatasOf(provider, ctx.nft, tokenId)
    assert.equal(d!.dataHash, r.dataRoot)
    const desc = parseDescription(d!.dataDescription)!
    assert.equal(desc.agent, agent.address)
    assert.equal(desc.oracle?.address, devWallet(DEVNET_ORACLE_ACCOUNT_INDEX).address)
    const evs = await sealedKeyEvents(provider, ctx.nft, alice.address, tokenId)
    assert.equal(evs.length, 1)
    // The published key opens the stored ciphertext.
    const key = openSealed(alice.signingKey, evs[0]!.sealedKeys[0]!)
    decryptPayload(await store.get(r.dataRoot), key)
    // The ciphertext does not contain the key in clear.
    assert.ok(!Buffer.from(store.blobs.get(r.dataRoot)!).toString('latin1').includes(agent.reveal().slice(2)))
  })

  test('reveal by the owner; show and list', async () => {
    const r = await revealAgent(ctx, {reader: alice, tokenId})
    assert.equal(r.role, 'owner')
    assert.equal(r.via, 'sealed-key')
    assert.equal(r.bundle.agent.address, agentAddress)
    assert.deepEqual(r.bundle.metadata, {name: 'Scout', systemPrompt: 'find things', tools: [{name: 'web'}], memory: {notes: []}})
    const v = await showToken(ctx, tokenId)
    assert.equal(v.owner, alice.address)
    assert.equal(v.agent, agentAddress)
    assert.equal(v.agentBalance, '0')
    const all = await listTokens(ctx)
    assert.deepEqual(all.map((t) => t.tokenId), [tokenId.toString()])
    assert.deepEqual((await listTokens(ctx, {owner: bob.address})).length, 0)
  })

  test('a stranger is refused; an authorized user reads through the oracle; revoking stops it', async () => {
    await expectZgError(revealAgent(ctx, {reader: carol, tokenId}), 'NOT_AUTHORIZED', 4)
    await authorizeUser(ctx, {owner: alice, tokenId, user: carol.address})
    const r = await revealAgent(ctx, {reader: carol, tokenId})
    assert.equal(r.role, 'authorized')
    assert.equal(r.via, 'oracle')
    assert.equal(r.bundle.agent.address, agentAddress)
    await expectZgError(authorizeUser(ctx, {owner: bob, tokenId, user: carol.address}), 'NOT_OWNER', 4)
    await authorizeUser(ctx, {owner: alice, tokenId, user: carol.address, revoke: true})
    await expectZgError(revealAgent(ctx, {reader: carol, tokenId}), 'NOT_AUTHORIZED', 4)
    // The oracle itself checks too (a client that skips zg's check gets 403).
    const req = {chainId: 31337, nft: ctx.nft, tokenId: tokenId.toString(), user: carol.address, targetPubkey: publicKeyOf(carol.signingKey), deadline: Math.floor(Date.now() / 1000) + 60}
    const {accessKeyDigest} = await import('../../src/core/inft/oracle.js')
    await expectZgError(ctx.oracle!.access({...req, signature: await signRequestDigest(carol, accessKeyDigest(req))}), 'ORACLE_NOT_AUTHORIZED', 4)
  })

  test('a corrupted ciphertext fails authentication with a clear message', async () => {
    const [d] = await intelligentDatasOf(provider, ctx.nft, tokenId)
    store.corrupt.add(d!.dataHash)
    try {
      const e = await expectZgError(revealAgent(ctx, {reader: alice, tokenId}), 'DECRYPTION_FAILED', 4)
      assert.match(e.message, /authentication failed/)
    } finally {
      store.corrupt.clear()
    }
  })

  test('the oracle refuses a re-seal asked by someone who does not own the token, or with a key that does not open the data', async () => {
    const info = await ctx.oracle!.info()
    const [d] = await intelligentDatasOf(provider, ctx.nft, tokenId)
    const {sealTo, newDataKey} = await import('../../src/core/inft/crypto.js')
    const base = {chainId: 31337, nft: ctx.nft, tokenId: tokenId.toString(), targetPubkey: publicKeyOf(bob.signingKey), deadline: Math.floor(Date.now() / 1000) + 60}
    const fromBob = {...base, from: bob.address, sealedKeys: [sealTo(info.publicKey, newDataKey())]}
    await expectZgError(ctx.oracle!.reseal({...fromBob, signature: await signRequestDigest(bob, resealDigest(fromBob))}), 'ORACLE_NOT_OWNER', 4)
    const wrongKey = {...base, from: alice.address, sealedKeys: [sealTo(info.publicKey, newDataKey())]}
    await expectZgError(ctx.oracle!.reseal({...wrongKey, signature: await signRequestDigest(alice, resealDigest(wrongKey))}), 'ORACLE_KEY_DOES_NOT_OPEN_DATA', 2)
    const forged = {...base, from: alice.address, sealedKeys: [sealTo(info.publicKey, newDataKey())]}
    await expectZgError(ctx.oracle!.reseal({...forged, signature: await signRequestDigest(bob, resealDigest(forged))}), 'ORACLE_BAD_SIGNATURE', 4)
    assert.ok(d)
  })

  let replay: {accessProof: unknown; ownershipProof: unknown}[] = []

  test('transfer with proofs: the new owner reveals at once, the old owner is refused', async () => {
    const access = await requestAccess(ctx, {signer: bob, tokenId})
    // A file round trip, as between two machines.
    const parsed = parseAccessRequest(JSON.stringify(access))
    // Capture the proofs the contract receives (for the replay test below).
    const orig = ctx.oracle!.reseal.bind(ctx.oracle!)
    let ownership: unknown[] = []
    ctx.oracle!.reseal = async (req) => {
      const r = await orig(req)
      ownership = r.ownershipProofs
      return r
    }
    try {
      const r = await transferAgent(ctx, {owner: alice, tokenId, to: bob.address, access: parsed})
      assert.equal(r.to, bob.address)
      assert.equal(r.oracle, devWallet(DEVNET_ORACLE_ACCOUNT_INDEX).address)
    } finally {
      ctx.oracle!.reseal = orig
    }
    replay = parsed.proofs.map((a, i) => ({accessProof: a, ownershipProof: ownership[i]}))
    const r = await revealAgent(ctx, {reader: bob, tokenId})
    assert.equal(r.role, 'owner')
    assert.equal(r.via, 'sealed-key')
    assert.equal(r.bundle.agent.address, agentAddress)
    await expectZgError(revealAgent(ctx, {reader: alice, tokenId}), 'NOT_AUTHORIZED', 4)
    await expectZgError(transferAgent(ctx, {owner: alice, tokenId, to: carol.address, access: await requestAccess(ctx, {signer: carol, tokenId})}), 'NOT_OWNER', 4)
  })

  test('the contract rejects a replayed proof, an expired one, one for another contract and one for another chain', async () => {
    const nft = nftRef(ctx.nft)
    const opts = {env: {ZG_DATA_DIR: tmp}}
    // Replay: the very proofs of the transfer above, now to move the token back.
    let e = await expectZgError(sendContract(bob, provider, nft, 'iTransferFrom', [bob.address, alice.address, tokenId, replay], opts), 'TX_REVERTED', 6)
    assert.equal(revertName(e), 'DataVerifierNonceUsed')

    const [d] = await intelligentDatasOf(provider, ctx.nft, tokenId)
    const oracleW = devWallet(DEVNET_ORACLE_ACCOUNT_INDEX)
    const now = (await provider.getBlock('latest'))!.timestamp
    /** Proofs for moving the token to alice, signed for (chainId, nft) with the given deadline. */
    const proofs = async (o: {chainId?: number; nft?: string; deadline?: number; dataHash?: string}) => {
      const chainId = o.chainId ?? 31337
      const target = o.nft ?? ctx.nft
      const dataHash = o.dataHash ?? d!.dataHash
      const deadline = o.deadline ?? now + 600
      const a = await createAccessRequest({chainId, nft: target, tokenId, datas: [{dataHash, dataDescription: ''}], signer: alice, ttlSeconds: 600, now: deadline - 600})
      const targetPubkey = publicKeyOf(alice.signingKey)
      const sealedKey = hexlify(randomBytes(129))
      const nonce = hexlify(randomBytes(32))
      const proof = await signProofDigest(oracleW, ownershipProofDigest({chainId, nft: target, dataHash, sealedKey, targetPubkey, nonce, deadline}))
      return [{accessProof: a.proofs[0], ownershipProof: {oracleType: 0, dataHash, sealedKey, targetPubkey, nonce, proof, deadline}}]
    }
    // Sanity: well-formed proofs pass the simulation (so the failures below are about what they test).
    await provider.call({from: bob.address, to: ctx.nft, data: nft.iface.encodeFunctionData('iTransferFrom', [bob.address, alice.address, tokenId, await proofs({})])})

    e = await expectZgError(sendContract(bob, provider, nft, 'iTransferFrom', [bob.address, alice.address, tokenId, await proofs({deadline: now - 10})], opts), 'TX_REVERTED', 6)
    assert.equal(revertName(e), 'DataVerifierProofExpired')
    e = await expectZgError(sendContract(bob, provider, nft, 'iTransferFrom', [bob.address, alice.address, tokenId, await proofs({chainId: 16602})], opts), 'TX_REVERTED', 6)
    assert.equal(revertName(e), 'DataVerifierInvalidOwnershipProof')

    // Another collection trusting the same verifier: a proof made for it is refused here, and vice versa.
    const art = loadArtifact('AgentNFT')
    const deployer = devWallet(0).connect(provider)
    const other = await (await new ContractFactory(art.abi as never, art.bytecode, deployer).deploy('Other', 'OTH', '{}', dev.contracts.teeVerifier, deployer.address)).waitForDeployment()
    const otherAddr = await other.getAddress()
    e = await expectZgError(sendContract(bob, provider, nft, 'iTransferFrom', [bob.address, alice.address, tokenId, await proofs({nft: otherAddr})], opts), 'TX_REVERTED', 6)
    assert.equal(revertName(e), 'DataVerifierInvalidOwnershipProof')

    // zg itself refuses an access proof for another chain or collection before sending anything.
    const foreign = await createAccessRequest({chainId: 1, nft: ctx.nft, tokenId, datas: [d!], signer: alice})
    e = await expectZgError(transferAgent(ctx, {owner: bob, tokenId, to: alice.address, access: foreign}), 'ACCESS_PROOF_MISMATCH', 2)
    assert.match(e.message, /chain 1/)
    const otherColl = await createAccessRequest({chainId: 31337, nft: otherAddr, tokenId, datas: [d!], signer: alice})
    await expectZgError(transferAgent(ctx, {owner: bob, tokenId, to: alice.address, access: otherColl}), 'ACCESS_PROOF_MISMATCH', 2)
  })

  test('rotate: new agent key, new data, the old agent address is emptied into the new one', async () => {
    const funding = parseEther('1.25')
    await sendTransaction(funder, provider, {to: agentAddress, value: funding}, {env: {ZG_DATA_DIR: tmp}})
    const [before] = await intelligentDatasOf(provider, ctx.nft, tokenId)
    const oldKeyOfAlice = openSealed(alice.signingKey, (await sealedKeyEvents(provider, ctx.nft, alice.address, tokenId))[0]!.sealedKeys[0]!)

    const r = await rotateAgent(ctx, {owner: bob, tokenId})
    assert.equal(r.oldAgent, agentAddress)
    assert.notEqual(r.newAgent, agentAddress)
    assert.notEqual(r.dataRoot, before!.dataHash)
    assert.ok(r.funds && r.funds.txHash)
    assert.equal(await provider.getBalance(agentAddress), 0n, 'the old agent key controls nothing')
    const moved = await provider.getBalance(r.newAgent)
    assert.equal(moved, BigInt(r.funds!.amount))
    assert.ok(moved > funding - parseEther('0.001') && moved < funding)

    const revealed = await revealAgent(ctx, {reader: bob, tokenId})
    assert.equal(revealed.bundle.agent.address, r.newAgent)
    registerSecret(revealed.bundle.agent.reveal())
    assert.equal(revealed.bundle.previousAgents[0]!.key.address, agentAddress)
    assert.equal(revealed.bundle.metadata.name, 'Scout')
    const v = await showToken(ctx, tokenId)
    assert.equal(v.agent, r.newAgent)
    assert.equal(v.agentBalance, moved.toString())
    // The data key the previous owner knew does not open the new data.
    assert.throws(() => decryptPayload(store.blobs.get(r.dataRoot)!, oldKeyOfAlice), /authentication failed/)
  })

  test('sweep moves the agent balance to the owner; clone shares the agent and rotate leaves shared funds alone', async () => {
    const agent = (await showToken(ctx, tokenId)).agent!
    const bobBefore = await provider.getBalance(bob.address)
    const s = await sweepAgent(ctx, {owner: bob, tokenId})
    assert.equal(s.sweeps.length, 1)
    assert.equal(await provider.getBalance(agent), 0n)
    assert.equal((await provider.getBalance(bob.address)) - bobBefore, BigInt(s.sweeps[0]!.amount))

    await sendTransaction(funder, provider, {to: agent, value: parseEther('0.5')}, {env: {ZG_DATA_DIR: tmp}})
    const c = await transferAgent(ctx, {owner: bob, tokenId, to: carol.address, access: await requestAccess(ctx, {signer: carol, tokenId}), clone: true})
    const cloneId = BigInt(c.newTokenId!)
    assert.equal((await showToken(ctx, tokenId)).owner, bob.address)
    assert.equal((await showToken(ctx, cloneId)).owner, carol.address)
    const rc = await revealAgent(ctx, {reader: carol, tokenId: cloneId})
    assert.equal(rc.bundle.agent.address, agent)
    const rot = await rotateAgent(ctx, {owner: carol, tokenId: cloneId})
    assert.equal(rot.funds, null)
    assert.match(rot.warnings.join('\n'), /same agent/)
    assert.equal(await provider.getBalance(agent), parseEther('0.5'), 'the source token keeps its agent funds')
    assert.equal((await showToken(ctx, tokenId)).agent, agent)
  })

  test('minting to someone else needs its public key, and it must match', async () => {
    const k = AgentKey.generate()
    registerSecret(k.reveal())
    await expectZgError(mintAgent(ctx, {signer: alice, agentKey: k, metadata: {name: 'x'}, to: bob.address}), 'PUBLIC_KEY_REQUIRED', 2)
    await expectZgError(mintAgent(ctx, {signer: alice, agentKey: k, metadata: {name: 'x'}, to: bob.address, toPublicKey: publicKeyOf(carol.signingKey)}), 'PUBLIC_KEY_MISMATCH', 2)
    const r = await mintAgent(ctx, {signer: alice, agentKey: k, metadata: {name: 'gift'}, to: bob.address, toPublicKey: publicKeyOf(bob.signingKey)})
    assert.equal((await revealAgent(ctx, {reader: bob, tokenId: BigInt(r.tokenId)})).bundle.metadata.name, 'gift')
    assert.equal(getBytes(r.dataRoot).length, 32)
  })
})
