/**
 * Pure planning for `status`: the --reconcile plan (which objects to annotate,
 * sources first). No I/O. (--timeout is the shared duration flag, lib/flags.ts.)
 */
import {sourcesOf} from './across.ts'
import {type FluxObject, type ObjectHealth, keyOf, objectKey} from './health.ts'
import {isReconcilable} from './static-objects.ts'

export interface ReconcileTarget {
  kind: string
  apiVersion: string
  namespace: string
  name: string
  /** Why it is in the plan: its own health, or "source of <kind>/<name>". */
  why: string
}

export interface ReconcilePlan {
  /** In the order the annotations are set: sources, then Kustomizations, then HelmReleases, then the rest. */
  targets: ReconcileTarget[]
  /** Suspended objects that would have been reconciled: Flux ignores requests on them. */
  refused: Array<ReconcileTarget & {hint: string}>
}

/** Sources first, then what is built from them, then what only reads or reports. */
const ORDER = [
  'GitRepository',
  'OCIRepository',
  'Bucket',
  'HelmRepository',
  'HelmChart',
  'Kustomization',
  'HelmRelease',
  'ImageRepository',
  'ImagePolicy',
  'ImageUpdateAutomation',
  'Receiver',
  'Alert',
  'Provider',
]

export interface PlanOptions {
  /** `flux` noun of a kind, for the `flux resume` hint. */
  fluxNoun?: (kind: string) => string
  /** Whether the version read of a kind has a status subresource (discovery). */
  hasStatus?: (kind: string) => boolean | undefined
  /** Objects (`Kind/namespace/name`) among the results that are dependencies of a selection, not in it: their why says so. */
  dependencies?: ReadonlySet<string>
}

/**
 * What `--reconcile` annotates: every failed or stale object that a controller reconciles
 * (retried failures included: Flux would otherwise wait out its retry interval), and the
 * sources the failed and stale Kustomizations and HelmReleases are built from. Not: objects
 * without a status by design (Flux refuses to reconcile them), members of a dependsOn
 * cycle (a request cannot break it). Suspended ones are refused with a hint.
 */
export function planReconcile(
  objects: FluxObject[],
  results: ObjectHealth[],
  options: PlanOptions = {},
): ReconcilePlan {
  const fluxNoun = options.fluxNoun ?? ((kind: string) => kind.toLowerCase())
  const byKey = new Map(objects.map((o) => [keyOf(o), o]))
  const chosen = new Map<string, ReconcileTarget>()
  const refused = new Map<string, ReconcileTarget & {hint: string}>()

  const add = (obj: FluxObject, why: string) => {
    const key = keyOf(obj)
    if (chosen.has(key) || refused.has(key)) return
    if (!isReconcilable(obj, options.hasStatus?.(obj.kind))) return
    const target: ReconcileTarget = {
      kind: obj.kind,
      apiVersion: obj.apiVersion,
      namespace: obj.metadata.namespace ?? '',
      name: obj.metadata.name,
      why,
    }
    if (obj.spec?.suspend === true) {
      const ns = target.namespace ? ` -n ${target.namespace}` : ''
      refused.set(key, {
        ...target,
        hint: `suspended: run \`flux resume ${fluxNoun(obj.kind)} ${target.name}${ns}\` to resume it (which also reconciles it)`,
      })
      return
    }
    chosen.set(key, target)
  }

  for (const result of results) {
    const builds = result.kind === 'Kustomization' || result.kind === 'HelmRelease'
    const wants = (result.health === 'failed' && result.reason !== 'DependencyCycle') || result.health === 'stale'
    const suspendedButBroken = builds && result.health === 'suspended'
    if (!wants && !suspendedButBroken) continue
    const obj = byKey.get(objectKey(result.kind, result.namespace, result.name))
    if (!obj) continue
    if (suspendedButBroken) {
      add(obj, 'suspended')
      continue
    }
    if (builds) {
      for (const ref of sourcesOf(obj)) {
        const source = byKey.get(objectKey(ref.kind, ref.namespace, ref.name))
        if (source) add(source, `source of ${result.kind}/${result.name}`)
      }
    }
    const own = result.retrying ? `${result.health} (retrying)` : result.health
    add(obj, options.dependencies?.has(keyOf(obj)) ? `${own}, a dependency of the selection` : own)
  }
  const rank = (kind: string) => {
    const i = ORDER.indexOf(kind)
    return i === -1 ? ORDER.length : i
  }
  const targets = [...chosen.values()].sort((a, b) => rank(a.kind) - rank(b.kind))
  return {targets, refused: [...refused.values()]}
}
