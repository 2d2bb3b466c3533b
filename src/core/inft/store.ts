/**
 * Where encrypted agent bundles live: 0G Storage, through the uploader and the verified downloader
 * (src/core/storage). The uploader takes files, so the ciphertext goes through a private temp file (mode 0600,
 * in a 0700 folder) that is removed afterwards; it is ciphertext, but there is no reason to leave it around.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type {JsonRpcProvider, Wallet} from 'ethers'
import type {SendOptions} from '../chain/send.js'
import type {NetworkProfile} from '../networks.js'
import type {Reporter} from '../progress.js'

export interface StoredBlob {
  root: string
  size: number
  txHash: string | null
  /** Wei paid for the storage submission (decimal). */
  fee: string
  /** The same bytes were already on storage (nothing paid). */
  reused: boolean
}

export interface BlobStore {
  put(bytes: Uint8Array): Promise<StoredBlob>
  /** Downloads and verifies against the root. */
  get(root: string, maxBytes?: number): Promise<Uint8Array>
}

export interface ZgStorageOptions {
  network: NetworkProfile
  provider: JsonRpcProvider
  /** Pays for submissions; only needed for put(). */
  signer?: () => Promise<Wallet>
  reporter?: Reporter
  signal?: AbortSignal
  tx?: Partial<SendOptions>
  env?: NodeJS.ProcessEnv
  /** Bound on the storage side of an upload (default the uploader's). */
  timeoutMs?: number
}

export const MAX_BLOB_BYTES = 32 * 1024 * 1024

export function zgStorage(o: ZgStorageOptions): BlobStore {
  return {
    async put(bytes) {
      const {uploadFile} = await import('../storage/upload.js')
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zg-inft-'))
      fs.chmodSync(dir, 0o700)
      const file = path.join(dir, 'agent.bundle.enc')
      try {
        fs.writeFileSync(file, bytes, {mode: 0o600})
        const r = await uploadFile(file, {network: o.network, provider: o.provider, signer: o.signer, reporter: o.reporter, signal: o.signal, tx: o.tx, env: o.env, timeoutMs: o.timeoutMs})
        return {root: r.root, size: r.size, txHash: r.txHash, fee: r.fee, reused: r.reused && !r.paidNow}
      } finally {
        fs.rmSync(dir, {recursive: true, force: true})
      }
    },
    async get(root, maxBytes = MAX_BLOB_BYTES) {
      const {downloadBytes} = await import('../storage/download.js')
      const r = await downloadBytes(root, {network: o.network, reporter: o.reporter, signal: o.signal, maxBytes, env: o.env})
      return new Uint8Array(r.data)
    },
  }
}
