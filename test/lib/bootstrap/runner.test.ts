import {expect} from 'chai'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {type BootstrapOptions, runBootstrap} from '../../../src/lib/bootstrap/runner.ts'
import {STEP_IDS, type StepId, selectSteps} from '../../../src/lib/bootstrap/steps.ts'
import {resolveSettings} from '../../../src/lib/config/environment.ts'
import type {Environment} from '../../../src/lib/config/environment.ts'
import {Prompter} from '../../../src/lib/prompt.ts'
import {type FakePortState, STAGING_FLUX_BOOTSTRAP_ARGV, bootstrapStubs, fakePorts} from '../../support/bootstrap.ts'
import {StubBin} from '../../support/stubs.ts'
import {type Moto, MOTO_ACCOUNT, startMoto} from '../../support/moto.ts'
import {copyFixture, stateAddresses} from '../../support/terraform.ts'
import {STATE_BUCKET, bucketConfiguration, createStateBucket, deleteBucket} from '../../support/s3.ts'
import {requireTool} from '../../support/tools.ts'

const TOKEN = 'ghp_stubTokenValue0123456789'

/**
 * The runner with fake ports, the real terraform on fixture roots, stub flux
 * and aws on PATH, and moto answering sts:GetCallerIdentity and S3 (the state
 * bucket, with the runbook's posture unless a test says otherwise).
 */
describe('bootstrap runner', function () {
  this.timeout(120_000)
  let moto: Moto
  const saved = {...process.env}
  const stubs = bootstrapStubs()
  let work: string
  let messages: string[]

  before(async function () {
    requireTool(this, 'terraform')
    moto = await startMoto(this)
    Object.assign(process.env, moto.env, {PATH: `${stubs.dir}:${process.env.PATH}`})
    delete process.env.AWS_PROFILE
    delete process.env.GITHUB_TOKEN
  })
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
    messages = []
  })

  function environment(over: Partial<Environment> = {}): Environment {
    return {...resolveSettings().environments.staging!, ...over}
  }

  function options(over: Partial<BootstrapOptions> & {only?: string[]; from?: string; skip?: string[]} = {}) {
    const {only, from, skip, ...rest} = over
    return {
      env: environment(),
      session: {region: 'ap-southeast-3', profileSource: 'environment' as const},
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

  it('runs every step, then a re-run finds everything already done and changes nothing', async () => {
    const {ports, state} = fakePorts()
    const before = stubs.calls().length
    const first = await runBootstrap(options(), ports, io(true))
    expect(first.error, first.error?.message).to.equal(undefined)
    expect(statuses(first)).to.deep.equal({
      preflight: 'done',
      identity: 'done',
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
      'Write context piksel-staging (EKS cluster piksel-staging, ap-southeast-3) to the default kubeconfig (KUBECONFIG, else ~/.kube/config)?',
    )
    expect(messages.some((m) => m.startsWith('Bootstrap Flux on piksel-staging'))).to.equal(true)

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
    const again = stubs.calls().slice(mark)
    expect(again.filter((c) => c.tool === 'flux' && c.argv[0] !== 'version')).to.deep.equal([])
    expect(again.filter((c) => c.tool === 'aws' && c.argv[0] === 'eks')).to.deep.equal([])
  })

  it('without a terminal or --yes, stops before the first write, naming --yes', async () => {
    const {ports} = fakePorts()
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
    const {ports} = fakePorts()
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
    const {ports, state} = fakePorts({missingSecrets: ['slack-alerts-staging']})
    const mark = stubs.calls().length
    const run = await runBootstrap(options({dryRun: true}), ports, io(false))
    expect(run.error, run.error?.message).to.equal(undefined)
    expect(statuses(run)).to.deep.equal({
      preflight: 'done',
      identity: 'done',
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
    expect(run.result.steps.find((s) => s.id === 'flux')?.detail).to.include('would run: flux bootstrap github')
    expect(run.result.nextSteps[0]).to.include('Nothing was applied')
  })

  it('--dry-run with the state bucket missing: an S3-backed root is not planned (no bucket to init against)', async () => {
    await deleteBucket(moto)
    // The stand-in root keeps its state in S3 (one backend per root, as Terraform requires).
    const main = join(work, 'staging', 'main.tf')
    writeFileSync(main, readFileSync(main, 'utf8').replace('backend "local" {}', 'backend "s3" {}'))
    const run = await runBootstrap(
      options({dryRun: true, only: ['state-backend', 'infrastructure']}),
      fakePorts().ports,
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
      const {ports} = fakePorts()
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
    const {ports} = fakePorts()
    const run = await runBootstrap(options({env: environment({account: '999999999999'})}), ports, io(true))
    expect(run.failedAt).to.equal('identity')
    expect(run.error?.code).to.equal('ACCOUNT_MISMATCH')
    expect(run.error?.exitCode).to.equal(2)
    expect(statuses(run)).to.include({identity: 'failed', infrastructure: 'skipped'})
    expect(stateAddresses(join(work, 'staging'))).to.deep.equal([])
  })

  it('missing secrets without a terminal: reports and stops (exit 3) before Terraform', async () => {
    const {ports} = fakePorts({missingSecrets: ['slack-alerts-staging', 'grafana-oauth-staging']})
    const run = await runBootstrap(options(), ports, io(true))
    expect(run.failedAt).to.equal('secrets')
    expect(run.error?.exitCode).to.equal(3)
    expect(run.error?.message).to.equal('Missing secrets for staging: slack-alerts-staging, grafana-oauth-staging.')
    expect(run.error?.hint).to.include('piksel secret create').and.to.include('--from secrets')
    expect(stateAddresses(join(work, 'staging'))).to.deep.equal([])
  })

  it('missing secrets on a terminal: offers to create each through the secret service', async () => {
    const {ports, state} = fakePorts({missingSecrets: ['slack-alerts-staging', 'grafana-oauth-staging']})
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

  it('quota below target warns and, with --yes, requests; it never stops the bootstrap', async () => {
    const low = {quota: {below: 2, pending: 0, summary: '2 GPU quotas below 8 vCPUs'}}
    const asked = fakePorts(low)
    const yes = await runBootstrap(options({only: ['quota']}), asked.ports, io(true))
    expect(statuses(yes).quota).to.equal('done')
    expect(asked.state.requested).to.equal(1)
    const warned = fakePorts(low)
    const no = await runBootstrap(options({only: ['quota']}), warned.ports, io(false))
    expect(no.error).to.equal(undefined)
    expect(no.result.changed).to.equal(false)
    expect(no.result.steps.find((s) => s.id === 'quota')?.detail).to.match(
      /^warning: 2 GPU quotas below 8 vCPUs; not requested/,
    )
    expect(warned.state.requested).to.equal(0)
  })

  it('health: waits through the status port; unhealthy after --timeout is exit 3', async () => {
    const {ports, state} = fakePorts({healthy: false})
    const run = await runBootstrap(options({only: ['health'], timeoutMs: 5_000}), ports, io(true))
    expect(state.healthCalls).to.deep.equal([{timeoutMs: 5_000}])
    expect(run.error?.exitCode).to.equal(3)
    expect(run.error?.message).to.equal('Not healthy after 5.0s: apps: DependencyNotReady')
  })

  it('flux: skipped when already bootstrapped and Ready, run again with --force-flux', async () => {
    const {ports} = fakePorts({flux: ready})
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
    const {ports} = fakePorts()
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
    const {ports} = fakePorts()
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
      const run = await runBootstrap(options({only: ['infrastructure'], session}), fakePorts().ports, io(true))
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
    const {ports} = fakePorts()
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
})
