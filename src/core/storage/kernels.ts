/**
 * zg's WebAssembly kernels (wasm/kernels.ts, compiled by scripts/build-wasm.mjs into kernels-wasm.ts): batch
 * Keccak-256 for the Merkle engine, used through keccak.ts. One instance per thread, compiled synchronously at
 * import (the module is ~2 KB). The JS side owns the module's memory above its static data: OUT holds single
 * digests, IN one input buffer that grows to the largest input seen.
 */
import {KERNELS_WASM_BASE64} from './kernels-wasm.js'

// The few WebAssembly API members used here (this project's TS lib settings carry no DOM/WebAssembly types).
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object) => {exports: unknown}
}

export interface Kernels {
  memory: {buffer: ArrayBuffer; grow(pages: number): number}
  keccak256(ptr: number, len: number, out: number): void
  hashChunks(ptr: number, count: number, out: number): void
  reduceLevel(ptr: number, n: number): number
  heapBase(): number
}

export const kernels = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'))).exports as unknown as Kernels
export const OUT = (kernels.heapBase() + 63) & ~63
export const IN = OUT + 64
let mem = new Uint8Array(kernels.memory.buffer)

/** Makes room for `bytes` of input at IN; returns the current view of the module's memory (growing detaches the old). */
export function room(bytes: number): Uint8Array {
  const need = IN + bytes
  const have = kernels.memory.buffer.byteLength
  if (need > have) kernels.memory.grow(Math.ceil((need - have) / 65536))
  if (mem.byteLength !== kernels.memory.buffer.byteLength) mem = new Uint8Array(kernels.memory.buffer)
  return mem
}

