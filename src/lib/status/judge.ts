/**
 * Judging a snapshot: the `piksel status --json` document of what was read. Pure: the
 * snapshot is not changed (objects are reported at the version read through copies), and
 * what following the cluster remembers comes in and goes out as values.
 */
import {markRequested, settle, assessAll} from './across.ts'
import {findControllers, missingControllers, missingStatus} from './controllers.ts'
import {type DependencyHealth, selectionDependencies} from './dependencies.ts'
import {type FluxObject, type ObjectHealth, keyOf, objectKey} from './health.ts'
import {type ReconcilePlan, planReconcile} from './plan.ts'
import {type Snapshot, fluxObjects} from './snapshot.ts'
import {type Counts, type WorkloadCounts, countObjects, needsAttention, sortForDisplay, verdict} from './verdict.ts'
import {
  type ControllerStatus,
  type WorkloadObject,
  WORKLOAD_KINDS,
  rolloutState,
  workloadsInInventory,
} from './workloads.ts'

export interface WorkloadHealth {
  kind: string
  namespace: string
  name: string
  health: 'ready' | 'failed' | 'progressing' | 'unknown'
  message: string
  /** The Kustomization whose inventory holds it, `namespace/name`. */
  kustomization: string
}

/** The `--json` shape of `piksel status`. */
export interface StatusResult {
  verdict: 'healthy' | 'unhealthy'
  /** The one-line verdict, e.g. `unhealthy: 2 failed, 1 suspended, 41 ready`. */
  summary: string
  context: string
  server: string
  /** Where the Flux controllers were looked for (--flux-namespace). */
  fluxNamespace: string
  /** The listed objects (the selection), by health and kind. */
  counts: Counts
  /** The Flux controllers found in fluxNamespace, and those missing for the objects judged (`missing: true`). */
  controllers: ControllerStatus[]
  objects: ObjectHealth[]
  /** Only with --deep: workloads that are not ready. */
  workloads?: WorkloadHealth[]
  /** Only with a filter (-n, -l, --kind): the filter as flags, e.g. `--kind Kustomization -l team=a` (scope.ts describeSelection). */
  selection?: string
  /**
   * Only with a filter: what the selection is built from or waits on, outside it, that needs
   * attention (dependencies.ts); any makes the verdict unhealthy. Worst first.
   */
  dependencies?: DependencyHealth[]
}

export interface JudgeOptions {
  /** The snapshot holds the workloads: judge those in each Kustomization's inventory. */
  deep?: boolean
  /** Suspended objects do not make the verdict unhealthy. */
  ignoreSuspended?: boolean
  /** Where the Flux controllers were looked for. */
  fluxNamespace: string
  /**
   * The filter as flags (describeSelection), when there is one: the selection's dependencies
   * decide its verdict with it, and a selection matching nothing is not healthy.
   */
  selection?: string
}

/** What following the cluster knows beyond one snapshot. */
export interface FollowMemory {
  /** Objects (keyOf) seen ready before: they stay ready through a routine re-reconcile (settle). */
  seenReady: ReadonlySet<string>
  /** After --reconcile: these objects count as progressing until Flux has handled the request (markRequested). */
  requested?: {at: string; keys: readonly string[]}
}

export interface Judgement {
  result: StatusResult
  /** Every Flux object judged (the selection and what it references), at the version read. */
  objects: FluxObject[]
  /** The assessments of the selection. */
  reported: ObjectHealth[]
  /** The assessments of the selection's dependencies that need attention (empty without a filter). */
  dependencies: ObjectHealth[]
  /** With a memory: the objects seen ready so far (a new set; the memory's is left as it was). */
  seenReady: ReadonlySet<string>
}

/**
 * Judge everything read (the selection and what it references), then list and count only the
 * selection: the verdict of a selection is the verdict of the same objects without filters.
 */
export function judge(snapshot: Snapshot, options: JudgeOptions, memory?: FollowMemory): Judgement {
  const byKind = new Map(snapshot.kinds.map((k) => [k.kind, k]))
  const read = fluxObjects(snapshot)
  // Objects are reported at the version read, whatever version they were written with.
  const atVersion = (obj: FluxObject): FluxObject => {
    const apiVersion = byKind.get(obj.kind)?.apiVersion
    return apiVersion && apiVersion !== obj.apiVersion ? {...obj, apiVersion} : obj
  }
  const objects = read.objects.map(atVersion)
  const selected = new Set(read.objects.flatMap((obj, i) => (read.selected.has(obj) ? [objects[i] as FluxObject] : [])))

  const requested = new Set(memory?.requested?.keys ?? [])
  const adjust = memory
    ? (r: ObjectHealth, obj: FluxObject): ObjectHealth => {
        const at = memory.requested?.at
        if (at && requested.has(keyOf(obj)) && obj.status?.lastHandledReconcileAt !== at) {
          return markRequested(r, obj, at)
        }
        return settle(r, obj, memory.seenReady)
      }
    : undefined
  const assessed = assessAll(
    objects,
    (obj) => {
      const k = byKind.get(obj.kind)
      return {hasStatus: k?.hasStatus, fluxNoun: k?.fluxNoun}
    },
    adjust,
  )
  // Seen ready: after the rules across objects (a Kustomization behind its source is not).
  const seenReady = new Set(memory?.seenReady ?? [])
  if (memory)
    for (const [i, r] of assessed.entries()) if (r.health === 'ready') seenReady.add(keyOf(objects[i] as FluxObject))
  const reported = assessed.filter((_, i) => selected.has(objects[i] as FluxObject))
  // What the selection is built from or waits on decides with it (only a filter leaves any out).
  const attentionOptions = {ignoreSuspended: options.ignoreSuspended}
  const closure =
    options.selection === undefined ? [] : selectionDependencies(objects, assessed, (o) => selected.has(o))
  const closureKeys = new Set(closure.map((d) => objectKey(d.kind, d.namespace, d.name)))
  const dependencies = closure.filter((d) => needsAttention(d, attentionOptions))
  const dependencyKeys = new Set(dependencies.map((d) => objectKey(d.kind, d.namespace, d.name)))

  // Controllers: those running, and those the judged objects need but that have no Deployment.
  const {fluxNamespace} = options
  const found = findControllers(listOf<WorkloadObject>(snapshot, 'controllers'))
  const perKind: Record<string, number> = {}
  for (const obj of objects) perKind[obj.kind] = (perKind[obj.kind] ?? 0) + 1
  const missing = missingControllers(found, perKind)
  const controllers = [...found, ...missing.map((m) => missingStatus(m, fluxNamespace))].sort((a, b) =>
    a.name.localeCompare(b.name),
  )

  // --deep: the workloads of the listed Kustomizations and of those they depend on (as without a filter).
  const workloads = options.deep
    ? deepWorkloads(
        snapshot,
        objects.filter((o) => selected.has(o) || closureKeys.has(keyOf(o))),
      )
    : undefined
  const workloadCounts: WorkloadCounts = {}
  for (const w of workloads ?? [])
    if (w.health !== 'ready') workloadCounts[w.health] = (workloadCounts[w.health] ?? 0) + 1
  const counts = countObjects(reported)
  const v = verdict(counts, {
    ignoreSuspended: options.ignoreSuspended,
    noControllersIn: found.length === 0 ? fluxNamespace : undefined,
    controllersMissing: missing.map((m) => m.name),
    controllersDown: found.filter((c) => !c.ready).map((c) => c.name),
    workloads: workloadCounts,
    dependencies,
    selection: options.selection,
  })
  const result: StatusResult = {
    verdict: v.healthy ? 'healthy' : 'unhealthy',
    summary: v.line,
    context: snapshot.context,
    server: snapshot.server,
    fluxNamespace,
    counts,
    controllers,
    objects: sortForDisplay(reported),
  }
  if (workloads) result.workloads = workloads
  if (options.selection !== undefined) {
    result.selection = options.selection
    result.dependencies = dependencies
  }
  const dependencyResults =
    dependencies.length === 0 ? [] : assessed.filter((_, i) => dependencyKeys.has(keyOf(objects[i] as FluxObject)))
  return {result, objects, reported, dependencies: dependencyResults, seenReady}
}

/**
 * What `--reconcile` would annotate: the failed and stale objects of the selection and of its
 * dependencies (what it is built from decides its verdict, so a failed GitRepository under
 * Kustomizations still ready is requested too), and the sources of failed and stale
 * Kustomizations and HelmReleases; sources first.
 */
export function reconcilePlan(snapshot: Snapshot, judged: Judgement): ReconcilePlan {
  const byKind = new Map(snapshot.kinds.map((k) => [k.kind, k]))
  return planReconcile(judged.objects, [...judged.reported, ...judged.dependencies], {
    fluxNoun: (kind) => byKind.get(kind)?.fluxNoun ?? kind.toLowerCase(),
    hasStatus: (kind) => byKind.get(kind)?.hasStatus,
    dependencies: new Set(judged.dependencies.map((d) => objectKey(d.kind, d.namespace, d.name))),
  })
}

function listOf<T>(snapshot: Snapshot, id: string): T[] {
  return (snapshot.lists.find((l) => l.stream.id === id)?.items ?? []) as T[]
}

function deepWorkloads(snapshot: Snapshot, objects: FluxObject[]): WorkloadHealth[] {
  const index = new Map<string, WorkloadObject>()
  for (const kind of WORKLOAD_KINDS) {
    for (const w of listOf<WorkloadObject>(snapshot, kind)) {
      index.set(`${kind}/${w.metadata.namespace ?? ''}/${w.metadata.name}`, w)
    }
  }
  const failing: WorkloadHealth[] = []
  const seen = new Set<string>()
  for (const ks of objects) {
    if (ks.kind !== 'Kustomization') continue
    for (const ref of workloadsInInventory(ks.status?.inventory?.entries)) {
      const key = `${ref.kind}/${ref.namespace}/${ref.name}`
      if (seen.has(key)) continue
      seen.add(key)
      const w = index.get(key)
      const state = w
        ? rolloutState(ref.kind, w)
        : {health: 'unknown' as const, message: 'in the inventory but not found'}
      if (state.health === 'ready') continue
      failing.push({
        kind: ref.kind,
        namespace: ref.namespace,
        name: ref.name,
        health: state.health,
        message: state.message,
        kustomization: `${ks.metadata.namespace ?? ''}/${ks.metadata.name}`,
      })
    }
  }
  return failing
}
