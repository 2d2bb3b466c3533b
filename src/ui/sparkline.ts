const BARS = '▁▂▃▄▅▆▇█'

/** A one-line chart of `values` (e.g. training loss), resampled to at most `width` characters. */
export function sparkline(values: number[], width = 40): string {
  const v = values.filter((x) => Number.isFinite(x))
  if (!v.length) return ''
  const n = Math.min(width, v.length)
  const pts: number[] = []
  for (let i = 0; i < n; i++) {
    const a = Math.floor((i * v.length) / n)
    const b = Math.max(a + 1, Math.floor(((i + 1) * v.length) / n))
    const slice = v.slice(a, b)
    pts.push(slice.reduce((x, y) => x + y, 0) / slice.length)
  }
  const min = Math.min(...pts)
  const max = Math.max(...pts)
  return pts.map((p) => BARS[max === min ? 0 : Math.round(((p - min) / (max - min)) * (BARS.length - 1))]).join('')
}
