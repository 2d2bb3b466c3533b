import fs from 'node:fs'
import React, {useEffect, useState} from 'react'
import {Box, Text, render, useInput} from 'ink'

export interface DashboardService {
  name: string
  url?: string
  port?: number
  health(): Promise<boolean>
}
export interface DashboardSource {
  title: string
  services: DashboardService[]
  poll(): Promise<{height: number; txs: Array<{block: number; hash: string; call: string; from: string}>; events: Array<{block: number; contract: string; event: string}>}>
  logFile: string
}

const short = (h: string) => `${h.slice(0, 10)}…${h.slice(-4)}`

function tail(file: string, n: number): string[] {
  try {
    const fd = fs.openSync(file, 'r')
    const size = fs.fstatSync(fd).size
    const len = Math.min(size, 8192)
    const buf = Buffer.alloc(len)
    fs.readSync(fd, buf, 0, len, size - len)
    fs.closeSync(fd)
    return buf.toString('utf8').split('\n').filter(Boolean).slice(-n)
  } catch {
    return []
  }
}

function Dashboard({src, onQuit}: {src: DashboardSource; onQuit: () => void}) {
  const [height, setHeight] = useState(0)
  const [health, setHealth] = useState<Record<string, boolean>>({})
  const [txs, setTxs] = useState<string[]>([])
  const [events, setEvents] = useState<string[]>([])
  const [logs, setLogs] = useState<string[]>([])
  useInput((input, key) => {
    if (input === 'q' || (key.ctrl && input === 'c')) onQuit()
  })
  useEffect(() => {
    let live = true
    const tick = async () => {
      try {
        const a = await src.poll()
        if (!live) return
        setHeight(a.height)
        if (a.txs.length) setTxs((old) => [...old, ...a.txs.map((t) => `#${t.block} ${short(t.hash)} ${t.call} from ${short(t.from)}`)].slice(-6))
        if (a.events.length) setEvents((old) => [...old, ...a.events.map((e) => `#${e.block} ${e.contract}.${e.event}`)].slice(-6))
      } catch {}
      const h: Record<string, boolean> = {}
      for (const s of src.services) h[s.name] = await s.health().catch(() => false)
      if (!live) return
      setHealth(h)
      setLogs(tail(src.logFile, 5))
    }
    void tick()
    const t = setInterval(tick, 700)
    return () => {
      live = false
      clearInterval(t)
    }
  }, [])
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold color="cyan">{src.title}</Text>
        <Text>  block </Text>
        <Text bold>{height}</Text>
        <Text dimColor>   (q to stop)</Text>
      </Text>
      <Box flexDirection="column" marginTop={1}>
        <Text bold>Services</Text>
        {src.services.map((s) => (
          <Text key={s.name}>
            <Text color={health[s.name] === false ? 'red' : 'green'}>{health[s.name] === false ? '✖' : '●'}</Text> {s.name.padEnd(12)} {s.url ?? ''}
          </Text>
        ))}
      </Box>
      <Box flexDirection="column" marginTop={1}>
        <Text bold>Recent transactions</Text>
        {txs.length ? txs.map((t, i) => <Text key={i}>{t}</Text>) : <Text dimColor>none yet</Text>}
      </Box>
      <Box flexDirection="column" marginTop={1}>
        <Text bold>Contract events</Text>
        {events.length ? events.map((t, i) => <Text key={i}>{t}</Text>) : <Text dimColor>none yet</Text>}
      </Box>
      <Box flexDirection="column" marginTop={1}>
        <Text bold>Log</Text>
        {logs.map((l, i) => (
          <Text key={i} dimColor wrap="truncate-end">
            {l}
          </Text>
        ))}
      </Box>
    </Box>
  )
}

/** Draws the live devnet view on stderr until `q`/Ctrl-C (onQuit) or until the returned unmount is called. */
export function showDashboard(src: DashboardSource, onQuit: () => void): {unmount(): void} {
  const app = render(<Dashboard src={src} onQuit={onQuit} />, {stdout: process.stderr, exitOnCtrlC: false})
  return {unmount: () => app.unmount()}
}
