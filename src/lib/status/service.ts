/**
 * `piksel status`: read the Flux objects of a cluster (one list per kind,
 * concurrently, at the versions discovery prefers), judge them with the rules
 * of health.ts, and follow the cluster through watches until it is healthy.
 * No flags, prompts or terminal here: plain options in, plain results out.
 */
import type {KubeClient, WatchEvent} from '../kube/client.ts'
import {OperationError, UsageError} from '../errors.ts'
import {findControllers, missingControllers, missingStatus} from './controllers.ts'
import {assessAll, markRequested, settle} from './across.ts'
import {type FluxObject, type ObjectHealth, assessObject, keyOf, objectKey} from './health.ts'
import {type Counts, type WorkloadCounts, countObjects, sortForDisplay, verdict} from './verdict.ts'
import {FLUX_GROUPS, type GroupDiscovery, type ResolvedKind, resolveKinds} from './kinds.ts'
import {type ReconcilePlan, type ReconcileTarget, planReconcile} from './plan.ts'
import {Coverage, type NamespacedKind, uncoveredReferences} from './scope.ts'
import {
  type ControllerStatus,
  type WorkloadObject,
  WORKLOAD_GROUPS,
  WORKLOAD_KINDS,
  rolloutState,
  workloadsInInventory,
} from './workloads.ts'

export const FLUX_NAMESPACE = 'flux-system'
export const RECONCILE_ANNOTATION = 'reconcile.fluxcd.io/requestedAt'

export interface StatusOptions {
  /** --kubeconfig; otherwise KUBECONFIG or ~/.kube/config. */
  kubeconfig?: string
  /** --context: must exist. */
  context?: string
  /** The environment's cluster name: used as the context when the kubeconfig has one by that name. */
  contextIfPresent?: string
  /** Show only this namespace (default: all namespaces); what the objects depend on is read wherever it is. */
  namespace?: string
  /** Only these kinds (names as in FLUX_KINDS). */
  kinds?: string[]
  /** Show only objects with these labels (passed to the API); what they depend on is read too. */
  selector?: string
  /** Also check the workloads in each Kustomization's inventory. */
  deep?: boolean
  /** Suspended objects do not make the verdict unhealthy. */
  ignoreSuspended?: boolean
  /** The Flux controllers' namespace (default flux-system). */
  fluxNamespace?: string
  signal?: AbortSignal
}

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
}

export interface WaitOptions extends StatusOptions {
  /** Give up after this long (the result is returned, unhealthy). */
  timeoutMs?: number
  /** Called with every new view of the cluster (after each batch of watch events). */
  onProgress?: (result: StatusResult) => void
  /** false: keep following until the signal aborts (`--watch`). Default true. */
  untilHealthy?: boolean
  /** After --reconcile: these objects count as progressing until Flux has handled the request. */
  requested?: {at: string; keys: string[]}
}

export interface WaitResult extends StatusResult {
  timedOut: boolean
  elapsedMs: number
}

/** Everything one read of the cluster needs to know, kept for watches and patches. */
export interface FluxSession {
  client: KubeClient
  kinds: ResolvedKind[]
  /** Kinds to report (the --kind filter); others may be read only as sources. */
  reported: Set<string>
  close: () => void
}

// ---------------------------------------------------------------- connection

export async function openSession(options: StatusOptions): Promise<FluxSession> {
  const {kubeconfigExists, loadKubeConfig} = await import('../kube/config.ts')
  const {KubeClient} = await import('../kube/client.ts')
  if (!options.kubeconfig && !process.env.KUBERNETES_SERVICE_HOST && !kubeconfigExists()) {
    // client-node would otherwise invent http://localhost:8080.
    const name = options.context ?? options.contextIfPresent ?? 'piksel-<env>'
    throw new OperationError('No kubeconfig found (KUBECONFIG is unset and ~/.kube/config does not exist).', {
      code: 'NO_KUBECONFIG',
      hint: `Run \`aws eks update-kubeconfig --name ${name} --alias ${name}\`, or pass --kubeconfig.`,
    })
  }
  const kc = await loadKubeConfig({kubeconfig: options.kubeconfig, context: options.context})
  if (!options.context && options.contextIfPresent && kc.getContextObject(options.contextIfPresent)) {
    kc.setCurrentContext(options.contextIfPresent)
  }
  const client = new KubeClient(kc)
  try {
    const [groups] = await Promise.all([
      discover(client, options.signal),
      options.namespace ? assertNamespace(client, options.namespace, options.signal) : undefined,
    ])
    const kinds = resolveKinds(groups)
    if (kinds.length === 0) {
      throw new OperationError(`Flux is not installed on the cluster of context "${client.contextName}".`, {
        code: 'FLUX_NOT_INSTALLED',
        hint: 'No *.toolkit.fluxcd.io API groups were found. Install Flux (`piksel bootstrap -e <env>`), or check --context.',
      })
    }
    const wanted = options.kinds ?? kinds.map((k) => k.kind)
    const missing = wanted.filter((w) => !kinds.some((k) => k.kind === w))
    // Asked for by name, a kind the cluster does not serve (e.g. the image automation kinds without
    // their CRDs) cannot be answered: an empty list would read as healthy.
    if (missing.length > 0) {
      throw new UsageError(`This cluster does not serve ${missing.join(', ')}.`, {
        code: 'KIND_NOT_SERVED',
        hint: `Served Flux kinds: ${kinds.map((k) => k.kind).join(', ')}.`,
      })
    }
    return {client, kinds, reported: new Set(wanted), close: () => client.close()}
  } catch (error) {
    client.close()
    throw error
  }
}

/** `-n` must name a namespace that exists (exit 2 otherwise); unreadable namespaces (RBAC) are not held against it. */
async function assertNamespace(client: KubeClient, namespace: string, signal?: AbortSignal): Promise<void> {
  try {
    await client.get(`/api/v1/namespaces/${encodeURIComponent(namespace)}`, {signal})
  } catch (error) {
    const status = (error as {statusCode?: number}).statusCode
    if (status === 404) {
      throw new UsageError(
        `Namespace "${namespace}" does not exist on the cluster of context "${client.contextName}".`,
        {
          code: 'NAMESPACE_NOT_FOUND',
          hint: 'Check -n/--namespace (`kubectl get namespaces`), or leave it out to see all namespaces.',
        },
      )
    }
    if (status === 403) return
    throw error
  }
}

/** /apis, then each Flux group's versions: which versions serve which resources. */
async function discover(client: KubeClient, signal?: AbortSignal): Promise<GroupDiscovery[]> {
  interface ApiGroupList {
    groups?: Array<{name: string; versions: Array<{version: string}>; preferredVersion?: {version: string}}>
  }
  interface ApiResourceList {
    resources?: Array<{name: string}>
  }
  const list = await client.get<ApiGroupList>('/apis', {signal})
  const flux = (list.groups ?? []).filter((g) => FLUX_GROUPS.includes(g.name))
  return Promise.all(
    flux.map(async (g) => {
      const versions = g.versions.map((v) => v.version)
      const resources: Record<string, string[]> = {}
      await Promise.all(
        versions.map(async (version) => {
          const rl = await client.get<ApiResourceList>(`/apis/${g.name}/${version}`, {signal})
          resources[version] = (rl.resources ?? []).map((r) => r.name)
        }),
      )
      return {group: g.name, preferredVersion: g.preferredVersion?.version ?? versions[0] ?? '', versions, resources}
    }),
  )
}

// ---------------------------------------------------------------- reading

interface Stream {
  /** A stable id: `<Kind>` (selected, or a whole kind), `<Kind>@<namespace>` (referenced objects), `controllers`, or a workload kind. */
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

/** The kinds to list up front: the reported ones plus the sources they need for staleness and root causes. */
function kindsToRead(session: FluxSession): ResolvedKind[] {
  const needed = new Set(session.reported)
  if (needed.has('Kustomization')) for (const k of ['GitRepository', 'OCIRepository', 'Bucket']) needed.add(k)
  if (needed.has('HelmRelease'))
    for (const k of ['HelmChart', 'HelmRepository', 'GitRepository', 'OCIRepository', 'Bucket']) needed.add(k)
  if (needed.has('HelmChart')) for (const k of ['HelmRepository', 'GitRepository', 'Bucket']) needed.add(k)
  if (needed.has('ImagePolicy')) needed.add('ImageRepository')
  if (needed.has('ImageUpdateAutomation')) needed.add('GitRepository')
  return session.kinds.filter((k) => needed.has(k.kind))
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
 * where they are (readReferences).
 */
function streamsFor(session: FluxSession, options: StatusOptions): Stream[] {
  const filtered = Boolean(options.namespace || options.selector)
  const streams: Stream[] = []
  for (const k of kindsToRead(session)) {
    if (session.reported.has(k.kind)) streams.push(fluxStream(k, 'selected', options.namespace, options.selector))
    else if (!filtered) streams.push(fluxStream(k, 'reference'))
  }
  // Every Deployment of the Flux namespace, whatever its labels (controllers.ts picks the controllers).
  const fluxNs = encodeURIComponent(fluxNamespaceOf(options))
  streams.push({
    id: 'controllers',
    kind: 'Deployment',
    role: 'controllers',
    path: `/apis/apps/v1/namespaces/${fluxNs}/deployments`,
  })
  if (options.deep) {
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

function fluxNamespaceOf(options: StatusOptions): string {
  return options.fluxNamespace ?? FLUX_NAMESPACE
}

/** What the Flux streams read so far cover (lists without a label selector). */
function coverageOf(streams: Stream[]): Coverage {
  const coverage = new Coverage()
  for (const s of streams) {
    if ((s.role !== 'selected' && s.role !== 'reference') || s.labelSelector) continue
    if (s.namespace) coverage.addNamespace(s.kind, s.namespace)
    else coverage.addKind(s.kind)
  }
  return coverage
}

/** The reference lists still needed to judge what has been read (empty when the closure is complete). */
function referenceStreams(session: FluxSession, snapshot: Snapshot): Stream[] {
  const coverage = coverageOf(snapshot.streams)
  // Every served kind read whole (no filter, no --kind): nothing can be missing.
  const partial = session.kinds.filter((k) => !coverage.coversKind(k.kind))
  if (partial.length === 0) return []
  const byKind = new Map(partial.map((k) => [k.kind, k]))
  const needed: NamespacedKind[] = uncoveredReferences(
    fluxObjects(session, snapshot).objects,
    coverage,
    new Set(byKind.keys()),
  )
  return needed.map((n) => fluxStream(byKind.get(n.kind) as ResolvedKind, 'reference', n.namespace))
}

/** The API path of one namespaced object of a discovered kind. */
function objectPath(k: ResolvedKind, namespace: string, name: string): string {
  return `/apis/${k.group}/${k.version}/namespaces/${encodeURIComponent(namespace)}/${k.plural}/${encodeURIComponent(name)}`
}

interface ListResponse<T> {
  metadata?: {resourceVersion?: string}
  items?: T[]
}

function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, v)
  const q = params.toString()
  return q ? `${path}?${q}` : path
}

/** The cluster as last seen: objects per stream, keyed by namespace/name. */
class Snapshot {
  readonly streams: Stream[] = []
  readonly items = new Map<string, Map<string, FluxObject | WorkloadObject>>()
  readonly versions = new Map<string, string>()

  set(stream: Stream, list: ListResponse<FluxObject | WorkloadObject>): void {
    if (!this.streams.includes(stream)) this.streams.push(stream)
    const map = new Map<string, FluxObject | WorkloadObject>()
    for (const item of list.items ?? []) {
      // Lists carry the kind on the list, not always on each item.
      if (!(item as FluxObject).kind) (item as FluxObject).kind = stream.kind
      map.set(`${item.metadata.namespace ?? ''}/${item.metadata.name}`, item)
    }
    this.items.set(stream.id, map)
    this.versions.set(stream.id, list.metadata?.resourceVersion ?? '')
  }

  apply(stream: Stream, event: WatchEvent<FluxObject | WorkloadObject>): boolean {
    const obj = event.object
    if (!obj?.metadata) return false
    if (obj.metadata.resourceVersion) this.versions.set(stream.id, obj.metadata.resourceVersion)
    if (event.type === 'BOOKMARK') return false
    const map = this.items.get(stream.id) ?? new Map()
    this.items.set(stream.id, map)
    const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`
    if (!(obj as FluxObject).kind) (obj as FluxObject).kind = stream.kind
    if (event.type === 'DELETED') map.delete(key)
    else map.set(key, obj)
    return true
  }

  list<T>(id: string): T[] {
    return [...(this.items.get(id)?.values() ?? [])] as T[]
  }
}

/**
 * Every Flux object read, once (an object may be in a selected and in a reference list: the
 * later version is kept), and which of them are selected: listed and counted.
 */
function fluxObjects(session: FluxSession, snapshot: Snapshot): {objects: FluxObject[]; selected: Set<FluxObject>} {
  const streams = snapshot.streams.filter((s) => s.role === 'selected' || s.role === 'reference')
  const listsPerKind = new Map<string, number>()
  for (const s of streams) listsPerKind.set(s.kind, (listsPerKind.get(s.kind) ?? 0) + 1)
  const objects: FluxObject[] = []
  const selected = new Set<FluxObject>()
  const merged = new Map<string, {obj: FluxObject; selected: boolean}>()
  for (const s of streams) {
    const isSelected = s.role === 'selected' && session.reported.has(s.kind)
    const single = listsPerKind.get(s.kind) === 1
    for (const obj of snapshot.list<FluxObject>(s.id)) {
      obj.kind = s.kind
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

async function readStreams(session: FluxSession, options: StatusOptions, snapshot: Snapshot, streams: Stream[]) {
  await Promise.all(
    streams.map(async (s) => {
      let list: ListResponse<FluxObject>
      try {
        list = await session.client.get<ListResponse<FluxObject>>(withQuery(s.path, {labelSelector: s.labelSelector}), {
          signal: options.signal,
        })
      } catch (error) {
        throw s.labelSelector ? selectorError(error, s.labelSelector) : error
      }
      snapshot.set(s, list)
    }),
  )
}

/** The API server refuses a malformed `-l` (400, "unable to parse requirement"): bad usage, exit 2. */
function selectorError(error: unknown, selector: string): unknown {
  if ((error as {statusCode?: number}).statusCode !== 400) return error
  const why = (error as Error).message.replace(/^.*?failed \(400\): /, '')
  return new UsageError(`-l/--selector "${selector}" is not a label selector: ${why}`, {
    code: 'INVALID_FLAG',
    hint: 'e.g. -l team=a, -l "team in (a,b)", -l "!canary" (kubectl label selector syntax).',
  })
}

/** The first lists, then what the objects read reference, until nothing referenced is left unread. */
async function readAll(session: FluxSession, options: StatusOptions): Promise<Snapshot> {
  const snapshot = new Snapshot()
  await readStreams(session, options, snapshot, streamsFor(session, options))
  for (let more = referenceStreams(session, snapshot); more.length > 0; more = referenceStreams(session, snapshot)) {
    await readStreams(session, options, snapshot, more)
  }
  return snapshot
}

// ---------------------------------------------------------------- judging

/**
 * Judge everything read (the selection and what it references), then list and count only the
 * selection: the verdict of a selection is the verdict of the same objects without filters.
 */
function evaluate(
  session: FluxSession,
  options: StatusOptions,
  snapshot: Snapshot,
  sticky?: {seenReady: Set<string>; requested?: WaitOptions['requested']},
): {result: StatusResult; objects: FluxObject[]; reported: ObjectHealth[]} {
  const byKind = new Map(session.kinds.map((k) => [k.kind, k]))
  const {objects, selected} = fluxObjects(session, snapshot)
  for (const obj of objects) {
    // Objects are reported at the version read, whatever version they were written with.
    const k = byKind.get(obj.kind)
    if (k) obj.apiVersion = k.apiVersion
  }
  const requested = new Set(sticky?.requested?.keys ?? [])
  const adjust = sticky
    ? (r: ObjectHealth, obj: FluxObject): ObjectHealth => {
        const at = sticky.requested?.at
        if (at && requested.has(keyOf(obj)) && obj.status?.lastHandledReconcileAt !== at) {
          return markRequested(r, obj, at)
        }
        return settle(r, obj, sticky.seenReady)
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
  if (sticky)
    for (const [i, r] of assessed.entries())
      if (r.health === 'ready') sticky.seenReady.add(keyOf(objects[i] as FluxObject))
  const reported = assessed.filter((_, i) => selected.has(objects[i] as FluxObject))

  // Controllers: those running, and those the judged objects need but that have no Deployment.
  const fluxNamespace = fluxNamespaceOf(options)
  const found = findControllers(snapshot.list<WorkloadObject>('controllers'))
  const perKind: Record<string, number> = {}
  for (const obj of objects) perKind[obj.kind] = (perKind[obj.kind] ?? 0) + 1
  const missing = missingControllers(found, perKind)
  const controllers = [...found, ...missing.map((m) => missingStatus(m, fluxNamespace))].sort((a, b) =>
    a.name.localeCompare(b.name),
  )

  const workloads = options.deep
    ? deepWorkloads(
        snapshot,
        objects.filter((o) => selected.has(o)),
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
  })
  const result: StatusResult = {
    verdict: v.healthy ? 'healthy' : 'unhealthy',
    summary: v.line,
    context: session.client.contextName,
    server: session.client.server,
    fluxNamespace,
    counts,
    controllers,
    objects: sortForDisplay(reported),
  }
  if (workloads) result.workloads = workloads
  return {result, objects, reported}
}

function deepWorkloads(snapshot: Snapshot, objects: FluxObject[]): WorkloadHealth[] {
  const index = new Map<string, WorkloadObject>()
  for (const kind of WORKLOAD_KINDS) {
    for (const w of snapshot.list<WorkloadObject>(kind)) {
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

// ---------------------------------------------------------------- public API

/** One read of the cluster: the `piksel status --json` document. */
export async function getFluxStatus(options: StatusOptions): Promise<StatusResult> {
  const session = await openSession(options)
  try {
    const snapshot = await readAll(session, options)
    return evaluate(session, options, snapshot).result
  } finally {
    session.close()
  }
}

/**
 * Follow the cluster through watches until it is healthy (or, with
 * `untilHealthy: false`, until the signal aborts), or the timeout. Objects seen
 * ready stay ready through a routine re-reconcile.
 */
export async function waitForHealthy(options: WaitOptions): Promise<WaitResult> {
  const started = Date.now()
  const session = await openSession(options)
  const stops = new Map<string, () => void>()
  const sticky = {seenReady: new Set<string>(), requested: options.requested}
  let finished = false
  try {
    const snapshot = await readAll(session, options)
    let last = evaluate(session, options, snapshot, sticky).result
    options.onProgress?.(last)
    const untilHealthy = options.untilHealthy ?? true
    if (untilHealthy && last.verdict === 'healthy') return {...last, timedOut: false, elapsedMs: Date.now() - started}

    return await new Promise<WaitResult>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined
      let pending: NodeJS.Timeout | undefined
      // Watch restarts waiting out their backoff. They hold the process open: under --watch
      // (no --timeout timer) nothing else may, and an unref'd one let it exit 0 mid-wait.
      const restarts = new Set<NodeJS.Timeout>()
      const finish = (timedOut: boolean) => {
        if (finished) return
        finished = true
        clearTimeout(timer)
        clearTimeout(pending)
        for (const restart of restarts) clearTimeout(restart)
        options.signal?.removeEventListener('abort', onAbort)
        resolve({...last, timedOut, elapsedMs: Date.now() - started})
      }
      const fail = (error: unknown) => {
        if (finished) return
        finished = true
        clearTimeout(timer)
        clearTimeout(pending)
        for (const restart of restarts) clearTimeout(restart)
        options.signal?.removeEventListener('abort', onAbort)
        reject(error)
      }
      const onAbort = () => {
        if (untilHealthy) fail(options.signal?.reason ?? new Error('aborted'))
        else finish(false)
      }
      if (options.signal?.aborted) return onAbort()
      options.signal?.addEventListener('abort', onAbort, {once: true})
      if (options.timeoutMs !== undefined && Number.isFinite(options.timeoutMs)) {
        timer = setTimeout(() => finish(true), Math.max(0, options.timeoutMs - (Date.now() - started)))
      }
      // Batch bursts of events into one evaluation.
      const recompute = () => {
        if (pending || finished) return
        pending = setTimeout(() => {
          pending = undefined
          if (finished) return
          // Objects may have come to reference others not read yet (a new dependsOn): read and follow them too.
          for (const stream of referenceStreams(session, snapshot)) {
            snapshot.streams.push(stream)
            void relist(stream)
          }
          last = evaluate(session, options, snapshot, sticky).result
          options.onProgress?.(last)
          if (untilHealthy && last.verdict === 'healthy') finish(false)
        }, 50)
      }
      // Each (re)started watch of a stream gets a token; callbacks of superseded ones are ignored.
      const tokens = new Map<string, number>()
      // Since when a stream's watch has failed without an event in between: a server that keeps
      // failing it for longer than one request may take is not coming back on its own.
      const failingSince = new Map<string, number>()
      const startWatch = async (stream: Stream, attempt = 0): Promise<void> => {
        if (finished) return
        const token = (tokens.get(stream.id) ?? 0) + 1
        tokens.set(stream.id, token)
        const current = () => !finished && tokens.get(stream.id) === token
        const stop = await session.client.watch<FluxObject>(
          stream.path,
          {resourceVersion: snapshot.versions.get(stream.id) || undefined, labelSelector: stream.labelSelector},
          (event) => {
            if (!current()) return
            failingSince.delete(stream.id)
            if (event.type === 'ERROR') {
              // 410 Gone: the resourceVersion is too old; list again.
              tokens.set(stream.id, token + 1)
              stops.get(stream.id)?.()
              void relist(stream)
              return
            }
            if (snapshot.apply(stream, event)) recompute()
          },
          (error) => {
            if (!current()) return
            // A server that stopped answering (TIMEOUT) or refuses the watch: restarting would only loop.
            if ((error as {retryable?: boolean} | null)?.retryable === false) return fail(error)
            if ((error as {statusCode?: number} | null)?.statusCode === 410) {
              tokens.set(stream.id, token + 1)
              void relist(stream)
              return
            }
            if (error) {
              const since = failingSince.get(stream.id) ?? Date.now()
              failingSince.set(stream.id, since)
              if (Date.now() - since >= session.client.timeouts.requestMs) return fail(error)
            } else failingSince.delete(stream.id)
            // Streams end routinely (server timeouts); resume, backing off after repeated errors.
            const delay = error ? Math.min(5000, 250 * 2 ** attempt) : 0
            const restart = setTimeout(() => {
              restarts.delete(restart)
              void startWatch(stream, error ? attempt + 1 : 0).catch(fail)
            }, delay)
            restarts.add(restart)
          },
        )
        if (finished) stop()
        else stops.set(stream.id, stop)
      }
      const relist = async (stream: Stream) => {
        try {
          const list = await session.client.get<ListResponse<FluxObject>>(
            withQuery(stream.path, {labelSelector: stream.labelSelector}),
          )
          snapshot.set(stream, list)
          recompute()
          await startWatch(stream)
        } catch (error) {
          fail(error)
        }
      }
      Promise.all(snapshot.streams.map((s) => startWatch(s))).catch(fail)
    })
  } finally {
    finished = true
    for (const stop of stops.values()) stop()
    session.close()
  }
}

export interface ReconcilePreview {
  status: StatusResult
  plan: ReconcilePlan
}

/** What `--reconcile` would annotate: failed and stale Kustomizations and HelmReleases, sources first. */
export async function planReconciliation(options: StatusOptions): Promise<ReconcilePreview> {
  const session = await openSession(options)
  try {
    const snapshot = await readAll(session, options)
    const {result, objects, reported} = evaluate(session, options, snapshot)
    const byKind = new Map(session.kinds.map((k) => [k.kind, k]))
    return {
      status: result,
      plan: planReconcile(objects, reported, {
        fluxNoun: (kind) => byKind.get(kind)?.fluxNoun ?? kind.toLowerCase(),
        hasStatus: (kind) => byKind.get(kind)?.hasStatus,
      }),
    }
  } finally {
    session.close()
  }
}

export interface ReconcileRequest {
  at: string
  patched: ReconcileTarget[]
}

/** Set `reconcile.fluxcd.io/requestedAt` on each target, one after another in plan order. */
export async function requestReconciliation(
  options: StatusOptions,
  targets: ReconcileTarget[],
  now: Date = new Date(),
): Promise<ReconcileRequest> {
  const session = await openSession({...options, kinds: undefined})
  const at = now.toISOString()
  const patched: ReconcileTarget[] = []
  try {
    const byKind = new Map(session.kinds.map((k) => [k.kind, k]))
    for (const target of targets) {
      const k = byKind.get(target.kind)
      if (!k) continue
      await session.client.mergePatch(
        objectPath(k, target.namespace, target.name),
        {metadata: {annotations: {[RECONCILE_ANNOTATION]: at}}},
        {signal: options.signal},
      )
      patched.push(target)
    }
    return {at, patched}
  } finally {
    session.close()
  }
}

export function requestedKeys(request: ReconcileRequest): string[] {
  return request.patched.map((t) => objectKey(t.kind, t.namespace, t.name))
}

// ---------------------------------------------------------------- flux-system

/** What flux-system syncs, and whether it is Ready: bootstrap's "already done?" question. */
export interface FluxSystemSync {
  installed: boolean
  /** GitRepository flux-system spec.url. */
  url?: string
  branch?: string
  /** Kustomization flux-system spec.path. */
  path?: string
  /** Kustomization flux-system spec.sourceRef (its namespace defaults to the Kustomization's, as in Flux). */
  source?: {kind: string; name: string; namespace: string}
  /** Both objects are ready by the health rules. */
  ready: boolean
}

/** Reads the flux-system GitRepository and Kustomization (two GETs at the discovered versions). */
export async function readFluxSystem(options: StatusOptions): Promise<FluxSystemSync> {
  const ns = options.fluxNamespace ?? FLUX_NAMESPACE
  let session: FluxSession
  try {
    session = await openSession({...options, kinds: ['GitRepository', 'Kustomization']})
  } catch (error) {
    if ((error as {code?: string}).code === 'FLUX_NOT_INSTALLED') return {installed: false, ready: false}
    throw error
  }
  try {
    const get = async (kind: string) => {
      const k = session.kinds.find((x) => x.kind === kind)
      if (!k) return undefined
      try {
        const obj = await session.client.get<FluxObject>(objectPath(k, ns, 'flux-system'), {signal: options.signal})
        return {obj, ready: assessObject(obj, {hasStatus: k.hasStatus}).health === 'ready'}
      } catch (error) {
        if ((error as {statusCode?: number}).statusCode === 404) return undefined
        throw error
      }
    }
    const [git, ks] = await Promise.all([get('GitRepository'), get('Kustomization')])
    // Half a flux-system (one of the two left) still syncs something: it is installed, not Ready.
    if (!git && !ks) return {installed: false, ready: false}
    const spec = (o: FluxObject | undefined) =>
      (o?.spec ?? {}) as {
        url?: string
        ref?: {branch?: string}
        path?: string
        sourceRef?: {kind?: string; name?: string; namespace?: string}
      }
    const {url, ref: {branch} = {}} = spec(git?.obj)
    const {path, sourceRef: ref} = spec(ks?.obj)
    return {
      installed: true,
      ...(url === undefined ? {} : {url}),
      ...(branch === undefined ? {} : {branch}),
      ...(path === undefined ? {} : {path}),
      ...(ref?.kind && ref.name ? {source: {kind: ref.kind, name: ref.name, namespace: ref.namespace ?? ns}} : {}),
      ready: Boolean(git?.ready && ks?.ready),
    }
  } finally {
    session.close()
  }
}
