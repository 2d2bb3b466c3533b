import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {test} from 'node:test'
import {fileURLToPath} from 'node:url'
import {Interface} from 'ethers'

// The official compute SDK's bundled ABIs (test/fixtures/compute-sdk-abi/*.json, copied from the
// @0gfoundation/0g-compute-ts-sdk@0.9.0 tarball; each file names its origin) are the contract the devnet must
// honour: every function, event and error there must exist in our artifact with the same selector or topic and
// the same full signature (types, names, indexed flags, mutability), or the SDK would decode garbage.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const read = (p: string) => JSON.parse(fs.readFileSync(path.join(root, p), 'utf8')) as {abi: unknown[]; source?: string}

for (const name of ['LedgerManager', 'InferenceServing', 'FineTuningServing']) {
  test(`${name}: every fragment of the compute SDK's ABI is in our artifact, identical`, () => {
    const fixture = read(`test/fixtures/compute-sdk-abi/${name}.json`)
    assert.match(fixture.source ?? '', /0g-compute-ts-sdk@0\.9\.0/)
    const sdk = new Interface(fixture.abi as never)
    const ours = new Interface(read(`contracts/artifacts/${name}.json`).abi as never)
    let checked = 0
    sdk.forEachFunction((f) => {
      const o = ours.getFunction(f.selector)
      assert.ok(o, `missing function ${f.format('full')}`)
      assert.equal(o.format('full'), f.format('full'))
      checked++
    })
    sdk.forEachEvent((e) => {
      const o = ours.getEvent(e.topicHash)
      assert.ok(o, `missing event ${e.format('full')}`)
      assert.equal(o.format('full'), e.format('full'))
      checked++
    })
    sdk.forEachError((e) => {
      const o = ours.getError(e.selector)
      assert.ok(o, `missing error ${e.format('full')}`)
      assert.equal(o.format('full'), e.format('full'))
      checked++
    })
    assert.equal(ours.receive, sdk.receive, 'receive()')
    assert.ok(checked > 50, `only ${checked} fragments compared`)
  })
}
