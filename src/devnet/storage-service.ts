/**
 * The devnet's 0G Storage: two storage nodes sharding the flow between them (segment g on node g % 2) and an indexer
 * that lists them as trusted, all in the supervisor's process so they start in milliseconds.
 */
import path from 'node:path'
import {startIndexer} from './indexer.js'
import type {DevnetPorts, RunningService, ServiceContext, ServiceModule} from './service.js'
import {StorageNode} from './storage-node/node.js'

const HOST = '127.0.0.1'
const NUM_NODES = 2

/**
 * TEST ONLY: `ZG_DEVNET_CORRUPT_NODE=<i>` makes storage node i serve corrupted segment data (one flipped byte per
 * download), so client tests can prove they detect a lying node and fall back to another one.
 */
export const CORRUPT_NODE_ENV = 'ZG_DEVNET_CORRUPT_NODE'

const urlOf = (port: number) => `http://${HOST}:${port}`

async function health(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, {signal: AbortSignal.timeout(1000)})
    await res.body?.cancel()
    return res.ok
  } catch {
    return false
  }
}

export const storageService: ServiceModule = {
  name: 'storage',
  description: '0G Storage: two sharded storage nodes (zgs_* JSON-RPC) and an indexer (indexer_* JSON-RPC)',

  async start(ctx: ServiceContext): Promise<RunningService[]> {
    const ports = ctx.ports.storage.slice(0, NUM_NODES)
    if (ports.length < NUM_NODES) throw new Error(`the storage service needs ${NUM_NODES} storage ports, got ${ports.length}`)
    const corrupt = process.env[CORRUPT_NODE_ENV]
    const started: RunningService[] = []
    const nodes: StorageNode[] = []
    try {
      for (const [i, port] of ports.entries()) {
        const log = (line: string) => ctx.log(`[node${i}] ${line}`)
        const node = await StorageNode.start({
          dir: path.join(ctx.dir, `node${i}`),
          host: HOST,
          port,
          rpcUrl: ctx.rpcUrl,
          chainId: ctx.chainId,
          flowAddress: ctx.contracts.flow,
          deployBlock: ctx.contracts.deployBlock,
          shard: {shardId: i, numShard: NUM_NODES},
          log,
          corruptDownloads: corrupt !== undefined && corrupt !== '' && Number(corrupt) === i,
        })
        nodes.push(node)
        started.push({name: `storage-node-${i}`, url: node.url, port: node.port, dir: path.join(ctx.dir, `node${i}`), health: async () => node.synced, stop: () => node.stop()})
      }
      const indexer = await startIndexer({host: HOST, port: ctx.ports.indexer, nodes: nodes.map((n) => n.url), log: (l) => ctx.log(`[indexer] ${l}`)})
      started.push({name: 'indexer', url: indexer.url, port: indexer.port, health: () => health(indexer.url), stop: () => indexer.stop()})
      return started
    } catch (e) {
      for (const s of started.reverse()) await s.stop().catch(() => {})
      throw e
    }
  },

  profile(ports: DevnetPorts) {
    return {indexerUrl: urlOf(ports.indexer), storageNodes: ports.storage.slice(0, NUM_NODES).map(urlOf)}
  },
}
