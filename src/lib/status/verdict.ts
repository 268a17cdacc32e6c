/**
 * Counts, the verdict line and the display order of assessed objects. Pure.
 */
import {type Health, type ObjectHealth, HEALTH_STATES} from './health.ts'

export interface Counts {
  total: number
  byHealth: Record<Health, number>
  byKind: Record<string, {total: number} & Partial<Record<Health, number>>>
}

export function emptyByHealth(): Record<Health, number> {
  return Object.fromEntries(HEALTH_STATES.map((h) => [h, 0])) as Record<Health, number>
}

export function countObjects(results: Array<Pick<ObjectHealth, 'kind' | 'health'>>): Counts {
  const counts: Counts = {total: 0, byHealth: emptyByHealth(), byKind: {}}
  for (const r of results) {
    counts.total++
    counts.byHealth[r.health]++
    const kind = (counts.byKind[r.kind] ??= {total: 0})
    kind.total++
    kind[r.health] = (kind[r.health] ?? 0) + 1
  }
  // Kinds by name: the lists answer in any order, and --json must not change with it.
  counts.byKind = Object.fromEntries(Object.entries(counts.byKind).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  return counts
}

/** Workloads not ready under --deep, by what is wrong with them. */
export interface WorkloadCounts {
  failed?: number
  progressing?: number
  unknown?: number
}

export interface VerdictOptions {
  ignoreSuspended?: boolean
  /** Flux controllers whose Deployment exists but is not available (names). */
  controllersDown?: string[]
  /** Flux controllers that objects need but that have no Deployment (names). */
  controllersMissing?: string[]
  /** No Flux controller at all was found: the Flux namespace searched. */
  noControllersIn?: string
  /** Workloads not ready under --deep. */
  workloads?: WorkloadCounts
  /**
   * What the selection is built from or waits on, outside it (dependencies.ts): those that
   * need attention (as objects do: suspended ones unless ignoreSuspended) make it unhealthy,
   * and are named. Empty without a filter (every object is listed).
   */
  dependencies?: ReadonlyArray<Pick<ObjectHealth, 'kind' | 'namespace' | 'name' | 'health'>>
  /**
   * The filter as given (`-n apps -l team=a`), when there is one: a selection that matches
   * nothing is not healthy (`nothing matched -l team=a`), as `kubectl wait` fails with "no
   * matching resources found". Without a filter, no objects is `no Flux objects`.
   */
  selection?: string
}

/** Does this object keep the cluster from being healthy? */
export function needsAttention(result: Pick<ObjectHealth, 'health'>, options: VerdictOptions = {}): boolean {
  if (result.health === 'ready') return false
  if (result.health === 'suspended') return !options.ignoreSuspended
  return true
}

export interface Verdict {
  healthy: boolean
  /** The one line shown first, e.g. `unhealthy: 2 failed, 1 suspended, 41 ready`. */
  line: string
}

const WORKLOAD_WORDS: Array<[keyof WorkloadCounts, string]> = [
  ['failed', 'failing'],
  ['progressing', 'progressing'],
  ['unknown', 'unknown'],
]

/**
 * The verdict line: controllers first (none at all, missing by name, then down), then the
 * workloads --deep found not ready (by state), then the objects by health, worst first, then
 * the dependencies of the selection that need attention, by health, worst first, each named
 * (`1 dependency failed (GitRepository flux-system/flux-system)`); a selection that matched
 * nothing says so (`nothing matched -l team=a`, unhealthy), no objects without a filter is
 * `no Flux objects`.
 */
export function verdict(counts: Counts, options: VerdictOptions = {}): Verdict {
  const parts: string[] = []
  if (options.noControllersIn !== undefined) {
    parts.push(`no Flux controllers in ${options.noControllersIn}`)
  } else {
    for (const name of options.controllersMissing ?? []) parts.push(`${name} missing`)
  }
  const down = options.controllersDown ?? []
  if (down.length > 0) parts.push(`${down.length} controller${down.length === 1 ? '' : 's'} down`)
  let workloads = 0
  for (const [state, word] of WORKLOAD_WORDS) {
    const n = options.workloads?.[state] ?? 0
    workloads += n
    if (n > 0) parts.push(`${n} workload${n === 1 ? '' : 's'} ${word}`)
  }
  const controllersOk =
    options.noControllersIn === undefined && (options.controllersMissing ?? []).length === 0 && down.length === 0
  for (const health of HEALTH_STATES) {
    const n = counts.byHealth[health]
    if (n > 0) parts.push(`${n} ${health}${health === 'suspended' && options.ignoreSuspended ? ' (ignored)' : ''}`)
  }
  const attention = HEALTH_STATES.some((h) => counts.byHealth[h] > 0 && needsAttention({health: h}, options))
  const dependencies = (options.dependencies ?? []).filter((d) => needsAttention(d, options))
  for (const health of HEALTH_STATES) {
    const these = dependencies.filter((d) => d.health === health)
    if (these.length === 0) continue
    const named = these.slice(0, NAMED_DEPENDENCIES).map((d) => `${d.kind} ${d.namespace}/${d.name}`)
    if (these.length > NAMED_DEPENDENCIES) named.push(`+${these.length - NAMED_DEPENDENCIES} more`)
    parts.push(`${these.length} ${these.length === 1 ? 'dependency' : 'dependencies'} ${health} (${named.join(', ')})`)
  }
  const nothingMatched = counts.total === 0 && options.selection !== undefined
  const healthy = !attention && controllersOk && workloads === 0 && dependencies.length === 0 && !nothingMatched
  if (nothingMatched) parts.push(`nothing matched ${options.selection}`)
  else if (counts.total === 0) parts.push('no Flux objects')
  return {healthy, line: `${healthy ? 'healthy' : 'unhealthy'}: ${parts.join(', ')}`}
}

/** Dependencies named in the verdict line per health; the rest are counted (`+2 more`), all are in --json. */
export const NAMED_DEPENDENCIES = 3

/** Human age of a timestamp relative to now: 45s, 12m, 3h, 5d. */
export function age(since: string | null, now: number = Date.now()): string {
  if (!since) return '-'
  const then = Date.parse(since)
  if (Number.isNaN(then)) return '-'
  const s = Math.max(0, Math.round((now - then) / 1000))
  if (s < 120) return `${s}s`
  if (s < 7200) return `${Math.round(s / 60)}m`
  if (s < 172_800) return `${Math.round(s / 3600)}h`
  return `${Math.round(s / 86_400)}d`
}

/** Attention first (worst first), then by kind, namespace, name. */
export function sortForDisplay<T extends Pick<ObjectHealth, 'health' | 'kind' | 'namespace' | 'name'>>(
  items: T[],
): T[] {
  const rank = (h: Health) => HEALTH_STATES.indexOf(h)
  return [...items].sort(
    (a, b) =>
      rank(a.health) - rank(b.health) ||
      a.kind.localeCompare(b.kind) ||
      a.namespace.localeCompare(b.namespace) ||
      a.name.localeCompare(b.name),
  )
}
