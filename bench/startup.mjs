#!/usr/bin/env node
// Cold start of the CLI: a fresh process per run, median of N (goal: --version and --help ≤ 150 ms on 2 cores).
// Anchor in the same run: bare `node -e 0`, the floor no CLI can beat.
import {spawnSync} from 'node:child_process'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const bin = path.join(root, 'bin', 'run.js')
const N = Number(process.env.N ?? 15)
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

function time(args) {
  const runs = []
  spawnSync(process.execPath, args, {stdio: 'ignore'}) // warm the OS file cache and Node's compile cache (bin/run.js enables it)
  for (let i = 0; i < N; i++) {
    const t = process.hrtime.bigint()
    const r = spawnSync(process.execPath, args, {stdio: 'ignore', env: {...process.env, CI: '1'}})
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`)
    runs.push(Number(process.hrtime.bigint() - t) / 1e6)
  }
  return median(runs)
}

const floor = time(['-e', '0'])
const rows = [
  ['node -e 0 (floor)', floor],
  ['zg --version', time([bin, '--version'])],
  ['zg --help', time([bin, '--help'])],
  ['zg network --help', time([bin, 'network', '--help'])],
  ['zg config list --json', time([bin, 'config', 'list', '--json'])],
]
console.log(`CLI cold start, median of ${N} runs (${process.version}, ${(await import('node:os')).cpus().length} cores)`)
for (const [name, ms] of rows) console.log(`  ${name.padEnd(24)} ${ms.toFixed(0).padStart(5)} ms   ${(ms / floor).toFixed(2)}× floor`)
