// GPU quotas with usage (issue 15 §1): `piksel quota gpu --json` over all 10 GPU vCPU
// quotas, each with usage datapoints in CloudWatch (moto), so every row carries its
// USED value from the one GetMetricData call, against the loop a person runs by hand:
// 10 sequential `aws service-quotas get-service-quota` calls on the same stand-in
// (which give no usage at all). Issue 15's bound: piksel ≤ 0.25× the loop.
import {CloudWatchClient, PutMetricDataCommand} from '@aws-sdk/client-cloudwatch'
import {join} from 'node:path'

import {BIN, ROOT, compare, startProcess} from '../lib.mjs'
import {launchMoto} from '../../test/support/moto.ts'
import {usageMetricOf} from '../../test/support/service-quotas-standin.ts'

const LIMIT = 0.25
const CODES = [
  'L-DB2E81BA',
  'L-3819A6DF',
  'L-417A185B',
  'L-7212CCBC',
  'L-1945791B',
  'L-B5D1601B',
  'L-2C3B7624',
  'L-6B0D517C',
  'L-6E869C2A',
  'L-85EED4F7',
]

/** A datapoint 2 minutes ago per quota, as AWS/Usage publishes them (the quota's own dimensions). */
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
        MetricData: CODES.map((code, i) => ({
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

export default async function quotaUsage() {
  const state = {quotas: Object.fromEntries(CODES.map((code) => [code, {applied: 64}]))}
  let sqEndpoint = ''
  const standin = await startProcess(
    process.execPath,
    [join(ROOT, 'test/support/service-quotas-standin.ts'), '--state', JSON.stringify(state)],
    {ready: (out) => Boolean((sqEndpoint = /listening (\S+)/.exec(out)?.[1] ?? ''))},
  )
  let moto
  try {
    moto = await launchMoto()
    await putUsage(moto.endpoint)
    const env = {
      ...process.env,
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ENDPOINT_URL_SERVICE_QUOTAS: sqEndpoint,
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_REGION: 'ap-southeast-3',
      AWS_DEFAULT_REGION: 'ap-southeast-3',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
    }
    delete env.AWS_PROFILE
    delete env.PIKSEL_CONFIG
    delete env.PIKSEL_ENV
    const loop = CODES.map(
      (code) => `aws service-quotas get-service-quota --service-code ec2 --quota-code ${code} >/dev/null || exit 1`,
    ).join('\n')
    const result = compare({
      label: 'piksel quota gpu --json with usage (10 quotas) vs 10x aws service-quotas get-service-quota',
      candidate: [
        process.execPath,
        [BIN, 'quota', 'gpu', '--family', 'g,p,inf,trn,dl', '--market', 'on-demand,spot', '--json'],
      ],
      baseline: ['sh', ['-c', loop]],
      runs: 5,
      options: {env, cwd: ROOT},
      check: (r, which) => {
        if (r.code !== 0) throw new Error(`${which} exited ${r.code}: ${r.stderr.slice(0, 300)}`)
        if (which !== 'candidate') return
        const usage = JSON.parse(r.stdout).quotas.map((q) => q.usage)
        // Each quota's own datapoint, in order: the usage really was read for all 10.
        if (JSON.stringify(usage) !== JSON.stringify(CODES.map((_, i) => i))) {
          throw new Error(`expected usage 0..9, got ${JSON.stringify(usage)}`)
        }
      },
    })
    const ok = result.ratio <= LIMIT
    console.log(`  minimum: piksel with usage <= ${LIMIT}x the aws loop: ${ok ? 'met' : 'NOT MET'}`)
    return ok
  } finally {
    standin.kill('SIGTERM')
    await moto?.stop()
  }
}
