import fs from 'node:fs'
import {Flags} from '@oclif/core'
import {ZgCommand} from '../../cli/base-command.js'
import {notFound} from '../../core/errors.js'
import {devnetPaths} from '../../devnet/state.js'

export default class NodeLogs extends ZgCommand<typeof NodeLogs> {
  static summary = 'Print devnet logs (all services, or one), optionally following them'
  static examples = ['<%= config.bin %> node logs', '<%= config.bin %> node logs --service chain --lines 100', '<%= config.bin %> node logs --follow']
  static flags = {
    service: Flags.string({char: 's', description: 'Only this service (devnet, supervisor, chain, storage0, indexer, …)', env: 'ZG_LOG_SERVICE'}),
    lines: Flags.integer({description: 'Lines to show from the end of each log', default: 50, env: 'ZG_LOG_LINES', min: 1}),
    follow: Flags.boolean({char: 'f', description: 'Keep printing new lines until Ctrl-C', env: 'ZG_LOG_FOLLOW'}),
  }
  static override interruptIsSuccess = true

  async exec() {
    const dir = devnetPaths().logs
    const available = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.log')).map((f) => f.slice(0, -4)).sort() : []
    const names = this.flags.service ? [this.flags.service] : available
    if (this.flags.service && !available.includes(this.flags.service)) {
      throw notFound(`No log for service "${this.flags.service}".`, {code: 'LOG_NOT_FOUND', suggestions: [available.length ? `Available: ${available.join(', ')}` : 'The devnet has not been started in this data dir yet: zg node start']})
    }
    const files = names.map((n) => ({name: n, file: `${dir}/${n}.log`}))
    const result: Record<string, string[]> = {}
    const prefix = files.length > 1
    const offsets = new Map<string, number>()
    for (const {name, file} of files) {
      const text = fs.readFileSync(file, 'utf8')
      offsets.set(file, Buffer.byteLength(text))
      result[name] = text.split('\n').filter(Boolean).slice(-this.flags.lines)
      if (!this.mode.json) for (const l of result[name]) process.stdout.write(prefix ? `[${name}] ${l}\n` : `${l}\n`)
    }
    if (this.flags.follow && !this.mode.json) {
      await new Promise<void>((resolve) => {
        const t = setInterval(() => {
          for (const {name, file} of files) {
            const size = fs.statSync(file).size
            const from = offsets.get(file) ?? 0
            if (size <= from) continue
            const fd = fs.openSync(file, 'r')
            const buf = Buffer.alloc(size - from)
            fs.readSync(fd, buf, 0, buf.length, from)
            fs.closeSync(fd)
            offsets.set(file, size)
            for (const l of buf.toString('utf8').split('\n').filter(Boolean)) process.stdout.write(prefix ? `[${name}] ${l}\n` : `${l}\n`)
          }
        }, 250)
        this.abort.signal.addEventListener('abort', () => (clearInterval(t), resolve()), {once: true})
      })
    }
    return result
  }

  protected override render() {
    return undefined
  }
}
