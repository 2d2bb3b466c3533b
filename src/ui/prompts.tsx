import React, {useRef, useState} from 'react'
import {Box, Text, render, useInput} from 'ink'

/**
 * Ink prompts. Only imported on an interactive TTY (the base command checks first), drawn on stderr so that stdout
 * stays the command's result. Ctrl-C cancels with exit 130 through the base command's interrupt path.
 */

/** `summary(v)` is the one line left on screen once answered (the live frame, with any error, is cleared). */
function mount<T>(make: (done: (v: T) => void, cancel: () => void) => React.ReactElement, summary: (v: T) => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false
    const app = render(
      make(
        (v) => {
          settled = true
          app.clear()
          app.unmount()
          process.stderr.write(summary(v) + '\n')
          resolve(v)
        },
        () => {
          settled = true
          app.unmount()
          const e = new Error('Prompt cancelled')
          e.name = 'AbortError'
          reject(e)
        },
      ),
      {stdout: process.stderr, exitOnCtrlC: false},
    )
    app.waitUntilExit().then(() => {
      if (!settled) reject(Object.assign(new Error('Prompt closed'), {name: 'AbortError'}))
    })
  })
}

export function TextInput(props: {message: string; mask?: boolean; initial?: string; validate?: (v: string) => string | undefined; done: (v: string) => void; cancel: () => void}) {
  const [value, setValue] = useState(props.initial ?? '')
  const [error, setError] = useState<string | undefined>()
  // A ref, not only state: pasted text can arrive with its newline in one event, before React re-renders.
  const current = useRef(props.initial ?? '')
  const submit = () => {
    const err = props.validate?.(current.current)
    if (err) return setError(err)
    props.done(current.current)
  }
  useInput((input, key) => {
    if (key.ctrl && input === 'c') return props.cancel()
    if (key.escape) return props.cancel()
    if (key.backspace || key.delete) {
      current.current = current.current.slice(0, -1)
      return setValue(current.current)
    }
    if (key.ctrl || key.meta) return
    let enter = key.return
    for (const ch of input) {
      if (ch === '\r' || ch === '\n') {
        enter = true
        break
      }
      current.current += ch
    }
    setError(undefined)
    setValue(current.current)
    if (enter) submit()
  })
  return (
    <Box flexDirection="column">
      <Text>
        <Text color="cyan">? </Text>
        <Text bold>{props.message} </Text>
        <Text>{props.mask ? '•'.repeat(value.length) : value}</Text>
      </Text>
      {error ? <Text color="red">  {error}</Text> : null}
    </Box>
  )
}

export function textPrompt(o: {message: string; default?: string; mask?: boolean; validate?: (v: string) => string | undefined}): Promise<string> {
  return mount<string>(
    (done, cancel) => <TextInput message={o.message} mask={o.mask} initial={o.default} validate={o.validate} done={done} cancel={cancel} />,
    (v) => `? ${o.message} ${o.mask ? '•'.repeat(Math.min(v.length, 12)) : v}`,
  )
}

export function Select<V>(props: {message: string; choices: Array<{label: string; value: V}>; done: (v: V) => void; cancel: () => void}) {
  const [i, setI] = useState(0)
  useInput((input, key) => {
    if ((key.ctrl && input === 'c') || key.escape) return props.cancel()
    if (key.upArrow || input === 'k') setI((x) => (x - 1 + props.choices.length) % props.choices.length)
    if (key.downArrow || input === 'j') setI((x) => (x + 1) % props.choices.length)
    if (key.return || input.includes('\r')) props.done(props.choices[i].value)
  })
  return (
    <Box flexDirection="column">
      <Text>
        <Text color="cyan">? </Text>
        <Text bold>{props.message}</Text>
      </Text>
      {props.choices.map((c, k) => (
        <Text key={k} color={k === i ? 'cyan' : undefined}>
          {k === i ? '❯ ' : '  '}
          {c.label}
        </Text>
      ))}
    </Box>
  )
}

export function selectPrompt<V>(o: {message: string; choices: Array<{label: string; value: V}>}): Promise<V> {
  return mount<V>(
    (done, cancel) => <Select message={o.message} choices={o.choices} done={done} cancel={cancel} />,
    (v) => `? ${o.message} ${o.choices.find((c) => c.value === v)?.label ?? ''}`,
  )
}

export async function confirmPrompt(message: string): Promise<boolean> {
  return selectPrompt({message, choices: [{label: 'Yes', value: true}, {label: 'No', value: false}]})
}
