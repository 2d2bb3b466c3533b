/**
 * A fine-tuning task caught by a devnet restart (zg node stop / start) while it trains is not lost: the provider
 * queues it again and runs it from the start, and it is delivered like any other.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {devWallet} from '../../src/core/keys/dev-accounts.js'
import {registerSecret} from '../helpers/capture.js'
import {envelope, runZg} from '../helpers/cli.js'
import {startTestDevnet} from '../helpers/devnet.js'
import {until} from '../helpers/wait.js'

for (let i = 0; i < 10; i++) registerSecret(devWallet(i).privateKey)

// Long enough to be mid-training when the devnet stops, short enough to finish soon after it is back.
const STEPS = 4000

describe('a fine-tuning task across a devnet restart', {timeout: 300_000}, () => {
  let dn: Awaited<ReturnType<typeof startTestDevnet>>
  let dir: string
  const ok = async (args: string[]) => {
    const r = await runZg([...args, '--json'], {env: dn.env, timeoutMs: 120_000})
    const e = envelope(r)
    assert.equal(e.ok, true, `zg ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`)
    return e.data
  }

  before(async () => {
    dn = await startTestDevnet()
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zg-ft-restart-'))
  })
  after(async () => {
    await dn?.stop()
    if (dir) fs.rmSync(dir, {recursive: true, force: true})
  })

  test('is queued again when the provider comes back, runs from the start and is delivered', async () => {
    await ok(['compute', 'ledger', 'deposit', '--amount', '3', '--account', 'dev6'])
    await ok(['compute', 'ack', '--service', 'fine-tuning', '--account', 'dev6'])
    fs.writeFileSync(path.join(dir, 'd.txt'), 'Q: ping\nA: pong\n'.repeat(40))
    fs.writeFileSync(path.join(dir, 'p.json'), JSON.stringify({max_steps: STEPS}))
    const sub = await ok(['compute', 'job', 'submit', '--model', 'zg-tinylm-chat', '--dataset', path.join(dir, 'd.txt'), '--params', path.join(dir, 'p.json'), '--account', 'dev6'])
    const id = sub.taskId as string
    const mid = await until('training steps', async () => {
      const s = await ok(['compute', 'job', 'status', id, '--account', 'dev6'])
      return s.task.progress === 'Training' && s.loss.steps > 3 ? s : undefined
    }, 90_000, 300)
    // Far from done: the stop below must find it training (a stop during delivery fails the task by design).
    assert.ok(mid.loss.steps < STEPS / 4, 'still training when the devnet stops')

    const stop = await runZg(['node', 'stop'], {env: dn.env, timeoutMs: 60_000})
    assert.equal(stop.code, 0, stop.stderr)
    const start = await runZg(['node', 'start', '--detach', '--json', ...dn.ports], {env: dn.env, timeoutMs: 90_000})
    assert.equal(envelope(start).ok, true, `${start.stdout} ${start.stderr}`)

    const done = await until('delivery after the restart', async () => {
      const s = await ok(['compute', 'job', 'status', id, '--account', 'dev6'])
      assert.notEqual(s.task.progress, 'Failed', `the task failed: ${s.task.reason}`)
      return s.task.progress === 'Delivered' ? s : undefined
    }, 180_000, 300)
    assert.equal(done.loss.steps, STEPS, 'the losses are those of the one full run after the restart')
    assert.ok(done.deliverable, 'a deliverable is recorded')
    const logs = await ok(['compute', 'job', 'logs', id, '--account', 'dev6'])
    const text = (logs.lines as string[]).join('\n')
    assert.match(text, /the provider restarted during Training: the task starts again from the beginning/)
    assert.match(text, new RegExp(`step ${STEPS}/${STEPS} loss=`))
  })
})
