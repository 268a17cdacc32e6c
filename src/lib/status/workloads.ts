/**
 * Rollout rules for the Flux controllers and, under --deep, the workloads in a
 * Kustomization's inventory. Pure: no I/O.
 */
import type {Health} from './health.ts'

export interface WorkloadObject {
  apiVersion?: string
  kind?: string
  metadata: {
    name: string
    namespace?: string
    generation?: number
    labels?: Record<string, string>
    resourceVersion?: string
  }
  spec?: {
    replicas?: number
    template?: {spec?: {containers?: Array<{name?: string; image?: string}>}}
    [key: string]: unknown
  }
  status?: {
    observedGeneration?: number
    replicas?: number
    updatedReplicas?: number
    readyReplicas?: number
    availableReplicas?: number
    currentRevision?: string
    updateRevision?: string
    desiredNumberScheduled?: number
    updatedNumberScheduled?: number
    numberAvailable?: number
    active?: number
    succeeded?: number
    failed?: number
    conditions?: Array<{type: string; status: string; reason?: string; message?: string}>
  }
}

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'] as const
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number]
/** The API group of each workload kind (all served at v1). */
export const WORKLOAD_GROUPS: Record<WorkloadKind, string> = {
  Deployment: 'apps',
  StatefulSet: 'apps',
  DaemonSet: 'apps',
  Job: 'batch',
}

export interface InventoryRef {
  namespace: string
  name: string
  group: string
  kind: string
}

/**
 * A Kustomization inventory id: `<namespace>_<name>_<group>_<kind>` (namespace
 * empty for cluster-scoped objects, group empty for the core group).
 */
export function parseInventoryId(id: string): InventoryRef | undefined {
  const parts = id.split('_')
  if (parts.length !== 4) return undefined
  const [namespace = '', name = '', group = '', kind = ''] = parts
  if (!name || !kind) return undefined
  return {namespace, name, group, kind}
}

/** The Deployments, StatefulSets, DaemonSets and Jobs of an inventory. */
export function workloadsInInventory(entries: Array<{id: string}> | undefined): InventoryRef[] {
  const refs: InventoryRef[] = []
  for (const entry of entries ?? []) {
    const ref = parseInventoryId(entry.id)
    if (!ref) continue
    if (WORKLOAD_GROUPS[ref.kind as WorkloadKind] === ref.group) refs.push(ref)
  }
  return refs
}

export interface RolloutState {
  health: Extract<Health, 'ready' | 'failed' | 'progressing' | 'unknown'>
  message: string
}

/**
 * Rollout complete and replicas available, per workload kind (as `kubectl rollout status` judges it).
 * A spec its controller has not observed yet is progressing, whatever the rest of the status says;
 * a status without `observedGeneration` (none written yet: just applied) counts as generation 0, as
 * kubectl's rollout status does for Deployments, DaemonSets and StatefulSets
 * (`Generation <= Status.ObservedGeneration`, else "Waiting for ... spec update to be observed"):
 * an unprocessed DaemonSet has no `desiredNumberScheduled` and would otherwise read 0/0 available.
 * Jobs have no observedGeneration.
 */
export function rolloutState(kind: string, obj: WorkloadObject): RolloutState {
  const s = obj.status ?? {}
  const generation = obj.metadata.generation
  if (kind !== 'Job' && generation !== undefined && (s.observedGeneration ?? 0) < generation) {
    return {health: 'progressing', message: `generation ${generation} not yet observed`}
  }
  const cond = (type: string) => s.conditions?.find((c) => c.type === type)
  switch (kind) {
    case 'Deployment': {
      const want = obj.spec?.replicas ?? 1
      const progressing = cond('Progressing')
      if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
        return {health: 'failed', message: progressing.message ?? 'progress deadline exceeded'}
      }
      const updated = s.updatedReplicas ?? 0
      const available = s.availableReplicas ?? 0
      if (updated < want) return {health: 'progressing', message: `${updated}/${want} replicas updated`}
      if ((s.replicas ?? 0) > updated) return {health: 'progressing', message: 'old replicas still terminating'}
      if (available < want) {
        return {health: 'failed', message: `${available}/${want} replicas available`}
      }
      return {health: 'ready', message: `${available}/${want} replicas available`}
    }
    case 'StatefulSet': {
      const want = obj.spec?.replicas ?? 1
      const ready = s.readyReplicas ?? 0
      const updated = s.updatedReplicas ?? 0
      if (updated < want || (s.updateRevision && s.currentRevision !== s.updateRevision)) {
        return {health: 'progressing', message: `${updated}/${want} replicas updated`}
      }
      if (ready < want) return {health: 'failed', message: `${ready}/${want} replicas ready`}
      return {health: 'ready', message: `${ready}/${want} replicas ready`}
    }
    case 'DaemonSet': {
      const want = s.desiredNumberScheduled ?? 0
      const updated = s.updatedNumberScheduled ?? 0
      const available = s.numberAvailable ?? 0
      if (updated < want) return {health: 'progressing', message: `${updated}/${want} pods updated`}
      if (available < want) return {health: 'failed', message: `${available}/${want} pods available`}
      return {health: 'ready', message: `${available}/${want} pods available`}
    }
    case 'Job': {
      const failed = cond('Failed')
      if (failed?.status === 'True') return {health: 'failed', message: failed.message ?? failed.reason ?? 'job failed'}
      if (cond('Complete')?.status === 'True') return {health: 'ready', message: 'complete'}
      if ((s.active ?? 0) > 0) return {health: 'progressing', message: `${s.active} active`}
      return {health: 'unknown', message: 'not started'}
    }
    default:
      return {health: 'unknown', message: `no rollout rule for ${kind}`}
  }
}

export interface ControllerStatus {
  name: string
  namespace: string
  ready: boolean
  /** No Deployment of this controller in the Flux namespace, though objects need it. */
  missing: boolean
  replicas: number
  available: number
  images: string[]
  /** The image tag of the first container, e.g. `v1.6.0`. */
  version: string | null
  message: string
}

/** A Flux controller Deployment as `flux check` reports it: available replicas and image versions. */
export function controllerStatus(obj: WorkloadObject): ControllerStatus {
  const replicas = obj.spec?.replicas ?? 1
  const available = obj.status?.availableReplicas ?? 0
  const images = (obj.spec?.template?.spec?.containers ?? []).map((c) => c.image ?? '').filter(Boolean)
  const tag = images[0]?.replace(/@sha256:.*$/, '').match(/:([^:/]+)$/)?.[1] ?? null
  const ready = replicas > 0 && available >= replicas
  return {
    name: obj.metadata.name,
    namespace: obj.metadata.namespace ?? '',
    ready,
    missing: false,
    replicas,
    available,
    images,
    version: tag,
    message: replicas === 0 ? 'scaled to zero' : `${available}/${replicas} replicas available`,
  }
}
