import {expect} from 'chai'
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {refusedIn} from '../../src/lib/environments/hints.ts'
import {isolatedEnv, runPiksel} from '../support/cli.ts'
import {MOTO_ACCOUNT, type Moto, startMoto} from '../support/moto.ts'
import {KubeStandin} from '../support/kube-standin.ts'
import {Rendezvous} from '../support/rendezvous.ts'
import {StubBin, type StubSpec} from '../support/stubs.ts'
import {createAwsSpotRole} from '../support/iam.ts'

interface DoctorDoc {
  env: string | null
  checks: Array<{name: string; status: 'pass' | 'warn' | 'fail'; detail: string}>
}

/** Stubs for every tool doctor probes, each answering with a good version unless overridden. */
const GOOD: Record<string, StubSpec> = {
  terraform: {stdout: '{"terraform_version":"1.11.4"}'},
  flux: {stdout: 'flux: v2.6.0\n'},
  kubectl: {stdout: '{"clientVersion":{"gitVersion":"v1.32.4"}}'},
  aws: {stderr: 'aws-cli/1.45.11 Python/3.11.7 Linux/6 botocore/1.43.11\n'},
  git: {stdout: 'git version 2.39.5\n'},
}

function tools(overrides: Record<string, Parameters<StubBin['add']>[1] | null> = {}): StubBin {
  const stubs = new StubBin()
  for (const [name, spec] of Object.entries({...GOOD, ...overrides})) if (spec) stubs.add(name, spec)
  return stubs
}

describe('piksel doctor', function () {
  let moto: Moto
  before(async function () {
    moto = await startMoto(this)
  })
  after(async () => moto?.stop())

  async function doctor(stubs: StubBin, args: string[] = [], extra: Record<string, string> = {}, timeout = 30_000) {
    const cwd = mkdtempSync(join(tmpdir(), 'piksel-doctor-'))
    writeFileSync(
      join(cwd, 'piksel.config.yaml'),
      `environments:\n  staging:\n    account: "${MOTO_ACCOUNT}"\n  production:\n    account: "999999999999"\n`,
    )
    // PATH holds only the stubs (and the shell basics), so a tool not stubbed is truly missing.
    const env = isolatedEnv({...moto.env, PATH: `${stubs.dir}:/bin`, ...extra})
    return runPiksel(['doctor', '--json', ...args], {env, cwd, timeout})
  }
  const byName = (doc: DoctorDoc) => Object.fromEntries(doc.checks.map((c) => [c.name, c]))

  it('passes with every tool present, valid credentials and the right account', async () => {
    await moto.reset()
    await createAwsSpotRole(moto)
    const r = await doctor(tools(), ['-e', 'staging'])
    const checks = byName(r.json<DoctorDoc>())
    expect(r.exitCode, r.stdout).to.equal(0)
    for (const name of [
      'node',
      'terraform',
      'flux',
      'kubectl',
      'aws',
      'git',
      'aws-credentials',
      'aws-account',
      'config',
      'spot-role',
    ]) {
      expect(checks[name]?.status, `${name}: ${checks[name]?.detail}`).to.equal('pass')
    }
    expect(checks['aws-credentials']?.detail).to.include(`arn:aws:sts::${MOTO_ACCOUNT}:user/moto`)
    expect(checks['kube-context']?.status).to.equal('warn')
    // Not configured: reported, not failed.
    expect(checks['ci-role']?.status).to.equal('warn')
    expect(checks['dns-zone']?.status).to.equal('warn')
    expect(checks['kube-context']?.detail).to.include('aws eks update-kubeconfig --name piksel-staging')
    expect(r.json<DoctorDoc>().env).to.equal('staging')
  })

  it('no kubeconfig: the command that writes it names the environment’s region, not the shell’s', async () => {
    // Typed bare in this shell, `aws eks update-kubeconfig` would look for the cluster in eu-west-1.
    const r = await doctor(tools(), ['-e', 'staging'], {AWS_REGION: 'eu-west-1'})
    expect(byName(r.json<DoctorDoc>())['kube-context']).to.deep.equal({
      name: 'kube-context',
      status: 'warn',
      detail:
        'no kubeconfig (KUBECONFIG / ~/.kube/config); `aws eks update-kubeconfig --name piksel-staging --alias piksel-staging --region ap-southeast-3` adds it',
    })
  })

  it('fails (exit 3) when a tool is missing, naming where to get it', async () => {
    const r = await doctor(tools({flux: null}))
    expect(r.exitCode).to.equal(3)
    const flux = byName(r.json<DoctorDoc>()).flux
    expect(flux?.status).to.equal('fail')
    expect(flux?.detail).to.include('not found on PATH')
  })

  it('fails when terraform is too old for S3-native locking', async () => {
    const r = await doctor(tools({terraform: {stdout: '{"terraform_version":"1.9.8"}'}}))
    expect(r.exitCode).to.equal(3)
    expect(byName(r.json<DoctorDoc>()).terraform?.detail).to.match(/1\.9\.8 is not >=1\.10\.0/)
  })

  it('fails when flux is 0.x', async () => {
    const r = await doctor(tools({flux: {stdout: 'flux version 0.41.2\n'}}))
    expect(r.exitCode).to.equal(3)
    expect(byName(r.json<DoctorDoc>()).flux?.status).to.equal('fail')
  })

  it('fails the account check when the caller is not the environment account', async () => {
    const r = await doctor(tools(), ['-e', 'production'])
    expect(r.exitCode).to.equal(3)
    expect(byName(r.json<DoctorDoc>())['aws-account']?.detail).to.equal(
      `caller is account ${MOTO_ACCOUNT}, but production is account 999999999999`,
    )
  })

  it('reports a broken config as a failed check instead of refusing to run', async () => {
    const stubs = tools()
    const cwd = mkdtempSync(join(tmpdir(), 'piksel-doctor-'))
    writeFileSync(join(cwd, 'piksel.config.yaml'), 'region: mars-1\n')
    const r = await runPiksel(['doctor', '--json'], {env: isolatedEnv({...moto.env, PATH: `${stubs.dir}:/bin`}), cwd})
    expect(r.exitCode).to.equal(3)
    expect(byName(r.json<DoctorDoc>()).config?.detail).to.include('region: must look like an AWS region')
  })

  it('runs the checks concurrently', async function () {
    // No clock: each tool stub answers only once all five have started, so only
    // concurrent probes can all pass. Probed one after another, the first stub waits
    // alone, gives up after 10 s (under doctor's 15 s probe timeout) and fails its check.
    this.timeout(90_000)
    const names = Object.keys(GOOD)
    const together = Object.fromEntries(
      names.map((name) => [name, {...GOOD[name], rendezvous: {count: names.length, giveUpSeconds: 10}}]),
    )
    const stubs = tools(together)
    const r = await doctor(stubs, [], {}, 80_000)
    const checks = byName(r.json<DoctorDoc>())
    for (const name of names) expect(checks[name]?.status, `${name}: ${checks[name]?.detail}`).to.equal('pass')
    expect(stubs.ended()).to.equal(names.length)
  })

  it('prints a table for people', async () => {
    const stubs = tools()
    const r = await runPiksel(['doctor'], {env: isolatedEnv({...moto.env, PATH: `${stubs.dir}:/bin`})})
    expect(r.stdout).to.match(/^CHECK\s+STATUS\s+DETAIL/)
    expect(r.stdout).to.match(/terraform\s+pass\s+1\.11\.4/)
    expect(r.stdout).to.match(/ready: 0 failed/)
  })
})

interface EnvironmentsDoc {
  environments: Array<{env: string; result?: DoctorDoc; error?: {code: string; message: string; hint: string | null}}>
  warnings?: string[]
}
type Check = DoctorDoc['checks'][number] & {code?: string}

describe('piksel doctor --all-envs', function () {
  let moto: Moto
  let kube: Rendezvous
  before(async function () {
    moto = await startMoto(this)
    // The account has the Spot service-linked role Karpenter needs (doctor's spot-role check).
    await createAwsSpotRole(moto)
  })
  after(async () => moto?.stop())
  afterEach(async () => kube?.stop())

  /**
   * A HOME whose AWS config has one static-key profile per environment, each pointing at
   * moto (by AWS_ENDPOINT_URL), and no credentials in the environment: each environment
   * reaches AWS only through its own profile. A kubeconfig whose contexts `piksel-<env>`
   * point at `servers[env]` (a closed port where none is given: unreachable).
   */
  function setup(config: string, servers: Record<string, string>, extra: Record<string, string> = {}) {
    const cwd = mkdtempSync(join(tmpdir(), 'piksel-doctor-all-'))
    writeFileSync(join(cwd, 'piksel.config.yaml'), config)
    const stubs = tools()
    const env = isolatedEnv({AWS_ENDPOINT_URL: moto.endpoint, PATH: `${stubs.dir}:/bin`, ...extra})
    mkdirSync(join(env.HOME!, '.aws'), {recursive: true})
    const profiles = ['dev-piksel', 'staging-piksel', 'prod-piksel']
    writeFileSync(
      env.AWS_SHARED_CREDENTIALS_FILE!,
      profiles.map((p) => `[${p}]\naws_access_key_id = testing\naws_secret_access_key = testing\n`).join(''),
    )
    writeFileSync(env.AWS_CONFIG_FILE!, profiles.map((p) => `[profile ${p}]\n`).join(''))
    const names = ['dev', 'staging', 'production']
    const kubeconfig = join(cwd, 'kubeconfig')
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        ...names.flatMap((n) => [`- name: ${n}`, '  cluster:', `    server: ${servers[n] ?? 'http://127.0.0.1:9'}`]),
        'users:',
        '- name: u',
        '  user:',
        '    token: standin-token',
        'contexts:',
        ...names.flatMap((n) => [`- name: piksel-${n}`, '  context:', `    cluster: ${n}`, '    user: u']),
        'current-context: piksel-dev',
        '',
      ].join('\n'),
    )
    env.KUBECONFIG = kubeconfig
    return {cwd, env}
  }
  const byName = (result: DoctorDoc | undefined): Record<string, Check> =>
    Object.fromEntries((result?.checks ?? []).map((c) => [c.name, c]))
  const version = () => ({status: 200, body: {major: '1', minor: '32', gitVersion: 'v1.32.4-eks'}})

  it('checks every environment concurrently, each with its own profile and region (all green: exit 0)', async function () {
    // No clock: the API answers /version only once both environments' probes are in flight;
    // run one after another, the first probe waits alone, gets a 503 after 10 s and warns.
    this.timeout(60_000)
    kube = await Rendezvous.start({count: 2, giveUpMs: 10_000, answer: version})
    const {cwd, env} = setup(
      `environments:\n  dev:\n    account: "${MOTO_ACCOUNT}"\n  staging:\n    account: "${MOTO_ACCOUNT}"\n    region: eu-west-1\n`,
      {dev: kube.url, staging: kube.url},
      // The shell's profile would send both environments to one account: ignored, and said.
      {AWS_PROFILE: 'prod-piksel'},
    )
    const r = await runPiksel(['doctor', '--all-envs', '--json'], {env, cwd, timeout: 50_000})
    expect(r.exitCode, r.stdout + r.stderr).to.equal(0)
    const doc = r.json<EnvironmentsDoc>()
    expect(doc.environments.map((e) => e.env)).to.deep.equal(['dev', 'staging'])
    for (const [name, profile, region] of [
      ['dev', 'dev-piksel', 'ap-southeast-3'],
      ['staging', 'staging-piksel', 'eu-west-1'],
    ] as const) {
      const entry = doc.environments.find((e) => e.env === name)
      expect(Object.keys(entry ?? {})).to.deep.equal(['env', 'result'])
      expect(entry?.result?.env).to.equal(name)
      // The result is doctor -e <env>'s document: every check, the machine's included.
      expect(entry?.result?.checks.map((c) => c.name)).to.deep.equal([
        'node',
        'terraform',
        'flux',
        'kubectl',
        'aws',
        'git',
        'aws-credentials',
        'aws-account',
        'kube-context',
        'ci-role',
        'spot-role',
        'dns-zone',
        'config',
      ])
      // The CI role and the DNS zone are not configured here: a warning each, never a failure.
      const notConfigured = new Set(['ci-role', 'dns-zone'])
      for (const check of entry?.result?.checks ?? [])
        expect(check.status, `${name} ${check.name}: ${check.detail}`).to.equal(
          notConfigured.has(check.name) ? 'warn' : 'pass',
        )
      const checks = byName(entry?.result)
      expect(checks['aws-credentials']?.detail).to.equal(
        `arn:aws:sts::${MOTO_ACCOUNT}:user/moto (profile ${profile}, region ${region})`,
      )
      expect(checks['kube-context']?.detail).to.include(`piksel-${name}: API ${kube.url}`)
    }
    expect(kube.arrived).to.deep.equal(['GET /version', 'GET /version'])
    expect(kube.gaveUp).to.equal(0)
    expect(doc.warnings).to.deep.equal([
      'AWS_PROFILE=prod-piksel in the shell is ignored under --all-envs: each environment uses its own profile.',
    ])
  })

  it('a profile not configured on this machine: the failed check’s hint names the config key, not --profile (exit 3)', async function () {
    this.timeout(60_000)
    kube = await Rendezvous.start({count: 1, giveUpMs: 10_000, answer: version})
    const {cwd, env} = setup('environments:\n  dev: {}\n  production:\n    profile: nowhere-piksel\n', {
      dev: kube.url,
      production: kube.url,
    })
    const r = await runPiksel(['doctor', '--all-envs', '--json'], {env, cwd, timeout: 50_000})
    expect(r.exitCode, r.stderr).to.equal(3)
    const production = byName(r.json<EnvironmentsDoc>().environments[1]?.result)
    expect(production['aws-credentials']).to.deep.equal({
      name: 'aws-credentials',
      status: 'fail',
      detail: `AWS profile "nowhere-piksel" is not configured on this machine. Run \`aws configure sso --profile nowhere-piksel\`, or set environments.production.profile in ${join(cwd, 'piksel.config.yaml')} to a profile configured on this machine.`,
      code: 'PROFILE_NOT_FOUND',
    })
    // So do the account checks that could not be made for it (before: "or pass another --profile.").
    expect(production['spot-role']).to.deep.equal({
      name: 'spot-role',
      status: 'warn',
      detail: `could not check: AWS profile "nowhere-piksel" is not configured on this machine. Run \`aws configure sso --profile nowhere-piksel\`, or set environments.production.profile in ${join(cwd, 'piksel.config.yaml')} to a profile configured on this machine.`,
      code: 'PROFILE_NOT_FOUND',
    })
    // Every check that carries an error's words: none names what --all-envs refuses or ignores.
    const errors = (r.json<EnvironmentsDoc>().environments[1]?.result?.checks ?? []).filter((c: Check) => c.code)
    expect(errors.map((c) => c.name)).to.include.members(['aws-credentials', 'spot-role'])
    for (const check of errors) expect(refusedIn(check.detail), `${check.name}: ${check.detail}`).to.deep.equal([])
    // doctor -e production says what -e lets the user do: --profile.
    const alone = await runPiksel(['doctor', '-e', 'production', '--json'], {env, cwd, timeout: 50_000})
    expect(byName(alone.json<DoctorDoc>())['aws-credentials']?.detail).to.include('or pass another --profile.')
    expect(byName(alone.json<DoctorDoc>())['spot-role']?.detail).to.include('or pass another --profile.')
  })

  it('one environment in the wrong account and one unreachable never hide the others (exit 3)', async function () {
    this.timeout(60_000)
    kube = await Rendezvous.start({count: 1, giveUpMs: 10_000, answer: version})
    const {cwd, env} = setup(
      [
        'environments:',
        '  dev:',
        `    account: "${MOTO_ACCOUNT}"`,
        '  staging:',
        `    account: "${MOTO_ACCOUNT}"`,
        '  production:',
        '    account: "999999999999"',
        '',
      ].join('\n'),
      // staging's cluster is unreachable (a closed port); production's answers.
      {dev: kube.url, production: kube.url},
    )
    const r = await runPiksel(['doctor', '--all-envs', '--json'], {env, cwd, timeout: 50_000})
    expect(r.exitCode, r.stderr).to.equal(3)
    const doc = r.json<EnvironmentsDoc>()
    expect(doc.environments.map((e) => e.env)).to.deep.equal(['dev', 'staging', 'production'])
    const [dev, staging, production] = doc.environments.map((e) => byName(e.result))
    for (const check of Object.values(dev ?? {}))
      expect(check.status, `dev ${check.name}`).to.equal(['ci-role', 'dns-zone'].includes(check.name) ? 'warn' : 'pass')
    expect(staging?.['aws-account']?.status).to.equal('pass')
    expect(staging?.['kube-context']).to.include({status: 'warn', code: 'NETWORK'})
    expect(production?.['aws-account']).to.deep.equal({
      name: 'aws-account',
      status: 'fail',
      detail: `caller is account ${MOTO_ACCOUNT}, but production is account 999999999999`,
      code: 'ACCOUNT_MISMATCH',
    })
    expect(production?.['kube-context']?.status).to.equal('pass')

    // For people: one table with an ENV column, the machine's checks once, a verdict per environment.
    const human = await runPiksel(['doctor', '--all-envs'], {env, cwd, timeout: 50_000})
    expect(human.exitCode).to.equal(3)
    const lines = human.stdout.split('\n')
    expect(lines[0]).to.match(/^ENV\s+CHECK\s+STATUS\s+DETAIL$/)
    expect(lines.filter((l) => l.startsWith('(all) ')).map((l) => l.split(/\s+/)[1])).to.deep.equal([
      'node',
      'terraform',
      'flux',
      'kubectl',
      'aws',
      'git',
      'config',
    ])
    expect(human.stdout).to.match(
      /^staging\s+kube-context\s+warn\s+Kubernetes API at http:\/\/127\.0\.0\.1:9 is not reachable/m,
    )
    expect(human.stdout).to.match(
      /^production\s+aws-account\s+fail\s+caller is account 123456789012, but production is account 999999999999$/m,
    )
    expect(lines.slice(-3)).to.deep.equal([
      // ci-role and dns-zone are not configured: a warning each in every environment.
      'dev: ready: 0 failed, 2 warnings, 11 passed',
      'staging: ready: 0 failed, 3 warnings, 10 passed',
      'production: not ready: 1 failed, 2 warnings, 10 passed',
    ])
  })

  it('the kube-context probe’s exec credential plugin gets each environment’s profile and region, never the shell’s', async function () {
    this.timeout(60_000)
    const standin = await KubeStandin.start({objects: []})
    try {
      const stubs = tools({
        // `aws --version` for the tool check; `aws eks get-token` for the kubeconfig's users.
        aws: (argv: string[]) =>
          argv.includes('get-token')
            ? {
                stdout:
                  '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"k8s-aws-v1.standin"}}',
              }
            : {stderr: 'aws-cli/1.45.11 Python/3.11.7 Linux/6 botocore/1.43.11\n'},
      })
      const {cwd, env} = setup(
        `environments:\n  dev:\n    account: "${MOTO_ACCOUNT}"\n  staging:\n    account: "${MOTO_ACCOUNT}"\n    region: eu-west-1\n`,
        {dev: standin.url, staging: standin.url},
        {AWS_PROFILE: 'prod-piksel', AWS_REGION: 'ap-southeast-3', PATH: `${stubs.dir}:/bin`},
      )
      // Users as `aws eks update-kubeconfig` writes them: an `aws eks get-token` exec per cluster.
      const kubeconfig = readFileSync(env.KUBECONFIG!, 'utf8').replace(
        /users:\n- name: u\n {2}user:\n {4}token: standin-token\n/,
        [
          'users:',
          '- name: u',
          '  user:',
          '    exec:',
          '      apiVersion: client.authentication.k8s.io/v1beta1',
          '      command: aws',
          '      args: [--region, ap-southeast-3, eks, get-token, --output, json]',
          '      interactiveMode: Never',
          '',
        ].join('\n'),
      )
      expect(kubeconfig).to.include('get-token')
      writeFileSync(env.KUBECONFIG!, kubeconfig)
      const r = await runPiksel(['doctor', '--all-envs', '--json'], {env, cwd, timeout: 50_000})
      const doc = r.json<EnvironmentsDoc>()
      for (const entry of doc.environments)
        expect(byName(entry.result)['kube-context']?.status, `${entry.env}: ${r.stdout}`).to.equal('pass')
      const plugin = stubs
        .calls('aws')
        .filter((c) => c.argv.includes('get-token'))
        .map((c) => `${c.env.AWS_PROFILE ?? '-'} ${c.env.AWS_REGION ?? '-'}`)
        .sort()
      expect(plugin).to.deep.equal(['dev-piksel ap-southeast-3', 'staging-piksel eu-west-1'])
    } finally {
      await standin.stop()
    }
  })

  it('PIKSEL_ENV in the shell does not narrow --all-envs', async function () {
    this.timeout(60_000)
    kube = await Rendezvous.start({count: 1, giveUpMs: 10_000, answer: version})
    const {cwd, env} = setup(
      'environments:\n  dev: {}\n  staging: {}\n',
      {dev: kube.url, staging: kube.url},
      {
        PIKSEL_ENV: 'staging',
      },
    )
    const r = await runPiksel(['doctor', '--all-envs', '--json'], {env, cwd, timeout: 50_000})
    expect(r.json<EnvironmentsDoc>().environments.map((e) => e.env)).to.deep.equal(['dev', 'staging'])
  })

  describe('bad usage is exit 2, before any environment is checked', () => {
    const config = `environments:\n  dev: {}\n  staging: {}\n`
    const cases: Array<[string, string[], string | null, string, string]> = [
      ['-e with --all-envs', ['-e', 'staging'], config, 'CONFLICTING_FLAGS', '-e/--env'],
      ['--env= with --all-envs', ['--env=staging'], config, 'CONFLICTING_FLAGS', '-e/--env'],
      ['--profile with --all-envs', ['--profile', 'dev-piksel'], config, 'CONFLICTING_FLAGS', '--profile'],
      ['--region with --all-envs', ['--region', 'eu-west-1'], config, 'CONFLICTING_FLAGS', '--region'],
      ['no config file', [], null, 'ALL_ENVS_NO_CONFIG', 'piksel init'],
      ['a config with no environments', [], 'environments: {}\n', 'NO_ENVIRONMENTS', 'environments:'],
      // doctor alone reports a broken config as a check; --all-envs cannot know the environments.
      ['a broken config', [], 'region: mars-1\n', 'CONFIG', 'region'],
    ]
    for (const [what, args, text, code, named] of cases) {
      it(`${what} → ${code}`, async () => {
        const cwd = mkdtempSync(join(tmpdir(), 'piksel-doctor-all-'))
        if (text !== null) writeFileSync(join(cwd, 'piksel.config.yaml'), text)
        const stubs = tools()
        const env = isolatedEnv({...moto.env, PATH: `${stubs.dir}:/bin`})
        const r = await runPiksel(['doctor', '--all-envs', '--json', ...args], {env, cwd})
        expect(r.exitCode, r.stdout).to.equal(2)
        const {error} = r.json<{error: {code: string; message: string; hint: string}}>()
        expect(error.code).to.equal(code)
        expect(`${error.message} ${error.hint}`).to.include(named)
        // Refused before anything ran: no tool was probed.
        expect(stubs.calls()).to.deep.equal([])
      })
    }
  })
})
