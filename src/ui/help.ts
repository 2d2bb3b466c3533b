import {Help, type Command} from '@oclif/core'

/** Exit codes and environment: part of every help screen, since scripts depend on them (gh, sf do the same). */
export const EXIT_CODES: Array<[number, string]> = [
  [0, 'success'],
  [1, 'unexpected error (run with --verbose for the cause)'],
  [2, 'usage error: bad flag or argument, or input needed without a terminal'],
  [3, 'not found (file, root, account, network, asset, token)'],
  [4, 'key, account or password needed, or keystore locked'],
  [5, 'network or RPC unreachable (retry later or check `zg network check`)'],
  [6, 'transaction reverted or rejected'],
  [7, 'timed out waiting; the operation can be resumed by running the same command again'],
  [130, 'interrupted (Ctrl-C)'],
]

export const ENVIRONMENT: Array<[string, string]> = [
  ['ZG_NETWORK', 'network profile (local, galileo, mainnet, custom)'],
  ['ZG_ACCOUNT', 'keystore account name, or dev0…dev9 on local'],
  ['ZG_PRIVATE_KEY', 'signing key for CI (never printed)'],
  ['ZG_PASSWORD', 'keystore password for CI'],
  ['ZG_CONFIG_DIR / ZG_DATA_DIR', 'where config and data (keystores, devnet, journals) live'],
  ['ZG_JSON / ZG_JSON_STREAM', 'same as --json / --json-stream'],
  ['ZG_YES', 'answer yes to confirmations'],
  ['ZG_<FLAG_NAME>', 'every flag has one, e.g. ZG_RPC_URL for --rpc-url'],
  ['NO_COLOR, TERM=dumb, CI', 'plain output; CI also disables prompts'],
]

function section(title: string, rows: Array<[string | number, string]>): string {
  const w = Math.max(...rows.map(([k]) => String(k).length))
  return `${title}\n` + rows.map(([k, v]) => `  ${String(k).padEnd(w)}  ${v}`).join('\n')
}

export const exitCodesText = () => section('EXIT CODES', EXIT_CODES)
/** One line per command screen; the full table is on `zg help`. */
export const exitCodesLine = () => 'EXIT CODES\n  0 ok · 1 unexpected · 2 usage · 3 not found · 4 key/auth · 5 network · 6 tx failed · 7 timeout (resumable) · 130 interrupted (zg help: details)'
export const environmentText = () => section('ENVIRONMENT', ENVIRONMENT)

export default class ZgHelp extends Help {
  override formatRoot(): string {
    return `${super.formatRoot()}\n\n${exitCodesText()}\n\n${environmentText()}`
  }

  override formatCommand(command: Command.Loadable): string {
    return `${super.formatCommand(command)}\n\n${exitCodesLine()}`
  }
}
