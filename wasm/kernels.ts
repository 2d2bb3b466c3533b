/**
 * Keccak-256 kernels for zg's storage Merkle engine, in AssemblyScript (compiled by scripts/build-wasm.mjs into
 * src/core/storage/kernels-wasm.ts; never edit that file by hand).
 *
 * Why our own instead of hash-wasm (which zg used first): the Merkle work is millions of 256-byte chunks and 64-byte
 * node pairs, and hash-wasm offers one hash per call, so every hash paid ~450 ns of JS<->WASM crossings and wrapper
 * work on top of the permutation (measured: ~30 % of a verified download's hashing thread). These kernels take whole
 * batches - all chunks of a segment, a whole tree level - in one call, and hash two inputs at once with 128-bit SIMD
 * (two 64-bit lanes per v128: ~1.25x the scalar rate; an odd last input takes the scalar path). The permutation is the
 * standard unrolled Keccak-f[1600] (FIPS 202 / the Keccak team's reference), lane (x, y) held in local `a<x><y>`,
 * rotations as shift/shift/or under SIMD (wasm has no 64x2 rotate); results are checked
 * against ethers' keccak256 and 0G's golden Merkle roots by test/storage/kernels.test.ts.
 *
 * Memory: the JS side owns everything above __heap_base (see kernels.ts); these functions take byte offsets.
 */

// Round constants of Keccak-f[1600], iota step.
const RC = memory.data<u64>([
  0x0000000000000001, 0x0000000000008082, 0x800000000000808a, 0x8000000080008000,
  0x000000000000808b, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
  0x000000000000008a, 0x0000000000000088, 0x0000000080008009, 0x000000008000000a,
  0x000000008000808b, 0x800000000000008b, 0x8000000000008089, 0x8000000000008003,
  0x8000000000008002, 0x8000000000000080, 0x000000000000800a, 0x800000008000000a,
  0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
])

/** The sponge state: 25 little-endian 64-bit lanes, lane (x, y) at byte 8 * (x + 5y). */
const S: usize = memory.data(200, 8)

/** Keccak-256's rate in bytes (1088 bits). */
const RATE: usize = 136

/** Last byte of the rate block: the final bit of Keccak's pad10*1. */
const PAD_END: u64 = 0x8000000000000000

function permute(s: usize): void {
  let a00 = load<u64>(s, 0)
  let a10 = load<u64>(s, 8)
  let a20 = load<u64>(s, 16)
  let a30 = load<u64>(s, 24)
  let a40 = load<u64>(s, 32)
  let a01 = load<u64>(s, 40)
  let a11 = load<u64>(s, 48)
  let a21 = load<u64>(s, 56)
  let a31 = load<u64>(s, 64)
  let a41 = load<u64>(s, 72)
  let a02 = load<u64>(s, 80)
  let a12 = load<u64>(s, 88)
  let a22 = load<u64>(s, 96)
  let a32 = load<u64>(s, 104)
  let a42 = load<u64>(s, 112)
  let a03 = load<u64>(s, 120)
  let a13 = load<u64>(s, 128)
  let a23 = load<u64>(s, 136)
  let a33 = load<u64>(s, 144)
  let a43 = load<u64>(s, 152)
  let a04 = load<u64>(s, 160)
  let a14 = load<u64>(s, 168)
  let a24 = load<u64>(s, 176)
  let a34 = load<u64>(s, 184)
  let a44 = load<u64>(s, 192)
  for (let r: usize = 0; r < 24; r++) {
    const c0 = a00 ^ a01 ^ a02 ^ a03 ^ a04
    const c1 = a10 ^ a11 ^ a12 ^ a13 ^ a14
    const c2 = a20 ^ a21 ^ a22 ^ a23 ^ a24
    const c3 = a30 ^ a31 ^ a32 ^ a33 ^ a34
    const c4 = a40 ^ a41 ^ a42 ^ a43 ^ a44
    const d0 = c4 ^ rotl<u64>(c1, 1)
    const d1 = c0 ^ rotl<u64>(c2, 1)
    const d2 = c1 ^ rotl<u64>(c3, 1)
    const d3 = c2 ^ rotl<u64>(c4, 1)
    const d4 = c3 ^ rotl<u64>(c0, 1)
    const b00 = (a00 ^ d0)
    const b10 = rotl<u64>(a11 ^ d1, 44)
    const b20 = rotl<u64>(a22 ^ d2, 43)
    const b30 = rotl<u64>(a33 ^ d3, 21)
    const b40 = rotl<u64>(a44 ^ d4, 14)
    const b01 = rotl<u64>(a30 ^ d3, 28)
    const b11 = rotl<u64>(a41 ^ d4, 20)
    const b21 = rotl<u64>(a02 ^ d0, 3)
    const b31 = rotl<u64>(a13 ^ d1, 45)
    const b41 = rotl<u64>(a24 ^ d2, 61)
    const b02 = rotl<u64>(a10 ^ d1, 1)
    const b12 = rotl<u64>(a21 ^ d2, 6)
    const b22 = rotl<u64>(a32 ^ d3, 25)
    const b32 = rotl<u64>(a43 ^ d4, 8)
    const b42 = rotl<u64>(a04 ^ d0, 18)
    const b03 = rotl<u64>(a40 ^ d4, 27)
    const b13 = rotl<u64>(a01 ^ d0, 36)
    const b23 = rotl<u64>(a12 ^ d1, 10)
    const b33 = rotl<u64>(a23 ^ d2, 15)
    const b43 = rotl<u64>(a34 ^ d3, 56)
    const b04 = rotl<u64>(a20 ^ d2, 62)
    const b14 = rotl<u64>(a31 ^ d3, 55)
    const b24 = rotl<u64>(a42 ^ d4, 39)
    const b34 = rotl<u64>(a03 ^ d0, 41)
    const b44 = rotl<u64>(a14 ^ d1, 2)
    a00 = b00 ^ (~b10 & b20)
    a10 = b10 ^ (~b20 & b30)
    a20 = b20 ^ (~b30 & b40)
    a30 = b30 ^ (~b40 & b00)
    a40 = b40 ^ (~b00 & b10)
    a01 = b01 ^ (~b11 & b21)
    a11 = b11 ^ (~b21 & b31)
    a21 = b21 ^ (~b31 & b41)
    a31 = b31 ^ (~b41 & b01)
    a41 = b41 ^ (~b01 & b11)
    a02 = b02 ^ (~b12 & b22)
    a12 = b12 ^ (~b22 & b32)
    a22 = b22 ^ (~b32 & b42)
    a32 = b32 ^ (~b42 & b02)
    a42 = b42 ^ (~b02 & b12)
    a03 = b03 ^ (~b13 & b23)
    a13 = b13 ^ (~b23 & b33)
    a23 = b23 ^ (~b33 & b43)
    a33 = b33 ^ (~b43 & b03)
    a43 = b43 ^ (~b03 & b13)
    a04 = b04 ^ (~b14 & b24)
    a14 = b14 ^ (~b24 & b34)
    a24 = b24 ^ (~b34 & b44)
    a34 = b34 ^ (~b44 & b04)
    a44 = b44 ^ (~b04 & b14)
    a00 ^= load<u64>(RC + (r << 3))
  }
  store<u64>(s, a00, 0)
  store<u64>(s, a10, 8)
  store<u64>(s, a20, 16)
  store<u64>(s, a30, 24)
  store<u64>(s, a40, 32)
  store<u64>(s, a01, 40)
  store<u64>(s, a11, 48)
  store<u64>(s, a21, 56)
  store<u64>(s, a31, 64)
  store<u64>(s, a41, 72)
  store<u64>(s, a02, 80)
  store<u64>(s, a12, 88)
  store<u64>(s, a22, 96)
  store<u64>(s, a32, 104)
  store<u64>(s, a42, 112)
  store<u64>(s, a03, 120)
  store<u64>(s, a13, 128)
  store<u64>(s, a23, 136)
  store<u64>(s, a33, 144)
  store<u64>(s, a43, 152)
  store<u64>(s, a04, 160)
  store<u64>(s, a14, 168)
  store<u64>(s, a24, 176)
  store<u64>(s, a34, 184)
  store<u64>(s, a44, 192)
}

@inline function squeeze256(out: usize): void {
  store<u64>(out, load<u64>(S, 0), 0)
  store<u64>(out, load<u64>(S, 8), 8)
  store<u64>(out, load<u64>(S, 16), 16)
  store<u64>(out, load<u64>(S, 24), 24)
}

/** Two sponge states side by side: lane (x, y) of state A in the low half of v128 number x + 5y, of B in the high. */
const S2: usize = memory.data(400, 16)

function permute2(s: usize): void {
  let a00 = v128.load(s, 0)
  let a10 = v128.load(s, 16)
  let a20 = v128.load(s, 32)
  let a30 = v128.load(s, 48)
  let a40 = v128.load(s, 64)
  let a01 = v128.load(s, 80)
  let a11 = v128.load(s, 96)
  let a21 = v128.load(s, 112)
  let a31 = v128.load(s, 128)
  let a41 = v128.load(s, 144)
  let a02 = v128.load(s, 160)
  let a12 = v128.load(s, 176)
  let a22 = v128.load(s, 192)
  let a32 = v128.load(s, 208)
  let a42 = v128.load(s, 224)
  let a03 = v128.load(s, 240)
  let a13 = v128.load(s, 256)
  let a23 = v128.load(s, 272)
  let a33 = v128.load(s, 288)
  let a43 = v128.load(s, 304)
  let a04 = v128.load(s, 320)
  let a14 = v128.load(s, 336)
  let a24 = v128.load(s, 352)
  let a34 = v128.load(s, 368)
  let a44 = v128.load(s, 384)
  for (let r: usize = 0; r < 24; r++) {
    const c0 = v128.xor(v128.xor(v128.xor(v128.xor(a00, a01), a02), a03), a04)
    const c1 = v128.xor(v128.xor(v128.xor(v128.xor(a10, a11), a12), a13), a14)
    const c2 = v128.xor(v128.xor(v128.xor(v128.xor(a20, a21), a22), a23), a24)
    const c3 = v128.xor(v128.xor(v128.xor(v128.xor(a30, a31), a32), a33), a34)
    const c4 = v128.xor(v128.xor(v128.xor(v128.xor(a40, a41), a42), a43), a44)
    const d0 = v128.xor(c4, v128.or(i64x2.shl(c1, 1), i64x2.shr_u(c1, 63)))
    const d1 = v128.xor(c0, v128.or(i64x2.shl(c2, 1), i64x2.shr_u(c2, 63)))
    const d2 = v128.xor(c1, v128.or(i64x2.shl(c3, 1), i64x2.shr_u(c3, 63)))
    const d3 = v128.xor(c2, v128.or(i64x2.shl(c4, 1), i64x2.shr_u(c4, 63)))
    const d4 = v128.xor(c3, v128.or(i64x2.shl(c0, 1), i64x2.shr_u(c0, 63)))
    const t00 = v128.xor(a00, d0)
    const t01 = v128.xor(a01, d0)
    const t02 = v128.xor(a02, d0)
    const t03 = v128.xor(a03, d0)
    const t04 = v128.xor(a04, d0)
    const t10 = v128.xor(a10, d1)
    const t11 = v128.xor(a11, d1)
    const t12 = v128.xor(a12, d1)
    const t13 = v128.xor(a13, d1)
    const t14 = v128.xor(a14, d1)
    const t20 = v128.xor(a20, d2)
    const t21 = v128.xor(a21, d2)
    const t22 = v128.xor(a22, d2)
    const t23 = v128.xor(a23, d2)
    const t24 = v128.xor(a24, d2)
    const t30 = v128.xor(a30, d3)
    const t31 = v128.xor(a31, d3)
    const t32 = v128.xor(a32, d3)
    const t33 = v128.xor(a33, d3)
    const t34 = v128.xor(a34, d3)
    const t40 = v128.xor(a40, d4)
    const t41 = v128.xor(a41, d4)
    const t42 = v128.xor(a42, d4)
    const t43 = v128.xor(a43, d4)
    const t44 = v128.xor(a44, d4)
    const b00 = t00
    const b10 = v128.or(i64x2.shl(t11, 44), i64x2.shr_u(t11, 20))
    const b20 = v128.or(i64x2.shl(t22, 43), i64x2.shr_u(t22, 21))
    const b30 = v128.or(i64x2.shl(t33, 21), i64x2.shr_u(t33, 43))
    const b40 = v128.or(i64x2.shl(t44, 14), i64x2.shr_u(t44, 50))
    const b01 = v128.or(i64x2.shl(t30, 28), i64x2.shr_u(t30, 36))
    const b11 = v128.or(i64x2.shl(t41, 20), i64x2.shr_u(t41, 44))
    const b21 = v128.or(i64x2.shl(t02, 3), i64x2.shr_u(t02, 61))
    const b31 = v128.or(i64x2.shl(t13, 45), i64x2.shr_u(t13, 19))
    const b41 = v128.or(i64x2.shl(t24, 61), i64x2.shr_u(t24, 3))
    const b02 = v128.or(i64x2.shl(t10, 1), i64x2.shr_u(t10, 63))
    const b12 = v128.or(i64x2.shl(t21, 6), i64x2.shr_u(t21, 58))
    const b22 = v128.or(i64x2.shl(t32, 25), i64x2.shr_u(t32, 39))
    const b32 = v128.or(i64x2.shl(t43, 8), i64x2.shr_u(t43, 56))
    const b42 = v128.or(i64x2.shl(t04, 18), i64x2.shr_u(t04, 46))
    const b03 = v128.or(i64x2.shl(t40, 27), i64x2.shr_u(t40, 37))
    const b13 = v128.or(i64x2.shl(t01, 36), i64x2.shr_u(t01, 28))
    const b23 = v128.or(i64x2.shl(t12, 10), i64x2.shr_u(t12, 54))
    const b33 = v128.or(i64x2.shl(t23, 15), i64x2.shr_u(t23, 49))
    const b43 = v128.or(i64x2.shl(t34, 56), i64x2.shr_u(t34, 8))
    const b04 = v128.or(i64x2.shl(t20, 62), i64x2.shr_u(t20, 2))
    const b14 = v128.or(i64x2.shl(t31, 55), i64x2.shr_u(t31, 9))
    const b24 = v128.or(i64x2.shl(t42, 39), i64x2.shr_u(t42, 25))
    const b34 = v128.or(i64x2.shl(t03, 41), i64x2.shr_u(t03, 23))
    const b44 = v128.or(i64x2.shl(t14, 2), i64x2.shr_u(t14, 62))
    a00 = v128.xor(b00, v128.andnot(b20, b10))
    a10 = v128.xor(b10, v128.andnot(b30, b20))
    a20 = v128.xor(b20, v128.andnot(b40, b30))
    a30 = v128.xor(b30, v128.andnot(b00, b40))
    a40 = v128.xor(b40, v128.andnot(b10, b00))
    a01 = v128.xor(b01, v128.andnot(b21, b11))
    a11 = v128.xor(b11, v128.andnot(b31, b21))
    a21 = v128.xor(b21, v128.andnot(b41, b31))
    a31 = v128.xor(b31, v128.andnot(b01, b41))
    a41 = v128.xor(b41, v128.andnot(b11, b01))
    a02 = v128.xor(b02, v128.andnot(b22, b12))
    a12 = v128.xor(b12, v128.andnot(b32, b22))
    a22 = v128.xor(b22, v128.andnot(b42, b32))
    a32 = v128.xor(b32, v128.andnot(b02, b42))
    a42 = v128.xor(b42, v128.andnot(b12, b02))
    a03 = v128.xor(b03, v128.andnot(b23, b13))
    a13 = v128.xor(b13, v128.andnot(b33, b23))
    a23 = v128.xor(b23, v128.andnot(b43, b33))
    a33 = v128.xor(b33, v128.andnot(b03, b43))
    a43 = v128.xor(b43, v128.andnot(b13, b03))
    a04 = v128.xor(b04, v128.andnot(b24, b14))
    a14 = v128.xor(b14, v128.andnot(b34, b24))
    a24 = v128.xor(b24, v128.andnot(b44, b34))
    a34 = v128.xor(b34, v128.andnot(b04, b44))
    a44 = v128.xor(b44, v128.andnot(b14, b04))
    a00 = v128.xor(a00, i64x2.splat(load<u64>(RC + (r << 3))))
  }
  v128.store(s, a00, 0)
  v128.store(s, a10, 16)
  v128.store(s, a20, 32)
  v128.store(s, a30, 48)
  v128.store(s, a40, 64)
  v128.store(s, a01, 80)
  v128.store(s, a11, 96)
  v128.store(s, a21, 112)
  v128.store(s, a31, 128)
  v128.store(s, a41, 144)
  v128.store(s, a02, 160)
  v128.store(s, a12, 176)
  v128.store(s, a22, 192)
  v128.store(s, a32, 208)
  v128.store(s, a42, 224)
  v128.store(s, a03, 240)
  v128.store(s, a13, 256)
  v128.store(s, a23, 272)
  v128.store(s, a33, 288)
  v128.store(s, a43, 304)
  v128.store(s, a04, 320)
  v128.store(s, a14, 336)
  v128.store(s, a24, 352)
  v128.store(s, a34, 368)
  v128.store(s, a44, 384)
}

/** Chunks k and k+1 at `a` (and a + 256) hashed together, the digests to `o` and o + 32. */
@inline function hashChunkPair(a: usize, o: usize): void {
  const b = a + 256
  for (let i: usize = 0; i < RATE; i += 8) v128.store(S2 + (i << 1), v128.load64_lane(b + i, v128.load64_zero(a + i), 1))
  for (let i: usize = RATE; i < 200; i += 8) v128.store(S2 + (i << 1), i64x2.splat(0))
  permute2(S2)
  for (let i: usize = 0; i < 120; i += 8) {
    const p = S2 + (i << 1)
    v128.store(p, v128.xor(v128.load(p), v128.load64_lane(b + RATE + i, v128.load64_zero(a + RATE + i), 1)))
  }
  v128.store(S2 + 240, v128.xor(v128.load(S2 + 240), i64x2.splat(0x01)))
  v128.store(S2 + 256, v128.xor(v128.load(S2 + 256), i64x2.splat(PAD_END)))
  permute2(S2)
  squeeze256x2(o)
}

/** Parents of the node pairs at `p` and p + 64, to `o` and o + 32. */
@inline function hashNodePairs(p: usize, o: usize): void {
  for (let i: usize = 0; i < 64; i += 8) v128.store(S2 + (i << 1), v128.load64_lane(p + 64 + i, v128.load64_zero(p + i), 1))
  v128.store(S2 + 128, i64x2.splat(0x01))
  for (let i: usize = 72; i < 200; i += 8) v128.store(S2 + (i << 1), i64x2.splat(0))
  v128.store(S2 + 256, i64x2.splat(PAD_END))
  permute2(S2)
  squeeze256x2(o)
}

@inline function squeeze256x2(o: usize): void {
  for (let i: usize = 0; i < 32; i += 8) {
    const v = v128.load(S2 + (i << 1))
    store<u64>(o + i, i64x2.extract_lane(v, 0))
    store<u64>(o + 32 + i, i64x2.extract_lane(v, 1))
  }
}

/** Keccak-256 (Ethereum's: pad byte 0x01, not SHA3's 0x06) of `len` bytes at `ptr`; 32 bytes to `out`. */
export function keccak256(ptr: usize, len: usize, out: usize): void {
  memory.fill(S, 0, 200)
  while (len >= RATE) {
    for (let i: usize = 0; i < RATE; i += 8) store<u64>(S + i, load<u64>(S + i) ^ load<u64>(ptr + i))
    permute(S)
    ptr += RATE
    len -= RATE
  }
  for (let i: usize = 0; i < len; i++) store<u8>(S + i, load<u8>(S + i) ^ load<u8>(ptr + i))
  store<u8>(S + len, load<u8>(S + len) ^ 0x01)
  store<u64>(S + 128, load<u64>(S + 128) ^ PAD_END)
  permute(S)
  squeeze256(out)
}

/**
 * Hashes `count` 256-byte chunks at `ptr`: keccak256 of chunk i goes to out + 32 i. `out` may equal `ptr` (hash i
 * only overwrites bytes of chunks up to i, all read by then).
 */
export function hashChunks(ptr: usize, count: usize, out: usize): void {
  const even = count & ~(<usize>1)
  for (let k: usize = 0; k < even; k += 2) hashChunkPair(ptr + (k << 8), out + (k << 5))
  for (let k = even; k < count; k++) {
    const c = ptr + (k << 8)
    // First block: bytes 0..135 of the chunk into a zero state.
    for (let i: usize = 0; i < RATE; i += 8) store<u64>(S + i, load<u64>(c + i))
    for (let i: usize = RATE; i < 200; i += 8) store<u64>(S + i, 0)
    permute(S)
    // Second block: the last 120 bytes, then the padding (0x01 right after the data, 0x80 at the rate's end).
    for (let i: usize = 0; i < 120; i += 8) store<u64>(S + i, load<u64>(S + i) ^ load<u64>(c + RATE + i))
    store<u64>(S + 120, load<u64>(S + 120) ^ 0x01)
    store<u64>(S + 128, load<u64>(S + 128) ^ PAD_END)
    permute(S)
    squeeze256(out + (k << 5))
  }
}

/**
 * One Merkle level in place: the `n` packed 32-byte hashes at `ptr` become ceil(n / 2) parents, parent i =
 * keccak256(h[2i] || h[2i+1]), an odd last hash carried up unchanged (0G's rule). Returns the new count.
 */
export function reduceLevel(ptr: usize, n: usize): usize {
  const pairs = n >> 1
  const even = pairs & ~(<usize>1)
  for (let k: usize = 0; k < even; k += 2) hashNodePairs(ptr + (k << 6), ptr + (k << 5))
  for (let k = even; k < pairs; k++) {
    const p = ptr + (k << 6)
    for (let i: usize = 0; i < 64; i += 8) store<u64>(S + i, load<u64>(p + i))
    store<u64>(S + 64, 0x01)
    for (let i: usize = 72; i < 200; i += 8) store<u64>(S + i, 0)
    store<u64>(S + 128, PAD_END)
    permute(S)
    squeeze256(ptr + (k << 5))
  }
  if (n & 1) memory.copy(ptr + (pairs << 5), ptr + ((n - 1) << 5), 32)
  return pairs + (n & 1)
}

/** First free byte: the JS side lays out its buffers from here. */
export function heapBase(): usize {
  return __heap_base
}
