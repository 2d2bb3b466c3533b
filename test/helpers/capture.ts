import fs from 'node:fs'
import path from 'node:path'

/**
 * Every output a test captures from zg is appended here, and every secret a test handles is registered, so the
 * final secret scan (test/zz-secret-scan) can assert no key ever reached stdout, stderr or a log.
 * scripts/test.mjs sets ZG_TEST_CAPTURE_DIR for the whole run.
 */
const dir = () => process.env.ZG_TEST_CAPTURE_DIR

export function captureOutput(label: string, text: string): void {
  const d = dir()
  if (!d || !text) return
  fs.mkdirSync(d, {recursive: true})
  fs.appendFileSync(path.join(d, `out-${process.pid}.log`), `\n--- ${label}\n${text}`)
}

export function registerSecret(secret: string): void {
  const d = dir()
  if (!d) return
  fs.mkdirSync(d, {recursive: true})
  fs.appendFileSync(path.join(d, 'secrets.txt'), secret.replace(/^0x/i, '').toLowerCase() + '\n')
}
