import os from 'node:os'
import path from 'node:path'

/**
 * Where zg keeps things. ZG_CONFIG_DIR / ZG_DATA_DIR redirect everything (tests isolate themselves this way);
 * otherwise the XDG base directories, as oclif and conf would choose them.
 */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ZG_CONFIG_DIR) return path.resolve(env.ZG_CONFIG_DIR)
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config')
  return path.join(base, 'zg')
}

export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ZG_DATA_DIR) return path.resolve(env.ZG_DATA_DIR)
  const base = env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share')
  return path.join(base, 'zg')
}

/** The devnet's own folder: chain state, service databases, logs, pid file. */
export function devnetDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ZG_DEVNET_DIR ? path.resolve(env.ZG_DEVNET_DIR) : path.join(dataDir(env), 'devnet')
}

export function keystoreDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(dataDir(env), 'keystores')
}
