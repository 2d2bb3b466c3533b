import crypto from 'node:crypto'
import {authError, ZgError} from '../errors.js'

/**
 * The OS keyring (macOS Keychain, Windows Credential Manager, Secret Service / kernel keyutils on Linux) through
 * @napi-rs/keyring, used only to remember keystore *passwords*: service "zg", account = keystore name.
 *
 * Rules learned the hard way (shared/docs/cli-conventions.md §3): the module is loaded lazily (it is a native
 * addon and most commands never need it); every call is wrapped in try/catch *and* a timeout, because D-Bus
 * activation or an unlock dialog can block; and a locked Secret Service answers `get` with null, exactly like
 * "nothing stored", so callers should `probe()` before concluding a password was never saved.
 *
 * On Linux we pin the Secret Service by default instead of the module's automatic fallback to the kernel keyutils
 * store: keyutils entries vanish at reboot, and on the headless machines we tested the fallback answered the first
 * entry of each process with AccessDenied and later ones with success, so a probe could not be trusted.
 * ZG_KEYRING_STORE=keyutils (or auto) opts in to the other behaviours.
 *
 * Limitation: a timed-out call is abandoned, not cancelled (the native call runs on a libuv worker thread and
 * may still be blocked when we give up). That cannot block the caller, but it can delay process exit until the
 * OS call returns; CLI entry points should exit explicitly.
 */

export const KEYRING_SERVICE = 'zg'
export const DEFAULT_KEYRING_TIMEOUT_MS = 3000

/** The probe uses an account name that can never be a keystore name (":" is not allowed in those). */
const PROBE_ACCOUNT = 'zg:probe'

export type KeyringState = 'available' | 'locked' | 'unavailable'

export interface KeyringProbe {
  state: KeyringState
  /** Why it is locked or unavailable, in words a user can act on. Absent when available. */
  reason?: string
  /** How long the probe took. */
  ms: number
}

export interface KeyringOptions {
  /** Bound for each call; default 3000 ms. */
  timeoutMs?: number
  /** Service name; default "zg" (tests may isolate themselves with another). */
  service?: string
  /**
   * Linux only: 'secret-service' (default), 'keyutils' (kernel, lost at reboot) or 'auto' (the module's own
   * fallback). Default: ZG_KEYRING_STORE, else 'secret-service'. Ignored on macOS and Windows.
   */
  store?: KeyringStore
  /** For ZG_KEYRING_STORE; default process.env. */
  env?: NodeJS.ProcessEnv
}

export type KeyringStore = 'secret-service' | 'keyutils' | 'auto'

/** The subset of @napi-rs/keyring's AsyncEntry we use (so tests can inject a fake backend). */
export interface KeyringEntry {
  setPassword(password: string, signal?: AbortSignal | null): Promise<void>
  getPassword(signal?: AbortSignal | null): Promise<string | null>
  deletePassword(signal?: AbortSignal | null): Promise<boolean>
}
export type KeyringBackend = (service: string, account: string, store: KeyringStore) => KeyringEntry

let backendOverride: KeyringBackend | undefined

/** Replaces the native backend (tests only); pass undefined to restore it. */
export function setKeyringBackend(b: KeyringBackend | undefined): void {
  backendOverride = b
}

function storeOf(opts: KeyringOptions): KeyringStore {
  const s = opts.store ?? (opts.env ?? process.env).ZG_KEYRING_STORE
  return s === 'keyutils' || s === 'auto' ? s : 'secret-service'
}

async function openEntry(opts: KeyringOptions, account: string): Promise<KeyringEntry> {
  const service = opts.service ?? KEYRING_SERVICE
  const store = storeOf(opts)
  if (backendOverride) return backendOverride(service, account, store)
  let mod: {AsyncEntry: new (service: string, account: string, options?: {linux?: {store?: string}}) => KeyringEntry}
  try {
    mod = (await import('@napi-rs/keyring')) as unknown as typeof mod
  } catch (e) {
    throw keyringFailure('unavailable', `the keyring module could not be loaded for ${process.platform}-${process.arch} (${short(e)})`)
  }
  try {
    // The constructor can throw synchronously (e.g. no D-Bus session bus).
    return new mod.AsyncEntry(service, account, store === 'auto' ? undefined : {linux: {store}})
  } catch (e) {
    throw keyringFailure('unavailable', short(e))
  }
}

/**
 * Writes, reads back and deletes a probe entry, bounded by the timeout. Never throws.
 * - available: the round trip worked;
 * - locked: the store exists but refused (locked collection, dismissed unlock prompt) or read back nothing;
 * - unavailable: no store (headless Linux without D-Bus, no module), or it did not answer in time.
 */
export async function probeKeyring(opts: KeyringOptions = {}): Promise<KeyringProbe> {
  const t0 = performance.now()
  const done = (state: KeyringState, reason?: string): KeyringProbe => ({state, ...(reason ? {reason} : {}), ms: Math.round(performance.now() - t0)})
  const timeoutMs = opts.timeoutMs ?? DEFAULT_KEYRING_TIMEOUT_MS
  const value = 'probe-' + crypto.randomBytes(8).toString('hex')
  try {
    const e = await openEntry(opts, PROBE_ACCOUNT)
    await bounded((s) => e.setPassword(value, s), timeoutMs, 'write').catch(async (err) => {
      // A failed write can still leave an entry behind (seen with keyutils): try to remove it, briefly.
      await bounded((s) => e.deletePassword(s), Math.min(timeoutMs, 500), 'delete').catch(() => undefined)
      throw err
    })
    const back = await bounded((s) => e.getPassword(s), timeoutMs, 'read')
    await bounded((s) => e.deletePassword(s), timeoutMs, 'delete').catch(() => undefined)
    if (back !== value) return done('locked', 'the keyring accepted a probe entry but did not return it (it is probably locked)')
    return done('available')
  } catch (e) {
    if (e instanceof ZgError && e.details?.keyringState) return done(e.details.keyringState as KeyringState, e.details.reason as string)
    const {state, reason} = classify(e)
    return done(state, reason)
  }
}

/**
 * The stored password for keystore `account`, or null if none is stored. A null can also mean a *locked* keyring
 * (see probeKeyring). Throws authError KEYRING_UNAVAILABLE / KEYRING_LOCKED / KEYRING_TIMEOUT (exit 4) on failure.
 */
export async function getKeyringPassword(account: string, opts: KeyringOptions = {}): Promise<string | null> {
  return run(opts, account, (e, s) => e.getPassword(s), 'read')
}

/** Remembers the password for keystore `account`. Throws like getKeyringPassword. */
export async function setKeyringPassword(account: string, password: string, opts: KeyringOptions = {}): Promise<void> {
  await run(opts, account, (e, s) => e.setPassword(password, s), 'write')
}

/** Forgets the password for keystore `account`; true if one was stored. Throws like getKeyringPassword. */
export async function deleteKeyringPassword(account: string, opts: KeyringOptions = {}): Promise<boolean> {
  return run(opts, account, (e, s) => e.deletePassword(s), 'delete')
}

async function run<T>(opts: KeyringOptions, account: string, fn: (e: KeyringEntry, s: AbortSignal) => Promise<T>, op: string): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_KEYRING_TIMEOUT_MS
  try {
    const entry = await openEntry(opts, account)
    return await bounded((s) => fn(entry, s), timeoutMs, op)
  } catch (e) {
    if (e instanceof ZgError) throw e
    const {state, reason} = classify(e)
    throw keyringFailure(state, reason)
  }
}

/** Races the call against a timer; the AbortSignal lets the native side drop the task if it hasn't started. */
async function bounded<T>(fn: (s: AbortSignal) => Promise<T>, timeoutMs: number, op: string): Promise<T> {
  const ac = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ac.abort()
      reject(keyringFailure('unavailable', `the keyring did not answer a ${op} within ${timeoutMs} ms (it may be waiting for an unlock prompt)`, 'KEYRING_TIMEOUT'))
    }, timeoutMs)
  })
  try {
    // Promise.resolve().then: a synchronous throw inside fn becomes a rejection we can classify.
    return await Promise.race([Promise.resolve().then(() => fn(ac.signal)), timeout])
  } finally {
    clearTimeout(timer)
  }
}

const LOCKED = /locked|unlock|prompt.*dismiss|dismiss.*prompt|interaction ?not ?allowed|user ?cancel|canceled by user|errSecAuthFailed/i

function classify(e: unknown): {state: KeyringState; reason: string} {
  const msg = short(e)
  return LOCKED.test(msg) ? {state: 'locked', reason: msg} : {state: 'unavailable', reason: msg}
}

function keyringFailure(state: KeyringState, reason: string, code?: string): ZgError {
  const locked = state === 'locked'
  return authError(`The OS keyring is ${locked ? 'locked' : 'unavailable'}: ${reason}.`, {
    code: code ?? (locked ? 'KEYRING_LOCKED' : 'KEYRING_UNAVAILABLE'),
    suggestions: locked
      ? ['Unlock your keyring (log in to the desktop session), or pass the password with --password-file or ZG_PASSWORD.']
      : ['Pass the keystore password with --password-file or ZG_PASSWORD; on a headless machine the keyring is usually unavailable.'],
    details: {keyringState: state, reason},
  })
}

function short(e: unknown): string {
  const m = (e as {message?: unknown})?.message
  return (typeof m === 'string' ? m : String(e)).split('\n')[0]!.slice(0, 300)
}
