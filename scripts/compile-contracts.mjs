#!/usr/bin/env node
// Compiles contracts/src/**/*.sol with solc from npm (offline) and writes contracts/artifacts/<Name>.json for every
// deployable contract, plus the OpenZeppelin beacon proxy pieces the devnet deploys. Output is deterministic: the
// same sources, compiler and settings give byte-identical artifacts. Usage: node scripts/compile-contracts.mjs
import crypto from 'node:crypto'
import fs from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'

const require = createRequire(import.meta.url)
const root = path.resolve(import.meta.dirname, '..')
const contractsDir = path.join(root, 'contracts')
const srcDir = path.join(contractsDir, 'src')
const outDir = path.join(contractsDir, 'artifacts')
const config = JSON.parse(fs.readFileSync(path.join(contractsDir, 'solc-settings.json'), 'utf8'))

/** Sorted source paths relative to contracts/src, with forward slashes (the solc source unit names). */
export function listSources(dir = srcDir) {
  const out = []
  const walk = (d) => {
    for (const e of fs.readdirSync(d, {withFileTypes: true})) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.name.endsWith('.sol')) out.push(path.relative(dir, p).split(path.sep).join('/'))
    }
  }
  walk(dir)
  return out.sort()
}

/**
 * sha256 over (path, length, content) of every source in sorted order, then the solc version, the settings file
 * and the OpenZeppelin version. test/contracts/artifacts.test.ts recomputes it the same way to catch stale artifacts.
 */
export function sourcesHash() {
  const h = crypto.createHash('sha256')
  for (const rel of listSources()) {
    const content = fs.readFileSync(path.join(srcDir, rel))
    h.update(`${rel}\n${content.length}\n`)
    h.update(content)
    h.update('\n')
  }
  h.update(`solc ${config.solcVersion}\n`)
  h.update(fs.readFileSync(path.join(contractsDir, 'solc-settings.json')))
  h.update(`@openzeppelin/contracts ${require('@openzeppelin/contracts/package.json').version}\n`)
  return '0x' + h.digest('hex')
}

function findImport(importPath) {
  try {
    if (importPath.startsWith('@openzeppelin/')) return {contents: fs.readFileSync(require.resolve(importPath), 'utf8')}
    return {contents: fs.readFileSync(path.join(srcDir, importPath), 'utf8')}
  } catch {
    return {error: `File not found: ${importPath}`}
  }
}

function compile() {
  const solc = require('solc')
  const version = solc.version()
  if (!version.startsWith(config.solcVersion + '+')) {
    throw new Error(`solc ${config.solcVersion} expected (contracts/solc-settings.json), found ${version}; run npm ci`)
  }
  const sources = {}
  for (const rel of listSources()) sources[rel] = {content: fs.readFileSync(path.join(srcDir, rel), 'utf8')}
  for (const spec of config.extraArtifacts) {
    const file = spec.split(':')[0]
    sources[file] = {content: findImport(file).contents}
  }
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      ...config.settings,
      outputSelection: {'*': {'*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'], '': ['ast']}},
    },
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input), {import: findImport}))
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  for (const e of output.errors ?? []) if (e.severity !== 'error') process.stderr.write(`${e.formattedMessage}\n`)
  if (errors.length) {
    for (const e of errors) process.stderr.write(`${e.formattedMessage}\n`)
    throw new Error(`solc reported ${errors.length} error(s)`)
  }
  return output
}

/** Names of the concrete (non-abstract, non-interface, non-library) contracts a source file defines. */
function concreteContracts(ast) {
  return ast.nodes
    .filter((n) => n.nodeType === 'ContractDefinition' && n.contractKind === 'contract' && !n.abstract)
    .map((n) => n.name)
}

function main() {
  const started = Date.now()
  const output = compile()
  const hash = sourcesHash()
  const wanted = []
  for (const rel of listSources()) {
    for (const name of concreteContracts(output.sources[rel].ast)) wanted.push([rel, name])
  }
  for (const spec of config.extraArtifacts) wanted.push(spec.split(':'))

  fs.mkdirSync(outDir, {recursive: true})
  const written = new Set()
  for (const [sourceName, contractName] of wanted) {
    if (written.has(contractName)) throw new Error(`Two contracts are named ${contractName}; artifact names must be unique`)
    const c = output.contracts[sourceName][contractName]
    const artifact = {
      contractName,
      sourceName,
      abi: c.abi,
      bytecode: '0x' + c.evm.bytecode.object,
      deployedBytecode: '0x' + c.evm.deployedBytecode.object,
      sourcesHash: hash,
    }
    fs.writeFileSync(path.join(outDir, `${contractName}.json`), JSON.stringify(artifact, null, 2) + '\n')
    written.add(contractName)
  }
  for (const f of fs.readdirSync(outDir)) {
    if (f.endsWith('.json') && !written.has(f.slice(0, -5))) fs.rmSync(path.join(outDir, f))
  }
  process.stderr.write(`compiled ${written.size} artifacts in ${Date.now() - started} ms (sourcesHash ${hash.slice(0, 10)}…)\n`)
}

if (import.meta.url === `file://${process.argv[1]}`) main()
