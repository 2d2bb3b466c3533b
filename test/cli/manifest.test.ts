import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {test} from 'node:test'
import {Plugin} from '@oclif/core'
import {ROOT} from '../helpers/cli.js'

/**
 * oclif.manifest.json is committed so `zg --help` never imports every command. This builds the manifest from the
 * compiled commands the way `oclif manifest` does (in memory, without touching the file) and fails when the committed
 * one differs: run `npm run build`.
 */
test('the committed oclif.manifest.json matches the commands', async () => {
  const plugin = new Plugin({root: ROOT, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, respectNoCacheDefault: true})
  await plugin.load()
  const fresh = JSON.parse(JSON.stringify(plugin.manifest))
  const committed = JSON.parse(fs.readFileSync(path.join(ROOT, 'oclif.manifest.json'), 'utf8'))
  assert.deepEqual(Object.keys(committed.commands).sort(), Object.keys(fresh.commands).sort(), 'command list differs: run `npm run build`')
  assert.deepEqual(committed.commands, fresh.commands, 'command flags/args/descriptions differ: run `npm run build`')
})
