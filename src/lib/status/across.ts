/**
 * Health across objects: what an object refers to (sources, dependsOn), and the rules
 * that need other objects to judge one (assessAll): staleness behind a source,
 * dependsOn cycles, root causes; plus what following the cluster knows beyond one
 * status (settle, markRequested). Pure; the rules themselves are listed in health.ts.
 */
import {findCycles} from './cycles.ts'
import {
  type AssessOptions,
  type CauseRef,
  type FluxObject,
  type ObjectHealth,
  type ObjectRef,
  assessObject,
  condition,
  isRoutineReconcile,
  keyOf,
  latestRelease,
  objectKey,
  oneLine,
} from './health.ts'
import {sameRevision} from './revision.ts'

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

/**
 * Why a ready object is behind its source, or undefined when it is not (or cannot be told):
 * - a Kustomization whose `status.lastAppliedRevision` is not its source's `status.artifact.revision`
 *   (RFC-0005 forms alike, revision.ts);
 * - a HelmRelease whose last release (`status.history`, latestRelease; or `status.lastAppliedRevision` as
 *   helm-controller v2beta1 wrote it) is not at the chart its HelmChart now holds: the HelmChart's
 *   `status.artifact.revision` is the chart version it packaged (source-controller
 *   `NewArtifactFor(..., b.Version, ...)`), which is the version helm-controller installs
 *   (`LastAttemptedRevision = loadedChart.Metadata.Version`; an other version is
 *   `ReleaseStatusOutOfSync`, an upgrade). A `version: 1.17.x` range, or a Git chart with
 *   `reconcileStrategy: Revision`, moves the HelmChart without changing the release's spec, and
 *   helm-controller upgrades only once it has seen the HelmChart change (a `SourceRevisionChangePredicate`
 *   watch), so until then Ready=True is the old chart's;
 * - a HelmRelease with a `chartRef` to an OCIRepository whose artifact digest is not the one of
 *   its last release (its `ociDigest`, helm-controller's `mutateChartWithSourceRevision`);
 * - a HelmChart whose `status.observedSourceArtifactRevision` (the source revision it last built
 *   from) is not its HelmRepository's, GitRepository's or Bucket's artifact revision: source-controller
 *   rebuilds the chart exactly then (`requestsFor<Kind>Change`: `ObservedSourceArtifactRevision !=
 *   repo.GetArtifact().Revision`, or `!HasRevision` for Git and Bucket), so until it has, a new chart
 *   version in the index (a `1.17.x` range) or a new commit of a Git chart is not in the HelmChart yet.
 */
export function behindSource(obj: FluxObject, lookup: (ref: Ref) => FluxObject | undefined): string | undefined {
  if (obj.kind === 'Kustomization') {
    const [ref] = sourcesOf(obj)
    const sourceRevision = ref ? lookup(ref)?.status?.artifact?.revision : undefined
    const applied = obj.status?.lastAppliedRevision
    if (!ref || !sourceRevision || !applied || sameRevision(sourceRevision, applied)) return undefined
    return `applied ${applied}, source ${ref.kind}/${ref.name} is at ${sourceRevision}`
  }
  if (obj.kind === 'HelmChart') {
    const [ref] = sourcesOf(obj)
    const sourceRevision = ref ? lookup(ref)?.status?.artifact?.revision : undefined
    const built = obj.status?.observedSourceArtifactRevision
    if (!ref || !sourceRevision || typeof built !== 'string' || !built || sameRevision(sourceRevision, built)) {
      return undefined
    }
    return `built from ${built}, source ${ref.kind}/${ref.name} is at ${sourceRevision}`
  }
  if (obj.kind !== 'HelmRelease') return undefined
  const last = latestRelease(obj)
  const chart = sourcesOf(obj).find((r) => r.kind === 'HelmChart')
  if (chart) {
    const chartVersion = lookup(chart)?.status?.artifact?.revision
    const released = last?.chartVersion || obj.status?.lastAppliedRevision
    if (!chartVersion || !released || chartVersion === released) return undefined
    return `released chart version ${released}, HelmChart/${chart.name} is at ${chartVersion}`
  }
  const ref = obj.spec?.chartRef
  if (ref?.kind === 'OCIRepository' && ref.name) {
    const source = lookup({kind: ref.kind, name: ref.name, namespace: ref.namespace ?? obj.metadata.namespace ?? ''})
    const revision = source?.status?.artifact?.revision
    const digest = revision?.slice(revision.lastIndexOf('@') + 1)
    const released = last?.ociDigest
    if (!digest?.includes(':') || typeof released !== 'string' || !released || digest === released) return undefined
    return `released ${released}, OCIRepository/${ref.name} is at ${revision}`
  }
  return undefined
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

  // Each rule replaces a result rather than changing it: what `adjust` returned stays as it was.
  // Behind the source: what was applied or released differs from the source's artifact.
  for (const obj of objects) {
    const result = results.get(keyOf(obj))
    if (!result || result.health !== 'ready') continue
    const behind = behindSource(obj, (ref) => byKey.get(objectKey(ref.kind, ref.namespace, ref.name)))
    if (behind) results.set(keyOf(obj), {...result, health: 'stale', reason: 'BehindSource', message: behind})
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
      results.set(key, {
        ...result,
        health: 'failed',
        reason: 'DependencyCycle',
        message: `dependsOn cycle: ${described}; each waits for the next and Flux never breaks the cycle`,
      })
    }
  }

  // Root causes, following dependsOn and sources; never the object itself, never around a cycle.
  // The walk goes down one path: at each object, to its first reference that is not ready (and
  // not in its own cycle, nor already on the path); the last object reached is the root cause.
  const next = (key: string, onPath: ReadonlySet<string>): string | undefined => {
    const obj = byKey.get(key)
    if (!obj) return undefined
    const cycle = cycleOf.get(key)
    for (const ref of causeReferencesOf(obj, (k) => results.has(k))) {
      const refKey = objectKey(ref.kind, ref.namespace, ref.name)
      // Inside its own cycle an object has no root cause but the cycle, which its message names.
      if (onPath.has(refKey) || cycle?.has(refKey)) continue
      const dep = results.get(refKey)
      if (dep && dep.health !== 'ready') return refKey
    }
    return undefined
  }
  const causeOf = (key: string): CauseRef => toCause(results.get(key) as ObjectHealth)
  // Without a loop, where a path goes on from an object does not depend on how it was reached,
  // so each object's root cause is found once (memo) and a chain costs its length, not its
  // square; iteratively, so a chain of thousands cannot overflow the stack.
  const memo = new Map<string, CauseRef | undefined>()
  const rootCause = (start: string): CauseRef | undefined => {
    if (memo.has(start)) return memo.get(start)
    const path: string[] = []
    const onPath = new Set<string>()
    let key: string | undefined = start
    let after: CauseRef | undefined
    let looped = false
    while (key !== undefined) {
      // A path that looped was walked from its start: what was found from elsewhere may not hold.
      if (!looped && memo.has(key)) {
        after = memo.get(key) ?? causeOf(key)
        break
      }
      path.push(key)
      onPath.add(key)
      // A loop: which way a path goes from here on depends on where it came from; walk it as it goes.
      if (!looped) {
        const following = next(key, NOWHERE)
        if (following === undefined || !onPath.has(following)) {
          key = following
          continue
        }
        looped = true
      }
      key = next(key, onPath)
    }
    if (after === undefined) {
      const last = path.at(-1) as string
      after = last === start ? undefined : causeOf(last)
      if (!looped) memo.set(last, undefined)
    }
    if (looped) return after
    for (const k of path) if (!memo.has(k)) memo.set(k, after)
    return after
  }
  for (const [key, result] of results) {
    if (result.health === 'ready' || result.health === 'suspended' || result.health === 'terminating') continue
    const cause = rootCause(key)
    if (cause) results.set(key, {...result, cause})
  }
  return objects.map((obj) => results.get(keyOf(obj)) as ObjectHealth)
}

const NOWHERE: ReadonlySet<string> = new Set()

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
