#!/usr/bin/env node
// Runs every benchmark in bench/ one after the other (each compares against its anchor in the same run).
import {spawnSync} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const dir = import.meta.dirname
const only = process.argv.slice(2)
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.mjs') && f !== 'run.mjs').sort()) {
  if (only.length && !only.some((o) => f.includes(o))) continue
  console.log(`\n=== ${f}`)
  const r = spawnSync(process.execPath, [path.join(dir, f)], {stdio: 'inherit'})
  if (r.status !== 0) console.log(`(${f} exited ${r.status})`)
}
