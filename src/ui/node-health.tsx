import React, {useEffect, useState} from 'react'
import {Box, Text, render, useInput} from 'ink'
import type {NodeHealth} from '../core/operator/health.js'

function Health({read, intervalMs, onQuit}: {read: () => Promise<NodeHealth[]>; intervalMs: number; onQuit: () => void}) {
  const [rows, setRows] = useState<NodeHealth[]>([])
  const [prev, setPrev] = useState<Record<string, number>>({})
  useInput((input, key) => {
    if (input === 'q' || (key.ctrl && input === 'c')) onQuit()
  })
  useEffect(() => {
    let live = true
    const tick = async () => {
      const next = await read()
      if (!live) return
      setRows((old) => {
        setPrev(Object.fromEntries(old.map((h) => [h.url, h.logSyncHeight ?? 0])))
        return next
      })
    }
    void tick()
    const t = setInterval(tick, intervalMs)
    return () => {
      live = false
      clearInterval(t)
    }
  }, [])
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold color="cyan">0G storage node health</Text>
        <Text dimColor>  every {Math.round(intervalMs / 1000)} s · q to quit</Text>
      </Text>
      {rows.map((h) => (
        <Box key={h.url} flexDirection="column" marginTop={1}>
          <Text>
            <Text color={h.reachable ? (h.behind !== undefined && h.behind > 50 ? 'yellow' : 'green') : 'red'}>●</Text> <Text bold>{h.url}</Text>
          </Text>
          {h.reachable ? (
            <>
              <Text>  sync height {h.logSyncHeight}{h.chainHead !== undefined ? ` / head ${h.chainHead} (${h.behind} behind)` : ''}{prev[h.url] !== undefined && h.logSyncHeight !== undefined ? `  +${h.logSyncHeight - prev[h.url]}` : ''}</Text>
              <Text>  peers {h.connectedPeers} · shard {h.shard?.shardId}/{h.shard?.numShard} · next tx seq {h.nextTxSeq}</Text>
            </>
          ) : (
            <Text color="red">  unreachable: {h.error}</Text>
          )}
        </Box>
      ))}
    </Box>
  )
}

export function showNodeHealth(read: () => Promise<NodeHealth[]>, intervalMs: number, onQuit: () => void): {unmount(): void} {
  const app = render(<Health read={read} intervalMs={intervalMs} onQuit={onQuit} />, {stdout: process.stderr, exitOnCtrlC: false})
  return {unmount: () => app.unmount()}
}
