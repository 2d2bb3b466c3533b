/**
 * `dataDescription`: the public JSON an INFT's IntelligentData carries next to `dataHash` (the 0G Storage root of
 * the encrypted bundle). Neither ERC-7857 nor 0G's reference fixes its format; this one follows AgenticID's
 * (`storage_ptr`, `encryption`) and adds what a reader needs to open the data:
 *
 * ```json
 * {"type":"zg.inft.agent","schemaVersion":1,
 *  "storage_ptr":{"root_hash":"0x…","size":1234},
 *  "encryption":"AES-256-GCM","layout":"nonce12|ciphertext|tag16",
 *  "keySealing":"ECIES-secp256k1-HKDF-SHA256-AES-256-GCM",
 *  "agent":"0x<agent address>","bundleSchemaVersion":1,
 *  "oracle":{"address":"0x…","sealedKey":"0x…"}}
 * ```
 *
 * `oracle.sealedKey` is the data key sealed to the re-encryption oracle at mint/update time. The oracle uses it
 * (and only after checking `authorizedUsersOf` on chain) to re-seal the key for users the owner authorized; the
 * owner's own copy is published in the `PublishedSealedKey` event. It is absent when no oracle was reachable.
 * Nothing secret is in here: only the oracle's private key opens `oracle.sealedKey`.
 */
import {getAddress, isHexString} from 'ethers'
import {BUNDLE_SCHEMA_VERSION} from './bundle.js'
import {PAYLOAD_CIPHER, SEAL_SCHEME} from './crypto.js'

export const DESCRIPTION_TYPE = 'zg.inft.agent'
export const DESCRIPTION_SCHEMA_VERSION = 1
export const PAYLOAD_LAYOUT = 'nonce12|ciphertext|tag16'

export interface AgentDataDescription {
  type: typeof DESCRIPTION_TYPE
  schemaVersion: number
  storage_ptr: {root_hash: string; size: number}
  encryption: string
  layout: string
  keySealing: string
  /** The agent's public address (its key is in the encrypted bundle). */
  agent: string
  bundleSchemaVersion: number
  oracle?: {address: string; sealedKey: string}
}

export function buildDescription(o: {root: string; size: number; agent: string; oracle?: {address: string; sealedKey: string}}): AgentDataDescription {
  const d: AgentDataDescription = {
    type: DESCRIPTION_TYPE,
    schemaVersion: DESCRIPTION_SCHEMA_VERSION,
    storage_ptr: {root_hash: o.root.toLowerCase(), size: o.size},
    encryption: PAYLOAD_CIPHER,
    layout: PAYLOAD_LAYOUT,
    keySealing: SEAL_SCHEME,
    agent: getAddress(o.agent),
    bundleSchemaVersion: BUNDLE_SCHEMA_VERSION,
  }
  if (o.oracle) d.oracle = {address: getAddress(o.oracle.address), sealedKey: o.oracle.sealedKey.toLowerCase()}
  return d
}

export function serializeDescription(d: AgentDataDescription): string {
  return JSON.stringify(d)
}

/**
 * Reads a dataDescription; undefined for one zg did not write (another collection's format), so that `show` can
 * still print the raw text.
 */
export function parseDescription(text: string): AgentDataDescription | undefined {
  let d: Partial<AgentDataDescription>
  try {
    d = JSON.parse(text) as Partial<AgentDataDescription>
  } catch {
    return undefined
  }
  if (!d || typeof d !== 'object' || d.type !== DESCRIPTION_TYPE) return undefined
  if (typeof d.schemaVersion !== 'number' || d.schemaVersion < 1) return undefined
  if (!d.storage_ptr || !isHexString(d.storage_ptr.root_hash, 32) || typeof d.storage_ptr.size !== 'number') return undefined
  if (typeof d.agent !== 'string') return undefined
  try {
    d.agent = getAddress(d.agent)
  } catch {
    return undefined
  }
  if (d.oracle !== undefined) {
    if (typeof d.oracle !== 'object' || typeof d.oracle.address !== 'string' || typeof d.oracle.sealedKey !== 'string' || !isHexString(d.oracle.sealedKey)) delete d.oracle
  }
  return d as AgentDataDescription
}
