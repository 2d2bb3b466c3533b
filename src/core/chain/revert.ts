import {AbiCoder, Interface, isHexString, type ErrorDescription, type ParamType, type Result} from 'ethers'

/**
 * Revert data → words. Solidity reverts carry ABI-encoded data: Error(string) from require/revert("…"),
 * Panic(uint256) from checked arithmetic and asserts, or a custom error declared by the contract, which only its
 * ABI can name (hence the optional Interface).
 */

export interface DecodedRevert {
  kind: 'error-string' | 'panic' | 'custom' | 'unknown' | 'empty'
  /** Error, Panic, or the custom error's name. */
  name?: string
  /** Arguments by name (or position when unnamed), values as strings so they survive JSON. */
  args?: Record<string, string>
  /** One line for people, e.g. `NotEnoughFee(price=10, amount=2, paid=0)` or `value must be positive`. */
  reason: string
  /** The raw revert data (0x…). */
  data: string
  /** The 4-byte selector, when there is one. */
  selector?: string
}

const ERROR_STRING = '0x08c379a0'
const PANIC = '0x4e487b71'

/** Solidity's panic codes (docs.soliditylang.org, "Panic via assert and Error via require"). */
export const PANIC_REASONS: Record<number, string> = {
  0x00: 'generic compiler panic',
  0x01: 'assert failed',
  0x11: 'arithmetic overflow or underflow',
  0x12: 'division or modulo by zero',
  0x21: 'invalid enum value',
  0x22: 'corrupt storage byte array',
  0x31: 'pop() on an empty array',
  0x32: 'array index out of bounds',
  0x41: 'out of memory (allocation too large)',
  0x51: 'call to an uninitialised internal function',
}

/** Decodes revert `data` with the standard errors and, for custom errors, the given interfaces. Never throws. */
export function decodeRevert(data: string | null | undefined, ifaces: Interface | Interface[] = []): DecodedRevert {
  const hex = typeof data === 'string' && isHexString(data) ? data.toLowerCase() : '0x'
  if (hex === '0x') return {kind: 'empty', reason: 'reverted without a reason', data: hex}
  const selector = hex.length >= 10 ? hex.slice(0, 10) : undefined
  const coder = AbiCoder.defaultAbiCoder()
  try {
    if (selector === ERROR_STRING) {
      const [msg] = coder.decode(['string'], '0x' + hex.slice(10))
      return {kind: 'error-string', name: 'Error', args: {message: String(msg)}, reason: String(msg), data: hex, selector}
    }
    if (selector === PANIC) {
      const [code] = coder.decode(['uint256'], '0x' + hex.slice(10))
      const n = Number(code)
      const what = PANIC_REASONS[n] ?? 'unknown panic code'
      return {kind: 'panic', name: 'Panic', args: {code: '0x' + n.toString(16).padStart(2, '0')}, reason: `panic 0x${n.toString(16).padStart(2, '0')} (${what})`, data: hex, selector}
    }
  } catch {
    // Malformed standard error data: fall through to "unknown".
  }
  for (const iface of Array.isArray(ifaces) ? ifaces : [ifaces]) {
    let desc: ErrorDescription | null = null
    try {
      desc = iface.parseError(hex)
    } catch {
      desc = null
    }
    if (desc && desc.name !== 'Error' && desc.name !== 'Panic') {
      const args = namedArgs(desc.fragment.inputs, desc.args)
      const reason = `${desc.name}(${Object.entries(args).map(([k, v]) => (/^\d+$/.test(k) ? v : `${k}=${v}`)).join(', ')})`
      return {kind: 'custom', name: desc.name, args, reason, data: hex, selector}
    }
  }
  return {kind: 'unknown', reason: `unknown custom error ${selector ?? hex}`, data: hex, selector}
}

/**
 * Finds revert data in whatever ethers (or a node) threw: ethers' CallExceptionError keeps it in `data`, JSON-RPC
 * errors in `error.data`, some nodes nest it one level deeper. Returns undefined when there is none.
 */
export function extractRevertData(err: unknown): string | undefined {
  const seen = new Set<unknown>()
  const visit = (e: unknown, depth: number): string | undefined => {
    if (!e || typeof e !== 'object' || depth > 5 || seen.has(e)) return undefined
    seen.add(e)
    const o = e as Record<string, unknown>
    if (typeof o.data === 'string' && isHexString(o.data) && o.data.length >= 10) return o.data
    for (const k of ['data', 'error', 'info', 'cause', 'revert']) {
      const found = visit(o[k], depth + 1)
      if (found) return found
    }
    return undefined
  }
  return visit(err, 0)
}

function namedArgs(inputs: readonly ParamType[], values: Result): Record<string, string> {
  const out: Record<string, string> = {}
  inputs.forEach((p, i) => (out[p.name || String(i)] = formatValue(values[i])))
  return out
}

/** Compact, JSON-safe rendering of ABI values: bigints as decimals, long bytes shortened, tuples in brackets. */
export function formatValue(v: unknown): string {
  if (typeof v === 'bigint') return v.toString()
  if (typeof v === 'string') {
    if (isHexString(v) && v.length > 2 + 64 * 2) return `${v.slice(0, 18)}…(${(v.length - 2) / 2} bytes)`
    return isHexString(v) ? v : JSON.stringify(v)
  }
  if (Array.isArray(v)) return `[${v.map(formatValue).join(', ')}]`
  return String(v)
}
