// GPU quotas for Karpenter: check (with usage), the targets Karpenter's NodePools imply,
// request the missing ones, check again. Service Quotas comes from the loopback stand-in
// (moto has none); STS, IAM, CloudWatch (usage) and EC2 (instance types) from moto.
import {CloudWatchClient, PutMetricDataCommand} from '@aws-sdk/client-cloudwatch'
import {join} from 'node:path'

import {ROOT, startProcess} from '../lib.mjs'
import {usageMetricOf} from '../../test/support/service-quotas-standin.ts'

export default async function quota(ctx) {
  const now = Math.floor(Date.now() / 1000)
  // The sandbox account: G and VT On-Demand already raised to 8 earlier; a P Spot
  // request opened yesterday is still with AWS Support; everything else is AWS's default 0.
  const state = {
    quotas: {'L-DB2E81BA': {applied: 8}},
    history: {
      'L-DB2E81BA': [{DesiredValue: 8, Status: 'APPROVED', Created: now - 20 * 86400}],
      'L-7212CCBC': [{DesiredValue: 8, Status: 'CASE_OPENED', CaseId: '17612345671', Created: now - 86400}],
    },
  }
  let endpoint = ''
  // Its own process: ctx.piksel blocks this one while piksel runs.
  const child = await startProcess(
    process.execPath,
    [join(ROOT, 'test/support/service-quotas-standin.ts'), '--state', JSON.stringify(state)],
    {ready: (out) => Boolean((endpoint = /listening (\S+)/.exec(out)?.[1] ?? ''))},
  )
  ctx.onExit(async () => {
    child.kill('SIGTERM')
  })
  ctx.env.AWS_ENDPOINT_URL_SERVICE_QUOTAS = endpoint
  ctx.say(`Service Quotas stand-in at ${endpoint}; piksel reaches it through AWS_ENDPOINT_URL_SERVICE_QUOTAS.`)

  // Two g5.xlarge nodes running on-demand: AWS/Usage counts 8 vCPUs of the G and VT quota's 8.
  const cloudwatch = new CloudWatchClient({
    endpoint: ctx.env.AWS_ENDPOINT_URL,
    region: 'ap-southeast-3',
    credentials: {accessKeyId: ctx.env.AWS_ACCESS_KEY_ID, secretAccessKey: ctx.env.AWS_SECRET_ACCESS_KEY},
  })
  const metric = usageMetricOf('L-DB2E81BA')
  await cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: metric.MetricNamespace,
      MetricData: [
        {
          MetricName: metric.MetricName,
          Dimensions: Object.entries(metric.MetricDimensions).map(([Name, Value]) => ({Name, Value})),
          Timestamp: new Date(Date.now() - 120_000),
          Value: 8,
        },
      ],
    }),
  )
  cloudwatch.destroy()

  ctx.say(
    'Can Karpenter start GPU nodes in staging? (below target: exit 3; the Spot role is missing, G on-demand is full)',
  )
  ctx.piksel(['quota', 'gpu', '-e', 'staging'])
  ctx.say(
    'What does the platform need? The targets from Karpenter’s NodePools in the GitOps checkout (the training pool has no limits: P On-Demand has no target, said as unbounded).',
  )
  ctx.piksel(['quota', 'gpu', '-e', 'staging', '--from-gitops', join(ROOT, 'test/fixtures/karpenter/gitops')])
  ctx.say('What would be filed? (--dry-run files nothing)')
  ctx.piksel(['quota', 'gpu', '-e', 'staging', '--request', '--dry-run'])
  ctx.say('Without a terminal, filing needs --yes (exit 2, nothing filed).')
  ctx.piksel(['quota', 'gpu', '-e', 'staging', '--request'])
  ctx.say('File them: only the quotas below target without an open request, for the target.')
  ctx.piksel(['quota', 'gpu', '-e', 'staging', '--request', '--yes'], {allowFail: false})
  ctx.say('Check again: the new requests are pending with AWS Support (exit 3 until approved).')
  ctx.piksel(['quota', 'gpu', '-e', 'staging'])
}
