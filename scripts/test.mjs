#!/usr/bin/env node
// Runs the compiled tests with node's test runner and ends with the line CI reads: "N passed, N failed".
import {spawnSync} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const filter = process.argv.slice(2)
const files = []
const walk = (d) => {
  for (const e of fs.readdirSync(d, {withFileTypes: true})) {
    const p = path.join(d, e.name)
    if (e.isDirectory()) walk(p)
    else if (e.name.endsWith('.test.js')) files.push(p)
  }
}
walk(path.join(root, 'dist', 'test'))
const selected = filter.length ? files.filter((f) => filter.some((x) => f.includes(x))) : files
selected.sort()
const res = spawnSync(
  process.execPath,
  [
    '--test',
    `--test-concurrency=${process.env.ZG_TEST_CONCURRENCY ?? 2}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${path.join(root, 'scripts', 'summary-reporter.mjs')}`,
    '--test-reporter-destination=stdout',
    ...selected,
  ],
  {stdio: 'inherit', env: {...process.env, NO_COLOR: '1'}},
)
process.exit(res.status ?? 1)
