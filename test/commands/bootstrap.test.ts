import {expect} from 'chai'
import {execa} from 'execa'
import {existsSync, mkdirSync, mkdtempSync, readdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {BIN, isolatedEnv, runPiksel} from '../support/cli.ts'
import {STAGING_FLUX_BOOTSTRAP_ARGV, bootstrapStubs} from '../support/bootstrap.ts'
import {type Moto, MOTO_ACCOUNT, startMoto} from '../support/moto.ts'
import {KubeStandin, readFixture} from '../support/kube-standin.ts'
import {type ServiceQuotasStandin, startServiceQuotasStandin} from '../support/service-quotas-standin.ts'
import {copyFixture, lockFile, stateAddresses} from '../support/terraform.ts'
import {createStateBucket} from '../support/s3.ts'
import {requireTool} from '../support/tools.ts'

const TOKEN = 'ghp_cliStubToken0123456789abcdef'

/** The built binary, as CI runs it: no TTY, stdin closed. */
describe('piksel bootstrap (binary)', function () {
  this.timeout(120_000)
  let moto: Moto
  let quotas: ServiceQuotasStandin
  let cluster: KubeStandin
  const stubs = bootstrapStubs()
  let work: string

  before(async function () {
    requireTool(this, 'terraform')
    moto = await startMoto(this)
    // The secrets and quota steps run the real services: the secrets exist in moto,
    // and every GPU quota already meets its target in the Service Quotas stand-in.
    const {SecretsManagerClient, CreateSecretCommand} = await import('@aws-sdk/client-secrets-manager')
    const sm = new SecretsManagerClient({
      region: 'ap-southeast-3',
      endpoint: moto.endpoint,
      credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'},
    })
    for (const name of [
      'slack-alerts-staging',
      'grafana-oauth-staging',
      'jupyterhub-oauth-staging',
      'argo-oauth-staging',
    ]) {
      await sm.send(new CreateSecretCommand({Name: name, SecretString: 'x', Tags: [{Key: 'Project', Value: 'Piksel'}]}))
    }
    sm.destroy()
    // The state bucket exists with the runbook's posture, so state-backend has nothing to do.
    await createStateBucket(moto)
    const met = Object.fromEntries(
      ['L-DB2E81BA', 'L-3819A6DF', 'L-417A185B', 'L-7212CCBC'].map((code) => [code, {applied: 8}]),
    )
    quotas = await startServiceQuotasStandin({quotas: met})
    // The cluster the stub `aws eks update-kubeconfig` points at: healthy, but flux-system
    // still syncs another repository, so the flux step bootstraps.
    const objects = readFixture('healthy.yaml')
    const source = objects.find((o) => o.kind === 'GitRepository' && o.metadata.name === 'flux-system')!
    ;(source.spec as {url: string}).url = 'ssh://git@github.com/piksel-ina/old-gitops'
    cluster = await KubeStandin.start({objects})
  })
  after(async () => {
    await cluster?.stop()
    await moto?.stop()
    await quotas?.stop()
  })
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'piksel-cli-bs-'))
    copyFixture('basic', 'staging', work)
    mkdirSync(join(work, 'bootstrap'))
    copyFixture('bootstrap-root', 'staging', join(work, 'bootstrap'))
  })

  function env(extra: Record<string, string> = {}) {
    return isolatedEnv({
      ...moto.env,
      AWS_ENDPOINT_URL_SERVICE_QUOTAS: quotas.endpoint,
      STUB_KUBE_SERVER: cluster.url,
      KUBECONFIG: join(work, 'kubeconfig'),
      ...extra,
    })
  }
  const run = (args: string[], extra: Record<string, string> = {}) =>
    runPiksel(['bootstrap', '-e', 'staging', '--infra-dir', work, ...args], {
      env: env(extra),
      path: [stubs.dir],
      cwd: work,
    })

  const usage: Array<[string, string[], RegExp]> = [
    ['an unknown --from', ['--from', 'dns'], /--from: unknown step "dns"/],
    ['an unknown --only', ['--only', 'flux,helm'], /--only: unknown step "helm"/],
    ['an unknown --skip', ['--skip', 'nope'], /--skip: unknown step "nope"/],
    ['--from with --only', ['--from', 'flux', '--only', 'health'], /cannot be combined/],
    ['a bad --timeout', ['--timeout', 'soon'], /--timeout soon: not a duration/],
  ]
  for (const [what, args, message] of usage) {
    it(`${what}: exit 2 before anything runs`, async () => {
      const mark = stubs.calls().length
      const r = await run([...args, '--yes', '--json'])
      expect(r.exitCode, r.stderr).to.equal(2)
      const {error} = r.json<{error: {message: string; hint: string}}>()
      expect(error.message).to.match(message)
      if (/unknown step/.test(error.message)) {
        expect(error.hint).to.equal(
          'Valid steps, in order: preflight, identity, state-backend, secrets, quota, infrastructure, kubeconfig, flux, applications, health.',
        )
      }
      expect(stubs.calls().slice(mark)).to.deep.equal([])
      expect(stateAddresses(join(work, 'staging'))).to.deep.equal([])
      expect(readdirSync(join(work, 'staging'))).to.deep.equal(['main.tf'])
    })
  }

  it('an unknown environment: exit 2, naming the known ones', async () => {
    const r = await runPiksel(['bootstrap', '-e', 'qa', '--infra-dir', work, '--json'], {env: env(), cwd: work})
    expect(r.exitCode).to.equal(2)
    expect(r.json<{error: {message: string}}>().error.message).to.include('Unknown environment "qa"')
  })

  it('without a TTY and without --yes: stops before the first write, naming --yes', async () => {
    const r = await run(['--skip', 'preflight'])
    expect(r.exitCode, r.stderr).to.equal(2)
    expect(r.stderr).to.include('Confirmation required: Apply infrastructure')
    expect(r.stderr).to.include('Hint: Pass --yes')
    expect(r.stderr).to.include('piksel bootstrap -e staging --from infrastructure')
    expect(stateAddresses(join(work, 'staging'))).to.deep.equal([])
  })

  it('--dry-run --json: one summary document; nothing applied or bootstrapped', async () => {
    const mark = stubs.calls().length
    const r = await run(['--dry-run', '--json'], {GITHUB_TOKEN: TOKEN})
    expect(r.exitCode, r.stderr).to.equal(0)
    const summary = r.json<{
      env: string
      account: string
      steps: Array<{id: string; status: string; durationMs: number; detail: string}>
    }>()
    expect(summary.env).to.equal('staging')
    expect(summary.account).to.equal(MOTO_ACCOUNT)
    expect(summary.steps.map((s) => [s.id, s.status])).to.deep.equal([
      ['preflight', 'done'],
      ['identity', 'done'],
      ['state-backend', 'already-done'],
      ['secrets', 'already-done'],
      ['quota', 'already-done'],
      ['infrastructure', 'planned'],
      ['kubeconfig', 'planned'],
      ['flux', 'planned'],
      ['applications', 'skipped'],
      ['health', 'planned'],
    ])
    for (const step of summary.steps) {
      expect(step.durationMs).to.be.a('number')
      expect(step.detail).to.be.a('string')
    }
    expect(summary.steps[5]!.detail).to.equal('phase all: 3 to add, 0 to change, 0 to destroy (planned, not applied)')
    expect(stateAddresses(join(work, 'staging'))).to.deep.equal([])
    const calls = stubs.calls().slice(mark)
    expect(calls.filter((c) => c.argv[0] === 'bootstrap' || c.argv[0] === 'eks')).to.deep.equal([])
    expect(r.stdout).not.to.include(TOKEN)
    expect(r.stderr).not.to.include(TOKEN)
  })

  it('applies with --yes; the token reaches flux only through its environment; a re-run changes nothing', async () => {
    const mark = stubs.calls().length
    const r = await run(['--yes'], {GITHUB_TOKEN: TOKEN})
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(r.stdout).to.match(
      /infrastructure\s+done\s+\S+\s+phase all: 3 to add, 0 to change, 0 to destroy \(applied\)/,
    )
    expect(r.stdout).to.match(/flux\s+done/)
    expect(r.stdout).to.include('piksel status -e staging')
    const calls = stubs.calls().slice(mark)
    const flux = calls.find((c) => c.tool === 'flux' && c.argv[0] === 'bootstrap')
    expect(flux?.argv).to.deep.equal(STAGING_FLUX_BOOTSTRAP_ARGV)
    expect(flux?.env.GITHUB_TOKEN).to.equal(TOKEN)
    for (const call of calls) {
      expect(call.argv.join(' ')).not.to.include(TOKEN)
      expect(call.stdin).not.to.include(TOKEN)
      // Only flux bootstrap is given the token; no other child inherits it.
      if (call !== flux) expect(call.env).not.to.have.property('GITHUB_TOKEN')
    }
    expect(calls.filter((c) => c.tool === 'aws').length).to.be.greaterThan(0)
    expect(`${r.stdout}${r.stderr}`).not.to.include(TOKEN)

    const again = await run(['--yes', '--skip', 'flux'])
    expect(again.exitCode, again.stderr).to.equal(0)
    expect(again.stdout).to.match(/infrastructure\s+already-done/)
    expect(again.stdout).to.match(/kubeconfig\s+already-done/)
    expect(again.stdout).to.include('Nothing to change: every step was already done')
  })

  it('stops (exit 3) at missing secrets without a terminal, naming the command that creates them', async () => {
    const r = await runPiksel(['bootstrap', '-e', 'dev', '--only', 'secrets', '--json'], {
      env: env(),
      path: [stubs.dir],
    })
    expect(r.exitCode, r.stderr).to.equal(3)
    const {error} = r.json<{error: {code: string; message: string; hint: string}}>()
    expect(error.code).to.equal('SECRETS_MISSING')
    expect(error.message).to.include('slack-alerts-dev').and.include('grafana-oauth-dev')
    expect(error.hint).to.include('piksel secret create slack -e dev')
  })

  it('skips flux when flux-system already syncs this repository and path and is Ready', async () => {
    const source = cluster.get('GitRepository', 'flux-system', 'flux-system')!
    const url = (source.spec as {url: string}).url
    cluster.update('GitRepository', 'flux-system', 'flux-system', (o) => {
      ;(o.spec as {url: string}).url = 'ssh://git@github.com/piksel-ina/piksel-gitops'
    })
    try {
      const mark = stubs.calls().length
      const r = await run(['--only', 'kubeconfig,flux', '--yes', '--json'], {GITHUB_TOKEN: TOKEN})
      expect(r.exitCode, r.stderr).to.equal(0)
      const flux = r
        .json<{steps: Array<{id: string; status: string; detail: string}>}>()
        .steps.find((s) => s.id === 'flux')
      expect(flux).to.include({status: 'already-done'})
      expect(flux?.detail).to.include('already syncs piksel-ina/piksel-gitops')
      expect(
        stubs
          .calls()
          .slice(mark)
          .filter((c) => c.tool === 'flux' && c.argv[0] === 'bootstrap'),
      ).to.deep.equal([])
    } finally {
      cluster.update('GitRepository', 'flux-system', 'flux-system', (o) => {
        ;(o.spec as {url: string}).url = url
      })
    }
  })

  it('--from resumes at a step: the steps before it do not run (the account guard still does)', async () => {
    const mark = stubs.calls().length
    const r = await run(['--from', 'kubeconfig', '--skip', 'flux', '--yes', '--json'])
    expect(r.exitCode, r.stderr).to.equal(0)
    const {steps} = r.json<{steps: Array<{id: string; status: string; detail: string}>}>()
    expect(steps.map((s) => `${s.id}:${s.status}`)).to.deep.equal([
      'preflight:skipped',
      'identity:done',
      'state-backend:skipped',
      'secrets:skipped',
      'quota:skipped',
      'infrastructure:skipped',
      'kubeconfig:done',
      'flux:skipped',
      'applications:skipped',
      'health:done',
    ])
    expect(stateAddresses(join(work, 'staging'))).to.deep.equal([])
    expect(
      stubs
        .calls()
        .slice(mark)
        .map((c) => `${c.tool} ${c.argv.slice(0, 2).join(' ')}`),
    ).to.deep.equal(['aws eks update-kubeconfig'])
  })

  it('Ctrl-C during an apply: SIGINT reaches terraform, no lock is left, exit 130 with the --from command', async () => {
    const slow = copyFixture('slow', 'staging', mkdtempSync(join(tmpdir(), 'piksel-cli-slow-')))
    const infra = join(slow, '..')
    const child = execa(
      process.execPath,
      [BIN, 'bootstrap', '-e', 'staging', '--infra-dir', infra, '--only', 'infrastructure', '--yes'],
      {
        env: {...env(), PATH: `${stubs.dir}:${process.env.PATH}`},
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
        cwd: infra,
      },
    )
    let stderr = ''
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`never started applying: ${stderr}`)), 60_000)
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
        if (stderr.includes('terraform_data.slow: Creating')) {
          clearTimeout(timer)
          setTimeout(resolve, 500)
        }
      })
    })
    expect(existsSync(lockFile(slow))).to.equal(true)
    child.kill('SIGINT')
    const result = await child
    expect(result.exitCode, String(result.stderr)).to.equal(130)
    expect(String(result.stderr)).to.include('Interrupted.')
    expect(String(result.stderr)).to.include('Hint: Resume with: piksel bootstrap -e staging --from infrastructure')
    expect(existsSync(lockFile(slow))).to.equal(false)
    expect(stateAddresses(slow)).to.include('terraform_data.fast')
    const plan = await execa('terraform', ['plan', '-input=false', '-no-color', '-lock-timeout=0s'], {
      cwd: slow,
      reject: false,
    })
    expect(plan.exitCode, String(plan.stderr)).to.equal(0)
    expect(String(plan.stdout)).to.match(/terraform_data\.slow (will be created|is tainted)/)
  })
})
