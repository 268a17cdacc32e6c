/**
 * The GPU vCPU quotas Karpenter needs (DESIGN.md §4): the family table, flag
 * validation, the status rules, what to file, and the summary. Pure: no I/O, so
 * it is tested table-driven. (About 410 lines: one vocabulary of small rules that
 * share the family table; split, each piece would import all the others.)
 */
import {countValue} from '../counts.ts'
import {UsageError} from '../errors.ts'
import type {TargetSource} from './karpenter.ts'
import type {UsageSource} from './usage.ts'

export const SERVICE_CODE = 'ec2'

export const FAMILY_IDS = ['g', 'p', 'inf', 'trn', 'dl'] as const
export type FamilyId = (typeof FAMILY_IDS)[number]

export const MARKETS = ['on-demand', 'spot'] as const
export type Market = (typeof MARKETS)[number]

export interface GpuFamily {
  id: FamilyId
  /** How AWS names the family in its quota names. */
  label: string
  codes: Record<Market, string>
  /**
   * The instance categories (the letters before the generation digit, Karpenter's
   * `karpenter.k8s.aws/instance-category`: g4dn → g, gr6 → gr, vt1 → vt) whose vCPUs
   * count against this family's quotas, as AWS groups them in the quota names.
   */
  categories: readonly string[]
}

/** EC2 vCPU quota codes per GPU family and market (default 0 in new accounts). The one family table. */
export const GPU_FAMILIES: readonly GpuFamily[] = [
  {id: 'g', label: 'G and VT', codes: {'on-demand': 'L-DB2E81BA', spot: 'L-3819A6DF'}, categories: ['g', 'gr', 'vt']},
  {id: 'p', label: 'P', codes: {'on-demand': 'L-417A185B', spot: 'L-7212CCBC'}, categories: ['p']},
  {id: 'inf', label: 'Inf', codes: {'on-demand': 'L-1945791B', spot: 'L-B5D1601B'}, categories: ['inf']},
  {id: 'trn', label: 'Trn', codes: {'on-demand': 'L-2C3B7624', spot: 'L-6B0D517C'}, categories: ['trn']},
  {id: 'dl', label: 'DL', codes: {'on-demand': 'L-6E869C2A', spot: 'L-85EED4F7'}, categories: ['dl']},
]

/**
 * Instance categories without GPUs or accelerators (their vCPUs count against the
 * Standard, F, X, U... quotas, not the GPU ones): a NodePool of only these is no GPU pool.
 */
export const NON_GPU_CATEGORIES: readonly string[] = [
  'a',
  'c',
  'd',
  'f',
  'h',
  'hpc',
  'i',
  'im',
  'is',
  'm',
  'mac',
  'r',
  't',
  'u',
  'x',
  'z',
]

/** The category of an instance family or type: `g4dn` / `g4dn.xlarge` → `g`, `inf2` → `inf`, `u-6tb1` → `u`. */
export function categoryOf(familyOrType: string): string {
  return /^[a-z]+/.exec(familyOrType.toLowerCase())?.[0] ?? ''
}

/**
 * Which quota family an instance category counts against: a GPU family id, `none`
 * for the known non-GPU categories, or `unknown`.
 */
export function quotaFamilyOfCategory(category: string): FamilyId | 'none' | 'unknown' {
  const c = category.toLowerCase()
  const family = GPU_FAMILIES.find((f) => f.categories.includes(c))
  if (family) return family.id
  return NON_GPU_CATEGORIES.includes(c) ? 'none' : 'unknown'
}

/** The families Piksel's Karpenter `gpu` NodePool uses (g5) plus P. */
export const DEFAULT_FAMILIES: readonly FamilyId[] = ['g', 'p']
export const DEFAULT_MARKETS: readonly Market[] = MARKETS
export const SPOT_ROLE_NAME = 'AWSServiceRoleForEC2Spot'
export const SPOT_ROLE_COMMAND = 'aws iam create-service-linked-role --aws-service-name spot.amazonaws.com'

export interface QuotaRef {
  family: FamilyId
  market: Market
  code: string
}

export function familyById(id: FamilyId): GpuFamily {
  const family = GPU_FAMILIES.find((f) => f.id === id)
  if (!family) throw new Error(`unknown GPU family ${id}`)
  return family
}

/** A name for people when AWS gave none: "Running On-Demand G and VT instances". */
export function fallbackQuotaName(ref: QuotaRef): string {
  const {label} = familyById(ref.family)
  return ref.market === 'spot' ? `All ${label} Spot Instance Requests` : `Running On-Demand ${label} instances`
}

/** The quotas to look at, in table order (family, then on-demand before spot). */
export function selectQuotas(families: readonly FamilyId[], markets: readonly Market[]): QuotaRef[] {
  const refs: QuotaRef[] = []
  for (const family of GPU_FAMILIES) {
    if (!families.includes(family.id)) continue
    for (const market of MARKETS) {
      if (markets.includes(market)) refs.push({family: family.id, market, code: family.codes[market]})
    }
  }
  return refs
}

/** `--family g,p --family inf`: comma-separated, repeatable, case-insensitive, de-duplicated. */
export function parseFamilies(values: readonly string[] | undefined): FamilyId[] {
  return parseList(values, FAMILY_IDS, DEFAULT_FAMILIES, '--family', 'GPU family')
}

/** `--market on-demand,spot`, same rules as --family. */
export function parseMarkets(values: readonly string[] | undefined): Market[] {
  return parseList(values, MARKETS, DEFAULT_MARKETS, '--market', 'market')
}

function parseList<T extends string>(
  values: readonly string[] | undefined,
  known: readonly T[],
  fallback: readonly T[],
  flag: string,
  what: string,
): T[] {
  if (values === undefined || values.length === 0) return [...fallback]
  const items = values.flatMap((v) => v.split(',')).map((v) => v.trim().toLowerCase())
  const picked = new Set<T>()
  for (const item of items) {
    if (!(known as readonly string[]).includes(item)) {
      const shown = item === '' ? 'an empty value' : `"${item}"`
      throw new UsageError(`${flag}: ${shown} is not a ${what}. Use one or more of: ${known.join(', ')}.`, {
        code: 'INVALID_FLAG',
        hint: `For example ${flag} ${known.slice(0, 2).join(',')} (comma-separated or repeated).`,
      })
    }
    picked.add(item as T)
  }
  // Keep the table's order, whatever order the user typed.
  return known.filter((k) => picked.has(k))
}

/** `--min`: a positive whole number of vCPUs (the count flag's rule). */
export const MIN_COUNT = {
  unit: 'vCPUs',
  hint: 'Pass a whole number of vCPUs of at least 1, e.g. --min 8 (a g5.xlarge has 4 vCPUs).',
}

/** `--min`: a positive whole number of vCPUs. */
export function parseMin(text: string): number {
  return countValue(text, '--min', MIN_COUNT)
}

/** --min wins, then the environment's quota.gpuTarget, then 8. */
export function resolveTarget(min: number | undefined, configured: number | undefined): number {
  return min ?? configured ?? 8
}

// --- requests and status ---------------------------------------------------

export const OPEN_STATUSES = ['PENDING', 'CASE_OPENED'] as const

export interface QuotaRequest {
  id: string
  caseId: string | null
  status: string
  desiredValue: number
  /** ISO 8601, or null when AWS did not say. */
  created: string | null
}

export function isOpen(status: string | undefined): boolean {
  return (OPEN_STATUSES as readonly string[]).includes(status ?? '')
}

function createdAt(request: QuotaRequest): number {
  return request.created ? Date.parse(request.created) || 0 : 0
}

/** The open request (newest if AWS somehow has two) and the newest decided one. */
export function splitHistory(history: readonly QuotaRequest[]): {open?: QuotaRequest; lastDecided?: QuotaRequest} {
  const newest = [...history].sort((a, b) => createdAt(b) - createdAt(a))
  return {open: newest.find((r) => isOpen(r.status)), lastDecided: newest.find((r) => !isOpen(r.status))}
}

export type QuotaStatus = 'ok' | 'below' | 'pending' | 'unbounded'

/**
 * ok when the value meets the target; under it, pending only when an open request
 * asks for at least the target. An open request for less leaves the quota below
 * (it is shown with the row, but approving it would not reach the target).
 * unbounded: there is no target (a NodePool of the quota has no limit), so no value meets it.
 */
export function quotaStatus(value: number, target: number | null, open: QuotaRequest | undefined): QuotaStatus {
  if (target === null) return 'unbounded'
  if (value >= target) return 'ok'
  return open && open.desiredValue >= target ? 'pending' : 'below'
}

/**
 * What `--request` did for one quota. `blocked`: below target, but an open request
 * (for less) exists, and AWS allows one open request per quota, so none was filed.
 */
export type QuotaAction = 'filed' | 'would-file' | 'already-open' | 'already-met' | 'blocked' | 'failed'

export interface QuotaRow {
  family: FamilyId
  market: Market
  code: string
  name: string
  value: number
  /** Where the value came from: the applied quota, or AWS's default where none is applied. */
  valueSource: 'applied' | 'default'
  /** vCPUs in use now (the quota's own CloudWatch usage metric, latest datapoint of the last hour); null: unknown. */
  usage: number | null
  /** The metric `usage` was read from, or (`reason`) why it is null. */
  usageSource: UsageSource
  /** vCPUs; null when a NodePool of the quota is unbounded and no --min was given (targetSource says which). */
  target: number | null
  /** The NodePools the target came from, or --min / the config. */
  targetSource: TargetSource
  status: QuotaStatus
  request?: QuotaRequest
  lastDecided?: QuotaRequest
  action?: QuotaAction
  error?: {code: string; message: string; hint: string | null}
}

export interface PlannedRequest {
  family: FamilyId
  market: Market
  code: string
  name: string
  current: number
  desired: number
}

/**
 * What `--request` files: every `below` quota without an open request, asking for
 * the target. Never a value at or under the current one, never a second open request.
 */
export function planRequests(rows: readonly QuotaRow[]): PlannedRequest[] {
  return rows.flatMap((r) =>
    r.status === 'below' && !isOpen(r.request?.status) && r.target !== null && r.target > r.value
      ? [{family: r.family, market: r.market, code: r.code, name: r.name, current: r.value, desired: r.target}]
      : [],
  )
}

/**
 * `--request` computes nothing from an unbounded target: with a quota whose NodePool has no
 * limit (and no explicit --min) it is UNBOUNDED_TARGET, exit 2, before anything is filed.
 */
export function assertBoundedTargets(rows: readonly QuotaRow[]): void {
  const unbounded = rows.filter((r) => r.target === null)
  if (unbounded.length === 0) return
  const pools = [...new Set(unbounded.flatMap((r) => r.targetSource.unboundedPools ?? []))]
  const s = pools.length === 1 ? '' : 's'
  throw new UsageError(
    `--request: ${unbounded.map((r) => r.code).join(', ')} ha${unbounded.length === 1 ? 's' : 've'} no target: NodePool${s} ${pools.join(', ')} ${pools.length === 1 ? 'is' : 'are'} unbounded (no cpu, nvidia.com/gpu or memory limit that bounds vCPUs), so Karpenter may launch any number of vCPUs. Nothing was filed.`,
    {
      code: 'UNBOUNDED_TARGET',
      hint: `Set spec.limits.cpu on NodePool${s} ${pools.join(', ')} (then the target is its limit), or pass --min N to file for N vCPUs.`,
    },
  )
}

/**
 * Quotas below target that already have an open request (asking for less than the
 * target): `--request` cannot file for them (ResourceAlreadyExistsException: one open
 * request per quota) and says what to do instead.
 */
export function blockedByOpenRequest(rows: readonly QuotaRow[]): QuotaRow[] {
  return rows.filter((r) => r.status === 'below' && isOpen(r.request?.status))
}

/** The rows with `action: 'blocked'` set on those blockedByOpenRequest finds. Pure. */
export function markBlocked(rows: readonly QuotaRow[]): QuotaRow[] {
  const blocked = new Set(blockedByOpenRequest(rows).map((r) => r.code))
  return rows.map((r) => (blocked.has(r.code) ? {...r, action: 'blocked' as const} : r))
}

/** What a person can do about a blocked quota: wait for the open request, or have it closed. */
export function blockedAdvice(row: QuotaRow): string {
  const request = row.request
  const which = request?.caseId ? `support case ${request.caseId}` : `request ${request?.id ?? '?'}`
  return `an open request (${which}, ${request?.status ?? 'open'}) asks for ${formatNumber(request?.desiredValue ?? 0)} vCPUs, below the target ${formatNumber(row.target ?? 0)}; AWS allows one open request per quota, so none was filed. Wait until it is decided and run again, or ask AWS Support to close ${which} and run again.`
}

export interface QuotaSummary {
  total: number
  ok: number
  below: number
  pending: number
  /** Quotas without a target: a NodePool of theirs is unbounded. */
  unbounded: number
  failed: number
  /** Every quota meets its target (and every quota has one). */
  met: boolean
  /** Every quota under its target has an open request (and every quota has a target). */
  covered: boolean
}

export function summarise(rows: readonly QuotaRow[]): QuotaSummary {
  const count = (s: QuotaStatus) => rows.filter((r) => r.status === s).length
  const below = count('below')
  const pending = count('pending')
  return {
    total: rows.length,
    ok: count('ok'),
    below,
    pending,
    unbounded: count('unbounded'),
    failed: rows.filter((r) => r.action === 'failed').length,
    met: below === 0 && pending === 0 && count('unbounded') === 0,
    covered: below === 0 && count('unbounded') === 0,
  }
}

/** "3d", "5h", "12m", "just now": how long a request has been waiting. */
export function formatAge(created: string | null, now: Date): string {
  if (!created) return '-'
  const ms = now.getTime() - Date.parse(created)
  if (!Number.isFinite(ms)) return '-'
  const minutes = Math.floor(ms / 60_000)
  if (minutes < 1) return 'just now'
  if (minutes < 60) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours}h`
  return `${Math.floor(hours / 24)}d`
}

/** One table cell for a request: "PENDING 8 (case 1234, 2h)". */
export function describeRequest(request: QuotaRequest | undefined, now: Date): string {
  if (!request) return '-'
  const parts = [request.caseId ? `case ${request.caseId}` : `id ${request.id}`, formatAge(request.created, now)]
  return `${request.status} ${formatNumber(request.desiredValue)} (${parts.join(', ')})`
}

export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1)
}

// --- errors ------------------------------------------------------------------

/** IAM actions each step needs, named in access-denied hints. */
export const IAM_ACTIONS = {
  check: [
    'servicequotas:GetServiceQuota',
    'servicequotas:GetAWSDefaultServiceQuota',
    'servicequotas:ListRequestedServiceQuotaChangeHistoryByQuota',
  ],
  spotRole: ['iam:GetRole'],
  request: [
    'servicequotas:RequestServiceQuotaIncrease',
    // Service Quotas checks the account's organization and creates its own
    // service-linked role on first use (as the AWS managed policy ServiceQuotasFullAccess grants).
    'organizations:DescribeAccount',
    'organizations:DescribeOrganization',
    'organizations:ListAWSServiceAccessForOrganization',
    'iam:CreateServiceLinkedRole (for servicequotas.amazonaws.com)',
  ],
} as const

export function isAccessDenied(name: string): boolean {
  return /AccessDenied|NotAuthorized|UnauthorizedOperation/.test(name)
}

export function accessHint(step: keyof typeof IAM_ACTIONS, dependency = false): string {
  const actions = IAM_ACTIONS[step].join(', ')
  const base = `The caller needs ${actions}; the AWS managed policy ServiceQuotasFullAccess grants the Service Quotas part.`
  return dependency
    ? `${base} DependencyAccessDenied means Service Quotas itself was refused by a service it calls (Organizations, IAM or Support): ask an administrator to allow those for the caller.`
    : base
}

/** How --request reports an AWS error for one quota (the others still go ahead). */
export function classifyRequestError(name: string): QuotaAction {
  if (name === 'ResourceAlreadyExistsException') return 'already-open'
  if (name === 'IllegalArgumentException') return 'already-met'
  return 'failed'
}

// --- Spot readiness ------------------------------------------------------------

export type SpotRoleStatus = 'present' | 'missing' | 'unknown'

/**
 * The warning for people when Karpenter's Spot GPU nodes would fail; none when the role exists.
 * It names bootstrap's spot-role step (for `env`, else `<env>`), and the aws command it runs,
 * with the session's `profile` (typed bare, it would act in the shell profile's account).
 */
export function spotRoleWarning(
  status: SpotRoleStatus,
  detail?: string,
  env?: string,
  profile?: string,
): string | undefined {
  if (status === 'present') return undefined
  if (status === 'missing') {
    return `The service-linked role ${SPOT_ROLE_NAME} is missing: Karpenter cannot start Spot GPU nodes without it. Create it once per account with: piksel bootstrap -e ${env ?? '<env>'} --only spot-role (or: ${SPOT_ROLE_COMMAND}${profile ? ` --profile ${profile}` : ''})`
  }
  return `Could not tell whether the service-linked role ${SPOT_ROLE_NAME} exists${detail ? ` (${detail})` : ''}; Karpenter Spot nodes need it (checking needs iam:GetRole).`
}
