/**
 * Flux readiness as Flux decides it (DESIGN.md §4), root causes, counts and the
 * verdict. Pure: objects in, assessments out; no I/O, tested table-driven.
 *
 * ## The rules, in order (the first that holds decides; README "Health of an object" is this table)
 *
 * | #  | when                                                          | health                  | why this place in the order |
 * | -- | ------------------------------------------------------------- | ----------------------- | --------------------------- |
 * | 1  | `metadata.deletionTimestamp` set                              | `terminating`           | the object is going away; its finalizers decide what happens, not its conditions |
 * | 2  | `spec.suspend: true`                                          | `suspended`             | the controller ignores it, so every condition (even `Stalled=True` or `Ready=True`) is frozen history; never healthy |
 * | 3  | no status by design (static-objects.ts: HelmRepository `type: oci`, Provider/Alert v1beta3, any version without a status subresource) | `ready` | nothing reconciles it; `flux get` shows it Ready |
 * | 4  | no conditions at all                                          | `unknown`               | never reconciled: no controller has looked at it yet (or none runs) |
 * | 5  | `metadata.generation` observed neither by `status.observedGeneration` nor by the `observedGeneration` of Ready, Reconciling or Stalled | `stale` | every condition describes an older spec; the last known Ready is quoted |
 * | 6  | `Stalled=True`                                                | `failed`                | the controller gave up until the spec changes; whatever Ready or Reconciling say, nothing more will happen |
 * | 7  | `Ready=False`, reason `DependencyNotReady`                    | `waiting`               | not broken itself: it waits for another object (root causes name it) |
 * | 8  | `Ready=False` (any other reason)                              | `failed`, `retrying` when `Reconciling=True` | Flux keeps the real failure in Ready while it retries (`Reconciling=True`, reason `ProgressingWithRetry`): a retried failure is a failure, not progress |
 * | 9  | `Reconciling=True`                                            | `progressing`           | work under way with no failure recorded (Ready Unknown, True, or not yet set) |
 * | 10 | no `Ready` condition                                          | `unknown`               | conditions, but none that gives a verdict |
 * | 11 | `Ready=Unknown`                                               | `progressing`           | the controller has not finished deciding |
 * | 12 | `Ready=True`                                                  | `ready`                 | |
 * | 13 | `Ready` with any other status                                 | `unknown`               | not a kstatus value |
 *
 * Then the rules across objects (assessAll): a ready Kustomization whose
 * `status.lastAppliedRevision` is not its source's `status.artifact.revision` (compared as
 * Flux compares them, revision.ts) is `stale`; a `waiting` object in a `spec.dependsOn`
 * cycle (cycles.ts) is `failed` with reason `DependencyCycle`, naming the cycle, since Flux
 * never breaks it; and every object that is not ready, suspended or terminating points at
 * its root cause (the first not-ready object down its dependsOn and source chain), never at
 * itself.
 *
 * Sources: the controllers' status-finalising code (fluxcd/pkg runtime `summarize`;
 * kustomize-controller, source-controller, helm-controller `atomic_release.go`,
 * notification-controller, image-reflector- and image-automation-controller all set
 * `Reconciling=True/ProgressingWithRetry` beside `Ready=False` on a failure they retry) and
 * their docs ("Debugging a <Kind>" status examples; kstatus conditions).
 */
import {findCycles} from './cycles.ts'
import {sameRevision} from './revision.ts'
import {staticObjectReason} from './static-objects.ts'

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
    /** HelmRepository: `default` or `oci`. */
    type?: string
    sourceRef?: ObjectRef
    dependsOn?: ObjectRef[]
    /** HelmRelease: the chart template; HelmChart: the chart name. */
    chart?: string | {spec?: {sourceRef?: ObjectRef; [key: string]: unknown}}
    chartRef?: ObjectRef
    /** ImagePolicy. */
    imageRepositoryRef?: ObjectRef
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
  /** Only on a failure Flux is retrying (`Ready=False` with `Reconciling=True`): true. */
  retrying?: true
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

/** The conditions whose observedGeneration says the controller has seen a generation. */
const OBSERVING_CONDITIONS = new Set(['Ready', 'Reconciling', 'Stalled'])

/**
 * Whether the controller has seen the current spec: `status.observedGeneration`, or the
 * `observedGeneration` of a condition the controller wrote (Ready, Reconciling or Stalled;
 * the docs' examples show conditions at the new generation while `status.observedGeneration`
 * still lags, until the reconciliation ends), equals `metadata.generation`.
 */
export function generationObserved(obj: FluxObject): boolean {
  const generation = obj.metadata.generation
  if (generation === undefined) return true
  const top = obj.status?.observedGeneration
  if (top === generation) return true
  let any = top !== undefined
  for (const c of obj.status?.conditions ?? []) {
    if (c.observedGeneration === undefined || !OBSERVING_CONDITIONS.has(c.type)) continue
    if (c.observedGeneration === generation) return true
    any = true
  }
  // Objects written by older controllers (HelmRelease v2beta1) may carry none: nothing to compare.
  return !any
}

/** A routine re-reconcile: in progress, but Ready is still True (the last good state holds). */
export function isRoutineReconcile(obj: FluxObject): boolean {
  return condition(obj, 'Reconciling')?.status === 'True' && condition(obj, 'Ready')?.status === 'True'
}

/** Health of one object on its own (rules 1–13 above; no cross-object rules). */
export function assessObject(obj: FluxObject, options: AssessOptions = {}): ObjectHealth {
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

  // 1. Terminating.
  if (obj.metadata.deletionTimestamp) {
    return state('terminating', 'Terminating', 'being deleted (finalizers pending)', obj.metadata.deletionTimestamp)
  }
  // 2. Suspended.
  if (base.suspended) {
    const noun = options.fluxNoun ?? obj.kind.toLowerCase()
    const ns = base.namespace ? ` -n ${base.namespace}` : ''
    return state('suspended', 'Suspended', `suspended: resume with \`flux resume ${noun} ${base.name}${ns}\``)
  }
  // 3. No status by design.
  const staticReason = staticObjectReason(obj, options.hasStatus)
  if (staticReason) return state('ready', 'NoStatusByDesign', staticReason, obj.metadata.creationTimestamp ?? null)
  // 4. Never reconciled.
  if (!obj.status?.conditions || obj.status.conditions.length === 0) {
    return state('unknown', 'NotReconciled', 'never reconciled: no status yet (is its controller running?)', null)
  }
  // 5. The conditions describe an older spec.
  if (!generationObserved(obj)) {
    const observed = ready?.observedGeneration ?? obj.status.observedGeneration
    const last = ready ? `; last known: Ready=${ready.status}${ready.reason ? ` ${ready.reason}` : ''}` : ''
    return state(
      'stale',
      'GenerationNotObserved',
      `generation ${obj.metadata.generation} not yet observed (controller last saw ${observed ?? 'none'})${last}`,
    )
  }
  // 6. Stalled: the controller gave up.
  const stalled = condition(obj, 'Stalled')
  if (stalled?.status === 'True') {
    // Ready=False usually says what failed; Stalled says why Flux stopped retrying.
    const why = ready?.status === 'False' && ready.message ? ready.message : undefined
    const message = [why, stalled.message !== why ? stalled.message : undefined].filter(Boolean).join('; ') || 'stalled'
    return state('failed', (why && ready?.reason) || stalled.reason || 'Stalled', message, stalled.lastTransitionTime)
  }
  const reconciling = condition(obj, 'Reconciling')
  if (ready?.status === 'False') {
    // 7. Waiting on another object.
    if (ready.reason === 'DependencyNotReady') {
      return state('waiting', 'DependencyNotReady', ready.message ?? 'a dependency is not ready')
    }
    // 8. Failed, and maybe being retried.
    const failed = state('failed', ready.reason ?? 'NotReady', ready.message ?? 'not ready')
    if (reconciling?.status === 'True') failed.retrying = true
    return failed
  }
  // 9. In progress.
  if (reconciling?.status === 'True') {
    return state(
      'progressing',
      reconciling.reason ?? 'Progressing',
      reconciling.message ?? 'reconciliation in progress',
      reconciling.lastTransitionTime,
    )
  }
  // 10.–13. Ready decides.
  if (!ready) return state('unknown', 'NoReadyCondition', 'no Ready condition yet')
  if (ready.status === 'Unknown') {
    return state('progressing', ready.reason ?? 'Progressing', ready.message ?? 'reconciliation in progress')
  }
  if (ready.status === 'True') return state('ready', ready.reason ?? 'Ready', ready.message ?? 'ready')
  return state('unknown', ready.reason ?? 'UnknownReadyStatus', `Ready is "${ready.status}": ${ready.message ?? ''}`)
}

type Ref = Required<Pick<ObjectRef, 'kind' | 'name' | 'namespace'>>

/** The objects an object is built from: its source(s), in the order Flux resolves them. */
export function sourcesOf(obj: FluxObject): Ref[] {
  const ns = obj.metadata.namespace ?? ''
  const refs: Ref[] = []
  const add = (ref: ObjectRef | undefined) => {
    if (ref?.kind && ref.name) refs.push({kind: ref.kind, name: ref.name, namespace: ref.namespace ?? ns})
  }
  if (obj.kind === 'HelmRelease') {
    const chart = obj.spec?.chart
    const chartSource = typeof chart === 'object' ? chart.spec?.sourceRef : undefined
    if (chartSource?.name) {
      // helm-controller creates the HelmChart <release namespace>-<release name> beside the source.
      const chartNs = chartSource.namespace ?? ns
      refs.push({kind: 'HelmChart', name: `${ns}-${obj.metadata.name}`, namespace: chartNs})
      add(chartSource)
    }
    add(obj.spec?.chartRef)
  } else if (obj.kind === 'ImagePolicy') {
    const ref = obj.spec?.imageRepositoryRef
    if (ref?.name) refs.push({kind: 'ImageRepository', name: ref.name, namespace: ref.namespace ?? ns})
  } else {
    add(obj.spec?.sourceRef)
  }
  return refs
}

/** `spec.dependsOn` targets: objects of the same kind, in the object's namespace unless given. */
export function dependenciesOf(obj: FluxObject): Ref[] {
  const ns = obj.metadata.namespace ?? ''
  return (obj.spec?.dependsOn ?? [])
    .filter((d) => d?.name)
    .map((d) => ({kind: obj.kind, name: d.name, namespace: d.namespace ?? ns}))
}

/** Everything an object is judged against: its dependsOn targets, then its sources. */
export function referencesOf(obj: FluxObject): Ref[] {
  return [...dependenciesOf(obj), ...sourcesOf(obj)]
}

/**
 * Where an object's root cause is looked for: its references, except that a HelmRelease reaches
 * its chart's source (HelmRepository, GitRepository, Bucket) through its HelmChart once
 * helm-controller has created it: the release installs the chart the HelmChart holds, so a
 * repository failing now (an index fetch) is not why a release with a ready HelmChart failed.
 */
export function causeReferencesOf(obj: FluxObject, exists: (key: string) => boolean): Ref[] {
  const refs = referencesOf(obj)
  if (obj.kind !== 'HelmRelease') return refs
  const chart = sourcesOf(obj).find((r) => r.kind === 'HelmChart')
  if (!chart || !exists(objectKey(chart.kind, chart.namespace, chart.name))) return refs
  const chartSource = typeof obj.spec?.chart === 'object' ? obj.spec.chart.spec?.sourceRef : undefined
  const ns = obj.metadata.namespace ?? ''
  return refs.filter(
    (r) =>
      !(
        chartSource &&
        r.kind === chartSource.kind &&
        r.name === chartSource.name &&
        r.namespace === (chartSource.namespace ?? ns)
      ),
  )
}

/** The dependsOn cycles among these objects, as lists of keys (see cycles.ts). */
export function dependsOnCycles(objects: Iterable<FluxObject>): string[][] {
  // Only objects with dependsOn can be in a cycle; the others are leaves.
  const edges = new Map<string, string[]>()
  for (const obj of objects) {
    if (!obj.spec?.dependsOn?.length) continue
    edges.set(
      keyOf(obj),
      dependenciesOf(obj).map((d) => objectKey(d.kind, d.namespace, d.name)),
    )
  }
  return edges.size === 0 ? [] : findCycles(edges)
}

/**
 * Assess a whole listing: each object on its own, then the rules that need
 * others: a Kustomization behind its source's revision is stale, a waiting
 * object in a dependsOn cycle is failed, and an object that waits on (or is
 * built from) a broken one points at the root cause.
 *
 * `adjust`: what a watch knows beyond one object's status (`settle`: seen ready
 * before; `markRequested`: a reconcile request not handled yet), applied to each
 * object's own health before the rules across objects, so those rules judge the
 * adjusted states: a Kustomization kept ready through a re-reconcile is still
 * stale while behind its source, and root causes name requested objects as they are.
 */
export function assessAll(
  objects: FluxObject[],
  optionsFor: (obj: FluxObject) => AssessOptions = () => ({}),
  adjust?: (result: ObjectHealth, obj: FluxObject) => ObjectHealth,
): ObjectHealth[] {
  const byKey = new Map<string, FluxObject>()
  for (const obj of objects) byKey.set(keyOf(obj), obj)
  const results = new Map<string, ObjectHealth>()
  for (const obj of objects) {
    const own = assessObject(obj, optionsFor(obj))
    results.set(keyOf(obj), adjust ? adjust(own, obj) : own)
  }

  // Behind the source: applied revision differs from the source's artifact (RFC-0005 forms alike).
  for (const obj of objects) {
    if (obj.kind !== 'Kustomization') continue
    const result = results.get(keyOf(obj))
    if (!result || result.health !== 'ready') continue
    const [ref] = sourcesOf(obj)
    if (!ref) continue
    const source = byKey.get(objectKey(ref.kind, ref.namespace, ref.name))
    const sourceRevision = source?.status?.artifact?.revision
    const applied = obj.status?.lastAppliedRevision
    if (sourceRevision && applied && !sameRevision(sourceRevision, applied)) {
      result.health = 'stale'
      result.reason = 'BehindSource'
      result.message = `applied ${applied}, source ${ref.kind}/${ref.name} is at ${sourceRevision}`
    }
  }

  // dependsOn cycles: each member waits for the next for ever. Only objects that are not ready
  // can be stuck in one (a ready member lets the next proceed), and only when something waits.
  const cycleOf = new Map<string, Set<string>>()
  const stuck = [...results.values()].some((r) => r.health === 'waiting')
    ? objects.filter((o) => results.get(keyOf(o))?.health !== 'ready')
    : []
  for (const cycle of dependsOnCycles(stuck)) {
    const members = new Set(cycle)
    // Keys are Kind/namespace/name: the kind once, then namespace/name around the cycle.
    const [first = ''] = cycle
    const path = [...cycle, first].map((k) => k.slice(k.indexOf('/') + 1)).join(' -> ')
    const described = `${first.slice(0, first.indexOf('/'))} ${path}`
    for (const key of cycle) {
      cycleOf.set(key, members)
      const result = results.get(key)
      if (result?.health !== 'waiting') continue
      result.health = 'failed'
      result.reason = 'DependencyCycle'
      result.message = `dependsOn cycle: ${described}; each waits for the next and Flux never breaks the cycle`
    }
  }

  // Root causes, following dependsOn and sources; never the object itself, never around a cycle.
  const rootCause = (key: string, seen: Set<string>): CauseRef | undefined => {
    seen.add(key)
    const obj = byKey.get(key)
    if (!obj) return undefined
    const cycle = cycleOf.get(key)
    for (const ref of causeReferencesOf(obj, (k) => results.has(k))) {
      const refKey = objectKey(ref.kind, ref.namespace, ref.name)
      // Inside its own cycle an object has no root cause but the cycle, which its message names.
      if (seen.has(refKey) || cycle?.has(refKey)) continue
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
 * being applied), so a healthy cluster does not flap out of "healthy". An `adjust`
 * of assessAll: the rules across objects still apply to what it keeps ready (a
 * Kustomization applying its source's new revision is stale, BehindSource).
 */
export function settle(result: ObjectHealth, obj: FluxObject, seenReady: ReadonlySet<string>): ObjectHealth {
  if (result.health !== 'progressing' || !seenReady.has(keyOf(obj)) || !isRoutineReconcile(obj)) return result
  const ready = condition(obj, 'Ready')
  return {...result, health: 'ready', reason: ready?.reason ?? 'Ready', message: oneLine(ready?.message ?? 'ready')}
}

/**
 * After `--reconcile`: an object whose request Flux has not handled yet (`status.lastHandledReconcileAt`
 * is not `requestedAt`) is `progressing` (`ReconcileRequested`), whatever its last status said, and
 * without the `retrying` marker of the failure before the request. Suspended and terminating objects
 * keep their health: Flux does not act on a request for them. Others are returned as they are.
 * An `adjust` of assessAll: the rules across objects (root causes) then see the requested state.
 */
export function markRequested(result: ObjectHealth, obj: FluxObject, requestedAt: string): ObjectHealth {
  if (obj.status?.lastHandledReconcileAt === requestedAt) return result
  if (result.health === 'suspended' || result.health === 'terminating') return result
  const {retrying: _retrying, ...rest} = result
  return {
    ...rest,
    health: 'progressing',
    reason: 'ReconcileRequested',
    message: 'reconciliation requested, not yet handled by Flux',
  }
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
 * workloads --deep found not ready (by state), then the objects by health, worst first.
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
  const healthy = !attention && controllersOk && workloads === 0
  if (counts.total === 0) parts.push('no Flux objects')
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
