/**
 * Just enough of HCL's native syntax to read the blocks and literal attributes
 * of a Terraform file: comments (`#`, `//`, `/* *\/`) are ignored, strings and
 * templates (`"${…}"`, nested strings and braces), heredocs, single-line blocks
 * and multi-line expressions are skipped as such, so a `backend "s3"` inside a
 * comment, a string or a heredoc is never taken for a real one. An attribute's
 * value is kept only when it is a literal (a string without interpolation, a
 * number, true or false): Terraform requires literals in a backend block anyway.
 * Pure, tested table-driven. (Terraform's `-json` outputs do not carry the
 * backend configuration, hence this reader.)
 */

export type Literal = string | number | boolean

export interface HclBlock {
  type: string
  labels: string[]
  /** Literal attributes; a non-literal one is listed in `expressions`. */
  attributes: Record<string, Literal>
  expressions: string[]
  blocks: HclBlock[]
  /** 1-based line of the block's type keyword. */
  line: number
}

interface Token {
  kind: 'ident' | 'string' | 'number' | 'punct' | 'newline' | 'heredoc'
  text: string
  /** For strings: the decoded value, or undefined when it has interpolation. */
  value?: string
  line: number
}

const ESCAPES: Record<string, string> = {n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\'}

/** Splits HCL text into tokens; comments vanish (a line comment leaves its newline). */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  let line = 1
  const push = (kind: Token['kind'], tokenText: string, value?: string) =>
    tokens.push({kind, text: tokenText, line, ...(value === undefined ? {} : {value})})
  while (i < text.length) {
    const c = text[i]!
    if (c === '\n') {
      push('newline', '\n')
      line++
      i++
    } else if (c === ' ' || c === '\t' || c === '\r') i++
    else if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') i++
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2)
      const stop = end < 0 ? text.length : end + 2
      for (let j = i; j < stop; j++) if (text[j] === '\n') line++
      i = stop
    } else if (c === '"') {
      const start = line
      const read = readString(text, i)
      for (let j = i; j < read.end; j++) if (text[j] === '\n') line++
      tokens.push({
        kind: 'string',
        text: text.slice(i, read.end),
        line: start,
        ...(read.value === undefined ? {} : {value: read.value}),
      })
      i = read.end
    } else if (
      c === '<' &&
      text[i + 1] === '<' &&
      /^<<-?[A-Za-z_][A-Za-z0-9_-]*[ \t]*\r?\n/.test(text.slice(i, i + 200))
    ) {
      const match = /^<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/.exec(text.slice(i))!
      const marker = match[1]!
      let j = i + match[0].length
      const start = line
      line++
      // The heredoc ends at a line holding only its marker (indented for <<-).
      for (;;) {
        const eol = text.indexOf('\n', j)
        const content = text.slice(j, eol < 0 ? text.length : eol)
        if (content.trim() === marker || eol < 0) {
          j = eol < 0 ? text.length : eol
          break
        }
        j = eol + 1
        line++
      }
      tokens.push({kind: 'heredoc', text: text.slice(i, j), line: start})
      i = j
    } else if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(i, i + 256))!
      push('ident', match[0])
      i += match[0].length
    } else if (/[0-9]/.test(c)) {
      const match = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 64))!
      push('number', match[0])
      i += match[0].length
    } else {
      // == and != are one token, so `a == b` is never read as an assignment.
      const two = text.slice(i, i + 2)
      const op = ['==', '!=', '<=', '>=', '&&', '||', '=>'].includes(two) ? two : c
      push('punct', op)
      i += op.length
    }
  }
  return tokens
}

/** A quoted string from `start` (its opening quote): where it ends and, without interpolation, its value. */
function readString(text: string, start: number): {end: number; value?: string} {
  let i = start + 1
  let value = ''
  let literal = true
  while (i < text.length) {
    const c = text[i]!
    if (c === '"') return {end: i + 1, ...(literal ? {value} : {})}
    if (c === '\n') return {end: i, ...(literal ? {value} : {})}
    if (c === '\\') {
      const next = text[i + 1] ?? ''
      if (next === 'u' || next === 'U') {
        const len = next === 'u' ? 4 : 8
        const hex = text.slice(i + 2, i + 2 + len)
        value += /^[0-9a-fA-F]+$/.test(hex) ? String.fromCodePoint(parseInt(hex, 16)) : ''
        i += 2 + len
      } else {
        value += ESCAPES[next] ?? next
        i += 2
      }
    } else if ((c === '$' || c === '%') && text[i + 1] === c && text[i + 2] === '{') {
      // $${ and %%{ are a literal ${ and %{.
      value += `${c}{`
      i += 3
    } else if ((c === '$' || c === '%') && text[i + 1] === '{') {
      literal = false
      i = skipTemplate(text, i + 2)
    } else {
      value += c
      i++
    }
  }
  return {end: i, ...(literal ? {value} : {})}
}

/** Past the `}` that closes a template interpolation (nested braces and strings inside). */
function skipTemplate(text: string, from: number): number {
  let depth = 1
  let i = from
  while (i < text.length && depth > 0) {
    const c = text[i]!
    if (c === '"') i = readString(text, i).end
    else {
      if (c === '{') depth++
      else if (c === '}') depth--
      i++
    }
  }
  return i
}

/** Parses a file's body into its top-level blocks (attributes at top level are ignored). */
export function parseHcl(text: string): HclBlock[] {
  const tokens = tokenize(text)
  const root: HclBlock = {type: '', labels: [], attributes: {}, expressions: [], blocks: [], line: 0}
  parseBody(tokens, 0, root, false)
  return root.blocks
}

function parseBody(tokens: Token[], from: number, into: HclBlock, nested: boolean): number {
  let i = from
  while (i < tokens.length) {
    const token = tokens[i]!
    if (token.kind === 'newline') {
      i++
      continue
    }
    if (token.kind === 'punct' && token.text === '}') {
      if (nested) return i + 1
      i++
      continue
    }
    if (token.kind !== 'ident') {
      i = skipExpression(tokens, i + 1)
      continue
    }
    const next = tokens[i + 1]
    if (next?.kind === 'punct' && next.text === '=') {
      const end = skipExpression(tokens, i + 2)
      const value = tokens.slice(i + 2, end).filter((t) => t.kind !== 'newline')
      const literal = value.length === 1 ? literalOf(value[0]!) : undefined
      if (literal === undefined) into.expressions.push(token.text)
      else into.attributes[token.text] = literal
      i = end
      continue
    }
    // A block: type, labels (strings or identifiers), then `{`.
    const block: HclBlock = {
      type: token.text,
      labels: [],
      attributes: {},
      expressions: [],
      blocks: [],
      line: token.line,
    }
    let j = i + 1
    while (tokens[j] && (tokens[j]!.kind === 'string' || tokens[j]!.kind === 'ident')) {
      const label = tokens[j]!
      block.labels.push(label.kind === 'string' ? (label.value ?? label.text) : label.text)
      j++
    }
    if (tokens[j]?.kind === 'punct' && tokens[j]!.text === '{') {
      i = parseBody(tokens, j + 1, block, true)
      into.blocks.push(block)
    } else i = skipExpression(tokens, j)
  }
  return i
}

/** The index after an expression: its end of line at bracket depth 0, or a closing `}` of the enclosing body. */
function skipExpression(tokens: Token[], from: number): number {
  let depth = 0
  let i = from
  while (i < tokens.length) {
    const t = tokens[i]!
    if (t.kind === 'newline' && depth === 0) return i
    if (t.kind === 'punct') {
      if (t.text === '{' || t.text === '[' || t.text === '(') depth++
      else if (t.text === '}' || t.text === ']' || t.text === ')') {
        if (depth === 0) return i
        depth--
      }
    }
    i++
  }
  return i
}

function literalOf(token: Token): Literal | undefined {
  if (token.kind === 'string') return token.value
  if (token.kind === 'number') return Number(token.text)
  if (token.kind === 'ident' && (token.text === 'true' || token.text === 'false')) return token.text === 'true'
  return undefined
}
