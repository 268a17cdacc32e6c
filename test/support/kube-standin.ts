/**
 * A loopback Kubernetes API stand-in for the Flux kinds (no API server can be
 * installed here). It serves /version, /api and /apis discovery built from the
 * Flux v2.6 CRDs of the reference repository (served versions, priority order,
 * status subresources), list (with label selectors), get, merge-patch and watch
 * for those kinds, plus apps/v1 and batch/v1 workloads and v1 Secrets (`secretObject`; `forbid`
 * answers a 403 as RBAC does). Objects come from YAML
 * fixtures; tests mutate them (flip to ready) so watches emit MODIFIED events,
 * and every request is recorded.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {type IncomingMessage, type Server, type ServerResponse, createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import {parseAllDocuments} from 'yaml'

import {ROOT} from './cli.ts'

/** The Flux v2.6.0 CRDs: a copy of the reference gotk-components.yaml that travels with the fixtures. */
export const GOTK_COMPONENTS = join(ROOT, 'test/fixtures/flux/gotk-components.yaml')
export const FIXTURES = join(ROOT, 'test/fixtures/status')
/** The image automation CRDs (image-reflector- and image-automation-controller), which Flux installs only on request. */
export const IMAGE_CRDS = join(ROOT, 'test/fixtures/flux/image-crds.yaml')

export interface KubeObject {
  apiVersion: string
  kind: string
  metadata: {
    name: string
    namespace?: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
    generation?: number
    resourceVersion?: string
    uid?: string
    creationTimestamp?: string
    deletionTimestamp?: string
    [key: string]: unknown
  }
  spec?: Record<string, unknown>
  status?: Record<string, unknown>
  [key: string]: unknown
}

interface ResourceType {
  group: string
  kind: string
  plural: string
  singular: string
  namespaced: boolean
  shortNames?: string[]
  /** Served versions, in the server's priority order. */
  versions: string[]
  storage: string
  /** Versions with a status subresource. */
  statusVersions: Set<string>
}

export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string>
  accept?: string
  contentType?: string
  body?: string
  /** Arrival time (ms since epoch). */
  at: number
}

interface Watcher {
  type: ResourceType
  version: string
  namespace?: string
  selector?: Selector
  res: ServerResponse
}

type Selector = (labels: Record<string, string>) => boolean

/** Kubernetes version priority: GA > beta > alpha, higher numbers first (kube-aware sort). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v)
    if (!m) return [0, 0, 0]
    const level = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1
    return [level, Number(m[1]), Number(m[3] ?? 0)]
  }
  const [la, ma, na] = parse(a)
  const [lb, mb, nb] = parse(b)
  return (lb ?? 0) - (la ?? 0) || (mb ?? 0) - (ma ?? 0) || (nb ?? 0) - (na ?? 0)
}

/** The CRDs of a gotk-components.yaml (or the fixture copy) as resource types. */
export function loadCrds(file: string): ResourceType[] {
  const types: ResourceType[] = []
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const crd = doc.toJS() as {
      kind?: string
      spec?: {
        group: string
        scope: string
        names: {kind: string; plural: string; singular: string; shortNames?: string[]}
        versions: Array<{name: string; served: boolean; storage: boolean; subresources?: {status?: object}}>
      }
    } | null
    if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue
    const served = crd.spec.versions.filter((v) => v.served)
    types.push({
      group: crd.spec.group,
      kind: crd.spec.names.kind,
      plural: crd.spec.names.plural,
      singular: crd.spec.names.singular,
      shortNames: crd.spec.names.shortNames,
      namespaced: crd.spec.scope === 'Namespaced',
      versions: served.map((v) => v.name).sort(compareVersions),
      storage: crd.spec.versions.find((v) => v.storage)?.name ?? served[0]?.name ?? 'v1',
      statusVersions: new Set(served.filter((v) => v.subresources?.status).map((v) => v.name)),
    })
  }
  return types
}

const BUILTIN: ResourceType[] = [
  ['', 'Namespace', 'namespaces', false],
  ['', 'Pod', 'pods', true],
  ['', 'ConfigMap', 'configmaps', true],
  ['', 'Secret', 'secrets', true],
  ['apps', 'Deployment', 'deployments', true],
  ['apps', 'StatefulSet', 'statefulsets', true],
  ['apps', 'DaemonSet', 'daemonsets', true],
  ['batch', 'Job', 'jobs', true],
].map(([group, kind, plural, namespaced]) => ({
  group: group as string,
  kind: kind as string,
  plural: plural as string,
  singular: (kind as string).toLowerCase(),
  namespaced: namespaced as boolean,
  versions: ['v1'],
  storage: 'v1',
  statusVersions: new Set(['v1']),
}))

export function parseSelector(text: string | undefined): Selector | undefined {
  if (!text) return undefined
  const tests: Selector[] = []
  // Split on commas that are not inside parentheses.
  for (const term of text
    .split(/,(?![^(]*\))/)
    .map((t) => t.trim())
    .filter(Boolean)) {
    let m: RegExpExecArray | null
    if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(term))) {
      const [, key = '', op, value] = m
      tests.push(op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value)
    } else if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term))) {
      const [, key = '', op, list = ''] = m
      const values = list.split(',').map((v) => v.trim())
      tests.push(op === 'in' ? (l) => values.includes(l[key] ?? '\0') : (l) => !values.includes(l[key] ?? '\0'))
    } else if ((m = /^!([\w./-]+)$/.exec(term))) {
      const key = m[1] ?? ''
      tests.push((l) => !(key in l))
    } else if ((m = /^([\w./-]+)$/.exec(term))) {
      const key = m[1] ?? ''
      tests.push((l) => key in l)
    } else {
      throw new Error(`unable to parse requirement: ${term}`)
    }
  }
  return (labels) => tests.every((t) => t(labels))
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch
  const out: Record<string, unknown> =
    target && typeof target === 'object' && !Array.isArray(target) ? {...(target as Record<string, unknown>)} : {}
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k]
    else out[k] = mergePatch(out[k], v)
  }
  return out
}

export function readFixture(...files: string[]): KubeObject[] {
  const objects: KubeObject[] = []
  for (const file of files) {
    const path = file.includes('/') ? file : join(FIXTURES, file)
    for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
      const obj = doc.toJS() as KubeObject | null
      if (obj?.kind && obj.metadata?.name) objects.push(obj)
    }
  }
  return objects
}

/** A v1 Secret holding `data` (each value base64-encoded, as the API server serves it). */
export function secretObject(namespace: string, name: string, data: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {name, namespace},
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')])),
  }
}

export interface StandinOptions {
  /** CRD file (default: the reference gotk-components.yaml, else the fixture copy). */
  crds?: string
  /** More CRD files served beside them (e.g. IMAGE_CRDS: the image automation kinds). */
  extraCrds?: string[]
  objects?: KubeObject[]
  /** Serve no Flux CRDs at all (a cluster without Flux). */
  noFlux?: boolean
  /** Called after each merge-patch (e.g. to act as the controller and handle a reconcile request). */
  onPatch?: (obj: KubeObject, standin: KubeStandin) => void
  /** Send watch BOOKMARK events at this interval (ms). */
  bookmarkMs?: number
}

export class KubeStandin {
  readonly requests: RecordedRequest[] = []
  /** Injected failures: the first matching one answers instead of the resource. */
  /** Delay every answer (ms), to make concurrency observable through arrival times. */
  latencyMs = 0
  readonly faults: Array<{path: RegExp; method?: string; code: number; reason: string; message: string}> = []
  /** Watches get their headers, then nothing: no event, no end, timeoutSeconds ignored (a frozen server). */
  frozenWatches = false
  /** Watches get this page (200, text/html) and end at once: a proxy answering in the API server's place. */
  watchPage?: string
  readonly types: ResourceType[]
  onPatch?: StandinOptions['onPatch']
  private readonly store = new Map<string, KubeObject>()
  private readonly watchers = new Set<Watcher>()
  /** Recent events, replayed to a watch that starts from an older resourceVersion. */
  private readonly history: Array<{rv: number; eventType: string; type: ResourceType; obj: KubeObject}> = []
  private rv = 1000
  private server?: Server
  private bookmarkTimer?: NodeJS.Timeout
  port = 0

  constructor(options: StandinOptions = {}) {
    const crdFile = options.crds ?? GOTK_COMPONENTS
    this.types = [
      ...BUILTIN,
      ...(options.noFlux ? [] : loadCrds(crdFile)),
      ...(options.extraCrds ?? []).flatMap((file) => loadCrds(file)),
    ]
    this.onPatch = options.onPatch
    for (const obj of options.objects ?? []) this.put(obj)
    if (options.bookmarkMs) {
      this.bookmarkTimer = setInterval(() => this.bookmarks(), options.bookmarkMs)
      this.bookmarkTimer.unref()
    }
  }

  static async start(options: StandinOptions = {}): Promise<KubeStandin> {
    const standin = new KubeStandin(options)
    await standin.listen()
    return standin
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  async listen(port = 0): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res))
    this.server.keepAliveTimeout = 60_000
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve))
    this.port = (this.server.address() as AddressInfo).port
  }

  async stop(): Promise<void> {
    clearInterval(this.bookmarkTimer)
    for (const w of this.watchers) w.res.end()
    this.watchers.clear()
    const server = this.server
    if (!server) return
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    this.server = undefined
  }

  /**
   * A kubeconfig whose context (default `piksel-staging`) points here: plain http, with
   * insecure-skip-tls-verify unless `plainHttp` (then exactly what `kubectl proxy` users have).
   */
  writeKubeconfig(
    dir: string,
    options: {context?: string; file?: string; extraContexts?: string[]; plainHttp?: boolean} = {},
  ): string {
    const context = options.context ?? 'piksel-staging'
    const file = join(dir, options.file ?? 'kubeconfig')
    const contexts = [context, ...(options.extraContexts ?? [])]
    const text = [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: standin',
      '  cluster:',
      `    server: ${this.url}`,
      // plainHttp: as `kubectl proxy` users write it, http:// with no TLS setting at all.
      ...(options.plainHttp ? [] : ['    insecure-skip-tls-verify: true']),
      'users:',
      '- name: standin',
      '  user:',
      '    token: standin-token',
      'contexts:',
      ...contexts.flatMap((name) => [`- name: ${name}`, '  context:', '    cluster: standin', '    user: standin']),
      `current-context: ${context}`,
      '',
    ].join('\n')
    writeFileSync(file, text)
    return file
  }

  // ------------------------------------------------------------ objects

  private typeOf(apiVersionOrGroup: string, kind: string): ResourceType | undefined {
    const group = apiVersionOrGroup.includes('/')
      ? apiVersionOrGroup.split('/')[0]
      : apiVersionOrGroup === 'v1'
        ? ''
        : apiVersionOrGroup
    return this.types.find((t) => t.kind === kind && t.group === group)
  }

  private keyFor(type: ResourceType, namespace: string | undefined, name: string): string {
    return `${type.group}/${type.plural}/${namespace ?? ''}/${name}`
  }

  /** Add or replace an object (as written: any served apiVersion). Emits ADDED/MODIFIED. */
  put(input: KubeObject): KubeObject {
    const type = this.typeOf(input.apiVersion, input.kind)
    if (!type) throw new Error(`stand-in: no type for ${input.apiVersion} ${input.kind}`)
    const obj = structuredClone(input)
    const key = this.keyFor(type, obj.metadata.namespace, obj.metadata.name)
    const existing = this.store.get(key)
    obj.metadata.generation ??= existing?.metadata.generation ?? 1
    obj.metadata.uid ??= existing?.metadata.uid ?? `uid-${this.rv}`
    obj.metadata.creationTimestamp ??= existing?.metadata.creationTimestamp ?? '2026-11-20T08:00:00Z'
    obj.metadata.resourceVersion = String(++this.rv)
    this.store.set(key, obj)
    this.emit(existing ? 'MODIFIED' : 'ADDED', type, obj)
    return obj
  }

  get(kind: string, namespace: string, name: string): KubeObject | undefined {
    for (const obj of this.store.values()) {
      if (obj.kind === kind && (obj.metadata.namespace ?? '') === namespace && obj.metadata.name === name) return obj
    }
    return undefined
  }

  /** Change an object in place (e.g. flip it to ready); watchers see MODIFIED. */
  update(kind: string, namespace: string, name: string, change: (obj: KubeObject) => void): KubeObject {
    const obj = this.get(kind, namespace, name)
    if (!obj) throw new Error(`stand-in: no ${kind} ${namespace}/${name}`)
    const copy = structuredClone(obj)
    change(copy)
    return this.put(copy)
  }

  remove(kind: string, namespace: string, name: string): void {
    const obj = this.get(kind, namespace, name)
    if (!obj) return
    const type = this.typeOf(obj.apiVersion, obj.kind) as ResourceType
    this.store.delete(this.keyFor(type, namespace, name))
    obj.metadata.resourceVersion = String(++this.rv)
    this.emit('DELETED', type, obj)
  }

  /** End every open watch as the API server does on its timeout; with `expired`, first send a 410 ERROR event. */
  closeWatches(options: {expired?: boolean} = {}): void {
    for (const w of this.watchers) {
      if (options.expired) {
        const status = {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'Expired',
          code: 410,
          message: 'too old resource version',
        }
        w.res.write(`${JSON.stringify({type: 'ERROR', object: status})}\n`)
      }
      w.res.end()
    }
    this.watchers.clear()
  }

  all(): KubeObject[] {
    return [...this.store.values()]
  }

  /** Requests that listed (not watched) a resource, e.g. `listCalls('kustomizations')`. */
  listCalls(plural?: string): RecordedRequest[] {
    return this.requests.filter(
      (r) =>
        r.method === 'GET' &&
        r.query.watch !== 'true' &&
        r.query.watch !== '1' &&
        /\/(apis\/[^/]+|api)\/v[^/]+\/(namespaces\/[^/]+\/)?[a-z]+$/.test(r.path) &&
        !/\/namespaces$/.test(r.path) &&
        (!plural || r.path.endsWith(`/${plural}`)),
    )
  }

  /**
   * RBAC refuses `verb` on `plural` (core group) in `namespace` (optionally one object): a 403
   * with the API server's own wording. Returns a function that lifts the refusal.
   */
  forbid(namespace: string, plural: string, name?: string, verb = 'get'): () => void {
    const fault = {
      path: new RegExp(`^/api/v1/namespaces/${namespace}/${plural}${name ? `/${name}` : '(/[^/]+)?'}$`),
      method: 'GET',
      code: 403,
      reason: 'Forbidden',
      message: `${plural}${name ? ` "${name}"` : ''} is forbidden: User "piksel-reader" cannot ${verb} resource "${plural}" in API group "" in the namespace "${namespace}"`,
    }
    this.faults.push(fault)
    return () => {
      const at = this.faults.indexOf(fault)
      if (at >= 0) this.faults.splice(at, 1)
    }
  }

  patches(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'PATCH')
  }

  watches(): RecordedRequest[] {
    return this.requests.filter((r) => r.query.watch === 'true' || r.query.watch === '1')
  }

  // ------------------------------------------------------------ serving

  /** The object as served at `version`: apiVersion rewritten; status pruned where that version has no status. */
  private view(type: ResourceType, version: string, obj: KubeObject): KubeObject {
    const out = {...obj, apiVersion: type.group ? `${type.group}/${version}` : version}
    if (!type.statusVersions.has(version)) delete out.status
    return out
  }

  private emit(eventType: string, type: ResourceType, obj: KubeObject): void {
    this.history.push({rv: Number(obj.metadata.resourceVersion), eventType, type, obj})
    if (this.history.length > 5000) this.history.shift()
    for (const w of this.watchers) this.send1(w, eventType, obj)
  }

  private send1(w: Watcher, eventType: string, obj: KubeObject): void {
    if (this.typeOf(obj.apiVersion, obj.kind) !== w.type) return
    if (w.namespace && obj.metadata.namespace !== w.namespace) return
    if (w.selector && !w.selector(obj.metadata.labels ?? {})) return
    w.res.write(`${JSON.stringify({type: eventType, object: this.view(w.type, w.version, obj)})}\n`)
  }

  private bookmarks(): void {
    for (const w of this.watchers) {
      const apiVersion = w.type.group ? `${w.type.group}/${w.version}` : w.version
      w.res.write(
        `${JSON.stringify({type: 'BOOKMARK', object: {kind: w.type.kind, apiVersion, metadata: {resourceVersion: String(this.rv)}}})}\n`,
      )
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://standin')
      const record: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        accept: req.headers.accept,
        contentType: req.headers['content-type'],
        at: Date.now(),
      }
      if (chunks.length) record.body = Buffer.concat(chunks).toString('utf8')
      this.requests.push(record)
      const answer = () => {
        const fault = this.faults.find((f) => f.path.test(record.path) && (!f.method || f.method === record.method))
        if (fault) return this.status(res, fault.code, fault.reason, fault.message)
        try {
          this.route(record, res)
        } catch (error) {
          this.status(res, 500, 'InternalError', (error as Error).message)
        }
      }
      if (this.latencyMs > 0) setTimeout(answer, this.latencyMs)
      else answer()
    })
  }

  private send(res: ServerResponse, code: number, body: unknown): void {
    const text = JSON.stringify(body)
    res.writeHead(code, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)})
    res.end(text)
  }

  private status(res: ServerResponse, code: number, reason: string, message: string): void {
    this.send(res, code, {kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code})
  }

  private groups(): Map<string, ResourceType[]> {
    const groups = new Map<string, ResourceType[]>()
    for (const t of this.types) {
      if (!t.group) continue
      groups.set(t.group, [...(groups.get(t.group) ?? []), t])
    }
    return groups
  }

  private groupVersions(types: ResourceType[]): string[] {
    return [...new Set(types.flatMap((t) => t.versions))].sort(compareVersions)
  }

  private resourceList(groupVersion: string, types: ResourceType[], version: string): unknown {
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion,
      resources: types
        .filter((t) => t.versions.includes(version))
        .flatMap((t) => {
          const verbs = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch']
          const main = {
            name: t.plural,
            singularName: t.singular,
            namespaced: t.namespaced,
            kind: t.kind,
            verbs,
            ...(t.shortNames ? {shortNames: t.shortNames} : {}),
            storageVersionHash: `${t.kind}${version}`,
          }
          const status = {
            name: `${t.plural}/status`,
            singularName: '',
            namespaced: t.namespaced,
            kind: t.kind,
            verbs: ['get', 'patch', 'update'],
          }
          return t.statusVersions.has(version) ? [main, status] : [main]
        }),
    }
  }

  private route(r: RecordedRequest, res: ServerResponse): void {
    const path = r.path.replace(/\/+$/, '') || '/'
    if (path === '/version') {
      return this.send(res, 200, {major: '1', minor: '32', gitVersion: 'v1.32.0-standin', platform: 'linux/amd64'})
    }
    if (path === '/api') {
      return this.send(res, 200, {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${this.port}`}],
      })
    }
    if (path === '/apis') {
      // Plain APIGroupList even when aggregated discovery is asked for: clients fall back on the content type.
      return this.send(res, 200, {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [...this.groups()].map(([name, types]) => {
          const versions = this.groupVersions(types)
          const gv = (v: string) => ({groupVersion: `${name}/${v}`, version: v})
          return {name, versions: versions.map(gv), preferredVersion: gv(versions[0] ?? 'v1')}
        }),
      })
    }
    let m: RegExpExecArray | null
    if (path === '/api/v1') {
      return this.send(
        res,
        200,
        this.resourceList(
          'v1',
          this.types.filter((t) => t.group === ''),
          'v1',
        ),
      )
    }
    if ((m = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path))) {
      const [, group = '', version = ''] = m
      const types = this.groups().get(group)
      if (!types || !this.groupVersions(types).includes(version)) {
        return this.status(res, 404, 'NotFound', 'the server could not find the requested resource')
      }
      return this.send(res, 200, this.resourceList(`${group}/${version}`, types, version))
    }
    m =
      /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([a-z0-9]+)(?:\/([^/]+))?(?:\/(status))?$/.exec(
        path,
      )
    if (!m) return this.status(res, 404, 'NotFound', 'the server could not find the requested resource')
    const [, coreVersion, group = '', groupVersion, namespace, plural, name] = m
    const version = coreVersion ?? groupVersion ?? ''
    const type = this.types.find((t) => t.group === (coreVersion ? '' : group) && t.plural === plural)
    if (!type || !type.versions.includes(version)) {
      return this.status(res, 404, 'NotFound', 'the server could not find the requested resource')
    }
    if (type.kind === 'Namespace' && r.method === 'GET' && r.query.watch === undefined) {
      return this.namespaces(res, name === undefined ? undefined : decodeURIComponent(name))
    }
    if (!name) {
      if (r.method !== 'GET') return this.status(res, 405, 'MethodNotAllowed', 'method not allowed')
      let selector: Selector | undefined
      try {
        selector = parseSelector(r.query.labelSelector)
      } catch (error) {
        return this.status(res, 400, 'BadRequest', (error as Error).message)
      }
      if (r.query.watch === 'true' || r.query.watch === '1') {
        return this.watch(res, type, version, namespace, selector, r.query.resourceVersion, r.query.timeoutSeconds)
      }
      const items = [...this.store.values()]
        .filter((o) => this.typeOf(o.apiVersion, o.kind) === type)
        .filter((o) => !namespace || o.metadata.namespace === namespace)
        .filter((o) => !selector || selector(o.metadata.labels ?? {}))
        .sort((a, b) =>
          `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`),
        )
        .map((o) => this.view(type, version, o))
      return this.send(res, 200, {
        apiVersion: type.group ? `${type.group}/${version}` : version,
        kind: `${type.kind}List`,
        metadata: {resourceVersion: String(this.rv)},
        items,
      })
    }
    const key = this.keyFor(type, namespace, decodeURIComponent(name))
    const obj = this.store.get(key)
    if (!obj) {
      const resource = type.group ? `${type.plural}.${type.group}` : type.plural
      return this.status(res, 404, 'NotFound', `${resource} "${decodeURIComponent(name)}" not found`)
    }
    if (r.method === 'GET') return this.send(res, 200, this.view(type, version, obj))
    if (r.method === 'PATCH') {
      if (r.contentType !== 'application/merge-patch+json') {
        return this.status(res, 415, 'UnsupportedMediaType', `the stand-in takes merge patches, not ${r.contentType}`)
      }
      const patch = JSON.parse(r.body ?? '{}') as Record<string, unknown>
      const next = mergePatch(obj, patch) as KubeObject
      // The API server bumps generation when the spec changes, not on metadata.
      if (JSON.stringify(next.spec) !== JSON.stringify(obj.spec)) {
        next.metadata.generation = (obj.metadata.generation ?? 1) + 1
      }
      const stored = this.put(next)
      this.onPatch?.(stored, this)
      return this.send(res, 200, this.view(type, version, this.store.get(key) ?? stored))
    }
    return this.status(res, 405, 'MethodNotAllowed', 'method not allowed')
  }

  /**
   * Namespaces as a cluster has them: those put as Namespace objects, and every namespace an
   * object lives in (a real cluster has them all). GET one (404 when absent) or list them.
   */
  private namespaces(res: ServerResponse, name: string | undefined): void {
    const names = new Set<string>()
    for (const obj of this.store.values()) {
      if (obj.kind === 'Namespace') names.add(obj.metadata.name)
      else if (obj.metadata.namespace) names.add(obj.metadata.namespace)
    }
    const view = (n: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {name: n, resourceVersion: String(this.rv)},
      status: {phase: 'Active'},
    })
    if (name === undefined) {
      const items = [...names].sort().map(view)
      return this.send(res, 200, {
        apiVersion: 'v1',
        kind: 'NamespaceList',
        metadata: {resourceVersion: String(this.rv)},
        items,
      })
    }
    if (!names.has(name)) return this.status(res, 404, 'NotFound', `namespaces "${name}" not found`)
    return this.send(res, 200, view(name))
  }

  private watch(
    res: ServerResponse,
    type: ResourceType,
    version: string,
    namespace: string | undefined,
    selector: Selector | undefined,
    resourceVersion: string | undefined,
    timeoutSeconds?: string,
  ): void {
    if (this.watchPage !== undefined) {
      res.writeHead(200, {'content-type': 'text/html'})
      return void res.end(this.watchPage)
    }
    res.writeHead(200, {'content-type': 'application/json', 'transfer-encoding': 'chunked'})
    // Like the API server: headers go out at once, before any event.
    res.flushHeaders()
    // A frozen server: the headers, then nothing ever (no event, no end).
    if (this.frozenWatches) return
    // Like the API server: the watch ends after timeoutSeconds (the client starts another).
    const seconds = Number(timeoutSeconds)
    if (seconds > 0) {
      const timer = setTimeout(() => res.end(), seconds * 1000)
      timer.unref()
      res.on('close', () => clearTimeout(timer))
    }
    const watcher: Watcher = {type, version, namespace, selector, res}
    if (!resourceVersion) {
      // Without a resourceVersion a watch starts with the current state as ADDED events.
      for (const obj of this.store.values()) this.send1(watcher, 'ADDED', obj)
    } else {
      // From a resourceVersion: what changed since then.
      const since = Number(resourceVersion)
      for (const e of this.history) if (e.rv > since && e.type === type) this.send1(watcher, e.eventType, e.obj)
    }
    this.watchers.add(watcher)
    res.on('close', () => this.watchers.delete(watcher))
  }
}
