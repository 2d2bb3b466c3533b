// Child process for the parallel nonce test: sends N transfers from dev1 through the real modules and prints
// one JSON line with what it sent. Args: rpcUrl count. ZG_DATA_DIR (shared by all children) holds the lock.
import {makeProvider} from '../../../src/core/chain/provider.js'
import {sendTransaction} from '../../../src/core/chain/send.js'
import {devWallet} from '../../../src/core/keys/dev-accounts.js'

const [url, count] = process.argv.slice(2)
const provider = await makeProvider(url!, {chainId: 31337, local: true})
const wallet = devWallet(1)
const to = devWallet(2).address
const sent: {hash: string; nonce: number; status: number | null}[] = []
try {
  for (let i = 0; i < Number(count); i++) {
    const r = await sendTransaction(wallet, provider, {to, value: 1n}, {timeoutMs: 60_000})
    sent.push({hash: r.hash, nonce: r.nonce, status: r.receipt.status})
  }
  process.stdout.write(JSON.stringify({ok: true, sent}) + '\n')
} catch (e) {
  const err = e as {code?: string; message?: string}
  process.stdout.write(JSON.stringify({ok: false, sent, error: {code: err.code, message: err.message}}) + '\n')
  process.exitCode = 1
} finally {
  provider.destroy()
}
