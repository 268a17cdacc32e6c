/**
 * Flux readiness as Flux decides it (DESIGN.md §4), root causes, counts and the
 * verdict. Pure: objects in, assessments out; no I/O, tested table-driven.
 */

export const HEALTH_STATES = [
  'failed',
  'stale',
  'waiting',
  'progressing',
  'unknown',
  'suspended',
  'terminating',
  'ready',
] as const
export type Health = (typeof HEALTH_STATES)[number]

export interface Condition {
  type: string
  status: 'True' | 'False' | 'Unknown' | string
  reason?: string
  message?: string
  lastTransitionTime?: string
  observedGeneration?: number
}

export interface ObjectRef {
  kind?: string
  name: string
  namespace?: string
  apiVersion?: string
}

/** The parts of a Flux object the rules read (any served version). */
export interface FluxObject {
  apiVersion: string
  kind: string
  metadata: {
    name: string
    namespace?: string
    generation?: number
    creationTimestamp?: string
    deletionTimestamp?: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
    resourceVersion?: string
  }
  spec?: {
    suspend?: boolean
    sourceRef?: ObjectRef
    dependsOn?: ObjectRef[]
    chart?: {spec?: {sourceRef?: ObjectRef}}
    chartRef?: ObjectRef
    [key: string]: unknown
  }
  status?: {
    observedGeneration?: number
    conditions?: Condition[]
    artifact?: {revision?: string}
    lastAppliedRevision?: string
    lastAttemptedRevision?: string
    lastHandledReconcileAt?: string
    inventory?: {entries?: Array<{id: string; v?: string}>}
    history?: Array<{chartVersion?: string; chartName?: string; status?: string}>
    [key: string]: unknown
  }
}

export interface CauseRef {
  kind: string
  namespace: string
  name: string
  health: Health
  reason: string
}

/** One object's assessment: the `objects[]` entries of `piksel status --json`. */
export interface ObjectHealth {
  kind: string
  apiVersion: string
  namespace: string
  name: string
  health: Health
  reason: string
  message: string
  revision: string | null
  suspended: boolean
  /** When it entered this state (ISO 8601), as far as the status tells. */
  since: string | null
  /** The object that really needs attention, when this one only suffers from it. */
  cause?: CauseRef
}

export interface AssessOptions {
  /** The served version of this kind has a status subresource (from discovery). */
  hasStatus?: boolean
  /** `flux` noun for hints (`flux resume <noun> <name>`). */
  fluxNoun?: string
}

export function condition(obj: FluxObject, type: string): Condition | undefined {
  return obj.status?.conditions?.find((c) => c.type === type)
}

export function objectKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`
}

export function keyOf(obj: {
  kind: string
  namespace?: string
  name?: string
  metadata?: FluxObject['metadata']
}): string {
  const name = obj.metadata?.name ?? obj.name ?? ''
  const namespace = obj.metadata?.namespace ?? obj.namespace ?? ''
  return objectKey(obj.kind, namespace, name)
}

/** The revision an object is at: a source's artifact, a Kustomization's applied revision, a release's chart. */
export function revisionOf(obj: FluxObject): string | null {
  const s = obj.status
  if (!s) return null
  if (s.artifact?.revision) return s.artifact.revision
  if (s.lastAppliedRevision) return s.lastAppliedRevision
  const last = s.history?.[0]
  if (last?.chartVersion) return `${last.chartName ? `${last.chartName}@` : ''}${last.chartVersion}`
  if (typeof s.lastAttemptedRevision === 'string' && s.lastAttemptedRevision) return s.lastAttemptedRevision
  return null
}

/** Whether the controller has seen the current spec: status or the Ready condition observed this generation. */
export function generationObserved(obj: FluxObject): boolean {
  const generation = obj.metadata.generation
  if (generation === undefined) return true
  const top = obj.status?.observedGeneration
  const ready = condition(obj, 'Ready')?.observedGeneration
  // HelmRelease (and older objects) may carry neither: nothing to compare, so not stale on that account.
  if (top === undefined && ready === undefined) return true
  return top === generation || ready === generation
}

/** A routine re-reconcile: in progress, but Ready is still True (the last good state holds). */
export function isRoutineReconcile(obj: FluxObject): boolean {
  return condition(obj, 'Reconciling')?.status === 'True' && condition(obj, 'Ready')?.status === 'True'
}

/** Health of one object on its own (no cross-object rules). */
export function assessObject(obj: FluxObject, options: AssessOptions = {}): ObjectHealth {
  const hasStatus = options.hasStatus ?? true
  const ready = condition(obj, 'Ready')
  const base = {
    kind: obj.kind,
    apiVersion: obj.apiVersion,
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name,
    revision: revisionOf(obj),
    suspended: obj.spec?.suspend === true,
  }
  const state = (health: Health, reason: string, message: string, since?: string | null): ObjectHealth => ({
    ...base,
    health,
    reason,
    message: oneLine(message),
    since: since ?? ready?.lastTransitionTime ?? obj.metadata.creationTimestamp ?? null,
  })

  if (obj.metadata.deletionTimestamp) {
    return state('terminating', 'Terminating', 'being deleted (finalizers pending)', obj.metadata.deletionTimestamp)
  }
  if (base.suspended) {
    const noun = options.fluxNoun ?? obj.kind.toLowerCase()
    const ns = base.namespace ? ` -n ${base.namespace}` : ''
    return state('suspended', 'Suspended', `suspended: resume with \`flux resume ${noun} ${base.name}${ns}\``)
  }
  if (!hasStatus) {
    // Provider and Alert at notification.toolkit.fluxcd.io/v1beta3 have no status subresource:
    // they are valid once the API server has accepted them.
    return state('ready', 'Accepted', `no status at ${obj.apiVersion}: valid once accepted by the API server`)
  }
  if (!obj.status?.conditions || obj.status.conditions.length === 0) {
    return state('unknown', 'NotReconciled', 'never reconciled: no status yet (is its controller running?)', null)
  }

  const stalled = condition(obj, 'Stalled')
  if (stalled?.status === 'True') {
    // Ready=False usually says what failed; Stalled says why Flux stopped retrying.
    const why = ready?.status === 'False' && ready.message ? ready.message : undefined
    const message = [why, stalled.message].filter(Boolean).join('; ') || 'stalled'
    return state('failed', (why && ready?.reason) || stalled.reason || 'Stalled', message, stalled.lastTransitionTime)
  }
  if (ready?.status === 'False' && ready.reason === 'DependencyNotReady') {
    return state('waiting', 'DependencyNotReady', ready.message ?? 'a dependency is not ready')
  }
  const reconciling = condition(obj, 'Reconciling')
  if (reconciling?.status === 'True') {
    return state(
      'progressing',
      reconciling.reason ?? 'Progressing',
      reconciling.message ?? 'reconciliation in progress',
      reconciling.lastTransitionTime,
    )
  }
  if (!ready) {
    return state('unknown', 'NoReadyCondition', 'no Ready condition yet')
  }
  if (!generationObserved(obj)) {
    const observed = ready.observedGeneration ?? obj.status.observedGeneration
    return state(
      'stale',
      'GenerationNotObserved',
      `generation ${obj.metadata.generation} not yet observed (controller last saw ${observed})`,
    )
  }
  if (ready.status === 'True') return state('ready', ready.reason ?? 'Ready', ready.message ?? 'ready')
  if (ready.status === 'Unknown') {
    return state('progressing', ready.reason ?? 'Progressing', ready.message ?? 'reconciliation in progress')
  }
  return state('failed', ready.reason ?? 'NotReady', ready.message ?? 'not ready')
}

/** The objects an object is built from: its source(s), in the order Flux resolves them. */
export function sourcesOf(obj: FluxObject): Array<Required<Pick<ObjectRef, 'kind' | 'name' | 'namespace'>>> {
  const ns = obj.metadata.namespace ?? ''
  const refs: Array<Required<Pick<ObjectRef, 'kind' | 'name' | 'namespace'>>> = []
  const add = (ref: ObjectRef | undefined) => {
    if (ref?.kind && ref.name) refs.push({kind: ref.kind, name: ref.name, namespace: ref.namespace ?? ns})
  }
  if (obj.kind === 'HelmRelease') {
    const chartSource = obj.spec?.chart?.spec?.sourceRef
    if (chartSource?.name) {
      // helm-controller creates the HelmChart <release namespace>-<release name> beside the source.
      const chartNs = chartSource.namespace ?? ns
      refs.push({kind: 'HelmChart', name: `${ns}-${obj.metadata.name}`, namespace: chartNs})
      add(chartSource)
    }
    add(obj.spec?.chartRef)
  } else {
    add(obj.spec?.sourceRef)
  }
  return refs
}

export function dependenciesOf(obj: FluxObject): Array<{kind: string; name: string; namespace: string}> {
  const ns = obj.metadata.namespace ?? ''
  return (obj.spec?.dependsOn ?? [])
    .filter((d) => d?.name)
    .map((d) => ({kind: obj.kind, name: d.name, namespace: d.namespace ?? ns}))
}

/**
 * Assess a whole listing: each object on its own, then the rules that need
 * others: a Kustomization behind its source's revision is stale, and an object
 * that waits on (or is built from) a broken one points at the root cause.
 */
export function assessAll(
  objects: FluxObject[],
  optionsFor: (obj: FluxObject) => AssessOptions = () => ({}),
): ObjectHealth[] {
  const byKey = new Map<string, FluxObject>()
  for (const obj of objects) byKey.set(keyOf(obj), obj)
  const results = new Map<string, ObjectHealth>()
  for (const obj of objects) results.set(keyOf(obj), assessObject(obj, optionsFor(obj)))

  // Behind the source: applied revision differs from the source's artifact.
  for (const obj of objects) {
    if (obj.kind !== 'Kustomization') continue
    const result = results.get(keyOf(obj))
    if (!result || result.health !== 'ready') continue
    const [ref] = sourcesOf(obj)
    if (!ref) continue
    const source = byKey.get(objectKey(ref.kind, ref.namespace, ref.name))
    const sourceRevision = source?.status?.artifact?.revision
    const applied = obj.status?.lastAppliedRevision
    if (sourceRevision && applied && sourceRevision !== applied) {
      result.health = 'stale'
      result.reason = 'BehindSource'
      result.message = `applied ${applied}, source ${ref.kind}/${ref.name} is at ${sourceRevision}`
    }
  }

  // Root causes, following dependsOn and sources (cycles guarded).
  const rootCause = (key: string, seen: Set<string>): CauseRef | undefined => {
    if (seen.has(key)) return undefined
    seen.add(key)
    const obj = byKey.get(key)
    const result = results.get(key)
    if (!obj || !result) return undefined
    const candidates = [...dependenciesOf(obj), ...sourcesOf(obj)]
    for (const ref of candidates) {
      const refKey = objectKey(ref.kind, ref.namespace, ref.name)
      const dep = results.get(refKey)
      if (!dep || dep.health === 'ready') continue
      return rootCause(refKey, seen) ?? toCause(dep)
    }
    return undefined
  }
  for (const [key, result] of results) {
    if (result.health === 'ready' || result.health === 'suspended' || result.health === 'terminating') continue
    const cause = rootCause(key, new Set())
    if (cause) result.cause = cause
  }
  return objects.map((obj) => results.get(keyOf(obj)) as ObjectHealth)
}

function toCause(result: ObjectHealth): CauseRef {
  return {
    kind: result.kind,
    namespace: result.namespace,
    name: result.name,
    health: result.health,
    reason: result.reason,
  }
}

/**
 * `--wait`: an object seen ready stays counted ready through a routine
 * re-reconcile (Reconciling=True while Ready is still True, e.g. a new generation
 * being applied), so a healthy cluster does not flap out of "healthy".
 */
export function settle(result: ObjectHealth, obj: FluxObject, seenReady: ReadonlySet<string>): ObjectHealth {
  if (result.health !== 'progressing' || !seenReady.has(keyOf(obj)) || !isRoutineReconcile(obj)) return result
  const ready = condition(obj, 'Ready')
  return {...result, health: 'ready', reason: ready?.reason ?? 'Ready', message: oneLine(ready?.message ?? 'ready')}
}

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
  return counts
}

export interface VerdictOptions {
  ignoreSuspended?: boolean
  /** Flux controllers not available (names). */
  controllersDown?: string[]
  /** Workloads found failing under --deep. */
  workloadsFailing?: number
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

export function verdict(counts: Counts, options: VerdictOptions = {}): Verdict {
  const parts: string[] = []
  for (const health of HEALTH_STATES) {
    const n = counts.byHealth[health]
    if (n > 0) parts.push(`${n} ${health}${health === 'suspended' && options.ignoreSuspended ? ' (ignored)' : ''}`)
  }
  const down = options.controllersDown ?? []
  if (down.length > 0) parts.unshift(`${down.length} controller${down.length === 1 ? '' : 's'} down`)
  const workloads = options.workloadsFailing ?? 0
  if (workloads > 0) parts.unshift(`${workloads} workload${workloads === 1 ? '' : 's'} failing`)
  const attention = HEALTH_STATES.some((h) => counts.byHealth[h] > 0 && needsAttention({health: h}, options))
  const healthy = !attention && down.length === 0 && workloads === 0
  if (parts.length === 0) parts.push('no Flux objects')
  return {healthy, line: `${healthy ? 'healthy' : 'unhealthy'}: ${parts.join(', ')}`}
}

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

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}
