/**
 * A small character-level neural language model, written out by hand so that it runs anywhere Node runs, on CPU,
 * with no weights to download: the devnet compute provider trains it at first start and serves it, and fine-tuning
 * jobs continue training it on a user's dataset.
 *
 * Architecture (Bengio et al. 2003, "A Neural Probabilistic Language Model", at character level):
 *   the previous `context` characters → embeddings (V×D each, concatenated) → tanh hidden layer (C·D → H)
 *   → logits over the vocabulary (H → V) → softmax. Loss: cross-entropy of the next character.
 * Training: minibatch gradient descent with Adam; the backward pass is written out below. Generation samples from
 * the softmax (temperature, optional top-k) one character at a time, from the weights alone.
 *
 * Pure computation: no I/O, no clock, deterministic given a seed.
 */

/** Index 0 pads the context before the first character; then newline, then printable ASCII 32..126. */
export const PAD = 0
const PRINTABLE = Array.from({length: 95}, (_, i) => String.fromCharCode(32 + i)).join('')
export const DEFAULT_VOCAB = '\n' + PRINTABLE

export interface LmConfig {
  /** Characters of the vocabulary; token id = 1 + index (0 is the padding token). */
  vocab: string
  context: number
  embed: number
  hidden: number
}

export const DEFAULT_LM_CONFIG: LmConfig = {vocab: DEFAULT_VOCAB, context: 24, embed: 8, hidden: 96}

export interface LmWeights {
  config: LmConfig
  /** (V) × D */
  emb: Float32Array
  /** (C·D) × H, input-major */
  w1: Float32Array
  b1: Float32Array
  /** H × V */
  w2: Float32Array
  b2: Float32Array
}

export const vocabSize = (c: LmConfig) => c.vocab.length + 1

/** Deterministic PRNG (mulberry32): same seed, same weights and samples. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function gauss(r: () => number): number {
  const u = Math.max(r(), 1e-12)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r())
}

export function initWeights(config: LmConfig = DEFAULT_LM_CONFIG, seed = 1): LmWeights {
  const r = rng(seed)
  const V = vocabSize(config)
  const {context: C, embed: D, hidden: H} = config
  const fill = (n: number, scale: number) => {
    const a = new Float32Array(n)
    for (let i = 0; i < n; i++) a[i] = gauss(r) * scale
    return a
  }
  return {
    config,
    emb: fill(V * D, 0.5),
    w1: fill(C * D * H, 1 / Math.sqrt(C * D)),
    b1: new Float32Array(H),
    w2: fill(H * V, 1 / Math.sqrt(H)),
    b2: new Float32Array(V),
  }
}

export function paramCount(w: LmWeights): number {
  return w.emb.length + w.w1.length + w.b1.length + w.w2.length + w.b2.length
}

/** Text → token ids. Characters outside the vocabulary become "?" (or are dropped if "?" is not in it). */
export function encode(text: string, config: LmConfig): number[] {
  const map = new Map<string, number>()
  for (let i = 0; i < config.vocab.length; i++) map.set(config.vocab[i]!, i + 1)
  const unk = map.get('?')
  const out: number[] = []
  for (const ch of text.replace(/\r\n?/g, '\n').replace(/\t/g, ' ')) {
    const id = map.get(ch) ?? unk
    if (id !== undefined) out.push(id)
  }
  return out
}

export function decode(ids: number[], config: LmConfig): string {
  return ids.map((id) => (id > 0 ? config.vocab[id - 1] ?? '' : '')).join('')
}

/** Scratch buffers for one forward/backward pass, allocated once per model shape. */
class Scratch {
  x: Float32Array
  h: Float32Array
  p: Float32Array
  dh: Float32Array
  dx: Float32Array
  constructor(c: LmConfig) {
    const V = vocabSize(c)
    this.x = new Float32Array(c.context * c.embed)
    this.h = new Float32Array(c.hidden)
    this.p = new Float32Array(V)
    this.dh = new Float32Array(c.hidden)
    this.dx = new Float32Array(c.context * c.embed)
  }
}

/** Forward pass for one context window; leaves the softmax in s.p. */
function forward(w: LmWeights, ctx: ArrayLike<number>, s: Scratch): void {
  const {context: C, embed: D, hidden: H} = w.config
  const V = vocabSize(w.config)
  const {x, h, p} = s
  for (let i = 0; i < C; i++) {
    const e = ctx[i]! * D
    for (let d = 0; d < D; d++) x[i * D + d] = w.emb[e + d]!
  }
  h.set(w.b1)
  const w1 = w.w1
  for (let i = 0; i < C * D; i++) {
    const xi = x[i]!
    if (xi === 0) continue
    const row = i * H
    for (let j = 0; j < H; j++) h[j] += xi * w1[row + j]!
  }
  for (let j = 0; j < H; j++) h[j] = Math.tanh(h[j]!)
  p.set(w.b2)
  const w2 = w.w2
  for (let j = 0; j < H; j++) {
    const hj = h[j]!
    const row = j * V
    for (let v = 0; v < V; v++) p[v] += hj * w2[row + v]!
  }
  let max = -Infinity
  for (let v = 0; v < V; v++) if (p[v]! > max) max = p[v]!
  let sum = 0
  for (let v = 0; v < V; v++) {
    const e = Math.exp(p[v]! - max)
    p[v] = e
    sum += e
  }
  // Flush tiny probabilities to zero: subnormal float32 values would slow every later step down many times over.
  for (let v = 0; v < V; v++) {
    const q = p[v]! / sum
    p[v] = q < 1e-30 ? 0 : q
  }
}

/** Gradients, same shapes as the weights. */
interface Grads {
  emb: Float32Array
  w1: Float32Array
  b1: Float32Array
  w2: Float32Array
  b2: Float32Array
}

function zeroGrads(w: LmWeights): Grads {
  return {
    emb: new Float32Array(w.emb.length),
    w1: new Float32Array(w.w1.length),
    b1: new Float32Array(w.b1.length),
    w2: new Float32Array(w.w2.length),
    b2: new Float32Array(w.b2.length),
  }
}

/** Forward + backward for one example; accumulates into g and returns the loss (nats). */
function backward(w: LmWeights, ctx: ArrayLike<number>, target: number, s: Scratch, g: Grads): number {
  forward(w, ctx, s)
  const {context: C, embed: D, hidden: H} = w.config
  const V = vocabSize(w.config)
  const {x, h, p, dh, dx} = s
  const loss = -Math.log(Math.max(p[target]!, 1e-12))
  p[target] = p[target]! - 1 // dlogits
  for (let v = 0; v < V; v++) g.b2[v] += p[v]!
  dh.fill(0)
  const w2 = w.w2
  for (let j = 0; j < H; j++) {
    const hj = h[j]!
    const row = j * V
    let acc = 0
    for (let v = 0; v < V; v++) {
      const dl = p[v]!
      g.w2[row + v] += hj * dl
      acc += w2[row + v]! * dl
    }
    dh[j] = acc * (1 - hj * hj) // through tanh
  }
  for (let j = 0; j < H; j++) g.b1[j] += dh[j]!
  const w1 = w.w1
  for (let i = 0; i < C * D; i++) {
    const xi = x[i]!
    const row = i * H
    let acc = 0
    for (let j = 0; j < H; j++) {
      const d = dh[j]!
      g.w1[row + j] += xi * d
      acc += w1[row + j]! * d
    }
    dx[i] = acc
  }
  for (let i = 0; i < C; i++) {
    const e = ctx[i]! * D
    for (let d = 0; d < D; d++) g.emb[e + d] += dx[i * D + d]!
  }
  return loss
}

/** Adam state for one weight set. */
export interface AdamState {
  t: number
  // Float64: Float32 moments decay into subnormal numbers, which slow the CPU down by an order of magnitude.
  m: Record<keyof Grads, Float64Array>
  v: Record<keyof Grads, Float64Array>
}

function zeroMoments(w: LmWeights): Record<keyof Grads, Float64Array> {
  return {
    emb: new Float64Array(w.emb.length),
    w1: new Float64Array(w.w1.length),
    b1: new Float64Array(w.b1.length),
    w2: new Float64Array(w.w2.length),
    b2: new Float64Array(w.b2.length),
  }
}

export interface TrainOptions {
  /** Optimiser steps (minibatches). */
  steps: number
  batchSize?: number
  learningRate?: number
  seed?: number
  /** Called after every step with the mean minibatch loss. Return false to stop early. */
  onStep?: (step: number, loss: number) => boolean | void
  /** Stop after this many milliseconds (checked between steps), e.g. to bound start-up training. */
  deadline?: () => boolean
}

export interface TrainResult {
  steps: number
  losses: number[]
  tokens: number
}

/** Context windows ending before each position of `ids` (padding before the start). */
function windowAt(ids: number[], pos: number, C: number, out: Int32Array): void {
  for (let i = 0; i < C; i++) {
    const k = pos - C + i
    out[i] = k >= 0 ? ids[k]! : PAD
  }
}

/**
 * Trains `w` in place on the token stream `ids` (from `encode`). Each example predicts ids[pos] from the C ids
 * before it; minibatches are drawn at random positions.
 */
export function train(w: LmWeights, ids: number[], opts: TrainOptions): TrainResult {
  if (ids.length < 2) throw new RangeError('training text is too short (need at least 2 characters in the vocabulary)')
  const {context: C} = w.config
  const bs = opts.batchSize ?? 32
  const lr = opts.learningRate ?? 0.003
  const r = rng(opts.seed ?? 7)
  const s = new Scratch(w.config)
  const adam: AdamState = {t: 0, m: zeroMoments(w), v: zeroMoments(w)}
  const ctx = new Int32Array(C)
  const losses: number[] = []
  const g = zeroGrads(w)
  let step = 0
  for (; step < opts.steps; step++) {
    if (opts.deadline?.()) break
    for (const k of ['emb', 'w1', 'b1', 'w2', 'b2'] as const) g[k].fill(0)
    let loss = 0
    for (let b = 0; b < bs; b++) {
      const pos = 1 + Math.floor(r() * (ids.length - 1))
      windowAt(ids, pos, C, ctx)
      loss += backward(w, ctx, ids[pos]!, s, g)
    }
    adamStep(w, g, adam, lr, bs)
    loss /= bs
    losses.push(loss)
    if (opts.onStep?.(step + 1, loss) === false) {
      step++
      break
    }
  }
  return {steps: losses.length, losses, tokens: ids.length}
}

function adamStep(w: LmWeights, g: Grads, st: AdamState, lr: number, batch: number): void {
  const b1 = 0.9
  const b2 = 0.999
  const eps = 1e-8
  st.t++
  const c1 = 1 - b1 ** st.t
  const c2 = 1 - b2 ** st.t
  for (const k of ['emb', 'w1', 'b1', 'w2', 'b2'] as const) {
    const p = w[k]
    const gr = g[k]
    const m = st.m[k]
    const v = st.v[k]
    for (let i = 0; i < p.length; i++) {
      const gi = gr[i]! / batch
      m[i] = b1 * m[i]! + (1 - b1) * gi
      v[i] = b2 * v[i]! + (1 - b2) * gi * gi
      if (v[i]! < 1e-30) {
        m[i] = 0
        v[i] = 0
        continue
      }
      p[i] = p[i]! - (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + eps)
    }
  }
}

/** Mean cross-entropy (nats per character) of the model on `ids`; at most `limit` positions, evenly spread. */
export function evaluate(w: LmWeights, ids: number[], limit = 2000): number {
  const C = w.config.context
  const s = new Scratch(w.config)
  const ctx = new Int32Array(C)
  const n = ids.length - 1
  if (n < 1) return NaN
  const stride = Math.max(1, Math.floor(n / limit))
  let total = 0
  let count = 0
  for (let pos = 1; pos <= n; pos += stride) {
    windowAt(ids, pos, C, ctx)
    forward(w, ctx, s)
    total += -Math.log(Math.max(s.p[ids[pos]!]!, 1e-12))
    count++
  }
  return total / count
}

export interface GenerateOptions {
  maxTokens: number
  temperature?: number
  topK?: number
  seed?: number
  /** Stop when the generated text ends with one of these (not included in the output). */
  stop?: string[]
  /** Called with each generated piece (one character), for streaming. */
  onToken?: (piece: string) => void
}

export interface GenerateResult {
  text: string
  /** Characters generated (each one a token). */
  tokens: number
  finishReason: 'stop' | 'length'
}

/** Samples a continuation of `prompt` from the model, one character at a time. */
export function generate(w: LmWeights, prompt: string, opts: GenerateOptions): GenerateResult {
  const {config} = w
  const C = config.context
  const V = vocabSize(config)
  const temperature = opts.temperature ?? 0.7
  const topK = Math.min(opts.topK ?? 0, V) || V
  const r = rng(opts.seed ?? 42)
  const s = new Scratch(config)
  const history = encode(prompt, config)
  const ctx = new Int32Array(C)
  const outIds: number[] = []
  let text = ''
  const stops = (opts.stop ?? []).filter(Boolean)
  for (let n = 0; n < opts.maxTokens; n++) {
    windowAt(history, history.length, C, ctx)
    forward(w, ctx, s)
    const p = s.p
    p[PAD] = 0
    // temperature on the log-probabilities, then optional top-k
    const logits = Array.from(p, (q) => (q > 0 ? Math.log(q) / Math.max(temperature, 1e-3) : -Infinity))
    let order = logits.map((l, i) => [l, i] as const)
    if (topK < V) order = order.sort((a, b) => b[0] - a[0]).slice(0, topK)
    const max = Math.max(...order.map((o) => o[0]))
    const weights = order.map((o) => Math.exp(o[0] - max))
    const sum = weights.reduce((a, b) => a + b, 0)
    let u = r() * sum
    let pick = order[order.length - 1]![1]
    for (let i = 0; i < order.length; i++) {
      u -= weights[i]!
      if (u <= 0) {
        pick = order[i]![1]
        break
      }
    }
    history.push(pick)
    outIds.push(pick)
    const piece = decode([pick], config)
    text += piece
    const hit = stops.find((st) => text.endsWith(st))
    if (hit) {
      return {text: text.slice(0, text.length - hit.length), tokens: outIds.length, finishReason: 'stop'}
    }
    opts.onToken?.(piece)
  }
  return {text, tokens: outIds.length, finishReason: 'length'}
}

// --- serialisation: "ZGLM" magic, u32 header length, JSON header, then the float32 arrays in order ---

const MAGIC = 'ZGLM'

export interface LmFileMeta {
  name: string
  /** Free-form facts: base model, training steps, final loss, dataset root … */
  [k: string]: unknown
}

export function serialize(w: LmWeights, meta: LmFileMeta): Buffer {
  const header = Buffer.from(JSON.stringify({format: 'zg-tinylm/1', config: w.config, meta}), 'utf8')
  const arrays = [w.emb, w.w1, w.b1, w.w2, w.b2]
  const pad = (4 - ((8 + header.length) % 4)) % 4
  const out = Buffer.alloc(8 + header.length + pad + arrays.reduce((a, x) => a + x.byteLength, 0))
  out.write(MAGIC, 0, 'latin1')
  out.writeUInt32LE(header.length + pad, 4)
  header.copy(out, 8)
  out.fill(0x20, 8 + header.length, 8 + header.length + pad) // spaces keep the JSON valid
  let off = 8 + header.length + pad
  for (const a of arrays) {
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(out, off)
    off += a.byteLength
  }
  return out
}

export function deserialize(buf: Uint8Array): {weights: LmWeights; meta: LmFileMeta} {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)
  if (b.length < 8 || b.toString('latin1', 0, 4) !== MAGIC) throw new Error('not a zg tiny language model file (bad magic)')
  const hlen = b.readUInt32LE(4)
  const header = JSON.parse(b.toString('utf8', 8, 8 + hlen)) as {format: string; config: LmConfig; meta: LmFileMeta}
  if (header.format !== 'zg-tinylm/1') throw new Error(`unsupported model format ${header.format}`)
  const c = header.config
  const V = vocabSize(c)
  const sizes = [V * c.embed, c.context * c.embed * c.hidden, c.hidden, c.hidden * V, V]
  let off = 8 + hlen
  const arrays = sizes.map((n) => {
    if (off + n * 4 > b.length) throw new Error('model file is truncated')
    const a = new Float32Array(n)
    Buffer.from(a.buffer).set(b.subarray(off, off + n * 4))
    off += n * 4
    return a
  })
  const [emb, w1, b1, w2, b2] = arrays as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array]
  return {weights: {config: c, emb, w1, b1, w2, b2}, meta: header.meta}
}

export function cloneWeights(w: LmWeights): LmWeights {
  return {config: {...w.config}, emb: w.emb.slice(), w1: w.w1.slice(), b1: w.b1.slice(), w2: w.w2.slice(), b2: w.b2.slice()}
}

// --- chat formatting shared by the provider and local use of a downloaded model ---

export interface ChatMessage {
  role: string
  content: string
}

/** The prompt the model was trained on: "Q: …\nA: …" turns, ending with "A:" (system messages are not used). */
export function chatPrompt(messages: ChatMessage[]): string {
  const lines: string[] = []
  for (const m of messages) {
    const text = String(m.content ?? '').replace(/\s+/g, ' ').trim()
    if (!text) continue
    if (m.role === 'assistant') lines.push(`A: ${text}`)
    else if (m.role !== 'system') lines.push(`Q: ${text}`)
  }
  return lines.join('\n') + '\nA:'
}
