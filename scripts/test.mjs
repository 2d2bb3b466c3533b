#!/usr/bin/env node
// The project's test command: runs the compiled tests with node's test runner, then the secret scan over everything
// the tests captured, and ends with the line CI reads: "N passed, N failed".
// Usage: npm test [-- substring ...]   (filters test files by path)
import {spawnSync} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const testDir = path.join(root, 'dist', 'test')
if (!fs.existsSync(testDir)) {
  console.error('No compiled tests: run `npx tsc -p tsconfig.json` (or `npm run build`) first.')
  process.exit(1)
}
const filter = process.argv.slice(2)
const files = []
const walk = (d) => {
  for (const e of fs.readdirSync(d, {withFileTypes: true})) {
    const p = path.join(d, e.name)
    if (e.isDirectory()) walk(p)
    else if (e.name.endsWith('.test.js')) files.push(p)
  }
}
walk(testDir)
const scan = path.join(testDir, 'secret-scan.final.js')
const selected = (filter.length ? files.filter((f) => filter.some((x) => f.includes(x))) : files).sort()

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'zg-test-run-'))
// ZG_TEST_PORT_DIR: test files claim the ports they hand out there, so two files running at once never get the same one.
const env = {...process.env, NO_COLOR: '1', ZG_TEST_CAPTURE_DIR: path.join(work, 'capture'), ZG_TALLY_FILE: path.join(work, 'tally.jsonl'), ZG_TEST_PORT_DIR: path.join(work, 'ports')}
delete env.FORCE_COLOR

const run = (list) =>
  spawnSync(
    process.execPath,
    [
      '--test',
      `--test-concurrency=${process.env.ZG_TEST_CONCURRENCY ?? 2}`,
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      `--test-reporter=${path.join(root, 'scripts', 'summary-reporter.mjs')}`,
      '--test-reporter-destination=stdout',
      ...list,
    ],
    {stdio: 'inherit', env},
  ).status

let status = selected.length ? run(selected) : 0
// The secret scan runs last, over the outputs of the run above.
if (fs.existsSync(scan)) status = run([scan]) || status

let passed = 0
let failed = 0
let skipped = 0
if (fs.existsSync(env.ZG_TALLY_FILE)) {
  for (const mark of fs.readFileSync(env.ZG_TALLY_FILE, 'utf8')) {
    if (mark === 'P') passed++
    else if (mark === 'F') failed++
    else if (mark === 'S') skipped++
  }
}
// A test file that crashed before reporting anything still fails the run (the runner's exit status says so).
if (status !== 0 && failed === 0) failed = 1
fs.rmSync(work, {recursive: true, force: true})
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exit(status ?? 1)
