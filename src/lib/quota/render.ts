/**
 * The human view of `piksel quota gpu`: the table and its summary line, the
 * list shown before the confirmation, and what --request did per quota.
 * Pure: strings in, strings out.
 */
import {renderTable} from '../ui/table.ts'
import {
  type PlannedRequest,
  type QuotaRow,
  type QuotaSummary,
  blockedAdvice,
  describeRequest,
  familyById,
  formatNumber,
  summarise,
} from './gpu.ts'
import {describeTargetSource} from './karpenter.ts'
import type {GpuQuotaReport} from './service.ts'
import {freeOf} from './usage.ts'

/** A quota's cells under FAMILY, MARKET, CODE, VALUE, USED, FREE, TARGET, FROM, STATUS (also the --all-envs table's). */
export function quotaCells(q: QuotaRow): string[] {
  const free = freeOf(q.value, q.usage)
  return [
    familyById(q.family).label,
    q.market,
    q.code,
    `${formatNumber(q.value)}${q.valueSource === 'default' ? ' (default)' : ''}`,
    q.usage === null ? '-' : formatNumber(q.usage),
    free === null ? '-' : formatNumber(free),
    q.target === null ? 'unbounded' : formatNumber(q.target),
    describeTargetSource(q.targetSource),
    q.status,
  ]
}

/** The table, then `account …, region: 1 ok, 1 pending, 2 below target; Spot service-linked role …`. */
export function renderReport(report: GpuQuotaReport, now: Date = new Date(), width?: number): string {
  const table = renderTable(
    [
      'FAMILY',
      'MARKET',
      'CODE',
      'VALUE',
      'USED',
      'FREE',
      'TARGET',
      'FROM',
      'STATUS',
      'OPEN REQUEST',
      'LAST DECIDED',
      'NAME',
    ],
    report.quotas.map((q) => [
      ...quotaCells(q),
      describeRequest(q.request, now),
      describeRequest(q.lastDecided, now),
      q.name,
    ]),
    width,
  )
  const summary = summarise(report.quotas)
  const pools = report.gitops
    ? `\ntargets from the GPU NodePools under ${report.gitops.dir}: ${report.gitops.nodePools.map((p) => p.name).join(', ') || 'none'}`
    : ''
  return `${table}\n\naccount ${report.account}, ${report.region}: ${describeCounts(summary)}; Spot service-linked role ${report.spotRole}${pools}`
}

/** `1 ok, 0 pending, 2 below target`, and `, 1 unbounded (no target)` when a NodePool is. */
export function describeCounts(summary: QuotaSummary): string {
  const unbounded = summary.unbounded > 0 ? `, ${summary.unbounded} unbounded (no target)` : ''
  return `${summary.ok} ok, ${summary.pending} pending, ${summary.below} below target${unbounded}`
}

/** What --request will file, listed before the confirmation. */
export function renderPlan(plan: readonly PlannedRequest[], where: {account: string; region: string}): string {
  const s = plan.length === 1 ? '' : 's'
  return [
    `Will file ${plan.length} quota increase request${s} in account ${where.account}, region ${where.region} (each opens an AWS support case; approval can take hours to days):`,
    ...plan.map(
      (p) =>
        `  ${p.code}  ${p.name} (${familyById(p.family).label}, ${p.market}): ${formatNumber(p.current)} -> ${formatNumber(p.desired)} vCPUs`,
    ),
  ].join('\n')
}

/** What --request did for one quota (undefined when it did nothing); a failure carries its hint. */
export function describeOutcome(row: QuotaRow): {text: string; failed: boolean} | undefined {
  const what = `${row.code} (${row.name})`
  switch (row.action) {
    case 'filed':
      return {
        text: `filed: ${what}: request ${row.request?.id ?? '?'} for ${formatNumber(row.target ?? 0)} vCPUs`,
        failed: false,
      }
    case 'already-open':
      return {text: `pending: ${what}: a request was already open; none filed`, failed: false}
    case 'blocked':
      return {text: `below target: ${what}: ${blockedAdvice(row)}`, failed: false}
    case 'already-met':
      return {
        text: `already met: ${what}: AWS reports the quota already at or above ${formatNumber(row.target ?? 0)}`,
        failed: false,
      }
    case 'failed': {
      const hint = row.error?.hint ? `\n  Hint: ${row.error.hint}` : ''
      return {text: `failed: ${what}: ${row.error?.message ?? 'unknown error'}${hint}`, failed: true}
    }
    default:
      return undefined
  }
}
