import {spawn} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {captureOutput} from './capture.js'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const BIN = path.join(ROOT, 'bin', 'run.js')

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

/** A throwaway home for zg: config and data dirs that only this test sees. */
export function tempHome(prefix = 'zg-test-'): {configDir: string; dataDir: string; env: NodeJS.ProcessEnv; cleanup(): void} {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  const configDir = path.join(root, 'config')
  const dataDir = path.join(root, 'data')
  return {
    configDir,
    dataDir,
    env: {ZG_CONFIG_DIR: configDir, ZG_DATA_DIR: dataDir},
    cleanup: () => fs.rmSync(root, {recursive: true, force: true}),
  }
}

/** Runs the built CLI as a user would, piped (no TTY), with CI set so nothing can prompt. */
export function runZg(args: string[], opts: {env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number} = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = {...process.env, CI: 'true', ...opts.env}
    delete env.FORCE_COLOR
    const child = spawn(process.execPath, [BIN, ...args], {env, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      captureOutput(`zg ${args.join(' ')}`, stdout + '\n' + stderr)
      resolve({code: code ?? -1, stdout, stderr})
    })
    if (opts.input !== undefined) child.stdin.end(opts.input)
    else child.stdin.end()
  })
}

/** Parses the single JSON envelope a --json run must print (and nothing else on stdout). */
export function envelope(r: RunResult): {schemaVersion: number; ok: boolean; data?: any; error?: any; warnings?: string[]} {
  const lines = r.stdout.trim().split('\n')
  if (lines.length !== 1) throw new Error(`expected exactly one line on stdout, got ${lines.length}:\n${r.stdout}\nstderr:\n${r.stderr}`)
  return JSON.parse(lines[0])
}
