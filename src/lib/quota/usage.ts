/**
 * vCPUs in use per quota, from the CloudWatch metric each quota declares
 * (`UsageMetric` in GetServiceQuota; for the EC2 vCPU quotas AWS/Usage
 * ResourceCount with Service=EC2, Type=Resource, Resource=vCPU, Class=G/OnDemand...).
 * Pure: the queries for one GetMetricData call and the reading of its answer;
 * cloudwatch.ts makes the call.
 */
import {formatNumber} from './gpu.ts'

/** The look-back window: the latest datapoint of the last hour is "now". */
export const USAGE_WINDOW_SECONDS = 3600
/** One datapoint per minute (AWS/Usage publishes each minute). */
export const USAGE_PERIOD_SECONDS = 60
/** At or above this share of the quota, a quota that meets its target is still a warning. */
export const NEAR_LIMIT_RATIO = 0.9
export const USAGE_ACTION = 'cloudwatch:GetMetricData'

/** The metric a quota declares, as the JSON shows it (`usageSource`). */
export interface UsageMetric {
  namespace: string
  metric: string
  dimensions: Record<string, string>
  /** The statistic asked for: the quota's recommendation (Maximum for the EC2 vCPU quotas). */
  statistic: string
}

/** Where `usage` came from, or (`reason`) why it is null. */
export type UsageSource = UsageMetric | (Partial<UsageMetric> & {reason: string})

/** Service Quotas' MetricInfo, as the SDK returns it. */
export interface MetricInfo {
  MetricNamespace?: string
  MetricName?: string
  MetricDimensions?: Record<string, string>
  MetricStatisticRecommendation?: string
}

const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum']

/** The quota's declared metric, or undefined when it declares none. Statistic: the recommended one, else Maximum. */
export function toUsageMetric(info: MetricInfo | undefined): UsageMetric | undefined {
  if (!info?.MetricNamespace || !info.MetricName) return undefined
  const recommended = info.MetricStatisticRecommendation
  const statistic =
    recommended && (STATISTICS.includes(recommended) || /^p\d+(\.\d+)?$/.test(recommended)) ? recommended : 'Maximum'
  return {
    namespace: info.MetricNamespace,
    metric: info.MetricName,
    dimensions: {...info.MetricDimensions},
    statistic,
  }
}

/** GetMetricData's MetricDataQuery, one per quota that declares a metric (ids q0, q1... by position). */
export interface MetricQuery {
  Id: string
  MetricStat: {
    Metric: {Namespace: string; MetricName: string; Dimensions: Array<{Name: string; Value: string}>}
    Period: number
    Stat: string
  }
  ReturnData: boolean
}

export function queryId(index: number): string {
  return `q${index}`
}

/** The queries of the one GetMetricData call: a quota without a metric has none. */
export function metricQueries(metrics: ReadonlyArray<UsageMetric | undefined>): MetricQuery[] {
  return metrics.flatMap((m, i) =>
    m
      ? [
          {
            Id: queryId(i),
            MetricStat: {
              Metric: {
                Namespace: m.namespace,
                MetricName: m.metric,
                // In the order the quota declares them (CloudWatch matches any order; moto only this one).
                Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({Name, Value})),
              },
              Period: USAGE_PERIOD_SECONDS,
              Stat: m.statistic,
            },
            ReturnData: true,
          },
        ]
      : [],
  )
}

/** The value of the newest datapoint (whatever order CloudWatch returned them in); undefined: none. */
export function latestValue(result: {Timestamps?: Date[]; Values?: number[]} | undefined): number | undefined {
  const times = result?.Timestamps ?? []
  const values = result?.Values ?? []
  let best: {at: number; value: number} | undefined
  for (const [i, value] of values.entries()) {
    const at = times[i]?.getTime() ?? Number.NEGATIVE_INFINITY
    if (Number.isFinite(value) && (!best || at > best.at)) best = {at, value}
  }
  return best?.value
}

/**
 * Why GetMetricData gave no usage: `denied` (AccessDenied), `throttled` (ThrottlingException /
 * "Rate exceeded" after the SDK's retries, or until the request timeout ended them), `timeout`
 * (no answer within the request timeout), `failed` (anything else).
 */
export type UsageFailure = 'denied' | 'throttled' | 'timeout' | 'failed'

/** What GetMetricData answered (per query id), or why it could not be asked. */
export type UsageAnswer =
  {ok: true; results: Map<string, number | undefined>} | {ok: false; why: UsageFailure; message: string}

/** One quota's usage and its source, from its metric and the call's answer. */
export function usageOf(
  metric: UsageMetric | undefined,
  index: number,
  answer: UsageAnswer,
): {usage: number | null; usageSource: UsageSource} {
  if (!metric) return {usage: null, usageSource: {reason: 'the quota declares no usage metric'}}
  if (!answer.ok) {
    const reason =
      answer.why === 'denied'
        ? `${USAGE_ACTION} was denied`
        : answer.why === 'throttled'
          ? `${USAGE_ACTION} was throttled (${answer.message})`
          : `CloudWatch: ${answer.message}`
    return {usage: null, usageSource: {...metric, reason}}
  }
  const value = answer.results.get(queryId(index))
  if (value === undefined) {
    return {usage: null, usageSource: {...metric, reason: 'no datapoint in the last hour'}}
  }
  return {usage: value, usageSource: metric}
}

/** vCPUs left under the quota; null when the usage is unknown. */
export function freeOf(value: number, usage: number | null): number | null {
  return usage === null ? null : value - usage
}

/** Usage at or above 90 % of a quota (a quota of 0 with nothing running is not). */
export function nearLimit(value: number, usage: number | null): boolean {
  // Compared in tenths: 0.9 * 13 is 11.700000000000001 in floating point, so 11.7 of 13 was not "at 90 %".
  return (
    usage !== null && usage > 0 && Math.round(usage * 1e6) * 10 >= Math.round(value * 1e6) * (NEAR_LIMIT_RATIO * 10)
  )
}

/** The warning for a quota near its limit; undefined when it is not. */
export function nearLimitWarning(row: {
  code: string
  name: string
  value: number
  usage: number | null
}): string | undefined {
  if (!nearLimit(row.value, row.usage)) return undefined
  const pct = row.value > 0 ? Math.round(((row.usage ?? 0) / row.value) * 100) : 100
  return `${row.code} (${row.name}): ${formatNumber(row.usage ?? 0)} of ${formatNumber(row.value)} vCPUs in use (${pct}%, at or above ${NEAR_LIMIT_RATIO * 100}%): Karpenter may soon be unable to start more of these nodes. Raise it with --request --min N.`
}

/** The warning when usage could not be read at all (never a failure of the check). */
export function usageUnavailableWarning(answer: UsageAnswer): string | undefined {
  if (answer.ok) return undefined
  if (answer.why === 'denied') {
    return `Usage unknown: ${USAGE_ACTION} was denied, so USED and FREE show "-". Allow ${USAGE_ACTION} for the caller to see them.`
  }
  if (answer.why === 'throttled') {
    return `Usage unknown: CloudWatch throttled ${USAGE_ACTION} (${answer.message}) and still did after the SDK's retries, so USED and FREE show "-". Wait a minute and run again (other tools calling CloudWatch in this account share its rate limit).`
  }
  if (answer.why === 'timeout') {
    return `Usage unknown: CloudWatch did not answer (${answer.message}), so USED and FREE show "-". Run again; --request-timeout 1m waits longer.`
  }
  return `Usage unknown: CloudWatch GetMetricData failed (${answer.message}), so USED and FREE show "-".`
}
