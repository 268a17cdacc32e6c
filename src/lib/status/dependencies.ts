/**
 * The dependencies of a selection: the objects the listed ones are built from or wait on that
 * are not listed themselves. Filters choose what is shown, never what is judged (issue 10 §2):
 * Kustomizations stay Ready=True at the last artifact their GitRepository fetched while that
 * GitRepository fails (source-controller keeps the artifact in storage), so a selection of
 * them is healthy only when what they are built from is too. Without a filter every object is
 * listed and none is a dependency. Pure.
 */
import {referencesOf} from './across.ts'
import {type FluxObject, type ObjectHealth, keyOf, objectKey} from './health.ts'
import {sortForDisplay} from './verdict.ts'

/** A dependency of the selection: the `dependencies[]` entries of `piksel status --json`. */
export interface DependencyHealth {
  kind: string
  namespace: string
  name: string
  health: ObjectHealth['health']
  reason: string
  message: string
  /** When it entered this state (ISO 8601), as far as its status tells. */
  since: string | null
  /** Only on a failure Flux is retrying: true. */
  retrying?: true
  /**
   * The objects that reference it directly (`Kind/namespace/name`, sorted): listed ones, or other
   * dependencies, which lead on to the listed ones that reach it through them.
   */
  neededBy: string[]
}

/**
 * The closure of the selection outside it: every object reached from a selected object through
 * `referencesOf` (its sources, HelmChart, `chartRef`, ImageRepository, `spec.dependsOn`
 * targets; the references status reads until closure, scope.ts) and theirs in turn, passing
 * through unlisted objects only (a listed object is judged on its own row, with its own
 * closure). References to objects that were not read (they do not exist) are skipped.
 * One walk from every selected object at once: each object is expanded once, so the cost is
 * linear in the objects and references read (`neededBy` holds direct referrers only, for the
 * same reason: the listed objects behind a long dependsOn chain would make it quadratic).
 * Worst first, as objects are shown (sortForDisplay).
 *
 * `results` are the assessments of `objects`, index for index (assessAll).
 */
export function selectionDependencies(
  objects: readonly FluxObject[],
  results: readonly ObjectHealth[],
  isSelected: (obj: FluxObject) => boolean,
): DependencyHealth[] {
  const byKey = new Map<string, {obj: FluxObject; result: ObjectHealth}>()
  for (const [i, obj] of objects.entries()) byKey.set(keyOf(obj), {obj, result: results[i] as ObjectHealth})
  const neededBy = new Map<string, Set<string>>()
  const queue = objects.filter((obj) => isSelected(obj))
  for (let i = 0; i < queue.length; i++) {
    const obj = queue[i] as FluxObject
    const from = keyOf(obj)
    for (const ref of referencesOf(obj)) {
      const key = objectKey(ref.kind, ref.namespace, ref.name)
      const dep = byKey.get(key)
      if (!dep || isSelected(dep.obj) || key === from) continue
      const referrers = neededBy.get(key)
      if (referrers) {
        referrers.add(from)
        continue
      }
      // First reached: expanded once, in turn.
      neededBy.set(key, new Set([from]))
      queue.push(dep.obj)
    }
  }
  const dependencies: DependencyHealth[] = []
  for (const [key, referrers] of neededBy) {
    const {result} = byKey.get(key) as {result: ObjectHealth}
    dependencies.push({
      kind: result.kind,
      namespace: result.namespace,
      name: result.name,
      health: result.health,
      reason: result.reason,
      message: result.message,
      since: result.since,
      ...(result.retrying ? {retrying: true as const} : {}),
      neededBy: [...referrers].sort(),
    })
  }
  return sortForDisplay(dependencies)
}
