/**
 * What `status` reads of a cluster, and what it still has to read: the streams (one list,
 * then one watch, each), the store that holds their objects while the cluster is followed,
 * and the plain snapshot of it that judge.ts judges. No I/O here.
 */
import {type FluxObject, keyOf} from './health.ts'
import type {ResolvedKind} from './kinds.ts'
import {Coverage, type NamespacedKind, uncoveredReferences} from './scope.ts'
import {type WorkloadObject, WORKLOAD_GROUPS, WORKLOAD_KINDS} from './workloads.ts'

export const FLUX_NAMESPACE = 'flux-system'

/** One list of the cluster, followed by one watch. */
export interface Stream {
  /** A stable id: `<Kind>` (selected, or a whole kind), `<Kind>@<namespace>` (referenced objects), `<Kind>@*` (a kind referenced again, read whole), `controllers`, or a workload kind. */
  id: string
  /** The kind of the objects in it (Deployment for the controllers). */
  kind: string
  /**
   * selected: the objects to list and count (the filters apply); reference: objects read
   * only to judge the selection (no selector; a whole kind, or one namespace of it).
   */
  role: 'selected' | 'reference' | 'controllers' | 'workloads'
  path: string
  namespace?: string
  labelSelector?: string
}

/** What to read: the filters (-n, -l), --deep, and where the controllers run. */
export interface ReadScope {
  /** Show only this namespace; what the objects depend on is read wherever it is. */
  namespace?: string
  /** Show only objects with these labels (passed to the API); what they depend on is read too. */
  selector?: string
  /** Also read the workloads (Deployments, StatefulSets, DaemonSets, Jobs) of every namespace. */
  deep?: boolean
  /** The Flux controllers' namespace. */
  fluxNamespace: string
}

/** A cluster as read at one moment: plain data, judged by judge.ts without being changed. */
export interface Snapshot {
  context: string
  server: string
  /** Every Flux kind the cluster serves, at the version read (discovery). */
  kinds: readonly ResolvedKind[]
  /** The kinds reported (the --kind filter); the others may be read as sources only. */
  reported: readonly string[]
  /** Each stream read, with the objects it holds (each carrying its kind). */
  lists: ReadonlyArray<{stream: Stream; items: ReadonlyArray<FluxObject | WorkloadObject>}>
}

export interface ListResponse<T> {
  metadata?: {resourceVersion?: string}
  items?: T[]
}

export interface WatchEventOf<T> {
  type: string
  object: T
}

export function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, v)
  const q = params.toString()
  return q ? `${path}?${q}` : path
}

/** The API path of one namespaced object of a discovered kind. */
export function objectPath(k: ResolvedKind, namespace: string, name: string): string {
  return `/apis/${k.group}/${k.version}/namespaces/${encodeURIComponent(namespace)}/${k.plural}/${encodeURIComponent(name)}`
}

/** The kinds to list up front: the reported ones plus the sources they need for staleness and root causes. */
function kindsToRead(kinds: readonly ResolvedKind[], reported: ReadonlySet<string>): ResolvedKind[] {
  const needed = new Set(reported)
  if (needed.has('Kustomization')) for (const k of ['GitRepository', 'OCIRepository', 'Bucket']) needed.add(k)
  if (needed.has('HelmRelease'))
    for (const k of ['HelmChart', 'HelmRepository', 'GitRepository', 'OCIRepository', 'Bucket']) needed.add(k)
  if (needed.has('HelmChart')) for (const k of ['HelmRepository', 'GitRepository', 'Bucket']) needed.add(k)
  if (needed.has('ImagePolicy')) needed.add('ImageRepository')
  if (needed.has('ImageUpdateAutomation')) needed.add('GitRepository')
  return kinds.filter((k) => needed.has(k.kind))
}

function fluxStream(
  k: ResolvedKind,
  role: 'selected' | 'reference',
  namespace?: string,
  labelSelector?: string,
): Stream {
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''
  return {
    id: role === 'reference' && namespace ? `${k.kind}@${namespace}` : k.kind,
    kind: k.kind,
    role,
    path: `/apis/${k.group}/${k.version}${ns}/${k.plural}`,
    namespace,
    labelSelector,
  }
}

/**
 * The first lists: the reported kinds with the filters; without filters, the sources they
 * need as whole kinds (one list each). With filters, referenced objects are read afterwards,
 * where they are (referenceStreams).
 */
export function firstStreams(
  kinds: readonly ResolvedKind[],
  reported: ReadonlySet<string>,
  scope: ReadScope,
): Stream[] {
  const filtered = Boolean(scope.namespace || scope.selector)
  const streams: Stream[] = []
  for (const k of kindsToRead(kinds, reported)) {
    if (reported.has(k.kind)) streams.push(fluxStream(k, 'selected', scope.namespace, scope.selector))
    else if (!filtered) streams.push(fluxStream(k, 'reference'))
  }
  // Every Deployment of the Flux namespace, whatever its labels (controllers.ts picks the controllers).
  streams.push({
    id: 'controllers',
    kind: 'Deployment',
    role: 'controllers',
    path: `/apis/apps/v1/namespaces/${encodeURIComponent(scope.fluxNamespace)}/deployments`,
  })
  if (scope.deep) {
    for (const kind of WORKLOAD_KINDS) {
      streams.push({
        id: kind,
        kind,
        role: 'workloads',
        path: `/apis/${WORKLOAD_GROUPS[kind]}/v1/${kind.toLowerCase()}s`,
      })
    }
  }
  return streams
}

/** What the Flux streams read so far cover (lists without a label selector). */
function coverageOf(streams: Iterable<Stream>): Coverage {
  const coverage = new Coverage()
  for (const s of streams) {
    if ((s.role !== 'selected' && s.role !== 'reference') || s.labelSelector) continue
    if (s.namespace) coverage.addNamespace(s.kind, s.namespace)
    else coverage.addKind(s.kind)
  }
  return coverage
}

/**
 * The reference lists still needed to judge what has been read (empty when the closure is
 * complete): one per (kind, namespace) the first time a kind is needed; a kind needed again
 * (a dependsOn chain going on through more namespaces) is read whole, in one list, so the
 * read takes at most two rounds per kind rather than one per namespace the chain passes
 * through (each round waits for the API server: 40 rounds of 50 ms made `-n` six times
 * slower than reading everything).
 */
export function referenceStreams(snapshot: Snapshot): Stream[] {
  const streams = snapshot.lists.map((l) => l.stream)
  const coverage = coverageOf(streams)
  // Every served kind read whole (no filter, no --kind): nothing can be missing.
  const partial = snapshot.kinds.filter((k) => !coverage.coversKind(k.kind))
  if (partial.length === 0) return []
  const byKind = new Map(partial.map((k) => [k.kind, k]))
  const needed: NamespacedKind[] = uncoveredReferences(fluxObjects(snapshot).objects, coverage, new Set(byKind.keys()))
  const readBefore = new Set(streams.filter((s) => s.role === 'reference' && s.namespace).map((s) => s.kind))
  const out: Stream[] = []
  const whole = new Set<string>()
  for (const n of needed) {
    const k = byKind.get(n.kind) as ResolvedKind
    if (!readBefore.has(n.kind)) out.push(fluxStream(k, 'reference', n.namespace))
    else if (!whole.has(n.kind)) {
      whole.add(n.kind)
      // Its own id: the selected list of the kind (if any) has the kind's name.
      out.push({...fluxStream(k, 'reference'), id: `${k.kind}@*`})
    }
  }
  return out
}

/**
 * Every Flux object read, once (an object may be in a selected and in a reference list: the
 * later version is kept), and which of them are selected: listed and counted.
 */
export function fluxObjects(snapshot: Snapshot): {objects: FluxObject[]; selected: Set<FluxObject>} {
  const lists = snapshot.lists.filter((l) => l.stream.role === 'selected' || l.stream.role === 'reference')
  const reported = new Set(snapshot.reported)
  const listsPerKind = new Map<string, number>()
  for (const {stream} of lists) listsPerKind.set(stream.kind, (listsPerKind.get(stream.kind) ?? 0) + 1)
  const objects: FluxObject[] = []
  const selected = new Set<FluxObject>()
  const merged = new Map<string, {obj: FluxObject; selected: boolean}>()
  for (const {stream, items} of lists) {
    const isSelected = stream.role === 'selected' && reported.has(stream.kind)
    const single = listsPerKind.get(stream.kind) === 1
    for (const item of items as FluxObject[]) {
      const obj = item.kind === stream.kind ? item : {...item, kind: stream.kind}
      if (single) {
        objects.push(obj)
        if (isSelected) selected.add(obj)
        continue
      }
      const key = keyOf(obj)
      const seen = merged.get(key)
      const newer = !seen || Number(obj.metadata.resourceVersion ?? 0) >= Number(seen.obj.metadata.resourceVersion ?? 0)
      merged.set(key, {
        obj: newer ? obj : (seen as {obj: FluxObject}).obj,
        selected: isSelected || (seen?.selected ?? false),
      })
    }
  }
  for (const {obj, selected: isSelected} of merged.values()) {
    objects.push(obj)
    if (isSelected) selected.add(obj)
  }
  return {objects, selected}
}

type Item = FluxObject | WorkloadObject

/** Lists carry the kind on the list, not always on each item: the store's copy carries it. */
function withKind(item: Item, kind: string): Item {
  return (item as FluxObject).kind ? item : ({...item, kind} as Item)
}

/** The cluster as last seen, kept current by the watches: objects per stream, keyed by namespace/name. */
export class Store {
  readonly streams: Stream[] = []
  readonly versions = new Map<string, string>()
  private readonly items = new Map<string, Map<string, Item>>()

  private readonly header: Omit<Snapshot, 'lists'>

  constructor(header: Omit<Snapshot, 'lists'>) {
    this.header = header
  }

  /** A stream's list: replaces what the stream held. */
  set(stream: Stream, list: ListResponse<Item>): void {
    if (!this.streams.includes(stream)) this.streams.push(stream)
    const map = new Map<string, Item>()
    for (const item of list.items ?? [])
      map.set(`${item.metadata.namespace ?? ''}/${item.metadata.name}`, withKind(item, stream.kind))
    this.items.set(stream.id, map)
    this.versions.set(stream.id, list.metadata?.resourceVersion ?? '')
  }

  /** A stream read later (a new reference): followed from its first list. */
  add(stream: Stream): void {
    if (!this.streams.includes(stream)) this.streams.push(stream)
  }

  /** Some stream added has not been listed yet: what the objects reference is not all here. */
  unlisted(): boolean {
    return this.streams.some((s) => !this.items.has(s.id))
  }

  /** A watch event; false when nothing the snapshot holds changed (a bookmark). */
  apply(stream: Stream, event: WatchEventOf<Item>): boolean {
    const obj = event.object
    if (!obj?.metadata) return false
    if (obj.metadata.resourceVersion) this.versions.set(stream.id, obj.metadata.resourceVersion)
    if (event.type === 'BOOKMARK') return false
    const map = this.items.get(stream.id) ?? new Map<string, Item>()
    this.items.set(stream.id, map)
    const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`
    if (event.type === 'DELETED') map.delete(key)
    else map.set(key, withKind(obj, stream.kind))
    return true
  }

  snapshot(): Snapshot {
    return {
      ...this.header,
      lists: this.streams.map((stream) => ({stream, items: [...(this.items.get(stream.id)?.values() ?? [])]})),
    }
  }
}
