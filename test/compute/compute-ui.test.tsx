import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import React from 'react'
import {render} from 'ink-testing-library'
import {JobView} from '../../src/ui/job-watch.js'
import {sparkline} from '../../src/ui/sparkline.js'
import {jobLine} from '../../src/cli/jobs.js'
import type {Task} from '../../src/core/compute/finetune.js'

const task = (over: Partial<Task>): Task => ({
  id: '1a6e05cf-4c62-485e-b322-017bfa35a098',
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:01Z',
  userAddress: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  preTrainedModelHash: '0x' + '1'.repeat(64),
  datasetHash: '0x' + 'a'.repeat(64),
  trainingParams: '{}',
  fee: '0',
  nonce: '1',
  progress: 'Init',
  model: 'zg-tinylm-chat',
  losses: [],
  ...over,
})

describe('job watch view', () => {
  test('sparkline follows the values', () => {
    assert.equal(sparkline([4, 3, 2, 1]), '█▆▃▁')
    assert.equal(sparkline([]), '')
    assert.equal(sparkline([1, 1, 1]), '▁▁▁')
    assert.equal(sparkline(Array.from({length: 200}, (_, i) => 200 - i), 20).length, 20)
  })

  test('shows the state machine, the loss and the log tail', () => {
    const {lastFrame, unmount} = render(<JobView task={task({progress: 'Training', losses: [4.5, 3.2, 2.1, 1.4], totalSteps: 10})} log={['a', 'step 4/10 loss=1.4000']} />)
    const f = lastFrame() ?? ''
    assert.match(f, /✔ Init/)
    assert.match(f, /✔ SetUp/)
    assert.match(f, /● Training/)
    assert.match(f, /○ Delivered/)
    assert.match(f, /4\.500 → 1\.400\s+step 4\/10/)
    assert.match(f, /█/)
    assert.match(f, /step 4\/10 loss=1\.4000/)
    unmount()
  })

  test('a failed job shows its reason; plain progress lines for pipes', () => {
    const {lastFrame, unmount} = render(<JobView task={task({progress: 'Failed', reason: 'cancelled by the user'})} log={[]} />)
    assert.match(lastFrame() ?? '', /Failed: cancelled by the user/)
    unmount()
    assert.equal(jobLine(task({progress: 'Training', losses: [2, 1.5], totalSteps: 9})), 'Training: step 2/9 loss 1.5000')
    assert.equal(jobLine(task({progress: 'Failed', reason: 'x'})), 'Failed: x')
  })
})

describe('interactive chat view', () => {
  const tick = () => new Promise((r) => setTimeout(r, 30))
  test('sends the typed line, streams the answer, then shows the signature check and fee', async () => {
    const {Chat} = await import('../../src/ui/compute-chat.js')
    const sent: unknown[] = []
    // The UI under test talks to this session double; the real session is exercised end to end in compute-e2e.
    const session = {
      service: {provider: '0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f', model: 'zg-tinylm-chat'} as never,
      expectedSigner: '0xC9a672Bf6F10264B8bBf8bF386ff88db19f3490C',
      send: async (messages: unknown[], o: {onToken?: (p: string) => void} = {}) => {
        sent.push(structuredClone(messages))
        for (const p of ['Hel', 'lo']) o.onToken?.(p)
        return {result: {content: 'Hello', usage: {prompt_tokens: 3, completion_tokens: 5, total_tokens: 8}} as never, fee: 13_000_000_000_000n, signature: {verified: true} as never}
      },
    }
    let turns = -1
    const ui = render(<Chat session={session} verify signal={new AbortController().signal} onDone={(n) => (turns = n)} />)
    await tick()
    ui.stdin.write('hi there')
    await tick()
    ui.stdin.write('\r')
    await tick()
    await tick()
    const f = ui.lastFrame() ?? ''
    assert.match(f, /you › hi there/)
    assert.match(f, /model › Hello/)
    assert.match(f, /✔ signature verified · 8 tokens · fee 0\.000013 0G/)
    assert.deepEqual(sent, [[{role: 'user', content: 'hi there'}]])
    ui.stdin.write('/exit\r')
    await tick()
    assert.equal(turns, 1)
    ui.unmount()
  })
})
