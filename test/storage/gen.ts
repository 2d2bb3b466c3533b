/** Test data generators for the storage Merkle tests (names as in storage-roots.json and protocol-storage.md). */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export type GeneratorName = 'zero' | 'one' | 'hello' | 'pat' | 'mpat' | 'doc'

export function generate(name: GeneratorName, size: number): Uint8Array {
  if (name === 'hello') return new TextEncoder().encode('hello world')
  const b = new Uint8Array(size)
  for (let i = 0; i < size; i++) {
    switch (name) {
      case 'zero':
        break
      case 'one':
        b[i] = 1
        break
      case 'pat':
        b[i] = i % 256
        break
      case 'mpat':
        b[i] = Math.imul(i, 0x9e3779b1) >>> 24
        break
      case 'doc':
        // protocol-storage.md's pattern: (i*131 + 17 + (i>>8)*7 + (i>>16)*13) & 255
        b[i] = (i * 131 + 17 + Math.floor(i / 256) * 7 + Math.floor(i / 65536) * 13) % 256
        break
    }
  }
  return b
}

/** Deterministic pseudo-random bytes (xorshift32), so a failing case can be replayed from its seed. */
export function randomBytes(size: number, seed: number): Uint8Array {
  const b = new Uint8Array(size)
  let x = seed >>> 0 || 1
  for (let i = 0; i < size; i++) {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    b[i] = x & 255
  }
  return b
}

/** A fresh temp dir and its cleanup. */
export function tempDir(): {dir: string; cleanup: () => void} {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zg-merkle-'))
  return {dir, cleanup: () => fs.rmSync(dir, {recursive: true, force: true})}
}
