#!/usr/bin/env node
// A stand-in for 0G's zgs_node in tests: reads --config, records what it saw (a hash of the miner key, never the key),
// crashes on its first run, then serves zgs_getStatus / zgs_getShardConfig on the configured RPC port.
import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'

const cfgPath = process.argv[process.argv.indexOf('--config') + 1]
const text = fs.readFileSync(cfgPath, 'utf8')
const key = /^miner_key = "([0-9a-f]+)"/m.exec(text)?.[1]
const port = Number(/listen_address = "[^"]*:(\d+)"/.exec(text)?.[1])
const runs = fs.existsSync('runs.txt') ? Number(fs.readFileSync('runs.txt', 'utf8')) : 0
fs.writeFileSync('runs.txt', String(runs + 1))
fs.appendFileSync('seen.jsonl', JSON.stringify({run: runs + 1, cfgPath, keySha: key ? crypto.createHash('sha256').update(key).digest('hex') : null}) + '\n')
console.log(`fake zgs_node run ${runs + 1} on port ${port}`)
if (runs === 0) setTimeout(() => process.exit(3), 200)
else {
  http
    .createServer((req, res) => {
      let body = ''
      req.on('data', (d) => (body += d))
      req.on('end', () => {
        const {id, method} = JSON.parse(body)
        const result = method === 'zgs_getStatus' ? {connectedPeers: 7, logSyncHeight: 42, logSyncBlock: '0x' + '0'.repeat(64), nextTxSeq: 5, networkIdentity: {chainId: 16602, flowAddress: '0x22E03a6A89B950F1c82ec5e74F8eCa321a105296', p2pProtocolVersion: {major: 0, minor: 4, build: 0}}} : {shardId: 0, numShard: 2}
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({jsonrpc: '2.0', id, result}))
      })
    })
    .listen(port, '127.0.0.1')
  process.on('SIGTERM', () => process.exit(0))
}
