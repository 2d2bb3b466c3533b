/**
 * Semantic Versioning 2.0.0 (https://semver.org): validation with a reason and a fix, and precedence for sorting.
 * The registry contract checks the same grammar on chain (AssetRegistry._checkSemver) and caps versions at 64
 * characters; checking here first means a bad version is refused before anything is uploaded.
 */

/** The regular expression semver.org publishes, unchanged. */
export const SEMVER_RE =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/

export const MAX_VERSION_LENGTH = 64

export interface SemVer {
  major: bigint
  minor: bigint
  patch: bigint
  prerelease: string[]
  build: string[]
  raw: string
}

export function parseSemver(v: string): SemVer | undefined {
  if (v.length > MAX_VERSION_LENGTH) return undefined
  const m = SEMVER_RE.exec(v)
  if (!m) return undefined
  return {major: BigInt(m[1]!), minor: BigInt(m[2]!), patch: BigInt(m[3]!), prerelease: m[4] ? m[4].split('.') : [], build: m[5] ? m[5].split('.') : [], raw: v}
}

export const isSemver = (v: string): boolean => parseSemver(v) !== undefined

/** Why `v` is not a semantic version, and the nearest valid spelling when there is an obvious one. */
export function explainSemver(v: string): {message: string; fix: string} | undefined {
  if (isSemver(v)) return undefined
  const example = 'Use MAJOR.MINOR.PATCH, e.g. "1.0.0", "0.3.1" or "2.0.0-rc.1" (https://semver.org).'
  if (v.length === 0) return {message: 'the version is empty', fix: example}
  if (v.length > MAX_VERSION_LENGTH) return {message: `the version is ${v.length} characters long`, fix: `Keep it within ${MAX_VERSION_LENGTH} characters (the registry's limit).`}
  const trimmed = v.trim()
  if (trimmed !== v) return {message: `"${v}" has surrounding spaces`, fix: `Write "${trimmed}".`}
  if (/^[vV]/.test(v) && isSemver(v.slice(1))) return {message: `"${v}" starts with "${v[0]}"`, fix: `Write "${v.slice(1)}": semantic versions have no prefix.`}
  const core = v.split(/[-+]/, 1)[0]!
  const parts = core.split('.')
  if (parts.every((p) => /^\d+$/.test(p))) {
    if (parts.length < 3) {
      const padded = [...parts, '0', '0'].slice(0, 3).join('.') + v.slice(core.length)
      return {message: `"${v}" has ${parts.length} number${parts.length === 1 ? '' : 's'}; a semantic version has three (MAJOR.MINOR.PATCH)`, fix: isSemver(padded) ? `Write "${padded}".` : example}
    }
    if (parts.length > 3) return {message: `"${v}" has ${parts.length} numbers; a semantic version has exactly three`, fix: example}
    if (parts.some((p) => p.length > 1 && p.startsWith('0'))) {
      const fixed = parts.map((p) => String(BigInt(p))).join('.') + v.slice(core.length)
      return {message: `"${v}" has a number with a leading zero`, fix: isSemver(fixed) ? `Write "${fixed}".` : 'Remove the leading zeros.'}
    }
    const rest = v.slice(core.length)
    if (rest === '-' || rest === '+') return {message: `"${v}" ends with "${rest}" and nothing after it`, fix: `Write "${core}" or add an identifier, e.g. "${core}-rc.1".`}
    return {message: `the pre-release or build part of "${v}" is invalid`, fix: 'After "-" (pre-release) and "+" (build) use dot-separated identifiers of [0-9A-Za-z-], with no leading zeros in numeric pre-release identifiers.'}
  }
  return {message: `"${v}" is not a semantic version`, fix: example}
}

/** Semver precedence: <0 when a < b; build metadata is ignored (as the spec says). */
export function compareSemver(a: string | SemVer, b: string | SemVer): number {
  const x = typeof a === 'string' ? parseSemver(a) : a
  const y = typeof b === 'string' ? parseSemver(b) : b
  if (!x || !y) throw new TypeError('compareSemver needs two valid semantic versions')
  for (const k of ['major', 'minor', 'patch'] as const) if (x[k] !== y[k]) return x[k] < y[k] ? -1 : 1
  if (!x.prerelease.length || !y.prerelease.length) return y.prerelease.length - x.prerelease.length === 0 ? 0 : x.prerelease.length ? -1 : 1
  for (let i = 0; i < Math.max(x.prerelease.length, y.prerelease.length); i++) {
    const p = x.prerelease[i]
    const q = y.prerelease[i]
    if (p === undefined) return -1
    if (q === undefined) return 1
    if (p === q) continue
    const pn = /^\d+$/.test(p)
    const qn = /^\d+$/.test(q)
    if (pn && qn) return BigInt(p) < BigInt(q) ? -1 : 1
    if (pn) return -1
    if (qn) return 1
    return p < q ? -1 : 1
  }
  return 0
}
