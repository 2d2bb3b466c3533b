import {Flags} from '@oclif/core'

/**
 * Shared flag groups. Every flag has a ZG_ env var so CI can drive any command without arguments; a contract test
 * walks the manifest and fails on a flag without one.
 */
export const globalFlags = {
  json: Flags.boolean({description: 'Print exactly one JSON envelope on stdout (errors too); keeps exit codes', env: 'ZG_JSON', helpGroup: 'GLOBAL'}),
  verbose: Flags.boolean({description: 'Show the cause chain and stack of errors', env: 'ZG_VERBOSE', helpGroup: 'GLOBAL'}),
  'no-color': Flags.boolean({description: 'Disable colour (also NO_COLOR, TERM=dumb)', env: 'ZG_NO_COLOR', helpGroup: 'GLOBAL'}),
  'non-interactive': Flags.boolean({description: 'Never prompt, even on a terminal (implied without a TTY or with CI set)', env: 'ZG_NONINTERACTIVE', helpGroup: 'GLOBAL'}),
}

export const jsonStreamFlag = {
  'json-stream': Flags.boolean({description: 'Stream NDJSON progress events on stdout, then the JSON envelope', env: 'ZG_JSON_STREAM', helpGroup: 'GLOBAL'}),
}

export const yesFlag = {
  yes: Flags.boolean({char: 'y', description: 'Skip confirmations', env: 'ZG_YES'}),
}

export const networkFlag = {
  network: Flags.string({char: 'n', description: 'Network profile (local, galileo, mainnet or a custom one)', env: 'ZG_NETWORK', helpGroup: 'NETWORK'}),
  'rpc-url': Flags.string({description: 'Override the profile\'s EVM RPC URL for this run', env: 'ZG_RPC_URL', helpGroup: 'NETWORK'}),
}

export const signerFlags = {
  account: Flags.string({char: 'a', description: 'Keystore account name, or dev0…dev9 on the local devnet', env: 'ZG_ACCOUNT', helpGroup: 'KEY'}),
  'private-key-file': Flags.string({description: 'Read the signing key from this file (per run, never stored)', env: 'ZG_PRIVATE_KEY_FILE', helpGroup: 'KEY'}),
  'private-key-stdin': Flags.boolean({description: 'Read the signing key from standard input', env: 'ZG_PRIVATE_KEY_STDIN', helpGroup: 'KEY'}),
  'password-file': Flags.string({description: 'Read the keystore password from this file (or set ZG_PASSWORD)', env: 'ZG_PASSWORD_FILE', helpGroup: 'KEY'}),
}

export const txFlags = {
  'gas-price': Flags.string({description: 'Legacy gas price in gwei (implies --legacy)', env: 'ZG_GAS_PRICE', helpGroup: 'TRANSACTION'}),
  legacy: Flags.boolean({description: 'Send a legacy (type 0) transaction instead of EIP-1559', env: 'ZG_LEGACY', helpGroup: 'TRANSACTION'}),
  'tx-timeout': Flags.integer({description: 'Seconds to wait for the receipt before exiting with code 7', env: 'ZG_TX_TIMEOUT_SECONDS', helpGroup: 'TRANSACTION'}),
}

/** Uploading several files (datasets, model packages): how long to wait per file, and how many copies. */
export const fileUploadFlags = {
  timeout: Flags.integer({description: 'Seconds to wait for the storage nodes, per file, before exiting with code 7', default: 600, min: 1, env: 'ZG_STORAGE_TIMEOUT'}),
  replicas: Flags.integer({description: 'Copies of every segment to place on distinct nodes', default: 1, min: 1, env: 'ZG_REPLICAS'}),
}

/** Publishing a new version of someone else's asset as its maintainer. */
export const assetOwnerFlag = {
  owner: Flags.string({description: "The asset's owner, when you publish a new version as one of its maintainers (0x address, keystore account or devN; default: you)", env: 'ZG_ASSET_OWNER'}),
}
