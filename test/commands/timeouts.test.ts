/**
 * Issue 12 §1, no call can hang: every command that calls AWS or Kubernetes,
 * pointed at a loopback endpoint that accepts and never answers (or answers the
 * headers and freezes mid-body), exits within 30 s with exit 1 and code
 * TIMEOUT naming the endpoint. 30 s is a generous bound, not a speed
 * assertion: the runs use `--request-timeout 1s` (2s where moto answers the other calls) except the one that proves
 * the default (20 s) is inside it.
 */
import {expect} from 'chai'
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {type RunResult, isolatedEnv, runPiksel} from '../support/cli.ts'
import {type Endpoint, type FaultProxy, type HangMode, awsFaultProxy, hangingEndpoint} from '../support/hang.ts'
import {KubeStandin, readFixture} from '../support/kube-standin.ts'
import {type Moto, startMoto} from '../support/moto.ts'
import {SecretsProbe} from '../support/secrets.ts'
import {type ServiceQuotasStandin, startServiceQuotasStandin} from '../support/service-quotas-standin.ts'
import {StubBin} from '../support/stubs.ts'

const WEBHOOK = 'https://hooks.slack.com/services/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'
const CLIENT_SECRET = 'HangingClientSecret4242'
const BOUND_MS = 30_000
/** Against endpoints that only hang (nothing real to wait for): short runs. */
const FAST = ['--request-timeout', '1s']
/** Where moto or a stand-in must still answer the other calls in time, on a busy machine. */
const SAFE = ['--request-timeout', '2s']

interface ErrorDoc {
  error: {code: string; message: string; hint: string | null}
}

/** The run ended inside the bound, exit 1, TIMEOUT naming `url`, and no secret in sight. */
function expectTimeout(r: RunResult, started: number, url: string, json = true): ErrorDoc['error'] {
  const elapsed = Date.now() - started
  expect(elapsed, 'exits within 30 s').to.be.below(BOUND_MS)
  expect(r.exitCode, r.stdout + r.stderr).to.equal(1)
  for (const secret of [WEBHOOK, CLIENT_SECRET]) expect(r.stdout + r.stderr).not.to.include(secret)
  if (!json) {
    expect(r.stderr)
      .to.include(url)
      .and.to.match(/Hint: /)
    return {code: '', message: r.stderr, hint: null}
  }
  const {error} = r.json<ErrorDoc>()
  expect(error.code).to.equal('TIMEOUT')
  expect(error.message).to.include(url)
  expect(error.hint).to.be.a('string').and.to.have.length.above(10)
  expect(error.message.split('\n')).to.have.length(1)
  return error
}

function kubeconfigFor(url: string, user = '  user: {token: hang}'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'piksel-hang-kc-')), 'config')
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'current-context: piksel-staging',
      'clusters:',
      '- name: piksel-staging',
      `  cluster: {server: "${url}", insecure-skip-tls-verify: true}`,
      'contexts:',
      '- name: piksel-staging',
      '  context: {cluster: piksel-staging, user: u}',
      'users:',
      '- name: u',
      user,
      '',
    ].join('\n'),
  )
  return file
}

const fakeCredentials = {AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'ap-southeast-3'}

describe('no call can hang: a silent or frozen endpoint (binary)', function () {
  this.timeout(60_000)
  const endpoints: Endpoint[] = []
  afterEach(async () => {
    await Promise.all(endpoints.splice(0).map((e) => e.close()))
  })
  const hang = async (mode: HangMode, type?: string) => {
    const e = await hangingEndpoint(mode, type)
    endpoints.push(e)
    return e
  }
  const runAws = async (args: string[], url: string, input?: string) => {
    const started = Date.now()
    const r = await runPiksel(args, {env: isolatedEnv({...fakeCredentials, AWS_ENDPOINT_URL: url}), input})
    return {r, started}
  }

  describe('AWS commands', () => {
    const cases: Array<[string, string[], HangMode, string?]> = [
      ['whoami', ['whoami', '--json', ...FAST], 'silent'],
      ['whoami (frozen mid-body)', ['whoami', '-e', 'staging', '--json', ...FAST], 'mid-body'],
      [
        'secret create slack',
        ['secret', 'create', 'slack', '-e', 'staging', '--from-stdin', '--yes', '--json', '--verbose', ...FAST],
        'silent',
        WEBHOOK,
      ],
      [
        'secret create oauth (frozen mid-body)',
        [
          'secret',
          'create',
          'oauth',
          '--app',
          'grafana',
          '-e',
          'staging',
          '--client-id',
          'hang-client',
          '--from-stdin',
          '--yes',
          '--json',
          ...FAST,
        ],
        'mid-body',
        CLIENT_SECRET,
      ],
      ['secret list', ['secret', 'list', '--json', ...FAST], 'silent'],
      ['secret list (an answer that trickles)', ['secret', 'list', '--json', ...FAST], 'trickle'],
      ['secret list -e (frozen mid-body)', ['secret', 'list', '-e', 'staging', '--json', ...FAST], 'mid-body'],
      ['quota gpu', ['quota', 'gpu', '--json', ...FAST], 'silent'],
      ['quota gpu --request (frozen mid-body)', ['quota', 'gpu', '--request', '--yes', '--json', ...FAST], 'mid-body'],
    ]
    for (const [what, args, mode, input] of cases) {
      it(`${what}: exit 1 TIMEOUT within 30 s`, async () => {
        const endpoint = await hang(mode, mode === 'mid-body' && /whoami/.test(what) ? 'text/xml' : undefined)
        const {r, started} = await runAws(args, endpoint.url, input)
        expectTimeout(r, started, endpoint.url)
        expect(endpoint.requests()).to.be.above(0)
      })
    }

    it('the default request timeout (20 s) also ends inside 30 s, and says how to wait longer', async function () {
      this.timeout(45_000)
      const endpoint = await hang('silent')
      const {r, started} = await runAws(['whoami', '--json'], endpoint.url)
      const error = expectTimeout(r, started, endpoint.url)
      expect(error.message).to.include('within 20s')
      expect(error.hint).to.include('--request-timeout')
    })

    it('PIKSEL_REQUEST_TIMEOUT sets it too; a bad value is refused with exit 2 before any call', async () => {
      const endpoint = await hang('silent')
      const started = Date.now()
      const r = await runPiksel(['whoami', '--json'], {
        env: isolatedEnv({...fakeCredentials, AWS_ENDPOINT_URL: endpoint.url, PIKSEL_REQUEST_TIMEOUT: '1500ms'}),
      })
      expect(expectTimeout(r, started, endpoint.url).message).to.include('within 1.5s')
      for (const bad of ['soon', '0', '50ms', '2h', '-5s']) {
        const refused = await runPiksel(['whoami', '--json', `--request-timeout=${bad}`], {
          env: isolatedEnv({...fakeCredentials, AWS_ENDPOINT_URL: endpoint.url}),
        })
        expect(refused.exitCode, bad).to.equal(2)
        expect(refused.json<ErrorDoc>().error.code, bad).to.equal('BAD_DURATION')
        expect(refused.json<ErrorDoc>().error.message, bad).to.equal(
          `--request-timeout "${bad}" is not a duration between 100ms and 1h.`,
        )
      }
      // From the variable, the message names the variable (the user typed no flag).
      const fromEnv = await runPiksel(['whoami', '--json'], {
        env: isolatedEnv({...fakeCredentials, AWS_ENDPOINT_URL: endpoint.url, PIKSEL_REQUEST_TIMEOUT: 'abc'}),
      })
      expect(fromEnv.exitCode).to.equal(2)
      expect(fromEnv.json<ErrorDoc>().error.message).to.include('PIKSEL_REQUEST_TIMEOUT "abc"')
      expect(endpoint.requests()).to.equal(1)
    })

    it("a profile's credential_process that never answers (a password manager waiting): TIMEOUT naming it, and piksel exits", async () => {
      const endpoint = await hang('silent')
      const env = isolatedEnv({AWS_ENDPOINT_URL: endpoint.url, AWS_REGION: 'ap-southeast-3'})
      const dir = mkdtempSync(join(tmpdir(), 'piksel-credproc-'))
      const pidFile = join(dir, 'pid')
      const script = join(dir, 'creds')
      writeFileSync(script, `#!/bin/sh\necho $$ >> ${pidFile}\nexec sleep 600\n`, {mode: 0o755})
      mkdirSync(join(env.HOME as string, '.aws'), {recursive: true})
      writeFileSync(env.AWS_CONFIG_FILE as string, `[profile hang]\ncredential_process = ${script}\n`)
      const started = Date.now()
      try {
        for (const args of [
          ['whoami', '--profile', 'hang', '--json', ...FAST],
          ['secret', 'list', '-e', 'staging', '--profile', 'hang', '--json', ...FAST],
        ]) {
          const r = await runPiksel(args, {env})
          expect(Date.now() - started, 'exits within 30 s').to.be.below(BOUND_MS)
          expect(r.exitCode, r.stdout + r.stderr).to.equal(1)
          const {error} = r.json<ErrorDoc>()
          expect(error.code).to.equal('TIMEOUT')
          // Not "no answer from STS": STS was never asked.
          expect(error.message).to.include('no AWS credentials').and.to.include('profile hang')
          expect(error.hint).to.include('aws sts get-caller-identity --profile hang')
        }
        expect(endpoint.requests()).to.equal(0)
      } finally {
        // The credential_processes piksel could not stop (the SDK keeps them to itself).
        for (const pid of readFileSync(pidFile, 'utf8').split('\n').filter(Boolean)) {
          try {
            process.kill(Number(pid), 'SIGKILL')
          } catch {
            // already gone
          }
        }
      }
    })

    it('bootstrap: the identity step and the secrets step end with TIMEOUT and a resume hint', async () => {
      const infra = mkdtempSync(join(tmpdir(), 'piksel-hang-infra-'))
      const endpoint = await hang('silent')
      for (const [only, vars] of [
        ['identity', {AWS_ENDPOINT_URL: endpoint.url}],
        ['secrets', {AWS_ENDPOINT_URL: endpoint.url}],
      ] as const) {
        const started = Date.now()
        const r = await runPiksel(
          ['bootstrap', '-e', 'staging', '--infra-dir', infra, '--only', only, '--yes', '--json', ...FAST],
          {env: isolatedEnv({...fakeCredentials, ...vars}), cwd: infra},
        )
        const error = expectTimeout(r, started, endpoint.url)
        expect(error.hint).to.include('resume')
      }
    })
  })

  describe('doctor', () => {
    it('doctor -e staging: the AWS and kube checks report TIMEOUT (exit 3) within 30 s', async () => {
      const endpoint = await hang('silent')
      const started = Date.now()
      const r = await runPiksel(['doctor', '-e', 'staging', '--json', ...FAST], {
        env: isolatedEnv({...fakeCredentials, AWS_ENDPOINT_URL: endpoint.url, KUBECONFIG: kubeconfigFor(endpoint.url)}),
      })
      expect(Date.now() - started).to.be.below(BOUND_MS)
      expect(r.exitCode, r.stderr).to.equal(3)
      const {checks} = r.json<{checks: Array<{name: string; status: string; detail: string; code?: string}>}>()
      const aws = checks.find((c) => c.name === 'aws-credentials')
      const kube = checks.find((c) => c.name === 'kube-context')
      expect(aws).to.include({status: 'fail', code: 'TIMEOUT'})
      expect(aws?.detail).to.include(endpoint.url)
      expect(kube).to.include({status: 'warn', code: 'TIMEOUT'})
      expect(kube?.detail).to.include(endpoint.url)
    })
  })

  describe('status', () => {
    const statusCases: Array<[string, string[], HangMode]> = [
      ['status', ['status', '--json', ...FAST], 'silent'],
      ['status (frozen mid-body)', ['status', '--json', ...FAST], 'mid-body'],
      // A byte every 200 ms never trips an idle timeout: the request as a whole is bounded.
      ['status (an answer that trickles)', ['status', '--json', ...FAST], 'trickle'],
      ['status --wait', ['status', '--wait', '--timeout', '5m', '--json', ...FAST], 'silent'],
      ['status --watch (frozen mid-body)', ['status', '--watch', '--json', ...FAST], 'mid-body'],
      ['status --reconcile', ['status', '--reconcile', '--yes', '--json', ...FAST], 'silent'],
    ]
    for (const [what, args, mode] of statusCases) {
      it(`${what}: exit 1 TIMEOUT within 30 s`, async () => {
        const endpoint = await hang(mode)
        const started = Date.now()
        const r = await runPiksel(args, {env: isolatedEnv({KUBECONFIG: kubeconfigFor(endpoint.url)})})
        expectTimeout(r, started, endpoint.url)
      })
    }

    describe('a server that lists but whose watches freeze', () => {
      let cluster: KubeStandin
      before(async () => {
        cluster = await KubeStandin.start({objects: readFixture('unhealthy.yaml')})
      })
      after(async () => {
        await cluster?.stop()
      })
      afterEach(() => {
        cluster.frozenWatches = false
      })

      for (const flag of ['--wait', '--watch']) {
        it(`status ${flag}: a silent watch fails with TIMEOUT instead of waiting forever`, async () => {
          cluster.frozenWatches = true
          const kubeconfig = cluster.writeKubeconfig(mkdtempSync(join(tmpdir(), 'piksel-frozen-')))
          const started = Date.now()
          const r = await runPiksel(['status', flag, '--timeout', '10m', '--json', ...FAST], {
            env: isolatedEnv({KUBECONFIG: kubeconfig}),
          })
          const error = expectTimeout(r, started, cluster.url)
          expect(error.message).to.match(/sent nothing for .* on the watch /)
          // It did read the cluster first: the lists answered.
          expect(cluster.watches().length).to.be.above(0)
        })
      }

      // A watch that keeps failing is restarted, but not forever: past the request timeout of
      // failures the wait fails with the cause, instead of reporting "not ready" at --timeout.
      const failing: Array<[string, string, (cluster: KubeStandin) => Promise<void>]> = [
        [
          'the API server goes away during the wait',
          'NETWORK',
          async (cluster) => {
            await cluster.stop()
          },
        ],
        [
          'every watch is answered with an HTML page that ends at once (it was restarted in a tight loop)',
          'BAD_RESPONSE',
          async (cluster) => {
            cluster.watchPage = '<html>Sign in</html>'
          },
        ],
        [
          'every watch restart is refused with 503',
          'KUBE_API',
          async (cluster) => {
            cluster.faults.push({path: /./, code: 503, reason: 'ServiceUnavailable', message: 'etcd is down'})
          },
        ],
      ]
      const modes: Array<[string, string[]]> = [
        ['--wait', ['--wait', '--timeout', '10m']],
        // --watch has no --timeout: it exited 0 with no output at all once nothing held the process.
        ['--watch', ['--watch']],
      ]
      for (const [what, code, breakIt] of failing) {
        for (const [flag, flags] of modes) {
          it(`status ${flag}: ${what} → exit 1 ${code} within 30 s (not exit 3 at --timeout, not exit 0)`, async () => {
            const own = await KubeStandin.start({objects: readFixture('unhealthy.yaml')})
            try {
              const kubeconfig = own.writeKubeconfig(mkdtempSync(join(tmpdir(), 'piksel-gone-')))
              const started = Date.now()
              const run = runPiksel(['status', ...flags, '--json', ...FAST], {
                env: isolatedEnv({KUBECONFIG: kubeconfig}),
              })
              // Once it is waiting (its watches started), the server breaks.
              while (own.watches().length === 0) await new Promise((r) => setTimeout(r, 50))
              await breakIt(own)
              const r = await run
              expect(Date.now() - started, 'exits within 30 s').to.be.below(BOUND_MS)
              expect(r.exitCode, r.stdout + r.stderr).to.equal(1)
              const {error} = r.json<ErrorDoc>()
              expect(error.code).to.equal(code)
              expect(error.message).to.include(own.url).and.to.include('watch')
              expect(error.hint).to.be.a('string').and.to.have.length.above(10)
            } finally {
              await own.stop()
            }
          })
        }
      }

      it('a quiet but healthy server (it ends each watch after timeoutSeconds) is followed, not failed', async () => {
        const kubeconfig = cluster.writeKubeconfig(mkdtempSync(join(tmpdir(), 'piksel-quiet-')))
        const before = cluster.watches().length
        const r = await runPiksel(['status', '--wait', '--timeout', '5s', '--json', '--request-timeout', '1s'], {
          env: isolatedEnv({KUBECONFIG: kubeconfig}),
        })
        // Unhealthy for the whole wait: the wait timed out (exit 3), no TIMEOUT error.
        expect(r.exitCode, r.stderr).to.equal(3)
        expect(r.json<{timedOut: boolean}>().timedOut).to.equal(true)
        const watches = cluster.watches().slice(before)
        expect(
          watches.every((w) => w.query.timeoutSeconds === '1'),
          JSON.stringify(watches[0]?.query),
        ).to.equal(true)
        // Each stream was ended by the server and started again from where it was.
        const kinds = new Set(watches.map((w) => w.path)).size
        expect(watches.length).to.be.above(kinds)
      })
    })

    it('an exec credential plugin that never finishes (aws eks get-token) is killed: TIMEOUT naming it', async () => {
      const stubs = new StubBin()
      const pidFile = join(stubs.dir, 'plugin.pid')
      // Writes its pid, then sleeps ten minutes without answering.
      stubs.add('aws', () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require('node:fs').writeFileSync(process.env.PLUGIN_PID_FILE as string, String(process.pid))
        return {stdout: '{}', sleep: 600}
      })
      const endpoint = await hang('silent')
      const user = [
        '  user:',
        '    exec:',
        '      apiVersion: client.authentication.k8s.io/v1beta1',
        `      command: ${join(stubs.dir, 'aws')}`,
        '      args: [eks, get-token, --cluster-name, piksel-staging]',
        '      interactiveMode: Never',
        '      env:',
        '      - {name: PLUGIN_PID_FILE, value: ' + JSON.stringify(pidFile) + '}',
      ].join('\n')
      const started = Date.now()
      const r = await runPiksel(['status', '--json', ...FAST], {
        env: isolatedEnv({KUBECONFIG: kubeconfigFor(endpoint.url, user)}),
      })
      expect(Date.now() - started).to.be.below(BOUND_MS)
      expect(r.exitCode, r.stderr).to.equal(1)
      const {error} = r.json<ErrorDoc>()
      expect(error.code).to.equal('TIMEOUT')
      expect(error.message).to.include('credential plugin').and.to.include('eks get-token')
      expect(error.hint).to.include('aws sso login')
      // The API server was never asked: the plugin was stopped first.
      expect(endpoint.requests()).to.equal(0)
      const [call] = stubs.calls('aws')
      expect(call?.argv).to.deep.equal(['eks', 'get-token', '--cluster-name', 'piksel-staging'])
      // And it was killed, not left sleeping.
      const pid = Number(readFileSync(pidFile, 'utf8'))
      expect(pid).to.be.above(0)
      expect(() => process.kill(pid, 0)).to.throw(/ESRCH/)
    })
  })
})

describe('a write whose answer never came (binary, moto and the Service Quotas stand-in)', function () {
  this.timeout(60_000)
  let moto: Moto
  let probe: SecretsProbe
  let proxy: FaultProxy | undefined
  let quotas: ServiceQuotasStandin | undefined

  before(async function () {
    moto = await startMoto(this)
    probe = new SecretsProbe(moto)
  })
  after(async () => {
    probe?.sm.destroy()
    await moto?.stop()
  })
  afterEach(async () => {
    await proxy?.close()
    await quotas?.stop()
    proxy = undefined
    quotas = undefined
  })

  it('secret create: CreateSecret unanswered → TIMEOUT, "may or may not", and how to check', async () => {
    proxy = await awsFaultProxy('json', [{operation: 'CreateSecret', hang: 'silent'}], moto.endpoint)
    const started = Date.now()
    const r = await runPiksel(
      [
        'secret',
        'create',
        'slack',
        '-e',
        'staging',
        '--name',
        'hang-write',
        '--from-stdin',
        '--yes',
        '--json',
        ...SAFE,
      ],
      {env: isolatedEnv({...moto.env, AWS_ENDPOINT_URL_SECRETS_MANAGER: proxy.url}), input: WEBHOOK},
    )
    const error = expectTimeout(r, started, proxy.url)
    expect(error.message).to.include('secretsmanager:CreateSecret').and.to.include('may or may not have been made')
    expect(error.hint)
      .to.include('piksel secret list -e staging')
      .and.to.include('aws secretsmanager describe-secret --secret-id hang-write --region ap-southeast-3')
    expect(proxy.operations).to.include('DescribeSecret').and.to.include('CreateSecret')
    // The proxy never forwarded the write.
    expect(await probe.names()).not.to.include('hang-write')
  })

  it('secret create --overwrite: PutSecretValue frozen mid-body → TIMEOUT for the write, value never shown', async () => {
    await runPiksel(['secret', 'create', 'slack', '-e', 'staging', '--name', 'hang-put', '--from-stdin', '--yes'], {
      env: isolatedEnv(moto.env),
      input: WEBHOOK.replace('HANG', 'OLDV'),
    })
    proxy = await awsFaultProxy('json', [{operation: 'PutSecretValue', hang: 'mid-body'}], moto.endpoint)
    const started = Date.now()
    const r = await runPiksel(
      [
        'secret',
        'create',
        'slack',
        '-e',
        'staging',
        '--name',
        'hang-put',
        '--from-stdin',
        '--yes',
        '--overwrite',
        ...SAFE,
      ],
      {env: isolatedEnv({...moto.env, AWS_ENDPOINT_URL_SECRETS_MANAGER: proxy.url}), input: WEBHOOK},
    )
    expectTimeout(r, started, proxy.url, false)
    expect(r.stderr).to.include('secretsmanager:PutSecretValue').and.to.include('may or may not have been made')
  })

  it('quota gpu --request: RequestServiceQuotaIncrease unanswered → the row fails with TIMEOUT and how to check', async () => {
    quotas = await startServiceQuotasStandin({})
    proxy = await awsFaultProxy('json', [{operation: 'RequestServiceQuotaIncrease', hang: 'silent'}], quotas.endpoint)
    const started = Date.now()
    const r = await runPiksel(['quota', 'gpu', '--request', '--yes', '--family', 'g', '--json', ...SAFE], {
      env: isolatedEnv({...moto.env, AWS_ENDPOINT_URL_SERVICE_QUOTAS: proxy.url}),
    })
    expect(Date.now() - started).to.be.below(BOUND_MS)
    expect(r.exitCode, r.stderr).to.equal(1)
    const report = r.json<{quotas: Array<{code: string; action?: string; error?: ErrorDoc['error']}>}>()
    const failed = report.quotas.filter((q) => q.action === 'failed')
    expect(failed.map((q) => q.code).sort()).to.deep.equal(['L-3819A6DF', 'L-DB2E81BA'])
    for (const q of failed) {
      expect(q.error?.code).to.equal('TIMEOUT')
      expect(q.error?.message).to.include(proxy.url).and.to.include('may or may not have been made')
      expect(q.error?.hint).to.include('piksel quota gpu').and.to.include(`--quota-code ${q.code}`)
    }
    // Nothing reached the stand-in: the proxy held both requests.
    expect(quotas.filed()).to.deep.equal([])
  })
})
