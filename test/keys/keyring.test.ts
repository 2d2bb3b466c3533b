import assert from 'node:assert/strict'
import {afterEach, describe, test} from 'node:test'
import {ZgError} from '../../src/core/errors.js'
import {
  deleteKeyringPassword,
  getKeyringPassword,
  probeKeyring,
  setKeyringBackend,
  setKeyringPassword,
  type KeyringEntry,
} from '../../src/core/keys/keyring.js'

const never = () => new Promise<never>(() => {})

function fake(impl: Partial<KeyringEntry>, onConstruct?: () => void) {
  setKeyringBackend(() => {
    onConstruct?.()
    return {
      setPassword: impl.setPassword ?? (async () => {}),
      getPassword: impl.getPassword ?? (async () => null),
      deletePassword: impl.deletePassword ?? (async () => true),
    }
  })
}

describe('OS keyring', () => {
  afterEach(() => setKeyringBackend(undefined))

  // The real native keyring. On a headless machine without a D-Bus session (this CI) it is unavailable; on a
  // desktop it may be available or locked. Either way: an answer within the bound, and no raw throw.
  test('probe of the real keyring answers within its bound and never throws', {timeout: 15_000}, async () => {
    const p = await probeKeyring({service: 'zg-test', timeoutMs: 3000})
    assert.ok(['available', 'locked', 'unavailable'].includes(p.state), p.state)
    if (p.state === 'available') {
      assert.equal(p.reason, undefined)
    } else {
      assert.ok(typeof p.reason === 'string' && p.reason.length > 0)
    }
    const headless = process.platform === 'linux' && !process.env.DBUS_SESSION_BUS_ADDRESS && !process.env.ZG_KEYRING_STORE
    if (headless) {
      // Linux pins the Secret Service, which needs a D-Bus session bus: without one it is unavailable, and says so.
      assert.equal(p.state, 'unavailable')
      assert.match(p.reason!, /dbus|d-bus/i)
    }
    if (p.state !== 'available') {
      // Writes fail with our typed error. Elsewhere reads may answer null (a locked store reports "no entry"),
      // which is why callers must probe before trusting a null; but nothing throws raw.
      const typed = (e: unknown) => {
        assert.ok(e instanceof ZgError, String(e))
        assert.equal(e.exit, 4)
        assert.match(e.code, /^KEYRING_(UNAVAILABLE|LOCKED|TIMEOUT)$/)
        assert.match(e.suggestions.join(' '), /--password-file|ZG_PASSWORD/)
        return true
      }
      await assert.rejects(setKeyringPassword('someone', 'pw', {service: 'zg-test'}), typed)
      if (headless) {
        await assert.rejects(getKeyringPassword('someone', {service: 'zg-test'}), typed)
        await assert.rejects(deleteKeyringPassword('someone', {service: 'zg-test'}), typed)
      } else {
        await getKeyringPassword('someone', {service: 'zg-test'}).then((v) => assert.equal(v, null), typed)
        await deleteKeyringPassword('someone', {service: 'zg-test'}).then((v) => assert.equal(v, false), typed)
      }
    } else {
      await setKeyringPassword('zg-test-account', 'pw', {service: 'zg-test'})
      assert.equal(await getKeyringPassword('zg-test-account', {service: 'zg-test'}), 'pw')
      assert.equal(await deleteKeyringPassword('zg-test-account', {service: 'zg-test'}), true)
    }
  })

  test('a working store probes as available and round-trips a password', async () => {
    const m = new Map<string, string>()
    setKeyringBackend((service, account) => ({
      async setPassword(p) {
        m.set(service + account, p)
      },
      async getPassword() {
        return m.get(service + account) ?? null
      },
      async deletePassword() {
        return m.delete(service + account)
      },
    }))
    assert.equal((await probeKeyring()).state, 'available')
    assert.equal(m.size, 0, 'probe entry deleted')
    await setKeyringPassword('alice', 's3cret')
    assert.equal(await getKeyringPassword('alice'), 's3cret')
    assert.equal(await deleteKeyringPassword('alice'), true)
    assert.equal(await getKeyringPassword('alice'), null)
  })

  test('a locked store that reads back null is "locked", not "nothing stored"', async () => {
    fake({getPassword: async () => null})
    const p = await probeKeyring()
    assert.equal(p.state, 'locked')
    assert.match(p.reason!, /locked/)
  })

  test('a store refusing writes as locked is "locked"', async () => {
    fake({setPassword: async () => Promise.reject(new Error('Secret Service: unlock prompt was dismissed'))})
    assert.equal((await probeKeyring()).state, 'locked')
    await assert.rejects(setKeyringPassword('a', 'b'), (e: unknown) => e instanceof ZgError && e.code === 'KEYRING_LOCKED' && e.exit === 4)
  })

  test('a backend that throws synchronously is "unavailable"', async () => {
    setKeyringBackend(() => {
      throw new Error('DBus error: Using X11 for dbus-daemon autolaunch was disabled')
    })
    const p = await probeKeyring()
    assert.equal(p.state, 'unavailable')
    assert.match(p.reason!, /DBus/)
    await assert.rejects(getKeyringPassword('a'), (e: unknown) => e instanceof ZgError && e.code === 'KEYRING_UNAVAILABLE')
  })

  test('a hanging store is cut off by the timeout', async () => {
    fake({setPassword: never, getPassword: never})
    const p = await probeKeyring({timeoutMs: 100})
    assert.equal(p.state, 'unavailable')
    assert.match(p.reason!, /did not answer/)
    await assert.rejects(getKeyringPassword('a', {timeoutMs: 100}), (e: unknown) => e instanceof ZgError && e.code === 'KEYRING_TIMEOUT' && e.exit === 4)
  })
})
