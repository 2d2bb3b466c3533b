import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {Interface, parseEther, Wallet, type JsonRpcProvider} from 'ethers'
import {ZgError} from '../../src/core/errors.js'
import type {ProgressEvent} from '../../src/core/progress.js'
import {startAnvil} from '../../src/devnet/anvil.js'
import {devWallet} from '../../src/core/keys/dev-accounts.js'
import {makeProvider} from '../../src/core/chain/provider.js'
import {callContract, sendContract, sendTransaction, type ContractRef} from '../../src/core/chain/send.js'
import {decodeRevert} from '../../src/core/chain/revert.js'
import {freePort} from '../helpers/ports.js'
import {compileProbe} from './fixtures.js'

function expectZg(code: string, exit: number, check?: (e: ZgError) => void) {
  return (e: unknown) => {
    assert.ok(e instanceof ZgError, `expected ZgError, got ${String((e as Error)?.stack ?? e)}`)
    assert.equal(e.code, code, e.message)
    assert.equal(e.exit, exit)
    check?.(e)
    return true
  }
}

describe('sendTransaction against anvil', () => {
  let anvil: Awaited<ReturnType<typeof startAnvil>>
  let provider: JsonRpcProvider
  let dir: string
  let env: NodeJS.ProcessEnv
  let probe: ContractRef
  const dev0 = devWallet(0)

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zg-send-'))
    env = {ZG_DATA_DIR: dir}
    anvil = await startAnvil({port: await freePort()})
    provider = await makeProvider(anvil.url, {local: true})
    const {iface, bytecode} = compileProbe()
    const deployed = await sendTransaction(dev0, provider, {data: bytecode}, {env, label: 'Probe deployment', timeoutMs: 10_000})
    assert.ok(deployed.contractAddress)
    probe = {address: deployed.contractAddress!, iface, name: 'Probe'}
  })
  after(async () => {
    provider?.destroy()
    await anvil?.stop()
    fs.rmSync(dir, {recursive: true, force: true})
  })

  test('a successful call: hash reported first, receipt, fee, decoded events', async () => {
    const events: ProgressEvent[] = []
    const res = await sendContract(dev0, provider, probe, 'submit', [3n], {value: 30n, env, reporter: {emit: (e) => events.push(e)}, timeoutMs: 10_000})
    assert.equal(res.receipt.status, 1)
    assert.match(res.hash, /^0x[0-9a-f]{64}$/)
    assert.ok(res.gasUsed > 0n && res.fee > 0n)
    assert.equal(res.from, dev0.address)
    const info = events.find((e) => e.step === 'tx' && e.status === 'info')
    assert.equal(info?.data?.hash, res.hash)
    assert.ok(events.indexOf(info!) < events.findIndex((e) => e.status === 'done'))
    assert.deepEqual(res.events.map((e) => [e.name, e.args.by, e.args.value]), [['Stored', dev0.address, 3n]])
    assert.equal(await callContract<bigint>(provider, probe, 'value'), 3n)
    const pair = await callContract<[bigint, string]>(provider, probe, 'pair', [], {from: dev0.address})
    assert.deepEqual([pair[0], pair[1]], [3n, dev0.address])
  })

  test('simulation decodes a custom error with its arguments (exit 6)', async () => {
    await assert.rejects(
      sendContract(dev0, provider, probe, 'submit', [2n], {value: 5n, env, label: 'Flow.submit'}),
      expectZg('TX_REVERTED', 6, (e) => {
        assert.equal(e.message, 'Flow.submit reverted: NotEnoughFee(price=10, amount=2, paid=5)')
        const r = e.details!.revert as {kind: string; name: string; args: Record<string, string>}
        assert.equal(r.kind, 'custom')
        assert.deepEqual(r.args, {price: '10', amount: '2', paid: '5'})
        assert.equal(e.details!.stage, 'simulation')
      }),
    )
  })

  test('simulation decodes a require string', async () => {
    await assert.rejects(
      sendContract(dev0, provider, probe, 'setPositive', [0n], {env}),
      expectZg('TX_REVERTED', 6, (e) => assert.equal(e.message, 'Probe.setPositive reverted: value must be positive')),
    )
  })

  test('a custom error without the ABI is named by its selector', async () => {
    const data = probe.iface.encodeFunctionData('submit', [1n])
    await assert.rejects(
      sendTransaction(dev0, provider, {to: probe.address, data}, {env, label: 'raw call'}),
      expectZg('TX_REVERTED', 6, (e) => {
        const selector = probe.iface.getError('NotEnoughFee')!.selector
        assert.equal(e.message, `raw call reverted: unknown custom error ${selector}`)
      }),
    )
  })

  test('callContract decodes a panic', async () => {
    await assert.rejects(
      callContract(provider, probe, 'ratio', [1n, 0n]),
      expectZg('TX_REVERTED', 6, (e) => assert.equal(e.message, 'Probe.ratio reverted: panic 0x12 (division or modulo by zero)')),
    )
    assert.equal(await callContract<bigint>(provider, probe, 'ratio', [10n, 2n]), 5n)
  })

  test('callContract at an address without code says so', async () => {
    const nothing: ContractRef = {address: Wallet.createRandom().address, iface: probe.iface, name: 'Ghost'}
    await assert.rejects(callContract(provider, nothing, 'value'), expectZg('CONTRACT_NOT_FOUND', 3))
  })

  test('a failed receipt (status 0) is explained by replaying the call at its block', async () => {
    await assert.rejects(
      sendContract(dev0, provider, probe, 'setPositive', [0n], {env, simulate: false, gasLimit: 100_000n, timeoutMs: 10_000}),
      expectZg('TX_REVERTED', 6, (e) => {
        assert.equal(e.message, 'Probe.setPositive reverted: value must be positive')
        assert.equal(e.details!.stage, 'receipt')
        assert.match(String(e.details!.hash), /^0x[0-9a-f]{64}$/)
      }),
    )
  })

  test('out of gas on chain is reported as such', async () => {
    await assert.rejects(
      sendContract(dev0, provider, probe, 'submit', [1n], {value: 10n, env, simulate: false, gasLimit: 22_000n, timeoutMs: 10_000}),
      expectZg('TX_REVERTED', 6, (e) => assert.match(e.message, /ran out of gas/)),
    )
  })

  test('insufficient funds names the amounts (exit 6)', async () => {
    const poor = Wallet.createRandom()
    await assert.rejects(
      sendTransaction(new Wallet(poor.privateKey), provider, {to: dev0.address, value: parseEther('1')}, {env, fundingHint: 'Get 0G from the faucet'}),
      expectZg('INSUFFICIENT_FUNDS', 6, (e) => {
        assert.match(e.message, new RegExp(poor.address))
        assert.ok(e.suggestions.includes('Get 0G from the faucet'))
      }),
    )
    // Enough for the value but not for gas: caught by our own balance check, with numbers.
    await sendTransaction(dev0, provider, {to: poor.address, value: 1000n}, {env})
    await assert.rejects(
      sendTransaction(new Wallet(poor.privateKey), provider, {to: dev0.address, value: 1000n}, {env}),
      expectZg('INSUFFICIENT_FUNDS', 6, (e) => assert.match(e.message, /holds 0\.000000000000001 0G/)),
    )
  })

  test('EIP-1559 by default, legacy on request', async () => {
    const a = await sendTransaction(dev0, provider, {to: dev0.address, value: 1n}, {env})
    assert.equal((await provider.getTransaction(a.hash))!.type, 2)
    const b = await sendTransaction(dev0, provider, {to: dev0.address, value: 1n}, {env, legacy: true})
    assert.equal((await provider.getTransaction(b.hash))!.type, 0)
    const c = await sendTransaction(dev0, provider, {to: dev0.address, value: 1n}, {env, gasPrice: 3_000_000_000n})
    const tx = (await provider.getTransaction(c.hash))!
    assert.deepEqual([tx.type, tx.gasPrice], [0, 3_000_000_000n])
    assert.equal(c.nonce, b.nonce + 1)
  })

  test('no receipt in time → TX_TIMEOUT (exit 7) carrying the hash, which was reported before', async () => {
    await provider.send('evm_setAutomine', [false])
    const events: ProgressEvent[] = []
    let hash: string | undefined
    try {
      await assert.rejects(
        sendTransaction(dev0, provider, {to: dev0.address, value: 1n}, {env, timeoutMs: 300, reporter: {emit: (e) => events.push(e)}}),
        expectZg('TX_TIMEOUT', 7, (e) => {
          hash = e.details!.hash as string
          assert.match(hash, /^0x[0-9a-f]{64}$/)
          assert.match(e.message, new RegExp(hash))
        }),
      )
      assert.equal(events.find((e) => e.status === 'info')?.data?.hash, hash)
    } finally {
      await provider.send('evm_setAutomine', [true])
    }
    await provider.send('evm_mine', [])
    const receipt = await provider.getTransactionReceipt(hash!)
    assert.equal(receipt?.status, 1, 'the timed-out transaction is mined once blocks resume')
  })

  test('waiting can be interrupted and still reports the hash', async () => {
    await provider.send('evm_setAutomine', [false])
    const ac = new AbortController()
    try {
      await assert.rejects(
        sendTransaction(dev0, provider, {to: dev0.address, value: 1n}, {env, signal: ac.signal, reporter: {emit: (e) => e.status === 'info' && ac.abort()}}),
        expectZg('INTERRUPTED', 130, (e) => assert.match(String(e.details!.hash), /^0x[0-9a-f]{64}$/)),
      )
    } finally {
      await provider.send('evm_setAutomine', [true])
      await provider.send('evm_mine', [])
    }
  })

  test('a transaction replaced by another with the same nonce is reported as replaced, not as a timeout', {timeout: 30_000}, async () => {
    await provider.send('evm_setAutomine', [false])
    const nonce = await provider.getTransactionCount(dev0.address, 'pending')
    const gwei = 1_000_000_000n
    try {
      await assert.rejects(
        sendTransaction(dev0, provider, {to: dev0.address, value: 1n}, {
          env,
          nonce,
          maxFeePerGas: 2n * gwei,
          maxPriorityFeePerGas: gwei,
          timeoutMs: 20_000,
          reporter: {
            emit: (e) => {
              if (e.status !== 'info') return
              // Another wallet speeds up the same nonce, then a block is mined.
              void dev0
                .connect(provider)
                .sendTransaction({to: dev0.address, value: 2n, nonce, gasLimit: 21_000n, maxFeePerGas: 50n * gwei, maxPriorityFeePerGas: 10n * gwei})
                .then(() => provider.send('evm_mine', []))
            },
          },
        }),
        expectZg('TX_REPLACED', 6, (e) => assert.equal(e.details!.nonce, nonce)),
      )
    } finally {
      await provider.send('evm_setAutomine', [true])
    }
  })

  test('decodeRevert handles empty and malformed data', () => {
    assert.equal(decodeRevert('0x').kind, 'empty')
    assert.equal(decodeRevert(undefined).reason, 'reverted without a reason')
    assert.equal(decodeRevert('0x08c379a0ff').kind, 'unknown')
    const iface = new Interface(['error Boom(bytes32 what, address who)'])
    const d = decodeRevert(iface.encodeErrorResult('Boom', ['0x' + 'ab'.repeat(32), dev0.address]), [iface])
    assert.equal(d.reason, `Boom(what=0x${'ab'.repeat(32)}, who=${dev0.address})`)
  })
})
