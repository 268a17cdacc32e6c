/**
 * One way to start a child, one environment policy (issue 12 §3): `piksel doctor`
 * used to hand GITHUB_TOKEN and GH_TOKEN to every tool it probed. Stub executables
 * record the environment they were given.
 */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {expect} from 'chai'

import {isolatedEnv, runPiksel} from '../support/cli.ts'
import {bootstrapStubs} from '../support/bootstrap.ts'
import {EksEndpointProxy, createEksCluster} from '../support/eks.ts'
import {KubeStandin, readFixture} from '../support/kube-standin.ts'
import {type Moto, startMoto} from '../support/moto.ts'
import {StubBin} from '../support/stubs.ts'
import {copyFixture} from '../support/terraform.ts'
import {requireTool} from '../support/tools.ts'

const TOKENS = {
  GITHUB_TOKEN: 'ghp_childEnvGithubToken0123456789',
  GH_TOKEN: 'gho_childEnvGhToken0123456789ab',
  NPM_TOKEN: 'npm_childEnvToken0123456789',
  TF_VAR_db_password: 'tf-var-child-env-secret',
}
/** Credentials whose names have no `_` before the word (PostgreSQL's own variable, a GitHub PAT). */
const UNDERSCORELESS = {PGPASSWORD: 'pg-child-env-password', GITHUB_PAT: 'github_pat_childEnv0123456789'}
const NEVER_TO_PROBES = [
  ...Object.keys(TOKENS),
  ...Object.keys(UNDERSCORELESS),
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
]

/** Every tool doctor probes, answering with a good version. */
function tools(): StubBin {
  return new StubBin()
    .add('terraform', {stdout: '{"terraform_version":"1.11.4"}'})
    .add('flux', {stdout: 'flux: v2.6.0\n'})
    .add('kubectl', {stdout: '{"clientVersion":{"gitVersion":"v1.32.4"}}'})
    .add('aws', {stdout: 'aws-cli/2.15.0 Python/3.11.6\n'})
    .add('git', {stdout: 'git version 2.39.5\n'})
}

describe('children get only the credentials they need', function () {
  this.timeout(120_000)
  let moto: Moto

  before(async function () {
    moto = await startMoto(this)
    await createEksCluster(moto.endpoint, 'piksel-staging')
  })
  after(async () => moto?.stop())

  /** EKS (moto behind a proxy) says the staging cluster's endpoint is this Kubernetes stand-in. */
  async function eksProxy(clusterUrl: string): Promise<EksEndpointProxy> {
    const proxy = await EksEndpointProxy.start(moto.endpoint)
    proxy.rewrites.set('piksel-staging', {endpoint: clusterUrl})
    return proxy
  }

  it('doctor: no probe receives a GitHub token, AWS credentials or any other token (piksel itself still has them)', async () => {
    const stubs = tools()
    const r = await runPiksel(['doctor', '--json'], {
      env: isolatedEnv({...moto.env, ...TOKENS, ...UNDERSCORELESS, PATH: `${stubs.dir}:/bin`}),
    })
    const checks = r.json<{checks: Array<{name: string; status: string}>}>().checks
    // The AWS credentials reached piksel's own STS call...
    expect(checks.find((c) => c.name === 'aws-credentials')?.status).to.equal('pass')
    // ...and no probe.
    const calls = stubs.calls()
    expect(calls.map((c) => c.tool).sort()).to.deep.equal(['aws', 'flux', 'git', 'kubectl', 'terraform'])
    for (const call of calls) {
      for (const name of NEVER_TO_PROBES) expect(call.env, `${call.tool}: ${name}`).not.to.have.property(name)
      // Configuration is not withheld.
      expect(call.env, call.tool).to.include({AWS_REGION: 'ap-southeast-3'})
    }
  })

  it('doctor: the kubeconfig’s exec plugin (started by the Kubernetes client) gets AWS credentials and no other', async () => {
    const stubs = tools().add('kube-credentials', {
      stdout: JSON.stringify({
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        kind: 'ExecCredential',
        status: {token: 'exec-token'},
      }),
    })
    const dir = mkdtempSync(join(tmpdir(), 'piksel-exec-'))
    const kubeconfig = join(dir, 'kubeconfig')
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- {name: c, cluster: {server: "http://127.0.0.1:9"}}',
        'users:',
        `- {name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: ${join(stubs.dir, 'kube-credentials')}, interactiveMode: Never}}}`,
        'contexts:',
        '- {name: piksel-staging, context: {cluster: c, user: u}}',
        'current-context: piksel-staging',
        '',
      ].join('\n'),
    )
    await runPiksel(['doctor', '--json'], {
      env: isolatedEnv({
        ...moto.env,
        ...TOKENS,
        PGPASSWORD: 'pg-child-env',
        KUBECONFIG: kubeconfig,
        PATH: `${stubs.dir}:/bin`,
      }),
    })
    const exec = stubs.calls('kube-credentials')
    expect(exec.length, 'the exec plugin ran').to.be.greaterThan(0)
    for (const call of exec) {
      // Not only the GitHub tokens: TF_VAR_* and other tokens are terraform's alone (README policy).
      for (const name of [...Object.keys(TOKENS), 'PGPASSWORD']) expect(call.env, name).not.to.have.property(name)
      // It authenticates to EKS with AWS credentials: those it keeps.
      expect(call.env).to.have.property('AWS_ACCESS_KEY_ID')
    }
  })

  it('bootstrap: flux bootstrap gets GITHUB_TOKEN (and AWS credentials); no other child gets a token', async () => {
    const stubs = bootstrapStubs()
    // flux-system syncs another repository, so the flux step bootstraps (with --force-flux).
    const objects = readFixture('healthy.yaml')
    const source = objects.find((o) => o.kind === 'GitRepository' && o.metadata.name === 'flux-system')
    ;(source?.spec as {url: string}).url = 'ssh://git@github.com/piksel-ina/old-gitops'
    const cluster = await KubeStandin.start({objects})
    const proxy = await eksProxy(cluster.url)
    try {
      const work = mkdtempSync(join(tmpdir(), 'piksel-child-env-'))
      const r = await runPiksel(
        ['bootstrap', '-e', 'staging', '--only', 'kubeconfig,flux', '--force-flux', '--yes', '--json'],
        {
          env: isolatedEnv({
            ...moto.env,
            ...TOKENS,
            AWS_ENDPOINT_URL_EKS: proxy.url,
            KUBECONFIG: join(work, 'kubeconfig'),
          }),
          path: [stubs.dir],
          cwd: work,
        },
      )
      expect(r.exitCode, r.stdout + r.stderr).to.equal(0)
      const calls = stubs.calls()
      const bootstrap = calls.find((c) => c.tool === 'flux' && c.argv[0] === 'bootstrap')
      expect(bootstrap?.env).to.include({GITHUB_TOKEN: TOKENS.GITHUB_TOKEN, AWS_ACCESS_KEY_ID: 'testing'})
      expect(bootstrap?.env).not.to.have.property('GH_TOKEN')
      expect(bootstrap?.env).not.to.have.property('NPM_TOKEN')
      const others = calls.filter((c) => c !== bootstrap)
      expect(others.map((c) => `${c.tool} ${c.argv[0]}`)).to.include.members(['aws eks', 'flux check'])
      for (const call of others) {
        for (const name of Object.keys(TOKENS)) {
          expect(call.env, `${call.tool} ${call.argv[0]}: ${name}`).not.to.have.property(name)
        }
        // aws (update-kubeconfig) and flux (through the kubeconfig's aws eks get-token) call AWS.
        expect(call.env, `${call.tool} ${call.argv[0]}`).to.have.property('AWS_ACCESS_KEY_ID')
      }
    } finally {
      await cluster.stop()
      await proxy.stop()
    }
  })

  it('bootstrap: every child (aws, flux check, flux bootstrap) gets the environment’s region, not the shell’s', async () => {
    // flux reaches EKS through the kubeconfig's `aws eks get-token`, which reads AWS_REGION.
    const stubs = bootstrapStubs()
    const objects = readFixture('healthy.yaml')
    const source = objects.find((o) => o.kind === 'GitRepository' && o.metadata.name === 'flux-system')
    ;(source?.spec as {url: string}).url = 'ssh://git@github.com/piksel-ina/old-gitops'
    const cluster = await KubeStandin.start({objects})
    const proxy = await eksProxy(cluster.url)
    try {
      const work = mkdtempSync(join(tmpdir(), 'piksel-child-region-'))
      const r = await runPiksel(
        ['bootstrap', '-e', 'staging', '--only', 'kubeconfig,flux', '--force-flux', '--yes', '--json'],
        {
          env: isolatedEnv({
            ...moto.env,
            AWS_REGION: 'eu-west-1',
            AWS_DEFAULT_REGION: 'us-east-1',
            GITHUB_TOKEN: TOKENS.GITHUB_TOKEN,
            AWS_ENDPOINT_URL_EKS: proxy.url,
            KUBECONFIG: join(work, 'kubeconfig'),
          }),
          path: [stubs.dir],
          cwd: work,
        },
      )
      expect(r.exitCode, r.stdout + r.stderr).to.equal(0)
      const calls = stubs.calls()
      expect(calls.map((c) => `${c.tool} ${c.argv[0]}`)).to.include.members(['aws eks', 'flux check', 'flux bootstrap'])
      for (const call of calls) {
        // The kubeconfig's exec plugin (`aws --region R eks get-token`, started by the Kubernetes
        // client) carries the environment's region in its argv, as update-kubeconfig wrote it.
        if (call.tool === 'aws' && call.argv.includes('get-token')) {
          expect(call.argv.slice(0, 2), 'exec plugin').to.deep.equal(['--region', 'ap-southeast-3'])
          continue
        }
        expect(call.env, `${call.tool} ${call.argv[0]}`).to.include({
          AWS_REGION: 'ap-southeast-3',
          AWS_DEFAULT_REGION: 'ap-southeast-3',
        })
      }
    } finally {
      await cluster.stop()
      await proxy.stop()
    }
  })

  it('bootstrap: TF_VAR_* still reach the real terraform, though piksel withholds them from its own environment', async function () {
    requireTool(this, 'terraform')
    const work = mkdtempSync(join(tmpdir(), 'piksel-child-tfvar-'))
    copyFixture('basic', 'staging', work)
    const r = await runPiksel(
      ['bootstrap', '-e', 'staging', '--infra-dir', work, '--only', 'infrastructure', '--yes'],
      {
        env: isolatedEnv({...moto.env, ...TOKENS, TF_VAR_label: 'from-tf-var'}),
        cwd: work,
      },
    )
    expect(r.exitCode, r.stdout + r.stderr).to.equal(0)
    const state = JSON.parse(readFileSync(join(work, 'staging', 'terraform.tfstate'), 'utf8')) as {
      outputs: {label: {value: string}}
    }
    expect(state.outputs.label.value).to.equal('from-tf-var')
  })

  it('terraform: AWS credentials and TF_VAR_* reach it; GitHub tokens do not', async () => {
    const stubs = new StubBin().add('terraform', {stdout: 'Terraform v1.11.4\n'})
    const {Terraform} = await import('../../src/lib/terraform/runner.ts')
    const saved = {...process.env}
    Object.assign(process.env, moto.env, TOKENS)
    try {
      const runner = new Terraform({dir: tmpdir(), binary: join(stubs.dir, 'terraform'), profile: 'p'})
      await runner.run(['version'])
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
      Object.assign(process.env, saved)
    }
    const [call] = stubs.calls('terraform')
    expect(call?.env).to.include({
      AWS_ACCESS_KEY_ID: 'testing',
      TF_VAR_db_password: TOKENS.TF_VAR_db_password,
      TF_IN_AUTOMATION: '1',
      AWS_PROFILE: 'p',
    })
    expect(call?.env).not.to.have.property('GITHUB_TOKEN')
    expect(call?.env).not.to.have.property('GH_TOKEN')
  })
})
