/**
 * Turns a fine-tuning dataset into training text for the tiny model. Accepted: JSONL whose lines are chat records
 * ({"messages":[{role,content}…]}), instruction pairs ({"instruction"|"prompt"|"input", "output"|"completion"|
 * "response"}) or {"text"}; a JSON array of those; or plain text (used as is).
 */
export function datasetToText(data: Buffer): {text: string; format: 'jsonl' | 'json' | 'text'; records: number} {
  const s = data.toString('utf8').replace(/^\uFEFF/, '')
  const trimmed = s.trim()
  const asRecord = (r: unknown): string | undefined => {
    if (!r || typeof r !== 'object') return typeof r === 'string' ? r : undefined
    const o = r as Record<string, unknown>
    if (Array.isArray(o.messages)) {
      return (o.messages as Array<{role?: string; content?: unknown}>)
        .filter((m) => m && m.role !== 'system')
        .map((m) => `${m.role === 'assistant' ? 'A' : 'Q'}: ${String(m.content ?? '').replace(/\s+/g, ' ').trim()}`)
        .join('\n')
    }
    const q = o.instruction ?? o.prompt ?? o.input ?? o.question
    const a = o.output ?? o.completion ?? o.response ?? o.answer
    if (q !== undefined && a !== undefined) return `Q: ${String(q).replace(/\s+/g, ' ').trim()}\nA: ${String(a).replace(/\s+/g, ' ').trim()}`
    if (typeof o.text === 'string') return o.text
    return undefined
  }
  if (trimmed.startsWith('[')) {
    try {
      const arr = JSON.parse(trimmed) as unknown[]
      const parts = arr.map(asRecord).filter((x): x is string => !!x)
      if (parts.length) return {text: parts.join('\n') + '\n', format: 'json', records: parts.length}
    } catch {}
  }
  const lines = trimmed.split('\n').filter((l) => l.trim())
  if (lines.length && lines.every((l) => l.trim().startsWith('{'))) {
    const parts: string[] = []
    for (const l of lines) {
      try {
        const t = asRecord(JSON.parse(l))
        if (t) parts.push(t)
      } catch {
        parts.length = 0
        break
      }
    }
    if (parts.length) return {text: parts.join('\n') + '\n', format: 'jsonl', records: parts.length}
  }
  return {text: s, format: 'text', records: lines.length}
}
