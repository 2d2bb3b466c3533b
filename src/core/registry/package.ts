/**
 * The package file of a model (zg-model.json) and the metadata of a dataset to publish: a JSON Schema checked with
 * ajv, then the rules a schema cannot say (shares summing to 10 000 bps, distinct contributors, checksummed
 * addresses, files that exist inside the package). Every problem names its JSON path and how to fix it, and all of
 * them are reported at once, before anything is hashed, uploaded or paid.
 */
import fs from 'node:fs'
import path from 'node:path'
import {createRequire} from 'node:module'
import type {ErrorObject, ValidateFunction} from 'ajv'
import {getAddress} from 'ethers'
import {notFound, usageError, ZgError} from '../errors.js'
import {checkRelPath, scanTree} from '../storage/dataset.js'
import {isRefProblem, NAME_RE, tryParseAssetRef, type AssetRef} from './refs.js'
import {explainSemver, isSemver} from './semver.js'
import {checkLicense} from './spdx.js'

export const PACKAGE_FILE = 'zg-model.json'
export const PACKAGE_SCHEMA_VERSION = 1
export const MODEL_FORMATS = ['gguf', 'safetensors', 'onnx', 'pytorch', 'other'] as const
export type ModelFormat = (typeof MODEL_FORMATS)[number]
export type AssetKindName = 'dataset' | 'model'
export const TOTAL_BPS = 10_000
export const MAX_CONTRIBUTORS = 32
export const MAX_PARENTS = 16
/** Share of every payment passed up to the parents when a package with parents does not say. */
export const DEFAULT_LINEAGE_SHARE_BPS = 1000

export type ParentRef = string | number

export interface Contributor {
  address: string
  shareBps: number
  /** Who this is, for people (never on chain). */
  name?: string
}

/** zg-model.json (and, without format/files, the metadata of `zg dataset publish`). */
export interface AssetPackage {
  $schema?: string
  schemaVersion?: number
  name: string
  version: string
  description?: string
  format?: ModelFormat
  framework?: string
  /** Paths relative to the package directory; a directory stands for every regular file under it. */
  files?: string[]
  license: string
  parents?: {datasets?: ParentRef[]; models?: ParentRef[]}
  contributors: Contributor[]
  /** Basis points of every payment that go to the parents' contributors (split equally among the parents). */
  lineageShareBps?: number
}

export interface Problem {
  /** JSON path of the offending value, e.g. contributors[1].shareBps; "(root)" for the whole document. */
  path: string
  message: string
  fix: string
}

/** A package file whose files were found: what publish hashes and uploads. */
export interface PackageFile {
  /** Relative path with "/" separators (what the manifest records). */
  path: string
  abs: string
  size: number
}

export interface CheckedPackage {
  pkg: AssetPackage
  kind: AssetKindName
  /** Normalized: checksummed addresses. */
  contributors: Contributor[]
  lineageShareBps: number
  parents: {ref: AssetRef; kind: AssetKindName; path: string}[]
  files: PackageFile[]
  warnings: string[]
}

const contributorSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['address', 'shareBps'],
  properties: {
    address: {type: 'string', pattern: '^0x[0-9a-fA-F]{40}$'},
    shareBps: {type: 'integer', minimum: 1, maximum: TOTAL_BPS},
    name: {type: 'string', maxLength: 100},
  },
}
const parentList = {type: 'array', maxItems: MAX_PARENTS, items: {type: ['string', 'integer']}}

/** The JSON Schema (draft-07) of zg-model.json, or of a dataset's metadata when kind is "dataset". */
export function packageSchema(kind: AssetKindName): Record<string, unknown> {
  const model = kind === 'model'
  return {
    $id: model ? 'https://zg.0g.ai/schemas/zg-model-1.json' : 'https://zg.0g.ai/schemas/zg-dataset-package-1.json',
    title: model ? 'zg model package (zg-model.json)' : 'zg dataset package',
    type: 'object',
    additionalProperties: false,
    required: ['name', 'version', 'license', 'contributors', ...(model ? ['format', 'files'] : [])],
    properties: {
      $schema: {type: 'string'},
      schemaVersion: {const: PACKAGE_SCHEMA_VERSION},
      name: {type: 'string', pattern: NAME_RE.source},
      version: {type: 'string', format: 'semver'},
      description: {type: 'string', maxLength: 4000},
      ...(model
        ? {
            format: {enum: [...MODEL_FORMATS]},
            framework: {type: 'string', maxLength: 100},
            files: {type: 'array', minItems: 1, uniqueItems: true, items: {type: 'string', minLength: 1}},
          }
        : {}),
      license: {type: 'string', format: 'spdx'},
      parents: {
        type: 'object',
        additionalProperties: false,
        properties: {datasets: parentList, models: parentList},
      },
      contributors: {type: 'array', minItems: 1, maxItems: MAX_CONTRIBUTORS, items: contributorSchema},
      lineageShareBps: {type: 'integer', minimum: 0, maximum: TOTAL_BPS},
    },
  }
}

/** Per-field help: what the field is, shown as the fix when it is missing or of the wrong type. */
const FIELD_HELP: Record<string, string> = {
  name: 'A name of 1-64 letters, digits, ".", "_" or "-", unique among your assets, e.g. "tiny-llm".',
  version: 'A semantic version, e.g. "1.0.0".',
  description: 'A short text describing the asset.',
  format: `One of ${MODEL_FORMATS.map((f) => `"${f}"`).join(', ')}.`,
  framework: 'Free text naming the framework, e.g. "llama.cpp" or "transformers".',
  files: 'A list of paths relative to the package directory, e.g. ["model.gguf", "tokenizer.json"]; a directory stands for every file in it.',
  'files[]': 'A path relative to the package directory, e.g. "model.gguf".',
  license: 'An SPDX license expression, e.g. "Apache-2.0", "MIT OR Apache-2.0", or "LicenseRef-<name>" for a custom license.',
  parents: 'An object {"datasets": [...], "models": [...]} of asset ids or name@version references.',
  'parents.datasets': 'A list of dataset references: asset ids (12) or name@version ("open-corpus@1.0.0").',
  'parents.models': 'A list of model references: asset ids (12) or name@version ("base-llm@2.0.0").',
  'parents.datasets[]': 'An asset id (12) or a name@version ("open-corpus@1.0.0").',
  'parents.models[]': 'An asset id (12) or a name@version ("base-llm@2.0.0").',
  contributors: `A list of 1-${MAX_CONTRIBUTORS} {"address": "0x…", "shareBps": N} whose shares sum to ${TOTAL_BPS} (100%).`,
  'contributors[]': 'An object {"address": "0x…", "shareBps": N, "name": "optional"}.',
  'contributors[].address': 'The contributor\'s 0x-prefixed 20-byte address (40 hex digits).',
  'contributors[].shareBps': `A whole number of basis points from 1 to ${TOTAL_BPS} (100 bps = 1%).`,
  'contributors[].name': 'Free text naming the contributor.',
  lineageShareBps: `A whole number of basis points from 0 to ${TOTAL_BPS}: the part of every payment passed up to the parents' contributors.`,
  schemaVersion: `Write ${PACKAGE_SCHEMA_VERSION} (or leave it out).`,
}

let validators: Partial<Record<AssetKindName, ValidateFunction>> | undefined

function validator(kind: AssetKindName): ValidateFunction {
  validators ??= {}
  const cached = validators[kind]
  if (cached) return cached
  // ajv is CommonJS; createRequire keeps its constructor typing simple under NodeNext.
  const require = createRequire(import.meta.url)
  const Ajv = require('ajv') as typeof import('ajv').default
  const ajv = new Ajv({allErrors: true, strict: true, allowUnionTypes: true})
  ajv.addFormat('semver', {type: 'string', validate: isSemver})
  ajv.addFormat('spdx', {type: 'string', validate: (s: string) => checkLicense(s) === undefined})
  const v = ajv.compile(packageSchema(kind))
  validators[kind] = v
  return v
}

/** "/contributors/1/shareBps" → "contributors[1].shareBps". */
export function jsonPath(pointer: string, extra?: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
  if (extra !== undefined) parts.push(extra)
  let out = ''
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p
  return out || '(root)'
}

const helpKey = (p: string) => p.replace(/\[\d+\]/g, '[]')
const valueAt = (doc: unknown, pointer: string): unknown =>
  pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), doc)

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`
  if (typeof v === 'object') return 'an object'
  return `${typeof v} ${String(v)}`
}

/** One ajv error → one problem with the path and a fix. */
function fromAjv(e: ErrorObject, doc: unknown, kind: AssetKindName): Problem | undefined {
  const value = valueAt(doc, e.instancePath)
  const p = jsonPath(e.instancePath)
  const help = (key: string) => FIELD_HELP[helpKey(key)] ?? 'See the zg-model.json reference in `zg model init --help`.'
  switch (e.keyword) {
    case 'required': {
      const missing = (e.params as {missingProperty: string}).missingProperty
      const at = jsonPath(e.instancePath, missing)
      return {path: at, message: `"${missing}" is required`, fix: `Add "${missing}": ${help(at)}`}
    }
    case 'additionalProperties': {
      const extra = (e.params as {additionalProperty: string}).additionalProperty
      const known = Object.keys(propertiesAt(kind, e.schemaPath))
      const near = known.find((k) => k.toLowerCase() === extra.toLowerCase()) ?? known.find((k) => closeEnough(k, extra))
      return {path: jsonPath(e.instancePath, extra), message: `unknown field "${extra}"`, fix: near ? `Did you mean "${near}"?` : `Remove it; the known fields here are ${known.join(', ')}.`}
    }
    case 'type':
      return {path: p, message: `must be ${article((e.params as {type: string | string[]}).type)}, not ${describe(value)}`, fix: help(p)}
    case 'enum':
      return {path: p, message: `${describe(value)} is not one of ${(e.params as {allowedValues: unknown[]}).allowedValues.map((x) => JSON.stringify(x)).join(', ')}`, fix: help(p)}
    case 'const':
      return {path: p, message: `must be ${JSON.stringify((e.params as {allowedValue: unknown}).allowedValue)}, not ${describe(value)}`, fix: help(p)}
    case 'pattern':
      if (helpKey(p) === 'contributors[].address') return {path: p, message: `${describe(value)} is not an address`, fix: help(p)}
      if (p === 'name') return {path: p, message: `${describe(value)} is not a valid name`, fix: help(p)}
      return {path: p, message: `${describe(value)} does not match ${(e.params as {pattern: string}).pattern}`, fix: help(p)}
    case 'format': {
      const fmt = (e.params as {format: string}).format
      if (fmt === 'semver') {
        const why = explainSemver(String(value))!
        return {path: p, message: why.message, fix: why.fix}
      }
      if (fmt === 'spdx') {
        const why = checkLicense(String(value))!
        return {path: p, message: why.message, fix: why.fix}
      }
      return {path: p, message: e.message ?? 'invalid', fix: help(p)}
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {path: p, message: `${describe(value)} is out of range`, fix: help(p)}
    case 'minItems':
      return {path: p, message: `must list at least ${(e.params as {limit: number}).limit} item${(e.params as {limit: number}).limit === 1 ? '' : 's'}`, fix: help(p)}
    case 'maxItems':
      return {path: p, message: `lists ${Array.isArray(value) ? value.length : '?'} items; at most ${(e.params as {limit: number}).limit} are allowed (the registry's limit)`, fix: 'Remove some.'}
    case 'uniqueItems': {
      const {i, j} = e.params as {i: number; j: number}
      return {path: `${p}[${i}]`, message: `repeats ${p}[${j}] (${describe((value as unknown[])[i])})`, fix: 'List every item once.'}
    }
    case 'minLength':
      return {path: p, message: 'must not be empty', fix: help(p)}
    case 'maxLength':
      return {path: p, message: `is longer than ${(e.params as {limit: number}).limit} characters`, fix: 'Shorten it.'}
    default:
      return {path: p, message: e.message ?? e.keyword, fix: help(p)}
  }
}

function propertiesAt(kind: AssetKindName, schemaPath: string): Record<string, unknown> {
  // "#/properties/contributors/items/additionalProperties" → the schema object holding that additionalProperties.
  const parts = schemaPath.replace(/^#\//, '').split('/').slice(0, -1)
  let s: unknown = packageSchema(kind)
  for (const k of parts) s = (s as Record<string, unknown>)?.[k]
  return ((s as {properties?: Record<string, unknown>})?.properties ?? {}) as Record<string, unknown>
}

function closeEnough(a: string, b: string): boolean {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  if (x.startsWith(y) || y.startsWith(x)) return Math.min(x.length, y.length) >= 4
  let d = 0
  const m = Math.max(x.length, y.length)
  // cheap similarity: positional mismatches plus length difference
  for (let i = 0; i < m; i++) if (x[i] !== y[i]) d++
  return d <= 2 || sortedLetters(x) === sortedLetters(y)
}
const sortedLetters = (s: string) => [...s].sort().join('')

function article(t: string | string[]): string {
  const one = (x: string) => (x === 'integer' ? 'an integer' : x === 'array' ? 'an array' : x === 'object' ? 'an object' : `a ${x}`)
  return Array.isArray(t) ? t.map(one).join(' or ') : one(t)
}

export interface ValidateOptions {
  kind: AssetKindName
  /** Package directory: when given (models), `files` must exist inside it. */
  dir?: string
}

/**
 * Validates a parsed package. Returns every problem (empty = valid) and the normalized package; does not touch the
 * chain (parents are only checked for syntax here; resolvePackageParents checks that they exist).
 */
export function validatePackage(raw: unknown, opts: ValidateOptions): {problems: Problem[]; checked?: CheckedPackage} {
  const v = validator(opts.kind)
  const problems: Problem[] = []
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return {problems: [{path: '(root)', message: `the package must be a JSON object, not ${describe(raw)}`, fix: 'Start from `zg model init`.'}]}
  }
  if (!v(raw)) {
    const seen = new Set<string>()
    for (const e of v.errors ?? []) {
      const p = fromAjv(e, raw, opts.kind)
      if (!p) continue
      const key = `${p.path}\u0000${p.message}`
      if (!seen.has(key)) problems.push(p)
      seen.add(key)
    }
  }
  const doc = raw as Record<string, unknown>
  const warnings: string[] = []

  // Contributors: what the schema cannot say.
  const contributors: Contributor[] = []
  const list = Array.isArray(doc.contributors) ? (doc.contributors as unknown[]) : []
  const shares = list.map((c) => (c && typeof c === 'object' ? (c as Record<string, unknown>).shareBps : undefined))
  if (list.length > 0 && shares.every((s) => Number.isInteger(s))) {
    const sum = (shares as number[]).reduce((a, b) => a + b, 0)
    if (sum !== TOTAL_BPS) {
      const diff = TOTAL_BPS - sum
      problems.push({
        path: 'contributors',
        message: `the shares sum to ${sum} bps (${shares.join(' + ')}); they must sum to exactly ${TOTAL_BPS} bps (100%)`,
        fix: diff > 0 ? `Give ${diff} more bps to the contributors (e.g. set contributors[0].shareBps to ${(shares[0] as number) + diff}).` : `Take ${-diff} bps away from the contributors.`,
      })
    }
  }
  const seenAddr = new Map<string, number>()
  list.forEach((c, i) => {
    const addr = c && typeof c === 'object' ? (c as Record<string, unknown>).address : undefined
    if (typeof addr !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(addr)) return
    let normalized: string
    try {
      normalized = getAddress(addr)
    } catch {
      problems.push({path: `contributors[${i}].address`, message: `${addr} has a wrong EIP-55 checksum (a mistyped letter case)`, fix: 'Copy the address again, or write it all in lower case.'})
      return
    }
    if (/^0x0{40}$/.test(addr)) problems.push({path: `contributors[${i}].address`, message: 'is the zero address', fix: 'Nobody can withdraw what is credited to the zero address: use a real account.'})
    const prev = seenAddr.get(normalized)
    if (prev !== undefined) problems.push({path: `contributors[${i}].address`, message: `repeats contributors[${prev}] (${normalized})`, fix: 'List each contributor once and add their shares together.'})
    seenAddr.set(normalized, i)
    const share = (c as Record<string, unknown>).shareBps
    const name = (c as Record<string, unknown>).name
    if (Number.isInteger(share)) contributors.push({address: normalized, shareBps: share as number, ...(typeof name === 'string' ? {name} : {})})
  })

  // Parents: syntax here, existence on chain later.
  const parents: CheckedPackage['parents'] = []
  const par = doc.parents && typeof doc.parents === 'object' ? (doc.parents as Record<string, unknown>) : {}
  for (const [key, kind] of [['datasets', 'dataset'], ['models', 'model']] as const) {
    const refs = Array.isArray(par[key]) ? (par[key] as unknown[]) : []
    refs.forEach((r, i) => {
      if (typeof r !== 'string' && typeof r !== 'number') return
      const at = `parents.${key}[${i}]`
      const parsed = tryParseAssetRef(r)
      if (isRefProblem(parsed)) problems.push({path: at, message: parsed.message, fix: parsed.fix})
      else parents.push({ref: parsed, kind, path: at})
    })
  }
  if (parents.length > MAX_PARENTS) problems.push({path: 'parents', message: `lists ${parents.length} parents; the registry accepts at most ${MAX_PARENTS}`, fix: 'Keep the direct parents only.'})
  const lineage = doc.lineageShareBps
  const lineageShareBps = Number.isInteger(lineage) ? (lineage as number) : parents.length ? DEFAULT_LINEAGE_SHARE_BPS : 0
  if (!parents.length && Number.isInteger(lineage) && (lineage as number) > 0) warnings.push('lineageShareBps has no effect without parents.')

  // Files (models): inside the directory, present, readable.
  let files: PackageFile[] = []
  if (opts.kind === 'model' && opts.dir !== undefined && Array.isArray(doc.files)) {
    files = checkFiles(doc.files as unknown[], opts.dir, problems, warnings)
  }

  if (problems.length) return {problems}
  return {problems, checked: {pkg: doc as unknown as AssetPackage, kind: opts.kind, contributors, lineageShareBps, parents, files, warnings}}
}

function checkFiles(entries: unknown[], dir: string, problems: Problem[], warnings: string[]): PackageFile[] {
  const root = path.resolve(dir)
  const out = new Map<string, PackageFile>()
  entries.forEach((entry, i) => {
    if (typeof entry !== 'string' || entry.length === 0) return
    const at = `files[${i}]`
    const rel = entry.replace(/^\.\//, '').replace(/\/+$/, '')
    try {
      checkRelPath(rel)
    } catch {
      problems.push({path: at, message: `"${entry}" is not a relative path inside the package directory`, fix: 'Use a path relative to the directory that holds zg-model.json, without ".." or a leading "/".'})
      return
    }
    const abs = path.join(root, ...rel.split('/'))
    let st: fs.Stats
    try {
      st = fs.statSync(abs)
    } catch {
      problems.push({path: at, message: `"${entry}" does not exist in ${root}`, fix: `Put the file at ${abs}, or remove it from "files".`})
      return
    }
    if (st.isDirectory()) {
      const found = scanTree(abs, warnings)
      if (!found.length) problems.push({path: at, message: `the directory "${entry}" holds no files`, fix: 'Add files to it or remove it from "files".'})
      for (const f of found) add(`${rel}/${f.rel}`, f.abs, f.size, at)
    } else if (st.isFile()) {
      try {
        fs.accessSync(abs, fs.constants.R_OK)
      } catch {
        problems.push({path: at, message: `"${entry}" is not readable`, fix: `Check the permissions of ${abs}.`})
        return
      }
      add(rel, abs, st.size, at)
    } else {
      problems.push({path: at, message: `"${entry}" is not a regular file or directory`, fix: 'List regular files only.'})
    }
  })
  function add(rel: string, abs: string, size: number, at: string) {
    if (out.has(rel)) {
      warnings.push(`${at}: ${rel} is already included by another entry of "files"`)
      return
    }
    out.set(rel, {path: rel, abs, size})
  }
  const files = [...out.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  if (files.length && files.every((f) => f.size === 0)) {
    problems.push({path: 'files', message: 'every listed file is empty', fix: '0G Storage cannot store empty data: include the model weights.'})
  }
  if (files.some((f) => f.path === PACKAGE_FILE)) warnings.push(`${PACKAGE_FILE} itself is listed in "files"; its content is also in the published manifest.`)
  return files
}

/** Turns problems into the error the CLI shows: every path, message and fix; exit 2, nothing uploaded. */
export function packageError(problems: Problem[], source: string, consequence = 'nothing was uploaded'): ZgError {
  const lines = problems.map((p) => `  ${p.path}: ${p.message}. Fix: ${p.fix}`)
  return usageError(`${source} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}); ${consequence}:\n${lines.join('\n')}`, {
    code: 'INVALID_PACKAGE',
    suggestions: [...new Set(problems.map((p) => `${p.path}: ${p.fix}`))],
    details: {source, problems},
  })
}

/** Reads and validates DIR/zg-model.json (exit 3 when it is missing, 2 when it is invalid). */
export function loadModelPackage(dir: string): CheckedPackage & {file: string} {
  const root = path.resolve(dir)
  let st: fs.Stats
  try {
    st = fs.statSync(root)
  } catch {
    throw notFound(`No such directory: ${dir}`, {code: 'PACKAGE_NOT_FOUND'})
  }
  const file = st.isDirectory() ? path.join(root, PACKAGE_FILE) : root
  const pkgDir = st.isDirectory() ? root : path.dirname(root)
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    throw notFound(`No ${PACKAGE_FILE} in ${pkgDir}.`, {code: 'PACKAGE_NOT_FOUND', suggestions: [`Create one with: zg model init --dir ${dir}`]})
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (e) {
    throw packageError([{path: '(root)', message: `it is not valid JSON (${(e as Error).message})`, fix: 'Fix the JSON syntax (a trailing comma or a missing quote is the usual cause).'}], file)
  }
  const {problems, checked} = validatePackage(raw, {kind: 'model', dir: pkgDir})
  if (problems.length) throw packageError(problems, file)
  return {...checked!, file}
}

/** The text `zg model init` writes: stable key order, two-space indent, trailing newline. */
export function formatPackage(pkg: AssetPackage): string {
  const ordered: Record<string, unknown> = {}
  for (const k of ['$schema', 'schemaVersion', 'name', 'version', 'description', 'format', 'framework', 'files', 'license', 'parents', 'contributors', 'lineageShareBps'] as const) {
    if (pkg[k] !== undefined) ordered[k] = pkg[k]
  }
  return JSON.stringify(ordered, null, 2) + '\n'
}
