import fs from 'node:fs'
import {Flags} from '@oclif/core'
import {ZgCommand} from '../../../cli/base-command.js'
import {operatorDir, operatorDirFlag} from '../../../cli/operator.js'
import {notFound} from '../../../core/errors.js'
import {nodeLog} from '../../../core/operator/supervisor.js'

export default class OperatorLogs extends ZgCommand<typeof OperatorLogs> {
  static summary = 'Print the supervised node\'s output'
  static examples = ['<%= config.bin %> node operator logs --lines 200', '<%= config.bin %> node operator logs --follow']
  static flags = {
    network: Flags.string({char: 'n', description: 'Network of the node (locates the default folder)', default: 'galileo', env: 'ZG_NETWORK'}),
    ...operatorDirFlag,
    lines: Flags.integer({description: 'Lines from the end', default: 50, min: 1, env: 'ZG_LOG_LINES'}),
    follow: Flags.boolean({char: 'f', description: 'Keep printing new lines until Ctrl-C', env: 'ZG_LOG_FOLLOW'}),
  }
  static override interruptIsSuccess = true

  async exec() {
    const file = nodeLog(operatorDir(this.flags))
    if (!fs.existsSync(file)) throw notFound(`No node log at ${file}.`, {suggestions: ['Start the node first: zg node operator start --binary …']})
    const text = fs.readFileSync(file, 'utf8')
    const lines = text.split('\n').filter(Boolean).slice(-this.flags.lines)
    if (!this.mode.json) for (const l of lines) process.stdout.write(l + '\n')
    if (this.flags.follow && !this.mode.json) {
      let offset = Buffer.byteLength(text)
      await new Promise<void>((resolve) => {
        const t = setInterval(() => {
          const size = fs.statSync(file).size
          if (size <= offset) return
          const fd = fs.openSync(file, 'r')
          const buf = Buffer.alloc(size - offset)
          fs.readSync(fd, buf, 0, buf.length, offset)
          fs.closeSync(fd)
          offset = size
          process.stdout.write(buf)
        }, 250)
        this.abort.signal.addEventListener('abort', () => (clearInterval(t), resolve()), {once: true})
      })
    }
    return {file, lines}
  }

  protected override render() {
    return undefined
  }
}
