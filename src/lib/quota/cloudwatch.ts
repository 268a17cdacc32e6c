/**
 * The one CloudWatch call of `piksel quota gpu`: GetMetricData for every quota's
 * declared usage metric at once (one MetricDataQuery per quota), over the last
 * hour. A refusal or failure is an answer (`ok: false`, with why: denied, throttled,
 * timeout, failed), never a failure of the quota check: usage.ts turns it into a warning.
 */
import {describeAwsError} from '../aws/errors.ts'
import {type AwsSession, createAwsClient} from '../aws/session.ts'
import {isAccessDenied} from './gpu.ts'
import {
  USAGE_ACTION,
  USAGE_WINDOW_SECONDS,
  type UsageAnswer,
  type UsageMetric,
  latestValue,
  metricQueries,
} from './usage.ts'

/** The latest datapoint of each metric (by query id q<index>); no call when no quota declares a metric. */
export async function readUsage(
  session: AwsSession,
  metrics: ReadonlyArray<UsageMetric | undefined>,
  now: Date = new Date(),
): Promise<UsageAnswer> {
  const queries = metricQueries(metrics)
  if (queries.length === 0) return {ok: true, results: new Map()}
  const {CloudWatchClient, GetMetricDataCommand} = await import('@aws-sdk/client-cloudwatch')
  const client = createAwsClient(CloudWatchClient, session)
  try {
    // At most 10 quotas × 60 datapoints: far under one page (100,800 datapoints), so one call.
    const out = await client.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: new Date(now.getTime() - USAGE_WINDOW_SECONDS * 1000),
        EndTime: now,
        ScanBy: 'TimestampDescending',
      }),
    )
    const results = new Map<string, number | undefined>()
    for (const result of out.MetricDataResults ?? []) {
      if (result.Id) results.set(result.Id, latestValue(result))
    }
    return {ok: true, results}
  } catch (error) {
    const name = (error as {name?: string}).name ?? ''
    if (isAccessDenied(name)) return {ok: false, why: 'denied', message: `${USAGE_ACTION} was denied`}
    const described = describeAwsError(error, session, USAGE_ACTION)
    // Throttled (ThrottlingException, "Rate exceeded"), even when the retries outlasted the deadline: not a timeout.
    if (described.code === 'THROTTLED') {
      const said = (error as {message?: string}).message
      return {ok: false, why: 'throttled', message: `${name}${said && said !== name ? `: ${said}` : ''}`}
    }
    return {ok: false, why: described.code === 'TIMEOUT' ? 'timeout' : 'failed', message: described.message}
  } finally {
    client.destroy()
  }
}
