/**
 * The manifest of a published model version: what zg uploads last and registers on chain (its 0G root). It is
 * deterministic (sorted files, no timestamps): the same package publishes to the same root. Datasets keep the
 * zg-dataset manifest of `zg dataset upload` (storage/dataset.ts).
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import {usageError, type ZgError} from '../errors.js'
import {checkRelPath} from '../storage/dataset.js'
import {parseRoots} from '../storage/locate.js'
import type {AssetKindName, ModelFormat} from './package.js'
import {MODEL_FORMATS, TOTAL_BPS} from './package.js'
import {isSemver} from './semver.js'

export const MODEL_MANIFEST_SCHEMA = 'zg-model'
export const MODEL_MANIFEST_VERSION = 1

export interface ManifestFile {
  /** Relative path with "/" separators. */
  path: string
  size: number
  sha256: string
  /** 0G root (comma-joined fragment roots above 4 GiB); null for an empty file, which 0G cannot store. */
  root: string | null
}

export interface ManifestParent {
  id: string
  kind: AssetKindName
  name: string
  owner: string
  /** The version the model was built from (the latest at publish time when the package named none). */
  version: string
  manifestRoot: string
}

export interface ModelManifest {
  schema: typeof MODEL_MANIFEST_SCHEMA
  schemaVersion: number
  name: string
  version: string
  description?: string
  format: ModelFormat
  framework?: string
  license: string
  fileCount: number
  totalSize: number
  files: ManifestFile[]
  parents: ManifestParent[]
  contributors: {address: string; shareBps: number; name?: string}[]
  lineageShareBps: number
}

/** The bytes that are uploaded: fixed key order, one space indent, trailing newline. */
export function serializeManifest(m: ModelManifest): string {
  const ordered = {
    schema: m.schema,
    schemaVersion: m.schemaVersion,
    name: m.name,
    version: m.version,
    ...(m.description !== undefined ? {description: m.description} : {}),
    format: m.format,
    ...(m.framework !== undefined ? {framework: m.framework} : {}),
    license: m.license,
    fileCount: m.fileCount,
    totalSize: m.totalSize,
    files: m.files.map((f) => ({path: f.path, size: f.size, sha256: f.sha256, root: f.root})),
    parents: m.parents.map((p) => ({id: p.id, kind: p.kind, name: p.name, owner: p.owner, version: p.version, manifestRoot: p.manifestRoot})),
    contributors: m.contributors.map((c) => ({address: c.address, shareBps: c.shareBps, ...(c.name !== undefined ? {name: c.name} : {})})),
    lineageShareBps: m.lineageShareBps,
  }
  return JSON.stringify(ordered, null, 1) + '\n'
}

function bad(root: string, why: string): ZgError {
  return usageError(`${root} is not a zg model manifest: ${why}.`, {code: 'NOT_A_MODEL_MANIFEST', suggestions: ['A dataset is downloaded with: zg dataset download ROOT --out DIR']})
}

/** Parses and checks a downloaded manifest: schema tag, files (safe paths, sha256, roots), contributors. */
export function parseModelManifest(data: Uint8Array, root: string): ModelManifest {
  let m: ModelManifest
  try {
    m = JSON.parse(Buffer.from(data).toString('utf8')) as ModelManifest
  } catch {
    throw bad(root, 'it is not JSON')
  }
  if (!m || typeof m !== 'object' || m.schema !== MODEL_MANIFEST_SCHEMA) throw bad(root, 'it has no zg-model schema tag')
  if (m.schemaVersion !== MODEL_MANIFEST_VERSION) throw bad(root, `schema version ${m.schemaVersion} is not supported (this zg reads ${MODEL_MANIFEST_VERSION})`)
  if (typeof m.name !== 'string' || typeof m.version !== 'string' || !isSemver(m.version)) throw bad(root, 'its name or version is malformed')
  if (!MODEL_FORMATS.includes(m.format)) throw bad(root, `format ${JSON.stringify(m.format)} is unknown`)
  if (!Array.isArray(m.files) || !Array.isArray(m.contributors) || !Array.isArray(m.parents)) throw bad(root, 'its lists are malformed')
  const seen = new Set<string>()
  for (const f of m.files) {
    if (!f || typeof f.path !== 'string' || !Number.isSafeInteger(f.size) || f.size < 0 || typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256)) {
      throw bad(root, `file entry ${JSON.stringify(f?.path)} is malformed`)
    }
    if (f.size > 0) {
      if (typeof f.root !== 'string') throw bad(root, `${f.path} has no root`)
      parseRoots(f.root)
    }
    checkRelPath(f.path)
    if (seen.has(f.path)) throw bad(root, `${f.path} is listed twice`)
    seen.add(f.path)
  }
  if (m.contributors.reduce((s, c) => s + (Number.isInteger(c?.shareBps) ? c.shareBps : NaN), 0) !== TOTAL_BPS) throw bad(root, 'its contributor shares do not sum to 10000')
  return m
}

export async function sha256File(p: string, signal?: AbortSignal, onBytes?: (n: number) => void): Promise<string> {
  const h = crypto.createHash('sha256')
  for await (const chunk of fs.createReadStream(p, {highWaterMark: 1 << 20, signal})) {
    h.update(chunk as Buffer)
    onBytes?.((chunk as Buffer).length)
  }
  return h.digest('hex')
}
