/**
 * SPDX license expressions, checked offline against a compact list of common SPDX license ids shipped here (not the
 * full SPDX list of 700+ ids, which would have to be kept current). The ids below are copied verbatim from the SPDX
 * License List (https://spdx.org/licenses/); anything else can be named the SPDX way, `LicenseRef-<name>`.
 *
 * Grammar (SPDX 2.3 annex D, without DocumentRef): expr = and-expr {"OR" and-expr}; and-expr = with-expr {"AND"
 * with-expr}; with-expr = atom ["WITH" exception]; atom = id ["+"] | LicenseRef-[A-Za-z0-9.-]+ | "(" expr ")".
 * Ids must be written in their canonical case ("MIT", not "mit"), so that what lands on chain is comparable.
 */

export const SPDX_LICENSE_IDS: readonly string[] = [
  // permissive software licenses
  '0BSD', 'AFL-3.0', 'Apache-1.1', 'Apache-2.0', 'Artistic-2.0', 'BSD-1-Clause', 'BSD-2-Clause', 'BSD-2-Clause-Patent',
  'BSD-3-Clause', 'BSD-3-Clause-Clear', 'BSD-4-Clause', 'BSL-1.0', 'ISC', 'MIT', 'MIT-0', 'NCSA', 'PostgreSQL',
  'PSF-2.0', 'Python-2.0', 'UPL-1.0', 'Unlicense', 'WTFPL', 'X11', 'Zlib', 'Unicode-3.0',
  // copyleft software licenses
  'AGPL-3.0-only', 'AGPL-3.0-or-later', 'CDDL-1.0', 'CDDL-1.1', 'EPL-1.0', 'EPL-2.0', 'EUPL-1.1', 'EUPL-1.2',
  'GPL-2.0-only', 'GPL-2.0-or-later', 'GPL-3.0-only', 'GPL-3.0-or-later', 'LGPL-2.1-only', 'LGPL-2.1-or-later',
  'LGPL-3.0-only', 'LGPL-3.0-or-later', 'MPL-1.1', 'MPL-2.0', 'MPL-2.0-no-copyleft-exception', 'OSL-3.0',
  // source-available
  'BUSL-1.1', 'Elastic-2.0', 'SSPL-1.0',
  // content and data (Creative Commons, Open Data Commons, Community Data License Agreement, ...)
  'CC0-1.0', 'CC-BY-2.0', 'CC-BY-2.5', 'CC-BY-3.0', 'CC-BY-4.0', 'CC-BY-SA-2.0', 'CC-BY-SA-2.5', 'CC-BY-SA-3.0',
  'CC-BY-SA-4.0', 'CC-BY-NC-2.0', 'CC-BY-NC-3.0', 'CC-BY-NC-4.0', 'CC-BY-NC-SA-2.0', 'CC-BY-NC-SA-3.0',
  'CC-BY-NC-SA-4.0', 'CC-BY-ND-3.0', 'CC-BY-ND-4.0', 'CC-BY-NC-ND-3.0', 'CC-BY-NC-ND-4.0', 'CC-PDDC',
  'CDLA-Permissive-1.0', 'CDLA-Permissive-2.0', 'CDLA-Sharing-1.0', 'ODbL-1.0', 'ODC-By-1.0', 'PDDL-1.0',
  'NLOD-2.0', 'OGL-UK-3.0', 'etalab-2.0', 'GFDL-1.3-only', 'GFDL-1.3-or-later', 'OFL-1.1', 'OPUBL-1.0',
]

/** License exceptions accepted after WITH (the common ones from the SPDX exceptions list). */
export const SPDX_EXCEPTION_IDS: readonly string[] = [
  'Classpath-exception-2.0', 'GCC-exception-3.1', 'LLVM-exception', 'Autoconf-exception-3.0', 'Bison-exception-2.2',
  'Font-exception-2.0', 'OpenJDK-assembly-exception-1.0', 'Qt-GPL-exception-1.0', 'Qt-LGPL-exception-1.1',
  'Universal-FOSS-exception-1.0', 'eCos-exception-2.0', 'Linux-syscall-note',
]

const IDS = new Set(SPDX_LICENSE_IDS)
const IDS_LOWER = new Map(SPDX_LICENSE_IDS.map((id) => [id.toLowerCase(), id]))
const EXCEPTIONS = new Set(SPDX_EXCEPTION_IDS)
const EXCEPTIONS_LOWER = new Map(SPDX_EXCEPTION_IDS.map((id) => [id.toLowerCase(), id]))
/** Deprecated SPDX ids people still write, with what replaced them. */
const DEPRECATED: Record<string, string> = {
  'GPL-2.0': 'GPL-2.0-only', 'GPL-2.0+': 'GPL-2.0-or-later', 'GPL-3.0': 'GPL-3.0-only', 'GPL-3.0+': 'GPL-3.0-or-later',
  'LGPL-2.1': 'LGPL-2.1-only', 'LGPL-2.1+': 'LGPL-2.1-or-later', 'LGPL-3.0': 'LGPL-3.0-only', 'LGPL-3.0+': 'LGPL-3.0-or-later',
  'AGPL-3.0': 'AGPL-3.0-only', 'GFDL-1.3': 'GFDL-1.3-only',
}
/** Names people use that are not SPDX ids at all. */
const COMMON_MISTAKES: Record<string, string> = {
  apache: 'Apache-2.0', 'apache 2.0': 'Apache-2.0', 'apache2': 'Apache-2.0', 'apache-2': 'Apache-2.0', 'apache license 2.0': 'Apache-2.0',
  bsd: 'BSD-3-Clause', 'bsd-3': 'BSD-3-Clause', 'bsd-2': 'BSD-2-Clause', gpl: 'GPL-3.0-only', gpl3: 'GPL-3.0-only', gplv3: 'GPL-3.0-only',
  gpl2: 'GPL-2.0-only', gplv2: 'GPL-2.0-only', lgpl: 'LGPL-3.0-only', agpl: 'AGPL-3.0-only', 'cc-by': 'CC-BY-4.0', 'cc-by-sa': 'CC-BY-SA-4.0',
  'cc-by-nc': 'CC-BY-NC-4.0', cc0: 'CC0-1.0', 'public domain': 'CC0-1.0', mpl: 'MPL-2.0', odbl: 'ODbL-1.0', 'mit license': 'MIT',
}

export const LICENSE_REF_RE = /^LicenseRef-[A-Za-z0-9.-]+$/
export const MAX_LICENSE_LENGTH = 128

export interface LicenseProblem {
  message: string
  fix: string
}

type Token = {kind: 'word'; text: string} | {kind: '('} | {kind: ')'}

function tokenize(s: string): Token[] {
  const out: Token[] = []
  const re = /\s*(\(|\)|[^\s()]+)/gy
  let m: RegExpExecArray | null
  while ((m = re.exec(s))) {
    const t = m[1]!
    out.push(t === '(' || t === ')' ? {kind: t} : {kind: 'word', text: t})
  }
  return out
}

/**
 * Checks an SPDX license expression. Returns undefined when it is valid, else what is wrong and how to fix it
 * (the nearest known id when one is close).
 */
export function checkLicense(expr: string): LicenseProblem | undefined {
  const s = expr.trim()
  if (!s) return {message: 'the license is empty', fix: 'Use an SPDX id such as "Apache-2.0", "MIT" or "CC-BY-4.0" (or "LicenseRef-<name>" for a custom license).'}
  if (s !== expr) return {message: `the license "${expr}" has leading or trailing spaces`, fix: `Write "${s}".`}
  if (s.length > MAX_LICENSE_LENGTH) return {message: `the license expression is ${s.length} characters long`, fix: `Keep it within ${MAX_LICENSE_LENGTH} characters (the registry's limit).`}
  const whole = COMMON_MISTAKES[s.toLowerCase()]
  if (whole) return {message: `"${s}" is not an SPDX license id`, fix: `Did you mean "${whole}"? See https://spdx.org/licenses/ for ids.`}
  const tokens = tokenize(s)
  let i = 0
  let problem: LicenseProblem | undefined
  const fail = (p: LicenseProblem): never => {
    problem = p
    throw problem
  }
  const peek = () => tokens[i]
  const isOp = (t: Token | undefined, op: string) => t?.kind === 'word' && t.text === op
  const atom = (): void => {
    const t = tokens[i++]
    if (!t) return fail({message: `the license expression "${s}" ends too early`, fix: 'Complete it with a license id after the last operator.'})
    if (t.kind === '(') {
      orExpr()
      if (tokens[i++]?.kind !== ')') fail({message: `the license expression "${s}" has an unclosed "("`, fix: 'Close every parenthesis.'})
      return
    }
    if (t.kind === ')') return fail({message: `the license expression "${s}" has an unexpected ")"`, fix: 'Remove it, or put a license id before it.'})
    checkId(t.text, s, fail)
  }
  const withExpr = (): void => {
    atom()
    if (isOp(peek(), 'WITH')) {
      i++
      const t = tokens[i++]
      if (!t || t.kind !== 'word') return fail({message: `"WITH" in "${s}" must be followed by a license exception id`, fix: `Known exceptions: ${SPDX_EXCEPTION_IDS.slice(0, 4).join(', ')}, …`})
      if (!EXCEPTIONS.has(t.text)) {
        const canon = EXCEPTIONS_LOWER.get(t.text.toLowerCase())
        fail({message: `"${t.text}" is not a known SPDX license exception`, fix: canon ? `Write it as "${canon}".` : `Use one of: ${SPDX_EXCEPTION_IDS.join(', ')}.`})
      }
    }
  }
  const andExpr = (): void => {
    withExpr()
    while (isOp(peek(), 'AND')) {
      i++
      withExpr()
    }
  }
  const orExpr = (): void => {
    andExpr()
    while (isOp(peek(), 'OR')) {
      i++
      andExpr()
    }
  }
  try {
    orExpr()
    if (i < tokens.length) {
      const t = tokens[i]!
      const text = t.kind === 'word' ? t.text : t.kind
      const lower = text.toLowerCase()
      if (lower === 'and' || lower === 'or' || lower === 'with') fail({message: `the operator "${text}" in "${s}" must be upper case`, fix: `Write "${text.toUpperCase()}".`})
      fail({message: `unexpected "${text}" in the license expression "${s}"`, fix: 'Join license ids with AND / OR, e.g. "MIT OR Apache-2.0".'})
    }
  } catch (e) {
    if (e === problem) return problem
    throw e
  }
  return undefined
}

function checkId(word: string, expr: string, fail: (p: LicenseProblem) => never): void {
  if (word === 'AND' || word === 'OR' || word === 'WITH') fail({message: `the license expression "${expr}" has "${word}" where a license id should be`, fix: 'Put a license id on both sides of AND / OR.'})
  if (word.startsWith('LicenseRef-')) {
    if (!LICENSE_REF_RE.test(word)) fail({message: `"${word}" is not a valid LicenseRef`, fix: 'After "LicenseRef-" use only letters, digits, "." and "-".'})
    return
  }
  if (DEPRECATED[word]) fail({message: `"${word}" is a deprecated SPDX id`, fix: `Write "${DEPRECATED[word]}".`})
  const id = word.endsWith('+') ? word.slice(0, -1) : word
  if (IDS.has(id)) return
  const canon = IDS_LOWER.get(id.toLowerCase())
  if (canon) fail({message: `"${word}" is not written in the SPDX id's case`, fix: `Write "${canon}${word.endsWith('+') ? '+' : ''}".`})
  const mistake = COMMON_MISTAKES[id.toLowerCase()]
  const near = mistake ?? nearest(id)
  fail({
    message: `"${word}" is not a known SPDX license id`,
    fix: `${near ? `Did you mean "${near}"? ` : ''}Use an id from https://spdx.org/licenses/ (zg knows the ${SPDX_LICENSE_IDS.length} most common), or "LicenseRef-${id.replace(/[^A-Za-z0-9.-]/g, '-')}" for a custom license.`,
  })
}

/** The known id closest to `word` (case-insensitive edit distance), if it is close enough to be a likely typo. */
export function nearest(word: string): string | undefined {
  const w = word.toLowerCase()
  let best: string | undefined
  let bestD = Infinity
  let bestPrefix = -1
  for (const id of SPDX_LICENSE_IDS) {
    const l = id.toLowerCase()
    const d = editDistance(w, l)
    // Ties go to the id sharing the longest prefix ("Apache-2.1" → "Apache-2.0", not "Apache-1.1").
    let prefix = 0
    while (prefix < w.length && w[prefix] === l[prefix]) prefix++
    if (d < bestD || (d === bestD && prefix > bestPrefix)) {
      bestD = d
      best = id
      bestPrefix = prefix
    }
  }
  return bestD <= Math.max(1, Math.floor(w.length / 4)) ? best : undefined
}

export function editDistance(a: string, b: string): number {
  const prev = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!
    prev[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1))
      diag = tmp
    }
  }
  return prev[b.length]!
}
