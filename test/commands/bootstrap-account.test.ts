/**
 * The account steps (oidc, spot-role, dns) and doctor's account checks through the built
 * binary, as CI runs it (no TTY), against moto_server: the config is validated before anything
 * is written, the JSON step details carry the ARNs and the delegation, a re-run changes nothing.
 */
import {expect} from 'chai'
import {execa} from 'execa'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {type Socket, createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {BIN, isolatedEnv, runPiksel} from '../support/cli.ts'
import {iamClient, route53Client} from '../support/iam.ts'
import {MOTO_ACCOUNT, type Moto, startMoto} from '../support/moto.ts'
import {StubBin} from '../support/stubs.ts'

const ROLE_ARN = `arn:aws:iam::${MOTO_ACCOUNT}:role/piksel-staging-terraform`
const PROVIDER_ARN = `arn:aws:iam::${MOTO_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`
const POLICY = 'arn:aws:iam::aws:policy/PowerUserAccess'
const ZONE = 'staging.piksel.example.org'

interface Summary {
  changed: boolean
  steps: Array<{id: string; status: string; detail: string; details?: Record<string, unknown>}>
}
interface ErrorDoc {
  error: {code: string; message: string; hint: string}
}

function config(over: {repository?: string; policies?: string; zone?: string; role?: string} = {}): string {
  const repository = over.repository ?? 'piksel-ina/piksel-infra'
  const policies = over.policies ?? `[${POLICY}]`
  const ci = [
    ...(over.role ? [`      role: ${JSON.stringify(over.role)}`] : []),
    ...(policies === 'none' ? [] : [`      policies: ${policies}`]),
  ]
  return [
    'ci:',
    `  repository: ${JSON.stringify(repository)}`,
    'environments:',
    '  staging:',
    `    account: "${MOTO_ACCOUNT}"`,
    ...(ci.length > 0 ? ['    ci:', ...ci] : []),
    '    dns:',
    `      zone: ${JSON.stringify(over.zone ?? ZONE)}`,
    '',
  ].join('\n')
}

describe('piksel bootstrap: the account steps (binary)', function () {
  this.timeout(120_000)
  let moto: Moto
  const stubs = new StubBin()

  before(async function () {
    moto = await startMoto(this, {env: {MOTO_IAM_LOAD_MANAGED_POLICIES: 'true'}})
    // doctor probes these; they answer with good versions.
    stubs.add('terraform', {stdout: '{"terraform_version":"1.11.4"}'})
    stubs.add('flux', {stdout: 'flux: v2.6.0\n'})
    stubs.add('kubectl', {stdout: '{"clientVersion":{"gitVersion":"v1.32.4"}}'})
    stubs.add('aws', {stdout: 'aws-cli/2.15.0 Python/3.11.6 Linux/6 exe/x86_64\n'})
    stubs.add('git', {stdout: 'git version 2.39.5\n'})
  })
  after(async () => moto?.stop())
  beforeEach(async () => moto.reset())

  function run(args: string[], text: string) {
    const cwd = mkdtempSync(join(tmpdir(), 'piksel-account-'))
    writeFileSync(join(cwd, 'piksel.config.yaml'), text)
    return runPiksel(args, {
      env: isolatedEnv({...moto.env, KUBECONFIG: join(cwd, 'kubeconfig')}),
      cwd,
      path: [stubs.dir],
    })
  }
  const bootstrap = (args: string[], text = config()) =>
    run(['bootstrap', '-e', 'staging', '--only', 'oidc,spot-role,dns', '--json', ...args], text)

  /** Everything an account step could have written, read with the tests' own clients. */
  async function written() {
    const iam = await import('@aws-sdk/client-iam')
    const r53 = await import('@aws-sdk/client-route-53')
    const i = await iamClient(moto)
    const z = await route53Client(moto)
    try {
      return {
        providers: (await i.send(new iam.ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? [],
        roles: ((await i.send(new iam.ListRolesCommand({}))).Roles ?? []).map(
          (r) => `${r.RoleName} ${r.CreateDate?.toISOString()}`,
        ),
        zones: ((await z.send(new r53.ListHostedZonesCommand({}))).HostedZones ?? []).map((h) => h.Name),
      }
    } finally {
      i.destroy()
      z.destroy()
    }
  }

  async function delegatedZone() {
    const r53 = await import('@aws-sdk/client-route-53')
    const z = await route53Client(moto)
    try {
      const parent = await z.send(new r53.CreateHostedZoneCommand({Name: 'piksel.example.org', CallerReference: 'p'}))
      const zone = await z.send(new r53.CreateHostedZoneCommand({Name: ZONE, CallerReference: 'z'}))
      await z.send(
        new r53.ChangeResourceRecordSetsCommand({
          HostedZoneId: parent.HostedZone!.Id!,
          ChangeBatch: {
            Changes: [
              {
                Action: 'CREATE',
                ResourceRecordSet: {
                  Name: ZONE,
                  Type: 'NS',
                  TTL: 300,
                  ResourceRecords: zone.DelegationSet!.NameServers!.map((Value) => ({Value})),
                },
              },
            ],
          },
        }),
      )
      return {
        zoneId: zone.HostedZone!.Id!.replace('/hostedzone/', ''),
        parentId: parent.HostedZone!.Id!.replace('/hostedzone/', ''),
      }
    } finally {
      z.destroy()
    }
  }

  const badInput: Array<[string, Parameters<typeof config>[0], RegExp]> = [
    ['a repository without an owner', {repository: 'piksel-ina'}, /ci\.repository: must be a GitHub repository/],
    ['a repository with two slashes', {repository: 'a/b/c'}, /ci\.repository: must be a GitHub repository/],
    ['a wildcard owner', {repository: '*/x'}, /ci\.repository: must be a GitHub repository/],
    ['a wildcard repository', {repository: 'piksel-ina/*'}, /ci\.repository: must be a GitHub repository/],
    [
      'a repository URL, not owner/name',
      {repository: 'https://github.com/piksel-ina/piksel-infra'},
      /ci\.repository: must be a GitHub repository/,
    ],
    ['a repository named ..', {repository: 'piksel-ina/..'}, /ci\.repository: must be a GitHub repository/],
    [
      'an empty label in the zone',
      {zone: 'staging..example.org'},
      /environments\.staging\.dns\.zone: must be a DNS zone name/,
    ],
    ['a wildcard zone', {zone: '*.example.org'}, /environments\.staging\.dns\.zone: must be a DNS zone name/],
    ['a one-label zone', {zone: 'staging'}, /environments\.staging\.dns\.zone: must be a DNS zone name/],
    [
      'a policy name, not an ARN',
      {policies: '[PowerUserAccess]'},
      /environments\.staging\.ci\.policies\.0: must be an IAM managed policy ARN/,
    ],
    [
      'a role ARN as a policy',
      {policies: '["arn:aws:iam::aws:role/Admin"]'},
      /environments\.staging\.ci\.policies\.0: must be an IAM managed policy ARN/,
    ],
    [
      'an empty policy list',
      {policies: '[]'},
      /environments\.staging\.ci\.policies: list at least one managed policy ARN/,
    ],
    ['a role name with a slash', {role: 'ci/terraform'}, /environments\.staging\.ci\.role: must be an IAM role name/],
  ]
  for (const [what, over, message] of badInput) {
    it(`${what}: exit 2 (CONFIG), nothing written`, async () => {
      const r = await bootstrap(['--yes'], config(over))
      expect(r.exitCode, r.stderr).to.equal(2)
      const {error} = r.json<ErrorDoc>()
      expect(error.code).to.equal('CONFIG')
      expect(error.message).to.match(message)
      expect(await written()).to.deep.equal({providers: [], roles: [], zones: []})
    })
  }

  it('a configured account: creates the provider, the role and the Spot role, checks the zone; a re-run is already done', async () => {
    const {zoneId, parentId} = await delegatedZone()
    const r = await bootstrap(['--yes'])
    expect(r.exitCode, r.stderr).to.equal(0)
    const summary = r.json<Summary>()
    expect(summary.steps.filter((s) => s.status !== 'skipped').map((s) => [s.id, s.status])).to.deep.equal([
      ['identity', 'done'],
      ['oidc', 'done'],
      ['spot-role', 'done'],
      ['dns', 'already-done'],
    ])
    const step = (id: string) => summary.steps.find((s) => s.id === id)!
    expect(step('oidc').details).to.include({providerArn: PROVIDER_ARN, roleArn: ROLE_ARN})
    expect(step('oidc').detail).to.include(`role-to-assume: ${ROLE_ARN}`)
    expect(step('dns').details).to.deep.include({zoneId, parentZoneId: parentId})
    expect((step('dns').details!.delegation as {state: string}).state).to.equal('match')
    expect(summary.changed).to.equal(true)
    const after = await written()
    expect(after.providers.map((p) => p.Arn)).to.deep.equal([PROVIDER_ARN])

    const doctor = await run(['doctor', '-e', 'staging', '--json'], config())
    const checks = Object.fromEntries(
      doctor.json<{checks: Array<{name: string; status: string; detail: string}>}>().checks.map((c) => [c.name, c]),
    )
    expect(checks['ci-role']?.status, checks['ci-role']?.detail).to.equal('pass')
    expect(checks['dns-zone']?.status, checks['dns-zone']?.detail).to.equal('pass')
    // moto names the Spot role AWSServiceRoleForspot (test/support/iam.ts): doctor, asking for AWS's name, says missing.
    expect(checks['spot-role']?.status).to.equal('fail')

    const again = await bootstrap(['--yes', '--skip', 'spot-role'])
    expect(again.exitCode, again.stderr).to.equal(0)
    const second = again.json<Summary>()
    expect(second.steps.find((s) => s.id === 'oidc')?.status).to.equal('already-done')
    expect(second.changed).to.equal(false)
    expect(await written()).to.deep.equal(after)
  })

  it('--dry-run: planned, nothing written; without --yes and a terminal: exit 2 naming --yes, nothing written', async () => {
    const dry = await bootstrap(['--dry-run', '--skip', 'dns'])
    expect(dry.exitCode, dry.stderr).to.equal(0)
    const steps = dry.json<Summary>().steps
    expect(steps.find((s) => s.id === 'oidc')?.status).to.equal('planned')
    expect(steps.find((s) => s.id === 'spot-role')?.status).to.equal('planned')
    expect(await written()).to.deep.equal({providers: [], roles: [], zones: []})

    const unconfirmed = await bootstrap(['--skip', 'dns'])
    expect(unconfirmed.exitCode, unconfirmed.stderr).to.equal(2)
    expect(unconfirmed.json<ErrorDoc>().error.hint).to.include('--yes')
    expect(await written()).to.deep.equal({providers: [], roles: [], zones: []})
  })

  it('missing policies: exit 2 naming environments.staging.ci.policies before any write', async () => {
    const r = await bootstrap(['--yes'], config({policies: 'none'}))
    expect(r.exitCode, r.stderr).to.equal(2)
    const {error} = r.json<ErrorDoc>()
    expect(error.code).to.equal('CI_POLICIES_MISSING')
    expect(error.message).to.include('environments.staging.ci.policies')
    expect(error.hint).to.include('piksel bootstrap -e staging --from oidc')
    expect(await written()).to.deep.equal({providers: [], roles: [], zones: []})
  })

  it('a policy ARN that does not exist: exit 2 before any write', async () => {
    const r = await bootstrap(['--yes'], config({policies: `["arn:aws:iam::${MOTO_ACCOUNT}:policy/nope"]`}))
    expect(r.exitCode, r.stderr).to.equal(2)
    expect(r.json<ErrorDoc>().error.code).to.equal('CI_POLICY_NOT_FOUND')
    expect(await written()).to.deep.equal({providers: [], roles: [], zones: []})
  })

  const elsewhere: Array<[string, string]> = [
    ['another account’s policy', 'arn:aws:iam::999999999999:policy/terraform-ci'],
    ['another partition’s policy', 'arn:aws-cn:iam::aws:policy/PowerUserAccess'],
  ]
  for (const [what, arn] of elsewhere) {
    it(`${what}: exit 2 (CI_POLICY_ELSEWHERE) before any write; doctor fails ci-role`, async () => {
      const text = config({policies: `[${POLICY}, "${arn}"]`})
      const r = await bootstrap(['--yes'], text)
      expect(r.exitCode, r.stderr).to.equal(2)
      const {error} = r.json<ErrorDoc>()
      expect(error.code).to.equal('CI_POLICY_ELSEWHERE')
      expect(error.message).to.include(arn).and.not.to.include(POLICY)
      expect(await written()).to.deep.equal({providers: [], roles: [], zones: []})
      const doctor = await run(['doctor', '-e', 'staging', '--json'], text)
      const check = doctor.json<{checks: Array<{name: string; status: string; code?: string}>}>().checks
      expect(check.find((c) => c.name === 'ci-role')).to.deep.include({status: 'fail', code: 'CI_POLICY_ELSEWHERE'})
    })
  }

  for (const [step, service] of [
    ['oidc', 'IAM'],
    ['dns', 'ROUTE_53'],
    // The quota step's check (Service Quotas) is read-only too.
    ['quota', 'SERVICE_QUOTAS'],
  ] as const) {
    it(`Ctrl-C while ${step} waits on ${service.replaceAll('_', ' ')}: exit 130 at once with the resume hint, not after the request timeout`, async () => {
      // An endpoint that reads the request and never answers; the request timeout is far away (10 min).
      const sockets = new Set<Socket>()
      const silent = createServer((socket) => {
        sockets.add(socket)
        socket.on('data', () => {})
      })
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
      const address = silent.address()
      const port = typeof address === 'object' && address ? address.port : 0
      const cwd = mkdtempSync(join(tmpdir(), 'piksel-account-'))
      writeFileSync(join(cwd, 'piksel.config.yaml'), config())
      const child = execa(
        process.execPath,
        [BIN, 'bootstrap', '-e', 'staging', '--only', step, '--yes', '--request-timeout', '10m'],
        {
          env: isolatedEnv({
            ...moto.env,
            KUBECONFIG: join(cwd, 'kubeconfig'),
            [`AWS_ENDPOINT_URL_${service}`]: `http://127.0.0.1:${port}`,
          }),
          extendEnv: false,
          reject: false,
          stdin: 'ignore',
          cwd,
          // Without the fix the run waits out the 10 min request timeout: the test's own bound ends it.
          timeout: 60_000,
        },
      )
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('the step never called AWS')), 30_000)
          silent.on('connection', () => {
            clearTimeout(timer)
            setTimeout(resolve, 300)
          })
        })
        child.kill('SIGINT')
        const result = await child
        expect(result.timedOut, 'still waiting on the silent endpoint').to.equal(false)
        expect(result.exitCode, String(result.stderr)).to.equal(130)
        expect(String(result.stderr)).to.include('Interrupted.')
        expect(String(result.stderr)).to.include(`Hint: Resume with: piksel bootstrap -e staging --from ${step}`)
        expect(await written()).to.deep.equal({providers: [], roles: [], zones: []})
      } finally {
        child.kill('SIGKILL')
        for (const socket of sockets) socket.destroy()
        await new Promise<void>((resolve) => silent.close(() => resolve()))
      }
    })
  }

  it('the zone missing: exit 3 (DNS_ZONE_MISSING); doctor fails dns-zone read-only', async () => {
    const r = await run(['bootstrap', '-e', 'staging', '--only', 'dns', '--json'], config())
    expect(r.exitCode, r.stderr).to.equal(3)
    expect(r.json<ErrorDoc>().error.code).to.equal('DNS_ZONE_MISSING')
    const doctor = await run(['doctor', '-e', 'staging', '--json'], config())
    expect(doctor.exitCode).to.equal(3)
    const check = doctor
      .json<{checks: Array<{name: string; status: string}>}>()
      .checks.find((c) => c.name === 'dns-zone')
    expect(check?.status).to.equal('fail')
    expect(await written()).to.deep.equal({providers: [], roles: [], zones: []})
  })
})
