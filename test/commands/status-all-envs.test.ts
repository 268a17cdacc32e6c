/**
 * `piksel status --all-envs` (issue 15 §3): every environment's cluster at once, each on its
 * own context (named after its cluster, never the current one), its kubeconfig exec credential
 * plugin given that environment's AWS profile and region (a stub `aws` records what it got).
 * Clusters: Kubernetes stand-ins, one healthy, one unhealthy, one unreachable.
 */
import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {isolatedEnv, runPiksel} from '../support/cli.ts'
import {KubeStandin, readFixture} from '../support/kube-standin.ts'
import {Rendezvous} from '../support/rendezvous.ts'
import {StubBin} from '../support/stubs.ts'

interface Row {
  env: string
  result?: {verdict: string; summary: string; context: string; timedOut?: boolean}
  error?: {code: string; message: string; hint: string | null}
}
interface EnvironmentsDoc {
  environments: Row[]
}

const TOKEN = JSON.stringify({
  apiVersion: 'client.authentication.k8s.io/v1beta1',
  kind: 'ExecCredential',
  status: {token: 'k8s-aws-v1.standin'},
})

/** A loopback port nothing listens on (a cluster that cannot be reached). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/**
 * A kubeconfig as `aws eks update-kubeconfig --alias` writes it: per context a cluster and an
 * `aws eks get-token` exec user; `userEnv` is a user's own exec env (the kubeconfig's choice).
 */
function kubeconfigFor(
  dir: string,
  clusters: Array<{context: string; server: string; userEnv?: Record<string, string>}>,
  current: string,
): string {
  const file = join(dir, 'kubeconfig')
  const lines = ['apiVersion: v1', 'kind: Config', 'clusters:']
  for (const c of clusters) lines.push(`- name: ${c.context}`, '  cluster:', `    server: ${c.server}`)
  lines.push('users:')
  for (const c of clusters) {
    lines.push(
      `- name: ${c.context}`,
      '  user:',
      '    exec:',
      '      apiVersion: client.authentication.k8s.io/v1beta1',
      '      command: aws',
      `      args: [--region, ap-southeast-3, eks, get-token, --cluster-name, ${c.context}, --output, json]`,
      '      interactiveMode: Never',
    )
    const env = Object.entries(c.userEnv ?? {})
    if (env.length > 0)
      lines.push('      env:', ...env.map(([name, value]) => `      - {name: ${name}, value: ${value}}`))
  }
  lines.push('contexts:')
  for (const c of clusters) {
    lines.push(`- name: ${c.context}`, '  context:', `    cluster: ${c.context}`, `    user: ${c.context}`)
  }
  lines.push(`current-context: ${current}`, '')
  writeFileSync(file, lines.join('\n'))
  return file
}

describe('piksel status --all-envs: every environment’s cluster, each on its own context and credentials', function () {
  this.timeout(60_000)
  let healthy: KubeStandin
  let unhealthy: KubeStandin
  let unreachable: string
  let stubs: StubBin
  let dir: string

  before(async () => {
    healthy = await KubeStandin.start({objects: readFixture('healthy.yaml')})
    unhealthy = await KubeStandin.start({objects: readFixture('unhealthy.yaml')})
    unreachable = `http://127.0.0.1:${await closedPort()}`
    stubs = new StubBin().add('aws', {stdout: TOKEN})
  })
  after(async () => {
    await healthy?.stop()
    await unhealthy?.stop()
  })
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'piksel-status-all-'))
  })

  /** dev healthy (its kubeconfig user sets AWS_PROFILE itself), staging unhealthy (in eu-west-1), production as given. */
  function setup(production: string, environments = ['dev', 'staging', 'production']) {
    const kubeconfig = kubeconfigFor(
      dir,
      [
        {context: 'piksel-dev', server: healthy.url, userEnv: {AWS_PROFILE: 'from-kubeconfig'}},
        {context: 'piksel-staging', server: unhealthy.url},
        {context: 'piksel-production', server: production},
        // The current context: never read in an environment's place.
        {context: 'elsewhere', server: unreachable},
      ],
      'elsewhere',
    )
    const config = join(dir, 'piksel.config.yaml')
    writeFileSync(
      config,
      [
        'environments:',
        ...environments.map((e) => (e === 'staging' ? '  staging: {region: eu-west-1}' : `  ${e}: {}`)),
        '',
      ].join('\n'),
    )
    return {kubeconfig, config}
  }

  const run = (args: string[], files: {kubeconfig: string; config: string}, extra: Record<string, string> = {}) =>
    runPiksel(['status', '--config', files.config, ...args], {
      env: isolatedEnv({KUBECONFIG: files.kubeconfig, ...extra}),
      path: [stubs.dir],
    })

  /** What the stub `aws eks get-token` got, per cluster it was asked a token for. */
  const pluginEnv = (since: number) =>
    Object.fromEntries(
      stubs
        .calls('aws')
        .slice(since)
        .map((c) => [
          c.argv[c.argv.indexOf('--cluster-name') + 1],
          {profile: c.env.AWS_PROFILE ?? null, region: c.env.AWS_REGION ?? null},
        ]),
    )

  it('one healthy, one unhealthy, one unreachable: each in its row, NETWORK for the last; exit 1', async () => {
    const files = setup(unreachable)
    const before = stubs.calls('aws').length
    // AWS_PROFILE in the shell names one account: under --all-envs each environment uses its own.
    const r = await run(['--all-envs', '--json'], files, {AWS_PROFILE: 'shell-profile'})
    expect(r.exitCode, r.stderr).to.equal(1)
    const doc = r.json<EnvironmentsDoc>()
    expect(doc.environments.map((e) => e.env)).to.deep.equal(['dev', 'staging', 'production'])
    expect(doc.environments[0]?.result).to.include({verdict: 'healthy', context: 'piksel-dev'})
    expect(doc.environments[1]?.result).to.include({verdict: 'unhealthy', context: 'piksel-staging'})
    expect(doc.environments[2]?.error?.code).to.equal('NETWORK')
    // Each plugin run got its environment's profile and region; the kubeconfig's own AWS_PROFILE stands.
    expect(pluginEnv(before)).to.deep.equal({
      'piksel-dev': {profile: 'from-kubeconfig', region: 'ap-southeast-3'},
      'piksel-staging': {profile: 'staging-piksel', region: 'eu-west-1'},
      'piksel-production': {profile: 'prod-piksel', region: 'ap-southeast-3'},
    })
    expect(r.stderr).to.include('AWS_PROFILE=shell-profile in the shell is ignored under --all-envs')

    // `result` is exactly what `status -e <env> --json` prints.
    const alone = await run(['-e', 'staging', '--json'], files)
    expect(alone.exitCode).to.equal(3)
    expect(doc.environments[1]?.result).to.deep.equal(alone.json())
    const aloneDown = await run(['-e', 'production', '--json'], files)
    expect(aloneDown.exitCode).to.equal(1)
    const down = aloneDown.json<{error: {code: string; message: string; hint: string}}>().error
    expect(doc.environments[2]?.error).to.deep.include({code: down.code, message: down.message})
    // -e's hint says "--context"; the row's points at what --all-envs lets the user change.
    expect(down.hint).to.include('--context')
    expect(doc.environments[2]?.error?.hint).to.equal(
      `Check the network, a VPN or proxy, AWS_ENDPOINT_URL*, environments.production.region (ap-southeast-3) in ${files.config}, and the server of kube context piksel-production (\`kubectl config view --minify --context piksel-production\`).`,
    )
  })

  it('an environment without its kube context: NO_CONTEXT in its row, the hint names its config key, not --context', async () => {
    const files = setup(unreachable, ['dev', 'qa'])
    const r = await run(['--all-envs', '--json'], files)
    expect(r.exitCode, r.stderr).to.equal(1)
    const doc = r.json<EnvironmentsDoc>()
    expect(doc.environments[0]?.result).to.include({verdict: 'healthy'})
    expect(doc.environments[1]?.error?.code).to.equal('NO_CONTEXT')
    expect(doc.environments[1]?.error?.hint).to.equal(
      `Write the context with \`aws eks update-kubeconfig --name piksel-qa --alias piksel-qa --region ap-southeast-3 --profile qa-piksel\`, or set environments.qa.cluster in ${files.config} to the cluster it is named after.`,
    )
    const alone = await run(['-e', 'qa', '--json'], files)
    expect(alone.exitCode).to.equal(2)
    expect(alone.json<{error: {hint: string}}>().error.hint).to.include('--context')
    const human = await run(['--all-envs'], files)
    expect(human.stdout).to.include(`Hint: Write the context with \``)
    expect(human.stdout).not.to.match(/--context|--profile(?! qa-piksel)|--region(?! ap-southeast-3)/)
  })

  it('human output: one table with ENV, a verdict line per environment', async () => {
    const files = setup(unreachable)
    const r = await run(['--all-envs'], files)
    expect(r.exitCode, r.stderr).to.equal(1)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).to.match(/^ENV\s+CONTEXT\s+VERDICT\s+OBJECTS\s+READY\s+NEEDS ATTENTION$/)
    expect(lines[1]).to.match(/^dev\s+piksel-dev\s+healthy\s+\d+\s+\d+\s+-$/)
    expect(lines[2]).to.match(/^staging\s+piksel-staging\s+unhealthy\s+\d+\s+\d+\s+\S+/)
    expect(lines[2]).to.match(/ failed/)
    expect(lines[3]).to.match(/^production\s+error\s+.*NETWORK: /)
    const verdicts = lines.slice(lines.indexOf('') + 1)
    expect(verdicts[0]).to.match(/^dev: healthy: \d+ ready$/)
    expect(verdicts[1]).to.match(/^staging: unhealthy: /)
    expect(verdicts[2]).to.match(/^production: error NETWORK: /)
  })

  it('one healthy and one unhealthy cluster: both shown, exit 3', async () => {
    const files = setup(unreachable, ['dev', 'staging'])
    const r = await run(['--all-envs', '--json'], files)
    expect(r.exitCode, r.stderr).to.equal(3)
    expect(r.json<EnvironmentsDoc>().environments.map((e) => [e.env, e.result?.verdict])).to.deep.equal([
      ['dev', 'healthy'],
      ['staging', 'unhealthy'],
    ])
  })

  it('--wait: every environment waits at the same time, one table at the end (the unhealthy one timed out; exit 3)', async () => {
    const files = setup(unreachable, ['dev', 'staging'])
    const r = await run(['--all-envs', '--wait', '--timeout', '2s'], files)
    expect(r.exitCode, r.stderr).to.equal(3)
    expect(r.stdout).to.match(/^dev: healthy: \d+ ready$/m)
    expect(r.stdout).to.match(/^staging: unhealthy: .* \(timed out after 2s\)$/m)
  })

  it('reads every cluster at once (a rendezvous in front of the stand-in answers /apis only when both are in flight)', async () => {
    const meet = await Rendezvous.start({
      count: 2,
      giveUpMs: 8_000,
      forwardTo: healthy.url,
      matches: (req) => req.url === '/apis',
    })
    try {
      const kubeconfig = kubeconfigFor(
        dir,
        [
          {context: 'piksel-dev', server: meet.url},
          {context: 'piksel-staging', server: meet.url},
        ],
        'piksel-dev',
      )
      const config = join(dir, 'piksel.config.yaml')
      writeFileSync(config, 'environments:\n  dev: {}\n  staging: {}\n')
      const r = await run(['--all-envs', '--json'], {kubeconfig, config})
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(meet.arrived).to.deep.equal(['GET /apis', 'GET /apis'])
      expect(meet.gaveUp).to.equal(0)
    } finally {
      await meet.stop()
    }
  })

  it('-e alone: the plugin gets the environment’s profile and region too (not nothing, not the shell’s region)', async () => {
    const files = setup(unreachable)
    const before = stubs.calls('aws').length
    const r = await run(['-e', 'staging', '--json'], files, {AWS_REGION: 'us-east-1'})
    expect(r.exitCode, r.stderr).to.equal(3)
    expect(pluginEnv(before)).to.deep.equal({'piksel-staging': {profile: 'staging-piksel', region: 'eu-west-1'}})
  })

  describe('refused before anything is read (exit 2, CONFLICTING_FLAGS)', () => {
    const refused: Array<[string, string[]]> = [
      ['--watch', ['--watch']],
      ['--reconcile', ['--reconcile', '--yes']],
      ['--context', ['--context', 'piksel-dev']],
      ['-e', ['-e', 'dev']],
    ]
    for (const [what, args] of refused) {
      it(what, async () => {
        const files = setup(unreachable)
        const marks = [healthy.requests.length, unhealthy.requests.length, stubs.calls('aws').length]
        const r = await run(['--all-envs', ...args, '--json'], files)
        expect(r.exitCode, r.stdout).to.equal(2)
        const {error} = r.json<{error: {code: string; message: string}}>()
        expect(error.code).to.equal('CONFLICTING_FLAGS')
        expect(error.message).to.include(what === '-e' ? '-e/--env' : what)
        expect([healthy.requests.length, unhealthy.requests.length, stubs.calls('aws').length]).to.deep.equal(marks)
      })
    }
  })
})
