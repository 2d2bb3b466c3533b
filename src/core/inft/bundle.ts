/**
 * The private payload of an INFT: an AI agent, i.e. its own secp256k1 private key plus its metadata. It is
 * serialized as UTF-8 JSON with a schema version, encrypted (crypto.ts) and stored on 0G Storage.
 *
 * The agent key lives unencrypted only in memory, inside an `AgentKey`, whose private key is a private class field:
 * JSON.stringify, util.inspect, template strings and error messages only ever see the address. The one way to get
 * the key out is `reveal()`, used to serialize the bundle for encryption, to sign as the agent, and by an explicit
 * user-requested reveal.
 */
import {inspect} from 'node:util'
import {Wallet, getAddress, isHexString} from 'ethers'
import {usageError, ZgError, ExitCode} from '../errors.js'

export const BUNDLE_TYPE = 'zg.inft.agent-bundle'
/** Current bundle schema; parse accepts 1..BUNDLE_SCHEMA_VERSION. */
export const BUNDLE_SCHEMA_VERSION = 1
/** Upper bound for a serialized bundle (memory, prompts and tools included). */
export const MAX_BUNDLE_BYTES = 16 * 1024 * 1024

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

/** An agent's private key, kept out of every printable form. */
export class AgentKey {
  readonly #privateKey: string
  readonly address: string

  private constructor(privateKey: string) {
    this.#privateKey = privateKey
    this.address = new Wallet(privateKey).address
  }

  /** A fresh random key. */
  static generate(): AgentKey {
    return new AgentKey(Wallet.createRandom().privateKey)
  }

  /**
   * From 64 hex digits (0x optional, surrounding whitespace ignored). The error never repeats the input.
   * @throws usageError INVALID_AGENT_KEY
   */
  static fromHex(text: string, where = 'the agent key'): AgentKey {
    const s = text.trim()
    const hex = /^0x/i.test(s) ? s.slice(2) : s
    const bad = (why: string) =>
      usageError(`${where} is not a valid secp256k1 private key: ${why}.`, {
        code: 'INVALID_AGENT_KEY',
        suggestions: ['An agent key is 64 hexadecimal digits, optionally prefixed with 0x, alone in the file.'],
      })
    if (!/^[0-9a-fA-F]*$/.test(hex)) throw bad('it contains characters that are not hexadecimal digits')
    if (hex.length !== 64) throw bad(`expected 64 hex digits, got ${hex.length}`)
    const k = BigInt('0x' + hex)
    if (k === 0n || k >= SECP256K1_N) throw bad('it is outside the range of secp256k1 keys')
    return new AgentKey('0x' + hex.toLowerCase())
  }

  /** The private key as 0x-hex. Only for encryption, signing as the agent and an explicit reveal. */
  reveal(): string {
    return this.#privateKey
  }

  /** An ethers Wallet for the agent (to sign its own transactions). */
  wallet(): Wallet {
    return new Wallet(this.#privateKey)
  }

  toJSON() {
    return {address: this.address}
  }

  toString() {
    return `AgentKey(${this.address})`
  }

  [inspect.custom]() {
    return this.toString()
  }
}

/** The public, non-secret description of the model behind the agent. */
export interface AgentModel {
  /** A registered model asset (id or name in the model registry). */
  asset?: string
  /** The 0G Storage root of the model weights. */
  root?: string
}

export interface AgentMetadata {
  name: string
  description?: string
  model?: AgentModel
  systemPrompt?: string
  /** Tool definitions (free-form JSON, e.g. OpenAI-style function specs). */
  tools?: unknown[]
  /** The agent's memory (free-form JSON). */
  memory?: unknown
}

/** A key the agent used before a rotation; kept so that funds arriving later at an old address can be swept. */
export interface RetiredAgentKey {
  key: AgentKey
  retiredAt: string
}

export interface AgentBundle {
  schemaVersion: number
  agent: AgentKey
  metadata: AgentMetadata
  createdAt: string
  /** Keys retired by `zg inft rotate`, newest first. */
  previousAgents: RetiredAgentKey[]
}

export function newBundle(metadata: AgentMetadata, agent: AgentKey, now = new Date()): AgentBundle {
  return {schemaVersion: BUNDLE_SCHEMA_VERSION, agent, metadata: checkMetadata(metadata), createdAt: now.toISOString(), previousAgents: []}
}

/** The bundle with a new agent key; the old one moves to previousAgents. */
export function rotateBundle(b: AgentBundle, next: AgentKey, now = new Date()): AgentBundle {
  return {...b, schemaVersion: BUNDLE_SCHEMA_VERSION, agent: next, previousAgents: [{key: b.agent, retiredAt: now.toISOString()}, ...b.previousAgents]}
}

/** Serialized bytes (UTF-8 JSON). These bytes contain the agent key: encrypt them and drop them. */
export function serializeBundle(b: AgentBundle): Uint8Array {
  const doc = {
    type: BUNDLE_TYPE,
    schemaVersion: BUNDLE_SCHEMA_VERSION,
    agent: {address: b.agent.address, privateKey: b.agent.reveal()},
    metadata: checkMetadata(b.metadata),
    createdAt: b.createdAt,
    previousAgents: b.previousAgents.map((p) => ({address: p.key.address, privateKey: p.key.reveal(), retiredAt: p.retiredAt})),
  }
  const bytes = new TextEncoder().encode(JSON.stringify(doc))
  if (bytes.length > MAX_BUNDLE_BYTES) throw usageError(`The agent bundle is ${bytes.length} bytes; the limit is ${MAX_BUNDLE_BYTES}.`, {code: 'BUNDLE_TOO_LARGE', suggestions: ['Store large memories or models separately on 0G Storage and reference their roots.']})
  return bytes
}

const invalid = (why: string) =>
  new ZgError(`The decrypted agent bundle is invalid: ${why}.`, {code: 'BUNDLE_INVALID', exit: ExitCode.UNEXPECTED, suggestions: ['The token points at data that zg did not write, or it was written by an incompatible tool.']})

/**
 * Parses decrypted bundle bytes. Errors never quote the bytes (they hold a private key).
 * @throws ZgError BUNDLE_INVALID, BUNDLE_TOO_NEW (a newer schema: upgrade zg)
 */
export function parseBundle(bytes: Uint8Array): AgentBundle {
  let doc: Record<string, unknown>
  try {
    doc = JSON.parse(new TextDecoder('utf-8', {fatal: true}).decode(bytes)) as Record<string, unknown>
  } catch {
    throw invalid('it is not UTF-8 JSON')
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw invalid('it is not a JSON object')
  if (doc.type !== BUNDLE_TYPE) throw invalid(`its type is not "${BUNDLE_TYPE}"`)
  const v = doc.schemaVersion
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw invalid('it has no valid schemaVersion')
  if (v > BUNDLE_SCHEMA_VERSION) {
    throw new ZgError(`The agent bundle uses schema version ${v}; this zg reads up to ${BUNDLE_SCHEMA_VERSION}.`, {code: 'BUNDLE_TOO_NEW', exit: ExitCode.USAGE, suggestions: ['Upgrade zg.']})
  }
  const agent = readKey(doc.agent, 'agent')
  const prev = doc.previousAgents === undefined ? [] : doc.previousAgents
  if (!Array.isArray(prev)) throw invalid('previousAgents is not a list')
  const previousAgents = prev.map((p, i) => ({key: readKey(p, `previousAgents[${i}]`), retiredAt: typeof (p as {retiredAt?: unknown}).retiredAt === 'string' ? (p as {retiredAt: string}).retiredAt : ''}))
  if (typeof doc.createdAt !== 'string') throw invalid('createdAt is missing')
  let metadata: AgentMetadata
  try {
    metadata = checkMetadata(doc.metadata as AgentMetadata)
  } catch (e) {
    throw invalid(`metadata: ${(e as Error).message}`)
  }
  return {schemaVersion: v, agent, metadata, createdAt: doc.createdAt, previousAgents}
}

function readKey(x: unknown, where: string): AgentKey {
  const o = x as {address?: unknown; privateKey?: unknown} | null
  if (!o || typeof o.privateKey !== 'string' || !isHexString(o.privateKey, 32)) throw invalid(`${where}.privateKey is missing or malformed`)
  let key: AgentKey
  try {
    key = AgentKey.fromHex(o.privateKey)
  } catch {
    throw invalid(`${where}.privateKey is not a secp256k1 key`)
  }
  if (typeof o.address === 'string' && o.address.toLowerCase() !== key.address.toLowerCase()) throw invalid(`${where}.address does not match its private key`)
  return key
}

/** Validates metadata shapes; returns a clean copy (unknown fields dropped). */
export function checkMetadata(m: AgentMetadata): AgentMetadata {
  if (!m || typeof m !== 'object') throw usageError('Agent metadata must be an object.', {code: 'INVALID_METADATA'})
  if (typeof m.name !== 'string' || m.name.trim() === '') throw usageError('The agent needs a name (--name).', {code: 'INVALID_METADATA'})
  if (m.name.length > 200) throw usageError('The agent name is longer than 200 characters.', {code: 'INVALID_METADATA'})
  const out: AgentMetadata = {name: m.name.trim()}
  if (m.description !== undefined) {
    if (typeof m.description !== 'string') throw usageError('The description must be text.', {code: 'INVALID_METADATA'})
    out.description = m.description
  }
  if (m.model !== undefined) {
    if (typeof m.model !== 'object' || m.model === null) throw usageError('model must be {asset?, root?}.', {code: 'INVALID_METADATA'})
    const model: AgentModel = {}
    if (m.model.asset !== undefined) {
      if (typeof m.model.asset !== 'string' || m.model.asset === '') throw usageError('model.asset must be a non-empty string.', {code: 'INVALID_METADATA'})
      model.asset = m.model.asset
    }
    if (m.model.root !== undefined) {
      if (typeof m.model.root !== 'string' || !isHexString(m.model.root, 32)) throw usageError('model.root must be a 0x-prefixed 32-byte storage root.', {code: 'INVALID_METADATA'})
      model.root = m.model.root.toLowerCase()
    }
    if (model.asset !== undefined || model.root !== undefined) out.model = model
  }
  if (m.systemPrompt !== undefined) {
    if (typeof m.systemPrompt !== 'string') throw usageError('The system prompt must be text.', {code: 'INVALID_METADATA'})
    out.systemPrompt = m.systemPrompt
  }
  if (m.tools !== undefined) {
    if (!Array.isArray(m.tools)) throw usageError('tools must be a JSON array.', {code: 'INVALID_METADATA'})
    out.tools = m.tools
  }
  if (m.memory !== undefined) out.memory = m.memory
  return out
}

/** The shape a model reference takes on the command line: a 0x storage root, or a registry asset name. */
export function parseModelRef(s: string): AgentModel {
  const t = s.trim()
  if (isHexString(t, 32)) return {root: t.toLowerCase()}
  if (t === '') throw usageError('--model is empty.')
  return {asset: t}
}

/** The checksummed address, or a usage error naming the flag. */
export function checkedAddress(a: string, flag: string): string {
  try {
    return getAddress(a)
  } catch {
    throw usageError(`${flag} is not an address: ${a}`, {code: 'INVALID_ADDRESS'})
  }
}
