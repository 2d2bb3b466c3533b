import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {after, test} from 'node:test'
import {ROOT, BIN, runZg, tempHome} from '../helpers/cli.js'
import {captureOutput} from '../helpers/capture.js'
import {devnetPortArgs} from '../helpers/devnet.js'

/**
 * The README's CI recipe (docs/ci-recipe.sh) run as a pipeline would: a `zg` on PATH, no TTY, CI=true, ports and
 * folders from env vars only, every step's --json parsed with jq.
 */
const home = tempHome('zg-ci-recipe-')
after(async () => {
  await runZg(['node', 'stop'], {env: home.env})
  home.cleanup()
})

test('the CI recipe runs end to end on a fresh devnet: dataset, model, fine-tuning job', async () => {
  const shim = path.join(home.dataDir, '..', 'bin')
  fs.mkdirSync(shim, {recursive: true})
  fs.writeFileSync(path.join(shim, 'zg'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, {mode: 0o755})
  const ports = await devnetPortArgs()
  const portEnv: Record<string, string> = {}
  for (let i = 0; i < ports.length; i += 2) portEnv[`ZG_${ports[i].slice(2).replace(/-/g, '_').toUpperCase()}`] = ports[i + 1]
  const env: NodeJS.ProcessEnv = {...process.env, ...home.env, ...portEnv, CI: 'true', PATH: `${shim}:${process.env.PATH}`, RUN_ID: 'test'}
  delete env.ZG_ACCOUNT
  const r = await new Promise<{code: number; out: string}>((resolve) => {
    const child = spawn('bash', [path.join(ROOT, 'docs', 'ci-recipe.sh')], {env, stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('close', (code) => resolve({code: code ?? -1, out}))
  })
  captureOutput('docs/ci-recipe.sh', r.out)
  assert.equal(r.code, 0, r.out)
  assert.match(r.out, /^dataset 0x[0-9a-f]{64} \(asset \d+\)$/m)
  assert.match(r.out, /^model asset \d+$/m)
  assert.match(r.out, /^job [0-9a-f-]{36} finished, loss [\d.]+ → [\d.]+, model decrypted$/m)
})
