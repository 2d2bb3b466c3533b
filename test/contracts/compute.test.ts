import assert from 'node:assert/strict'
import {after, before, describe, test} from 'node:test'
import {Contract, Interface, hexlify, keccak256, parseEther, randomBytes, toUtf8Bytes, type Wallet, type HDNodeWallet} from 'ethers'
import {loadArtifact, DEVNET_LOCK_TIME_SECONDS, DEVNET_PENALTY_PERCENTAGE} from '../../src/devnet/deploy.js'
import {devKey, eventsOf, increaseTime, mined, revertOf, startDevnet, type Devnet} from './helpers.js'

const ledgerIface = new Interface(loadArtifact('LedgerManager').abi as never)
const infIface = new Interface(loadArtifact('InferenceServing').abi as never)
const ftIface = new Interface(loadArtifact('FineTuningServing').abi as never)
const E = (n: string) => parseEther(n)

describe('compute contracts on the devnet', () => {
  let net: Devnet
  let chainId: bigint
  const user = devKey(2)
  const infProvider = devKey(3)
  const infSigner = devKey(4)
  const ftProvider = devKey(5)
  const ftSigner = devKey(6)
  let ledgerAsUser: Contract
  let infAsUser: Contract
  let infAsProvider: Contract
  let ftAsUser: Contract
  let ftAsProvider: Contract

  before(async () => {
    net = await startDevnet()
    chainId = (await net.provider.getNetwork()).chainId
    ledgerAsUser = net.contract('LedgerManager', net.contracts.ledger, 2)
    infAsUser = net.contract('InferenceServing', net.contracts.inference, 2)
    infAsProvider = net.contract('InferenceServing', net.contracts.inference, 3)
    ftAsUser = net.contract('FineTuningServing', net.contracts.fineTuning, 2)
    ftAsProvider = net.contract('FineTuningServing', net.contracts.fineTuning, 5)
  })
  after(async () => net?.stop())

  const ledgerOf = async (addr: string) => {
    const l = await ledgerAsUser.getFunction('getLedger')(addr)
    return {available: l.availableBalance as bigint, total: l.totalBalance as bigint}
  }

  test('the services are registered under the names the SDK resolves, and recommended', async () => {
    const info = await ledgerAsUser.getFunction('getServiceInfo')(net.contracts.inference)
    assert.equal(info.fullName, 'inference-v1.0')
    assert.equal(info.serviceContract, net.contracts.inference)
    assert.equal(info.isRecommended, true)
    const ft = await ledgerAsUser.getFunction('getServiceInfo')(net.contracts.fineTuning)
    assert.equal(ft.fullName, 'fine-tuning-v1.1')
    assert.deepEqual([...(await ledgerAsUser.getFunction('getRecommendedService')('fine-tuning'))], ['v1.1', net.contracts.fineTuning])
    assert.equal(await ledgerAsUser.getFunction('getServiceAddressByName')('inference-v1.0'), net.contracts.inference)
    const inf = net.contract('InferenceServing', net.contracts.inference)
    assert.equal(await inf.getFunction('ledgerAddress')(), net.contracts.ledger)
    assert.equal(await inf.getFunction('lockTime')(), BigInt(DEVNET_LOCK_TIME_SECONDS))
    assert.equal(await inf.getFunction('initialized')(), true)
    assert.equal(await net.contract('FineTuningServing', net.contracts.fineTuning).getFunction('penaltyPercentage')(), BigInt(DEVNET_PENALTY_PERCENTAGE))
    const again = await revertOf(infIface, inf.getFunction('initialize').staticCall(3600, net.contracts.ledger, user.address))
    assert.equal(again.name, 'AlreadyInitialized')
  })

  test('ledger: minimum deposit, addLedger, depositFund, updateAdditionalInfo', async () => {
    const short = await revertOf(ledgerIface, ledgerAsUser.getFunction('addLedger').staticCall('', {value: E('2.5')}))
    assert.deepEqual(short, {name: 'MinimumDepositRequired', args: [E('2.5'), E('3')]})
    await mined(net.provider, ledgerAsUser.getFunction('addLedger')('{"k":1}', {value: E('5')}))
    assert.deepEqual(await ledgerOf(user.address), {available: E('5'), total: E('5')})
    const dup = await revertOf(ledgerIface, ledgerAsUser.getFunction('addLedger').staticCall('', {value: E('3')}))
    assert.equal(dup.name, 'LedgerExists')
    await mined(net.provider, ledgerAsUser.getFunction('depositFund')({value: E('1')}))
    assert.deepEqual(await ledgerOf(user.address), {available: E('6'), total: E('6')})
    await mined(net.provider, ledgerAsUser.getFunction('updateAdditionalInfo')('{"k":2}'))
    assert.equal((await ledgerAsUser.getFunction('getLedger')(user.address)).additionalInfo, '{"k":2}')
    const plain = await revertOf(ledgerIface, user.connect(net.provider).sendTransaction({to: net.contracts.ledger, value: 1n}))
    assert.equal(plain.name, 'DirectDepositsDisabled')
  })

  test('inference: a provider stakes 100 0G to register and the owner acknowledges its TEE signer', async () => {
    const params = {
      serviceType: 'chatbot',
      url: 'http://127.0.0.1:1',
      model: 'devnet-echo',
      verifiability: 'TeeML',
      inputPrice: 10n ** 9n,
      outputPrice: 2n * 10n ** 9n,
      additionalInfo: '{"ProviderType":"decentralized"}',
      teeSignerAddress: infSigner.address,
    }
    const low = await revertOf(infIface, infAsProvider.getFunction('addOrUpdateService').staticCall(params, {value: E('99')}))
    assert.deepEqual(low, {name: 'InsufficientStake', args: [E('99'), E('100')]})
    await mined(net.provider, infAsProvider.getFunction('addOrUpdateService')(params, {value: E('100')}))
    const more = await revertOf(infIface, infAsProvider.getFunction('addOrUpdateService').staticCall(params, {value: 1n}))
    assert.equal(more.name, 'CannotAddStakeWhenUpdating')
    let svc = await infAsUser.getFunction('getService')(infProvider.address)
    assert.equal(svc.teeSignerAcknowledged, false)
    await mined(net.provider, net.contract('InferenceServing', net.contracts.inference, 0).getFunction('acknowledgeTEESignerByOwner')(infProvider.address))
    svc = await infAsUser.getFunction('getService')(infProvider.address)
    assert.equal(svc.teeSignerAcknowledged, true)
    assert.equal(svc.model, 'devnet-echo')
    const [all, total] = await infAsUser.getFunction('getAllServices')(0, 0)
    assert.equal(total, 1n)
    assert.equal(all[0].provider, infProvider.address)
    const notOwner = await revertOf(infIface, infAsUser.getFunction('acknowledgeTEESignerByOwner').staticCall(infProvider.address))
    assert.equal(notOwner.name, 'OwnableUnauthorizedAccount')
  })

  test('ledger.transferFund opens a sub-account (1 0G minimum), getLedgerProviders lists it', async () => {
    const low = await revertOf(ledgerIface, ledgerAsUser.getFunction('transferFund').staticCall(infProvider.address, 'inference-v1.0', E('0.5')))
    assert.deepEqual(low, {name: 'MinimumDepositRequired', args: [E('0.5'), E('1')]})
    const unknown = await revertOf(ledgerIface, ledgerAsUser.getFunction('transferFund').staticCall(infProvider.address, 'inference-v9', E('1')))
    assert.equal(unknown.name, 'ServiceNotFound')
    const r = await mined(net.provider, ledgerAsUser.getFunction('transferFund')(infProvider.address, 'inference-v1.0', E('2')))
    const ev = eventsOf(infIface, r, net.contracts.inference, 'BalanceUpdated')
    assert.equal(ev[0]!.args.amount, E('2'))
    assert.deepEqual(await ledgerOf(user.address), {available: E('4'), total: E('6')})
    const acc = await infAsUser.getFunction('getAccount')(user.address, infProvider.address)
    assert.equal(acc.balance, E('2'))
    assert.equal(acc.acknowledged, true)
    assert.deepEqual([...(await ledgerAsUser.getFunction('getLedgerProviders')(user.address, 'inference-v1.0'))], [infProvider.address])
    assert.equal(await net.provider.getBalance(net.contracts.inference), E('102'))
  })

  const settlement = async (signer: Wallet | HDNodeWallet, fee: bigint, nonce: bigint, provider = infProvider.address) => {
    const data = {user: user.address, provider, totalFee: fee, requestsHash: hexlify(randomBytes(32)), nonce}
    const signature = await signer.signTypedData(
      {name: '0G Inference Serving', version: '1', chainId, verifyingContract: net.contracts.inference},
      {TEESettlement: [
        {name: 'requestsHash', type: 'bytes32'},
        {name: 'nonce', type: 'uint256'},
        {name: 'provider', type: 'address'},
        {name: 'user', type: 'address'},
        {name: 'totalFee', type: 'uint256'},
      ]},
      data,
    )
    return {...data, signature}
  }

  test('settleFeesWithTEE: EIP-712 signatures of the TEE signer, nonces, statuses and payment', async () => {
    const good = await settlement(infSigner, E('0.3'), 5n)
    const wrongSigner = await settlement(devKey(7), E('0.1'), 6n)
    const mismatch = await settlement(infSigner, E('0.1'), 7n, devKey(7).address)
    const statuses = await infAsProvider.getFunction('settleFeesWithTEE').staticCall([good, wrongSigner, mismatch])
    assert.deepEqual([...statuses], [0n, 5n, 2n])
    const before = await net.provider.getBalance(net.contracts.inference)
    const r = await mined(net.provider, infAsProvider.getFunction('settleFeesWithTEE')([good]))
    assert.deepEqual(eventsOf(infIface, r, net.contracts.inference, 'TEESettlementResult').map((e) => [e.args.status, e.args.unsettledAmount]), [[0n, 0n]])
    assert.equal(before - (await net.provider.getBalance(net.contracts.inference)), E('0.3'))
    const acc = await infAsUser.getFunction('getAccount')(user.address, infProvider.address)
    assert.equal(acc.balance, E('1.7'))
    assert.equal(acc.nonce, 5n)
    assert.deepEqual(await ledgerOf(user.address), {available: E('4'), total: E('5.7')})
    // The same nonce again, or a lower one, is refused.
    const replay = await settlement(infSigner, E('0.1'), 5n)
    assert.deepEqual([...(await infAsProvider.getFunction('settleFeesWithTEE').staticCall([replay]))], [4n])
    // A fee above the balance takes what is there and reports the rest.
    const big = await settlement(infSigner, E('2'), 6n)
    const [, , partialUsers, partialAmounts] = await infAsProvider.getFunction('previewSettlementResults')([big])
    assert.deepEqual([...partialUsers], [user.address])
    assert.deepEqual([...partialAmounts], [E('0.3')])
    const empty = await revertOf(infIface, infAsProvider.getFunction('settleFeesWithTEE').staticCall([]))
    assert.equal(empty.name, 'NoSettlementsProvided')
  })

  test('settlement needs the user acknowledgement; revoking it needs an empty account', async () => {
    const bad = await revertOf(infIface, infAsUser.getFunction('acknowledgeTEESigner').staticCall(infProvider.address, false))
    assert.deepEqual(bad, {name: 'CannotRevokeWithNonZeroBalance', args: [user.address, infProvider.address, E('1.7')]})
  })

  test('refunds: retrieveFund requests, the lock time holds them, then they come back to the ledger', async () => {
    await mined(net.provider, ledgerAsUser.getFunction('retrieveFund')([infProvider.address], 'inference-v1.0'))
    let acc = await infAsUser.getFunction('getAccount')(user.address, infProvider.address)
    assert.equal(acc.pendingRefund, E('1.7'))
    assert.equal(acc.refunds.length, 1)
    assert.equal(await infAsUser.getFunction('getPendingRefund')(user.address, infProvider.address), E('1.7'))
    // A settlement can still take fees out of pending refunds (newest first).
    await mined(net.provider, infAsProvider.getFunction('settleFeesWithTEE')([await settlement(infSigner, E('0.2'), 10n)]))
    acc = await infAsUser.getFunction('getAccount')(user.address, infProvider.address)
    assert.equal(acc.balance, E('1.5'))
    assert.equal(acc.pendingRefund, E('1.5'))
    // Before the lock time: nothing is released.
    await mined(net.provider, ledgerAsUser.getFunction('retrieveFund')([infProvider.address], 'inference-v1.0'))
    assert.deepEqual(await ledgerOf(user.address), {available: E('4'), total: E('5.5')})
    await increaseTime(net.provider, DEVNET_LOCK_TIME_SECONDS + 1)
    await mined(net.provider, ledgerAsUser.getFunction('retrieveFund')([infProvider.address], 'inference-v1.0'))
    assert.deepEqual(await ledgerOf(user.address), {available: E('5.5'), total: E('5.5')})
    acc = await infAsUser.getFunction('getAccount')(user.address, infProvider.address)
    assert.equal(acc.balance, 0n)
    assert.equal(acc.pendingRefund, 0n)
    // Topping up cancels pending refunds first; here there are none, so it is all new money.
    await mined(net.provider, ledgerAsUser.getFunction('transferFund')(infProvider.address, 'inference-v1.0', E('1')))
    assert.deepEqual(await ledgerOf(user.address), {available: E('4.5'), total: E('5.5')})
    // refund keeps 3 0G or empties the ledger.
    const keep = await revertOf(ledgerIface, ledgerAsUser.getFunction('refund').staticCall(E('2')))
    assert.deepEqual(keep, {name: 'MinimumDepositRequired', args: [E('2.5'), E('3')]})
    const walletBefore = await net.provider.getBalance(user.address)
    const r = await mined(net.provider, ledgerAsUser.getFunction('refund')(E('1.5')))
    const gas = r.gasUsed * r.gasPrice
    assert.equal((await net.provider.getBalance(user.address)) - walletBefore + gas, E('1.5'))
    assert.deepEqual(await ledgerOf(user.address), {available: E('3'), total: E('4')})
  })

  test('a top-up cancels pending refunds before taking new money from the ledger', async () => {
    await mined(net.provider, ledgerAsUser.getFunction('retrieveFund')([infProvider.address], 'inference-v1.0'))
    assert.equal(await infAsUser.getFunction('getPendingRefund')(user.address, infProvider.address), E('1'))
    await mined(net.provider, ledgerAsUser.getFunction('transferFund')(infProvider.address, 'inference-v1.0', E('1.25')))
    const acc = await infAsUser.getFunction('getAccount')(user.address, infProvider.address)
    assert.equal(acc.pendingRefund, 0n)
    assert.equal(acc.balance, E('1.25'))
    assert.deepEqual(await ledgerOf(user.address), {available: E('2.75'), total: E('4')})
  })

  test('API key revocation: single tokens, batches, and all tokens by generation', async () => {
    await mined(net.provider, infAsUser.getFunction('revokeToken')(infProvider.address, 3))
    assert.equal(await infAsUser.getFunction('isTokenRevoked')(user.address, infProvider.address, 3), true)
    assert.equal(await infAsUser.getFunction('isTokenRevoked')(user.address, infProvider.address, 4), false)
    const r = await mined(net.provider, infAsUser.getFunction('revokeTokens')(infProvider.address, [7, 254]))
    assert.deepEqual([...eventsOf(infIface, r, net.contracts.inference, 'TokensRevoked')[0]!.args.tokenIds], [7n, 254n])
    let acc = await infAsUser.getFunction('getAccount')(user.address, infProvider.address)
    assert.equal(acc.revokedBitmap, (1n << 3n) | (1n << 7n) | (1n << 254n))
    await mined(net.provider, infAsUser.getFunction('revokeAllTokens')(infProvider.address))
    acc = await infAsUser.getFunction('getAccount')(user.address, infProvider.address)
    assert.equal(acc.generation, 1n)
    assert.equal(acc.revokedBitmap, 0n)
    const eph = await revertOf(infIface, infAsUser.getFunction('revokeToken').staticCall(infProvider.address, 255))
    assert.equal(eph.name, 'Error')
  })

  describe('fine-tuning', () => {
    const root1 = keccak256(toUtf8Bytes('model-1'))
    const root2 = keccak256(toUtf8Bytes('model-2'))
    const quota = {cpuCount: 8n, nodeMemory: 64n, gpuCount: 1n, nodeStorage: 100n, gpuType: 'H100'}
    const sign = async (id: string, secret: string, root: string, nonce: bigint, taskFee: bigint, signer = ftSigner) => {
      const v = {id, encryptedSecret: secret, modelRootHash: root, nonce, taskFee, user: user.address}
      const signature = await signer.signTypedData(
        {name: '0G Fine-Tuning Serving', version: '1', chainId, verifyingContract: net.contracts.fineTuning},
        {VerifierMessage: [
          {name: 'id', type: 'string'},
          {name: 'encryptedSecret', type: 'bytes'},
          {name: 'modelRootHash', type: 'bytes'},
          {name: 'nonce', type: 'uint256'},
          {name: 'taskFee', type: 'uint256'},
          {name: 'user', type: 'address'},
        ]},
        v,
      )
      return {...v, signature}
    }

    before(async () => {
      await mined(net.provider, ftAsProvider.getFunction('addOrUpdateService')('http://127.0.0.1:2', quota, 5n, false, ['mock-model'], ftSigner.address, {value: E('100')}))
      await mined(net.provider, net.contract('FineTuningServing', net.contracts.fineTuning, 0).getFunction('acknowledgeTEESignerByOwner')(ftProvider.address))
      await mined(net.provider, ledgerAsUser.getFunction('transferFund')(ftProvider.address, 'fine-tuning-v1.1', E('1.5')))
    })

    test('service registration and a sub-account that the user must acknowledge explicitly', async () => {
      const [svc] = await ftAsUser.getFunction('getAllServices')()
      assert.equal(svc.provider, ftProvider.address)
      assert.deepEqual([...svc.models], ['mock-model'])
      assert.equal(svc.quota.gpuType, 'H100')
      let acc = await ftAsUser.getFunction('getAccount')(user.address, ftProvider.address)
      assert.equal(acc.balance, E('1.5'))
      assert.equal(acc.acknowledged, false)
      await mined(net.provider, ftAsUser.getFunction('acknowledgeTEESigner')(ftProvider.address, true))
      acc = await ftAsUser.getFunction('getAccount')(user.address, ftProvider.address)
      assert.equal(acc.acknowledged, true)
    })

    test('deliverable → acknowledge → settleFees pays the full fee and stores the sealed key', async () => {
      await mined(net.provider, ftAsProvider.getFunction('addDeliverable')(user.address, 'task-1', root1))
      const blocked = await revertOf(ftIface, ftAsProvider.getFunction('addDeliverable').staticCall(user.address, 'task-2', root2))
      assert.deepEqual(blocked, {name: 'PreviousDeliverableNotAcknowledged', args: ['task-1']})
      const noSecret = await sign('task-1', '0x', root1, 1n, E('0.4'))
      // Before acknowledgement the secret must be empty; after it, it must not be.
      await mined(net.provider, ftAsUser.getFunction('acknowledgeDeliverable')(ftProvider.address, 'task-1'))
      const empty = await revertOf(ftIface, ftAsProvider.getFunction('settleFees').staticCall(noSecret))
      assert.equal(empty.name, 'SecretShouldNotBeEmpty')
      const forged = await sign('task-1', '0x1234', root1, 1n, E('0.4'), devKey(7))
      const bad = await revertOf(ftIface, ftAsProvider.getFunction('settleFees').staticCall(forged))
      assert.deepEqual(bad, {name: 'InvalidVerifierInput', args: ['TEE settlement validation failed']})
      const wrongRoot = await sign('task-1', '0x1234', root2, 1n, E('0.4'))
      assert.deepEqual(await revertOf(ftIface, ftAsProvider.getFunction('settleFees').staticCall(wrongRoot)), {name: 'InvalidVerifierInput', args: ['model root hash mismatch']})
      const ok = await sign('task-1', '0x1234', root1, 1n, E('0.4'))
      const r = await mined(net.provider, ftAsProvider.getFunction('settleFees')(ok))
      const ev = eventsOf(ftIface, r, net.contracts.fineTuning, 'FeesSettled')[0]!
      assert.deepEqual([ev.args.deliverableId, ev.args.fee, ev.args.acknowledged, ev.args.nonce], ['task-1', E('0.4'), true, 1n])
      const d = await ftAsUser.getFunction('getDeliverable')(user.address, ftProvider.address, 'task-1')
      assert.equal(d.settled, true)
      assert.equal(d.encryptedSecret, '0x1234')
      assert.equal((await ftAsUser.getFunction('getAccount')(user.address, ftProvider.address)).balance, E('1.1'))
      const again = await revertOf(ftIface, ftAsProvider.getFunction('settleFees').staticCall(await sign('task-1', '0x1234', root1, 2n, E('0.4'))))
      assert.equal(again.name, 'DeliverableAlreadySettled')
      const ack = await revertOf(ftIface, ftAsUser.getFunction('acknowledgeDeliverable').staticCall(ftProvider.address, 'task-1'))
      assert.equal(ack.name, 'CannotAcknowledgeSettledDeliverable')
    })

    test('an unacknowledged deliverable settles at the penalty percentage, with no secret', async () => {
      await mined(net.provider, ftAsProvider.getFunction('addDeliverable')(user.address, 'task-2', root2))
      const withSecret = await revertOf(ftIface, ftAsProvider.getFunction('settleFees').staticCall(await sign('task-2', '0x99', root2, 2n, E('1'))))
      assert.equal(withSecret.name, 'SecretShouldBeEmpty')
      const staleNonce = await revertOf(ftIface, ftAsProvider.getFunction('settleFees').staticCall(await sign('task-2', '0x', root2, 1n, E('1'))))
      assert.equal(staleNonce.name, 'InvalidVerifierInput')
      const r = await mined(net.provider, ftAsProvider.getFunction('settleFees')(await sign('task-2', '0x', root2, 2n, E('1'))))
      const ev = eventsOf(ftIface, r, net.contracts.fineTuning, 'FeesSettled')[0]!
      assert.equal(ev.args.fee, (E('1') * BigInt(DEVNET_PENALTY_PERCENTAGE)) / 100n)
      assert.equal(ev.args.acknowledged, false)
      assert.equal((await ftAsUser.getFunction('getAccount')(user.address, ftProvider.address)).balance, E('0.8'))
      // Settled on the penalty path, the pair is not stuck: the next task can be delivered.
      await mined(net.provider, ftAsProvider.getFunction('addDeliverable')(user.address, 'task-3', root1))
      const list = await ftAsUser.getFunction('getDeliverables')(user.address, ftProvider.address)
      assert.deepEqual(list.map((d: {id: string}) => d.id), ['task-1', 'task-2', 'task-3'])
      assert.deepEqual(await ledgerOf(user.address), {available: E('1.25'), total: E('3.3')})
    })
  })
})
