import React, {useRef, useState} from 'react'
import {Box, Text, render, useApp, useInput} from 'ink'
import type {ChatSession} from '../core/compute/session.js'

/**
 * The interactive `zg compute chat`: type, Enter to send, the answer streams in, then its signature check and fee.
 * Ctrl-C or Esc (or an empty line + Enter on "/exit") leaves. Drawn on stderr: stdout stays clean.
 */

interface Turn {
  q: string
  a: string
  state: 'streaming' | 'done' | 'error'
  note?: string
}

export function Chat(props: {session: Pick<ChatSession, 'service' | 'expectedSigner' | 'send'>; model?: string; system?: string; maxTokens?: number; temperature?: number; verify: boolean; signal: AbortSignal; onDone: (n: number) => void}) {
  const {exit} = useApp()
  const [turns, setTurns] = useState<Turn[]>([])
  const [input, setInput] = useState('')
  const [busy, setBusy] = useState(false)
  const history = useRef<Array<{role: 'system' | 'user' | 'assistant'; content: string}>>(props.system ? [{role: 'system', content: props.system}] : [])
  const current = useRef('')

  const count = useRef(0)
  const finish = () => {
    props.onDone(count.current)
    exit()
  }

  const send = async (q: string) => {
    setBusy(true)
    const idx = count.current++
    setTurns((t) => [...t, {q, a: '', state: 'streaming'}])
    history.current.push({role: 'user', content: q})
    const update = (f: (t: Turn) => Turn) => setTurns((all) => all.map((t, i) => (i === idx ? f(t) : t)))
    try {
      const {formatEther} = await import('ethers')
      const r = await props.session.send(history.current, {
        model: props.model,
        maxTokens: props.maxTokens,
        temperature: props.temperature,
        stream: true,
        verify: props.verify,
        signal: props.signal,
        onToken: (p) => update((t) => ({...t, a: t.a + p})),
      })
      history.current.push({role: 'assistant', content: r.result.content})
      const sig = r.signature ? (r.signature.verified ? '✔ signature verified' : '✘ SIGNATURE INVALID') : 'signature not checked'
      update((t) => ({...t, a: r.result.content, state: r.signature && !r.signature.verified ? 'error' : 'done', note: `${sig} · ${r.result.usage?.total_tokens ?? '?'} tokens · fee ${formatEther(r.fee)} 0G`}))
    } catch (e) {
      history.current.pop()
      update((t) => ({...t, state: 'error', note: (e as Error).message}))
    } finally {
      setBusy(false)
    }
  }

  const submit = () => {
    const q = current.current.trim()
    current.current = ''
    setInput('')
    if (q === '/exit' || q === '/quit') return finish()
    if (q) void send(q)
  }

  useInput((ch, key) => {
    if ((key.ctrl && ch === 'c') || key.escape) return finish()
    if (busy) return
    if (key.return) return submit()
    if (key.backspace || key.delete) {
      current.current = current.current.slice(0, -1)
      return setInput(current.current)
    }
    if (key.ctrl || key.meta) return
    // Pasted text can carry its newline in the same event.
    for (const c of ch) {
      if (c === '\r' || c === '\n') return submit()
      current.current += c
    }
    setInput(current.current)
  })

  const s = props.session.service
  return (
    <Box flexDirection="column">
      <Text dimColor>
        {s.model} at {s.provider.slice(0, 10)}… · answers signed by {props.session.expectedSigner.slice(0, 10)}… · Esc or /exit to leave
      </Text>
      {turns.map((t, i) => (
        <Box key={i} flexDirection="column" marginTop={1}>
          <Text>
            <Text color="cyan">you › </Text>
            {t.q}
          </Text>
          <Text>
            <Text color="magenta">model › </Text>
            {t.a}
            {t.state === 'streaming' ? <Text dimColor>▍</Text> : null}
          </Text>
          {t.note ? <Text color={t.state === 'error' ? 'red' : 'green'}>{t.note}</Text> : null}
        </Box>
      ))}
      <Box marginTop={1}>
        <Text color="cyan">{busy ? '… ' : '› '}</Text>
        <Text>{input}</Text>
      </Box>
    </Box>
  )
}

export async function runChatUi(o: {session: Pick<ChatSession, 'service' | 'expectedSigner' | 'send'>; model?: string; system?: string; maxTokens?: number; temperature?: number; verify: boolean; signal: AbortSignal}): Promise<number> {
  let n = 0
  const app = render(<Chat {...o} onDone={(x) => (n = x)} />, {stdout: process.stderr, exitOnCtrlC: false})
  await app.waitUntilExit()
  return n
}
