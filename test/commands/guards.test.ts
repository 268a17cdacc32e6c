/**
 * Every guard on every command aimed at an environment (issue 12 §3), through the
 * built binary: the account guard (reads included, one identity call per command),
 * `--region` checked by the config's rule before any call, and the region
 * precedence (with -e, the environment's region beats AWS_REGION in the shell, and
 * says so once).
 *
 * AWS is a recording endpoint that answers sts:GetCallerIdentity as account
 * 123456789012 and refuses everything else, so every call a command makes is
 * counted; Service Quotas is the stand-in, Kubernetes the kube stand-in, and the
 * tools stubs: "nothing read" means none of them saw a request.
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {expect} from 'chai'

import {type RunResult, isolatedEnv, runPiksel} from '../support/cli.ts'
import {KubeStandin, readFixture} from '../support/kube-standin.ts'
import {MOTO_ACCOUNT} from '../support/moto.ts'
import {RecordingEndpoint} from '../support/recorder.ts'
import {SLACK_URL} from '../support/secrets.ts'
import {type ServiceQuotasStandin, startServiceQuotasStandin} from '../support/service-quotas-standin.ts'
import {StubBin} from '../support/stubs.ts'

interface ErrorDoc {
  error: {code: string; message: string; hint: string | null}
}

const OTHER_ACCOUNT = '999999999999'

describe('guards on every command aimed at an environment', function () {
  this.timeout(120_000)
  let aws: RecordingEndpoint
  let quotas: ServiceQuotasStandin
  let kube: KubeStandin
  let kubeconfig: string
  let cwd: string
  let infra: string
  // Every tool bootstrap and doctor could start: any call is recorded.
  const stubs = new StubBin()
    .add('flux', {stdout: 'flux: v2.6.0\n'})
    .add('aws', {stdout: 'aws-cli/2.15.0 Python/3.11.6\n'})
    .add('terraform', {stdout: '{"terraform_version":"1.11.4"}'})
    .add('kubectl', {stdout: '{"clientVersion":{"gitVersion":"v1.32.4"}}'})
    .add('git', {stdout: 'git version 2.39.5\n'})

  before(async () => {
    aws = await RecordingEndpoint.start(MOTO_ACCOUNT)
    quotas = await startServiceQuotasStandin({})
    kube = await KubeStandin.start({objects: readFixture('healthy.yaml')})
    cwd = mkdtempSync(join(tmpdir(), 'piksel-guards-'))
    kubeconfig = kube.writeKubeconfig(cwd, {extraContexts: ['piksel-dev', 'piksel-lab']})
    infra = mkdtempSync(join(tmpdir(), 'piksel-guards-infra-'))
    // staging belongs to another account than the caller's; dev to the caller's; lab has none.
    writeFileSync(
      join(cwd, 'piksel.config.yaml'),
      [
        'environments:',
        `  staging: {account: "${OTHER_ACCOUNT}"}`,
        `  dev: {account: "${MOTO_ACCOUNT}"}`,
        '  lab: {region: ap-southeast-1}',
        '',
      ].join('\n'),
    )
  })
  after(async () => {
    await aws?.stop()
    await quotas?.stop()
    await kube?.stop()
  })
  beforeEach(() => {
    aws.reset()
    quotas.received.length = 0
    kube.requests.length = 0
  })

  const env = (extra: Record<string, string | undefined> = {}) =>
    isolatedEnv({
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_ENDPOINT_URL: aws.endpoint,
      AWS_ENDPOINT_URL_SERVICE_QUOTAS: quotas.endpoint,
      AWS_MAX_ATTEMPTS: '1',
      KUBECONFIG: kubeconfig,
      ...extra,
    })
  const run = (args: string[], options: {input?: string; extra?: Record<string, string | undefined>} = {}) =>
    runPiksel(args, {env: env(options.extra), cwd, input: options.input, path: [stubs.dir]})

  /** Nothing was asked of AWS (but the identity), Service Quotas, Kubernetes or a tool. */
  function expectNothingRead(r: RunResult, mark: number): void {
    expect(aws.reads(), r.stdout + r.stderr).to.deep.equal([])
    expect(quotas.received, 'Service Quotas').to.deep.equal([])
    expect(kube.requests, 'Kubernetes').to.deep.equal([])
    expect(stubs.calls().slice(mark), 'tools').to.deep.equal([])
  }

  // Every command that takes -e and touches the environment, aimed at staging (another account).
  const commands: Array<[string, string[], string | undefined]> = [
    ['quota gpu (a read)', ['quota', 'gpu', '-e', 'staging'], undefined],
    ['quota gpu --request', ['quota', 'gpu', '-e', 'staging', '--request', '--yes'], undefined],
    ['quota gpu --request --dry-run', ['quota', 'gpu', '-e', 'staging', '--request', '--dry-run'], undefined],
    ['secret list', ['secret', 'list', '-e', 'staging'], undefined],
    ['secret create slack', ['secret', 'create', 'slack', '-e', 'staging', '--from-stdin', '--yes'], SLACK_URL],
    [
      'secret create slack --dry-run',
      ['secret', 'create', 'slack', '-e', 'staging', '--from-stdin', '--dry-run'],
      SLACK_URL,
    ],
    [
      'secret create oauth',
      ['secret', 'create', 'oauth', '--app', 'grafana', '-e', 'staging', '--from-stdin', '--yes'],
      'client-id:client-secret',
    ],
    ['status', ['status', '-e', 'staging'], undefined],
    ['status --reconcile', ['status', '-e', 'staging', '--reconcile', '--yes'], undefined],
    ['whoami', ['whoami', '-e', 'staging'], undefined],
    ['bootstrap', ['bootstrap', '-e', 'staging', '--infra-dir', '$INFRA', '--yes'], undefined],
    ['bootstrap --dry-run', ['bootstrap', '-e', 'staging', '--infra-dir', '$INFRA', '--dry-run'], undefined],
    ['bootstrap --only health (reads only)', ['bootstrap', '-e', 'staging', '--only', 'health'], undefined],
  ]

  describe('the account guard: another account than the environment’s is refused before anything is read', () => {
    for (const [what, args, input] of commands) {
      it(`${what}: exit 2 ACCOUNT_MISMATCH, one identity call, nothing read or written`, async () => {
        const mark = stubs.calls().length
        const r = await run([...args.map((a) => (a === '$INFRA' ? infra : a)), '--json'], {input})
        expect(r.exitCode, r.stdout + r.stderr).to.equal(2)
        const {error} = r.json<ErrorDoc>()
        expect(error.code).to.equal('ACCOUNT_MISMATCH')
        expect(error.message).to.equal(
          `Wrong AWS account: environment staging is account ${OTHER_ACCOUNT}, but the caller is account ${MOTO_ACCOUNT}. Nothing was changed.`,
        )
        expect(aws.identityCalls()).to.equal(1)
        expectNothingRead(r, mark)
      })
    }

    it('PIKSEL_ENV selects the environment like -e: the guard applies', async () => {
      const r = await run(['quota', 'gpu', '--json'], {extra: {PIKSEL_ENV: 'staging'}})
      expect(r.exitCode).to.equal(2)
      expect(r.json<ErrorDoc>().error.code).to.equal('ACCOUNT_MISMATCH')
      expectNothingRead(r, stubs.calls().length)
    })

    it('a defaultEnv from the config applies the guard to a read without -e', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'piksel-guards-default-'))
      writeFileSync(
        join(dir, 'piksel.config.yaml'),
        `defaultEnv: staging\nenvironments:\n  staging: {account: "${OTHER_ACCOUNT}"}\n`,
      )
      const r = await runPiksel(['quota', 'gpu', '--json'], {env: env(), cwd: dir})
      expect(r.exitCode).to.equal(2)
      expect(r.json<ErrorDoc>().error.code).to.equal('ACCOUNT_MISMATCH')
      expect(quotas.received).to.deep.equal([])
    })

    it('doctor -e reports the mismatch as a failed check (exit 3) instead of refusing to run', async () => {
      const r = await run(['doctor', '-e', 'staging', '--json'])
      expect(r.exitCode).to.equal(3)
      const account = r
        .json<{checks: Array<{name: string; status: string; detail: string}>}>()
        .checks.find((c) => c.name === 'aws-account')
      expect(account).to.deep.equal({
        name: 'aws-account',
        status: 'fail',
        detail: `caller is account ${MOTO_ACCOUNT}, but staging is account ${OTHER_ACCOUNT}`,
        code: 'ACCOUNT_MISMATCH',
      })
      expect(aws.identityCalls()).to.equal(1)
    })
  })

  describe('the right account: the guard lets the command read, and asks who the caller is once', () => {
    it('quota gpu -e dev reads the quotas; one identity call', async () => {
      const r = await run(['quota', 'gpu', '-e', 'dev', '--json'])
      expect(r.exitCode, r.stderr).to.equal(3)
      expect(quotas.received.length).to.be.greaterThan(0)
      expect(aws.identityCalls()).to.equal(1)
    })

    it('secret list -e dev lists (the endpoint refuses: exit 1); one identity call', async () => {
      const r = await run(['secret', 'list', '-e', 'dev', '--json'])
      expect(r.exitCode).to.equal(1)
      expect(aws.reads().map((c) => c.operation)).to.deep.equal(['secretsmanager.ListSecrets'])
      expect(aws.identityCalls()).to.equal(1)
    })

    it('secret create -e dev describes the secret (refused: exit 1); one identity call', async () => {
      const r = await run(['secret', 'create', 'slack', '-e', 'dev', '--from-stdin', '--yes', '--json'], {
        input: SLACK_URL,
      })
      expect(r.exitCode).to.equal(1)
      expect(aws.reads().map((c) => c.operation)).to.deep.equal(['secretsmanager.DescribeSecret'])
      expect(aws.identityCalls()).to.equal(1)
    })

    it('status -e dev reads the cluster; one identity call', async () => {
      const r = await run(['status', '-e', 'dev', '--json'])
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(kube.requests.length).to.be.greaterThan(0)
      expect(aws.identityCalls()).to.equal(1)
    })

    it('status -e lab (no account configured: the guard is off) asks AWS nothing', async () => {
      const r = await run(['status', '-e', 'lab', '--json'])
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(aws.calls).to.deep.equal([])
    })

    it('whoami -e dev: one identity call', async () => {
      const r = await run(['whoami', '-e', 'dev', '--json'])
      expect(r.exitCode).to.equal(0)
      expect(aws.identityCalls()).to.equal(1)
    })
  })

  describe('no account configured (lab): the guard is off, and the caller is still asked once', () => {
    // Bootstrap asked four times (preflight, the identity step, the secrets and quota services); now the command asks.
    const cases: Array<[string, string[], string | undefined]> = [
      [
        'bootstrap (preflight, identity, secrets)',
        ['bootstrap', '-e', 'lab', '--infra-dir', '$INFRA', '--only', 'preflight,identity,secrets', '--dry-run'],
        undefined,
      ],
      ['quota gpu', ['quota', 'gpu', '-e', 'lab'], undefined],
      ['secret list', ['secret', 'list', '-e', 'lab'], undefined],
      ['secret create slack', ['secret', 'create', 'slack', '-e', 'lab', '--from-stdin', '--yes'], SLACK_URL],
      ['doctor', ['doctor', '-e', 'lab'], undefined],
    ]
    for (const [what, args, input] of cases) {
      it(`${what}: one identity call`, async () => {
        const r = await run([...args.map((a) => (a === '$INFRA' ? infra : a)), '--json'], {input})
        expect(aws.identityCalls(), r.stdout + r.stderr).to.equal(1)
      })
    }
  })

  describe('--region is checked like the config’s region, on every command, before any call', () => {
    const bad: Array<[string, string[], string | undefined]> = [
      [
        'secret create slack (was exit 1 SyntaxError)',
        ['secret', 'create', 'slack', '-e', 'dev', '--from-stdin', '--yes'],
        SLACK_URL,
      ],
      ['quota gpu (was accepted)', ['quota', 'gpu', '-e', 'dev'], undefined],
      ['quota gpu --request', ['quota', 'gpu', '--request', '--yes'], undefined],
      ['secret list', ['secret', 'list'], undefined],
      ['whoami', ['whoami', '-e', 'dev'], undefined],
      ['status', ['status', '-e', 'dev'], undefined],
      ['doctor', ['doctor', '-e', 'dev'], undefined],
      ['bootstrap', ['bootstrap', '-e', 'dev', '--infra-dir', '$INFRA', '--dry-run'], undefined],
      ['config show', ['config', 'show', '-e', 'dev'], undefined],
    ]
    for (const [what, args, input] of bad) {
      for (const region of ['EU-WEST-1', 'eu-west']) {
        it(`${what} --region ${region}: exit 2 INVALID_REGION, no call at all`, async () => {
          const mark = stubs.calls().length
          const argv = [...args.map((a) => (a === '$INFRA' ? infra : a)), '--region', region, '--json']
          const r = await run(argv, {input})
          expect(r.exitCode, r.stdout + r.stderr).to.equal(2)
          const {error} = r.json<ErrorDoc>()
          expect(error.code).to.equal('INVALID_REGION')
          expect(error.message).to.match(new RegExp(`^--region "${region}": must look like an AWS region`))
          expect(error.hint).to.equal('Pass a region as AWS writes it, e.g. --region ap-southeast-3.')
          expect(aws.calls).to.deep.equal([])
          expectNothingRead(r, mark)
        })
      }
    }

    it('a malformed AWS_REGION is refused (exit 2, naming AWS_REGION) when it would be used: without -e', async () => {
      const r = await run(['whoami', '--json'], {extra: {AWS_REGION: 'EU-WEST-1'}})
      expect(r.exitCode).to.equal(2)
      expect(r.json<ErrorDoc>().error.message).to.match(/^AWS_REGION "EU-WEST-1": must look like an AWS region/)
      expect(aws.calls).to.deep.equal([])
    })

    it('a malformed AWS_REGION does not matter with -e: the environment’s region is used, and the shell noted', async () => {
      const r = await run(['whoami', '-e', 'dev', '--json'], {extra: {AWS_REGION: 'EU-WEST-1'}})
      expect(r.exitCode, r.stdout).to.equal(0)
      expect(r.json<{region: string}>().region).to.equal('ap-southeast-3')
      expect(r.stderr).to.include('AWS_REGION=EU-WEST-1 in the shell is ignored')
    })
  })

  describe('region precedence: with -e, the environment’s region beats the shell’s', () => {
    const NOTE =
      'Warning: Using region ap-southeast-3 (environment dev); AWS_REGION=eu-west-1 in the shell is ignored. Pass --region to use another.'

    it('quota gpu -e dev with AWS_REGION=eu-west-1: every call goes to ap-southeast-3; one stderr line; JSON warnings', async () => {
      const r = await run(['quota', 'gpu', '-e', 'dev', '--json'], {extra: {AWS_REGION: 'eu-west-1'}})
      expect(r.exitCode, r.stderr).to.equal(3)
      const report = r.json<{region: string; warnings: string[]}>()
      expect(report.region).to.equal('ap-southeast-3')
      expect(new Set(quotas.received.map((c) => c.region))).to.deep.equal(new Set(['ap-southeast-3']))
      expect(new Set(aws.calls.map((c) => c.region))).to.deep.equal(new Set(['ap-southeast-3']))
      expect(r.stderr.split('\n').filter((line) => line.includes('in the shell is ignored'))).to.deep.equal([NOTE])
      expect(report.warnings[0]).to.equal(NOTE.replace(/^Warning: /, ''))
    })

    it('quota gpu -e dev --request with AWS_DEFAULT_REGION=eu-west-1: filed in ap-southeast-3', async () => {
      const r = await run(['quota', 'gpu', '-e', 'dev', '--request', '--yes', '--json'], {
        extra: {AWS_DEFAULT_REGION: 'eu-west-1'},
      })
      expect(r.exitCode, r.stderr).to.equal(0)
      const filed = quotas.received.filter((c) => c.operation === 'RequestServiceQuotaIncrease')
      expect(filed.length).to.be.greaterThan(0)
      expect(new Set(filed.map((c) => c.region))).to.deep.equal(new Set(['ap-southeast-3']))
      expect(r.stderr).to.include('AWS_DEFAULT_REGION=eu-west-1 in the shell is ignored')
      // Leave no open request behind for the next tests.
      quotas.history.clear()
    })

    it('--region on the command line beats the environment, without a note', async () => {
      const r = await run(['quota', 'gpu', '-e', 'dev', '--region', 'eu-west-1', '--json'], {
        extra: {AWS_REGION: 'us-east-1'},
      })
      expect(r.json<{region: string}>().region).to.equal('eu-west-1')
      expect(new Set(quotas.received.map((c) => c.region))).to.deep.equal(new Set(['eu-west-1']))
      expect(r.stderr).not.to.include('ignored')
      expect(r.json<{warnings: string[]}>().warnings.join('\n')).not.to.include('ignored')
    })

    it('an environment’s own configured region (lab: ap-southeast-1) beats AWS_REGION', async () => {
      const r = await run(['whoami', '-e', 'lab', '--json'], {extra: {AWS_REGION: 'ap-southeast-3'}})
      expect(r.json<{region: string}>().region).to.equal('ap-southeast-1')
      expect(r.stderr).to.include(
        'Using region ap-southeast-1 (environment lab); AWS_REGION=ap-southeast-3 in the shell is ignored.',
      )
      expect(r.json<{warnings: string[]}>().warnings).to.have.length(1)
    })

    it('secret list -e dev: the same precedence, with the warning in the JSON', async () => {
      const r = await run(['secret', 'list', '-e', 'dev', '--json'], {extra: {AWS_REGION: 'eu-west-1'}})
      // The recording endpoint refuses ListSecrets; what matters is where it was sent.
      expect(aws.reads().map((c) => c.region)).to.deep.equal(['ap-southeast-3'])
      expect(r.stderr).to.include(NOTE)
    })

    it('a shell variable that agrees is not noted', async () => {
      const r = await run(['whoami', '-e', 'dev', '--json'], {extra: {AWS_REGION: 'ap-southeast-3'}})
      expect(r.stderr).not.to.include('ignored')
      expect(r.json<Record<string, unknown>>()).not.to.have.property('warnings')
    })

    it('without -e and without a config region, the usual AWS order: AWS_REGION, then AWS_DEFAULT_REGION', async () => {
      const bare = mkdtempSync(join(tmpdir(), 'piksel-guards-bare-'))
      const both = await runPiksel(['whoami', '--json'], {
        env: env({AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-east-1'}),
        cwd: bare,
      })
      expect(both.json<{region: string}>().region).to.equal('eu-west-1')
      expect(both.stderr).not.to.include('ignored')
      const fallback = await runPiksel(['whoami', '--json'], {env: env({AWS_DEFAULT_REGION: 'us-east-1'}), cwd: bare})
      expect(fallback.json<{region: string}>().region).to.equal('us-east-1')
      const none = await runPiksel(['whoami', '--json'], {env: env(), cwd: bare})
      expect(none.json<{region: string}>().region).to.equal('ap-southeast-3')
    })

    it('without -e, a region set in the config file beats AWS_REGION, noted', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'piksel-guards-region-'))
      writeFileSync(join(dir, 'piksel.config.yaml'), 'region: ap-southeast-1\n')
      const r = await runPiksel(['whoami', '--json'], {env: env({AWS_REGION: 'eu-west-1'}), cwd: dir})
      expect(r.json<{region: string}>().region).to.equal('ap-southeast-1')
      expect(r.stderr).to.include(
        'Using region ap-southeast-1 (the config file); AWS_REGION=eu-west-1 in the shell is ignored.',
      )
    })

    it('bootstrap -e dev: its quota step reads in the environment’s region', async () => {
      const r = await run(['bootstrap', '-e', 'dev', '--only', 'quota', '--dry-run', '--json'], {
        extra: {AWS_REGION: 'eu-west-1'},
      })
      expect(quotas.received.length, r.stdout + r.stderr).to.be.greaterThan(0)
      expect(new Set(quotas.received.map((c) => c.region))).to.deep.equal(new Set(['ap-southeast-3']))
      expect(r.stderr).to.include('AWS_REGION=eu-west-1 in the shell is ignored')
    })
  })
})
