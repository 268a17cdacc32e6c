/**
 * `piksel quota gpu`: reads the EC2 GPU vCPU quotas, their open and last decided
 * requests, their usage (CloudWatch) and the Spot service-linked role, and with
 * NodePools the targets Karpenter's limits imply; files increase requests. No flags,
 * prompts or terminal here: the command (or bootstrap's preflight) confirms
 * between `checkGpuQuotas` and `requestGpuQuotaIncreases`. (About 450 lines: the
 * check and the request share the client, the limiter and the error mapping.)
 */
import type * as ServiceQuotas from '@aws-sdk/client-service-quotas'
import type {RequestedServiceQuotaChange, ServiceQuotasClient} from '@aws-sdk/client-service-quotas'

import {describeAwsError} from '../aws/errors.ts'
import {type CallerLookup, assertAccount} from '../aws/identity.ts'
import {type AwsSession, createAwsClient} from '../aws/session.ts'
import {OperationError, type PikselError} from '../errors.ts'
import {
  DEFAULT_FAMILIES,
  DEFAULT_MARKETS,
  type FamilyId,
  GPU_FAMILIES,
  type Market,
  type PlannedRequest,
  type QuotaRef,
  type QuotaRequest,
  type QuotaRow,
  SERVICE_CODE,
  SPOT_ROLE_NAME,
  type SpotRoleStatus,
  accessHint,
  assertBoundedTargets,
  classifyRequestError,
  fallbackQuotaName,
  isAccessDenied,
  markBlocked,
  planRequests,
  quotaStatus,
  resolveTarget,
  selectQuotas,
  splitHistory,
  spotRoleWarning,
} from './gpu.ts'
import {readUsage} from './cloudwatch.ts'
import {type NodePoolFiles, describeInstanceTypes} from './gitops.ts'
import {instanceTypePatterns, planNodePools, poolScope, targetFor} from './karpenter.ts'
import {type Limiter, createLimiter} from './limit.ts'
import {type UsageMetric, nearLimitWarning, toUsageMetric, usageOf, usageUnavailableWarning} from './usage.ts'

export const DEFAULT_CONCURRENCY = 4

export interface CheckGpuQuotasOptions {
  session: AwsSession
  /** Who the caller is (for the report's account): the command's one identity lookup. */
  caller: CallerLookup
  /** Default: g, p. */
  families?: readonly FamilyId[]
  /** Default: on-demand and spot. */
  markets?: readonly Market[]
  /** vCPUs each quota should reach where no bounded NodePool says otherwise. Default 8. */
  target?: number
  /** Where `target` came from, for `targetSource`: --min, else the config (quota.gpuTarget, default 8). */
  targetFrom?: 'min' | 'config'
  /**
   * The NodePools of `--from-gitops` (readNodePools): each quota they launch into
   * gets their bound as its target; without `families`, their families are shown too.
   */
  nodePools?: NodePoolFiles
  /** The environment's name, for the command the Spot role warning names. */
  envName?: string
  /** AWS calls in flight at once. Default 4. */
  concurrency?: number
  /**
   * The run interrupted (bootstrap's Ctrl-C): the check stops waiting at once (its Service Quotas
   * client is closed) instead of at the request timeout. It only reads, so nothing is left half done.
   */
  signal?: AbortSignal
}

/** The --json shape of `piksel quota gpu`. */
export interface GpuQuotaReport {
  account: string
  region: string
  /** The target of quotas no NodePool launches into (--min, else the config; --min also where one is unbounded). */
  target: number
  quotas: QuotaRow[]
  /** With --from-gitops: the directory, how many YAML files were read, the GPU NodePools found. */
  gitops?: {dir: string; files: number; nodePools: Array<{name: string; file: string; line: number}>}
  spotRole: SpotRoleStatus
  /** Things people should act on that do not fail the check (the Spot role, usage, NodePools). */
  warnings: string[]
}

export interface RequestGpuQuotaOptions {
  session: AwsSession
  /** A report from checkGpuQuotas: what is filed is planRequests(report.quotas). */
  report: GpuQuotaReport
  /** With a configured account, nothing is filed for another account. */
  env?: {name: string; account?: string}
  /** Mark what would be filed; file nothing. */
  dryRun?: boolean
  concurrency?: number
}

type SqModule = typeof ServiceQuotas

export async function checkGpuQuotas(options: CheckGpuQuotasOptions): Promise<GpuQuotaReport> {
  const {session} = options
  const fallback = {target: resolveTarget(options.target, undefined), from: options.targetFrom ?? 'config'}
  const pools = options.nodePools?.pools ?? []
  const families = options.families ?? withPoolFamilies(DEFAULT_FAMILIES, pools)
  const refs = selectQuotas(families, options.markets ?? DEFAULT_MARKETS)
  const sq = await import('@aws-sdk/client-service-quotas')
  const client = createAwsClient(sq.ServiceQuotasClient, session)
  const limit = createLimiter(options.concurrency ?? DEFAULT_CONCURRENCY)
  try {
    // Everything at once; only the usage waits, for the metrics the quotas declare.
    const reads = Promise.all(refs.map((ref) => mapped(session, ref, readValue(sq, client, limit, ref))))
    const usage = reads.then((values) =>
      readUsage(
        session,
        values.map((v) => v.usageMetric),
      ),
    )
    const [identity, spot, values, histories, answer, types, labelled] = await untilAborted(
      Promise.all([
        options.caller(),
        checkSpotRole(session),
        reads,
        Promise.all(refs.map((ref) => mapped(session, ref, listHistory(sq, client, limit, ref.code)))),
        usage,
        describeInstanceTypes(session, instanceTypePatterns(pools)),
        // Only narrows pools that require a GPU label: a failure leaves them an upper bound, said.
        describeInstanceTypes(session, instanceTypePatterns(pools, 'labels')).then(
          (found) => ({found, warning: undefined}),
          (error: unknown) => ({
            found: [],
            warning: `The GPU label requirements (instance-gpu-count, instance-gpu-manufacturer) of NodePools ${pools
              .filter((p) => instanceTypePatterns([p], 'labels').length > 0)
              .map((p) => p.name)
              .join(
                ', ',
              )} were not read against EC2's instance types, so they count towards every family they name (an upper bound): ${describeAwsError(error, session, 'ec2:DescribeInstanceTypes').message}`,
          }),
        ),
      ]),
      options.signal,
      () => client.destroy(),
    )
    const plan = planNodePools(pools, [...types, ...labelled.found], labelled.warning === undefined)
    // Without --family, a family is shown beside g,p when a pool launches into it once EC2's facts
    // are known (a GPU label requirement keeps a pool out of Inf and Trn), not merely by its names.
    const shownRefs = refs
      .map((ref, i) => ({ref, i}))
      .filter(
        ({ref}) =>
          options.families !== undefined ||
          DEFAULT_FAMILIES.includes(ref.family) ||
          plan.demands.some((d) => d.family === ref.family),
      )
    const quotas = shownRefs.map(({ref, i}): QuotaRow => {
      const current = values[i] as Awaited<ReturnType<typeof readValue>>
      const {open, lastDecided} = splitHistory(histories[i] ?? [])
      const demand = plan.demands.find((d) => d.family === ref.family && d.market === ref.market)
      const {target, source} = targetFor(demand, fallback)
      return {
        family: ref.family,
        market: ref.market,
        code: ref.code,
        name: current.name ?? fallbackQuotaName(ref),
        value: current.value,
        valueSource: current.source,
        ...usageOf(current.usageMetric, i, answer),
        target,
        targetSource: source,
        status: quotaStatus(current.value, target, open),
        ...(open ? {request: open} : {}),
        ...(lastDecided ? {lastDecided} : {}),
      }
    })
    const spotWarning = spotRoleWarning(spot.status, spot.detail, options.envName, options.session.profile)
    const shown = new Set(quotas.map((q) => `${q.family}/${q.market}`))
    const hidden = plan.demands.filter((d) => !shown.has(`${d.family}/${d.market}`))
    const warnings = [
      ...(spotWarning ? [spotWarning] : []),
      ...(options.nodePools?.warnings ?? []),
      ...plan.warnings,
      ...(labelled.warning ? [labelled.warning] : []),
      ...(hidden.length > 0
        ? [
            `NodePools also launch into ${hidden.map((d) => `${fallbackQuotaName({...d, code: ''})}`).join(', ')}: not shown (--family / --market).`,
          ]
        : []),
      ...[usageUnavailableWarning(answer)].filter((w) => w !== undefined),
      ...quotas.map(nearLimitWarning).filter((w) => w !== undefined),
    ]
    return {
      account: identity.account,
      region: session.region,
      target: fallback.target,
      quotas,
      ...(options.nodePools
        ? {
            gitops: {
              dir: options.nodePools.dir,
              files: options.nodePools.files,
              nodePools: pools
                .filter((p) => plan.gpuPools.includes(p.name))
                .map((p) => ({name: p.name, file: p.file, line: p.line})),
            },
          }
        : {}),
      spotRole: spot.status,
      warnings,
    }
  } finally {
    client.destroy()
  }
}

/**
 * The promise, or a rejection as soon as `signal` aborts (after `onAbort`, which closes the
 * client whose calls are in flight): an interrupted run never waits for AWS to answer.
 */
async function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined, onAbort: () => void): Promise<T> {
  if (!signal) return promise
  let stop: (() => void) | undefined
  const aborted = new Promise<never>((_, reject) => {
    stop = () => {
      onAbort()
      reject(signal.reason instanceof Error ? signal.reason : new Error('interrupted'))
    }
    if (signal.aborted) stop()
    else signal.addEventListener('abort', stop, {once: true})
  })
  // The other branch's rejection must not go unhandled when the abort wins.
  promise.catch(() => {})
  try {
    return await Promise.race([promise, aborted])
  } finally {
    if (stop) signal.removeEventListener('abort', stop)
  }
}

/** The default families plus those the NodePools launch into, in table order. */
function withPoolFamilies(defaults: readonly FamilyId[], pools: NodePoolFiles['pools']): FamilyId[] {
  const wanted = new Set<FamilyId>([...defaults, ...pools.flatMap((p) => poolScope(p).families)])
  return GPU_FAMILIES.map((f) => f.id).filter((id) => wanted.has(id))
}

/** A quota call's error, said with the quota and the IAM actions the check needs. */
async function mapped<T>(session: AwsSession, ref: QuotaRef, task: Promise<T>): Promise<T> {
  try {
    return await task
  } catch (error) {
    if (error instanceof OperationError) throw error
    throw describeQuotaError(error, session, `checking ${ref.code} (${fallbackQuotaName(ref)})`, 'check')
  }
}

/**
 * Files RequestServiceQuotaIncrease for every `below` quota without an open
 * request, asking for the target. One failure does not stop the others; each
 * row says what happened (`action`, `error`). Returns the updated report.
 */
export async function requestGpuQuotaIncreases(options: RequestGpuQuotaOptions): Promise<GpuQuotaReport> {
  const {session, report} = options
  // The report's account is the caller's (checkGpuQuotas asked): nothing is filed for another account.
  if (options.env) assertAccount(options.env, report, session)
  // Nothing is filed, not even marked would-file, from a quota without a target (an unbounded NodePool).
  assertBoundedTargets(report.quotas)
  const plan = planRequests(report.quotas)
  // A quota with an open request for less than the target is never filed again (one open request per quota).
  const quotas = markBlocked(report.quotas).map((row) => ({...row}))
  const rowFor = (p: PlannedRequest) => quotas.find((r) => r.code === p.code) as QuotaRow
  if (options.dryRun || plan.length === 0) {
    for (const p of plan) rowFor(p).action = 'would-file'
    return {...report, quotas}
  }
  const sq = await import('@aws-sdk/client-service-quotas')
  const client = createAwsClient(sq.ServiceQuotasClient, session)
  const limit = createLimiter(options.concurrency ?? DEFAULT_CONCURRENCY)
  try {
    await Promise.all(plan.map((p) => fileOne(sq, client, limit, session, p, rowFor(p))))
  } finally {
    client.destroy()
  }
  return {...report, quotas}
}

async function fileOne(
  sq: SqModule,
  client: ServiceQuotasClient,
  limit: Limiter,
  session: AwsSession,
  planned: PlannedRequest,
  row: QuotaRow,
): Promise<void> {
  // The plan never asks for less than or as much as there is; refuse if it somehow would.
  if (!(planned.desired > planned.current)) {
    row.action = 'failed'
    row.error = {code: 'NOT_AN_INCREASE', message: `${planned.desired} is not above ${planned.current}`, hint: null}
    return
  }
  try {
    const out = await limit(() =>
      client.send(
        new sq.RequestServiceQuotaIncreaseCommand({
          ServiceCode: SERVICE_CODE,
          QuotaCode: planned.code,
          DesiredValue: planned.desired,
        }),
      ),
    )
    row.action = 'filed'
    row.status = 'pending'
    if (out.RequestedQuota) row.request = toRequest(out.RequestedQuota)
    return
  } catch (error) {
    const name = errorName(error)
    const action = classifyRequestError(name)
    if (action === 'already-open') {
      // Someone filed it since the check: show theirs, do not file another. It covers the
      // quota only if it asks for the target (unknown: assume it does, as AWS refused ours).
      const open = await bestEffort(() => listHistory(sq, client, limit, planned.code))
      const found = open ? splitHistory(open).open : undefined
      if (found) row.request = found
      row.status = found ? quotaStatus(row.value, row.target, found) : 'pending'
      row.action = row.status === 'below' ? 'blocked' : 'already-open'
      return
    }
    if (action === 'already-met') {
      // AWS refuses a value not above the current one: the quota was raised since the check.
      const now = await bestEffort(() => readValue(sq, client, limit, planned))
      if (now === undefined || now.value >= planned.desired) {
        row.action = 'already-met'
        row.status = 'ok'
        if (now) row.value = now.value
        return
      }
    }
    const described = describeQuotaError(error, session, 'servicequotas:RequestServiceQuotaIncrease', 'request')
    row.action = 'failed'
    row.error = {code: described.code, message: described.message, hint: described.hint ?? null}
  }
}

/** The applied value, falling back to AWS's default where none is applied. */
async function readValue(
  sq: SqModule,
  client: ServiceQuotasClient,
  limit: Limiter,
  ref: {code: string},
): Promise<{value: number; name?: string; source: 'applied' | 'default'; usageMetric?: UsageMetric}> {
  const input = {ServiceCode: SERVICE_CODE, QuotaCode: ref.code}
  try {
    const out = await limit(() => client.send(new sq.GetServiceQuotaCommand(input)))
    const usageMetric = toUsageMetric(out.Quota?.UsageMetric)
    return {value: out.Quota?.Value ?? 0, name: out.Quota?.QuotaName, source: 'applied', usageMetric}
  } catch (error) {
    if (errorName(error) !== 'NoSuchResourceException') throw error
  }
  const out = await limit(() => client.send(new sq.GetAWSDefaultServiceQuotaCommand(input)))
  const usageMetric = toUsageMetric(out.Quota?.UsageMetric)
  return {value: out.Quota?.Value ?? 0, name: out.Quota?.QuotaName, source: 'default', usageMetric}
}

/** A bound on history pages (100 requests each): a server that never stops paging cannot keep us. */
const MAX_HISTORY_PAGES = 50

/** The quota's request history, every page (the SDK's paginator), each page one call under the limiter. */
async function listHistory(
  sq: SqModule,
  client: ServiceQuotasClient,
  limit: Limiter,
  code: string,
): Promise<QuotaRequest[]> {
  const requests: QuotaRequest[] = []
  const pages = sq
    .paginateListRequestedServiceQuotaChangeHistoryByQuota(
      {client, pageSize: 100},
      {ServiceCode: SERVICE_CODE, QuotaCode: code},
    )
    [Symbol.asyncIterator]()
  try {
    for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
      const next = await limit(() => pages.next())
      if (next.done) break
      requests.push(...(next.value.RequestedQuotas ?? []).map(toRequest))
    }
  } finally {
    await pages.return?.(undefined)
  }
  return requests
}

export function toRequest(r: RequestedServiceQuotaChange): QuotaRequest {
  return {
    id: r.Id ?? '',
    caseId: r.CaseId || null,
    status: r.Status ?? 'UNKNOWN',
    desiredValue: r.DesiredValue ?? 0,
    created: r.Created ? r.Created.toISOString() : null,
  }
}

async function checkSpotRole(session: AwsSession): Promise<{status: SpotRoleStatus; detail?: string}> {
  const {IAMClient, GetRoleCommand} = await import('@aws-sdk/client-iam')
  const iam = createAwsClient(IAMClient, session)
  try {
    const out = await iam.send(new GetRoleCommand({RoleName: SPOT_ROLE_NAME}))
    // The Query protocol's XML parser takes any page (a proxy's HTML) as an empty answer: that is no role.
    if (!out.Role?.RoleName) return {status: 'unknown', detail: 'iam:GetRole answered without a role'}
    return {status: 'present'}
  } catch (error) {
    const name = errorName(error)
    if (name === 'NoSuchEntityException' || name === 'NoSuchEntity') return {status: 'missing'}
    if (isAccessDenied(name)) return {status: 'unknown', detail: 'iam:GetRole was denied'}
    return {status: 'unknown', detail: describeAwsError(error, session, 'iam:GetRole').message}
  } finally {
    iam.destroy()
  }
}

/** The one AWS error mapper, with Service Quotas' own hints (the IAM actions each step needs). */
function describeQuotaError(
  error: unknown,
  session: AwsSession,
  action: string,
  step: 'check' | 'request',
): PikselError {
  return describeAwsError(error, session, action, {
    hints: {
      ACCESS_DENIED: accessHint(step, false),
      DEPENDENCY_ACCESS_DENIED: accessHint(step, true),
      THROTTLED: 'Wait a minute and run again; fewer --family / --market values make fewer calls.',
    },
  })
}

function errorName(error: unknown): string {
  const e = (error ?? {}) as {name?: string; Code?: string; code?: string}
  return e.name ?? e.Code ?? e.code ?? 'Error'
}

async function bestEffort<T>(task: () => Promise<T>): Promise<T | undefined> {
  try {
    return await task()
  } catch {
    return undefined
  }
}
