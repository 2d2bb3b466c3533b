import chalk from 'chalk'

/** Plain-text views shared by every command: the same output on a TTY and in a pipe, colour only where allowed. */

export const c = chalk

const visibleLength = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length
const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - visibleLength(s)))

export interface Column<R> {
  header: string
  get: (row: R) => string | number | bigint | boolean | undefined | null
}

/** A left-aligned table with a header row; an empty list prints `empty` instead. */
export function table<R>(rows: R[], columns: Column<R>[], empty = '(none)'): string {
  if (rows.length === 0) return c.dim(empty)
  const cells = rows.map((r) => columns.map((col) => cell(col.get(r))))
  const widths = columns.map((col, i) => Math.max(col.header.length, ...cells.map((row) => visibleLength(row[i]))))
  const head = columns.map((col, i) => c.bold(pad(col.header, widths[i]))).join('  ').trimEnd()
  const body = cells.map((row) => row.map((v, i) => pad(v, widths[i])).join('  ').trimEnd())
  return [head, ...body].join('\n')
}

/** Aligned "key  value" lines. */
export function keyValue(entries: Array<[string, unknown]>): string {
  const shown = entries.filter(([, v]) => v !== undefined)
  const w = Math.max(0, ...shown.map(([k]) => k.length))
  return shown.map(([k, v]) => `${c.dim(pad(k, w))}  ${cell(v)}`).join('\n')
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return c.dim('-')
  if (typeof v === 'boolean') return v ? c.green('yes') : 'no'
  if (typeof v === 'object') return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))
  return String(v)
}

export const ok = (s: string) => `${c.green('✔')} ${s}`
export const warnLine = (s: string) => `${c.yellow('!')} ${s}`

/** Human byte sizes, binary units (what `ls -h` users expect). */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`
}
