import {rpcCall} from '../core/jsonrpc.js'
import type {NetworkContracts} from '../core/networks.js'
import {loadArtifact} from '../core/contracts.js'

export interface TxActivity {
  block: number
  hash: string
  from: string
  to?: string
  /** "Flow.submit" when the target is a devnet contract, else the 4-byte selector or "transfer". */
  call: string
}
export interface EventActivity {
  block: number
  contract: string
  event: string
  txHash: string
}

const ARTIFACT_OF: Record<string, string> = {
  flow: 'Flow',
  market: 'FixedPriceMarket',
  ledger: 'LedgerManager',
  inference: 'InferenceServing',
  fineTuning: 'FineTuningServing',
  agentNFT: 'AgentNFT',
  teeVerifier: 'TEEVerifier',
  registry: 'AssetRegistry',
}

/**
 * Follows new blocks of the devnet and names what happened in terms of our contracts (for the dashboard and the
 * plain log of `zg node start`). Polling, because anvil's filters do not survive a chain restart.
 */
export async function createActivityWatcher(rpcUrl: string, contracts: NetworkContracts) {
  const {Interface} = await import('ethers')
  const known = new Map<string, {name: string; iface: InstanceType<typeof Interface>}>()
  for (const [key, address] of Object.entries(contracts)) {
    const art = ARTIFACT_OF[key]
    if (!address || !art) continue
    try {
      known.set(address.toLowerCase(), {name: art, iface: new Interface(loadArtifact(art).abi as never)})
    } catch {}
  }
  let last = Number(await rpcCall<string>(rpcUrl, 'eth_blockNumber', []))
  return {
    get height() {
      return last
    },
    /** New txs and events since the previous poll. */
    async poll(): Promise<{height: number; txs: TxActivity[]; events: EventActivity[]}> {
      const head = Number(await rpcCall<string>(rpcUrl, 'eth_blockNumber', [], {retries: 0, timeoutMs: 2000}))
      const txs: TxActivity[] = []
      const events: EventActivity[] = []
      if (head <= last) return {height: head, txs, events}
      const from = Math.max(last + 1, head - 20)
      for (let n = from; n <= head; n++) {
        const b = await rpcCall<{transactions: Array<{hash: string; from: string; to: string | null; input: string}>}>(rpcUrl, 'eth_getBlockByNumber', ['0x' + n.toString(16), true])
        for (const t of b?.transactions ?? []) {
          const k = t.to ? known.get(t.to.toLowerCase()) : undefined
          let call = t.to ? (t.input && t.input !== '0x' ? t.input.slice(0, 10) : 'transfer') : 'create'
          if (k) {
            const f = k.iface.getFunction(t.input.slice(0, 10))
            if (f) call = `${k.name}.${f.name}`
          }
          txs.push({block: n, hash: t.hash, from: t.from, to: t.to ?? undefined, call})
        }
      }
      const addresses = [...known.keys()]
      if (addresses.length) {
        const logs = await rpcCall<Array<{address: string; topics: string[]; data: string; blockNumber: string; transactionHash: string}>>(rpcUrl, 'eth_getLogs', [{fromBlock: '0x' + from.toString(16), toBlock: '0x' + head.toString(16), address: addresses}])
        for (const l of logs ?? []) {
          const k = known.get(l.address.toLowerCase())
          let event = l.topics[0]?.slice(0, 10) ?? '?'
          try {
            const parsed = k?.iface.parseLog({topics: l.topics, data: l.data})
            if (parsed) event = parsed.name
          } catch {}
          events.push({block: Number(l.blockNumber), contract: k?.name ?? l.address, event, txHash: l.transactionHash})
        }
      }
      last = head
      return {height: head, txs, events}
    },
  }
}
