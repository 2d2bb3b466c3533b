import fs from 'node:fs'
import path from 'node:path'
import {deserialize, type LmWeights, type LmFileMeta} from '../../core/compute/tinylm.js'
import {BASE_CORPUS} from './corpus/base-corpus.js'
import {runTraining} from './trainer.js'

/** Name of the devnet's base model, for chat and as the fine-tuning base. */
export const BASE_MODEL = 'zg-tinylm-chat'
export const BASE_MODEL_VERSION = 1

export interface ModelEntry {
  name: string
  weights: LmWeights
  meta: LmFileMeta
  /** For fine-tuned adapters: only this user may use it. */
  owner?: string
}

/**
 * The models this provider serves: the base model (trained at first start from the shipped corpus, then cached in
 * the service dir) and the fine-tuned models it delivered, each served to its owner only.
 */
export class ModelStore {
  private readonly models = new Map<string, ModelEntry>()
  readonly ready: Promise<void>
  private baseError: Error | undefined

  constructor(
    private readonly dir: string,
    private readonly log: (l: string) => void,
    opts: {baseSteps: number; signal: AbortSignal},
  ) {
    fs.mkdirSync(path.join(dir, 'models'), {recursive: true})
    for (const f of fs.readdirSync(path.join(dir, 'models'))) {
      if (!f.endsWith('.zglm') || f === 'base.zglm') continue
      try {
        const {weights, meta} = deserialize(fs.readFileSync(path.join(dir, 'models', f)))
        this.models.set(String(meta.name), {name: String(meta.name), weights, meta, owner: meta.owner as string | undefined})
      } catch (e) {
        log(`skipping unreadable model ${f}: ${(e as Error).message}`)
      }
    }
    this.ready = this.loadBase(opts.baseSteps, opts.signal).catch((e) => {
      this.baseError = e as Error
      log(`base model unavailable: ${(e as Error).message}`)
    })
  }

  get baseFile(): string {
    return path.join(this.dir, 'models', 'base.zglm')
  }

  private async loadBase(steps: number, signal: AbortSignal): Promise<void> {
    const file = this.baseFile
    if (fs.existsSync(file)) {
      try {
        const {weights, meta} = deserialize(fs.readFileSync(file))
        if (meta.version === BASE_MODEL_VERSION) {
          this.models.set(BASE_MODEL, {name: BASE_MODEL, weights, meta})
          this.log(`base model loaded from ${file}`)
          return
        }
      } catch (e) {
        this.log(`cached base model unreadable (${(e as Error).message}); training again`)
      }
    }
    const t0 = Date.now()
    this.log(`training the base model ${BASE_MODEL} on ${BASE_CORPUS.length} characters (${steps} steps)`)
    const out = await runTraining(
      {text: BASE_CORPUS, steps, learningRate: 0.006, batchSize: 32, seed: 1, meta: {name: BASE_MODEL, version: BASE_MODEL_VERSION, base: null}},
      (step, loss) => {
        if (step % 250 === 0) this.log(`base step ${step}/${steps} loss ${loss.toFixed(4)}`)
      },
      signal,
    )
    const tmp = `${file}.tmp`
    fs.writeFileSync(tmp, out.model)
    fs.renameSync(tmp, file)
    const {weights, meta} = deserialize(out.model)
    this.models.set(BASE_MODEL, {name: BASE_MODEL, weights, meta})
    this.log(`base model trained in ${Date.now() - t0} ms: loss ${out.evalBefore.toFixed(3)} → ${out.evalAfter.toFixed(3)} nats/char`)
  }

  /** The model for a request, after the base model is ready. */
  async get(name: string | undefined): Promise<ModelEntry | undefined> {
    await this.ready
    if (!name || name === BASE_MODEL) {
      if (this.baseError) throw this.baseError
      return this.models.get(BASE_MODEL)
    }
    return this.models.get(name)
  }

  isReady(): boolean {
    return this.models.has(BASE_MODEL)
  }

  list(owner?: string): ModelEntry[] {
    return [...this.models.values()].filter((m) => !m.owner || (owner && m.owner.toLowerCase() === owner.toLowerCase()))
  }

  /** Adds a fine-tuned model (persisted, served to its owner). */
  addFineTuned(name: string, owner: string, model: Uint8Array): void {
    const {weights, meta} = deserialize(model)
    const file = path.join(this.dir, 'models', `${name}.zglm`)
    fs.writeFileSync(file, model)
    this.models.set(name, {name, weights, meta: {...meta, name, owner}, owner})
  }
}

/** 0G's adapter naming (SDK common/utils/adapter-name.ts): ft-<base model, "/", "." and spaces → "-">-<first 12 of taskId>. */
export function adapterName(baseModel: string, taskId: string): string {
  return `ft-${baseModel.replace(/[/. ]/g, '-')}-${taskId.slice(0, 12)}`
}
