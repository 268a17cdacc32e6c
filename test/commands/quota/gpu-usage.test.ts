/**
 * `piksel quota gpu` usage and Karpenter targets (issue 15 §1), as a user runs it:
 * usage from moto's CloudWatch (PutMetricData, then the CLI's GetMetricData through
 * the real SDK), the metric each quota declares from the Service Quotas stand-in,
 * instance types from moto's EC2, NodePools from fixtures shaped like Karpenter's docs.
 */
import {CloudWatchClient, PutMetricDataCommand} from '@aws-sdk/client-cloudwatch'
import {expect} from 'chai'
import {cpSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {type Server, createServer} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {ROOT, type RunOptions, isolatedEnv, runPiksel} from '../../support/cli.ts'
import {MOTO_ACCOUNT, type Moto, startMoto} from '../../support/moto.ts'
import {
  type ServiceQuotasStandin,
  startServiceQuotasStandin,
  usageMetricOf,
} from '../../support/service-quotas-standin.ts'

const G_OD = 'L-DB2E81BA'
const G_SPOT = 'L-3819A6DF'
const P_OD = 'L-417A185B'
const P_SPOT = 'L-7212CCBC'
const FIXTURES = join(ROOT, 'test', 'fixtures', 'karpenter')
const GITOPS = join(FIXTURES, 'gitops')

interface Row {
  code: string
  value: number
  usage: number | null
  usageSource: Record<string, unknown>
  target: number | null
  targetSource: {
    from: string
    pools: Array<{name: string; file: string; vcpus: number | null; limitedBy: string | null}>
    reason?: string
    unboundedPools?: string[]
  }
  status: string
  action?: string
}
interface Report {
  target: number
  quotas: Row[]
  warnings: string[]
  gitops?: {dir: string; files: number; nodePools: Array<{name: string; file: string; line: number}>}
}

/** How the loopback CloudWatch refuses GetMetricData: AWS's answer for that error (awsQueryCompatible JSON). */
interface CloudWatchRefusal {
  type: string
  queryError: string
  status: number
  message: string
}

/** AWS's answer for a caller without cloudwatch:GetMetricData. */
const DENIED: CloudWatchRefusal = {
  type: 'AccessDeniedException',
  queryError: 'AccessDenied;Sender',
  status: 400,
  message: `User: arn:aws:iam::${MOTO_ACCOUNT}:user/ci is not authorized to perform: cloudwatch:GetMetricData because no identity-based policy allows the cloudwatch:GetMetricData action`,
}

/** AWS's answer when GetMetricData's transactions per second are exceeded (CloudWatch: Throttling, "Rate exceeded"). */
const THROTTLED: CloudWatchRefusal = {
  type: 'ThrottlingException',
  queryError: 'Throttling;Sender',
  status: 400,
  message: 'Rate exceeded',
}

/** A loopback CloudWatch that refuses every GetMetricData call the way AWS does. */
async function refusingCloudWatch(
  refusal: CloudWatchRefusal = DENIED,
): Promise<{endpoint: string; calls: string[]; stop: () => Promise<void>}> {
  const calls: string[] = []
  const server: Server = createServer((req, res) => {
    calls.push(String(req.headers['x-amz-target']))
    req.resume()
    req.on('end', () => {
      const body = JSON.stringify({__type: `com.amazonaws.cloudwatch#${refusal.type}`, message: refusal.message})
      res.writeHead(refusal.status, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-query-error': refusal.queryError,
        'content-length': Buffer.byteLength(body),
      })
      res.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A Karpenter v1 NodePool document: its requirements (flow-style YAML, one each) and its limits. */
const nodePool = (name: string, requirements: string[], limits: string) =>
  [
    'apiVersion: karpenter.sh/v1',
    'kind: NodePool',
    `metadata: {name: ${name}}`,
    'spec:',
    '  template:',
    '    spec:',
    '      requirements:',
    ...requirements.map((r) => `        - ${r}`),
    `  limits: ${limits}`,
  ].join('\n')

describe('piksel quota gpu: usage and Karpenter targets', function () {
  this.timeout(90_000)
  let moto: Moto
  let standin: ServiceQuotasStandin

  before(async function () {
    moto = await startMoto(this)
  })
  after(async () => {
    await moto?.stop()
  })
  beforeEach(async () => {
    await moto.reset()
    standin = await startServiceQuotasStandin({quotas: {[G_OD]: {applied: 100}, [G_SPOT]: {applied: 32}}})
  })
  afterEach(async () => {
    await standin.stop()
  })

  const run = (args: string[], options: RunOptions & {extraEnv?: Record<string, string>} = {}) =>
    runPiksel(['quota', 'gpu', ...args], {
      ...options,
      env: isolatedEnv({...moto.env, AWS_ENDPOINT_URL_SERVICE_QUOTAS: standin.endpoint, ...options.extraEnv}),
    })

  /** Usage datapoints as AWS publishes them: AWS/Usage ResourceCount with the quota's own dimensions. */
  async function putUsage(code: string, points: Array<[minutesAgo: number, vcpus: number]>): Promise<void> {
    const metric = usageMetricOf(code) as {MetricDimensions: Record<string, string>}
    const client = new CloudWatchClient({
      endpoint: moto.endpoint,
      region: 'ap-southeast-3',
      credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'},
    })
    try {
      await client.send(
        new PutMetricDataCommand({
          Namespace: 'AWS/Usage',
          MetricData: points.map(([minutesAgo, value]) => ({
            MetricName: 'ResourceCount',
            Dimensions: Object.entries(metric.MetricDimensions).map(([Name, Value]) => ({Name, Value})),
            Timestamp: new Date(Date.now() - minutesAgo * 60_000),
            Value: value,
          })),
        }),
      )
    } finally {
      client.destroy()
    }
  }

  describe('usage', () => {
    it('reads each quota’s declared metric from CloudWatch: the latest datapoint, USED and FREE', async () => {
      await putUsage(G_OD, [
        [20, 40],
        [3, 48],
      ])
      // An older hour's datapoint is not "now".
      await putUsage(G_SPOT, [[90, 16]])
      const r = await run(['--json'])
      expect(r.exitCode, r.stderr).to.equal(3)
      const rows = r.json<Report>().quotas
      expect(rows.map((q) => [q.code, q.usage])).to.deep.equal([
        [G_OD, 48],
        [G_SPOT, null],
        [P_OD, null],
        [P_SPOT, null],
      ])
      expect(rows[0]?.usageSource).to.deep.equal({
        namespace: 'AWS/Usage',
        metric: 'ResourceCount',
        dimensions: {Service: 'EC2', Type: 'Resource', Resource: 'vCPU', Class: 'G/OnDemand'},
        statistic: 'Maximum',
      })
      expect(rows[1]?.usageSource).to.include({reason: 'no datapoint in the last hour'})
      expect(r.json<Report>().warnings.some((w) => w.includes('in use'))).to.equal(false)

      const table = await run([])
      expect(table.stdout).to.match(/^FAMILY\s+MARKET\s+CODE\s+VALUE\s+USED\s+FREE\s+TARGET\s+FROM\s+STATUS/)
      expect(table.stdout).to.match(/G and VT\s+on-demand\s+L-DB2E81BA\s+100\s+48\s+52\s+8\s+config\s+ok/)
      expect(table.stdout).to.match(/G and VT\s+spot\s+L-3819A6DF\s+32\s+-\s+-\s+8\s+config\s+ok/)
    })

    it('a quota at or above 90 % use is a warning even when it meets its target (the exit code stays)', async () => {
      for (const code of [P_OD, P_SPOT]) standin.setApplied(code, 32)
      await putUsage(G_OD, [[2, 90]])
      await putUsage(G_SPOT, [[2, 28]])
      const r = await run(['--json'])
      expect(r.exitCode, r.stderr).to.equal(0)
      const report = r.json<Report>()
      expect(report.quotas.every((q) => q.status === 'ok')).to.equal(true)
      const near = report.warnings.filter((w) => w.includes('vCPUs in use'))
      expect(near).to.have.length(1)
      expect(near[0]).to.match(/^L-DB2E81BA \(Running On-Demand G and VT instances\): 90 of 100 vCPUs in use \(90%/)
      expect(r.stderr).to.include('Warning: L-DB2E81BA (Running On-Demand G and VT instances): 90 of 100 vCPUs in use')
    })

    it('cloudwatch:GetMetricData denied: a warning naming the action, usage null, the check still decided', async () => {
      const denied = await refusingCloudWatch(DENIED)
      try {
        const r = await run(['--json'], {extraEnv: {AWS_ENDPOINT_URL_CLOUDWATCH: denied.endpoint}})
        expect(r.exitCode, r.stderr).to.equal(3)
        expect(denied.calls).to.deep.equal(['GraniteServiceVersion20100801.GetMetricData'])
        const report = r.json<Report>()
        expect(report.quotas.map((q) => `${q.code}:${q.status}`)).to.deep.equal([
          `${G_OD}:ok`,
          `${G_SPOT}:ok`,
          `${P_OD}:below`,
          `${P_SPOT}:below`,
        ])
        for (const q of report.quotas) {
          expect(q.usage).to.equal(null)
          expect(q.usageSource).to.include({reason: 'cloudwatch:GetMetricData was denied'})
        }
        const warning = report.warnings.find((w) => w.startsWith('Usage unknown'))
        expect(warning).to.include('cloudwatch:GetMetricData was denied')
        expect(r.stderr).to.include('Warning: Usage unknown: cloudwatch:GetMetricData was denied')
      } finally {
        await denied.stop()
      }
    })

    for (const [label, timeout] of [
      ['within the request timeout', []],
      ['when the retries outlast the request timeout', ['--request-timeout', '1s']],
    ] as const) {
      it(`a throttled GetMetricData (Rate exceeded) says throttled, never "no answer", ${label}`, async () => {
        const throttled = await refusingCloudWatch(THROTTLED)
        try {
          const r = await run(['--json', ...timeout], {extraEnv: {AWS_ENDPOINT_URL_CLOUDWATCH: throttled.endpoint}})
          expect(r.exitCode, r.stderr).to.equal(3)
          expect(throttled.calls.length).to.be.at.least(1)
          const report = r.json<Report>()
          for (const q of report.quotas) {
            expect(q.usage).to.equal(null)
            expect(String(q.usageSource.reason)).to.match(/throttl/i)
            expect(String(q.usageSource.reason)).not.to.match(/no answer/)
          }
          const warning = report.warnings.find((w) => w.startsWith('Usage unknown')) ?? ''
          expect(warning).to.match(/CloudWatch throttled cloudwatch:GetMetricData/)
          expect(warning).to.match(/run again/)
          expect(warning).not.to.match(/no answer/)
        } finally {
          await throttled.stop()
        }
      })
    }

    it('a quota that declares no usage metric: usage null with the reason', async () => {
      standin.load({quotas: {[G_OD]: {noUsageMetric: true}}})
      await putUsage(G_OD, [[2, 50]])
      const r = await run(['--family', 'g', '--market', 'on-demand', '--json'])
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(r.json<Report>().quotas[0]).to.deep.include({
        usage: null,
        usageSource: {reason: 'the quota declares no usage metric'},
      })
    })
  })

  describe('--from-gitops', () => {
    it('targets from the NodePools: cpu limits, GPU limits × EC2’s vCPUs per GPU, summed; CPU pools ignored', async () => {
      const r = await run(['--from-gitops', GITOPS, '--json'])
      expect(r.exitCode, r.stderr).to.equal(3)
      const report = r.json<Report>()
      const rows = Object.fromEntries(report.quotas.map((q) => [q.code, q]))
      // G on-demand: gpu (cpu 96 beats 30 GPUs × 32 = 960) + batch (cpu 1k, both markets).
      expect(rows[G_OD]).to.deep.include({target: 1096, status: 'below'})
      expect(rows[G_OD]?.targetSource).to.deep.equal({
        from: 'nodepools',
        pools: [
          {name: 'batch', file: join(GITOPS, 'apps', 'batch.yaml'), vcpus: 1000, limitedBy: 'cpu'},
          {
            name: 'gpu',
            file: join(GITOPS, 'infrastructure', 'karpenter', 'nodepools.yaml'),
            vcpus: 96,
            limitedBy: 'cpu',
          },
        ],
      })
      // G spot: gpu-spot (10 GPUs × 12, g5.12xlarge's 48 vCPUs / 4 GPUs, the largest of its types) + batch.
      expect(rows[G_SPOT]).to.deep.include({target: 1120})
      expect(rows[G_SPOT]?.targetSource.pools.map((p) => [p.name, p.vcpus, p.limitedBy])).to.deep.equal([
        ['batch', 1000, 'cpu'],
        ['gpu-spot', 120, 'nvidia.com/gpu'],
      ])
      // P on-demand: training has no limits: unbounded, so no target (never the configured 8).
      expect(rows[P_OD]).to.deep.include({target: null, status: 'unbounded'})
      expect(rows[P_OD]?.targetSource).to.deep.equal({
        from: 'nodepools',
        pools: [{name: 'training', file: join(GITOPS, 'apps', 'batch.yaml'), vcpus: null, limitedBy: null}],
        reason: 'unbounded',
        unboundedPools: ['training'],
      })
      expect(rows[P_SPOT]?.targetSource).to.deep.equal({from: 'config', pools: []})
      expect(report.gitops?.nodePools.map((p) => p.name)).to.deep.equal(['batch', 'training', 'gpu-spot', 'gpu'])
      expect(report.gitops).to.include({dir: GITOPS, files: 3})
      const unbounded = report.warnings.filter((w) => w.includes('unbounded'))
      expect(unbounded).to.have.length(1)
      expect(unbounded[0]).to.match(/^NodePool training \(.*apps\/batch\.yaml:23\) is unbounded for P vCPUs/)

      const table = await run(['--from-gitops', GITOPS])
      expect(table.stdout).to.match(/G and VT\s+on-demand\s+L-DB2E81BA\s+100\s+-\s+-\s+1096\s+batch, gpu\s+below/)
      expect(table.stdout).to.match(
        /P\s+on-demand\s+L-417A185B\s+0 \(default\)\s+-\s+-\s+unbounded\s+unbounded: training\s+unbounded/,
      )
      expect(table.stdout).to.include('3 below target, 1 unbounded (no target)')
      expect(table.stdout).to.include(`targets from the GPU NodePools under ${GITOPS}: batch, training, gpu-spot, gpu`)
    })

    it('--request files the NodePool-derived targets', async () => {
      const r = await run(['--from-gitops', GITOPS, '--family', 'g', '--request', '--yes', '--json'])
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(
        standin
          .filed()
          .map((f) => `${f.QuotaCode}=${f.DesiredValue}`)
          .sort(),
      ).to.deep.equal([`${G_SPOT}=1120`, `${G_OD}=1096`])
    })

    describe('an unbounded GPU NodePool (no spec.limits): no target, never the configured one', () => {
      /** One bounded and one unbounded G pool (Karpenter accepts both: limits are optional). */
      function pools(): string {
        const dir = mkdtempSync(join(tmpdir(), 'piksel-np-'))
        const nodePool = (name: string, family: string, limits: string) =>
          [
            'apiVersion: karpenter.sh/v1',
            'kind: NodePool',
            `metadata: {name: ${name}}`,
            'spec:',
            `  template: {spec: {requirements: [{key: karpenter.k8s.aws/instance-family, operator: In, values: [${family}]}]}}`,
            ...(limits ? [`  limits: ${limits}`] : []),
          ].join('\n')
        writeFileSync(
          join(dir, 'pools.yaml'),
          [
            nodePool('render', 'g6e', '{cpu: 64}'),
            nodePool('lab', 'gr6', ''),
            nodePool('off', 'g5', '{nvidia.com/gpu: "0"}'),
          ].join('\n---\n'),
        )
        return dir
      }
      const args = (dir: string) => ['--from-gitops', dir, '--family', 'g', '--market', 'on-demand']

      it('a check: target null, reason unbounded naming the pool, status unbounded, exit 3; the config’s 16 is not used', async () => {
        const cwd = mkdtempSync(join(tmpdir(), 'piksel-quota-'))
        writeFileSync(
          join(cwd, 'piksel.config.yaml'),
          `environments:\n  staging:\n    account: "${MOTO_ACCOUNT}"\n    quota: {gpuTarget: 16}\n`,
        )
        const r = await run(['-e', 'staging', ...args(pools()), '--json'], {cwd})
        expect(r.exitCode, r.stderr).to.equal(3)
        const [row] = r.json<Report>().quotas
        expect(row).to.deep.include({code: G_OD, value: 100, target: null, status: 'unbounded'})
        expect(row?.targetSource).to.deep.include({from: 'nodepools', reason: 'unbounded', unboundedPools: ['lab']})
        // nvidia.com/gpu "0" is a bound of 0, not unbounded.
        expect(row?.targetSource.pools.map((p) => `${p.name}=${p.vcpus}`)).to.deep.equal([
          'render=64',
          'lab=null',
          'off=0',
        ])
        expect(r.stderr).to.match(/Warning: NodePool lab \(.*pools\.yaml:\d+\) is unbounded for G and VT vCPUs/)
      })

      it('--request refuses: exit 2 UNBOUNDED_TARGET naming the pool and --min; nothing filed', async () => {
        for (const extra of [['--yes'], ['--dry-run']]) {
          const r = await run([...args(pools()), '--request', ...extra, '--json'])
          expect(r.exitCode, r.stderr).to.equal(2)
          const {error} = r.json<{error: {code: string; message: string; hint: string}}>()
          expect(error.code).to.equal('UNBOUNDED_TARGET')
          expect(error.message).to.match(/^--request: L-DB2E81BA has no target: NodePool lab is unbounded/)
          expect(error.hint).to.include('--min N')
          expect(standin.calls('RequestServiceQuotaIncrease')).to.deep.equal([])
          expect(standin.filed()).to.deep.equal([])
        }
      })

      it('an explicit --min is the target there, said beside the pool; --request files it', async () => {
        const r = await run([...args(pools()), '--min', '256', '--request', '--yes', '--json'])
        expect(r.exitCode, r.stderr).to.equal(0)
        const [row] = r.json<Report>().quotas
        expect(row).to.deep.include({target: 256})
        expect(row?.targetSource).to.deep.include({from: 'min', unboundedPools: ['lab']})
        expect(standin.filed().map((f) => `${f.QuotaCode}=${f.DesiredValue}`)).to.deep.equal([`${G_OD}=256`])
      })
    })

    it('newer families (g6e, gr6, p5e) and instance-gpu-count, with EC2’s figures from moto', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'piksel-np-'))
      writeFileSync(
        join(dir, 'pools.yaml'),
        [
          // Only the 4- and 8-GPU g5 types: g5.24xlarge and g5.48xlarge, 24 vCPUs per GPU → 10 × 24.
          nodePool(
            'multi',
            [
              '{key: karpenter.k8s.aws/instance-family, operator: In, values: [g5]}',
              '{key: karpenter.k8s.aws/instance-gpu-count, operator: In, values: ["4", "8"]}',
            ],
            '{nvidia.com/gpu: 10}',
          ),
          // g6e.16xlarge: 64 vCPUs per GPU → 10 × 64.
          nodePool(
            'render',
            [
              '{key: karpenter.k8s.aws/instance-family, operator: In, values: [g6e, gr6]}',
              '{key: karpenter.sh/capacity-type, operator: In, values: [spot]}',
            ],
            '{nvidia.com/gpu: 10}',
          ),
          // p5e.48xlarge: 192 vCPUs, 8 H200 → 16 × 24.
          nodePool(
            'h200',
            ['{key: karpenter.k8s.aws/instance-family, operator: In, values: [p5e]}'],
            '{nvidia.com/gpu: 16}',
          ),
          // A memory limit only: p5e.48xlarge, 192 vCPUs and 2 TiB (less Karpenter's 7.5 % VM overhead)
          // → 8 TiB / (2 TiB × 0.925) × 192 = 830.3, rounded up.
          nodePool(
            'h200-spot',
            [
              '{key: karpenter.k8s.aws/instance-family, operator: In, values: [p5e]}',
              '{key: karpenter.sh/capacity-type, operator: In, values: [spot]}',
            ],
            '{memory: 8Ti}',
          ),
        ].join('\n---\n'),
      )
      const r = await run(['--from-gitops', dir, '--json'])
      expect(r.exitCode, r.stderr).to.equal(3)
      const report = r.json<Report>()
      expect(
        report.quotas.map((q) => [
          q.code,
          q.target,
          q.targetSource.pools.map((p) => `${p.name}=${p.limitedBy}:${Math.round(p.vcpus ?? -1)}`),
        ]),
      ).to.deep.equal([
        [G_OD, 240, ['multi=nvidia.com/gpu:240']],
        [G_SPOT, 640, ['render=nvidia.com/gpu:640']],
        [P_OD, 384, ['h200=nvidia.com/gpu:384']],
        [P_SPOT, 831, ['h200-spot=memory:830']],
      ])
      expect(report.warnings.filter((w) => w.includes('unbounded') || w.includes('unknown'))).to.deep.equal([])
    })

    it('GPU labels (instance-gpu-manufacturer, instance-gpu-count) keep a pool out of families without GPUs (Inf, Trn)', async () => {
      // No category, family or type In: such a pool looks open, but Karpenter sets the GPU labels only on
      // types EC2 describes with GPUs (GpuInfo): inf and trn have none, dl1 has Habana GPUs.
      const dir = mkdtempSync(join(tmpdir(), 'piksel-np-'))
      writeFileSync(
        join(dir, 'pools.yaml'),
        [
          // NVIDIA types only: G at 64 vCPUs per GPU (g4dn/g5/g6.16xlarge) → 8 × 64; P at 24 (p5.48xlarge) → 8 × 24.
          nodePool(
            'nvidia',
            [
              '{key: karpenter.k8s.aws/instance-gpu-manufacturer, operator: In, values: [nvidia]}',
              '{key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}',
            ],
            '{nvidia.com/gpu: 8}',
          ),
          // Any type with a GPU (G, P, and DL's Habana), Spot, 100 vCPUs.
          nodePool(
            'any-gpu',
            [
              '{key: karpenter.k8s.aws/instance-gpu-count, operator: Gt, values: ["0"]}',
              '{key: karpenter.sh/capacity-type, operator: In, values: [spot]}',
            ],
            '{cpu: 100}',
          ),
        ].join('\n---\n'),
      )
      const r = await run(['--from-gitops', dir, '--json'])
      expect(r.exitCode, r.stderr).to.equal(3)
      const report = r.json<Report>()
      // DL On-Demand (L-6E869C2A) is shown beside DL Spot (L-85EED4F7), with the configured target.
      expect(report.quotas.map((q) => [q.code, q.target, q.targetSource.from])).to.deep.equal([
        [G_OD, 512, 'nodepools'],
        [G_SPOT, 100, 'nodepools'],
        [P_OD, 192, 'nodepools'],
        [P_SPOT, 100, 'nodepools'],
        ['L-6E869C2A', 8, 'config'],
        ['L-85EED4F7', 100, 'nodepools'],
      ])
      expect(report.warnings.filter((w) => w.includes('unbounded'))).to.deep.equal([])
      // Not refused as unbounded: the dry run lists what would be filed.
      const dry = await run(['--from-gitops', dir, '--request', '--dry-run', '--json'])
      expect(dry.exitCode, dry.stderr).to.equal(3)
      expect(standin.filed()).to.deep.equal([])
    })

    it('EC2 refusing DescribeInstanceTypes for a cpu-limited pool’s GPU labels: a warning and an upper bound, not a failure', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'piksel-np-'))
      writeFileSync(
        join(dir, 'pool.yaml'),
        [
          'apiVersion: karpenter.sh/v1',
          'kind: NodePool',
          'metadata: {name: any-gpu}',
          'spec:',
          '  template:',
          '    spec:',
          '      requirements:',
          '        - {key: karpenter.k8s.aws/instance-gpu-count, operator: Exists}',
          '  limits: {cpu: 100}',
        ].join('\n'),
      )
      const calls: string[] = []
      const ec2: Server = createServer((req, res) => {
        calls.push(req.method ?? '')
        req.resume()
        req.on('end', () => {
          const body = `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation. User: arn:aws:iam::${MOTO_ACCOUNT}:user/ci is not authorized to perform: ec2:DescribeInstanceTypes</Message></Error></Errors><RequestID>r1</RequestID></Response>`
          res.writeHead(403, {'content-type': 'text/xml', 'content-length': Buffer.byteLength(body)})
          res.end(body)
        })
      })
      await new Promise<void>((resolve) => ec2.listen(0, '127.0.0.1', resolve))
      const address = ec2.address()
      const endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
      try {
        const r = await run(['--from-gitops', dir, '--json'], {extraEnv: {AWS_ENDPOINT_URL_EC2: endpoint}})
        expect(r.exitCode, r.stderr).to.equal(3)
        expect(calls.length).to.be.greaterThan(0)
        const report = r.json<Report>()
        const warning = report.warnings.find((w) => w.includes('were not read against EC2'))
        expect(warning, report.warnings.join('\n')).to.include('NodePools any-gpu').and.to.include('upper bound')
        // Every family it names, at its cpu bound (on-demand: no capacity-type requirement).
        expect(
          report.quotas.filter((q) => q.targetSource.from === 'nodepools').map((q) => [q.code, q.target]),
        ).to.deep.equal([
          [G_OD, 100],
          [P_OD, 100],
          ['L-1945791B', 100],
          ['L-2C3B7624', 100],
          ['L-6E869C2A', 100],
        ])
      } finally {
        ec2.closeAllConnections()
        await new Promise<void>((resolve) => ec2.close(() => resolve()))
      }
    })

    it('a NodePool of an unknown family: a warning, ignored', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'piksel-np-'))
      cpSync(join(FIXTURES, 'bad', 'unknown-family.yaml'), join(dir, 'unknown.yaml'))
      const r = await run(['--from-gitops', dir, '--json'])
      expect(r.exitCode, r.stderr).to.equal(3)
      const report = r.json<Report>()
      expect(report.warnings.filter((w) => w.includes('unknown to piksel'))).to.deep.equal([
        `NodePool quantum (${join(dir, 'unknown.yaml')}:1): instance family qx9 unknown to piksel (not a GPU family: g/gr/vt, p, inf, trn, dl, nor a CPU one); ignored.`,
      ])
      expect(report.quotas.every((q) => q.target === 8 && q.targetSource.from === 'config')).to.equal(true)
      expect(report.gitops?.nodePools).to.deep.equal([])
    })

    it('without DIR: the environment’s gitops.dir joined with its gitops.path', async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'piksel-quota-'))
      mkdirSync(join(cwd, 'checkout', 'clusters'), {recursive: true})
      cpSync(join(GITOPS, 'infrastructure'), join(cwd, 'checkout', 'clusters', 'staging'), {recursive: true})
      writeFileSync(
        join(cwd, 'piksel.config.yaml'),
        `environments:\n  staging:\n    account: "${MOTO_ACCOUNT}"\n    gitops:\n      dir: checkout\n`,
      )
      const r = await run(['-e', 'staging', '--from-gitops', '--json'], {cwd})
      expect(r.exitCode, r.stderr).to.equal(3)
      const report = r.json<Report>()
      expect(report.gitops?.dir).to.equal(join(cwd, 'checkout', 'clusters', 'staging'))
      expect(report.gitops?.nodePools.map((p) => p.name)).to.deep.equal(['gpu-spot', 'gpu'])
    })

    it('YAML as Kubernetes reads it: a v1 List, aliases; a kustomize patch is a warning, not a pool', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'piksel-np-'))
      mkdirSync(join(dir, 'base'))
      mkdirSync(join(dir, 'overlay'))
      const requirements = (family: string) =>
        `requirements: [{key: karpenter.k8s.aws/instance-family, operator: In, values: [${family}]}]`
      writeFileSync(
        join(dir, 'base', 'list.yaml'),
        [
          'apiVersion: v1',
          'kind: List',
          'items:',
          '  - apiVersion: karpenter.sh/v1',
          '    kind: NodePool',
          '    metadata: {name: listed}',
          `    spec: {template: {spec: {${requirements('g5')}}}, limits: {cpu: 200}}`,
        ].join('\n'),
      )
      writeFileSync(
        join(dir, 'base', 'aliased.yml'),
        [
          'apiVersion: karpenter.sh/v1',
          'kind: NodePool',
          'metadata: {name: aliased}',
          'x-limits: &limits {cpu: 48}',
          `spec: {template: {spec: {${requirements('g6e')}}}, limits: *limits}`,
        ].join('\n'),
      )
      writeFileSync(
        join(dir, 'overlay', 'limits-patch.yaml'),
        'apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: {name: listed}\nspec:\n  limits: {cpu: 400}\n',
      )
      const r = await run(['--from-gitops', dir, '--family', 'g', '--market', 'on-demand', '--json'])
      expect(r.exitCode, r.stderr).to.equal(3)
      const report = r.json<Report>()
      expect(
        report.quotas.map((q) => [q.code, q.target, q.targetSource.pools.map((p) => `${p.name}=${p.vcpus}`)]),
      ).to.deep.equal([[G_OD, 248, ['aliased=48', 'listed=200']]])
      expect(report.warnings.filter((w) => w.includes('kustomize patch'))).to.have.length(1)
      expect(report.warnings.find((w) => w.includes('kustomize patch'))).to.match(
        /overlay\/limits-patch\.yaml:1: NodePool listed has no spec\.template\.spec\.requirements/,
      )
    })

    describe('bad input: exit 2 naming what is wrong, nothing called, nothing filed', () => {
      const cases: Array<[string, () => string[], string, RegExp]> = [
        [
          'a directory that does not exist',
          () => ['--from-gitops', join(FIXTURES, 'nope')],
          'GITOPS_DIR_NOT_FOUND',
          /nope is not a directory/,
        ],
        [
          'a Helm template that is not YAML (file and line)',
          () => ['--from-gitops', join(FIXTURES, 'bad-template')],
          'INVALID_YAML',
          /bad-template\/nodepool\.yaml:6: not valid YAML/,
        ],
        [
          'two NodePools of one name (two environments’ copies under DIR)',
          () => {
            const dir = mkdtempSync(join(tmpdir(), 'piksel-np-'))
            for (const env of ['staging', 'production']) {
              mkdirSync(join(dir, env))
              cpSync(join(GITOPS, 'infrastructure', 'karpenter', 'gpu-spot.yml'), join(dir, env, 'gpu-spot.yml'))
            }
            return ['--from-gitops', dir]
          },
          'INVALID_NODEPOOL',
          /staging\/gpu-spot\.yml:\d+: NodePool gpu-spot is also defined at .*production\/gpu-spot\.yml:\d+;/,
        ],
        [
          'no DIR and no configured checkout',
          () => ['--from-gitops'],
          'GITOPS_DIR_REQUIRED',
          /--from-gitops without DIR/,
        ],
      ]
      for (const [label, args, code, message] of cases) {
        it(label, async () => {
          const r = await run([...args(), '--request', '--yes', '--json'])
          expect(r.exitCode, r.stderr).to.equal(2)
          const {error} = r.json<{error: {code: string; message: string; hint: string}}>()
          expect(error.code).to.equal(code)
          expect(error.message).to.match(message)
          expect(error.hint).to.match(/--from-gitops/)
          expect(standin.received).to.deep.equal([])
        })
      }
    })
  })
})
