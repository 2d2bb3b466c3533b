import Conf from 'conf'
import {configDir} from './paths.js'
import {notFound, usageError} from './errors.js'

/**
 * User settings (conf, JSON under the config dir). Only known keys are accepted so a typo is an error, not a silent
 * no-op. Precedence for every setting: flag > ZG_ env var > this file > default (the flag layer lives in commands).
 */
export interface SettingSpec {
  description: string
  env: string
  parse: (raw: string) => string | number | boolean
  default?: string | number | boolean
}

const positiveInt = (name: string) => (raw: string) => {
  const n = Number(raw)
  if (!Number.isInteger(n) || n <= 0) throw usageError(`${name} must be a positive integer, got "${raw}"`)
  return n
}
const oneOf = (name: string, values: string[]) => (raw: string) => {
  if (!values.includes(raw)) throw usageError(`${name} must be one of ${values.join(', ')}, got "${raw}"`)
  return raw
}
const nonEmpty = (name: string) => (raw: string) => {
  if (!raw.trim()) throw usageError(`${name} cannot be empty`)
  return raw.trim()
}

export const SETTINGS: Record<string, SettingSpec> = {
  network: {description: 'Network profile used when --network is not given', env: 'ZG_NETWORK', parse: nonEmpty('network'), default: 'local'},
  account: {description: 'Account used to sign when --account is not given', env: 'ZG_ACCOUNT', parse: nonEmpty('account')},
  'rpc-timeout': {description: 'Milliseconds before one RPC request is abandoned', env: 'ZG_RPC_TIMEOUT', parse: positiveInt('rpc-timeout'), default: 30_000},
  'rpc-retries': {description: 'Retries of a transient RPC failure (429, 5xx, reset)', env: 'ZG_RPC_RETRIES', parse: positiveInt('rpc-retries'), default: 4},
  'tx-timeout': {description: 'Milliseconds to wait for a transaction receipt', env: 'ZG_TX_TIMEOUT', parse: positiveInt('tx-timeout'), default: 120_000},
  keyring: {description: 'Use the OS keyring to remember keystore passwords (auto | off)', env: 'ZG_KEYRING', parse: oneOf('keyring', ['auto', 'off']), default: 'auto'},
}

let store: Conf<Record<string, unknown>> | undefined
let storeDir: string | undefined

export function configStore(): Conf<Record<string, unknown>> {
  const dir = configDir()
  if (!store || storeDir !== dir) {
    store = new Conf({projectName: 'zg', cwd: dir, configName: 'config', clearInvalidConfig: false, projectSuffix: ''})
    storeDir = dir
  }
  return store
}

function spec(key: string): SettingSpec {
  const s = SETTINGS[key]
  if (!s) throw notFound(`Unknown setting "${key}".`, {code: 'UNKNOWN_SETTING', suggestions: [`Known settings: ${Object.keys(SETTINGS).join(', ')}`]})
  return s
}

export type SettingSource = 'env' | 'config' | 'default' | 'unset'

/** Effective value of a setting and where it came from (env beats the file). */
export function getSetting(key: string, env: NodeJS.ProcessEnv = process.env): {value: string | number | boolean | undefined; source: SettingSource} {
  const s = spec(key)
  const fromEnv = env[s.env]
  if (fromEnv !== undefined && fromEnv !== '') return {value: s.parse(fromEnv), source: 'env'}
  const stored = configStore().get(key)
  if (stored !== undefined) return {value: stored as string | number | boolean, source: 'config'}
  if (s.default !== undefined) return {value: s.default, source: 'default'}
  return {value: undefined, source: 'unset'}
}

export function setSetting(key: string, raw: string): string | number | boolean {
  const value = spec(key).parse(raw)
  configStore().set(key, value)
  return value
}

export function unsetSetting(key: string): boolean {
  spec(key)
  const had = configStore().has(key)
  configStore().delete(key)
  return had
}

export function listSettings(env: NodeJS.ProcessEnv = process.env) {
  return Object.entries(SETTINGS).map(([key, s]) => ({key, ...getSetting(key, env), env: s.env, description: s.description}))
}

export function configPath(): string {
  return configStore().path
}
