/**
 * The human view of a status result: verdict first, counts per kind, then only
 * what needs attention (everything with --all), fitted to the terminal width.
 * Pure: strings in, strings out.
 *
 * Narrow terminals: no line is wider than the terminal, and nothing that matters is cut.
 * The verdict and the other header lines wrap; an attention row keeps its object, health
 * and the start of its message: the message wraps under its column (at most
 * MESSAGE_LINES lines, the last ending in `…` when there is more), and when even the
 * object column leaves too little room (long names, 60 columns), each row is stacked: the
 * object on its own line, then an indented line with health, age and message. Off a
 * terminal (width Infinity, CI logs) every row is one whole line.
 *
 * (About 360 lines: every section of the view shares the width fitting above; split, each
 * would import it and the layout of the others.)
 */
import {truncate} from '../ui/table.ts'
import {type ObjectHealth, HEALTH_STATES} from './health.ts'
import {age, needsAttention} from './verdict.ts'
import type {ReconcilePlan} from './plan.ts'
import type {StatusResult} from './judge.ts'

export interface RenderOptions {
  all?: boolean
  ignoreSuspended?: boolean
  /** Terminal width; Infinity when not a terminal. */
  width?: number
  now?: number
}

/** The most lines a message gets on a terminal (the whole message is in --json and off a terminal). */
export const MESSAGE_LINES = 3
/** The narrowest message column a table keeps before rows are stacked. */
const MIN_MESSAGE = 24
/** The message column a table must keep to afford the REVISION column. */
const MESSAGE_WITH_REVISION = 40
const INDENT = '    '

export function describeObject(o: Pick<ObjectHealth, 'kind' | 'namespace' | 'name'>): string {
  return `${o.kind}/${o.namespace ? `${o.namespace}/` : ''}${o.name}`
}

export function explain(o: Pick<ObjectHealth, 'reason' | 'message' | 'retrying' | 'cause'>): string {
  const reason = o.retrying ? `${o.reason} (retrying)` : o.reason
  const text =
    o.reason && !o.message.toLowerCase().startsWith(o.reason.toLowerCase()) ? `${reason}: ${o.message}` : o.message
  if (!o.cause) return text
  return `root cause: ${describeObject(o.cause)} ${o.cause.health} (${o.cause.reason}); ${o.message}`
}

/**
 * Greedy wrap of tokens joined by single spaces: the first line gets `width`, the next ones
 * `indent` then the rest. A token longer than a line is split. Unlimited width: one line.
 */
export function wrapTokens(tokens: string[], width: number, indent = ''): string[] {
  const text = tokens.join(' ')
  if (!Number.isFinite(width) || text.length <= width) return [text]
  const lines: string[] = []
  let line = ''
  const room = () => width - (lines.length === 0 ? 0 : indent.length)
  const flush = () => {
    lines.push((lines.length === 0 ? '' : indent) + line)
    line = ''
  }
  for (let token of tokens) {
    if (line && line.length + 1 + token.length > room()) flush()
    while (token.length > room() - (line ? line.length + 1 : 0) && room() > 0) {
      // A token wider than what is left: fill this line with a piece of it.
      const take = Math.max(1, room() - (line ? line.length + 1 : 0))
      line = line ? `${line} ${token.slice(0, take)}` : token.slice(0, take)
      token = token.slice(take)
      flush()
    }
    if (token) line = line ? `${line} ${token}` : token
  }
  if (line) flush()
  return lines
}

/** Wrap prose (split on spaces). */
export function wrapText(text: string, width: number, indent = ''): string[] {
  return wrapTokens(text.split(' ').filter(Boolean), width, indent)
}

/** At most `max` lines; the last one ends in `…` when some were left out. */
function limitLines(lines: string[], max: number, width: number): string[] {
  if (lines.length <= max) return lines
  const kept = lines.slice(0, max)
  const last = kept[max - 1] as string
  kept[max - 1] = last.length + 1 <= width ? `${last}…` : `${last.slice(0, Math.max(0, width - 1))}…`
  return kept
}

export interface Column {
  header: string
  values: string[]
  /** Dropped first when the terminal is narrow (e.g. REVISION). */
  optional?: boolean
}

/**
 * A plain aligned table whose last column wraps (at most `maxLastLines` lines each), or,
 * when the other columns leave it less than `minLast` characters, stacked rows: the first
 * column on its own line(s), then the other values and the last column on indented lines.
 */
export function fitTable(
  columns: Column[],
  width: number,
  options: {minLast?: number; maxLastLines?: number} = {},
): string[] {
  const minLast = options.minLast ?? MIN_MESSAGE
  const maxLastLines = options.maxLastLines ?? Number.POSITIVE_INFINITY
  const rows = columns[0]?.values.length ?? 0
  const widthOf = (c: Column) => Math.max(c.header.length, ...c.values.map((v) => v.length))
  const fixedOf = (cols: Column[]) => cols.slice(0, -1).reduce((sum, c) => sum + widthOf(c) + 2, 0)
  const required = columns.filter((c) => !c.optional)
  // With its optional columns when the last one keeps room enough, else without them.
  const layouts =
    required.length < columns.length
      ? [
          {cols: columns, last: Math.max(minLast, MESSAGE_WITH_REVISION)},
          {cols: required, last: minLast},
        ]
      : [{cols: columns, last: minLast}]
  const chosen = Number.isFinite(width)
    ? layouts.find((l) => fixedOf(l.cols) + l.last <= width)
    : {cols: columns, last: 0}
  if (chosen) {
    const cols = chosen.cols
    const widths = cols.map(widthOf)
    const fixed = fixedOf(cols)
    const lastWidth = Number.isFinite(width) ? width - fixed : Number.POSITIVE_INFINITY
    const line = (cells: string[]) =>
      cells
        .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd()
    const out = [line(cols.map((c) => c.header))]
    for (let r = 0; r < rows; r++) {
      const cells = cols.map((c) => c.values[r] ?? '')
      const last = limitLines(wrapText(cells.at(-1) ?? '', lastWidth), maxLastLines, lastWidth)
      out.push(line([...cells.slice(0, -1), last[0] ?? '']))
      for (const more of last.slice(1)) out.push(' '.repeat(fixed) + more)
    }
    return out
  }
  // Stacked: too narrow for a table.
  const out: string[] = []
  for (let r = 0; r < rows; r++) {
    const [own, ...rest] = required.map((c) => c.values[r] ?? '')
    out.push(...wrapTokens([own ?? ''], width, INDENT))
    const words = (rest.pop() ?? '').split(' ').filter(Boolean)
    // The other values stay together, two spaces apart, before the first word of the last column.
    const head = rest.filter(Boolean).join('  ')
    const lead = [head, words.shift()].filter((x) => x !== undefined && x !== '').join('  ')
    const body = wrapTokens([lead, ...words], width - INDENT.length, '')
    out.push(...limitLines(body, maxLastLines, width - INDENT.length).map((l) => INDENT + l))
  }
  return out
}

/**
 * The verdict line, never cut: wrapped between its parts (`unhealthy: 2 failed,` / `  1 stale, …`);
 * a part wider than a wrapped line (a named dependency) is wrapped between its words.
 */
export function renderVerdict(summary: string, width = Number.POSITIVE_INFINITY): string[] {
  const indent = '  '
  const tokens = summary
    .split(/(?<=,) /)
    .flatMap((part) => (part.length > width - indent.length ? part.split(' ') : [part]))
  return wrapTokens(tokens, width, indent)
}

/** A line of prose for the terminal (a note on stderr): wrapped between words, the rest indented. */
export function fitText(text: string, width = Number.POSITIVE_INFINITY): string {
  return wrapText(text, width, '  ').join('\n')
}

export function renderStatus(result: StatusResult, options: RenderOptions = {}): string {
  const width = options.width ?? Number.POSITIVE_INFINITY
  const lines: string[] = renderVerdict(result.summary, width)
  lines.push(...wrapText(`context ${result.context} (${result.server})`, width, '  '))
  lines.push(...renderControllers(result, width))
  lines.push('')

  const kinds = Object.entries(result.counts.byKind).sort(([a], [b]) => a.localeCompare(b))
  if (kinds.length > 0) {
    lines.push(
      ...fitTable(
        [
          {header: 'KIND', values: kinds.map(([kind]) => kind)},
          {header: 'TOTAL', values: kinds.map(([, c]) => String(c.total))},
          {
            header: 'STATES',
            values: kinds.map(([, c]) =>
              HEALTH_STATES.filter((h) => (c[h] ?? 0) > 0)
                .map((h) => `${c[h]} ${h}`)
                .join(', '),
            ),
          },
        ],
        width,
        {minLast: 16},
      ),
    )
  }

  const shown = options.all
    ? result.objects
    : result.objects.filter((o) => needsAttention(o, {ignoreSuspended: options.ignoreSuspended}))
  if (shown.length > 0) {
    lines.push('', options.all ? 'OBJECTS' : 'NEEDS ATTENTION')
    lines.push(
      ...fitTable(
        [
          {header: 'OBJECT', values: shown.map(describeObject)},
          {header: 'HEALTH', values: shown.map((o) => o.health)},
          {header: 'AGE', values: shown.map((o) => age(o.since, options.now))},
          {header: 'REVISION', values: shown.map((o) => shortRevision(o.revision)), optional: true},
          {header: 'MESSAGE', values: shown.map(explain)},
        ],
        width,
        {maxLastLines: MESSAGE_LINES},
      ),
    )
  }
  const dependencies = result.dependencies ?? []
  if (dependencies.length > 0) {
    // What the selection is built from or waits on, not listed itself: why a ready selection is unhealthy.
    lines.push('', 'DEPENDENCIES NOT READY (outside the selection)')
    lines.push(
      ...fitTable(
        [
          {header: 'OBJECT', values: dependencies.map(describeObject)},
          {header: 'HEALTH', values: dependencies.map((d) => d.health)},
          {header: 'AGE', values: dependencies.map((d) => age(d.since, options.now))},
          {header: 'MESSAGE', values: dependencies.map(explain)},
        ],
        width,
        {maxLastLines: MESSAGE_LINES},
      ),
    )
  }
  if (result.workloads && result.workloads.length > 0) {
    lines.push('', 'WORKLOADS NOT READY (--deep)')
    const w = result.workloads
    lines.push(
      ...fitTable(
        [
          {header: 'KUSTOMIZATION', values: w.map((x) => x.kustomization)},
          {header: 'WORKLOAD', values: w.map((x) => `${x.kind}/${x.namespace}/${x.name}`)},
          {header: 'HEALTH', values: w.map((x) => x.health)},
          {header: 'MESSAGE', values: w.map((x) => x.message)},
        ],
        width,
        {maxLastLines: MESSAGE_LINES},
      ),
    )
  }
  return lines.join('\n')
}

function renderControllers(result: StatusResult, width: number): string[] {
  const ns = result.fluxNamespace
  const found = result.controllers.filter((c) => !c.missing)
  if (found.length === 0) {
    return wrapText(
      `controllers: none found in ${ns} (Flux runs elsewhere? pass --flux-namespace)`,
      width,
      '  ',
    ).concat(result.controllers.flatMap((c) => wrapText(`  ${c.name}: ${c.message}`, width, INDENT)))
  }
  const down = found.filter((c) => !c.ready)
  const missing = result.controllers.filter((c) => c.missing)
  const versions = found.map((c) => `${c.name} ${c.version ?? '?'}`).join(', ')
  const problems = [
    ...(down.length > 0 ? [`${down.length} NOT available`] : []),
    ...(missing.length > 0 ? [`${missing.length} missing`] : []),
  ]
  const head = `controllers: ${found.length - down.length} available${problems.length > 0 ? `, ${problems.join(', ')}` : ''}`
  const lines = wrapText(`${head} (${versions})`, width, '  ')
  for (const c of [...missing, ...down]) lines.push(...wrapText(`  ${c.name}: ${c.message}`, width, INDENT))
  return lines
}

/**
 * `main@sha1:4f3c2b1a0e9d…` -> `main@sha1:4f3c2b1a`; digests likewise. The legacy forms older
 * controllers wrote (revision.ts) too: `main/4f3c2b1a0e9d…` -> `main/4f3c2b1a`, a bare
 * 64-character checksum -> its first 8. Chart versions are left as they are.
 */
export function shortRevision(revision: string | null): string {
  if (!revision) return '-'
  return revision
    .replace(/(sha1|sha256):([0-9a-f]{8})[0-9a-f]+/, '$1:$2')
    .replace(/(^|\/)([0-9a-f]{8})(?:[0-9a-f]{32}|[0-9a-f]{56})$/, '$1$2')
}

/**
 * What `--wait` gives up on, counted as the verdict counts it: the objects that need attention
 * (suspended ones unless ignored), and under `--deep` the workloads not ready (every one in a
 * judged Kustomization's inventory that is failing, progressing or not found), the
 * dependencies of the selection that need attention, and the Flux controllers down or
 * missing. E.g. `12 object(s) and 3 workload(s) still not ready`. A selection that matched
 * nothing says so: `nothing matched -l app=new`.
 */
export function stillNotReady(
  result: Pick<StatusResult, 'objects' | 'workloads' | 'controllers' | 'dependencies' | 'selection'>,
  options: {ignoreSuspended?: boolean} = {},
): string {
  const objects = result.objects.filter((o) => needsAttention(o, options)).length
  const workloads = result.workloads?.length ?? 0
  const dependencies = result.dependencies?.length ?? 0
  const controllers = result.controllers.filter((c) => c.missing || !c.ready).length
  const down = `${controllers} Flux controller(s)`
  if (result.objects.length === 0 && result.selection !== undefined) {
    return `nothing matched ${result.selection}${controllers > 0 ? `, and ${down} still not ready` : ''}`
  }
  const parts = [
    `${objects} object(s)`,
    ...(result.workloads !== undefined ? [`${workloads} workload(s)`] : []),
    ...(dependencies > 0 ? [`${dependencies} ${dependencies === 1 ? 'dependency' : 'dependencies'}`] : []),
    ...(controllers > 0 ? [down] : []),
  ]
  const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts[0]
  return `${list} still not ready`
}

/** One line for progress while waiting: the verdict and the first objects still not ready. */
export function progressLine(result: StatusResult, elapsedMs: number, width = Number.POSITIVE_INFINITY): string {
  const seconds = Math.round(elapsedMs / 1000)
  const pending = [...result.objects, ...(result.dependencies ?? [])]
    .filter((o) => o.health !== 'ready' && o.health !== 'suspended')
    .map(describeObject)
  const more = pending.length > 3 ? ` +${pending.length - 3}` : ''
  const detail = pending.length > 0 ? ` — waiting for ${pending.slice(0, 3).join(', ')}${more}` : ''
  return truncate(`[${seconds}s] ${result.summary}${detail}`, width)
}

export function renderPlan(plan: ReconcilePlan, width = Number.POSITIVE_INFINITY): string {
  const lines: string[] = []
  if (plan.targets.length > 0) {
    lines.push(
      ...wrapText('Will request reconciliation (reconcile.fluxcd.io/requestedAt), in this order:', width, '  '),
    )
    lines.push(
      ...fitTable(
        [
          {header: '#', values: plan.targets.map((_, i) => String(i + 1))},
          {header: 'OBJECT', values: plan.targets.map(describeObject)},
          {header: 'WHY', values: plan.targets.map((t) => t.why)},
        ],
        width,
        {minLast: 12},
      ),
    )
  }
  for (const r of plan.refused) lines.push(...wrapText(`refused: ${describeObject(r)} is ${r.hint}`, width, '  '))
  return lines.join('\n')
}
