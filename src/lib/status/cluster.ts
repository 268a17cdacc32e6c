/**
 * A Flux cluster, opened once per command: the kubeconfig and context resolved, the API
 * discovered (`/apis`, then each Flux group version) once. It reads snapshots, follows
 * the cluster (follow.ts) and sets the reconcile annotation, all on that one connection.
 */
import type {KubeClient} from '../kube/client.ts'
import type {PluginEnv} from '../kube/config.ts'
import {OperationError, UsageError} from '../errors.ts'
import {type FollowOptions, follow} from './follow.ts'
import {FLUX_GROUPS, type GroupDiscovery, type ResolvedKind, resolveKinds} from './kinds.ts'
import type {ReconcileTarget} from './plan.ts'
import {
  type ListResponse,
  type ReadScope,
  Store,
  type Stream,
  firstStreams,
  objectPath,
  referenceStreams,
  withQuery,
} from './snapshot.ts'

export const RECONCILE_ANNOTATION = 'reconcile.fluxcd.io/requestedAt'

export interface ConnectOptions {
  /** --kubeconfig; otherwise KUBECONFIG or ~/.kube/config. */
  kubeconfig?: string
  /** --context: must exist. */
  context?: string
  /** The environment's cluster name: used as the context when the kubeconfig has one by that name. */
  contextIfPresent?: string
  /** The environment's AWS profile and region for the exec credential plugin (kube/config.ts). */
  pluginEnv?: PluginEnv
  /** Checked to exist while discovering (exit 2 when it does not). */
  namespace?: string
  /** Only these kinds (names as in FLUX_KINDS): each must be served (exit 2 otherwise). */
  kinds?: string[]
  signal?: AbortSignal
}

export interface ReconcileRequest {
  at: string
  patched: ReconcileTarget[]
}

export class FluxCluster {
  readonly client: KubeClient
  /** Every Flux kind the cluster serves, at the version discovery prefers. */
  readonly kinds: ResolvedKind[]
  /** Kinds to report (the --kind filter); others may be read only as sources. */
  readonly reported: ReadonlySet<string>

  private constructor(client: KubeClient, kinds: ResolvedKind[], reported: ReadonlySet<string>) {
    this.client = client
    this.kinds = kinds
    this.reported = reported
  }

  /** Resolve the kubeconfig and context, then discover the Flux API (and check -n) once. */
  static async open(options: ConnectOptions): Promise<FluxCluster> {
    const {kubeconfigExists, loadKubeConfig, noKubeconfigError} = await import('../kube/config.ts')
    const {KubeClient} = await import('../kube/client.ts')
    if (!options.kubeconfig && !process.env.KUBERNETES_SERVICE_HOST && !kubeconfigExists()) {
      // client-node would otherwise invent http://localhost:8080.
      throw noKubeconfigError(options.context ?? options.contextIfPresent ?? 'piksel-<env>', options.pluginEnv)
    }
    const kc = await loadKubeConfig({
      kubeconfig: options.kubeconfig,
      context: options.context,
      pluginEnv: options.pluginEnv,
    })
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
      return new FluxCluster(client, kinds, new Set(wanted))
    } catch (error) {
      client.close()
      throw error
    }
  }

  get context(): string {
    return this.client.contextName
  }

  get server(): string {
    return this.client.server
  }

  /** The first lists, then what the objects read reference, until nothing referenced is left unread. */
  async read(scope: ReadScope, signal?: AbortSignal): Promise<Store> {
    const store = new Store({
      context: this.context,
      server: this.server,
      kinds: this.kinds,
      reported: [...this.reported],
    })
    await this.readStreams(store, firstStreams(this.kinds, this.reported, scope), signal)
    for (let more = referenceStreams(store.snapshot()); more.length > 0; more = referenceStreams(store.snapshot())) {
      await this.readStreams(store, more, signal)
    }
    return store
  }

  /** Follow what a read holds through watches (follow.ts). */
  follow(store: Store, options: FollowOptions): Promise<{timedOut: boolean}> {
    return follow(this.client, store, options)
  }

  /** One object of a served kind; undefined when the kind is not served or the object does not exist. */
  async get<T>(kind: string, namespace: string, name: string, signal?: AbortSignal): Promise<T | undefined> {
    const k = this.kinds.find((x) => x.kind === kind)
    if (!k) return undefined
    try {
      return await this.client.get<T>(objectPath(k, namespace, name), {signal})
    } catch (error) {
      if ((error as {statusCode?: number}).statusCode === 404) return undefined
      throw error
    }
  }

  /** Set `reconcile.fluxcd.io/requestedAt` on each target, one after another in plan order. */
  async requestReconciliation(
    targets: ReconcileTarget[],
    now: Date = new Date(),
    signal?: AbortSignal,
  ): Promise<ReconcileRequest> {
    const at = now.toISOString()
    const patched: ReconcileTarget[] = []
    const byKind = new Map(this.kinds.map((k) => [k.kind, k]))
    for (const target of targets) {
      const k = byKind.get(target.kind)
      if (!k) continue
      await this.client.mergePatch(
        objectPath(k, target.namespace, target.name),
        {metadata: {annotations: {[RECONCILE_ANNOTATION]: at}}},
        {signal},
      )
      patched.push(target)
    }
    return {at, patched}
  }

  close(): void {
    this.client.close()
  }

  private async readStreams(store: Store, streams: Stream[], signal?: AbortSignal): Promise<void> {
    await Promise.all(
      streams.map(async (s) => {
        let list: ListResponse<never>
        try {
          list = await this.client.get<ListResponse<never>>(withQuery(s.path, {labelSelector: s.labelSelector}), {
            signal,
          })
        } catch (error) {
          throw s.labelSelector ? selectorError(error, s.labelSelector) : error
        }
        store.set(s, list)
      }),
    )
  }
}

/** Open a cluster, use it, close it. */
export async function withFluxCluster<T>(
  options: ConnectOptions,
  use: (cluster: FluxCluster) => Promise<T>,
): Promise<T> {
  const cluster = await FluxCluster.open(options)
  try {
    return await use(cluster)
  } finally {
    cluster.close()
  }
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
