import assert from 'node:assert/strict'

/**
 * Asserts that no 16-hex-digit window of any secret (case-insensitive) appears anywhere in a thrown value: its
 * message, stack, JSON form, details, suggestions, or any cause along the chain. 16 digits = 64 bits: a fragment
 * that long is not a coincidence.
 */
export function assertNoSecret(err: unknown, secrets: string[]): void {
  const texts: string[] = []
  const seen = new Set<unknown>()
  const walk = (e: unknown, depth: number) => {
    if (e === undefined || e === null || depth > 10 || seen.has(e)) return
    seen.add(e)
    if (typeof e !== 'object') {
      texts.push(String(e))
      return
    }
    const o = e as Record<string, unknown>
    for (const k of ['message', 'stack', 'shortMessage', 'reason']) if (typeof o[k] === 'string') texts.push(o[k] as string)
    try {
      texts.push(JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)))
    } catch {
      texts.push(String(e))
    }
    for (const k of ['details', 'suggestions', 'info', 'error']) if (o[k] !== undefined) texts.push(JSON.stringify(o[k], (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) ?? '')
    walk(o.cause, depth + 1)
  }
  walk(err, 0)
  const haystack = texts.join('\n').toLowerCase()
  for (const secret of secrets) {
    const s = secret.toLowerCase().replace(/^0x/, '')
    for (let i = 0; i + 16 <= s.length; i++) {
      const window = s.slice(i, i + 16)
      assert.ok(!haystack.includes(window), `secret fragment ${i}..${i + 16} leaked into the error: ${haystack.slice(0, 200)}`)
    }
  }
}
