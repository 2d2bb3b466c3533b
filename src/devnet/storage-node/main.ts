/**
 * Runs one storage node as its own process: `node main.js '<StorageNodeOptions as JSON>'`. Prints
 * `ready <url>` on stdout once it listens and stops cleanly on SIGTERM/SIGINT. The devnet runs its nodes in-process;
 * this entry is for crash tests (kill -9 mid-upload) and for running a node by hand.
 */
import {StorageNode, type StorageNodeOptions} from './node.js'

const opts = JSON.parse(process.argv[2] ?? '{}') as StorageNodeOptions
const node = await StorageNode.start({...opts, log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`)})
process.stdout.write(`ready ${node.url}\n`)
const stop = () => {
  node.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  )
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
