import React, {useEffect, useState} from 'react'
import {Box, Text, render, useApp, useInput} from 'ink'
import type {Task} from '../core/compute/finetune.js'
import {sparkline} from './sparkline.js'

/** The live view of `zg compute job watch`: the state machine, a loss sparkline and the log tail. On stderr. */

const STATES = ['Init', 'SettingUp', 'SetUp', 'Training', 'Trained', 'Delivering', 'Delivered', 'UserAcknowledged', 'Finished']

export function JobView(props: {task: Task | undefined; log: string[]; error?: string}) {
  const t = props.task
  if (!t) return <Text dimColor>loading…</Text>
  const at = STATES.indexOf(t.progress)
  const losses = t.losses ?? []
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>task </Text>
        {t.id} <Text dimColor>({t.model ?? 'model'} on {t.datasetHash.slice(0, 12)}…)</Text>
      </Text>
      <Box flexWrap="wrap">
        {STATES.map((s, i) => (
          <Text key={s} color={t.progress === 'Failed' ? (i <= at ? 'gray' : 'gray') : i < at ? 'green' : i === at ? 'cyan' : 'gray'} bold={i === at}>
            {i < at || t.progress === 'Finished' ? '✔' : i === at ? '●' : '○'} {s}
            {i < STATES.length - 1 ? '  ' : ''}
          </Text>
        ))}
        {t.progress === 'Failed' ? <Text color="red"> ✘ Failed: {t.reason ?? ''}</Text> : null}
      </Box>
      <Box marginTop={1}>
        <Text>
          loss <Text color="yellow">{sparkline(losses, 50) || '—'}</Text>{' '}
          {losses.length ? `${losses[0]!.toFixed(3)} → ${losses.at(-1)!.toFixed(3)}  step ${losses.length}/${t.totalSteps ?? '?'}` : ''}
        </Text>
      </Box>
      <Box flexDirection="column" marginTop={1}>
        {props.log.slice(-8).map((l, i) => (
          <Text key={i} dimColor wrap="truncate-end">
            {l}
          </Text>
        ))}
      </Box>
      {props.error ? <Text color="red">{props.error}</Text> : null}
      <Text dimColor>q or Esc to stop watching (the job goes on)</Text>
    </Box>
  )
}

function Live(props: {poll: () => Promise<{task: Task; log: string[]}>; pollMs: number; onEnd: (t: Task | undefined) => void}) {
  const {exit} = useApp()
  const [state, setState] = useState<{task?: Task; log: string[]; error?: string}>({log: []})
  useInput((ch, key) => {
    if (ch === 'q' || key.escape || (key.ctrl && ch === 'c')) {
      props.onEnd(state.task)
      exit()
    }
  })
  useEffect(() => {
    let stop = false
    let timer: NodeJS.Timeout | undefined
    const tick = async () => {
      try {
        const r = await props.poll()
        if (stop) return
        setState({task: r.task, log: r.log})
        if (r.task.progress === 'Finished' || r.task.progress === 'Failed') {
          props.onEnd(r.task)
          setTimeout(() => exit(), 50)
          return
        }
      } catch (e) {
        if (!stop) setState((s) => ({...s, error: (e as Error).message}))
      }
      if (!stop) timer = setTimeout(tick, props.pollMs)
    }
    void tick()
    return () => {
      stop = true
      if (timer) clearTimeout(timer)
    }
  }, [])
  return <JobView task={state.task} log={state.log} error={state.error} />
}

export async function runJobWatch(poll: () => Promise<{task: Task; log: string[]}>, pollMs = 1000): Promise<Task | undefined> {
  let last: Task | undefined
  const app = render(<Live poll={poll} pollMs={pollMs} onEnd={(t) => (last = t)} />, {stdout: process.stderr, exitOnCtrlC: false})
  await app.waitUntilExit()
  return last
}
