import assert from 'node:assert/strict'
import http from 'node:http'
import {describe, test} from 'node:test'
import {ZgError} from '../../src/core/errors.js'
import type {ProgressEvent} from '../../src/core/progress.js'
import {checkChain, makeProvider, redactUrl} from '../../src/core/chain/provider.js'
import {freePort} from '../helpers/ports.js'

type Handler = (req: http.IncomingMessage, body: {id: number; method: string}, res: http.ServerResponse, n: number) => void

/** A JSON-RPC server whose behaviour per request is scripted by the test. */
async function fakeRpc(handler: Handler): Promise<{url: string; count: () => number; close: () => Promise<void>}> {
  let n = 0
  const server = http.createServer((req, res) => {
    let raw = ''
    req.on('data', (d) => (raw += d))
    req.on('end', () => handler(req, JSON.parse(raw), res, ++n))
  })
  const port = await freePort()
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => n,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

const answer = (res: http.ServerResponse, id: number, result: unknown) => {
  res.writeHead(200, {'content-type': 'application/json'})
  res.end(JSON.stringify({jsonrpc: '2.0', id, result}))
}
const ok: Handler = (_req, body, res) => answer(res, body.id, body.method === 'eth_chainId' ? '0x7a69' : '0x10')

const fast = {backoffBaseMs: 1, backoffMaxMs: 20}

function expectZg(code: string, exit: number, check?: (e: ZgError) => void) {
  return (e: unknown) => {
    assert.ok(e instanceof ZgError, `expected ZgError, got ${String((e as Error)?.stack ?? e)}`)
    assert.equal(e.code, code, e.message)
    assert.equal(e.exit, exit)
    check?.(e)
    return true
  }
}

describe('makeProvider', () => {
  test('nothing listening → RPC_UNREACHABLE (exit 5) naming the URL, from makeProvider and from calls', async () => {
    const url = `http://127.0.0.1:${await freePort()}`
    await assert.rejects(makeProvider(url, {retries: 5, ...fast}), expectZg('RPC_UNREACHABLE', 5, (e) => assert.ok(e.message.includes(url), e.message)))
    const p = await makeProvider(url, {chainId: 31337, ...fast})
    try {
      await assert.rejects(p.getBlockNumber(), expectZg('RPC_UNREACHABLE', 5))
    } finally {
      p.destroy()
    }
  })

  test('asks the chain id when not given, and serves calls', async () => {
    const srv = await fakeRpc(ok)
    const p = await makeProvider(srv.url, {local: true})
    try {
      assert.equal((await p.getNetwork()).chainId, 31337n)
      assert.equal(await p.getBlockNumber(), 16)
      assert.equal(p.pollingInterval, 50)
    } finally {
      p.destroy()
      await srv.close()
    }
  })

  test('429 is retried, honouring Retry-After in seconds', async () => {
    const srv = await fakeRpc((req, body, res, n) => {
      if (n <= 2) {
        res.writeHead(429, {'retry-after': n === 1 ? '0' : '1'})
        return res.end('slow down')
      }
      ok(req, body, res, n)
    })
    const events: ProgressEvent[] = []
    const p = await makeProvider(srv.url, {chainId: 31337, retries: 3, backoffBaseMs: 1, backoffMaxMs: 5000, reporter: {emit: (e) => events.push(e)}})
    try {
      assert.equal(await p.getBlockNumber(), 16)
      assert.equal(srv.count(), 3)
      assert.deepEqual(events.map((e) => [e.step, e.status, e.data?.reason, e.data?.delayMs]), [
        ['rpc', 'warn', 'rate-limited', 0],
        ['rpc', 'warn', 'rate-limited', 1000],
      ])
    } finally {
      p.destroy()
      await srv.close()
    }
  })

  test('a JSON-RPC "limit exceeded" (-32005) answer is retried too', async () => {
    const srv = await fakeRpc((req, body, res, n) => {
      if (n === 1) {
        res.writeHead(200, {'content-type': 'application/json'})
        return res.end(JSON.stringify({jsonrpc: '2.0', id: body.id, error: {code: -32005, message: 'limit exceeded'}}))
      }
      ok(req, body, res, n)
    })
    const p = await makeProvider(srv.url, {chainId: 31337, ...fast})
    try {
      assert.equal(await p.getBlockNumber(), 16)
      assert.equal(srv.count(), 2)
    } finally {
      p.destroy()
      await srv.close()
    }
  })

  test('persistent 5xx gives up after the retries with RPC_UNREACHABLE', async () => {
    const srv = await fakeRpc((_req, _body, res) => {
      res.writeHead(503)
      res.end('down')
    })
    const p = await makeProvider(srv.url, {chainId: 31337, retries: 2, ...fast})
    try {
      await assert.rejects(p.getBlockNumber(), expectZg('RPC_UNREACHABLE', 5, (e) => assert.equal(e.details!.status, 503)))
      assert.equal(srv.count(), 3)
    } finally {
      p.destroy()
      await srv.close()
    }
  })

  test('a connection reset is retried', async () => {
    const srv = await fakeRpc((req, body, res, n) => {
      if (n === 1) return req.socket.destroy()
      ok(req, body, res, n)
    })
    const p = await makeProvider(srv.url, {chainId: 31337, ...fast})
    try {
      assert.equal(await p.getBlockNumber(), 16)
      assert.equal(srv.count(), 2)
    } finally {
      p.destroy()
      await srv.close()
    }
  })

  test('a node that never answers → RPC_TIMEOUT after the per-attempt timeout and retries', async () => {
    const srv = await fakeRpc(() => {})
    const p = await makeProvider(srv.url, {chainId: 31337, timeoutMs: 100, retries: 1, ...fast})
    try {
      await assert.rejects(p.getBlockNumber(), expectZg('RPC_TIMEOUT', 5))
      assert.equal(srv.count(), 2)
    } finally {
      p.destroy()
      await srv.close()
    }
  })

  test('4xx without JSON-RPC is not retried (RPC_HTTP_ERROR); a JSON-RPC error in a 500 is an answer', async () => {
    const srv = await fakeRpc((_req, body, res, n) => {
      if (n === 1) {
        res.writeHead(401)
        return res.end('unauthorized')
      }
      res.writeHead(500, {'content-type': 'application/json'})
      res.end(JSON.stringify({jsonrpc: '2.0', id: body.id, error: {code: -32601, message: 'method not found'}}))
    })
    const p = await makeProvider(srv.url, {chainId: 31337, ...fast})
    try {
      await assert.rejects(p.getBlockNumber(), expectZg('RPC_HTTP_ERROR', 5))
      assert.equal(srv.count(), 1)
      await assert.rejects(p.send('foo_bar', []), (e: unknown) => !(e instanceof ZgError) && /method not found/.test(String((e as Error).message)))
      assert.equal(srv.count(), 2)
    } finally {
      p.destroy()
      await srv.close()
    }
  })

  test('checkChain: a mismatch is CHAIN_MISMATCH (exit 2) with both ids', async () => {
    const srv = await fakeRpc(ok)
    const p = await makeProvider(srv.url, {chainId: 16602})
    try {
      await assert.rejects(
        checkChain(p, 16602),
        expectZg('CHAIN_MISMATCH', 2, (e) => {
          assert.match(e.message, /31337/)
          assert.match(e.message, /16602/)
        }),
      )
      const q = await makeProvider(srv.url)
      await checkChain(q, 31337)
      q.destroy()
    } finally {
      p.destroy()
      await srv.close()
    }
  })

  test('bad URLs are usage errors; messages mask credentials and API keys', async () => {
    await assert.rejects(makeProvider('not a url'), expectZg('RPC_URL_INVALID', 2))
    await assert.rejects(makeProvider('ws://127.0.0.1:1'), expectZg('RPC_URL_INVALID', 2))
    assert.equal(redactUrl('https://user:pw@rpc.example.com/v3/0123456789abcdef0123456789abcdef?apikey=XYZ'), 'https://rpc.example.com/v3/0123***?apikey=***')
    assert.equal(redactUrl('http://127.0.0.1:8545'), 'http://127.0.0.1:8545')
  })
})
