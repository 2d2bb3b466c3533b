import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, test} from 'node:test'
import {anvilArgs, anvilBinary, anvilVersionOf, stateLoadError} from '../../src/devnet/anvil.js'
import {stateMovedMessage, unloadableState} from '../../src/devnet/supervisor.js'
import {freePort} from '../helpers/ports.js'

// What anvil printed in the field when a state written by anvil 1.7.1 was given to anvil 1.5.1.
const VERSION_MISMATCH = [
  `error: invalid value '/home/u/.local/share/zg/devnet/chain/state.json' for '--state <PATH>': failed to parse json file: "/home/u/.local/share/zg/devnet/chain/state.json": data did not match any variant of untagged enum SerializableTransactionType at line 1 column 181290`,
  '',
  "For more information, try '--help'.",
].join('\n')
const MISSING_FIELD = `error: invalid value '/d/chain/state.json' for '--state <PATH>': failed to parse json file: "/d/chain/state.json": missing field \`gas_refund_counter\` at line 1 column 178597\n`
const INIT_STATE = 'Error: failed to load init state\n\nContext:\n- Rpc error RpcError { code: InternalError, message: "Best hash not found for best number 26", data: None }\n'

describe('anvil state file: detecting one anvil cannot load', () => {
  test('stateLoadError extracts the reason from the --state argument error and from a failed init-state load', () => {
    assert.equal(stateLoadError(VERSION_MISMATCH), 'data did not match any variant of untagged enum SerializableTransactionType at line 1 column 181290')
    assert.equal(stateLoadError(MISSING_FIELD), 'missing field `gas_refund_counter` at line 1 column 178597')
    assert.equal(stateLoadError(INIT_STATE), 'failed to load init state: Rpc error RpcError { code: InternalError, message: "Best hash not found for best number 26", data: None }')
    // A banner, then an unrelated failure: not a state problem.
    assert.equal(stateLoadError('    1.5.1-v1.5.1\nError: Address already in use (os error 98)\n'), undefined)
    assert.equal(stateLoadError(''), undefined)
    // Any error line naming the state file counts, whatever anvil's wording.
    assert.equal(stateLoadError('Error: could not read /d/chain/state.json: Permission denied\n', '/d/chain/state.json'), 'could not read /d/chain/state.json: Permission denied')
  })

  test('anvilVersionOf reads web3_clientVersion and --version output', () => {
    assert.equal(anvilVersionOf('anvil/v1.5.1'), '1.5.1')
    assert.equal(anvilVersionOf('anvil Version: 1.7.1-v1.7.1\nCommit SHA: 4072e48705'), '1.7.1')
    assert.equal(anvilVersionOf(undefined), undefined)
  })

  test('the real anvil rejects a valid-JSON state of the wrong shape, and unloadableState tells it from a corrupt one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zg-anvil-state-'))
    const file = path.join(dir, 'state.json')
    const run = async (content: string) => {
      fs.writeFileSync(file, content)
      const r = spawnSync(anvilBinary(), anvilArgs({port: await freePort(), stateFile: file}), {encoding: 'utf8', timeout: 10_000})
      assert.equal(r.error, undefined, 'anvil exits at once (no timeout)')
      assert.notEqual(r.status, 0)
      return r.stdout + r.stderr
    }
    try {
      const wrongShape = await run('{"block": 5}')
      assert.match(wrongShape, /--state/, wrongShape)
      assert.match(stateLoadError(wrongShape, file) ?? '', /BlockEnv/, wrongShape)
      assert.equal(unloadableState(file, wrongShape)?.json, true)
      assert.equal(fs.readFileSync(file, 'utf8'), '{"block": 5}', 'anvil left the file alone')

      const corrupt = await run('{"not": json')
      assert.equal(unloadableState(file, corrupt)?.json, false)
      assert.ok(stateLoadError(corrupt, file), corrupt)
      // Not valid JSON is recognised even without anvil's words.
      assert.deepEqual(unloadableState(file, ''), {json: false, reason: 'not valid JSON'})
      fs.writeFileSync(file, '{}')
      assert.equal(unloadableState(file, 'Error: Address already in use\n'), undefined)
      assert.equal(unloadableState(path.join(dir, 'absent.json'), VERSION_MISMATCH), undefined)
    } finally {
      fs.rmSync(dir, {recursive: true, force: true})
    }
  })

  test('stateMovedMessage names the versions when known and what happens next', () => {
    const base = {json: true, reason: 'missing field `x`', aside: '/d/state.json.unloadable-T', initial: true}
    const changed = stateMovedMessage({...base, current: '1.5.1', previous: {anvilVersion: '1.7.1', updatedAt: ''}})
    assert.match(changed, /could not be loaded by anvil 1\.5\.1: it was written by anvil 1\.7\.1 \(anvil said: missing field `x`\); moved to \/d\/state\.json\.unloadable-T\. A fresh chain was started and the contracts are deployed again\./)
    assert.match(changed, /zg node reset/)
    assert.match(stateMovedMessage({...base, current: '1.5.1'}), /could not be loaded by anvil 1\.5\.1, probably because another anvil version wrote it/)
    assert.match(stateMovedMessage({...base, current: '1.5.1', previous: {anvilVersion: '1.5.1', updatedAt: ''}}), /same version wrote it; the file looks damaged/)
    assert.match(stateMovedMessage({...base, json: false, aside: '/d/state.json.corrupt-T'}), /^chain state was unreadable \(not valid JSON: missing field `x`\); moved to .*corrupt.*zg node reset/)
    assert.match(stateMovedMessage({...base, initial: false}), /this anvil.*without the contracts: restart the devnet/)
  })
})
