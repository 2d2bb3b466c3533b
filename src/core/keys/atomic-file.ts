import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

/**
 * Small atomic-write helpers for secret-bearing files. Hand-written (rather than write-file-atomic/atomically)
 * because we need two things those don't offer together: the mode set when the temp file is *created* (so a
 * keystore is never readable by others, not even for a moment) and a no-clobber variant that fails if the target
 * already exists, atomically, so two concurrent `wallet import` runs can't overwrite each other.
 */

export interface AtomicWriteOptions {
  /** File mode at creation; default 0o600. */
  mode?: number
  /** false: fail with an EEXIST error if `file` exists (atomic check); default true. */
  overwrite?: boolean
}

/** Writes `data` to a temp file beside `file` (same directory, so rename is atomic), fsyncs it, then moves it in. */
export function writeFileAtomic(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  const mode = opts.mode ?? 0o600
  const dir = path.dirname(file)
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`)
  const fd = fs.openSync(tmp, 'wx', mode)
  try {
    try {
      fs.writeFileSync(fd, data)
      // umask can only remove bits, but a pre-existing ACL default could add some: state the mode explicitly.
      fs.fchmodSync(fd, mode)
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    if (opts.overwrite === false) {
      linkNoClobber(tmp, file)
      fs.rmSync(tmp, {force: true})
    } else {
      fs.renameSync(tmp, file)
    }
  } catch (e) {
    fs.rmSync(tmp, {force: true})
    throw e
  }
}

// link(2) fails with EEXIST if the target exists, which makes "create only if absent" atomic. Some file systems
// (FAT, some network mounts) have no hard links; there we fall back to check-then-rename, which is racy only
// against another writer of the same name in the same instant.
function linkNoClobber(tmp: string, file: string): void {
  try {
    fs.linkSync(tmp, file)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e
    if (fs.existsSync(file)) throw Object.assign(new Error(`EEXIST: file already exists, '${file}'`), {code: 'EEXIST'})
    fs.renameSync(tmp, file)
  }
}

/** Creates `dir` (and parents) if needed and makes sure `dir` itself is private (0700). */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, {recursive: true, mode: 0o700})
  if (process.platform !== 'win32') fs.chmodSync(dir, 0o700)
}
