import {expect} from 'chai'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {Writable} from 'node:stream'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {AwsSession} from '../../../src/lib/aws/session.ts'
import {ChildProcessError} from '../../../src/lib/errors.ts'
import {getCallerIdentity} from '../../../src/lib/aws/identity.ts'
import {bindPorts} from '../../../src/lib/bootstrap/bind.ts'
import type {EksCluster} from '../../../src/lib/bootstrap/cluster.ts'
import type {BootstrapPorts} from '../../../src/lib/bootstrap/ports.ts'
import {type BootstrapOptions, runBootstrap} from '../../../src/command-kit/bootstrap-tasks.ts'
import {STEP_IDS, type StepId, selectSteps} from '../../../src/lib/bootstrap/steps.ts'
import {resolveSettings} from '../../../src/lib/config/environment.ts'
import type {Environment} from '../../../src/lib/config/environment.ts'
import {Prompter} from '../../../src/lib/prompt.ts'
import {type FakePortState, STAGING_FLUX_BOOTSTRAP_ARGV, bootstrapStubs, fakePorts} from '../../support/bootstrap.ts'
import {StubBin} from '../../support/stubs.ts'
import {type Moto, MOTO_ACCOUNT, startMoto} from '../../support/moto.ts'
import {createEksCluster, writeEksKubeconfig} from '../../support/eks.ts'
import {createAwsSpotRole} from '../../support/iam.ts'
import {copyFixture, stateAddresses} from '../../support/terraform.ts'
import {STATE_BUCKET, bucketConfiguration, createStateBucket, deleteBucket} from '../../support/s3.ts'
import {requireTool} from '../../support/tools.ts'

const TOKEN = 'ghp_stubTokenValue0123456789'

/**
 * The runner with fake ports, the real terraform on fixture roots, stub flux
 * and aws on PATH, and moto answering sts:GetCallerIdentity, eks:DescribeCluster
 * (the real EKS port: the staging cluster exists in moto) and S3 (the state
 * bucket, with the runbook's posture unless a test says otherwise).
 */
describe('bootstrap runner', function () {
  this.timeout(120_000)
  let moto: Moto
  const saved = {...process.env}
  const stubs = bootstrapStubs()
  let work: string
  let messages: string[]
  let staging: EksCluster
  let eks: BootstrapPorts['cluster']

  before(async function () {
    requireTool(this, 'terraform')
    moto = await startMoto(this)
    Object.assign(process.env, moto.env, {PATH: `${stubs.dir}:${process.env.PATH}`})
    delete process.env.AWS_PROFILE
    delete process.env.GITHUB_TOKEN
    const session = {region: 'ap-southeast-3', profileSource: 'environment' as const}
    eks = (await bindPorts({session, caller: () => getCallerIdentity(session)})).cluster
  })

  /** Fake services, the real EKS port (moto). */
  function withEks(initial: Parameters<typeof fakePorts>[0] = {}) {
    return fakePorts(initial, {cluster: eks})
  }

  /** The kubeconfig aws eks update-kubeconfig writes for the staging cluster (plus `others`). */
  function stagingKubeconfig(current?: string, others: Parameters<typeof writeEksKubeconfig>[1] = []) {
    return writeEksKubeconfig(process.env.KUBECONFIG!, [{cluster: staging}, ...others], current)
  }

  /** A context piksel-staging that is the production cluster of another account (the example). */
  const PRODUCTION = {
    name: 'piksel-production',
    arn: 'arn:aws:eks:ap-southeast-3:210987654321:cluster/piksel-production',
    endpoint: 'https://PROD0000.gr7.ap-southeast-3.eks.amazonaws.com',
    certificateAuthority: Buffer.from('production CA').toString('base64'),
  }

  /** A stream that collects what the task list renders. */
  function capture(lines: string[]): NodeJS.WriteStream {
    return new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk))
        done()
      },
    }) as unknown as NodeJS.WriteStream
  }

  function noWrites() {
    expect(stateAddresses(join(work, 'staging'))).to.deep.equal([])
    expect(existsSync(join(work, 'staging', '.terraform'))).to.equal(false)
  }
  after(async () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
    await moto?.stop()
  })
  beforeEach(async () => {
    work = mkdtempSync(join(tmpdir(), 'piksel-bs-'))
    copyFixture('basic', 'staging', work)
    mkdirSync(join(work, 'bootstrap'))
    copyFixture('bootstrap-root', 'staging', join(work, 'bootstrap'))
    process.env.KUBECONFIG = join(work, 'kubeconfig')
    await moto.reset()
    await createStateBucket(moto)
    // The account has the Spot service-linked role (the account steps have their own tests).
    await createAwsSpotRole(moto)
    // The reset removed every EKS cluster too: the staging cluster is made afresh (a new endpoint each time).
    staging = await createEksCluster(moto.endpoint, 'piksel-staging')
    messages = []
  })

  function environment(over: Partial<Environment> = {}): Environment {
    return {...resolveSettings().environments.staging!, ...over}
  }

  function options(over: Partial<BootstrapOptions> & {only?: string[]; from?: string; skip?: string[]} = {}) {
    const {only, from, skip, ...rest} = over
    // The caller is asked with the session the run uses (a test may give its own).
    const session: AwsSession = rest.session ?? {region: 'ap-southeast-3', profileSource: 'environment'}
    return {
      env: environment(),
      session,
      caller: () => getCallerIdentity(session),
      steps: selectSteps({only, from, skip}),
      infraDir: work,
      dryRun: false,
      allowDestroy: false,
      forceFlux: false,
      timeoutMs: 60_000,
      verbose: false,
      enginesRange: '>=22',
      githubToken: TOKEN,
      renderer: 'silent' as const,
      ...rest,
    }
  }

  function io(yes: boolean) {
    const prompter = new Prompter(false)
    return {
      interactive: false,
      confirm: (message: string) => {
        messages.push(message)
        return prompter.confirm(message, {yes})
      },
      secret: (message: string, flag: string) => prompter.password({message, flag}),
      sensitive: () => {},
    }
  }

  function statuses(run: Awaited<ReturnType<typeof runBootstrap>>): Record<string, string> {
    return Object.fromEntries(run.result.steps.map((s) => [s.id, s.status]))
  }

  const ready: FakePortState['flux'] = {
    installed: true,
    url: 'ssh://git@github.com/piksel-ina/piksel-gitops',
    branch: 'main',
    path: './clusters/staging',
    ready: true,
  }

  it('a failing flux bootstrap: a child-command error with the command, its exit code and the end of its output', async () => {
    const {ports} = withEks()
    process.env.STUB_FLUX_FAIL = '1'
    try {
      const run = await runBootstrap(options(), ports, io(true))
      expect(run.failedAt).to.equal('flux')
      expect(run.error).to.be.instanceOf(ChildProcessError)
      expect(run.error).to.deep.include({
        code: 'FLUX_BOOTSTRAP_FAILED',
        exitCode: 1,
        command: 'flux bootstrap',
        childExitCode: 1,
        outputTail: '✗ failed to push',
      })
      expect(run.error?.message).to.equal('flux bootstrap failed (exit 1): ✗ failed to push')
    } finally {
      delete process.env.STUB_FLUX_FAIL
    }
  })

  it('runs every step, then a re-run finds everything already done and changes nothing', async () => {
    const {ports, state} = withEks()
    const before = stubs.calls().length
    const first = await runBootstrap(options(), ports, io(true))
    expect(first.error, first.error?.message).to.equal(undefined)
    expect(statuses(first)).to.deep.equal({
      preflight: 'done',
      identity: 'done',
      // Not configured (no ci.repository, no dns.zone): skipped; the Spot role exists.
      oidc: 'skipped',
      'spot-role': 'already-done',
      dns: 'skipped',
      'state-backend': 'already-done',
      secrets: 'already-done',
      quota: 'already-done',
      infrastructure: 'done',
      kubeconfig: 'done',
      flux: 'done',
      applications: 'skipped',
      health: 'done',
    })
    expect(first.result.account).to.equal(MOTO_ACCOUNT)
    expect(first.result.changed).to.equal(true)
    expect(first.result.steps.map((s) => s.id)).to.deep.equal([...STEP_IDS])
    expect(stateAddresses(join(work, 'staging'))).to.have.length(3)
    expect(state.healthCalls).to.deep.equal([{timeoutMs: 60_000}])

    const calls = stubs.calls().slice(before)
    const bootstrap = calls.filter((c) => c.tool === 'flux' && c.argv[0] === 'bootstrap')
    expect(bootstrap).to.have.length(1)
    expect(bootstrap[0]!.argv).to.deep.equal(STAGING_FLUX_BOOTSTRAP_ARGV)
    expect(bootstrap[0]!.env.GITHUB_TOKEN).to.equal(TOKEN)
    for (const call of calls) expect(call.argv.join(' ')).not.to.include(TOKEN)
    expect(calls.filter((c) => c.tool === 'flux').map((c) => c.argv[0])).to.deep.equal([
      'version',
      'check',
      'bootstrap',
    ])
    const kube = calls.find((c) => c.tool === 'aws' && c.argv[0] === 'eks')
    expect(kube?.argv).to.deep.equal([
      'eks',
      'update-kubeconfig',
      '--name',
      'piksel-staging',
      '--alias',
      'piksel-staging',
      '--region',
      'ap-southeast-3',
    ])
    expect(messages.some((m) => m.startsWith('Apply infrastructure'))).to.equal(true)
    expect(messages).to.include(
      `Write context piksel-staging for arn:aws:eks:ap-southeast-3:123456789012:cluster/piksel-staging to ${process.env.KUBECONFIG}? It also becomes the current context (now none).`,
    )
    expect(messages.some((m) => m.startsWith('Bootstrap Flux on piksel-staging'))).to.equal(true)
    // The token was resolved and checked in preflight, before Terraform applied anything.
    expect(state.githubChecks).to.deep.equal([
      {owner: 'piksel-ina', repository: 'piksel-gitops', branch: 'main', tokenLength: TOKEN.length},
    ])
    const detail = (id: StepId) => first.result.steps.find((s) => s.id === id)?.detail
    expect(detail('kubeconfig')).to.equal(
      'context piksel-staging added for arn:aws:eks:ap-southeast-3:123456789012:cluster/piksel-staging; the current context is now "piksel-staging"',
    )
    expect(detail('preflight')).to.include('no context piksel-staging yet: the kubeconfig step writes it')

    // Re-run: the cluster now reports flux-system Ready on this repo and path.
    state.flux = ready
    messages = []
    const mark = stubs.calls().length
    const second = await runBootstrap(options(), ports, io(true))
    expect(second.error, second.error?.message).to.equal(undefined)
    expect(statuses(second)).to.include({
      'state-backend': 'already-done',
      infrastructure: 'already-done',
      kubeconfig: 'already-done',
      flux: 'already-done',
    })
    expect(second.result.changed).to.equal(false)
    expect(messages).to.deep.equal([])
    expect(second.result.steps.find((s) => s.id === 'kubeconfig')?.detail).to.equal(
      'context piksel-staging is arn:aws:eks:ap-southeast-3:123456789012:cluster/piksel-staging (endpoint and certificate authority match eks:DescribeCluster); the current context is "piksel-staging"',
    )
    // flux-system already syncs the repository: the re-run needs no GitHub token.
    expect(state.githubChecks).to.have.length(1)
    const again = stubs.calls().slice(mark)
    expect(again.filter((c) => c.tool === 'flux' && c.argv[0] !== 'version')).to.deep.equal([])
    expect(again.filter((c) => c.tool === 'aws' && c.argv[0] === 'eks')).to.deep.equal([])
  })

  it('without a terminal or --yes, stops before the first write, naming --yes', async () => {
    const {ports} = withEks()
    const run = await runBootstrap(options(), ports, io(false))
    expect(run.failedAt).to.equal('infrastructure')
    expect(run.error?.exitCode).to.equal(2)
    expect(run.error?.message).to.match(/Confirmation required: Apply infrastructure/)
    expect(run.error?.hint).to.include('Pass --yes').and.to.include('piksel bootstrap -e staging --from infrastructure')
    expect(stateAddresses(join(work, 'staging'))).to.deep.equal([])
    expect(statuses(run)).to.include({infrastructure: 'failed', kubeconfig: 'skipped', flux: 'skipped'})
    expect(run.result.steps.find((s) => s.id === 'kubeconfig')?.detail).to.equal('not reached')
  })

  it('kubeconfig: without a terminal or --yes, stops before aws eks update-kubeconfig, naming --yes', async () => {
    const {ports} = withEks()
    const mark = stubs.calls().length
    const run = await runBootstrap(options({only: ['kubeconfig']}), ports, io(false))
    expect(run.failedAt).to.equal('kubeconfig')
    expect(run.error?.exitCode).to.equal(2)
    expect(run.error?.message).to.match(/^Confirmation required: Write context piksel-staging /)
    expect(run.error?.hint).to.include('Pass --yes')
    expect(
      stubs
        .calls()
        .slice(mark)
        .filter((c) => c.tool === 'aws' && c.argv[0] === 'eks'),
    ).to.deep.equal([])
    expect(existsSync(process.env.KUBECONFIG!)).to.equal(false)
  })

  it('--dry-run plans everything and applies, writes and bootstraps nothing', async () => {
    await deleteBucket(moto)
    const {ports, state} = withEks({missingSecrets: ['slack-alerts-staging']})
    const mark = stubs.calls().length
    const run = await runBootstrap(options({dryRun: true}), ports, io(false))
    expect(run.error, run.error?.message).to.equal(undefined)
    expect(statuses(run)).to.deep.equal({
      preflight: 'done',
      identity: 'done',
      oidc: 'skipped',
      'spot-role': 'already-done',
      dns: 'skipped',
      'state-backend': 'planned',
      secrets: 'planned',
      quota: 'already-done',
      infrastructure: 'planned',
      kubeconfig: 'planned',
      flux: 'planned',
      applications: 'skipped',
      health: 'planned',
    })
    expect(messages).to.deep.equal([])
    expect(stateAddresses(join(work, 'staging'))).to.deep.equal([])
    expect(stateAddresses(join(work, 'bootstrap', 'staging'))).to.deep.equal([])
    expect(existsSync(process.env.KUBECONFIG!)).to.equal(false)
    const calls = stubs.calls().slice(mark)
    expect(calls.filter((c) => c.argv[0] === 'bootstrap' || c.argv[0] === 'eks')).to.deep.equal([])
    expect(state.healthCalls).to.deep.equal([])
    expect(run.result.steps.find((s) => s.id === 'flux')?.detail).to.equal(
      `would run: flux ${STAGING_FLUX_BOOTSTRAP_ARGV.join(' ')} if flux-system needs it, once the kubeconfig step has written context piksel-staging`,
    )
    expect(run.result.steps.find((s) => s.id === 'kubeconfig')?.detail).to.equal(
      'would run: aws eks update-kubeconfig --name piksel-staging --alias piksel-staging --region ap-southeast-3; aws eks update-kubeconfig makes piksel-staging the current context (now none)',
    )
    expect(run.result.nextSteps[0]).to.include('Nothing was applied')
  })

  it('--dry-run with the state bucket missing: an S3-backed root is not planned (no bucket to init against)', async () => {
    await deleteBucket(moto)
    // The stand-in root keeps its state in S3 (one backend per root, as Terraform requires).
    const main = join(work, 'staging', 'main.tf')
    writeFileSync(main, readFileSync(main, 'utf8').replace('backend "local" {}', 'backend "s3" {}'))
    const run = await runBootstrap(
      options({dryRun: true, only: ['state-backend', 'infrastructure']}),
      withEks().ports,
      io(false),
    )
    expect(run.error, run.error?.message).to.equal(undefined)
    expect(statuses(run)).to.include({'state-backend': 'planned', infrastructure: 'planned'})
    expect(run.result.steps.find((s) => s.id === 'infrastructure')?.detail).to.equal(
      'not planned: its S3 backend needs the state bucket piksel-staging-tfstate, which state-backend creates first',
    )
    expect(existsSync(join(work, 'staging', '.terraform'))).to.equal(false)
  })

  it('creates the state bucket from the bootstrap root when it is missing, with the environment profile', async () => {
    await deleteBucket(moto)
    const dir = mkdtempSync(join(tmpdir(), 'piksel-aws-'))
    writeFileSync(join(dir, 'config'), '[profile staging-piksel]\nregion = ap-southeast-3\n')
    writeFileSync(
      join(dir, 'credentials'),
      '[staging-piksel]\naws_access_key_id = testing\naws_secret_access_key = testing\n',
    )
    const env = {AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials')}
    const keys = {id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY}
    Object.assign(process.env, env)
    delete process.env.AWS_ACCESS_KEY_ID
    delete process.env.AWS_SECRET_ACCESS_KEY
    try {
      const {ports} = withEks()
      const mark = stubs.calls().length
      const run = await runBootstrap(
        options({
          only: ['state-backend'],
          session: {region: 'ap-southeast-3', profile: 'staging-piksel', profileSource: 'config'},
        }),
        ports,
        io(true),
      )
      expect(run.error, run.error?.message).to.equal(undefined)
      expect(statuses(run)).to.include({identity: 'done', 'state-backend': 'done'})
      const root = join(work, 'bootstrap', 'staging')
      expect(stateAddresses(root)).to.deep.equal(['terraform_data.state_bucket'])
      expect(readFileSync(join(root, 'child-env.txt'), 'utf8').trim()).to.equal(
        'AWS_PROFILE=staging-piksel TF_IN_AUTOMATION=1',
      )
      // The bucket is read through the SDK, never by the aws CLI.
      expect(
        stubs
          .calls()
          .slice(mark)
          .filter((c) => c.tool === 'aws'),
      ).to.deep.equal([])
      expect(run.result.steps.find((s) => s.id === 'state-backend')?.detail).to.match(
        /^bucket piksel-staging-tfstate: phase bootstrap: 1 to add.*\(applied\); versioned, default encryption, public access blocked, TLS-only policy$/,
      )
      const made = await bucketConfiguration(moto, STATE_BUCKET)
      expect(made.versioning).to.equal('Enabled')
    } finally {
      for (const key of Object.keys(env)) delete process.env[key]
      process.env.AWS_ACCESS_KEY_ID = keys.id
      process.env.AWS_SECRET_ACCESS_KEY = keys.secret
    }
  })

  it('the account guard stops everything when the caller is another account', async () => {
    const {ports} = withEks()
    const run = await runBootstrap(options({env: environment({account: '999999999999'})}), ports, io(true))
    expect(run.failedAt).to.equal('identity')
    expect(run.error?.code).to.equal('ACCOUNT_MISMATCH')
    expect(run.error?.exitCode).to.equal(2)
    expect(statuses(run)).to.include({identity: 'failed', infrastructure: 'skipped'})
    expect(stateAddresses(join(work, 'staging'))).to.deep.equal([])
  })

  it('missing secrets without a terminal: reports and stops (exit 3) before Terraform', async () => {
    const {ports} = withEks({missingSecrets: ['slack-alerts-staging', 'grafana-oauth-staging']})
    const run = await runBootstrap(options(), ports, io(true))
    expect(run.failedAt).to.equal('secrets')
    expect(run.error?.exitCode).to.equal(3)
    expect(run.error?.message).to.equal('Missing secrets for staging: slack-alerts-staging, grafana-oauth-staging.')
    expect(run.error?.hint).to.include('piksel secret create').and.to.include('--from secrets')
    expect(stateAddresses(join(work, 'staging'))).to.deep.equal([])
  })

  it('missing secrets on a terminal: offers to create each through the secret service', async () => {
    const {ports, state} = withEks({missingSecrets: ['slack-alerts-staging', 'grafana-oauth-staging']})
    const asked: string[] = []
    const outputs: unknown[] = []
    const terminal = {
      interactive: true,
      confirm: async (message: string, output?: unknown) => {
        asked.push(message)
        outputs.push(output)
        return true
      },
      secret: async () => expect.fail('no secret asked here'),
      sensitive: () => {},
    }
    const run = await runBootstrap(options({only: ['secrets']}), ports, terminal)
    expect(run.error, run.error?.message).to.equal(undefined)
    expect(asked).to.deep.equal([
      'Secret slack-alerts-staging is missing. Create it now?',
      'Secret grafana-oauth-staging is missing. Create it now?',
    ])
    // The prompt renders in the task list (its prompt stream), not under it.
    for (const output of outputs) expect(output).to.have.property('write')
    expect(state.created).to.deep.equal(['slack-alerts-staging', 'grafana-oauth-staging'])
    expect(run.result.steps.find((s) => s.id === 'secrets')).to.include({
      status: 'done',
      detail: 'created slack-alerts-staging, grafana-oauth-staging',
    })
  })

  it('quota below target warns; --yes alone files nothing, --request-quotas with --yes requests', async () => {
    const low = {quota: {below: 2, pending: 0, summary: '2 GPU quotas below 8 vCPUs'}}
    const yesOnly = withEks(low)
    const warnings: string[] = []
    const notFiled = await runBootstrap(options({only: ['quota']}), yesOnly.ports, {
      ...io(true),
      warned: (message: string) => warnings.push(message),
    })
    // Said in the task list (the step's detail) and kept for the JSON document's warnings.
    expect(warnings).to.deep.equal([
      'quota: 2 GPU quotas below 8 vCPUs; not requested (--request-quotas files the increase requests, each an AWS support case)',
    ])
    expect(notFiled.error).to.equal(undefined)
    expect(yesOnly.state.requested).to.equal(0)
    expect(notFiled.result.changed).to.equal(false)
    expect(notFiled.result.steps.find((s) => s.id === 'quota')?.detail).to.equal(
      'warning: 2 GPU quotas below 8 vCPUs; not requested (--request-quotas files the increase requests, each an AWS support case)',
    )
    const asked = withEks(low)
    const yes = await runBootstrap(options({only: ['quota'], requestQuotas: true}), asked.ports, io(true))
    expect(statuses(yes).quota).to.equal('done')
    expect(asked.state.requested).to.equal(1)
    const dry = withEks(low)
    const planned = await runBootstrap(
      options({only: ['quota'], requestQuotas: true, dryRun: true}),
      dry.ports,
      io(true),
    )
    expect(planned.result.steps.find((s) => s.id === 'quota')).to.deep.include({
      status: 'planned',
      detail: 'warning: 2 GPU quotas below 8 vCPUs; would request the increases',
    })
    expect(dry.state.requested).to.equal(0)
    const warned = withEks(low)
    const no = await runBootstrap(options({only: ['quota'], requestQuotas: true}), warned.ports, io(false))
    expect(no.error).to.equal(undefined)
    expect(no.result.changed).to.equal(false)
    expect(no.result.steps.find((s) => s.id === 'quota')?.detail).to.match(
      /^warning: 2 GPU quotas below 8 vCPUs; not requested/,
    )
    expect(warned.state.requested).to.equal(0)
  })

  it('health: waits through the status port; unhealthy after --timeout is exit 3', async () => {
    stagingKubeconfig()
    const {ports, state} = withEks({healthy: false})
    const run = await runBootstrap(options({only: ['health'], timeoutMs: 5_000}), ports, io(true))
    expect(state.healthCalls).to.deep.equal([{timeoutMs: 5_000}])
    expect(run.error?.exitCode).to.equal(3)
    expect(run.error?.message).to.equal('Not healthy after 5s: apps: DependencyNotReady')
  })

  it('flux: skipped when already bootstrapped and Ready, run again with --force-flux', async () => {
    stagingKubeconfig()
    const {ports} = withEks({flux: ready})
    const mark = stubs.calls().length
    const skipped = await runBootstrap(options({only: ['flux']}), ports, io(true))
    expect(statuses(skipped).flux).to.equal('already-done')
    expect(
      stubs
        .calls()
        .slice(mark)
        .filter((c) => c.tool === 'flux'),
    ).to.deep.equal([])
    const forced = await runBootstrap(options({only: ['flux'], forceFlux: true}), ports, io(true))
    expect(statuses(forced).flux).to.equal('done')
    expect(
      stubs
        .calls()
        .slice(mark)
        .filter((c) => c.argv[0] === 'bootstrap'),
    ).to.have.length(1)
  })

  it('flux: without GITHUB_TOKEN and no terminal, fails naming GITHUB_TOKEN before bootstrapping', async () => {
    stagingKubeconfig()
    const {ports} = withEks()
    const mark = stubs.calls().length
    const run = await runBootstrap(options({only: ['flux'], githubToken: undefined}), ports, io(true))
    expect(run.error?.exitCode).to.equal(2)
    expect(run.error?.hint).to.include('GITHUB_TOKEN')
    expect(
      stubs
        .calls()
        .slice(mark)
        .filter((c) => c.argv[0] === 'bootstrap'),
    ).to.deep.equal([])
  })

  it('phases from the config: the last one is applied by the applications step', async () => {
    const {ports} = withEks()
    const env = environment({
      terraform: {
        ...environment().terraform,
        phases: [
          {name: 'platform', targets: ['terraform_data.vpc', 'terraform_data.cluster']},
          {name: 'apps', targets: []},
        ],
      },
    })
    const run = await runBootstrap(options({env, only: ['infrastructure', 'applications']}), ports, io(true))
    expect(run.error, run.error?.message).to.equal(undefined)
    const detail = (id: StepId) => run.result.steps.find((s) => s.id === id)?.detail
    expect(detail('infrastructure')).to.equal('phase platform: 2 to add, 0 to change, 0 to destroy (applied)')
    expect(detail('applications')).to.equal('phase apps: 1 to add, 0 to change, 0 to destroy (applied)')
  })

  it('a root with backend "s3": init gets the environment backend config, terraform the profile (stub terraform)', async () => {
    const tf = new StubBin().add('terraform', (argv) => {
      if (argv[0] === 'show') {
        return {stdout: JSON.stringify({format_version: '1.2', resource_changes: [], output_changes: {}})}
      }
      return {stdout: `stub terraform ${argv[0]}\n`}
    })
    writeFileSync(join(work, 'staging', 'backend.tf'), 'terraform {\n  backend "s3" {}\n}\n')
    writeFileSync(join(work, 'staging', 'main.tf'), 'resource "terraform_data" "a" {}\n')
    const dir = mkdtempSync(join(tmpdir(), 'piksel-aws-'))
    writeFileSync(join(dir, 'config'), '[profile staging-piksel]\nregion = ap-southeast-3\n')
    writeFileSync(
      join(dir, 'credentials'),
      '[staging-piksel]\naws_access_key_id = testing\naws_secret_access_key = testing\n',
    )
    const saved = {...process.env}
    Object.assign(process.env, {
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
      PATH: `${tf.dir}:${process.env.PATH}`,
    })
    delete process.env.AWS_ACCESS_KEY_ID
    delete process.env.AWS_SECRET_ACCESS_KEY
    try {
      const session = {region: 'ap-southeast-3', profile: 'staging-piksel', profileSource: 'config' as const}
      const run = await runBootstrap(options({only: ['infrastructure'], session}), withEks().ports, io(true))
      expect(run.error, run.error?.message).to.equal(undefined)
      expect(statuses(run).infrastructure).to.equal('already-done')
      const calls = tf.calls('terraform')
      expect(calls.map((c) => c.argv[0])).to.deep.equal(['init', 'plan', 'show'])
      expect(calls[0]!.argv).to.deep.equal([
        'init',
        '-input=false',
        '-no-color',
        '-backend-config=bucket=piksel-staging-tfstate',
        '-backend-config=key=staging/terraform.tfstate',
        '-backend-config=region=ap-southeast-3',
        '-backend-config=use_lockfile=true',
        '-backend-config=encrypt=true',
      ])
      expect(calls[1]!.argv.slice(0, 3)).to.deep.equal(['plan', '-input=false', '-no-color'])
      expect(calls[1]!.argv[3]).to.match(/^-out=.*piksel-all\.tfplan$/)
      expect(calls[2]!.argv.slice(0, 3)).to.deep.equal(['show', '-no-color', '-json'])
      for (const call of calls) {
        expect(call.env).to.include({TF_IN_AUTOMATION: '1', TF_INPUT: '0', AWS_PROFILE: 'staging-piksel'})
      }
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
      Object.assign(process.env, saved)
    }
  })

  it('preflight fails (exit 3) when a tool the selected steps need is missing', async () => {
    const {ports} = withEks()
    const path = process.env.PATH
    process.env.PATH = path!
      .split(':')
      .filter((p) => p !== stubs.dir)
      .join(':')
    try {
      const run = await runBootstrap(options({only: ['preflight', 'flux']}), ports, io(true))
      expect(run.failedAt).to.equal('preflight')
      expect(run.error?.exitCode).to.equal(3)
      expect(run.error?.message).to.match(/flux: not found on PATH/)
    } finally {
      process.env.PATH = path
    }
  })

  describe('§1 the cluster is the environment’s cluster, or nothing happens', () => {
    it('a context named piksel-staging that is production in another account: exit 2 in preflight, nothing written', async () => {
      writeEksKubeconfig(process.env.KUBECONFIG!, [{cluster: PRODUCTION, context: 'piksel-staging'}])
      const {ports, state} = withEks()
      const mark = stubs.calls().length
      const run = await runBootstrap(options(), ports, io(true))
      expect(run.failedAt).to.equal('preflight')
      expect(run.error?.exitCode).to.equal(2)
      expect(run.error?.code).to.equal('CLUSTER_MISMATCH')
      expect(run.error?.message).to.include('arn:aws:eks:ap-southeast-3:210987654321:cluster/piksel-production')
      expect(run.error?.message).to.include('arn:aws:eks:ap-southeast-3:123456789012:cluster/piksel-staging')
      expect(statuses(run)).to.include({preflight: 'failed', identity: 'skipped', infrastructure: 'skipped'})
      noWrites()
      const calls = stubs.calls().slice(mark)
      expect(calls.filter((c) => c.argv[0] === 'bootstrap' || c.argv.includes('update-kubeconfig'))).to.deep.equal([])
      expect(messages).to.deep.equal([])
      expect(state.githubChecks).to.deep.equal([])
    })

    const mismatched: Array<[string, StepId[]]> = [
      ['--from flux (no preflight): the flux step refuses', ['flux', 'applications', 'health']],
      ['--only health: the health step refuses', ['health']],
      ['--only kubeconfig: the kubeconfig step refuses (never rewrites or trusts it)', ['kubeconfig']],
    ]
    for (const [what, steps] of mismatched) {
      it(`a mismatched context, ${what}`, async () => {
        writeEksKubeconfig(process.env.KUBECONFIG!, [
          {cluster: {...staging, endpoint: 'https://OTHER.gr7.ap-southeast-3.eks.amazonaws.com'}},
        ])
        const {ports, state} = withEks({flux: undefined})
        const mark = stubs.calls().length
        const run = await runBootstrap(options({only: steps}), ports, io(true))
        expect(run.error?.code).to.equal('CLUSTER_MISMATCH')
        expect(run.error?.exitCode).to.equal(2)
        expect(run.error?.message).to.match(/Differences: endpoint https:\/\/OTHER\S+ ≠ /)
        expect(
          stubs
            .calls()
            .slice(mark)
            .filter((c) => c.tool === 'flux' || c.argv.includes('update-kubeconfig')),
        ).to.deep.equal([])
        expect(state.healthCalls).to.deep.equal([])
      })
    }

    it('the environment’s context is missing: flux and health stop, never using the current context', async () => {
      // The current context points at some other (healthy) cluster.
      writeEksKubeconfig(process.env.KUBECONFIG!, [
        {cluster: {...staging, name: 'piksel-dev', arn: staging.arn.replace('staging', 'dev')}, context: 'piksel-dev'},
      ])
      for (const only of [['flux'], ['health'], ['preflight', 'flux']]) {
        const {ports, state} = withEks({flux: ready})
        const mark = stubs.calls().length
        const run = await runBootstrap(options({only, rerunFlags: {'infra-dir': work}}), ports, io(true))
        expect(run.error?.code, only.join()).to.equal('NO_CONTEXT')
        expect(run.error?.exitCode).to.equal(2)
        expect(run.error?.message).to.equal(
          `No kube context "piksel-staging" for environment staging in ${process.env.KUBECONFIG}; the current context ("piksel-dev") is never used in its place.`,
        )
        expect(run.error?.hint).to.include(`piksel bootstrap -e staging --only kubeconfig --infra-dir ${work}`)
        // Only preflight's `flux version`: no check, no bootstrap.
        expect(
          stubs
            .calls()
            .slice(mark)
            .filter((c) => c.tool === 'flux' && c.argv[0] !== 'version'),
        ).to.deep.equal([])
        expect(state.healthCalls).to.deep.equal([])
      }
    })

    it('a dry run without the kubeconfig step and without the context stops too', async () => {
      const run = await runBootstrap(options({dryRun: true, skip: ['kubeconfig']}), withEks().ports, io(false))
      expect(run.error?.code).to.equal('NO_CONTEXT')
      expect(run.failedAt).to.equal('preflight')
    })

    it('flux-system syncs another repository: refused in preflight (exit 2) before Terraform, showing what changes', async () => {
      stagingKubeconfig()
      const other = {...ready!, url: 'ssh://git@github.com/piksel-ina/old-gitops'}
      const {ports, state} = withEks({flux: other})
      const mark = stubs.calls().length
      const run = await runBootstrap(options(), ports, io(true))
      expect(run.failedAt).to.equal('preflight')
      expect(run.error?.exitCode).to.equal(2)
      expect(run.error?.code).to.equal('FLUX_SYNCS_ELSEWHERE')
      expect(run.error?.message).to.equal(
        'flux-system on piksel-staging already syncs piksel-ina/old-gitops, branch main, path ./clusters/staging; bootstrap would change repository piksel-ina/old-gitops → piksel-ina/piksel-gitops. Nothing was bootstrapped.',
      )
      expect(run.error?.hint).to.include('--force-flux')
      noWrites()
      expect(
        stubs
          .calls()
          .slice(mark)
          .filter((c) => c.tool === 'flux' && c.argv[0] !== 'version'),
      ).to.deep.equal([])
      expect(state.githubChecks).to.deep.equal([])
    })

    it('flux-system syncs another branch or path: the dry run shows it, --from flux refuses, --force-flux bootstraps', async () => {
      stagingKubeconfig()
      const other = {...ready!, branch: 'legacy', path: './clusters/old'}
      const dry = await runBootstrap(options({dryRun: true}), withEks({flux: other}).ports, io(false))
      expect(dry.error, dry.error?.message).to.equal(undefined)
      expect(dry.result.steps.find((s) => s.id === 'flux')).to.deep.include({
        status: 'planned',
        detail:
          'refused without --force-flux: flux-system syncs piksel-ina/piksel-gitops, branch legacy, path ./clusters/old; bootstrap would change branch legacy → main, path ./clusters/old → clusters/staging',
      })
      expect(dry.result.steps.find((s) => s.id === 'preflight')?.detail).to.include(
        'flux-system syncs piksel-ina/piksel-gitops, branch legacy, path ./clusters/old: a real run stops unless --force-flux',
      )
      const mark = stubs.calls().length
      const refused = await runBootstrap(options({from: 'flux'}), withEks({flux: other}).ports, io(true))
      expect(refused.error?.code).to.equal('FLUX_SYNCS_ELSEWHERE')
      expect(
        stubs
          .calls()
          .slice(mark)
          .filter((c) => c.argv[0] === 'bootstrap'),
      ).to.deep.equal([])
      messages = []
      const forced = await runBootstrap(
        options({only: ['flux'], forceFlux: true}),
        withEks({flux: other}).ports,
        io(true),
      )
      expect(forced.error, forced.error?.message).to.equal(undefined)
      expect(messages).to.deep.equal([
        'Bootstrap Flux on piksel-staging from piksel-ina/piksel-gitops (main, clusters/staging); it changes branch legacy → main, path ./clusters/old → clusters/staging?',
      ])
      expect(
        stubs
          .calls()
          .slice(mark)
          .filter((c) => c.argv[0] === 'bootstrap'),
      ).to.have.length(1)
    })

    it('flux-system that cannot be read: the flux step stops instead of bootstrapping blind', async () => {
      stagingKubeconfig()
      const {ports} = withEks()
      ports.flux.status = async () => {
        throw new Error('Forbidden (403) on GET /apis/source.toolkit.fluxcd.io/v1')
      }
      const mark = stubs.calls().length
      const run = await runBootstrap(options({only: ['flux']}), ports, io(true))
      expect(run.error?.code).to.equal('FLUX_STATUS_UNREADABLE')
      expect(run.error?.exitCode).to.equal(1)
      expect(
        stubs
          .calls()
          .slice(mark)
          .filter((c) => c.tool === 'flux'),
      ).to.deep.equal([])
    })

    it('kubeconfig: says before it runs that the current context changes, and after what it is', async () => {
      // Another cluster's context is current; aws eks update-kubeconfig will switch it.
      writeEksKubeconfig(process.env.KUBECONFIG!, [
        {cluster: {...staging, name: 'piksel-dev', arn: staging.arn.replace('staging', 'dev')}, context: 'piksel-dev'},
      ])
      const lines: string[] = []
      const run = await runBootstrap(
        options({only: ['kubeconfig'], verbose: true, renderer: 'verbose', output: capture(lines)}),
        withEks().ports,
        io(true),
      )
      expect(run.error, run.error?.message).to.equal(undefined)
      expect(messages).to.deep.equal([
        `Write context piksel-staging for ${staging.arn} to ${process.env.KUBECONFIG}? It also becomes the current context (now "piksel-dev").`,
      ])
      const said = lines.join('')
      expect(
        said.indexOf('piksel: aws eks update-kubeconfig makes piksel-staging the current context (now "piksel-dev")'),
      ).to.be.greaterThan(-1)
      expect(said.indexOf('piksel: aws eks update-kubeconfig makes')).to.be.lessThan(said.indexOf('Added new context'))
      expect(run.result.steps.find((s) => s.id === 'kubeconfig')?.detail).to.equal(
        `context piksel-staging added for ${staging.arn}; the current context is now "piksel-staging" (was "piksel-dev")`,
      )
      const again = await runBootstrap(options({only: ['kubeconfig']}), withEks().ports, io(true))
      expect(again.result.steps.find((s) => s.id === 'kubeconfig')).to.deep.include({status: 'already-done'})
    })

    it('kubeconfig in a real run before the cluster exists: exit 1 naming the cluster, nothing written', async () => {
      const run = await runBootstrap(
        options({only: ['kubeconfig'], env: environment({cluster: 'piksel-nowhere'})}),
        withEks().ports,
        io(true),
      )
      expect(run.error?.code).to.equal('EKS_CLUSTER_NOT_FOUND')
      expect(run.error?.message).to.equal(
        'EKS cluster piksel-nowhere does not exist in ap-southeast-3 for these credentials.',
      )
      expect(existsSync(process.env.KUBECONFIG!)).to.equal(false)
    })
  })

  describe('§4 everything checkable before the first write is checked before it', () => {
    it('no GITHUB_TOKEN and no terminal: exit 2 in preflight, before Terraform applies', async () => {
      const {ports} = withEks()
      const run = await runBootstrap(options({githubToken: undefined}), ports, io(true))
      expect(run.failedAt).to.equal('preflight')
      expect(run.error?.exitCode).to.equal(2)
      expect(run.error?.code).to.equal('INPUT_REQUIRED')
      expect(run.error?.message).to.include('GitHub token')
      expect(run.error?.hint).to.include('GITHUB_TOKEN')
      noWrites()
    })

    // The resume hint after an interrupted apply is `--from infrastructure`: preflight does not run,
    // yet nothing may be applied before what preflight would have refused.
    const withoutPreflight: Array<[string, {from?: string; only?: StepId[]}, StepId, boolean]> = [
      ['--from infrastructure', {from: 'infrastructure'}, 'infrastructure', false],
      ['--only infrastructure,flux (the context exists)', {only: ['infrastructure', 'flux']}, 'infrastructure', true],
      ['--only kubeconfig,flux', {only: ['kubeconfig', 'flux']}, 'kubeconfig', false],
    ]
    for (const [what, selection, first, context] of withoutPreflight) {
      it(`without preflight (${what}): no GITHUB_TOKEN and no terminal is exit 2 before the first write`, async () => {
        if (context) stagingKubeconfig()
        const {ports} = withEks()
        const mark = stubs.calls().length
        const run = await runBootstrap(options({...selection, githubToken: undefined}), ports, io(true))
        expect(run.failedAt).to.equal(first)
        expect(run.error?.exitCode).to.equal(2)
        expect(run.error?.code).to.equal('INPUT_REQUIRED')
        expect(run.error?.hint).to.include('GITHUB_TOKEN')
        noWrites()
        expect(
          stubs
            .calls()
            .slice(mark)
            .filter((c) => c.argv[0] === 'bootstrap' || c.argv.includes('update-kubeconfig')),
        ).to.deep.equal([])
        expect(existsSync(process.env.KUBECONFIG!)).to.equal(context)
      })
    }

    it('without preflight (--from infrastructure): a context of another account is refused before Terraform applies', async () => {
      writeEksKubeconfig(process.env.KUBECONFIG!, [{cluster: PRODUCTION, context: 'piksel-staging'}])
      const run = await runBootstrap(options({from: 'infrastructure'}), withEks().ports, io(true))
      expect(run.failedAt).to.equal('infrastructure')
      expect(run.error?.code).to.equal('CLUSTER_MISMATCH')
      expect(run.error?.exitCode).to.equal(2)
      noWrites()
    })

    it('without preflight (--from infrastructure): flux-system syncing another repository is refused before Terraform applies', async () => {
      stagingKubeconfig()
      const other = {...ready!, url: 'ssh://git@github.com/piksel-ina/old-gitops'}
      const run = await runBootstrap(options({from: 'infrastructure'}), withEks({flux: other}).ports, io(true))
      expect(run.failedAt).to.equal('infrastructure')
      expect(run.error?.code).to.equal('FLUX_SYNCS_ELSEWHERE')
      noWrites()
    })

    it('the token from a terminal prompt is asked once, in preflight, and reaches flux', async () => {
      const asked: string[] = []
      const terminal = {...io(true), interactive: true, secret: async (message: string) => (asked.push(message), TOKEN)}
      const run = await runBootstrap(
        options({githubToken: undefined, only: ['preflight', 'kubeconfig', 'flux']}),
        withEks().ports,
        terminal,
      )
      expect(run.error, run.error?.message).to.equal(undefined)
      expect(asked).to.deep.equal(['GitHub token (repo scope) for the Flux bootstrap'])
      const flux = stubs
        .calls()
        .filter((c) => c.argv[0] === 'bootstrap')
        .at(-1)
      expect(flux?.env.GITHUB_TOKEN).to.equal(TOKEN)
    })

    const github: Array<[string, FakePortState['github'], RegExp]> = [
      [
        'a protected branch',
        {
          reachable: true,
          problems: ['branch main of piksel-ina/piksel-gitops is protected'],
          fixes: ['Let it push.'],
          notes: [],
        },
        /GitHub: branch main of piksel-ina\/piksel-gitops is protected/,
      ],
      [
        'a token that cannot push',
        {reachable: true, problems: ["the token's user cannot push"], fixes: ['Give access.'], notes: []},
        /cannot push/,
      ],
    ]
    for (const [what, answer, message] of github) {
      it(`GitHub: ${what} is a preflight failure (exit 3) with the fix, before Terraform`, async () => {
        const {ports} = withEks({github: answer})
        const run = await runBootstrap(options(), ports, io(true))
        expect(run.failedAt).to.equal('preflight')
        expect(run.error?.exitCode).to.equal(3)
        expect(run.error?.code).to.equal('PREFLIGHT_FAILED')
        expect(run.error?.message).to.match(message)
        expect(run.error?.hint).to.include(answer.reachable ? answer.fixes[0]! : '')
        noWrites()
      })
    }

    it('without preflight (--only flux), the flux step checks GitHub before bootstrapping', async () => {
      stagingKubeconfig()
      const protectedBranch = {
        reachable: true as const,
        problems: ['branch main of piksel-ina/piksel-gitops is protected'],
        fixes: ['Let it push.'],
        notes: [],
      }
      const {ports, state} = withEks({github: protectedBranch})
      const mark = stubs.calls().length
      const run = await runBootstrap(options({only: ['flux']}), ports, io(true))
      expect(run.error?.code).to.equal('PREFLIGHT_FAILED')
      expect(run.error?.exitCode).to.equal(3)
      expect(state.githubChecks).to.have.length(1)
      expect(
        stubs
          .calls()
          .slice(mark)
          .filter((c) => c.argv[0] === 'bootstrap'),
      ).to.deep.equal([])
    })

    it('GitHub unreachable: said, not a failure', async () => {
      const {ports} = withEks({github: {reachable: false, reason: 'ENOTFOUND'}})
      const run = await runBootstrap(options({only: ['preflight', 'flux'], dryRun: true}), ports, io(false))
      expect(run.error?.code).to.equal('NO_CONTEXT')
      stagingKubeconfig()
      const ok = await runBootstrap(options({only: ['preflight', 'flux'], dryRun: true}), ports, io(false))
      expect(ok.error, ok.error?.message).to.equal(undefined)
      expect(ok.result.steps[0]?.detail).to.include(
        'GitHub API not reachable (ENOTFOUND): access to piksel-ina/piksel-gitops not checked',
      )
    })

    it('no token needed when flux-system already syncs the repository (a re-run in CI)', async () => {
      stagingKubeconfig()
      const {ports, state} = withEks({flux: ready})
      const run = await runBootstrap(options({githubToken: undefined, only: ['preflight', 'flux']}), ports, io(false))
      expect(run.error, run.error?.message).to.equal(undefined)
      expect(statuses(run).flux).to.equal('already-done')
      expect(state.githubChecks).to.deep.equal([])
    })

    const roots: Array<[string, () => void, string]> = [
      ['an environment root without .tf files', () => rmSync(join(work, 'staging', 'main.tf')), 'NO_TERRAFORM_FILES'],
      [
        'an environment root with only a README',
        () => {
          rmSync(join(work, 'staging', 'main.tf'))
          writeFileSync(join(work, 'staging', 'README.md'), '# staging\n')
          writeFileSync(join(work, 'staging', '.hidden.tf'), '')
        },
        'NO_TERRAFORM_FILES',
      ],
      ['no environment root at all', () => rmSync(join(work, 'staging'), {recursive: true}), 'NO_TERRAFORM_ROOT'],
      // Terraform reads regular files only: a directory named *.tf or a dangling link is no configuration.
      [
        'an environment root whose only *.tf is a directory',
        () => {
          rmSync(join(work, 'staging', 'main.tf'))
          mkdirSync(join(work, 'staging', 'modules.tf'))
        },
        'NO_TERRAFORM_FILES',
      ],
      [
        'an environment root whose main.tf is a dangling link',
        () => {
          rmSync(join(work, 'staging', 'main.tf'))
          symlinkSync(join(work, 'nowhere', 'main.tf'), join(work, 'staging', 'main.tf'))
        },
        'NO_TERRAFORM_FILES',
      ],
    ]
    for (const [what, setup, code] of roots) {
      for (const only of [undefined, ['infrastructure']]) {
        it(`${what}${only ? ' (--only infrastructure)' : ''}: exit 2 before .terraform/ is written`, async () => {
          setup()
          const run = await runBootstrap(options({only}), withEks().ports, io(true))
          expect(run.error?.code).to.equal(code)
          expect(run.error?.exitCode).to.equal(2)
          expect(run.failedAt).to.equal(only ? 'infrastructure' : 'preflight')
          expect(existsSync(join(work, 'staging', '.terraform'))).to.equal(false)
          expect(readdirSync(work).sort()).to.deep.equal(
            existsSync(join(work, 'staging')) ? ['bootstrap', 'staging'] : ['bootstrap'],
          )
        })
      }
    }

    it('a state-bucket root without .tf files: exit 2 before .terraform/ is written', async () => {
      await deleteBucket(moto)
      const root = join(work, 'bootstrap', 'staging')
      for (const name of readdirSync(root)) rmSync(join(root, name))
      const run = await runBootstrap(options({only: ['state-backend']}), withEks().ports, io(true))
      expect(run.error?.code).to.equal('NO_TERRAFORM_FILES')
      expect(run.error?.hint).to.include("the state bucket's root is <infra-dir>/bootstrap/staging")
      expect(readdirSync(root)).to.deep.equal([])
    })

    it('every command a hint names repeats the run’s flags that command takes', async () => {
      const flags = {config: 'ops/p.yaml', profile: 'staging-admin', 'infra-dir': work, kubeconfig: '/k'}
      const secrets = await runBootstrap(
        options({only: ['secrets'], rerunFlags: flags}),
        withEks({missingSecrets: ['slack-alerts-staging']}).ports,
        io(false),
      )
      expect(secrets.error?.hint).to.include(
        '`piksel secret create slack -e staging --config ops/p.yaml --profile staging-admin`',
      )
      expect(secrets.error?.hint).to.match(
        new RegExp(
          `Then resume: piksel bootstrap -e staging --from secrets --skip \\S+ --config ops/p.yaml --profile staging-admin --infra-dir ${work} --kubeconfig /k$`,
        ),
      )
      stagingKubeconfig()
      const health = await runBootstrap(
        options({only: ['health'], rerunFlags: flags, timeoutMs: 1000}),
        withEks({healthy: false}).ports,
        io(true),
      )
      expect(health.error?.hint).to.include('`piksel status -e staging --config ops/p.yaml --kubeconfig /k`')
    })

    it('a dry run’s resume hint stays a dry run; the NO_CONTEXT hint that writes the context does not', async () => {
      const run = await runBootstrap(
        options({dryRun: true, skip: ['kubeconfig'], rerunFlags: {'infra-dir': work}}),
        withEks().ports,
        io(false),
      )
      expect(run.error?.code).to.equal('NO_CONTEXT')
      expect(run.error?.hint).to.include(`piksel bootstrap -e staging --only kubeconfig --infra-dir ${work}`)
      expect(run.error?.hint).to.include(
        `Then resume: piksel bootstrap -e staging --from preflight --skip kubeconfig --infra-dir ${work} --dry-run`,
      )
      expect(run.result.nextSteps).to.deep.equal([
        `Fix the problem above, then resume: piksel bootstrap -e staging --from preflight --skip kubeconfig --infra-dir ${work} --dry-run`,
      ])
    })

    it('every resume hint repeats the flags the run was given', async () => {
      const flags = {'infra-dir': work, kubeconfig: '/tmp/k config', config: 'p.yaml'}
      const run = await runBootstrap(options({githubToken: undefined, rerunFlags: flags}), withEks().ports, io(true))
      expect(run.error?.hint).to.include(
        `Then resume: piksel bootstrap -e staging --from preflight --config p.yaml --infra-dir ${work} --kubeconfig '/tmp/k config'`,
      )
      expect(run.result.nextSteps).to.deep.equal([
        `Fix the problem above, then resume: piksel bootstrap -e staging --from preflight --config p.yaml --infra-dir ${work} --kubeconfig '/tmp/k config'`,
      ])
    })
  })
})
