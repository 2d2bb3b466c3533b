/**
 * How every zg command names a registered asset: the one parser of `name@version` and its variants.
 *
 *   12  #12  12@1.0.0            asset id (optionally a version of it)
 *   tiny-llm  tiny-llm@1.0.0     a name; the registry must know exactly one asset of that name (any owner)
 *   0xOWNER/tiny-llm@1.0.0       a name under one owner (names are unique per owner)
 *   …@latest                     the latest published version (the default when no version is given)
 *
 * A name made only of digits reads as an id; name such an asset with its owner (0xOWNER/123).
 */
import {usageError} from '../errors.js'
import {explainSemver} from './semver.js'

export const NAME_RE = /^[A-Za-z0-9._-]{1,64}$/
const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/

export interface AssetRef {
  /** What the user typed. */
  raw: string
  id?: bigint
  owner?: string
  name?: string
  /** A semantic version; undefined = latest. */
  version?: string
}

export interface RefProblem {
  message: string
  fix: string
}

const REF_HELP = 'Name an asset by id (12), name (tiny-llm), or owner and name (0xOWNER/tiny-llm), optionally with @VERSION (tiny-llm@1.0.0).'

/** Parses a reference; returns the problem instead of throwing (for manifest validation). */
export function tryParseAssetRef(input: string | number | bigint): AssetRef | RefProblem {
  if (typeof input === 'number' || typeof input === 'bigint') {
    if ((typeof input === 'number' && !Number.isSafeInteger(input)) || BigInt(input) < 1n) return {message: `asset id ${input} is not a positive integer`, fix: 'Asset ids start at 1.'}
    return {raw: String(input), id: BigInt(input)}
  }
  const raw = input
  const s = input.trim()
  if (!s) return {message: 'the asset reference is empty', fix: REF_HELP}
  const at = s.lastIndexOf('@')
  const head = at === -1 ? s : s.slice(0, at)
  let version: string | undefined = at === -1 ? undefined : s.slice(at + 1)
  if (version !== undefined) {
    if (version === '' ) return {message: `"${s}" ends with "@" and no version`, fix: `Write "${head}@1.0.0" (a version) or "${head}" (the latest).`}
    if (version === 'latest') version = undefined
    else {
      const bad = explainSemver(version)
      if (bad) return {message: `in "${s}", ${bad.message}`, fix: bad.fix}
    }
  }
  const idm = /^#?(\d+)$/.exec(head)
  if (idm) {
    const id = BigInt(idm[1]!)
    if (id < 1n) return {message: `asset id ${idm[1]} is not a positive integer`, fix: 'Asset ids start at 1.'}
    return {raw, id, version}
  }
  const slash = head.indexOf('/')
  if (slash !== -1) {
    const owner = head.slice(0, slash)
    const name = head.slice(slash + 1)
    if (!ADDRESS_RE.test(owner)) return {message: `"${owner}" in "${s}" is not an owner address`, fix: 'Write the owner as a 0x-prefixed 20-byte address: 0xOWNER/name@version.'}
    if (!NAME_RE.test(name)) return {message: `"${name}" is not a valid asset name`, fix: 'Names are 1-64 characters of letters, digits, ".", "_" and "-".'}
    return {raw, owner, name, version}
  }
  if (!NAME_RE.test(head)) return {message: `"${head}" is not a valid asset name or id`, fix: REF_HELP}
  return {raw, name: head, version}
}

export const isRefProblem = (r: AssetRef | RefProblem): r is RefProblem => 'message' in r

/** Parses a reference typed on the command line; exit 2 with the fix when it is malformed. */
export function parseAssetRef(input: string | number | bigint, what = 'asset'): AssetRef {
  const r = tryParseAssetRef(input)
  if (isRefProblem(r)) throw usageError(`Invalid ${what} reference: ${r.message}.`, {code: 'INVALID_ASSET_REF', suggestions: [r.fix]})
  return r
}

/** The canonical text of a resolved reference: name@version (with the owner when asked). */
export function formatRef(a: {name: string; owner?: string; version?: string}, withOwner = false): string {
  return `${withOwner && a.owner ? `${a.owner}/` : ''}${a.name}${a.version ? `@${a.version}` : ''}`
}
