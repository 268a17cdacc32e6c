/**
 * `piksel quota gpu --all-envs` (issue 15 §3): every environment's check at once, each with its
 * own account guard, target and NodePools (its own gitops.dir). Service Quotas from the stand-in,
 * STS, IAM, EC2 and CloudWatch from moto, through the real SDK.
 */
import {expect} from 'chai'
import {cpSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {ROOT, isolatedEnv, runPiksel} from '../../support/cli.ts'
import {MOTO_ACCOUNT, type Moto, startMoto} from '../../support/moto.ts'
import {type ServiceQuotasStandin, startServiceQuotasStandin} from '../../support/service-quotas-standin.ts'

const G_OD = 'L-DB2E81BA'
const G_SPOT = 'L-3819A6DF'
const GITOPS = join(ROOT, 'test', 'fixtures', 'karpenter', 'gitops')

interface Report {
  account: string
  target: number
  quotas: Array<{code: string; target: number | null; status: string; targetSource: {from: string; reason?: string}}>
  gitops?: {dir: string; nodePools: Array<{name: string}>}
}
interface EnvironmentsDoc {
  environments: Array<{env: string; result?: Report; error?: {code: string; message: string; hint: string | null}}>
}

describe('piksel quota gpu --all-envs', function () {
  this.timeout(90_000)
  let moto: Moto
  let standin: ServiceQuotasStandin
  let cwd: string

  before(async function () {
    moto = await startMoto(this)
  })
  after(async () => moto?.stop())
  beforeEach(async () => {
    await moto.reset()
    standin = await startServiceQuotasStandin({quotas: {[G_OD]: {applied: 100}, [G_SPOT]: {applied: 32}}})
    cwd = mkdtempSync(join(tmpdir(), 'piksel-quota-all-'))
    // dev's checkout holds the team's NodePools; staging's holds none.
    mkdirSync(join(cwd, 'checkout', 'clusters', 'staging'), {recursive: true})
    cpSync(join(GITOPS, 'infrastructure'), join(cwd, 'checkout', 'clusters', 'dev'), {recursive: true})
    writeFileSync(
      join(cwd, 'piksel.config.yaml'),
      [
        'environments:',
        '  dev:',
        `    account: "${MOTO_ACCOUNT}"`,
        '    gitops: {dir: checkout}',
        '  staging:',
        `    account: "${MOTO_ACCOUNT}"`,
        '    gitops: {dir: checkout}',
        '    quota: {gpuTarget: 16}',
        '  production:',
        '    account: "999999999999"',
        '',
      ].join('\n'),
    )
  })
  afterEach(async () => standin.stop())

  const run = (args: string[]) =>
    runPiksel(['quota', 'gpu', ...args], {
      cwd,
      env: isolatedEnv({...moto.env, AWS_ENDPOINT_URL_SERVICE_QUOTAS: standin.endpoint}),
    })

  it('each environment its own target; a wrong account is its row, the others shown (exit 1)', async () => {
    const r = await run(['--all-envs', '--family', 'g', '--json'])
    expect(r.exitCode, r.stderr).to.equal(1)
    const doc = r.json<EnvironmentsDoc>()
    expect(doc.environments.map((e) => e.env)).to.deep.equal(['dev', 'staging', 'production'])
    expect(doc.environments[0]?.result?.quotas.map((q) => [q.code, q.target, q.status])).to.deep.equal([
      [G_OD, 8, 'ok'],
      [G_SPOT, 8, 'ok'],
    ])
    expect(doc.environments[1]?.result?.quotas.map((q) => [q.code, q.target, q.status])).to.deep.equal([
      [G_OD, 16, 'ok'],
      [G_SPOT, 16, 'ok'],
    ])
    expect(doc.environments[2]?.error?.code).to.equal('ACCOUNT_MISMATCH')
    // `result` is exactly what `quota gpu -e staging --json` prints.
    const alone = await run(['-e', 'staging', '--family', 'g', '--json'])
    expect(alone.exitCode, alone.stderr).to.equal(0)
    expect(doc.environments[1]?.result).to.deep.equal(alone.json())

    const human = await run(['--all-envs', '--family', 'g'])
    expect(human.exitCode).to.equal(1)
    const lines = human.stdout.trimEnd().split('\n')
    expect(lines[0]).to.match(/^ENV\s+FAMILY\s+MARKET\s+CODE\s+VALUE\s+USED\s+FREE\s+TARGET\s+FROM\s+STATUS$/)
    expect(lines[1]).to.match(new RegExp(`^dev\\s+G and VT\\s+on-demand\\s+${G_OD}\\s+100\\s+`))
    expect(lines).to.include.members([
      `dev: account ${MOTO_ACCOUNT}, ap-southeast-3: 2 ok, 0 pending, 0 below target; Spot service-linked role missing`,
    ])
    expect(lines.some((l) => /^production\s+error\s+.*ACCOUNT_MISMATCH: /.test(l))).to.equal(true)
  })

  it('--from-gitops without DIR: each environment’s own NodePools (dev’s pools are its targets; exit 3)', async () => {
    // Every environment needs a checkout for --from-gitops (see the refusal below): production is left out.
    writeFileSync(
      join(cwd, 'piksel.config.yaml'),
      `environments:\n  dev:\n    gitops: {dir: checkout}\n  staging:\n    gitops: {dir: checkout}\n    quota: {gpuTarget: 16}\n`,
    )
    const r = await run(['--all-envs', '--from-gitops', '--json'])
    expect(r.exitCode, r.stderr).to.equal(3)
    const doc = r.json<EnvironmentsDoc>()
    const dev = doc.environments[0]?.result
    expect(dev?.gitops?.dir).to.equal(join(cwd, 'checkout', 'clusters', 'dev'))
    expect(dev?.gitops?.nodePools.map((p) => p.name)).to.deep.equal(['gpu-spot', 'gpu'])
    expect(dev?.quotas.find((q) => q.code === G_OD)?.targetSource.from).to.equal('nodepools')
    const staging = doc.environments[1]?.result
    expect(staging?.gitops?.nodePools).to.deep.equal([])
    expect(staging?.quotas.every((q) => q.target === 16)).to.equal(true)
    expect(r.stderr).to.include(
      `dev: Read 3 Karpenter NodePools from 2 YAML files under ${join(cwd, 'checkout', 'clusters', 'dev')}.`,
    )
  })

  it('an unbounded NodePool in one environment: its quota has no target there (not its gpuTarget 16), said in its verdict', async () => {
    writeFileSync(
      join(cwd, 'piksel.config.yaml'),
      `environments:\n  dev:\n    gitops: {dir: checkout}\n  staging:\n    gitops: {dir: checkout}\n    quota: {gpuTarget: 16}\n`,
    )
    writeFileSync(
      join(cwd, 'checkout', 'clusters', 'staging', 'lab.yaml'),
      'apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: {name: lab}\nspec:\n  template: {spec: {requirements: [{key: karpenter.k8s.aws/instance-family, operator: In, values: [g6e]}]}}\n',
    )
    const r = await run(['--all-envs', '--from-gitops', '--family', 'g', '--json'])
    expect(r.exitCode, r.stderr).to.equal(3)
    const staging = r.json<EnvironmentsDoc>().environments[1]?.result
    expect(staging?.quotas.map((q) => [q.code, q.target, q.status, q.targetSource.reason])).to.deep.equal([
      [G_OD, null, 'unbounded', 'unbounded'],
      [G_SPOT, 16, 'ok', undefined],
    ])
    const human = await run(['--all-envs', '--from-gitops', '--family', 'g'])
    expect(human.exitCode).to.equal(3)
    expect(human.stdout).to.match(
      new RegExp(
        `staging\\s+G and VT\\s+on-demand\\s+${G_OD}\\s+100\\s+-\\s+-\\s+unbounded\\s+unbounded: lab\\s+unbounded`,
      ),
    )
    expect(human.stdout).to.include(
      ': 1 ok, 0 pending, 0 below target, 1 unbounded (no target); Spot service-linked role',
    )
  })

  describe('refused before anything is read (exit 2)', () => {
    const cases: Array<[string, string[], string]> = [
      ['--request', ['--request', '--yes'], 'CONFLICTING_FLAGS'],
      ['--from-gitops DIR', ['--from-gitops', GITOPS], 'CONFLICTING_FLAGS'],
      ['-e', ['-e', 'dev'], 'CONFLICTING_FLAGS'],
    ]
    for (const [what, args, code] of cases) {
      it(what, async () => {
        const r = await run(['--all-envs', ...args, '--json'])
        expect(r.exitCode, r.stdout).to.equal(2)
        const {error} = r.json<{error: {code: string; message: string}}>()
        expect(error.code).to.equal(code)
        expect(error.message).to.include(what === '-e' ? '-e/--env' : what)
        expect(standin.received).to.deep.equal([])
      })
    }

    it('--from-gitops with an environment that has no checkout: GITOPS_DIR_REQUIRED naming it, nothing called', async () => {
      writeFileSync(join(cwd, 'piksel.config.yaml'), `environments:\n  dev:\n    gitops: {dir: checkout}\n  qa: {}\n`)
      const r = await run(['--all-envs', '--from-gitops', '--json'])
      expect(r.exitCode, r.stdout).to.equal(2)
      const {error} = r.json<{error: {code: string; message: string}}>()
      expect(error.code).to.equal('GITOPS_DIR_REQUIRED')
      expect(error.message).to.include('qa')
      expect(standin.received).to.deep.equal([])
    })
  })
})
