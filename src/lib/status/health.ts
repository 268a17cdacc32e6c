/**
 * Flux readiness of one object as Flux decides it (DESIGN.md §4). Pure: objects in,
 * assessments out; no I/O, tested table-driven. The rules across objects (staleness
 * behind a source, dependsOn cycles, root causes) are in across.ts; counts, the verdict
 * and the display order in verdict.ts.
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
 * | 8  | `Ready=False` (any other reason); or `Reconciling=True` with reason `ProgressingWithRetry` while Ready is not True | `failed`, `retrying` when `Reconciling=True` | Flux keeps the real failure in Ready while it retries (`Reconciling=True`, reason `ProgressingWithRetry`): a retried failure is a failure, not progress. `ProgressingWithRetry` itself says an attempt failed ("to indicate a failure retry", source-controller `ComputeReconcileResult`), also where Ready was left Unknown (helm-controller's failed drift correction: "correcting cluster drift", requeued for ever) |
 * | 9  | `Reconciling=True`                                            | `progressing`           | work under way with no failure recorded (Ready Unknown, True, or not yet set) |
 * | 10 | no `Ready` condition                                          | `unknown`               | conditions, but none that gives a verdict |
 * | 11 | `Ready=Unknown`                                               | `progressing`           | the controller has not finished deciding |
 * | 12 | `Ready=True`; but `stale` (`GenerationNotReady`) when `status.observedGeneration` is set and is not `metadata.generation` | `ready` | `status.observedGeneration` is the generation reconciled, set with Ready=True; a condition's `observedGeneration` is stamped when patching: a spec changed mid-reconcile reads Ready=True at it (readyIsCurrent) |
 * | 13 | `Ready` with any other status                                 | `unknown`               | not a kstatus value |
 *
 * Then the rules across objects (assessAll, across.ts): a ready Kustomization whose
 * `status.lastAppliedRevision` is not its source's `status.artifact.revision` (compared as
 * Flux compares them, revision.ts) is `stale`, and so is a ready HelmRelease whose last
 * release (in `status.history`) is not at its HelmChart's chart version (or its
 * OCIRepository's digest), and a ready HelmChart not built from its source's revision; a `waiting` object in a `spec.dependsOn`
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
 *
 * (About 370 lines: the table above and the one function that applies it in order, with the
 * sources of each row beside it; the rules across objects are already apart, in across.ts.)
 */
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
    /** HelmRelease v2: the releases (helm-controller keeps the latest, highest `version`, first). */
    history?: Array<{chartVersion?: string; chartName?: string; status?: string; ociDigest?: string; version?: number}>
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

/**
 * A HelmRelease's latest release: the `status.history` snapshot with the highest Helm release
 * `version`, as helm-controller's `Snapshots.Latest()` picks it (it sorts by version, newest first).
 */
export function latestRelease(
  obj: FluxObject,
): NonNullable<NonNullable<FluxObject['status']>['history']>[number] | undefined {
  const history = obj.status?.history ?? []
  let latest = history[0]
  for (const snapshot of history) if ((snapshot.version ?? 0) > (latest?.version ?? 0)) latest = snapshot
  return latest
}

/** The revision an object is at: a source's artifact, a Kustomization's applied revision, a release's chart. */
export function revisionOf(obj: FluxObject): string | null {
  const s = obj.status
  if (!s) return null
  if (s.artifact?.revision) return s.artifact.revision
  if (s.lastAppliedRevision) return s.lastAppliedRevision
  const last = latestRelease(obj)
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

/**
 * Whether `Ready` speaks for the current spec: `status.observedGeneration`, when the status has
 * one, is `metadata.generation`; otherwise the Ready condition's own `observedGeneration` is
 * (or, with neither, nothing says otherwise).
 *
 * The top-level field decides because the controllers set it from the generation they actually
 * reconciled ("the latest .metadata.generation which resulted in a ready state": "Observed
 * Generation" in the kustomize-controller, helm-controller and notification-controller specs),
 * in the same patch that writes Ready=True, whereas a condition's `observedGeneration` is
 * stamped with the generation of the object *as re-read when patching*: fluxcd/pkg
 * runtime/patch re-reads the object and applies the conditions with `conditions.Set`, which
 * "always set[s] the observed generation" to that object's generation. So a spec changed while
 * the controller finished the previous one reads Ready=True at the new generation with
 * `status.observedGeneration` one behind (helm-controller's DetermineReleaseState trusts the
 * top-level field for exactly this reason), and the controllers themselves do not count such a
 * dependency as ready (`dep.Generation != dep.Status.ObservedGeneration`, checkDependencies in
 * kustomize-controller and helm-controller).
 */
export function readyIsCurrent(obj: FluxObject): boolean {
  const generation = obj.metadata.generation
  if (generation === undefined) return true
  const top = obj.status?.observedGeneration
  if (typeof top === 'number') return top === generation
  const own = condition(obj, 'Ready')?.observedGeneration
  return own === undefined || own === generation
}

/**
 * The Reconciling reason the controllers write when an attempt failed and will be retried
 * (fluxcd/pkg `meta.ProgressingWithRetryReason`).
 */
const RETRY_REASON = 'ProgressingWithRetry'

/**
 * A routine re-reconcile: in progress, but Ready is still True for the current spec (the last
 * good state holds). Not a new generation being processed: source-controller and
 * helm-controller set Reconciling=True at the new generation and leave the old generation's
 * Ready=True in place until they are done (fluxcd/pkg runtime/reconcile `ProgressiveStatus`
 * keeps a True Ready; helm-controller "Fulfilling prerequisites"). Nor a retry after a failed
 * attempt (reason `ProgressingWithRetry`, e.g. helm-controller upgrading again and again).
 */
export function isRoutineReconcile(obj: FluxObject): boolean {
  const reconciling = condition(obj, 'Reconciling')
  return (
    reconciling?.status === 'True' &&
    reconciling.reason !== RETRY_REASON &&
    condition(obj, 'Ready')?.status === 'True' &&
    readyIsCurrent(obj)
  )
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
  // 8. (cont.) A failed attempt being retried, Ready left Unknown (or not set): Reconciling's reason says it failed.
  if (reconciling?.status === 'True' && reconciling.reason === RETRY_REASON && ready?.status !== 'True') {
    const failed = state(
      'failed',
      RETRY_REASON,
      reconciling.message || ready?.message || 'an attempt failed and is being retried',
      reconciling.lastTransitionTime,
    )
    failed.retrying = true
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
  if (ready.status === 'True') {
    // 12. Ready for the current spec only when the controller says it reconciled this generation (readyIsCurrent).
    if (!readyIsCurrent(obj)) {
      return state(
        'stale',
        'GenerationNotReady',
        `generation ${obj.metadata.generation} not yet reconciled: Ready=True is for generation ${obj.status?.observedGeneration} (status.observedGeneration)`,
      )
    }
    return state('ready', ready.reason ?? 'Ready', ready.message ?? 'ready')
  }
  return state('unknown', ready.reason ?? 'UnknownReadyStatus', `Ready is "${ready.status}": ${ready.message ?? ''}`)
}

/** Whitespace folded: messages are shown on one line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}
