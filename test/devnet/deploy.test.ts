import assert from 'node:assert/strict'
import {after, before, describe, test} from 'node:test'
import {
  Contract,
  ContractFactory,
  Interface,
  JsonRpcProvider,
  getCreateAddress,
  keccak256,
  concat,
  randomBytes,
  hexlify,
  parseEther,
  toUtf8Bytes,
  type Signer,
  type HDNodeWallet,
} from 'ethers'
import {MemData} from '@0gfoundation/0g-ts-sdk'
import {startAnvil} from '../../src/devnet/anvil.js'
import {
  deployDevnetContracts,
  loadArtifact,
  SDK_COMPUTE_ADDRESSES,
  DEFAULT_STORAGE_PRICE_PER_SECTOR,
  type DevnetContracts,
} from '../../src/devnet/deploy.js'
import {freePort} from '../helpers/ports.js'
import {devKey, eventsOf, mined, revertOf} from '../contracts/helpers.js'
import {accessProofDigest, ownershipProofDigest, recoverProofSigner, signProofDigest} from '../../src/core/inft/proofs.js'

const DEV0 = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const SUBMIT_TOPIC = '0x167ce04d2aa1981994d3a31695da0d785373335b1078cec239a1a3a2c7675555'
const ZERO_LEAF = '0xd397b3b043d87fcd6fad1291ff0bfd16401c274896d8c63a923727f077b8e0b5'

interface Node {
  root: string
  height: number
}
const sub = (length: number, nodes: Node[], submitter: string) => ({data: {length, tags: '0x', nodes}, submitter})
const rnd = () => hexlify(randomBytes(32))
const sectorsOf = (nodes: Node[]) => nodes.reduce((s, n) => s + (1n << BigInt(n.height)), 0n)

/**
 * Reference flow root: the tree over the flow's sectors, where sector 0 is bytes32(0), inserted nodes are opaque
 * subtrees and everything else is zero sectors. Independent of the contract's incremental frontier.
 */
function referenceFlowRoot(length: bigint, placed: {start: bigint; height: number; root: string}[]): string {
  const zeros = [ZERO_LEAF]
  for (let i = 1; i < 80; i++) zeros.push(keccak256(concat([zeros[i - 1]!, zeros[i - 1]!])))
  let height = 0
  while (1n << BigInt(height) < length) height++
  const rec = (lo: bigint, h: number): string => {
    const size = 1n << BigInt(h)
    const exact = placed.find((p) => p.start === lo && p.height === h)
    if (exact) return exact.root
    if (lo === 0n && h === 0) return '0x' + '00'.repeat(32)
    const touchesSector0 = lo === 0n
    const touchesNode = placed.some((p) => p.start < lo + size && p.start + (1n << BigInt(p.height)) > lo)
    if (!touchesSector0 && !touchesNode) return zeros[h]!
    return keccak256(concat([rec(lo, h - 1), rec(lo + size / 2n, h - 1)]))
  }
  return rec(0n, height)
}

/** Deploys a contract from its artifact with dev8 (a test-only account) and waits for it. */
let deployFromArtifact: (name: string, args: unknown[]) => Promise<Contract>

describe('devnet deployment', () => {
  let stop: () => Promise<void>
  let url: string
  let provider: JsonRpcProvider
  let c: DevnetContracts
  let deployMs = 0

  before(async () => {
    const anvil = await startAnvil({port: await freePort()})
    stop = anvil.stop
    url = anvil.url
    const t0 = Date.now()
    c = await deployDevnetContracts(url)
    deployMs = Date.now() - t0
    provider = new JsonRpcProvider(url, undefined, {batchStallTime: 0, cacheTimeout: -1, pollingInterval: 50})
    deployFromArtifact = async (name, args) => {
      const a = loadArtifact(name)
      const factory = new ContractFactory(a.abi as never, a.bytecode, devKey(8).connect(provider))
      const contract = await factory.deploy(...args)
      await mined(provider, Promise.resolve(contract.deploymentTransaction()! as never))
      return contract as Contract
    }
  })

  after(async () => {
    provider?.destroy()
    await stop?.()
  })

  test('deploys every contract, with code, at the SDK addresses for the compute contracts', async () => {
    assert.ok(deployMs > 0)
    for (const [name, address] of Object.entries(c)) {
      if (name === 'deployBlock') continue
      const code = await provider.getCode(address as string)
      assert.notEqual(code, '0x', `${name} at ${address} has no code`)
    }
    assert.equal(c.ledger, SDK_COMPUTE_ADDRESSES.ledger)
    assert.equal(c.inference, SDK_COMPUTE_ADDRESSES.inference)
    assert.equal(c.fineTuning, SDK_COMPUTE_ADDRESSES.fineTuning)
    assert.equal(getCreateAddress({from: DEV0, nonce: 2}), SDK_COMPUTE_ADDRESSES.ledger)
    assert.equal(getCreateAddress({from: DEV0, nonce: 6}), SDK_COMPUTE_ADDRESSES.inference)
    assert.equal(getCreateAddress({from: DEV0, nonce: 12}), SDK_COMPUTE_ADDRESSES.fineTuning)
    assert.ok(c.deployBlock >= 1)
  })

  test('signing in-process (for nodes that do not sign) deploys to the same addresses', async () => {
    const other = await startAnvil({port: await freePort()})
    try {
      const events: string[] = []
      const reporter = {emit: (e: {step: string; status: string}) => events.push(`${e.step}:${e.status}`)}
      const local = await deployDevnetContracts(other.url, {localSigning: true, storagePricePerSector: 123n, reporter})
      assert.deepEqual({...local, deployBlock: 0}, {...c, deployBlock: 0})
      assert.deepEqual(events, ['deploy:started', 'deploy:done'])
      const probe = new JsonRpcProvider(other.url, undefined, {batchStallTime: 0, cacheTimeout: -1})
      try {
        assert.notEqual(await probe.getCode(local.registry), '0x')
        const market = new Contract(local.market, loadArtifact('FixedPriceMarket').abi as never, probe)
        assert.equal(await market.getFunction('pricePerSector')(), 123n)
      } finally {
        probe.destroy()
      }
    } finally {
      await other.stop()
    }
  })

  test('an unreachable RPC is a network error, not a hang', async () => {
    const port = await freePort()
    await assert.rejects(deployDevnetContracts(`http://127.0.0.1:${port}`, {timeoutMs: 5000}), (e: Error & {code?: string}) => {
      assert.equal(e.code, 'RPC_UNREACHABLE')
      return true
    })
  })

  test('refuses to deploy twice on the same chain, with a clear error', async () => {
    await assert.rejects(deployDevnetContracts(url), (e: Error & {code?: string}) => {
      assert.equal(e.code, 'CHAIN_NOT_FRESH')
      assert.match(e.message, /fresh chain/)
      return true
    })
  })

  describe('storage flow and market', () => {
    const flowIface = new Interface(loadArtifact('Flow').abi as never)
    let flow: Contract
    let user: Signer
    let userAddr: string
    const placed: {start: bigint; height: number; root: string}[] = []
    let expectedIndex = 0n

    before(() => {
      user = devKey(1).connect(provider)
      userAddr = devKey(1).address
      flow = new Contract(c.flow, flowIface, user)
    })

    test('flow.market().pricePerSector() is the devnet default price', async () => {
      const marketAddr: string = await flow.getFunction('market')()
      assert.equal(marketAddr, c.market)
      const market = new Contract(marketAddr, loadArtifact('FixedPriceMarket').abi as never, provider)
      const price: bigint = await market.getFunction('pricePerSector')()
      assert.ok(price > 0n)
      assert.equal(price, DEFAULT_STORAGE_PRICE_PER_SECTOR)
      assert.equal(await market.getFunction('flow')(), c.flow)
    })

    test('a short fee reverts with NotEnoughFee(price, sectors, paid)', async () => {
      const nodes = [{root: rnd(), height: 4}]
      const fee = sectorsOf(nodes) * DEFAULT_STORAGE_PRICE_PER_SECTOR
      const err = await revertOf(flowIface, flow.getFunction('submit').staticCall(sub(4096, nodes, userAddr), {value: fee - 1n}))
      assert.deepEqual(err, {name: 'NotEnoughFee', args: [DEFAULT_STORAGE_PRICE_PER_SECTOR, 16n, fee - 1n]})
    })

    test('invalid submissions revert with InvalidSubmission', async () => {
      const value = 10n ** 18n
      const cases: [string, ReturnType<typeof sub>][] = [
        ['no nodes', sub(100, [], userAddr)],
        ['zero submitter', sub(100, [{root: rnd(), height: 0}], '0x' + '00'.repeat(20))],
        ['heights not descending', sub(2600, [{root: rnd(), height: 1}, {root: rnd(), height: 3}], userAddr)],
        ['equal heights', sub(4000, [{root: rnd(), height: 3}, {root: rnd(), height: 3}], userAddr)],
        ['span of 4 heights', sub(18 * 256, [{root: rnd(), height: 4}, {root: rnd(), height: 0}], userAddr)],
        ['length above capacity', sub(16 * 256 + 1, [{root: rnd(), height: 4}], userAddr)],
        ['over-padded (fits 15 sectors)', sub(15 * 256, [{root: rnd(), height: 4}], userAddr)],
        ['over-padded multi-node', sub(704 * 256, [{root: rnd(), height: 9}, {root: rnd(), height: 8}], userAddr)],
        ['height 64', sub(1, [{root: rnd(), height: 64}], userAddr)],
        ['empty file', sub(0, [{root: rnd(), height: 0}], userAddr)],
      ]
      for (const [what, s] of cases) {
        const err = await revertOf(flowIface, flow.getFunction('submit').staticCall(s, {value}))
        assert.equal(err.name, 'InvalidSubmission', what)
      }
    })

    // Placement on a fresh flow (length 1): each case is [byte length, node heights, expected startPos].
    const placements: [string, number, number[], bigint][] = [
      ['1 sector right after the reserved sector 0', 1, [0], 1n],
      ['16 sectors aligned to 16', 4096, [4], 16n],
      ['a whole segment aligned to 1024', 1000 * 256, [10], 1024n],
      ['8+2 sectors aligned to 8', 2400, [3, 1], 2048n],
      // alignUp(2058, 2^9) = 2560 is mid-segment and 2560+768 crosses 3072, so it moves to the next segment.
      ['512+256 sectors pushed to the next segment boundary', 705 * 256, [9, 8], 3072n],
    ]
    for (const [what, length, heights, startPos] of placements) {
      test(`submit emits Submit with the documented placement: ${what}`, async () => {
        const nodes = heights.map((height) => ({root: rnd(), height}))
        const s = sub(length, nodes, userAddr)
        const sectors = sectorsOf(nodes)
        const fee = sectors * DEFAULT_STORAGE_PRICE_PER_SECTOR
        const marketBefore = await provider.getBalance(c.market)
        const receipt = await mined(provider, flow.getFunction('submit')(s, {value: fee}))
        const logs = receipt.logs.filter((l) => l.address === c.flow && l.topics[0] === SUBMIT_TOPIC)
        assert.equal(logs.length, 1)
        const ev = flowIface.parseLog(logs[0]!)!
        assert.equal(ev.args.sender, userAddr)
        assert.equal(ev.args.identity, keccak256(concat(nodes.map((n) => n.root))))
        assert.equal(ev.args.submissionIndex, expectedIndex)
        assert.equal(ev.args.startPos, startPos)
        // Result.length is the number of fields, so read the event's `length` by position.
        assert.equal(ev.args[4], sectors)
        assert.equal(ev.args.submission[0], BigInt(length))
        assert.deepEqual(
          ev.args.submission.nodes.map((n: {root: string; height: bigint}) => [n.root, n.height]),
          nodes.map((n) => [n.root, BigInt(n.height)]),
        )
        assert.equal((await provider.getBalance(c.market)) - marketBefore, fee)
        let pos = startPos
        for (const n of nodes) {
          placed.push({start: pos, height: n.height, root: n.root})
          pos += 1n << BigInt(n.height)
        }
        assert.equal(await flow.getFunction('numSubmissions')(), expectedIndex + 1n)
        const [currentLength] = await flow.getFunction('tree')()
        assert.equal(currentLength, pos)
        assert.equal(await flow.getFunction('getFlowRootByTxSeq')(expectedIndex), referenceFlowRoot(pos, placed))
        expectedIndex++
      })
    }

    test('an SDK-built submission (MemData.createSubmission) is accepted at the SDK fee', async () => {
      const data = new Uint8Array(300_000).map((_, i) => (i * 131 + 17) & 255)
      const [s, err] = await new MemData(data).createSubmission('0x', userAddr)
      assert.equal(err, null)
      const nodes = s!.data.nodes.map((n) => ({root: String(n.root), height: Number(n.height)}))
      const fee = sectorsOf(nodes) * DEFAULT_STORAGE_PRICE_PER_SECTOR
      const receipt = await mined(provider, flow.getFunction('submit')(s, {value: fee}))
      const ev = flowIface.parseLog(receipt.logs.find((l) => l.topics[0] === SUBMIT_TOPIC)!)!
      assert.equal(ev.args.submissionIndex, expectedIndex)
      assert.equal(ev.args.submission[0], 300_000n)
      // 1280 sectors (h10 + h8) after a flow of length 3840: aligned to 1024 → 4096.
      assert.equal(ev.args.startPos, 4096n)
      expectedIndex++
    })

    test('overpayment is kept by the flow as credit (as 0G FixedPriceFlow does) and batchSubmit pays from it', async () => {
      const a = [{root: rnd(), height: 0}]
      const b = [{root: rnd(), height: 1}]
      const feeA = sectorsOf(a) * DEFAULT_STORAGE_PRICE_PER_SECTOR
      const feeB = sectorsOf(b) * DEFAULT_STORAGE_PRICE_PER_SECTOR
      const extra = 12_345n
      const flowBefore = await provider.getBalance(c.flow)
      await mined(provider, flow.getFunction('submit')(sub(10, a, userAddr), {value: feeA + extra}))
      assert.equal((await provider.getBalance(c.flow)) - flowBefore, extra)
      const receipt = await mined(
        provider,
        flow.getFunction('batchSubmit')([sub(100, a, userAddr), sub(300, b, userAddr)], {value: feeA + feeB}),
      )
      const evs = receipt.logs.filter((l) => l.topics[0] === SUBMIT_TOPIC).map((l) => flowIface.parseLog(l)!)
      assert.deepEqual(
        evs.map((e) => e.args.submissionIndex),
        [expectedIndex + 1n, expectedIndex + 2n],
      )
      assert.equal((await provider.getBalance(c.flow)) - flowBefore, extra)
      expectedIndex += 3n
    })
  })

  describe('compute ledger', () => {
    test('addLedger, depositFund, transferFund to the inference provider sub-account, getLedger', async () => {
      const ledgerIface = new Interface(loadArtifact('LedgerManager').abi as never)
      const user = devKey(2).connect(provider)
      const ledger = new Contract(c.ledger, ledgerIface, user)
      const provider0 = new Contract(c.inference, loadArtifact('InferenceServing').abi as never, devKey(3).connect(provider))
      await mined(
        provider,
        provider0.getFunction('addOrUpdateService')(
          {serviceType: 'chatbot', url: 'http://x', model: 'm', verifiability: 'TeeML', inputPrice: 1n, outputPrice: 1n, additionalInfo: '{}', teeSignerAddress: devKey(4).address},
          {value: parseEther('100')},
        ),
      )
      await mined(provider, ledger.getFunction('addLedger')('', {value: parseEther('3')}))
      await mined(provider, ledger.getFunction('depositFund')({value: parseEther('2')}))
      await mined(provider, ledger.getFunction('transferFund')(devKey(3).address, 'inference-v1.0', parseEther('1.5')))
      const l = await ledger.getFunction('getLedger')(user.address)
      assert.equal(l.user, user.address)
      assert.equal(l.availableBalance, parseEther('3.5'))
      assert.equal(l.totalBalance, parseEther('5'))
      const acc = await provider0.getFunction('getAccount')(user.address, devKey(3).address)
      assert.equal(acc.balance, parseEther('1.5'))
      const err = await revertOf(ledgerIface, ledger.getFunction('transferFund').staticCall(devKey(3).address, 'inference-v1.0', parseEther('9')))
      assert.deepEqual(err, {name: 'InsufficientAvailableBalance', args: [parseEther('3.5'), parseEther('9')]})
    })
  })

  describe('INFT (ERC-7857) with the TEE verifier', () => {
    const nftIface = new Interface(loadArtifact('AgentNFT').abi as never)
    const verIface = new Interface(loadArtifact('TEEVerifier').abi as never)
    // Revert data can come from either contract: decode with both ABIs.
    const bothIface = new Interface([...(loadArtifact('AgentNFT').abi as never[]), ...(loadArtifact('TEEVerifier').abi as never[]).filter((f: {type: string}) => f.type === 'error')])
    const seller = devKey(5)
    const buyer = devKey(6)
    const oracle = devKey(9) // the default oracle the devnet's TEEVerifier trusts
    const stranger = devKey(7)
    const datas = [
      {dataDescription: '{"role":"agent-key"}', dataHash: keccak256(toUtf8Bytes('ciphertext-1'))},
      {dataDescription: '{"role":"memory"}', dataHash: keccak256(toUtf8Bytes('ciphertext-2'))},
    ]
    let chainId: bigint
    let nonceCounter = 0
    const pubkey64 = (w: HDNodeWallet) => '0x' + w.signingKey.publicKey.slice(4)
    const futureDeadline = async () => BigInt((await provider.getBlock('latest'))!.timestamp + 3600)

    /** Proofs for every data item: the receiver (or `accessSigner`) asks for its own key, the oracle signs. */
    async function proofsFor(to: HDNodeWallet, opts: {accessSigner?: HDNodeWallet; ownershipSigner?: HDNodeWallet; deadline?: bigint; nonce?: string; chain?: bigint} = {}) {
      const deadline = opts.deadline ?? (await futureDeadline())
      const out = []
      for (const d of datas) {
        const nonce = opts.nonce ?? hexlify(toUtf8Bytes(`n-${nonceCounter++}`))
        const common = {chainId: opts.chain ?? chainId, nft: c.agentNFT, dataHash: d.dataHash, nonce, deadline}
        const sealedKey = hexlify(randomBytes(129))
        const targetPubkey = pubkey64(to)
        const accessDigest = accessProofDigest({...common, targetPubkey: '0x'})
        const ownDigest = ownershipProofDigest({...common, sealedKey, targetPubkey})
        out.push({
          accessProof: {dataHash: d.dataHash, targetPubkey: '0x', nonce, proof: await signProofDigest(opts.accessSigner ?? to, accessDigest), deadline},
          ownershipProof: {oracleType: 0, dataHash: d.dataHash, sealedKey, targetPubkey, nonce, proof: await signProofDigest(opts.ownershipSigner ?? oracle, ownDigest), deadline},
        })
      }
      return out
    }
    let nft: Contract
    let tokenId: bigint

    before(async () => {
      chainId = (await provider.getNetwork()).chainId
      nft = new Contract(c.agentNFT, nftIface, seller.connect(provider))
    })

    test('the TS digests equal the contract digests, and the TS signer recovers', async () => {
      const verifier = new Contract(c.teeVerifier, verIface, provider)
      assert.equal(await verifier.getFunction('teeOracleAddress')(), oracle.address)
      const [p] = await proofsFor(buyer)
      const common = {chainId, nft: c.agentNFT, dataHash: p!.accessProof.dataHash, nonce: p!.accessProof.nonce, deadline: p!.accessProof.deadline}
      const a = accessProofDigest({...common, targetPubkey: '0x'})
      const o = ownershipProofDigest({...common, sealedKey: p!.ownershipProof.sealedKey, targetPubkey: p!.ownershipProof.targetPubkey})
      assert.equal(await verifier.getFunction('accessDigest')(c.agentNFT, p!.accessProof), a)
      assert.equal(await verifier.getFunction('ownershipDigest')(c.agentNFT, p!.ownershipProof), o)
      assert.notEqual(a, o)
      assert.equal(recoverProofSigner(a, p!.accessProof.proof), buyer.address)
      assert.equal(recoverProofSigner(o, p!.ownershipProof.proof), oracle.address)
    })

    test('mint returns the token id and stores the intelligent data', async () => {
      tokenId = await nft.getFunction('mint').staticCall(datas, seller.address)
      const r = await mined(provider, nft.getFunction('mint')(datas, seller.address))
      const transfer = eventsOf(nftIface, r, c.agentNFT, 'Transfer')[0]!
      assert.equal(transfer.args.tokenId, tokenId)
      assert.equal(await nft.getFunction('ownerOf')(tokenId), seller.address)
      const stored = await nft.getFunction('intelligentDatasOf')(tokenId)
      assert.deepEqual(stored.map((d: {dataHash: string}) => d.dataHash), datas.map((d) => d.dataHash))
      assert.equal(await nft.getFunction('verifier')(), c.teeVerifier)
      await mined(provider, nft.getFunction('authorizeUsage')(tokenId, stranger.address))
      assert.deepEqual([...(await nft.getFunction('authorizedUsersOf')(tokenId))], [stranger.address])
    })

    let usedProofs: Awaited<ReturnType<typeof proofsFor>>
    test('iTransferFrom with valid proofs moves the token and publishes the sealed keys', async () => {
      usedProofs = await proofsFor(buyer)
      const r = await mined(provider, nft.getFunction('iTransferFrom')(seller.address, buyer.address, tokenId, usedProofs))
      const ev = eventsOf(nftIface, r, c.agentNFT, 'PublishedSealedKey')[0]!
      assert.equal(ev.args._to, buyer.address)
      assert.equal(ev.args._tokenId, tokenId)
      assert.deepEqual([...ev.args._sealedKeys], usedProofs.map((p) => p.ownershipProof.sealedKey))
      assert.equal(await nft.getFunction('ownerOf')(tokenId), buyer.address)
      assert.deepEqual([...(await nft.getFunction('authorizedUsersOf')(tokenId))], [])
    })

    test('a reused nonce, a wrong oracle, an expired deadline, another chain id or a stranger are rejected', async () => {
      const back = new Contract(c.agentNFT, nftIface, buyer.connect(provider))
      const tryBack = async (proofs: unknown) => revertOf(bothIface, back.getFunction('iTransferFrom').staticCall(buyer.address, seller.address, tokenId, proofs))
      // Reused nonces: the proofs of the last transfer, re-signed for the seller with the same nonces.
      const reused = await proofsFor(seller, {nonce: usedProofs[0]!.accessProof.nonce})
      assert.equal((await tryBack(reused)).name, 'DataVerifierNonceUsed')
      const wrongOracle = await proofsFor(seller, {ownershipSigner: stranger})
      assert.deepEqual(await tryBack(wrongOracle), {name: 'DataVerifierInvalidOwnershipProof', args: [stranger.address]})
      const now = BigInt((await provider.getBlock('latest'))!.timestamp)
      const expired = await proofsFor(seller, {deadline: now - 1n})
      assert.equal((await tryBack(expired)).name, 'DataVerifierProofExpired')
      const otherChain = await proofsFor(seller, {chain: chainId + 1n})
      assert.equal((await tryBack(otherChain)).name, 'DataVerifierInvalidOwnershipProof')
      const notReceiver = await proofsFor(seller, {accessSigner: stranger})
      assert.equal((await tryBack(notReceiver)).name, 'ERC7857AccessAssistantMismatch')
      assert.equal((await tryBack((await proofsFor(seller)).slice(0, 1))).name, 'ERC7857ProofCountMismatch')
      // A delegate of the receiver may sign the access proof.
      await mined(provider, new Contract(c.agentNFT, nftIface, seller.connect(provider)).getFunction('delegateAccess')(stranger.address))
      assert.equal(await nft.getFunction('getDelegateAccess')(seller.address), stranger.address)
      await mined(provider, back.getFunction('iTransferFrom')(buyer.address, seller.address, tokenId, await proofsFor(seller, {accessSigner: stranger})))
      assert.equal(await nft.getFunction('ownerOf')(tokenId), seller.address)
    })

    test('update (owner only), authorizeUsage and revokeAuthorization', async () => {
      const newDatas = [
        {dataDescription: '{"role":"agent-key","v":2}', dataHash: keccak256(toUtf8Bytes('ciphertext-1b'))},
        {dataDescription: '{"role":"memory","v":2}', dataHash: keccak256(toUtf8Bytes('ciphertext-2b'))},
      ]
      const asBuyer = new Contract(c.agentNFT, nftIface, buyer.connect(provider))
      assert.equal((await revertOf(nftIface, asBuyer.getFunction('update').staticCall(tokenId, newDatas))).name, 'ERC721IncorrectOwner')
      const r = await mined(provider, nft.getFunction('update')(tokenId, newDatas))
      const ev = eventsOf(nftIface, r, c.agentNFT, 'Updated')[0]!
      assert.deepEqual(ev.args._oldDatas.map((d: {dataHash: string}) => d.dataHash), datas.map((d) => d.dataHash))
      assert.deepEqual(ev.args._newDatas.map((d: {dataHash: string}) => d.dataHash), newDatas.map((d) => d.dataHash))
      // Put the original data back so that the clone below still matches `datas`.
      await mined(provider, nft.getFunction('update')(tokenId, datas))
      await mined(provider, nft.getFunction('authorizeUsage')(tokenId, buyer.address))
      assert.equal((await revertOf(nftIface, nft.getFunction('authorizeUsage').staticCall(tokenId, buyer.address))).name, 'ERC7857AlreadyAuthorized')
      await mined(provider, nft.getFunction('revokeAuthorization')(tokenId, buyer.address))
      assert.deepEqual([...(await nft.getFunction('authorizedUsersOf')(tokenId))], [])
      assert.equal((await revertOf(nftIface, nft.getFunction('revokeAuthorization').staticCall(tokenId, buyer.address))).name, 'ERC7857NotAuthorized')
    })

    test('iCloneFrom mints a copy for the receiver with its sealed keys', async () => {
      const proofs = await proofsFor(buyer)
      const newId = await nft.getFunction('iCloneFrom').staticCall(seller.address, buyer.address, tokenId, proofs)
      const r = await mined(provider, nft.getFunction('iCloneFrom')(seller.address, buyer.address, tokenId, proofs))
      const cloned = eventsOf(nftIface, r, c.agentNFT, 'Cloned')[0]!
      assert.deepEqual([cloned.args._tokenId, cloned.args._newTokenId, cloned.args._to], [tokenId, newId, buyer.address])
      assert.equal(await nft.getFunction('ownerOf')(newId), buyer.address)
      assert.equal(await nft.getFunction('ownerOf')(tokenId), seller.address)
      const copy = await nft.getFunction('intelligentDatasOf')(newId)
      assert.deepEqual(copy.map((d: {dataHash: string}) => d.dataHash), datas.map((d) => d.dataHash))
    })
  })


  describe('asset registry', () => {
    const regIface = new Interface(loadArtifact('AssetRegistry').abi as never)
    const reg = (i: number) => new Contract(c.registry, regIface, devKey(i).connect(provider))
    const root = (s: string) => keccak256(toUtf8Bytes(s))
    const version = (v: string, contributors: [string, number][], parents: bigint[] = []) => ({
      version: v,
      manifestRoot: root(`manifest ${v}`),
      license: 'CC-BY-4.0',
      contributors: contributors.map(([account, shareBps]) => ({account, shareBps})),
      parents,
    })
    let datasetId: bigint
    let modelId: bigint
    let attacker: Contract

    test('register a dataset; names are unique per owner; versions, shares and semver are checked', async () => {
      const owner = reg(2)
      const v1 = version('1.0.0', [[devKey(2).address, 5000], [devKey(3).address, 3000], [devKey(4).address, 2000]])
      datasetId = await owner.getFunction('register').staticCall(0, 'open-corpus', v1, 0)
      const r = await mined(provider, owner.getFunction('register')(0, 'open-corpus', v1, 0))
      assert.equal(eventsOf(regIface, r, c.registry, 'AssetRegistered')[0]!.args.assetId, datasetId)
      assert.equal(eventsOf(regIface, r, c.registry, 'VersionPublished')[0]!.args.version, '1.0.0')
      assert.equal(await owner.getFunction('assetIdOf')(devKey(2).address, 'open-corpus'), datasetId)
      const taken = await revertOf(regIface, owner.getFunction('register').staticCall(1, 'open-corpus', v1, 0))
      assert.equal(taken.name, 'NameTaken')
      // Another owner may use the same name.
      assert.ok((await reg(3).getFunction('register').staticCall(0, 'open-corpus', v1, 0)) > datasetId)
      for (const bad of ['1.0', '01.0.0', '1.0.0-', 'v1.0.0', '1.0.0+b@d']) {
        const e = await revertOf(regIface, owner.getFunction('publishVersion').staticCall(datasetId, version(bad, [[devKey(2).address, 10000]])))
        assert.equal(e.name, 'InvalidVersion', bad)
      }
      const sum = await revertOf(regIface, owner.getFunction('publishVersion').staticCall(datasetId, version('1.1.0', [[devKey(2).address, 9999]])))
      assert.deepEqual(sum, {name: 'InvalidContributors', args: ['shares must sum to 10000 bps']})
      const dup = await revertOf(regIface, owner.getFunction('publishVersion').staticCall(datasetId, version('1.0.0', [[devKey(2).address, 10000]])))
      assert.equal(dup.name, 'VersionExists')
      // A maintainer the owner appoints can publish; a stranger cannot.
      await mined(provider, owner.getFunction('setMaintainer')(datasetId, devKey(3).address, true))
      await mined(provider, reg(3).getFunction('publishVersion')(datasetId, version('1.1.0-rc.1', [[devKey(2).address, 5000], [devKey(3).address, 3000], [devKey(4).address, 2000]])))
      const stranger = await revertOf(regIface, reg(7).getFunction('publishVersion').staticCall(datasetId, version('2.0.0', [[devKey(7).address, 10000]])))
      assert.equal(stranger.name, 'NotPublisher')
      const asset = await owner.getFunction('getAsset')(datasetId)
      assert.equal(asset.versionCount, 2n)
      assert.deepEqual([...asset.maintainers], [devKey(3).address])
      assert.equal((await owner.getFunction('latestVersion')(datasetId)).version, '1.1.0-rc.1')
    })

    test('pay splits to contributors and, by the lineage share, to the parent contributors, with no wei lost', async () => {
      attacker = await deployFromArtifact('ReentrantWithdrawer', [c.registry])
      const attackerAddr = await attacker.getAddress()
      const contributors: [string, number][] = [[devKey(5).address, 3333], [devKey(6).address, 3333], [attackerAddr, 3334]]
      const v = version('0.1.0', contributors, [datasetId])
      modelId = await reg(5).getFunction('register').staticCall(1, 'tiny-model', v, 1500)
      await mined(provider, reg(5).getFunction('register')(1, 'tiny-model', v, 1500))

      const watched = [devKey(2).address, devKey(3).address, devKey(4).address, devKey(5).address, devKey(6).address, attackerAddr]
      const before = await Promise.all(watched.map((a) => reg(2).getFunction('earningsOf')(a) as Promise<bigint>))
      const amount = 1_000_000_000_000_000_007n
      const r = await mined(provider, reg(8).getFunction('pay')(modelId, {value: amount}))
      const after = await Promise.all(watched.map((a) => reg(2).getFunction('earningsOf')(a) as Promise<bigint>))
      const got = after.map((x, i) => x - before[i]!)

      // The same arithmetic, done independently here.
      const lineage = (amount * 1500n) / 10000n
      const parentShares = [5000n, 3000n, 2000n].map((bps) => (lineage * bps) / 10000n)
      const own = amount - lineage
      const ownShares = [3333n, 3333n, 3334n].map((bps) => (own * bps) / 10000n)
      const dust = amount - parentShares.reduce((a, b) => a + b) - ownShares.reduce((a, b) => a + b)
      assert.ok(dust > 0n, 'the amount was chosen so that integer division leaves dust')
      assert.deepEqual(got, [...parentShares, ownShares[0]! + dust, ownShares[1]!, ownShares[2]!])
      assert.equal(got.reduce((a, b) => a + b), amount)
      const credited = eventsOf(regIface, r, c.registry, 'EarningsCredited').reduce((s, e) => s + (e.args.amount as bigint), 0n)
      assert.equal(credited, amount)
      assert.equal((await reg(2).getFunction('getAsset')(modelId)).totalPaid, amount)
    })

    test('withdraw pays out once; a reentrant withdraw from the receiving contract is refused', async () => {
      const earned: bigint = await reg(4).getFunction('earningsOf')(devKey(4).address)
      const balBefore = await provider.getBalance(devKey(4).address)
      const r = await mined(provider, reg(4).getFunction('withdraw')())
      assert.equal((await provider.getBalance(devKey(4).address)) - balBefore + r.gasUsed * r.gasPrice, earned)
      assert.equal((await revertOf(regIface, reg(4).getFunction('withdraw').staticCall())).name, 'NothingToWithdraw')

      const attackerAddr = await attacker.getAddress()
      const owed: bigint = await reg(2).getFunction('earningsOf')(attackerAddr)
      assert.ok(owed > 0n)
      const regBefore = await provider.getBalance(c.registry)
      await mined(provider, attacker.connect(devKey(8).connect(provider)).getFunction('attack')())
      assert.equal(await attacker.getFunction('reentryRefused')(), true)
      const guard = new Interface(['error ReentrancyGuardReentrantCall()']).getError('ReentrancyGuardReentrantCall')!.selector
      assert.equal(await attacker.getFunction('reentryError')(), guard)
      assert.equal(await attacker.getFunction('received')(), owed)
      assert.equal(await reg(2).getFunction('earningsOf')(attackerAddr), 0n)
      assert.equal(regBefore - (await provider.getBalance(c.registry)), owed)
    })
  })

})
