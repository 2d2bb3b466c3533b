import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {after, describe, test} from 'node:test'
import {parse} from 'smol-toml'
import {Wallet} from 'ethers'
import {ROOT, envelope, runZg, tempHome} from '../helpers/cli.js'
import {registerSecret} from '../helpers/capture.js'
import {freePort} from '../helpers/ports.js'
import {startTestDevnet} from '../helpers/devnet.js'

const FAKE = path.join(ROOT, 'test', 'operator', 'fake-zgs-node.mjs')

describe('zg node operator', () => {
  const home = tempHome('zg-operator-')
  const env = {...home.env, ZG_KEYSTORE_SCRYPT_N: '4096', ZG_PASSWORD: 'miner password'}
  const dir = path.join(home.dataDir, 'node1')
  after(async () => {
    await runZg(['node', 'operator', 'stop', '--dir', dir], {env})
    home.cleanup()
  })

  test('init writes a galileo config from the profile, without the miner key', async () => {
    const key = Wallet.createRandom()
    registerSecret(key.privateKey)
    const keyFile = path.join(home.dataDir, 'k')
    fs.mkdirSync(home.dataDir, {recursive: true})
    fs.writeFileSync(keyFile, key.privateKey, {mode: 0o600})
    assert.equal((await runZg(['wallet', 'import', 'miner', '--private-key-file', keyFile, '--json'], {env})).code, 0)
    fs.rmSync(keyFile)
    const port = await freePort()
    const r = await runZg(['node', 'operator', 'init', '--network', 'galileo', '--account', 'miner', '--dir', dir, '--rpc-listen', `127.0.0.1:${port}`, '--shard', '0/2', '--json'], {env})
    const e = envelope(r)
    assert.equal(e.ok, true, r.stdout + r.stderr)
    assert.equal(e.data.miner, key.address)
    const text = fs.readFileSync(path.join(dir, 'config.toml'), 'utf8')
    assert.equal(fs.statSync(path.join(dir, 'config.toml')).mode & 0o777, 0o600)
    const cfg = parse(text) as Record<string, any>
    assert.equal(cfg.log_contract_address, '0x22E03a6A89B950F1c82ec5e74F8eCa321a105296')
    assert.equal(cfg.mine_contract_address, '0x00A9E9604b0538e06b268Fb297Df333337f9593b')
    assert.equal(cfg.reward_contract_address, '0xA97B57b4BdFEA2D0a25e535bd849ad4e6C440A69')
    assert.equal(cfg.blockchain_rpc_endpoint, 'https://evmrpc-testnet.0g.ai')
    assert.equal(cfg.shard_position, '0/2')
    assert.equal(cfg.miner_key, undefined)
    assert.equal(text.toLowerCase().includes(key.privateKey.slice(2).toLowerCase()), false)

    const again = await runZg(['node', 'operator', 'init', '--network', 'galileo', '--account', 'miner', '--dir', dir, '--json'], {env})
    assert.equal(again.code, 2, 'an existing config is not overwritten without --force')
    const bad = await runZg(['node', 'operator', 'init', '--network', 'galileo', '--account', 'miner', '--dir', dir + '-x', '--shard', '1/3', '--json'], {env})
    assert.equal(bad.code, 2)
  })

  test('a raw key needs --unsafe, which writes it into the config', async () => {
    const key = Wallet.createRandom()
    registerSecret(key.privateKey)
    const keyFile = path.join(home.dataDir, 'raw.key')
    fs.writeFileSync(keyFile, key.privateKey, {mode: 0o600})
    const refused = await runZg(['node', 'operator', 'init', '--network', 'mainnet', '--private-key-file', keyFile, '--dir', dir + '-raw', '--json'], {env})
    assert.equal(refused.code, 2)
    const ok = await runZg(['node', 'operator', 'init', '--network', 'mainnet', '--private-key-file', keyFile, '--dir', dir + '-raw', '--unsafe', '--json'], {env})
    const e = envelope(ok)
    assert.equal(e.ok, true)
    assert.equal(e.warnings?.length, 1)
    const cfg = parse(fs.readFileSync(path.join(dir + '-raw', 'config.toml'), 'utf8')) as Record<string, any>
    assert.equal(cfg.miner_key, key.privateKey.slice(2))
    assert.equal(cfg.log_contract_address, '0x62D4144dB0F0a6fBBaeb6296c785C71B3D57C526')
  })

  test('start supervises the binary: key injected at runtime only, restart after a crash, status, stop', async () => {
    const r = await runZg(['node', 'operator', 'start', '--dir', dir, '--binary', FAKE, '--detach', '--backoff-ms', '100', '--json'], {env})
    const e = envelope(r)
    assert.equal(e.ok, true, r.stdout + r.stderr)
    // First run crashes; the supervisor restarts it and the second run serves RPC.
    let status: any
    for (let i = 0; i < 100; i++) {
      status = envelope(await runZg(['node', 'operator', 'status', '--dir', dir, '--json'], {env})).data
      if (status.health?.reachable) break
      await new Promise((res) => setTimeout(res, 100))
    }
    assert.equal(status.running, true)
    assert.ok(status.restarts >= 1, `restarts ${status.restarts}`)
    assert.equal(status.lastExit.code, 3)
    assert.equal(status.health.logSyncHeight, 42)
    assert.equal(status.health.connectedPeers, 7)

    const seen = fs.readFileSync(path.join(dir, 'seen.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    const wallet = await Wallet.fromEncryptedJson(fs.readFileSync(path.join(home.dataDir, 'keystores', 'miner'), 'utf8'), 'miner password')
    const want = crypto.createHash('sha256').update(wallet.privateKey.slice(2)).digest('hex')
    for (const s of seen) {
      assert.equal(s.keySha, want, 'the node got the miner key')
      assert.notEqual(path.resolve(s.cfgPath), path.join(dir, 'config.toml'), 'through a runtime copy')
    }
    // The key-bearing runtime config does not outlive start-up.
    for (let i = 0; i < 80 && fs.readdirSync(path.join(dir, '.runtime')).length; i++) await new Promise((res) => setTimeout(res, 100))
    assert.deepEqual(fs.readdirSync(path.join(dir, '.runtime')), [])
    assert.equal(fs.readFileSync(path.join(dir, 'config.toml'), 'utf8').includes(wallet.privateKey.slice(2)), false)

    const logs = await runZg(['node', 'operator', 'logs', '--dir', dir], {env})
    assert.match(logs.stdout, /fake zgs_node run 2/)
    const stop = envelope(await runZg(['node', 'operator', 'stop', '--dir', dir, '--json'], {env}))
    assert.equal(stop.data.stopped, true)
    const after = envelope(await runZg(['node', 'operator', 'status', '--dir', dir, '--json'], {env}))
    assert.equal(after.data.running, false)
  })

  test('a missing binary is exit 3', async () => {
    const r = await runZg(['node', 'operator', 'start', '--dir', dir, '--binary', '/nope/zgs_node', '--json'], {env})
    assert.equal(r.code, 3)
  })
})

describe('zg node operator health against the devnet storage nodes', () => {
  test('both nodes report sync height, shard config and next tx seq', async () => {
    const devnet = await startTestDevnet()
    try {
      const r = await runZg(['node', 'operator', 'health', '--network', 'local', '--json'], {env: devnet.env})
      const e = envelope(r)
      assert.equal(e.ok, true, r.stdout + r.stderr)
      assert.equal(e.data.length, 2)
      assert.deepEqual(e.data.map((h: any) => `${h.shard.shardId}/${h.shard.numShard}`).sort(), ['0/2', '1/2'])
      for (const h of e.data) {
        assert.equal(h.reachable, true)
        assert.equal(h.chainId, 31337)
        assert.ok(h.chainHead >= h.logSyncHeight)
        assert.equal(typeof h.nextTxSeq, 'number')
      }
      const down = await runZg(['node', 'operator', 'health', `http://127.0.0.1:${await freePort()}`, '--network', 'local', '--json'], {env: devnet.env})
      assert.equal(down.code, 5)
      assert.equal(envelope(down).data[0].reachable, false)
    } finally {
      await devnet.stop()
    }
  })
})
