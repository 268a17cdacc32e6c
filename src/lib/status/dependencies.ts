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
  /** The listed objects (`Kind/namespace/name`, sorted) built from it or waiting on it, directly or through other unlisted objects. */
  neededBy: string[]
}

/**
 * The closure of the selection outside it: every object reached from a selected object through
 * `referencesOf` (its sources, HelmChart, `chartRef`, ImageRepository, `spec.dependsOn`
 * targets; the references status reads until closure, scope.ts) and theirs in turn, passing
 * through unlisted objects only (a listed object is judged on its own row, with its own
 * closure). References to objects that were not read (they do not exist) are skipped.
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
  for (const root of objects) {
    if (!isSelected(root)) continue
    const rootKey = keyOf(root)
    const seen = new Set<string>([rootKey])
    const queue: FluxObject[] = [root]
    for (let obj = queue.shift(); obj; obj = queue.shift()) {
      for (const ref of referencesOf(obj)) {
        const key = objectKey(ref.kind, ref.namespace, ref.name)
        if (seen.has(key)) continue
        seen.add(key)
        const dep = byKey.get(key)
        if (!dep || isSelected(dep.obj)) continue
        const set = neededBy.get(key) ?? new Set<string>()
        set.add(rootKey)
        neededBy.set(key, set)
        queue.push(dep.obj)
      }
    }
  }
  const dependencies: DependencyHealth[] = []
  for (const [key, roots] of neededBy) {
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
      neededBy: [...roots].sort(),
    })
  }
  return sortForDisplay(dependencies)
}
