#!/usr/bin/env node
// Devnet start time, through the CLI as a user runs it: `zg node start --detach` until it returns ready.
// cold = first start after the first deploy (a new supervisor and chain, contracts already on chain);
// warm = restart right after a stop. Goals: cold ≤ 1.5 s, warm ≤ 1 s. Also reports the very first start (deploy).
import {spawnSync} from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const bin = path.join(root, 'bin', 'run.js')
const N = Number(process.env.N ?? 5)
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'zg-bench-devnet-'))
const env = {...process.env, CI: '1', ZG_CONFIG_DIR: path.join(home, 'c'), ZG_DATA_DIR: path.join(home, 'd')}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function freePort() {
  return new Promise((res) => {
    const s = net.createServer()
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port
      s.close(() => res(p))
    })
  })
}
const ports = ['--chain-port', await freePort(), '--indexer-port', await freePort(), '--provider-port', await freePort(), '--oracle-port', await freePort()]
let sp = await freePort()
ports.push('--storage-port', sp)
let coldCache = 0
/** Runs zg and returns its wall time; `cold` gives it a new, empty Node compile cache (as after an install). */
const zg = (args, {cold = false} = {}) => {
  const t = process.hrtime.bigint()
  const runEnv = cold ? {...env, NODE_COMPILE_CACHE: path.join(home, `ncc-${coldCache++}`)} : env
  const r = spawnSync(process.execPath, [bin, ...args.map(String)], {env: runEnv, encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`zg ${args.join(' ')}: ${r.stdout} ${r.stderr}`)
  return Number(process.hrtime.bigint() - t) / 1e6
}
try {
  const first = zg(['node', 'start', '--detach', ...ports], {cold: true})
  zg(['node', 'stop'])
  const cold = []
  const warm = []
  for (let i = 0; i < N; i++) {
    // cold: a new, empty Node compile cache (as after an install or upgrade); the OS file cache stays warm.
    cold.push(zg(['node', 'start', '--detach', ...ports], {cold: true}))
    zg(['node', 'stop'])
    warm.push(zg(['node', 'start', '--detach', ...ports]))
    zg(['node', 'stop'])
  }
  console.log(`Devnet start via CLI (${process.version}), median of ${N}`)
  console.log(`  first start (deploys contracts)   ${first.toFixed(0)} ms`)
  console.log(`  start after first deploy          ${median(cold).toFixed(0)} ms   (goal ≤ 1500)`)
  console.log(`  warm restart (right after stop)   ${median(warm).toFixed(0)} ms   (goal ≤ 1000)`)
} finally {
  spawnSync(process.execPath, [bin, 'node', 'stop'], {env})
  fs.rmSync(home, {recursive: true, force: true})
}
