import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import fs from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {test} from 'node:test'
import {fileURLToPath} from 'node:url'
import {Interface} from 'ethers'

// dist/test/contracts/ → package root
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const contractsDir = path.join(root, 'contracts')
const srcDir = path.join(contractsDir, 'src')
const artifactsDir = path.join(contractsDir, 'artifacts')
const require = createRequire(import.meta.url)

function listSources(): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, {withFileTypes: true})) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.name.endsWith('.sol')) out.push(path.relative(srcDir, p).split(path.sep).join('/'))
    }
  }
  walk(srcDir)
  return out.sort()
}

/** The same recipe as scripts/compile-contracts.mjs sourcesHash(): a change on either side makes this test fail. */
function sourcesHash(): string {
  const config = JSON.parse(fs.readFileSync(path.join(contractsDir, 'solc-settings.json'), 'utf8')) as {solcVersion: string}
  const h = crypto.createHash('sha256')
  for (const rel of listSources()) {
    const content = fs.readFileSync(path.join(srcDir, rel))
    h.update(`${rel}\n${content.length}\n`)
    h.update(content)
    h.update('\n')
  }
  h.update(`solc ${config.solcVersion}\n`)
  h.update(fs.readFileSync(path.join(contractsDir, 'solc-settings.json')))
  const oz = require('@openzeppelin/contracts/package.json') as {version: string}
  h.update(`@openzeppelin/contracts ${oz.version}\n`)
  return '0x' + h.digest('hex')
}

const artifacts = fs
  .readdirSync(artifactsDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(fs.readFileSync(path.join(artifactsDir, f), 'utf8')) as Record<string, unknown> & {contractName: string})

test('every contract artifact was built from the current sources (else run: npm run contracts)', () => {
  const expected = sourcesHash()
  assert.ok(artifacts.length > 0)
  for (const a of artifacts) {
    assert.equal(a.sourcesHash, expected, `contracts/artifacts/${a.contractName}.json is stale: run npm run contracts`)
  }
})

test('artifacts have the documented shape and non-empty bytecode', () => {
  const names = artifacts.map((a) => a.contractName)
  for (const required of ['Flow', 'FixedPriceMarket', 'BeaconProxy', 'UpgradeableBeacon']) assert.ok(names.includes(required), required)
  for (const a of artifacts) {
    assert.deepEqual(Object.keys(a).sort(), ['abi', 'bytecode', 'contractName', 'deployedBytecode', 'sourceName', 'sourcesHash'])
    assert.match(a.bytecode as string, /^0x[0-9a-f]{200,}$/)
    assert.match(a.deployedBytecode as string, /^0x[0-9a-f]{200,}$/)
  }
})

test('Flow speaks the ABI of the official storage SDKs: submit 0xbc8c11f8 and the Submit topic', () => {
  const flow = artifacts.find((a) => a.contractName === 'Flow')!
  const iface = new Interface(flow.abi as never)
  assert.equal(iface.getFunction('submit')!.selector, '0xbc8c11f8')
  assert.equal(iface.getFunction('batchSubmit')!.selector, '0x49aa3395')
  assert.equal(iface.getFunction('market')!.selector, '0x80f55605')
  assert.equal(iface.getEvent('Submit')!.topicHash, '0x167ce04d2aa1981994d3a31695da0d785373335b1078cec239a1a3a2c7675555')
  assert.equal(iface.getError('NotEnoughFee')!.selector, '0xf85c6482')
  const market = new Interface(artifacts.find((a) => a.contractName === 'FixedPriceMarket')!.abi as never)
  assert.equal(market.getFunction('pricePerSector')!.selector, '0x61ec5082')
})
