import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {describe, test, after} from 'node:test'
import {ROOT, envelope, runZg, tempHome} from '../helpers/cli.js'

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, {flags: Record<string, {name: string; env?: string; type: string}>; pluginName?: string}>
}
const ours = Object.entries(manifest.commands)
const home = tempHome()
after(() => home.cleanup())

describe('every command in the manifest', () => {
  test('the manifest lists the command groups', () => {
    const ids = ours.map(([id]) => id)
    for (const want of ['config:get', 'config:set', 'config:list', 'network:list', 'network:check']) assert.ok(ids.includes(want), want)
  })

  test('every flag has a ZG_ env var', () => {
    const missing: string[] = []
    for (const [id, c] of ours) {
      for (const f of Object.values(c.flags)) {
        if (f.name === 'help') continue
        if (!f.env || !f.env.startsWith('ZG_')) missing.push(`${id} --${f.name}`)
      }
    }
    assert.deepEqual(missing, [])
  })

  for (const [id] of ours) {
    const argv = id.split(':')
    test(`${argv.join(' ')} --help exits 0 and prints usage and exit codes`, async () => {
      const r = await runZg([...argv, '--help'], {env: home.env})
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout, /USAGE/)
      assert.match(r.stdout, /EXIT CODES/)
      assert.doesNotMatch(r.stdout, /\x1b\[/, 'no ANSI escapes in piped help')
    })

    test(`${argv.join(' ')} --json --bogus-flag prints one small usage envelope, exit 2`, async () => {
      const r = await runZg([...argv, '--json', '--bogus-flag'], {env: home.env})
      assert.equal(r.code, 2, r.stdout + r.stderr)
      assert.ok(r.stdout.length < 2048, `envelope too big: ${r.stdout.length} bytes`)
      const e = envelope(r)
      assert.equal(e.schemaVersion, 1)
      assert.equal(e.ok, false)
      assert.equal(e.error.code, 'USAGE')
      assert.match(e.error.message, /bogus-flag/)
      assert.equal(r.stderr, '')
    })
  }
})
