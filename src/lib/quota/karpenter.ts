/**
 * What Karpenter may launch, read from its NodePools: per GPU quota family ×
 * market, how many vCPUs the pools' limits allow. Pure: YAML text and EC2
 * instance-type facts in, bounds and warnings out (the files and EC2 are read
 * by gitops.ts), so it is tested table-driven.
 *
 * The rules, from the Karpenter docs (karpenter.sh, Concepts → NodePools):
 * - NodePools are `karpenter.sh/v1` (and `v1beta1`, still served by Karpenter v1.0) with kind
 *   `NodePool`; other documents are skipped.
 * - `spec.template.spec.requirements` narrow the instance types. Read here:
 *   `karpenter.k8s.aws/instance-category` (g, p, inf...), `karpenter.k8s.aws/instance-family`
 *   (g5, p4d...), `node.kubernetes.io/instance-type` (g5.xlarge), `karpenter.k8s.aws/instance-size`
 *   (xlarge) and `karpenter.sh/capacity-type`, with the operators `In`, `NotIn`, `Exists` and
 *   `DoesNotExist` (several requirements on one key all apply); `karpenter.k8s.aws/instance-gpu-count`
 *   (`In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt`) and `karpenter.k8s.aws/instance-gpu-manufacturer`
 *   narrow the types a limit's ratio is taken over; Karpenter sets these labels only on types EC2
 *   describes with GPUs (GpuInfo), so a pool that requires one (`In`, `Exists`, `Gt`, `Lt`) launches
 *   into no family whose types have none (Inf, Trn: their accelerators are not GPUs), whatever its
 *   other requirements. Other keys and operators (`Gt`/`Lt` on the instance generation or memory) are not
 *   read: the pool then looks wider than it is, so the bound is an upper bound, never too small.
 * - Without a `karpenter.sh/capacity-type` requirement Karpenter launches on-demand only (the
 *   docs' NodePool example: "If not included, the webhook for the AWS cloud provider will default
 *   to on-demand"); `reserved` capacity has no quota of its own here and is not counted.
 * - `spec.limits` caps the sum of the resources of the nodes a pool launches: `cpu` in vCPUs
 *   (a Kubernetes quantity: `1000`, `1k`, `500m`), `nvidia.com/gpu` in GPUs, `memory` in bytes
 *   (`4Ti`). A pool with only a GPU limit may launch up to (GPU limit × the largest
 *   vCPUs-per-NVIDIA-GPU ratio among the instance types it allows in that quota family) vCPUs;
 *   a memory limit likewise (memory × the most vCPUs per byte of node capacity: EC2's memory less
 *   Karpenter's VM overhead, 7.5 % by default); with several limits the smallest bound wins; with
 *   none of them (limits are optional), the pool is unbounded. (Types without an NVIDIA GPU, e.g. g4ad's AMD GPUs, are
 *   not in the ratio: Karpenter starts GPU nodes for pods that request `nvidia.com/gpu`.)
 * - Every pool may use its whole limit in each family and market it allows (Karpenter picks per
 *   node), so a pool counts fully towards each of its quotas, and the pools of one quota add up.
 *
 * (About 820 lines: the NodePool reading, the requirement algebra and the bounds are one
 * pipeline with one vocabulary of types, each section pure and marked by a `// ---`
 * heading; the I/O is in gitops.ts.)
 */
import {join} from 'node:path'
import {type Document, LineCounter, isAlias, isMap, isSeq, parseAllDocuments} from 'yaml'

import {UsageError} from '../errors.ts'
import {
  type FamilyId,
  GPU_FAMILIES,
  MARKETS,
  type Market,
  categoryOf,
  familyById,
  quotaFamilyOfCategory,
} from './gpu.ts'

export const NODEPOOL_API_VERSIONS = ['karpenter.sh/v1', 'karpenter.sh/v1beta1'] as const
export const KEYS = {
  category: 'karpenter.k8s.aws/instance-category',
  family: 'karpenter.k8s.aws/instance-family',
  type: 'node.kubernetes.io/instance-type',
  size: 'karpenter.k8s.aws/instance-size',
  capacity: 'karpenter.sh/capacity-type',
  gpuCount: 'karpenter.k8s.aws/instance-gpu-count',
  gpuManufacturer: 'karpenter.k8s.aws/instance-gpu-manufacturer',
} as const
export const GPU_RESOURCE = 'nvidia.com/gpu'

export interface Requirement {
  key: string
  operator: string
  values: string[]
}

export interface NodePool {
  name: string
  /** The file it was read from: the GitOps directory as given, joined with the path under it. */
  file: string
  /** 1-based line of the document in the file. */
  line: number
  apiVersion: string
  requirements: Requirement[]
  limits: {
    /** `cpu`, in vCPUs. */
    cpu?: number
    /** `nvidia.com/gpu`, in GPUs. */
    gpu?: number
    /** `memory`, in bytes. */
    memory?: number
  }
  /** The other resources `spec.limits` names (`ephemeral-storage`, `pods`...): they bound no vCPUs here. */
  otherLimits?: Record<string, unknown>
}

/** What EC2 says about one instance type (DescribeInstanceTypes). */
export interface InstanceTypeInfo {
  type: string
  vcpus: number
  /** NVIDIA GPUs (0 when none). */
  nvidiaGpus: number
  /** GPUs of any maker (Karpenter's `karpenter.k8s.aws/instance-gpu-count`); unknown: not narrowed by it. */
  gpus?: number
  /** Memory in MiB (EC2's MemoryInfo.SizeInMiB); unknown: no memory bound from this type. */
  memoryMiB?: number
  /**
   * Karpenter's `karpenter.k8s.aws/instance-gpu-manufacturer` value: the first GPU's maker, lower
   * kebab case (`nvidia`, `amd`, `habana`); unknown: not narrowed by it.
   */
  gpuManufacturer?: string
}

/**
 * The share of an instance's memory Karpenter leaves out of a node's capacity (its
 * `vmMemoryOverheadPercent` setting, default 0.075). A NodePool's memory limit counts
 * node capacity, so a node takes memoryMiB × (1 − 0.075) of it.
 */
export const VM_MEMORY_OVERHEAD = 0.075

// --- quantities ----------------------------------------------------------------

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
}

/**
 * A Kubernetes resource quantity (k8s.io/apimachinery resource.Quantity: a decimal, then a
 * binary suffix Ki..Ei, a decimal suffix n u m k M G T P E, or an exponent e3/E3) as a number:
 * `"1000"` → 1000, `"1k"` → 1000, `"500m"` → 0.5, YAML's `1000` → 1000. Undefined when it is
 * not one, or is negative.
 */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined
  if (typeof value !== 'string') return undefined
  const match = /^\+?(\d+(?:\.\d*)?|\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(value.trim())
  if (!match) return undefined
  const number = Number(match[1])
  if (match[2]) return number * 10 ** Number(match[2].slice(1))
  return number * (SUFFIX[match[3] ?? ''] as number)
}

// --- reading NodePools ---------------------------------------------------------

function invalid(file: string, line: number, what: string): UsageError {
  return new UsageError(`${file}:${line}: ${what}. Nothing was read or written.`, {
    code: 'INVALID_NODEPOOL',
    hint: 'Fix the NodePool (Karpenter docs: Concepts → NodePools), or point --from-gitops at rendered manifests (helm template, kustomize build).',
  })
}

function invalidYaml(file: string, line: number, message: string): UsageError {
  return new UsageError(`${file}:${line}: not valid YAML: ${message}. Nothing was read or written.`, {
    code: 'INVALID_YAML',
    hint: 'piksel reads plain manifests: fix the file, or point --from-gitops at rendered ones (helm template, kustomize build) rather than templates.',
  })
}

/** What one YAML file holds for `--from-gitops`. */
export interface Manifest {
  pools: NodePool[]
  /** NodePool documents that are not whole NodePools (kustomize patches), said as warnings. */
  warnings: string[]
}

/**
 * The NodePools of one YAML file (multi-document), read as Kubernetes reads
 * YAML (sigs.k8s.io/yaml): anchors, aliases and `<<` merge keys resolved, and the
 * items of a `v1` `List` (kubectl, kustomize) taken as objects of their own.
 * Documents of other kinds are skipped; a file that is not YAML (a Helm template's
 * `{{ ... }}`) is INVALID_YAML, and a NodePool with a limit or requirement that is
 * not one is INVALID_NODEPOOL, both exit 2 naming the file and line. A NodePool
 * document without `spec.template.spec.requirements` (which the NodePool CRD
 * requires, in v1 and v1beta1) is a kustomize patch, not a pool: skipped with a warning.
 */
export function readManifest(text: string, file: string): Manifest {
  const lines = new LineCounter()
  // logLevel error: yaml's console warnings (a map key that is a map, from a template) stay off the terminal.
  const docs = parseAllDocuments(text, {lineCounter: lines, merge: true, logLevel: 'error'})
  const lineOf = (node: unknown) => {
    const range = (node as {range?: number[]} | null)?.range
    return range ? lines.linePos(range[0] ?? 0).line : 1
  }
  const manifest: Manifest = {pools: [], warnings: []}
  for (const doc of docs) {
    const error = doc.errors[0]
    if (error) {
      const line = error.linePos?.[0]?.line ?? 1
      throw invalidYaml(file, line, (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, ''))
    }
    const root: unknown = doc.contents
    if (!isMap(root)) continue
    let value: unknown
    try {
      // toJS resolves aliases and merge keys; it refuses alias bombs (more than 100 aliases to one node).
      value = doc.toJS({maxAliasCount: 100})
    } catch (thrown) {
      throw invalidYaml(file, lineOf(root), (thrown as Error).message)
    }
    const items = listItems(value)
    const objects = items
      ? items.map((item, i) => ({item, node: nodeAt(doc, root, ['items', i]) ?? root}))
      : [{item: value, node: root}]
    for (const {item, node} of objects) {
      const at = (path: Array<string | number>) => lineOf(nodeAt(doc, node, path) ?? node)
      if (!isRecord(item) || !isNodePool(item)) {
        // A NodePool inside another object (a HelmRelease's values, a chart's extra objects) is
        // not what the cluster holds until its chart renders it: said, not counted.
        for (const {path, name} of embeddedNodePools(item)) {
          manifest.warnings.push(
            `${file}:${at(path)}: NodePool ${name} is inside ${isRecord(item) ? `${String(item.kind)} ${String(getPath(item, ['metadata', 'name']))}` : 'another document'} (${path.join('.')}), not a manifest of its own: not counted. For the NodePools a chart renders, point --from-gitops at its output (helm template).`,
          )
        }
        continue
      }
      const pool = readPool(item, file, at)
      if (pool) manifest.pools.push(pool)
      else {
        manifest.warnings.push(
          `${file}:${at([])}: NodePool ${String(getPath(item, ['metadata', 'name']))} has no spec.template.spec.requirements, which every NodePool has: read as a kustomize patch and not counted. For the patched values, point --from-gitops at rendered manifests (kustomize build).`,
        )
      }
    }
  }
  return manifest
}

/** The NodePools of one YAML file (readManifest without its warnings). */
export function nodePoolsIn(text: string, file: string): NodePool[] {
  return readManifest(text, file).pools
}

function isNodePool(value: Record<string, unknown>): boolean {
  return value.kind === 'NodePool' && (NODEPOOL_API_VERSIONS as readonly unknown[]).includes(value.apiVersion)
}

/** The NodePool objects nested in a value (not the value itself), at most 20 deep: path and name. */
function embeddedNodePools(
  value: unknown,
  path: Array<string | number> = [],
  found: Array<{path: Array<string | number>; name: string}> = [],
): Array<{path: Array<string | number>; name: string}> {
  if (path.length > 20) return found
  const entries: Array<[string | number, unknown]> = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : isRecord(value)
      ? Object.entries(value)
      : []
  for (const [key, child] of entries) {
    if (isRecord(child) && isNodePool(child)) {
      found.push({path: [...path, key], name: String(getPath(child, ['metadata', 'name']))})
    } else embeddedNodePools(child, [...path, key], found)
  }
  return found
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The items of a Kubernetes list (`kind: List`, or `NodePoolList`...), else undefined. */
function listItems(value: unknown): unknown[] | undefined {
  if (!isRecord(value) || typeof value.kind !== 'string' || !value.kind.endsWith('List')) return undefined
  return Array.isArray(value.items) ? value.items : undefined
}

function getPath(value: unknown, path: readonly string[]): unknown {
  let at = value
  for (const key of path) at = isRecord(at) ? at[key] : undefined
  return at
}

/** The YAML node at a path, through aliases (for line numbers); undefined where a merge key hides it. */
function nodeAt(doc: Document, node: unknown, path: ReadonlyArray<string | number>): unknown {
  let at = node
  for (const key of path) {
    if (isAlias(at)) at = at.resolve(doc)
    if (isMap(at) && typeof key === 'string') at = at.get(key, true)
    else if (isSeq(at) && typeof key === 'number') at = at.items[key]
    else return undefined
    if (at === undefined) return undefined
  }
  return isAlias(at) ? at.resolve(doc) : at
}

/** One NodePool, or undefined when it has no requirements (a kustomize patch). */
function readPool(
  item: Record<string, unknown>,
  file: string,
  at: (path: Array<string | number>) => number,
): NodePool | undefined {
  const line = at([])
  const name = getPath(item, ['metadata', 'name'])
  if (typeof name !== 'string' || name === '') throw invalid(file, line, 'a NodePool without a metadata.name string')
  const reqPath = ['spec', 'template', 'spec', 'requirements']
  const reqs = getPath(item, reqPath)
  if (reqs === undefined) return undefined
  const requirements: Requirement[] = []
  if (reqs !== null) {
    if (!Array.isArray(reqs)) throw invalid(file, at(reqPath), `NodePool ${name}: ${reqPath.join('.')} is not a list`)
    for (const [i, r] of reqs.entries()) {
      const values: unknown = isRecord(r) ? r.values : undefined
      if (
        !isRecord(r) ||
        typeof r.key !== 'string' ||
        typeof r.operator !== 'string' ||
        (values !== undefined && values !== null && !Array.isArray(values)) ||
        (Array.isArray(values) && values.some((v) => typeof v !== 'string' && typeof v !== 'number'))
      ) {
        throw invalid(
          file,
          at([...reqPath, i]),
          `NodePool ${name}: a requirement needs a key, an operator and a list of values`,
        )
      }
      requirements.push({key: r.key, operator: r.operator, values: Array.isArray(values) ? values.map(String) : []})
    }
  }
  const limits: NodePool['limits'] = {}
  const limitsValue = getPath(item, ['spec', 'limits'])
  if (isRecord(limitsValue)) {
    for (const [resource, field] of [
      ['cpu', 'cpu'],
      [GPU_RESOURCE, 'gpu'],
      ['memory', 'memory'],
    ] as const) {
      if (!(resource in limitsValue)) continue
      const value = parseQuantity(limitsValue[resource])
      if (value === undefined) {
        throw invalid(
          file,
          at(['spec', 'limits', resource]),
          `NodePool ${name}: limits.${resource} is not a Kubernetes quantity (e.g. 1000, 1k, 500m)`,
        )
      }
      limits[field] = value
    }
    const other = Object.entries(limitsValue).filter(
      ([resource]) => resource !== 'cpu' && resource !== GPU_RESOURCE && resource !== 'memory',
    )
    if (other.length > 0) {
      const apiVersion = String(item.apiVersion)
      return {name, file, line, apiVersion, requirements, limits, otherLimits: Object.fromEntries(other)}
    }
  } else if (limitsValue !== undefined && limitsValue !== null) {
    throw invalid(file, at(['spec', 'limits']), `NodePool ${name}: spec.limits is not a map of resources`)
  }
  const apiVersion = String(item.apiVersion)
  return {name, file, line, apiVersion, requirements, limits}
}

/**
 * NodePools are cluster-scoped: one name is one pool. The same name in two
 * documents under DIR (two environments' copies, or a base and an overlay that
 * restates it) would be counted twice: INVALID_NODEPOOL (exit 2), naming both.
 */
export function assertUniqueNames(pools: readonly NodePool[]): void {
  const seen = new Map<string, NodePool>()
  for (const pool of pools) {
    const first = seen.get(pool.name)
    if (first) {
      throw new UsageError(
        `${pool.file}:${pool.line}: NodePool ${pool.name} is also defined at ${first.file}:${first.line}; a cluster has one NodePool of a name, so one of them would be counted twice. Nothing was read or written.`,
        {
          code: 'INVALID_NODEPOOL',
          hint: "Point --from-gitops at one cluster's manifests (one environment's directory, or its rendered output: kustomize build, helm template).",
        },
      )
    }
    seen.set(pool.name, pool)
  }
}

// --- requirements --------------------------------------------------------------

interface Constraint {
  /** Allowed values (the intersection of every In); undefined: any. */
  in?: Set<string>
  notIn: Set<string>
}

function constraint(pool: NodePool, key: string): Constraint {
  const c: Constraint = {notIn: new Set()}
  for (const r of pool.requirements) {
    if (r.key !== key) continue
    const values = r.values.map((v) => v.toLowerCase())
    if (r.operator === 'In') c.in = new Set(values.filter((v) => !c.in || c.in.has(v)))
    else if (r.operator === 'NotIn') for (const v of values) c.notIn.add(v)
    // The label must be absent: no instance type qualifies.
    else if (r.operator === 'DoesNotExist') c.in = new Set()
    // Exists (any value), Gt/Lt: no narrowing read here.
  }
  return c
}

function passes(c: Constraint, value: string): boolean {
  return (!c.in || c.in.has(value)) && !c.notIn.has(value)
}

/** The market(s) a pool launches into: its capacity-type requirement, else on-demand (Karpenter's default). */
export function marketsOf(pool: NodePool): Market[] {
  const c = constraint(pool, KEYS.capacity)
  const stated = pool.requirements.some((r) => r.key === KEYS.capacity && r.operator !== 'Exists')
  const exists = pool.requirements.some((r) => r.key === KEYS.capacity && r.operator === 'Exists')
  if (!stated && !exists) return ['on-demand']
  return MARKETS.filter((m) => passes(c, m))
}

/** Whether a pool's requirements allow an instance type (category, family, size and type keys). */
export function allowsType(pool: NodePool, type: string): boolean {
  const t = type.toLowerCase()
  const [family = '', size = ''] = t.split('.')
  return (
    passes(constraint(pool, KEYS.type), t) &&
    passes(constraint(pool, KEYS.family), family) &&
    passes(constraint(pool, KEYS.category), categoryOf(family)) &&
    passes(constraint(pool, KEYS.size), size)
  )
}

export interface PoolScope {
  /** GPU quota families the pool may launch into, in table order. */
  families: FamilyId[]
  markets: Market[]
  /** Instance families or categories the pool names that are neither GPU nor known CPU ones. */
  unknown: string[]
  /** No category, family or type `In`: the pool may launch any instance type. */
  open: boolean
}

/**
 * The GPU quota families × markets a pool may launch into, from its most specific
 * `In` list (instance types, else families, else categories), each checked against
 * every other requirement; a pool with none of those may launch any family.
 */
export function poolScope(pool: NodePool): PoolScope {
  const types = constraint(pool, KEYS.type)
  const families = constraint(pool, KEYS.family)
  const categories = constraint(pool, KEYS.category)
  let names: string[]
  let open = false
  if (types.in) names = [...types.in].filter((t) => allowsType(pool, t))
  else if (families.in) {
    names = [...families.in].filter((f) => passes(families, f) && passes(categories, categoryOf(f)))
  } else if (categories.in) names = [...categories.in].filter((c) => passes(categories, c))
  else {
    open = true
    names = GPU_FAMILIES.flatMap((f) => f.categories).filter((c) => passes(categories, c))
  }
  const found = new Set<FamilyId>()
  const unknown: string[] = []
  for (const name of names) {
    const family = quotaFamilyOfCategory(categoryOf(name))
    if (family === 'unknown') unknown.push(name.split('.')[0] as string)
    else if (family !== 'none') found.add(family)
  }
  return {
    families: GPU_FAMILIES.map((f) => f.id).filter((id) => found.has(id)),
    markets: marketsOf(pool),
    unknown: [...new Set(unknown)],
    open,
  }
}

/** Whether a pool's GPU or memory limit needs EC2's facts (vCPUs per GPU, per byte). */
const limitNeedsTypes = (pool: NodePool) => pool.limits.gpu !== undefined || pool.limits.memory !== undefined

/**
 * The DescribeInstanceTypes `instance-type` filter values (wildcards) that cover
 * what a pool allows; empty: no call. `limits`: the pools whose GPU or memory limit needs
 * EC2's facts (the target depends on them); `labels`: the other pools that require a GPU label,
 * for EC2's GpuInfo to tell which families they keep out (without it they are an upper bound).
 */
export function instanceTypePatterns(pools: readonly NodePool[], need: 'limits' | 'labels' = 'limits'): string[] {
  const patterns = new Set<string>()
  for (const pool of pools) {
    if (need === 'limits' ? !limitNeedsTypes(pool) : limitNeedsTypes(pool) || !requiresGpuLabel(pool)) continue
    const scope = poolScope(pool)
    if (scope.families.length === 0) continue
    const types = constraint(pool, KEYS.type)
    const families = constraint(pool, KEYS.family)
    const categories = constraint(pool, KEYS.category)
    if (types.in) for (const t of types.in) patterns.add(t)
    else if (families.in) for (const f of families.in) patterns.add(`${f}.*`)
    else {
      const cats = categories.in ? [...categories.in] : GPU_FAMILIES.flatMap((f) => f.categories)
      for (const c of cats) if (scope.families.includes(quotaFamilyOfCategory(c) as FamilyId)) patterns.add(`${c}*`)
    }
  }
  return [...patterns].sort()
}

// --- bounds and targets --------------------------------------------------------

export type LimitedBy = 'cpu' | typeof GPU_RESOURCE | 'memory'

/** One pool's share of a quota's target. `vcpus` null: the pool is unbounded there. */
export interface PoolContribution {
  name: string
  file: string
  vcpus: number | null
  limitedBy: LimitedBy | null
}

/**
 * Whether a type passes the pool's GPU label requirements (`karpenter.k8s.aws/instance-gpu-count`,
 * `karpenter.k8s.aws/instance-gpu-manufacturer`). Karpenter sets those labels only on types with
 * GPUs, so a type without one has no such label: `In`, `Exists` and `Gt`/`Lt` exclude it, `NotIn`
 * and `DoesNotExist` admit it (Kubernetes node-affinity rules). A manufacturer EC2 did not say is
 * not narrowed by.
 */
export function gpuLabelsAllow(pool: NodePool, info: InstanceTypeInfo): boolean {
  const gpus = info.gpus ?? info.nvidiaGpus
  const count = gpus > 0 ? String(gpus) : undefined
  return pool.requirements.every((r) => {
    if (r.key === KEYS.gpuCount) {
      const bound = Number(r.values[0])
      if (r.operator === 'Gt') return count !== undefined && Number.isFinite(bound) && gpus > bound
      if (r.operator === 'Lt') return count !== undefined && Number.isFinite(bound) && gpus < bound
      return labelAllows(r, count)
    }
    if (r.key === KEYS.gpuManufacturer) {
      // A type with GPUs whose maker EC2 did not say: its label is unknown, only its presence is.
      if (gpus > 0 && info.gpuManufacturer === undefined) return r.operator !== 'DoesNotExist'
      return labelAllows(r, gpus > 0 ? info.gpuManufacturer : undefined)
    }
    return true
  })
}

/** `In`, `NotIn`, `Exists`, `DoesNotExist` on a label's value (undefined: the node has no such label). */
function labelAllows(r: Requirement, label: string | undefined): boolean {
  switch (r.operator) {
    case 'In':
      return label !== undefined && r.values.some((v) => v.toLowerCase() === label.toLowerCase())
    case 'NotIn':
      return label === undefined || !r.values.some((v) => v.toLowerCase() === label.toLowerCase())
    case 'Exists':
      return label !== undefined
    case 'DoesNotExist':
      return label === undefined
    default:
      return true
  }
}

/** Whether the pool requires a GPU label (`In`, `Exists`, `Gt`, `Lt` on one): only types with GPUs pass. */
export function requiresGpuLabel(pool: NodePool): boolean {
  return pool.requirements.some(
    (r) =>
      (r.key === KEYS.gpuCount || r.key === KEYS.gpuManufacturer) && ['In', 'Exists', 'Gt', 'Lt'].includes(r.operator),
  )
}

/**
 * Whether EC2 described instance types the pool allows in a quota family and its GPU label
 * requirements keep out every one of them (an `instance-gpu-manufacturer In [nvidia]` pool and
 * Inf or Trn): the pool launches nothing there. Undescribed: it may (an upper bound).
 */
function gpuLabelsExclude(pool: NodePool, family: FamilyId, types: readonly InstanceTypeInfo[]): boolean {
  if (!requiresGpuLabel(pool)) return false
  const allowed = types.filter(
    (info) => quotaFamilyOfCategory(categoryOf(info.type)) === family && allowsType(pool, info.type),
  )
  return allowed.length > 0 && allowed.every((info) => !gpuLabelsAllow(pool, info))
}

/** The largest vCPUs per NVIDIA GPU among the types a pool allows in a quota family; undefined: none. */
export function largestVcpusPerGpu(
  pool: NodePool,
  family: FamilyId,
  types: readonly InstanceTypeInfo[],
): {ratio: number; type: string} | undefined {
  return largestRatio(pool, family, types, (info) => (info.nvidiaGpus > 0 ? info.vcpus / info.nvidiaGpus : undefined))
}

/**
 * The most vCPUs per byte of node memory capacity among the types a pool allows in a quota
 * family (EC2's memory less Karpenter's VM overhead); undefined: EC2 describes none of them.
 */
export function largestVcpusPerByte(
  pool: NodePool,
  family: FamilyId,
  types: readonly InstanceTypeInfo[],
): {ratio: number; type: string} | undefined {
  return largestRatio(pool, family, types, (info) =>
    info.memoryMiB && info.memoryMiB > 0
      ? info.vcpus / (info.memoryMiB * 2 ** 20 * (1 - VM_MEMORY_OVERHEAD))
      : undefined,
  )
}

/** The largest `ratioOf` among the types (with vCPUs) a pool allows in a quota family; undefined: none has one. */
function largestRatio(
  pool: NodePool,
  family: FamilyId,
  types: readonly InstanceTypeInfo[],
  ratioOf: (info: InstanceTypeInfo) => number | undefined,
): {ratio: number; type: string} | undefined {
  let best: {ratio: number; type: string} | undefined
  for (const info of types) {
    if (info.vcpus <= 0) continue
    if (quotaFamilyOfCategory(categoryOf(info.type)) !== family || !allowsType(pool, info.type)) continue
    if (!gpuLabelsAllow(pool, info)) continue
    const ratio = ratioOf(info)
    if (ratio === undefined) continue
    if (!best || ratio > best.ratio) best = {ratio, type: info.type}
  }
  return best
}

/**
 * Whether EC2 described instance types the pool allows in a quota family, and all of them without
 * an NVIDIA GPU (g4ad's AMD GPUs, vt1, inf, trn): an `nvidia.com/gpu` limit does not cap those.
 */
function onlyTypesWithoutNvidiaGpus(pool: NodePool, family: FamilyId, types: readonly InstanceTypeInfo[]): boolean {
  const allowed = types.filter(
    (info) =>
      quotaFamilyOfCategory(categoryOf(info.type)) === family &&
      allowsType(pool, info.type) &&
      gpuLabelsAllow(pool, info),
  )
  return allowed.length > 0 && allowed.every((info) => info.nvidiaGpus <= 0)
}

/**
 * How many vCPUs a pool may launch in one quota family: the smaller of its CPU and GPU bounds;
 * undefined when it is unbounded there. A limit of 0 is a bound (no such node may launch), not
 * "no limit": `nvidia.com/gpu: 0` bounds the family at 0 vCPUs even when EC2 describes none of its
 * types (0 GPUs × any vCPUs per GPU), unless EC2 says every type it allows there has no NVIDIA GPU.
 */
export function poolBound(
  pool: NodePool,
  family: FamilyId,
  types: readonly InstanceTypeInfo[],
): {vcpus: number; limitedBy: LimitedBy} | undefined {
  const bounds: Array<{vcpus: number; limitedBy: LimitedBy}> = []
  if (pool.limits.cpu !== undefined) bounds.push({vcpus: pool.limits.cpu, limitedBy: 'cpu'})
  if (pool.limits.gpu !== undefined) {
    const best = largestVcpusPerGpu(pool, family, types)
    if (best) bounds.push({vcpus: pool.limits.gpu * best.ratio, limitedBy: GPU_RESOURCE})
    else if (pool.limits.gpu === 0 && !onlyTypesWithoutNvidiaGpus(pool, family, types)) {
      bounds.push({vcpus: 0, limitedBy: GPU_RESOURCE})
    }
  }
  if (pool.limits.memory !== undefined) {
    // Every node takes memory: memory limit × the most vCPUs per byte of capacity; 0 bytes, no node.
    const best = largestVcpusPerByte(pool, family, types)
    if (best) bounds.push({vcpus: pool.limits.memory * best.ratio, limitedBy: 'memory'})
    else if (pool.limits.memory === 0) bounds.push({vcpus: 0, limitedBy: 'memory'})
  }
  return bounds.sort((a, b) => a.vcpus - b.vcpus)[0]
}

export interface QuotaDemand {
  family: FamilyId
  market: Market
  pools: PoolContribution[]
  /** The sum of the pools' bounds in whole vCPUs; undefined when a pool is unbounded. */
  vcpus?: number
}

export interface NodePoolPlan {
  /** Per family × market some pool launches into, in table order. */
  demands: QuotaDemand[]
  /** The pools that launch into a GPU quota family. */
  gpuPools: string[]
  warnings: string[]
}

const where = (pool: NodePool) => `NodePool ${pool.name} (${pool.file}:${pool.line})`

/**
 * Per GPU quota family × market: the pools that launch into it and the vCPUs
 * their limits allow; warnings for unknown families, pools that may launch any
 * family, and GPU pools without a bound ("unbounded").
 */
export function planNodePools(
  pools: readonly NodePool[],
  types: readonly InstanceTypeInfo[],
  /** false when the `labels` instance types could not be read: those pools' GPU labels are not applied. */
  labelTypes = true,
): NodePoolPlan {
  const warnings: string[] = []
  const byQuota = new Map<string, QuotaDemand>()
  const gpuPools: string[] = []
  for (const pool of pools) {
    const wide = poolScope(pool)
    // Only over every type the pool allows (its own patterns were read): a partial view could exclude too much.
    const labelsRead = labelTypes || limitNeedsTypes(pool)
    const scope = {
      ...wide,
      families: wide.families.filter((family) => !labelsRead || !gpuLabelsExclude(pool, family, types)),
    }
    if (scope.unknown.length > 0) {
      warnings.push(
        `${where(pool)}: instance famil${scope.unknown.length === 1 ? 'y' : 'ies'} ${scope.unknown.join(', ')} unknown to piksel (not a GPU family: ${GPU_FAMILIES.map((f) => f.categories.join('/')).join(', ')}, nor a CPU one); ignored.`,
      )
    }
    if (scope.families.length === 0 || scope.markets.length === 0) continue
    gpuPools.push(pool.name)
    if (scope.open) {
      warnings.push(
        `${where(pool)} may launch any instance family (no instance-category, instance-family or instance-type In requirement): counted towards every GPU quota${scope.families.length < wide.families.length ? ` its GPU label requirements allow (${scope.families.map((f) => familyById(f).label).join(', ')})` : ''}.`,
      )
    }
    const unboundedIn: string[] = []
    for (const family of scope.families) {
      const bound = poolBound(pool, family, types)
      if (!bound) unboundedIn.push(familyById(family).label)
      for (const market of scope.markets) {
        const key = `${family}/${market}`
        const demand = byQuota.get(key) ?? {family, market, pools: []}
        demand.pools.push({
          name: pool.name,
          file: pool.file,
          vcpus: bound ? bound.vcpus : null,
          limitedBy: bound ? bound.limitedBy : null,
        })
        byQuota.set(key, demand)
      }
    }
    if (unboundedIn.length > 0) {
      const other = Object.keys(pool.otherLimits ?? {})
      const read = [
        ...(pool.limits.gpu !== undefined ? [`${GPU_RESOURCE} limit covers no instance type with an NVIDIA GPU`] : []),
        ...(pool.limits.memory !== undefined ? ['memory limit covers no instance type'] : []),
      ]
      const why =
        read.length > 0
          ? `its ${read.join(' and its ')} that EC2 describes for it, and it has no cpu limit`
          : `no cpu, ${GPU_RESOURCE} or memory limit${other.length > 0 ? `; its ${other.join(', ')} limit${other.length === 1 ? ' does' : 's do'} not bound vCPUs` : ''}`
      warnings.push(
        `${where(pool)} is unbounded for ${unboundedIn.join(', ')} vCPUs (${why}): Karpenter may launch any number of them, so th${unboundedIn.length === 1 ? 'at quota has' : 'ose quotas have'} no target (unbounded). Set spec.limits.cpu to bound it, or pass --min N to check against N vCPUs.`,
      )
    }
  }
  const demands: QuotaDemand[] = []
  for (const family of GPU_FAMILIES) {
    for (const market of MARKETS) {
      const demand = byQuota.get(`${family.id}/${market}`)
      if (!demand) continue
      const bounded = demand.pools.every((p) => p.vcpus !== null)
      const sum = demand.pools.reduce((total, p) => total + (p.vcpus ?? 0), 0)
      // max(0, …): a bound of 0 stays 0, not -0.
      demands.push(bounded ? {...demand, vcpus: Math.max(0, Math.ceil(sum - 1e-9))} : demand)
    }
  }
  return {demands, gpuPools, warnings}
}

// --- targets --------------------------------------------------------------------

/**
 * Where a quota's target came from: its NodePools; --min / the config where no NodePool launches
 * into it; or, when one of its NodePools is unbounded, nowhere (`reason: 'unbounded'`, the target
 * null, naming those pools) unless --min gave one explicitly. The config's quota.gpuTarget never
 * stands in for an unbounded pool: it is not what Karpenter may launch.
 */
export interface TargetSource {
  from: 'nodepools' | 'min' | 'config'
  /** The NodePools that launch into this quota (empty when none does). */
  pools: PoolContribution[]
  /** Set when the target is null: a NodePool of this quota has no bound. */
  reason?: 'unbounded'
  /** The NodePools without a bound here (with `reason`, or beside an explicit --min). */
  unboundedPools?: string[]
}

/**
 * The quota's target: the NodePools' bound when every pool of it is bounded; null (unbounded)
 * when one is not, unless the fallback is an explicit --min; the fallback where no pool launches into it.
 */
export function targetFor(
  demand: QuotaDemand | undefined,
  fallback: {target: number; from: 'min' | 'config'},
): {target: number | null; source: TargetSource} {
  if (demand?.vcpus !== undefined) return {target: demand.vcpus, source: {from: 'nodepools', pools: demand.pools}}
  const pools = demand?.pools ?? []
  const unboundedPools = pools.filter((p) => p.vcpus === null).map((p) => p.name)
  if (unboundedPools.length === 0) return {target: fallback.target, source: {from: fallback.from, pools}}
  if (fallback.from === 'min') return {target: fallback.target, source: {from: 'min', pools, unboundedPools}}
  return {target: null, source: {from: 'nodepools', pools, reason: 'unbounded', unboundedPools}}
}

/** A table cell: `gpu, gpu-spot` / `--min` / `config`; `unbounded: x` / `--min (unbounded: x)` when a pool is. */
export function describeTargetSource(source: TargetSource): string {
  const unbounded = source.unboundedPools ?? []
  if (source.reason === 'unbounded') return `unbounded: ${unbounded.join(', ')}`
  if (source.from === 'nodepools') return source.pools.map((p) => p.name).join(', ')
  const base = source.from === 'min' ? '--min' : 'config'
  return unbounded.length > 0 ? `${base} (unbounded: ${unbounded.join(', ')})` : base
}

// --- where the NodePools are read ------------------------------------------------

/**
 * The directory `--from-gitops [DIR]` reads: DIR as given, else the environment's
 * GitOps checkout (`gitops.dir`) joined with its path (`gitops.path`, default
 * `clusters/<env>`). Without either it is GITOPS_DIR_REQUIRED (exit 2).
 */
export function gitopsDirFor(
  given: string,
  env: {name: string; gitops: {dir?: string; path: string}} | undefined,
): string {
  if (given !== '') return given
  if (env?.gitops.dir) return join(env.gitops.dir, env.gitops.path)
  const what = env
    ? `no local GitOps checkout is configured for ${env.name} (gitops.dir)`
    : 'no environment (-e) names a local GitOps checkout (gitops.dir)'
  throw new UsageError(`--from-gitops without DIR: ${what}. Nothing was read.`, {
    code: 'GITOPS_DIR_REQUIRED',
    hint: `Pass the directory: --from-gitops ../piksel-gitops/${env?.gitops.path ?? 'clusters/<env>'}, or set gitops.dir (the checkout, relative to the config file) in piksel.config.yaml.`,
  })
}
