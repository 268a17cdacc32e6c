/**
 * The human view of a status result: verdict first, counts per kind, then only
 * what needs attention (everything with --all), fitted to the terminal width.
 * Pure: strings in, strings out.
 */
import {renderTable, truncate} from '../ui/table.ts'
import {type ObjectHealth, HEALTH_STATES, age, needsAttention} from './health.ts'
import type {ReconcilePlan} from './plan.ts'
import type {StatusResult} from './service.ts'

export interface RenderOptions {
  all?: boolean
  ignoreSuspended?: boolean
  /** Terminal width; Infinity when not a terminal. */
  width?: number
  now?: number
}

export function describeObject(o: Pick<ObjectHealth, 'kind' | 'namespace' | 'name'>): string {
  return `${o.kind}/${o.namespace ? `${o.namespace}/` : ''}${o.name}`
}

export function explain(o: ObjectHealth): string {
  const text =
    o.reason && !o.message.toLowerCase().startsWith(o.reason.toLowerCase()) ? `${o.reason}: ${o.message}` : o.message
  if (!o.cause) return text
  return `root cause: ${describeObject(o.cause)} ${o.cause.health} (${o.cause.reason}); ${o.message}`
}

export function renderStatus(result: StatusResult, options: RenderOptions = {}): string {
  const width = options.width ?? Number.POSITIVE_INFINITY
  const lines: string[] = [result.summary]
  lines.push(truncate(`context ${result.context} (${result.server})`, width))
  lines.push(...renderControllers(result, width))
  lines.push('')

  const kinds = Object.entries(result.counts.byKind).sort(([a], [b]) => a.localeCompare(b))
  if (kinds.length > 0) {
    lines.push(
      renderTable(
        ['KIND', 'TOTAL', 'STATES'],
        kinds.map(([kind, c]) => [
          kind,
          String(c.total),
          HEALTH_STATES.filter((h) => (c[h] ?? 0) > 0)
            .map((h) => `${c[h]} ${h}`)
            .join(', '),
        ]),
        width,
      ),
    )
  }

  const shown = options.all
    ? result.objects
    : result.objects.filter((o) => needsAttention(o, {ignoreSuspended: options.ignoreSuspended}))
  if (shown.length > 0) {
    lines.push('', options.all ? 'OBJECTS' : 'NEEDS ATTENTION')
    const rows = shown.map((o) => ({
      object: describeObject(o),
      health: o.health,
      age: age(o.since, options.now),
      revision: shortRevision(o.revision),
      message: explain(o),
    }))
    // On a narrow terminal the revision column goes first, so the message keeps some room.
    const fixed = (cols: Array<keyof (typeof rows)[number]>) =>
      cols.reduce((sum, c) => sum + Math.max(c.length, ...rows.map((r) => r[c].length)) + 2, 0)
    const withRevision = fixed(['object', 'health', 'age', 'revision']) + 40 <= width
    const cols: Array<keyof (typeof rows)[number]> = withRevision
      ? ['object', 'health', 'age', 'revision', 'message']
      : ['object', 'health', 'age', 'message']
    lines.push(
      renderTable(
        cols.map((c) => c.toUpperCase()),
        rows.map((r) => cols.map((c) => r[c])),
        width,
      ),
    )
  }
  if (result.workloads && result.workloads.length > 0) {
    lines.push('', 'WORKLOADS NOT READY (--deep)')
    lines.push(
      renderTable(
        ['KUSTOMIZATION', 'WORKLOAD', 'HEALTH', 'MESSAGE'],
        result.workloads.map((w) => [w.kustomization, `${w.kind}/${w.namespace}/${w.name}`, w.health, w.message]),
        width,
      ),
    )
  }
  // Whatever the columns, no line is wider than the terminal.
  return lines
    .join('\n')
    .split('\n')
    .map((line) => truncate(line, width))
    .join('\n')
}

function renderControllers(result: StatusResult, width: number): string[] {
  if (result.controllers.length === 0) return ['controllers: none found in flux-system']
  const down = result.controllers.filter((c) => !c.ready)
  const versions = result.controllers.map((c) => `${c.name} ${c.version ?? '?'}`).join(', ')
  const head =
    down.length === 0
      ? `controllers: ${result.controllers.length} available`
      : `controllers: ${down.length} NOT available`
  const lines = [truncate(`${head} (${versions})`, width)]
  for (const c of down) lines.push(truncate(`  ${c.name}: ${c.message}`, width))
  return lines
}

/** `main@sha1:4f3c2b1a0e9d…` -> `main@sha1:4f3c2b1a`; digests likewise. */
export function shortRevision(revision: string | null): string {
  if (!revision) return '-'
  return revision.replace(/(sha1|sha256):([0-9a-f]{8})[0-9a-f]+/, '$1:$2')
}

/** One line for progress while waiting: the verdict and the first objects still not ready. */
export function progressLine(result: StatusResult, elapsedMs: number, width = Number.POSITIVE_INFINITY): string {
  const seconds = Math.round(elapsedMs / 1000)
  const pending = result.objects.filter((o) => o.health !== 'ready' && o.health !== 'suspended').map(describeObject)
  const more = pending.length > 3 ? ` +${pending.length - 3}` : ''
  const detail = pending.length > 0 ? ` — waiting for ${pending.slice(0, 3).join(', ')}${more}` : ''
  return truncate(`[${seconds}s] ${result.summary}${detail}`, width)
}

export function renderPlan(plan: ReconcilePlan, width = Number.POSITIVE_INFINITY): string {
  const lines: string[] = []
  if (plan.targets.length > 0) {
    lines.push(`Will request reconciliation (reconcile.fluxcd.io/requestedAt), in this order:`)
    lines.push(
      renderTable(
        ['#', 'OBJECT', 'WHY'],
        plan.targets.map((t, i) => [String(i + 1), describeObject(t), t.why]),
        width,
      ),
    )
  }
  for (const r of plan.refused) lines.push(truncate(`refused: ${describeObject(r)} is ${r.hint}`, width))
  return lines.join('\n')
}
