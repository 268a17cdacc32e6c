/**
 * Bootstrap's ports bound to the real services: flux-system detection and the
 * health wait against the loopback Kubernetes API stand-in of `piksel status`.
 */
import {expect} from 'chai'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {PassThrough} from 'node:stream'

import {getCallerIdentity} from '../../../src/lib/aws/identity.ts'
import {bindPorts, quotaCheck} from '../../../src/lib/bootstrap/bind.ts'
import {fluxDecision} from '../../../src/lib/bootstrap/flux.ts'
import {resolveSettings} from '../../../src/lib/config/environment.ts'
import type {AskOptions, Prompter} from '../../../src/lib/prompt.ts'
import type {GpuQuotaReport} from '../../../src/lib/quota/service.ts'
import {isolatedEnv, runPiksel} from '../../support/cli.ts'
import {bootstrapStubs} from '../../support/bootstrap.ts'
import {EksEndpointProxy, createEksCluster} from '../../support/eks.ts'
import {KubeStandin, readFixture} from '../../support/kube-standin.ts'
import {type Moto, startMoto} from '../../support/moto.ts'
import {SLACK_URL, SecretsProbe} from '../../support/secrets.ts'

const staging = resolveSettings().environments.staging!
const session = {region: 'ap-southeast-3', profileSource: 'environment' as const}
const caller = () => getCallerIdentity(session)

describe('bootstrap ports bound to the status service', function () {
  this.timeout(30_000)
  let standin: KubeStandin | undefined
  let kubeconfig: string
  async function start(objects = readFixture('healthy.yaml'), options: {noFlux?: boolean} = {}) {
    standin = await KubeStandin.start({objects, ...options})
    kubeconfig = standin.writeKubeconfig(mkdtempSync(join(tmpdir(), 'piksel-bind-')))
  }
  afterEach(async () => standin?.stop())

  it('reads what flux-system syncs, so an already bootstrapped cluster is skipped', async () => {
    await start()
    const ports = await bindPorts({session, caller, kubeconfig})
    const status = await ports.flux.status(staging)
    expect(status).to.deep.equal({
      installed: true,
      url: 'ssh://git@github.com/piksel-ina/piksel-gitops',
      branch: 'main',
      path: './clusters/staging',
      source: {kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system'},
      ready: true,
    })
    expect(fluxDecision(status, staging, false).action).to.equal('skip')
    expect(fluxDecision(status, staging, true).action).to.equal('bootstrap')
  })

  it('half a flux-system (its Kustomization deleted) still syncs another repository: installed, refused', async () => {
    const objects = readFixture('healthy.yaml').filter(
      (o) => !(o.kind === 'Kustomization' && o.metadata.name === 'flux-system'),
    )
    const source = objects.find((o) => o.kind === 'GitRepository' && o.metadata.name === 'flux-system')!
    ;(source.spec as {url: string}).url = 'ssh://git@github.com/piksel-ina/old-gitops'
    await start(objects)
    const status = await (await bindPorts({session, caller, kubeconfig})).flux.status(staging)
    expect(status).to.deep.equal({
      installed: true,
      url: 'ssh://git@github.com/piksel-ina/old-gitops',
      branch: 'main',
      ready: false,
    })
    expect(fluxDecision(status, staging, false).action).to.equal('refuse')
  })

  it('a Kustomization flux-system that applies an OCIRepository: read as its source, refused', async () => {
    const objects = readFixture('healthy.yaml')
    const sync = objects.find((o) => o.kind === 'Kustomization' && o.metadata.name === 'flux-system')!
    ;(sync.spec as {sourceRef: unknown}).sourceRef = {kind: 'OCIRepository', name: 'flux-system'}
    await start(objects)
    const status = await (await bindPorts({session, caller, kubeconfig})).flux.status(staging)
    expect(status?.source).to.deep.equal({kind: 'OCIRepository', name: 'flux-system', namespace: 'flux-system'})
    const decision = fluxDecision(status, staging, false)
    expect(decision).to.deep.include({
      action: 'refuse',
      today: 'OCIRepository flux-system/flux-system, path ./clusters/staging',
      changes: ['source OCIRepository flux-system/flux-system → GitRepository flux-system/flux-system'],
    })
  })

  it('says not installed on a cluster without Flux, and undefined without a cluster', async () => {
    await start([], {noFlux: true})
    const ports = await bindPorts({session, caller, kubeconfig})
    expect(await ports.flux.status(staging)).to.deep.equal({installed: false, ready: false})
    const none = await bindPorts({session, caller, kubeconfig: join(tmpdir(), 'no-such-kubeconfig')})
    expect(await none.flux.status(staging)).to.equal(undefined)
  })

  it('passes on a cluster it cannot read (forbidden), instead of calling it not bootstrapped', async () => {
    await start()
    standin!.faults.push({path: /^\/apis/, code: 403, reason: 'Forbidden', message: 'forbidden: User cannot list'})
    const ports = await bindPorts({session, caller, kubeconfig})
    const error = await ports.flux.status(staging).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect((error as {code?: string}).code)
      .to.be.a('string')
      .and.not.equal('NO_KUBECONFIG')
    expect((error as Error).message).to.match(/403|[Ff]orbidden/)
  })

  it('waits until healthy', async () => {
    await start()
    const ports = await bindPorts({session, caller, kubeconfig})
    const lines: string[] = []
    const outcome = await ports.health.wait(staging, {timeoutMs: 10_000, onProgress: (l) => lines.push(l)})
    expect(outcome).to.deep.equal({healthy: true, summary: 'healthy: 25 ready'})
  })

  it('gives up at the timeout on an unhealthy cluster, saying what is wrong', async () => {
    await start(readFixture('unhealthy.yaml'))
    const ports = await bindPorts({session, caller, kubeconfig})
    const outcome = await ports.health.wait(staging, {timeoutMs: 1500})
    expect(outcome.healthy).to.equal(false)
    expect(outcome.summary).to.match(/^unhealthy: .*failed/)
  })

  it('never falls back to the current context: without the environment’s context, flux and health ports refuse', async () => {
    await start()
    // The stand-in is healthy and current, but its context is not named after the staging cluster.
    kubeconfig = standin!.writeKubeconfig(mkdtempSync(join(tmpdir(), 'piksel-bind-')), {context: 'elsewhere'})
    const ports = await bindPorts({session, caller, kubeconfig})
    for (const call of [() => ports.flux.status(staging), () => ports.health.wait(staging, {timeoutMs: 2000})]) {
      const error = await call().then(
        () => expect.fail('expected a refusal'),
        (e: unknown) => e as {code?: string; exitCode?: number},
      )
      expect(error.code).to.equal('NO_CONTEXT')
      expect(error.exitCode).to.equal(2)
    }
    // The healthy current cluster was never asked.
    expect(standin!.requests).to.deep.equal([])
  })
})

describe('bootstrap --only health through the real binary (context proven against EKS)', function () {
  this.timeout(60_000)
  let moto: Moto
  let proxy: EksEndpointProxy
  let standin: KubeStandin | undefined
  let dir: string
  before(async function () {
    moto = await startMoto(this)
    proxy = await EksEndpointProxy.start(moto.endpoint)
    await createEksCluster(moto.endpoint, 'piksel-staging')
  })
  after(async () => {
    await proxy?.stop()
    await moto?.stop()
  })
  afterEach(async () => standin?.stop())

  /** The stand-in plays the staging cluster: EKS (through the proxy) says its endpoint is the stand-in. */
  async function cluster(objects = readFixture('healthy.yaml')) {
    standin = await KubeStandin.start({objects})
    proxy.rewrites.set('piksel-staging', {endpoint: standin.url})
    dir = mkdtempSync(join(tmpdir(), 'piksel-bind-bin-'))
    const stubs = bootstrapStubs(['aws'])
    const env = isolatedEnv({...moto.env, AWS_ENDPOINT_URL_EKS: proxy.url, KUBECONFIG: join(dir, 'kubeconfig')})
    // What `aws eks update-kubeconfig` writes for it (the stub asks DescribeCluster like the real one).
    const written = await runPiksel(['bootstrap', '-e', 'staging', '--only', 'kubeconfig', '--yes', '--json'], {
      env,
      path: [stubs.dir],
    })
    expect(written.exitCode, written.stderr).to.equal(0)
    return {env, stubs}
  }

  it('reaches healthy', async () => {
    const {env, stubs} = await cluster()
    const r = await runPiksel(['bootstrap', '-e', 'staging', '--only', 'health', '--timeout', '20s', '--json'], {
      env,
      path: [stubs.dir],
    })
    expect(r.exitCode, r.stderr).to.equal(0)
    const health = r
      .json<{steps: Array<{id: string; status: string; detail: string}>}>()
      .steps.find((s) => s.id === 'health')
    expect(health).to.include({status: 'done', detail: 'healthy: 25 ready'})
    // The kubeconfig's exec user ran `aws eks get-token` for the staging cluster.
    expect(
      stubs
        .calls('aws')
        .some(
          (c) =>
            c.argv.join(' ') === '--region ap-southeast-3 eks get-token --cluster-name piksel-staging --output json',
        ),
    ).to.equal(true)
  })

  it('exits 3 when the cluster stays unhealthy', async () => {
    const {env, stubs} = await cluster(readFixture('unhealthy.yaml'))
    const r = await runPiksel(['bootstrap', '-e', 'staging', '--only', 'health', '--timeout', '2s', '--json'], {
      env,
      path: [stubs.dir],
    })
    expect(r.exitCode).to.equal(3)
  })

  it('exits 2 when EKS says the staging cluster is elsewhere, without reading the stand-in', async () => {
    const {env, stubs} = await cluster()
    proxy.rewrites.set('piksel-staging', {endpoint: 'https://moved.gr7.ap-southeast-3.eks.amazonaws.com'})
    const before = standin!.requests.length
    const r = await runPiksel(['bootstrap', '-e', 'staging', '--only', 'health', '--json'], {env, path: [stubs.dir]})
    expect(r.exitCode).to.equal(2)
    expect(r.json<{error: {code: string}}>().error.code).to.equal('CLUSTER_MISMATCH')
    expect(standin!.requests.length).to.equal(before)
  })
})

describe('quotaCheck', () => {
  const row = (status: 'ok' | 'below' | 'pending') => ({status}) as GpuQuotaReport['quotas'][number]
  const report = (...statuses: Array<'ok' | 'below' | 'pending'>) =>
    ({target: 8, quotas: statuses.map(row)}) as unknown as GpuQuotaReport
  const cases: Array<[string, GpuQuotaReport, number, number, RegExp]> = [
    ['all met', report('ok', 'ok'), 0, 0, /2 GPU quotas meet 8 vCPUs/],
    ['one below', report('ok', 'below'), 1, 0, /1 of 2 GPU quotas under 8 vCPUs \(0 with an open request\)/],
    ['below and pending', report('below', 'pending', 'ok'), 2, 1, /2 of 3 .*\(1 with an open request\)/],
    ['only pending', report('pending', 'pending'), 2, 2, /2 of 2/],
  ]
  for (const [what, input, below, pending, summary] of cases) {
    it(`${what}: ${below} under target, ${pending} pending`, () => {
      const check = quotaCheck(input)
      expect(check).to.include({below, pending})
      expect(check.summary).to.match(summary)
    })
  }
})

describe('bootstrap secrets port bound to the secret service', function () {
  this.timeout(60_000)
  let moto: Moto
  let probe: SecretsProbe
  const saved = {...process.env}
  before(async function () {
    moto = await startMoto(this)
    Object.assign(process.env, moto.env)
    delete process.env.AWS_PROFILE
    probe = new SecretsProbe(moto)
  })
  after(async () => {
    probe?.sm.destroy()
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
    await moto?.stop()
  })

  /** A terminal that answers from a script and records every question. */
  function scripted(answers: string[]) {
    const asked: Array<{kind: 'input' | 'password'; message: string; output: unknown; rejectsJunk: boolean}> = []
    const ask = (kind: 'input' | 'password') => async (o: AskOptions) => {
      asked.push({kind, message: o.message, output: o.output, rejectsJunk: o.validate?.('not: valid') !== true})
      const answer = answers.shift()
      if (answer === undefined) throw new Error(`unexpected question: ${o.message}`)
      return answer
    }
    const prompter = {interactive: true, input: ask('input'), password: ask('password')}
    return {prompter: prompter as unknown as Prompter, asked}
  }

  it('is not offered without a terminal', async () => {
    const ports = await bindPorts({session, caller, prompter: {interactive: false} as Prompter})
    expect(ports.secrets.create).to.equal(undefined)
  })

  it('slack: asks for the webhook hidden, marks it sensitive and creates it with the tags', async () => {
    const {prompter, asked} = scripted([SLACK_URL])
    const marked: string[] = []
    const ports = await bindPorts({session, caller, prompter, markSensitive: (v) => marked.push(v)})
    const output = new PassThrough()
    await ports.secrets.create!(staging, 'slack-alerts-staging', {output})
    expect(asked).to.deep.equal([
      {kind: 'password', message: 'Slack webhook URL for slack-alerts-staging', output, rejectsJunk: true},
    ])
    expect(marked).to.deep.equal([SLACK_URL])
    expect((await probe.value('slack-alerts-staging')).value).to.equal(SLACK_URL)
    expect(await probe.tags('slack-alerts-staging')).to.include({
      Project: 'Piksel',
      Environment: 'staging',
      Owner: 'Piksel-Devops-Team',
      Tenant: 'Slack',
    })
  })

  it('oauth: the client id visible, the client secret hidden; both parts stored as id:secret', async () => {
    const {prompter, asked} = scripted(['grafana-client', 'grafana-s3cret-value'])
    const marked: string[] = []
    const ports = await bindPorts({session, caller, prompter, markSensitive: (v) => marked.push(v)})
    await ports.secrets.create!(staging, 'grafana-oauth-staging', {})
    expect(asked.map((a) => [a.kind, a.message, a.rejectsJunk])).to.deep.equal([
      ['input', 'OAuth client id for grafana-oauth-staging', true],
      ['password', 'OAuth client secret for grafana-oauth-staging', true],
    ])
    expect(marked).to.include('grafana-s3cret-value').and.to.include('grafana-client:grafana-s3cret-value')
    expect((await probe.value('grafana-oauth-staging')).value).to.equal('grafana-client:grafana-s3cret-value')
    expect(await probe.tags('grafana-oauth-staging')).to.include({Environment: 'staging', Service: 'grafana'})
  })
})
