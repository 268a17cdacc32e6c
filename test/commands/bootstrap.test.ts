import {expect} from 'chai'
import {execa} from 'execa'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {BIN, isolatedEnv, runPiksel} from '../support/cli.ts'
import {STAGING_FLUX_BOOTSTRAP_ARGV, bootstrapStubs} from '../support/bootstrap.ts'
import {EksEndpointProxy, createEksCluster, writeEksKubeconfig} from '../support/eks.ts'
import {createAwsSpotRole} from '../support/iam.ts'
import {GitHubStandin} from '../support/github-standin.ts'
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
  let proxy: EksEndpointProxy
  let github: GitHubStandin
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
    // The account has the Spot service-linked role (the account steps: bootstrap-account.test.ts).
    await createAwsSpotRole(moto)
    const met = Object.fromEntries(
      ['L-DB2E81BA', 'L-3819A6DF', 'L-417A185B', 'L-7212CCBC'].map((code) => [code, {applied: 8}]),
    )
    quotas = await startServiceQuotasStandin({quotas: met})
    // The staging cluster: healthy, but flux-system still syncs another repository, so
    // bootstrap refuses it without --force-flux. EKS (moto, behind the proxy) says its
    // endpoint is this stand-in; the stub `aws eks update-kubeconfig` writes what EKS says.
    const objects = readFixture('healthy.yaml')
    const source = objects.find((o) => o.kind === 'GitRepository' && o.metadata.name === 'flux-system')!
    ;(source.spec as {url: string}).url = 'ssh://git@github.com/piksel-ina/old-gitops'
    cluster = await KubeStandin.start({objects})
    await createEksCluster(moto.endpoint, 'piksel-staging')
    proxy = await EksEndpointProxy.start(moto.endpoint)
    proxy.rewrites.set('piksel-staging', {endpoint: cluster.url})
    github = await GitHubStandin.start({
      tokens: {[TOKEN]: 'repo'},
      repos: {
        'piksel-ina/piksel-gitops': {
          branches: {main: {protected: false}, release: {protected: true}},
        },
      },
    })
  })
  after(async () => {
    await cluster?.stop()
    await proxy?.stop()
    await github?.stop()
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
      AWS_ENDPOINT_URL_EKS: proxy.url,
      GITHUB_API_URL: github.url,
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
    ['an unknown --from', ['--from', 'route53'], /--from: unknown step "route53"/],
    ['an unknown --only', ['--only', 'flux,helm'], /--only: unknown step "helm"/],
    ['an unknown --skip', ['--skip', 'nope'], /--skip: unknown step "nope"/],
    ['--from with --only', ['--from', 'flux', '--only', 'health'], /cannot be combined/],
    ['a bad --timeout', ['--timeout', 'soon'], /^--timeout "soon" is not a duration\.$/],
    ['--only ""', ['--only', ''], /^--only "": an empty step name/],
    ['--only ,', ['--only', ','], /^--only ",": an empty step name/],
    ['--skip ""', ['--skip', ''], /^--skip "": an empty step name/],
    ['--skip " " (whitespace)', ['--skip', ' '], /^--skip " ": an empty step name/],
    ['--only infrastructure, (a trailing comma)', ['--only', 'infrastructure,'], /an empty step name/],
    ['--kubeconfig ""', ['--kubeconfig', ''], /^--kubeconfig: an empty value/],
    ['--gitops-branch ""', ['--gitops-branch', ''], /^--gitops-branch: an empty value/],
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
          'Valid steps, in order: preflight, identity, oidc, spot-role, dns, state-backend, secrets, quota, infrastructure, kubeconfig, flux, applications, health.',
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
    const r = await run(['--skip', 'preflight'], {GITHUB_TOKEN: TOKEN})
    expect(r.exitCode, r.stderr).to.equal(2)
    expect(r.stderr).to.include('Confirmation required: Apply infrastructure')
    expect(r.stderr).to.include('Hint: Pass --yes')
    expect(r.stderr).to.include('piksel bootstrap -e staging --from infrastructure')
    expect(stateAddresses(join(work, 'staging'))).to.deep.equal([])
  })

  it('--dry-run --json: one summary document; nothing applied or bootstrapped', async () => {
    const mark = stubs.calls().length
    const githubMark = github.requests.length
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
      ['oidc', 'skipped'],
      ['spot-role', 'already-done'],
      ['dns', 'skipped'],
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
    expect(summary.steps[8]!.detail).to.equal('phase all: 3 to add, 0 to change, 0 to destroy (planned, not applied)')
    expect(stateAddresses(join(work, 'staging'))).to.deep.equal([])
    const calls = stubs.calls().slice(mark)
    expect(calls.filter((c) => c.argv[0] === 'bootstrap' || c.argv[0] === 'eks')).to.deep.equal([])
    expect(r.stdout).not.to.include(TOKEN)
    expect(r.stderr).not.to.include(TOKEN)
    // Preflight checked the token against GitHub (the stand-in), in its Authorization header only.
    expect(github.requests.slice(githubMark).map((q) => [q.path, q.authorization])).to.deep.equal([
      ['/repos/piksel-ina/piksel-gitops', `token ${TOKEN}`],
      ['/repos/piksel-ina/piksel-gitops/branches/main', `token ${TOKEN}`],
    ])
    expect(r.json<{nextSteps: string[]}>().nextSteps).to.deep.equal([
      `Nothing was applied. To apply what was planned: piksel bootstrap -e staging --infra-dir ${work}`,
    ])
  })

  it('--timeout takes the duration `status --timeout` takes (1500ms was exit 2), and says it as `status` does', async () => {
    const r = await run(['--only', 'kubeconfig,health', '--dry-run', '--timeout', '1500ms', '--json'])
    expect(r.exitCode, r.stderr).to.equal(0)
    const {steps} = r.json<{steps: Array<{id: string; status: string; detail: string}>}>()
    const health = steps.find((s) => s.id === 'health')
    expect(health?.status).to.equal('planned')
    expect(health?.detail).to.match(/^would wait up to 1\.5s for Flux to be Ready/)
  })

  it('applies with --yes (and --force-flux); the token reaches flux only through its environment; a re-run changes nothing', async () => {
    const mark = stubs.calls().length
    const r = await run(['--yes', '--force-flux'], {GITHUB_TOKEN: TOKEN})
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
    expect(r.stdout).to.match(
      /kubeconfig\s+done\s+\S+\s+context piksel-staging added for arn:aws:eks:ap-southeast-3:123456789012:cluster\/piksel-staging; the current context is now "piksel-staging"/,
    )

    const again = await run(['--yes', '--skip', 'flux'])
    expect(again.exitCode, again.stderr).to.equal(0)
    expect(again.stdout).to.match(/infrastructure\s+already-done/)
    expect(again.stdout).to.match(/kubeconfig\s+already-done/)
    expect(again.stdout).to.include('Nothing to change: every step was already done')
  })

  it('a GITHUB_TOKEN with a trailing newline (a CI secret pasted with one): flux gets the token itself', async () => {
    const mark = stubs.calls().length
    const r = await run(['--only', 'kubeconfig,flux', '--yes', '--force-flux'], {GITHUB_TOKEN: `${TOKEN}\n`})
    expect(r.exitCode, r.stderr).to.equal(0)
    const flux = stubs
      .calls()
      .slice(mark)
      .find((c) => c.tool === 'flux' && c.argv[0] === 'bootstrap')
    // Go's HTTP client refuses a header value with a newline: flux would fail after preflight said yes.
    expect(flux?.env.GITHUB_TOKEN).to.equal(TOKEN)
    expect(`${r.stdout}${r.stderr}`).not.to.include(TOKEN)
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
      'oidc:skipped',
      'spot-role:skipped',
      'dns:skipped',
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
        .filter((c) => !c.argv.includes('get-token'))
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

  /** Nothing written: no Terraform state or .terraform/, no flux bootstrap, no kubeconfig written. */
  function nothingWritten(mark: number) {
    expect(stateAddresses(join(work, 'staging'))).to.deep.equal([])
    expect(existsSync(join(work, 'staging', '.terraform'))).to.equal(false)
    const calls = stubs.calls().slice(mark)
    expect(calls.filter((c) => c.tool === 'flux' && c.argv[0] === 'bootstrap')).to.deep.equal([])
    expect(calls.filter((c) => c.argv.includes('update-kubeconfig'))).to.deep.equal([])
  }

  it('§1 a context piksel-staging whose cluster is production in another account: exit 2 naming both; nothing written', async () => {
    writeEksKubeconfig(join(work, 'kubeconfig'), [
      {
        context: 'piksel-staging',
        cluster: {
          name: 'piksel-production',
          arn: 'arn:aws:eks:ap-southeast-3:210987654321:cluster/piksel-production',
          endpoint: cluster.url,
          certificateAuthority: Buffer.from('production CA').toString('base64'),
        },
      },
    ])
    const mark = stubs.calls().length
    for (const args of [['--yes', '--force-flux'], ['--from', 'flux', '--yes', '--force-flux'], ['--dry-run']]) {
      const r = await run([...args, '--json'], {GITHUB_TOKEN: TOKEN})
      expect(r.exitCode, r.stderr).to.equal(2)
      const {error} = r.json<{error: {code: string; message: string; hint: string}}>()
      expect(error.code).to.equal('CLUSTER_MISMATCH')
      expect(error.message).to.include('it points at arn:aws:eks:ap-southeast-3:210987654321:cluster/piksel-production')
      expect(error.message).to.include(
        'the staging cluster is arn:aws:eks:ap-southeast-3:123456789012:cluster/piksel-staging',
      )
      nothingWritten(mark)
    }
  })

  it('§1 no piksel-staging context while the current context is a healthy cluster: flux, health and status -e stop', async () => {
    // The current context points at the healthy stand-in, under another name.
    const other = cluster.writeKubeconfig(work, {context: 'elsewhere'})
    const mark = stubs.calls().length
    for (const only of ['flux', 'health']) {
      const r = await run(['--only', only, '--yes', '--force-flux', '--json'], {GITHUB_TOKEN: TOKEN})
      expect(r.exitCode, r.stderr).to.equal(2)
      const {error} = r.json<{error: {code: string; message: string; hint: string}}>()
      expect(error.code).to.equal('NO_CONTEXT')
      expect(error.message).to.equal(
        `No kube context "piksel-staging" for environment staging in ${other}; the current context ("elsewhere") is never used in its place.`,
      )
      expect(error.hint).to.include(`piksel bootstrap -e staging --only kubeconfig --infra-dir ${work}`)
    }
    nothingWritten(mark)
    const status = await runPiksel(['status', '-e', 'staging', '--json'], {env: env(), cwd: work})
    expect(status.exitCode, status.stdout).to.equal(2)
    expect(status.json<{error: {code: string}}>().error.code).to.equal('NO_CONTEXT')
  })

  it('§1 flux-system syncs another repository: a real run refuses before Terraform (exit 2); the dry run shows it', async () => {
    const written = await run(['--only', 'kubeconfig', '--yes'])
    expect(written.exitCode, written.stderr).to.equal(0)
    const mark = stubs.calls().length
    const r = await run(['--yes', '--json'], {GITHUB_TOKEN: TOKEN})
    expect(r.exitCode, r.stderr).to.equal(2)
    const {error} = r.json<{error: {code: string; message: string; hint: string}}>()
    expect(error.code).to.equal('FLUX_SYNCS_ELSEWHERE')
    expect(error.message).to.include('already syncs piksel-ina/old-gitops, branch main, path ./clusters/staging')
    expect(error.hint).to.include('--force-flux').and.to.include(`--infra-dir ${work}`)
    nothingWritten(mark)
    const dry = await run(['--dry-run', '--json'], {GITHUB_TOKEN: TOKEN})
    expect(dry.exitCode, dry.stderr).to.equal(0)
    const flux = dry
      .json<{steps: Array<{id: string; status: string; detail: string}>}>()
      .steps.find((s) => s.id === 'flux')
    expect(flux).to.deep.include({
      status: 'planned',
      detail:
        'refused without --force-flux: flux-system syncs piksel-ina/old-gitops, branch main, path ./clusters/staging; bootstrap would change repository piksel-ina/old-gitops → piksel-ina/piksel-gitops',
    })
  })

  it('§4 no GITHUB_TOKEN and no terminal: exit 2 before any write, naming GITHUB_TOKEN and the resume command', async () => {
    const mark = stubs.calls().length
    const r = await run(['--yes', '--force-flux', '--kubeconfig', join(work, 'kubeconfig'), '--json'])
    expect(r.exitCode, r.stderr).to.equal(2)
    const {error} = r.json<{error: {code: string; message: string; hint: string}}>()
    expect(error.code).to.equal('INPUT_REQUIRED')
    expect(error.hint).to.include('GITHUB_TOKEN')
    expect(error.hint).to.include(
      `Then resume: piksel bootstrap -e staging --from preflight --infra-dir ${work} --kubeconfig ${join(work, 'kubeconfig')}`,
    )
    nothingWritten(mark)
  })

  it('§4 a protected branch: preflight fails (exit 3) with the fix, before Terraform; the token never shown', async () => {
    const mark = stubs.calls().length
    const r = await run(['--yes', '--force-flux', '--gitops-branch', 'release'], {GITHUB_TOKEN: TOKEN})
    expect(r.exitCode, r.stderr).to.equal(3)
    expect(r.stderr).to.include('GitHub: branch release of piksel-ina/piksel-gitops is protected')
    expect(r.stderr).to.include('bootstrap from an unprotected branch with --gitops-branch')
    expect(r.stderr).to.include('--gitops-branch release')
    expect(`${r.stdout}${r.stderr}`).not.to.include(TOKEN)
    nothingWritten(mark)
  })

  it('§4 a revoked token: preflight fails (exit 3) before Terraform, the token never shown', async () => {
    const revoked = 'ghp_revokedToken00000000000000000000'
    const mark = stubs.calls().length
    const r = await run(['--yes', '--force-flux', '--json'], {GITHUB_TOKEN: revoked})
    expect(r.exitCode, r.stderr).to.equal(3)
    expect(r.json<{error: {message: string}}>().error.message).to.include(
      'GitHub rejected the token (401: Bad credentials)',
    )
    expect(`${r.stdout}${r.stderr}`).not.to.include(revoked)
    nothingWritten(mark)
  })

  const emptyRoots: Array<[string, (dir: string) => void]> = [
    ['an empty environment directory', (dir) => rmSync(join(dir, 'main.tf'))],
    [
      'a directory of non-Terraform files',
      (dir) => {
        rmSync(join(dir, 'main.tf'))
        writeFileSync(join(dir, 'README.md'), '# not terraform\n')
      },
    ],
  ]
  for (const [what, setup] of emptyRoots) {
    it(`§4 ${what} as the infra root: exit 2 before anything is created in it`, async () => {
      setup(join(work, 'staging'))
      const before = readdirSync(join(work, 'staging')).sort()
      for (const args of [
        ['--yes', '--force-flux'],
        ['--only', 'infrastructure', '--yes'],
      ]) {
        const r = await run([...args, '--json'], {GITHUB_TOKEN: TOKEN})
        expect(r.exitCode, r.stderr).to.equal(2)
        expect(r.json<{error: {code: string}}>().error.code).to.equal('NO_TERRAFORM_FILES')
        expect(readdirSync(join(work, 'staging')).sort()).to.deep.equal(before)
      }
    })
  }

  it('§4 --yes does not file GPU quota requests; --request-quotas does', async () => {
    quotas.setApplied('L-DB2E81BA', 0)
    try {
      const filed = quotas.filed().length
      const yes = await run(['--only', 'quota', '--yes', '--json'])
      expect(yes.exitCode, yes.stderr).to.equal(0)
      expect(quotas.filed()).to.have.length(filed)
      const step = yes.json<{steps: Array<{id: string; detail: string}>}>().steps.find((s) => s.id === 'quota')
      expect(step?.detail).to.match(
        /not requested \(--request-quotas files the increase requests, each an AWS support case\)$/,
      )
      const requested = await run(['--only', 'quota', '--yes', '--request-quotas', '--json'])
      expect(requested.exitCode, requested.stderr).to.equal(0)
      expect(
        quotas
          .filed()
          .slice(filed)
          .map((q) => q.QuotaCode),
      ).to.deep.equal(['L-DB2E81BA'])
    } finally {
      quotas.setApplied('L-DB2E81BA', 8)
    }
  })
})
