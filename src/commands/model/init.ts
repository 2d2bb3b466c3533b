import fs from 'node:fs'
import path from 'node:path'
import {Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {resolveNetwork} from '../../cli/network.js'
import {networkFlag} from '../../cli/flags.js'
import {usageError} from '../../core/errors.js'
import type {AssetPackage, Contributor, ModelFormat} from '../../core/registry/package.js'
import {keyValue} from '../../ui/format.js'

const FORMATS: ModelFormat[] = ['gguf', 'safetensors', 'onnx', 'pytorch', 'other']
const EXT_FORMAT: Record<string, ModelFormat> = {'.gguf': 'gguf', '.safetensors': 'safetensors', '.onnx': 'onnx', '.pt': 'pytorch', '.pth': 'pytorch', '.ckpt': 'pytorch'}

export default class ModelInit extends ZgCommand<typeof ModelInit> {
  static summary = 'Write zg-model.json: name, version, format, files, license, parents, contributors and shares'
  static description = `On a terminal, a wizard asks for whatever the flags did not give; elsewhere (CI, pipes, --non-interactive) the flags are the only input and a missing required one fails naming it (exit 2). The result is validated like zg model publish validates it (JSON Schema, semantic version, SPDX license, files present, shares summing to 10000 bps) before it is written.

zg-model.json fields: name (1-64 of [A-Za-z0-9._-], unique per owner), version (semver), description, format (gguf, safetensors, onnx, pytorch, other), framework (free text), files (paths relative to the package directory; a directory stands for all files under it), license (SPDX expression, or LicenseRef-<name>), parents {datasets: [...], models: [...]} (asset ids or name@version, checked on chain at publish), contributors [{address, shareBps, name}] (shares in basis points summing to 10000), lineageShareBps (part of every payment passed to the parents' contributors; default 1000 when there are parents).`
  static examples = [
    '<%= config.bin %> model init',
    '<%= config.bin %> model init --dir ./tiny-llm --name tiny-llm --model-version 1.0.0 --format gguf --license Apache-2.0 --parent-dataset open-corpus@1.0.0 --contributor 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266:5000:alice --contributor dev1:3000 --contributor dev2:2000',
  ]
  static flags = {
    dir: Flags.string({description: 'Package directory (where zg-model.json is written and files are looked up)', default: '.', env: 'ZG_MODEL_DIR'}),
    name: Flags.string({description: 'Model name, unique among your assets', env: 'ZG_MODEL_NAME'}),
    'model-version': Flags.string({description: 'Semantic version (default 1.0.0)', env: 'ZG_MODEL_VERSION'}),
    description: Flags.string({description: 'What the model is', env: 'ZG_MODEL_DESCRIPTION'}),
    format: Flags.string({description: 'Weights format (default: detected from the files)', options: FORMATS, env: 'ZG_MODEL_FORMAT'}),
    framework: Flags.string({description: 'Framework, free text (e.g. llama.cpp, transformers)', env: 'ZG_MODEL_FRAMEWORK'}),
    file: Flags.string({description: 'File or directory of the package, relative to --dir (repeatable; default: every file in --dir)', multiple: true, env: 'ZG_MODEL_FILES'}),
    license: Flags.string({description: 'SPDX license expression, e.g. Apache-2.0', env: 'ZG_MODEL_LICENSE'}),
    'parent-dataset': Flags.string({description: 'Dataset the model was trained on: id or name@version (repeatable)', multiple: true, env: 'ZG_MODEL_PARENT_DATASETS'}),
    'parent-model': Flags.string({description: 'Model it derives from: id or name@version (repeatable)', multiple: true, env: 'ZG_MODEL_PARENT_MODELS'}),
    contributor: Flags.string({description: 'ADDRESS_OR_ACCOUNT:BPS[:NAME], shares summing to 10000 (repeatable)', multiple: true, env: 'ZG_MODEL_CONTRIBUTORS'}),
    'lineage-share': Flags.integer({description: 'Basis points of every payment passed to the parents (default 1000 with parents)', min: 0, max: 10000, env: 'ZG_MODEL_LINEAGE_SHARE'}),
    force: Flags.boolean({char: 'f', description: 'Overwrite an existing zg-model.json', env: 'ZG_FORCE'}),
    ...networkFlag,
  }

  async exec() {
    const {PACKAGE_FILE, formatPackage, packageError, validatePackage} = await import('../../core/registry/package.js')
    const {explainSemver} = await import('../../core/registry/semver.js')
    const {checkLicense} = await import('../../core/registry/spdx.js')
    const {tryParseAssetRef, isRefProblem, NAME_RE} = await import('../../core/registry/refs.js')
    const {addressOf, parseContributorSpec} = await import('../../core/registry/accounts.js')
    const {scanTree} = await import('../../core/storage/dataset.js')
    const f = this.flags
    const dir = path.resolve(f.dir)
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw usageError(`--dir ${f.dir} is not a directory.`, {code: 'NOT_A_DIRECTORY'})
    const file = path.join(dir, PACKAGE_FILE)
    if (fs.existsSync(file) && !f.force) throw usageError(`${file} already exists.`, {code: 'FILE_EXISTS', suggestions: ['Pass --force to overwrite it, or edit it by hand.']})
    const local = resolveNetwork(f).local
    const present = scanTree(dir).filter((x) => x.rel !== PACKAGE_FILE && !x.rel.split('/').some((s) => s.startsWith('.')))

    const ask = async (flagValue: string | undefined, hint: {message: string; flag: string; env: string; default?: string; validate?: (v: string) => string | undefined}): Promise<string> => {
      if (flagValue !== undefined) return flagValue
      if (!this.mode.interactive && hint.default !== undefined) return hint.default
      return this.promptText(hint)
    }
    const refsValidate = (v: string) => {
      for (const r of splitList(v)) {
        const p = tryParseAssetRef(r)
        if (isRefProblem(p)) return `${p.message}. ${p.fix}`
      }
      return undefined
    }

    const name = await ask(f.name, {message: 'Model name', flag: '--name', env: 'ZG_MODEL_NAME', validate: (v) => (NAME_RE.test(v) ? undefined : '1-64 letters, digits, ".", "_" or "-"')})
    const version = await ask(f['model-version'], {message: 'Version', flag: '--model-version', env: 'ZG_MODEL_VERSION', default: '1.0.0', validate: (v) => explainSemver(v)?.fix})
    const description = f.description ?? (this.mode.interactive ? await this.promptText({message: 'Description (optional)', flag: '--description'}) : '')
    const detected = present.map((x) => EXT_FORMAT[path.extname(x.rel).toLowerCase()]).find(Boolean)
    let format = f.format as ModelFormat | undefined
    if (!format) {
      if (this.mode.interactive) {
        const ordered = detected ? [detected, ...FORMATS.filter((x) => x !== detected)] : FORMATS
        format = await this.promptSelect({message: 'Weights format', flag: '--format', env: 'ZG_MODEL_FORMAT', choices: ordered.map((x) => ({label: x === detected ? `${x} (detected)` : x, value: x}))})
      } else if (detected) format = detected
      else this.requireInteractive({message: `No .gguf/.safetensors/.onnx/.pt file in ${dir} to detect the format from`, flag: '--format', env: 'ZG_MODEL_FORMAT'})
    }
    let files = f.file
    if (!files?.length) {
      if (this.mode.interactive) {
        const answer = await this.promptText({message: `Files, comma-separated (empty: all ${present.length} files in ${f.dir})`, flag: '--file'})
        files = splitList(answer)
      }
      if (!files?.length) {
        if (!present.length) throw usageError(`${dir} holds no files to package.`, {code: 'NO_FILES', suggestions: ['Put the model files in the directory, or pass --dir.']})
        files = present.map((x) => x.rel)
      }
    }
    const framework = f.framework ?? (this.mode.interactive ? await this.promptText({message: 'Framework (optional, e.g. llama.cpp)', flag: '--framework'}) : '')
    const license = await ask(f.license, {message: 'License (SPDX id)', flag: '--license', env: 'ZG_MODEL_LICENSE', validate: (v) => checkLicense(v)?.fix})
    const datasets = f['parent-dataset'] ?? (this.mode.interactive ? splitList(await this.promptText({message: 'Parent datasets: ids or name@version, comma-separated (optional)', flag: '--parent-dataset', validate: refsValidate})) : [])
    const models = f['parent-model'] ?? (this.mode.interactive ? splitList(await this.promptText({message: 'Parent models: ids or name@version, comma-separated (optional)', flag: '--parent-model', validate: refsValidate})) : [])

    let contributors: Contributor[]
    if (f.contributor?.length) {
      contributors = f.contributor.map((s) => parseContributorSpec(s, {local}))
    } else {
      this.requireInteractive({message: 'Contributors are needed', flag: '--contributor ADDRESS:BPS (repeatable)', env: 'ZG_MODEL_CONTRIBUTORS'})
      contributors = []
      let left = 10000
      while (left > 0 && contributors.length < 32) {
        const who = await this.promptText({
          message: `Contributor ${contributors.length + 1}: address or account (${left} bps left to assign)`,
          flag: '--contributor',
          validate: (v) => {
            try {
              addressOf(v.trim(), {local})
              return undefined
            } catch (e) {
              return (e as Error).message
            }
          },
        })
        const address = addressOf(who.trim(), {local})
        const answer = await this.promptText({
          message: `Share of ${address} in basis points, 10000 = 100% (Enter: the remaining ${left})`,
          flag: '--contributor',
          validate: (v) => (v.trim() === '' || (/^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= left) ? undefined : `a whole number from 1 to ${left}`),
        })
        const share = answer.trim() === '' ? left : Number(answer)
        contributors.push({address, shareBps: share})
        left -= share
      }
    }
    let lineage = f['lineage-share']
    if (lineage === undefined && datasets.length + models.length > 0 && this.mode.interactive) {
      lineage = Number(await this.promptText({message: 'Basis points of every payment passed to the parents\' contributors', flag: '--lineage-share', default: '1000', validate: (v) => (/^\d+$/.test(v) && Number(v) <= 10000 ? undefined : 'a whole number from 0 to 10000')}))
    }

    const pkg: AssetPackage = {
      schemaVersion: 1,
      name,
      version,
      ...(description ? {description} : {}),
      format: format!,
      ...(framework ? {framework} : {}),
      files,
      license,
      ...(datasets.length || models.length ? {parents: {...(datasets.length ? {datasets: datasets.map(refValue)} : {}), ...(models.length ? {models: models.map(refValue)} : {})}} : {}),
      contributors,
      ...(datasets.length + models.length > 0 ? {lineageShareBps: lineage ?? 1000} : lineage !== undefined ? {lineageShareBps: lineage} : {}),
    }
    const {problems, checked} = validatePackage(pkg, {kind: 'model', dir})
    if (problems.length) throw packageError(problems, `the package for ${file}`, 'nothing was written')
    for (const w of checked!.warnings) this.warn(w)
    fs.writeFileSync(file, formatPackage(pkg))
    return {file, package: pkg, files: checked!.files.map((x) => ({path: x.path, size: x.size}))}
  }

  protected override render(d: {file: string; package: AssetPackage; files: {path: string}[]}) {
    return `${keyValue([
      ['wrote', d.file],
      ['model', `${d.package.name}@${d.package.version} (${d.package.format}, ${d.package.license})`],
      ['files', d.files.map((x) => x.path).join(', ')],
      ['contributors', d.package.contributors.map((x) => `${x.address} ${x.shareBps} bps`).join(', ')],
    ])}\n\nNext: zg model publish ${shortDir(path.dirname(d.file))} --dry-run`
  }
}

/** The directory as the user would type it: relative when it is below the working directory. */
function shortDir(dir: string): string {
  const rel = path.relative(process.cwd(), dir)
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? dir : rel
}

function splitList(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
}

/** "12" / "#12" stay ids (numbers in the file); anything else is written as typed. */
function refValue(r: string): string | number {
  const m = /^#?(\d+)$/.exec(r.trim())
  return m && Number.isSafeInteger(Number(m[1])) ? Number(m[1]) : r.trim()
}
