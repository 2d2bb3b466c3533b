import assert from 'node:assert/strict'
import {test} from 'node:test'
import React from 'react'
import {render} from 'ink-testing-library'
import {Select, TextInput} from '../../src/ui/prompts.js'

const tick = () => new Promise((r) => setTimeout(r, 20))

test('text prompt masks input, shows a validation error, and submits pasted text with its newline', async () => {
  let submitted: string | undefined
  const ui = render(<TextInput message="Password" mask validate={(v) => (v.length < 8 ? 'use at least 8 characters' : undefined)} done={(v) => (submitted = v)} cancel={() => {}} />)
  await tick()
  ui.stdin.write('short\r')
  await tick()
  assert.match(ui.lastFrame() ?? '', /Password •••••/)
  assert.match(ui.lastFrame() ?? '', /use at least 8 characters/)
  assert.equal(submitted, undefined)
  ui.stdin.write('-and-longer\r')
  await tick()
  assert.equal(submitted, 'short-and-longer')
  assert.doesNotMatch(ui.lastFrame() ?? '', /short/, 'the secret is never drawn')
  ui.unmount()
})

test('select prompt moves with arrows and returns the value', async () => {
  let chosen: string | undefined
  const ui = render(<Select message="Network" choices={[{label: 'local', value: 'l'}, {label: 'galileo', value: 'g'}]} done={(v) => (chosen = v)} cancel={() => {}} />)
  await tick()
  assert.match(ui.lastFrame() ?? '', /❯ local/)
  ui.stdin.write('\u001B[B')
  await tick()
  assert.match(ui.lastFrame() ?? '', /❯ galileo/)
  ui.stdin.write('\r')
  await tick()
  assert.equal(chosen, 'g')
  ui.unmount()
})
