import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {ExitCode, ZgError} from './errors.js'

/** A compiled contract as scripts/compile-contracts.mjs writes it to contracts/artifacts/<name>.json. */
export interface Artifact {
  contractName: string
  sourceName: string
  abi: readonly Record<string, unknown>[]
  bytecode: string
  deployedBytecode: string
  sourcesHash: string
}

// dist/src/core/contracts.js and src/core/contracts.ts both sit three levels below the package root.
const ARTIFACTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'contracts', 'artifacts')
const artifactCache = new Map<string, Artifact>()

/** Reads contracts/artifacts/<name>.json (committed, produced by scripts/compile-contracts.mjs). */
export function loadArtifact(name: string): Artifact {
  const cached = artifactCache.get(name)
  if (cached) return cached
  const file = path.join(ARTIFACTS_DIR, `${name}.json`)
  let artifact: Artifact
  try {
    artifact = JSON.parse(fs.readFileSync(file, 'utf8')) as Artifact
  } catch (e) {
    throw new ZgError(`The contract artifact ${name} is missing or unreadable (${file}).`, {
      code: 'ARTIFACT_MISSING',
      exit: ExitCode.UNEXPECTED,
      suggestions: ['Reinstall zg, or rebuild the artifacts with: npm run contracts'],
      cause: e,
    })
  }
  artifactCache.set(name, artifact)
  return artifact
}
