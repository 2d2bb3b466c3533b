import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {errorEnvelope, normalizeError, success} from '../../src/cli/envelope.js'
import {ExitCode, authError, interrupted, networkError, notFound, timeoutError, txError, usageError, ZgError} from '../../src/core/errors.js'
import {envelope, runZg, tempHome} from '../helpers/cli.js'
import {freePort} from '../helpers/ports.js'

describe('envelope and exit codes', () => {
  test('success envelope shape', () => {
    assert.deepEqual(success({a: 1}, ['w']), {schemaVersion: 1, ok: true, data: {a: 1}, warnings: ['w']})
  })

  test('each typed error keeps its code and exit', () => {
    const cases: Array<[ZgError, string, number]> = [
      [usageError('u'), 'USAGE', ExitCode.USAGE],
      [notFound('n'), 'NOT_FOUND', ExitCode.NOT_FOUND],
      [authError('a'), 'KEY_REQUIRED', ExitCode.AUTH],
      [networkError('x'), 'RPC_UNREACHABLE', ExitCode.NETWORK],
      [txError('t'), 'TX_REVERTED', ExitCode.TX_FAILED],
      [timeoutError('t'), 'TIMEOUT', ExitCode.TIMEOUT],
      [interrupted(), 'INTERRUPTED', ExitCode.INTERRUPTED],
    ]
    for (const [err, code, exit] of cases) {
      const n = normalizeError(err)
      assert.equal(n.code, code)
      assert.equal(n.exit, exit)
      const e = errorEnvelope(n, false)
      assert.equal(e.ok, false)
      assert.equal(e.error.code, code)
      assert.deepEqual(Object.keys(e.error).sort(), ['code', 'message', 'suggestions'])
    }
  })

  test('unexpected errors are exit 1; --verbose adds the cause chain, never the stack in JSON', () => {
    const inner = new Error('socket closed')
    const n = normalizeError(new Error('boom', {cause: inner}))
    assert.equal(n.exit, ExitCode.UNEXPECTED)
    assert.equal(n.code, 'UNEXPECTED')
    const verbose = errorEnvelope(n, true)
    assert.deepEqual(verbose.error.details?.causes, ['socket closed'])
    assert.equal(JSON.stringify(verbose).includes('at '), false)
  })

  test('oclif parse errors become USAGE with exit 2 and no config dump', () => {
    const parseErr = Object.assign(new Error('Nonexistent flag: --x\nSee more help with --help'), {oclif: {exit: 2}, parse: {input: {context: {config: {huge: 'x'.repeat(10000)}}}}})
    const n = normalizeError(parseErr)
    assert.equal(n.exit, 2)
    assert.equal(n.message, 'Nonexistent flag: --x')
    assert.ok(JSON.stringify(errorEnvelope(n, false)).length < 500)
  })

  test('real runs keep exit codes under --json: 3 not found, 5 unreachable, 2 missing arg', async () => {
    const home = tempHome()
    try {
      const nf = await runZg(['network', 'show', 'nope', '--json'], {env: home.env})
      assert.equal(nf.code, 3)
      assert.equal(envelope(nf).error.code, 'NETWORK_NOT_FOUND')
      const port = await freePort()
      const add = await runZg(['network', 'add', 'mine', '--rpc', `http://127.0.0.1:${port}`, '--chain-id', '7', '--json'], {env: home.env})
      assert.equal(add.code, 0)
      const chk = await runZg(['network', 'check', 'mine', '--json'], {env: home.env})
      assert.equal(chk.code, 5)
      assert.equal(envelope(chk).error.code, 'RPC_UNREACHABLE')
      const miss = await runZg(['config', 'set', 'network', '--json'], {env: home.env})
      assert.equal(miss.code, 2)
      assert.equal(envelope(miss).ok, false)
    } finally {
      home.cleanup()
    }
  })

  test('piped human output has no ANSI escapes; warnings go to stderr', async () => {
    const home = tempHome()
    try {
      for (const args of [['network', 'list'], ['config', 'list'], ['network', 'show', 'galileo'], ['config', 'get', 'nope']]) {
        const r = await runZg(args, {env: home.env})
        assert.doesNotMatch(r.stdout + r.stderr, /\x1b\[/, args.join(' '))
      }
      const bad = await runZg(['config', 'get', 'nope'], {env: home.env})
      assert.equal(bad.stdout, '')
      assert.match(bad.stderr, /Unknown setting "nope"/)
      assert.doesNotMatch(bad.stderr, /at .*\.js:\d+/, 'no stack trace without --verbose')
    } finally {
      home.cleanup()
    }
  })
})
