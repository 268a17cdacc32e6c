// GPU quotas with usage (issue 15 §1): `piksel quota gpu --json` over all 10 GPU vCPU
// quotas, each with usage datapoints in CloudWatch (moto), so every row carries its
// USED value from the one GetMetricData call, against the loop a person runs by hand:
// 10 sequential `aws service-quotas get-service-quota` calls on the same stand-in
// (which give no usage at all). Issue 15's bound: piksel ≤ 0.25× the loop.
import {CloudWatchClient, PutMetricDataCommand} from '@aws-sdk/client-cloudwatch'

import {GPU_QUOTA_CODES, benchQuotaGpu} from '../quota-bench.mjs'
import {usageMetricOf} from '../../test/support/service-quotas-standin.ts'

/** A datapoint 2 minutes ago per quota, as AWS/Usage publishes them (the quota's own dimensions): quota i uses i vCPUs. */
async function putUsage(endpoint) {
  const client = new CloudWatchClient({
    endpoint,
    region: 'ap-southeast-3',
    credentials: {accessKeyId: 'bench', secretAccessKey: 'bench'},
  })
  try {
    await client.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/Usage',
        MetricData: GPU_QUOTA_CODES.map((code, i) => ({
          MetricName: 'ResourceCount',
          Dimensions: Object.entries(usageMetricOf(code).MetricDimensions).map(([Name, Value]) => ({Name, Value})),
          Timestamp: new Date(Date.now() - 120_000),
          Value: i,
        })),
      }),
    )
  } finally {
    client.destroy()
  }
}

export default function quotaUsage() {
  return benchQuotaGpu({
    label: 'piksel quota gpu --json with usage (10 quotas) vs 10x aws service-quotas get-service-quota',
    limit: 0.25,
    minimum: 'piksel with usage',
    applied: 64,
    prepare: putUsage,
    checkCandidate: (report) => {
      const usage = report.quotas.map((q) => q.usage)
      // Each quota's own datapoint, in order: the usage really was read for all 10.
      if (JSON.stringify(usage) !== JSON.stringify(GPU_QUOTA_CODES.map((_, i) => i))) {
        throw new Error(`expected usage 0..9, got ${JSON.stringify(usage)}`)
      }
    },
  })
}
