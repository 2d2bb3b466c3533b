import path from 'node:path'
import {Flags} from '@oclif/core'
import {dataDir} from '../core/paths.js'

/** Where an operator's node lives: --dir, else <data dir>/operator/<network>. */
export const operatorDirFlag = {
  dir: Flags.string({description: 'Node folder (config.toml, db, logs); default <data dir>/operator/<network>', env: 'ZG_OPERATOR_DIR'}),
}

export function operatorDir(flags: {dir?: string; network?: string}, fallbackNetwork = 'galileo'): string {
  return path.resolve(flags.dir ?? path.join(dataDir(), 'operator', flags.network ?? fallbackNetwork))
}
