import type {DevnetContracts} from './deploy.js'

/** Ports of the devnet; defaults in core/networks DEVNET_PORTS, each overridable at `zg node start`. */
export interface DevnetPorts {
  chain: number
  indexer: number
  /** One port per storage node (the devnet runs two, sharded). */
  storage: number[]
  provider: number
  oracle: number
}

/** What the supervisor hands each service when it starts it. */
export interface ServiceContext {
  /** The service's own folder under the devnet dir (created for it). */
  dir: string
  /** Appends a line to the service's log (logs/<name>.log). */
  log: (line: string) => void
  rpcUrl: string
  chainId: number
  contracts: DevnetContracts
  ports: DevnetPorts
  /** Aborted when the devnet stops. */
  signal: AbortSignal
}

/** A started service instance: one module may start several (e.g. two storage nodes). */
export interface RunningService {
  name: string
  url?: string
  port?: number
  /** Process id when the service runs in its own process (otherwise it lives in the supervisor). */
  pid?: number
  /** This instance's data folder, when it has its own (default: its module's folder). */
  dir?: string
  health(): Promise<boolean>
  stop(): Promise<void>
}

/**
 * A devnet service: adding one is this module plus one line in src/devnet/registry.ts. Services start after the
 * chain is up and the contracts are deployed, in registry order, and stop in reverse order.
 */
export interface ServiceModule {
  name: string
  description: string
  start(ctx: ServiceContext): Promise<RunningService[]>
  /** Fields this service adds to the `local` network profile (network.json), e.g. indexer URL. */
  profile?(ports: DevnetPorts): Record<string, unknown>
}
