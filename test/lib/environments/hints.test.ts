/**
 * The hint of an --all-envs error row (lib/environments/hints.ts): never a flag --all-envs
 * refuses (-e, --profile, --region, --context, ...) nor a shell variable it ignores
 * (AWS_PROFILE, AWS_REGION); the environment's config keys instead. Table-driven over every
 * error code an environment's row can carry, each made by the code that makes it in a run
 * (the AWS error mapper, the account guard, the kubeconfig loader, the kube client, the Flux
 * discovery against the Kubernetes stand-in).
 */
import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describeAwsError} from '../../../src/lib/aws/errors.ts'
import {assertAccount} from '../../../src/lib/aws/identity.ts'
import type {AwsSession} from '../../../src/lib/aws/session.ts'
import {type EnvironmentTarget, allEnvsHint, refusedIn} from '../../../src/lib/environments/hints.ts'
import {PikselError} from '../../../src/lib/errors.ts'
import {KubeClient, apiError} from '../../../src/lib/kube/client.ts'
import {loadKubeConfig, noKubeconfigError, pluginFailed} from '../../../src/lib/kube/config.ts'
import {environmentContext} from '../../../src/lib/kube/context.ts'
import {FluxCluster} from '../../../src/lib/status/cluster.ts'
import {KubeStandin} from '../../support/kube-standin.ts'

const FILE = '/work/piksel.config.yaml'
const production: EnvironmentTarget = {
  name: 'production',
  file: FILE,
  profile: 'prod-piksel',
  account: '999999999999',
  region: 'ap-southeast-3',
  cluster: 'piksel-production',
}
/** CI: the credentials come from the environment, no profile. */
const fromEnvironment: EnvironmentTarget = {...production, profile: undefined}
const withProfile: AwsSession = {region: 'ap-southeast-3', profile: 'prod-piksel', profileSource: 'config'}
const withoutProfile: AwsSession = {region: 'ap-southeast-3', profileSource: 'environment'}

async function rejection(make: () => Promise<unknown> | unknown): Promise<PikselError> {
  try {
    await make()
  } catch (error) {
    expect(error).to.be.instanceOf(PikselError)
    return error as PikselError
  }
  throw new Error('it did not fail')
}

/** SDK-shaped failures, one per kind the AWS error mapper knows. */
const AWS_FAILURES: Array<[string, object]> = [
  ['TIMEOUT', {name: 'TimeoutError', message: 'socket timed out'}],
  ['NETWORK', {name: 'Error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1'}],
  ['SSO_EXPIRED', {name: 'UnauthorizedException', message: 'Session token not found or invalid', $metadata: {}}],
  ['CREDENTIALS_EXPIRED', {name: 'ExpiredTokenException', message: 'expired', $metadata: {httpStatusCode: 403}}],
  ['PROFILE_NOT_FOUND', {name: 'CredentialsProviderError', message: 'Profile prod-piksel could not be found'}],
  ['NO_CREDENTIALS', {name: 'CredentialsProviderError', message: 'Could not load credentials from any providers'}],
  ['CREDENTIALS_INVALID', {name: 'InvalidClientTokenId', message: 'bad', $metadata: {httpStatusCode: 403}}],
  ['THROTTLED', {name: 'ThrottlingException', message: 'Rate exceeded', $metadata: {httpStatusCode: 400}}],
  [
    'ACCESS_DENIED',
    {
      name: 'AccessDeniedException',
      message: 'User: arn:aws:sts::1:assumed-role/x is not authorized to perform: secretsmanager:ListSecrets',
      $metadata: {httpStatusCode: 400},
    },
  ],
  ['NOT_FOUND', {name: 'ResourceNotFoundException', message: 'no such', $metadata: {httpStatusCode: 400}}],
  ['INVALID_PARAMETER', {name: 'ValidationException', message: 'Invalid MaxResults.', $metadata: {}}],
  ['CONFLICT', {name: 'ResourceExistsException', message: 'exists', $metadata: {httpStatusCode: 400}}],
  ['LIMIT_EXCEEDED', {name: 'QuotaExceededException', message: 'too many', $metadata: {httpStatusCode: 400}}],
  ['AWS_UNAVAILABLE', {name: 'InternalFailure', message: 'oops', $fault: 'server', $metadata: {httpStatusCode: 500}}],
  ['BAD_RESPONSE', {name: 'SyntaxError', message: 'Unexpected token < in JSON', $metadata: {httpStatusCode: 200}}],
  ['AWS_REJECTED', {name: 'SomethingNewException', message: 'new', $metadata: {httpStatusCode: 400}}],
]

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

function kubeconfig(dir: string, server: string, context = 'elsewhere'): string {
  const file = join(dir, 'kubeconfig')
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- {name: c, cluster: {server: '${server}'}}`,
      'users:',
      '- {name: u, user: {token: t}}',
      'contexts:',
      `- {name: ${context}, context: {cluster: c, user: u}}`,
      `current-context: ${context}`,
      '',
    ].join('\n'),
  )
  return file
}

describe('--all-envs: the hint of an environment’s error row', function () {
  this.timeout(30_000)

  describe('refusedIn: what a hint tells the user to use that --all-envs refuses or ignores', () => {
    const cases: Array<[string, string[]]> = [
      ['Use the profile for production (--profile or AWS_PROFILE), or fix it.', ['--profile', 'AWS_PROFILE']],
      ['or choose a context explicitly with --context.', ['--context']],
      ['Check the network, a VPN or proxy, and --region.', ['--region']],
      ['Pass one of the known ones with -e, or define it.', ['-e']],
      ['Pass --env staging, or set PIKSEL_ENV.', ['--env', 'PIKSEL_ENV']],
      ['AWS_REGION and AWS_DEFAULT_REGION are ignored', ['AWS_REGION', 'AWS_DEFAULT_REGION']],
      ['Drop --watch and --reconcile; --request files it', ['--watch', '--reconcile', '--request']],
      // Other flags, and other command lines in backticks, are not advice about this one.
      ['--request-timeout 1m waits longer; check --kubeconfig / KUBECONFIG.', []],
      ['Run `aws sso login --profile prod-piksel`.', []],
      ['Run `aws eks update-kubeconfig --name x --alias x --region ap-southeast-3`.', []],
      ['Create it with `piksel bootstrap -e production --only spot-role`.', []],
      ['the re-run (-e production) names it', ['-e']],
      ['a `--context` flag', ['--context']],
      ['set environments.production.profile in piksel.config.yaml (prod-piksel)', []],
      ['a multi-env-e setup and pre-region naming', []],
    ]
    for (const [hint, expected] of cases) {
      it(`${JSON.stringify(hint)} → ${JSON.stringify(expected)}`, () => {
        expect(refusedIn(hint)).to.deep.equal(expected)
      })
    }
  })

  describe('allEnvsHint by code: the config keys instead of a refused flag', () => {
    const cases: Array<[string, string, EnvironmentTarget, string]> = [
      [
        'ACCOUNT_MISMATCH',
        'Use the profile for production (--profile or AWS_PROFILE), or fix environments.production.account in the config.',
        production,
        'Set environments.production.profile in /work/piksel.config.yaml to a profile of account 999999999999 (it is prod-piksel), or fix environments.production.account if that account is wrong.',
      ],
      [
        'ACCOUNT_MISMATCH',
        'Use the profile for production (--profile or AWS_PROFILE), or fix environments.production.account in the config.',
        fromEnvironment,
        'The credentials in the environment (AWS_ACCESS_KEY_ID, a web identity) are used for every environment under --all-envs and are not account 999999999999: check production with its own credentials, or fix environments.production.account in /work/piksel.config.yaml.',
      ],
      [
        'NO_CONTEXT',
        'Write it with `piksel bootstrap -e production --only kubeconfig` (aws eks update-kubeconfig ...), or choose a context explicitly with --context.',
        production,
        'Write the context with `aws eks update-kubeconfig --name piksel-production --alias piksel-production --region ap-southeast-3 --profile prod-piksel`, or set environments.production.cluster in /work/piksel.config.yaml to the cluster it is named after.',
      ],
      [
        'NETWORK',
        'Check the network, a VPN or proxy, and --region.',
        production,
        'Check the network, a VPN or proxy, AWS_ENDPOINT_URL*, environments.production.region (ap-southeast-3) in /work/piksel.config.yaml, and the server of kube context piksel-production (`kubectl config view --minify --context piksel-production`).',
      ],
      [
        'NO_CREDENTIALS',
        'Run `aws sso login --profile <profile>` and pass --profile, or set AWS_PROFILE (`aws configure sso` creates a profile).',
        fromEnvironment,
        'The credentials in the environment (AWS_ACCESS_KEY_ID, a web identity) are used for every environment under --all-envs: refresh them.',
      ],
      [
        'SSO_EXPIRED',
        'Run `aws sso login --profile <profile>` (the kubeconfig user’s AWS_PROFILE), then retry.',
        production,
        "Run `aws sso login --profile prod-piksel` (production's profile: environments.production.profile in /work/piksel.config.yaml).",
      ],
      [
        'PROFILE_NOT_FOUND',
        'Run `aws configure sso --profile prod-piksel`, or pass another --profile.',
        production,
        'Run `aws configure sso --profile prod-piksel`, or set environments.production.profile in /work/piksel.config.yaml to a profile configured on this machine.',
      ],
      // A hint that names nothing refused is kept word for word: the row says what -e says.
      [
        'SSO_EXPIRED',
        'Run `aws sso login --profile prod-piksel`.',
        production,
        'Run `aws sso login --profile prod-piksel`.',
      ],
      [
        'TIMEOUT',
        'Check the network, VPN or proxy and AWS_ENDPOINT_URL*; --request-timeout 1m waits longer.',
        production,
        'Check the network, VPN or proxy and AWS_ENDPOINT_URL*; --request-timeout 1m waits longer.',
      ],
      // An `aws` command typed as it stands would use the shell's AWS_REGION / AWS_PROFILE, which
      // --all-envs ignores: it is aimed at the environment (before: kept as -e says it).
      [
        'NO_KUBECONFIG',
        'Run `aws eks update-kubeconfig --name piksel-production --alias piksel-production`, or pass --kubeconfig.',
        production,
        'Run `aws eks update-kubeconfig --name piksel-production --alias piksel-production --region ap-southeast-3 --profile prod-piksel`, or pass --kubeconfig.',
      ],
      [
        'NO_KUBECONFIG',
        'Run `aws eks update-kubeconfig --name piksel-production --alias piksel-production`, or pass --kubeconfig.',
        fromEnvironment,
        'Run `aws eks update-kubeconfig --name piksel-production --alias piksel-production --region ap-southeast-3`, or pass --kubeconfig.',
      ],
      [
        'TIMEOUT',
        'Run it yourself to see why (`aws eks get-token --cluster-name x`); an expired SSO session needs `aws sso login`. --request-timeout 1m waits longer.',
        production,
        'Run it yourself to see why (`aws eks get-token --cluster-name x`); an expired SSO session needs `aws sso login --profile prod-piksel`. --request-timeout 1m waits longer.',
      ],
      [
        'NO_CONTEXT',
        'Run `aws eks update-kubeconfig --name x --alias x --region eu-west-1 --profile other`.',
        production,
        'Run `aws eks update-kubeconfig --name x --alias x --region eu-west-1 --profile other`.',
      ],
      // A code with no rule of its own: the environment's keys, never the refused flag.
      [
        'SOMETHING_NEW',
        'Try --region us-east-1.',
        production,
        "Under --all-envs, production's target comes from the config: environments.production.profile (prod-piksel), environments.production.region (ap-southeast-3) and environments.production.cluster (its kube context, piksel-production) in /work/piksel.config.yaml.",
      ],
    ]
    for (const [code, hint, target, expected] of cases) {
      it(`${code}${target.profile ? '' : ' (credentials from the environment)'}: ${hint.slice(0, 60)}…`, () => {
        expect(allEnvsHint({code, hint}, target)).to.equal(expected)
      })
    }
    it('no hint stays none', () => {
      expect(allEnvsHint({code: 'FAILED', hint: null}, production)).to.equal(null)
    })
  })

  describe('every error code an environment’s row can carry, made by the code that makes it', () => {
    let standin: KubeStandin
    let dir: string
    const made: Array<{code: string; hint: string | null; from: string}> = []
    before(async () => {
      standin = await KubeStandin.start({noFlux: true})
      dir = mkdtempSync(join(tmpdir(), 'piksel-hints-'))
      const add = (from: string, error: PikselError) => made.push({code: error.code, hint: error.hint ?? null, from})

      for (const [code, failure] of AWS_FAILURES) {
        for (const session of [withProfile, withoutProfile]) {
          const error = describeAwsError(
            failure,
            session,
            code === 'ACCESS_DENIED' ? 'secretsmanager:ListSecrets' : undefined,
          )
          expect(error.code, `${code} was mapped`).to.equal(code)
          add(`AWS ${code} (${session.profileSource})`, error)
        }
      }
      for (const session of [withProfile, withoutProfile]) {
        add(
          `account guard (${session.profileSource})`,
          await rejection(() =>
            assertAccount({name: 'production', account: '999999999999'}, {account: '123456789012'}, session),
          ),
        )
      }

      // Kube: the environment's context absent (both places that say so), a kubeconfig unreadable.
      const elsewhere = kubeconfig(dir, standin.url)
      add(
        'environmentContext',
        await rejection(() =>
          environmentContext({
            kubeconfig: elsewhere,
            env: {name: 'production', cluster: 'piksel-production', region: 'ap-southeast-3'},
          }),
        ),
      )
      add(
        'loadKubeConfig: no context',
        await rejection(() => loadKubeConfig({kubeconfig: elsewhere, context: 'piksel-production'})),
      )
      const broken = join(dir, 'broken')
      writeFileSync(broken, 'clusters: [: not yaml')
      add('loadKubeConfig: unreadable', await rejection(() => loadKubeConfig({kubeconfig: broken})))
      add('no kubeconfig', noKubeconfigError('piksel-production'))
      // The kube client: a cluster nobody answers on, a server that cannot be used.
      const closed = await loadKubeConfig({kubeconfig: kubeconfig(join(dir), `http://127.0.0.1:${await closedPort()}`)})
      const client = new KubeClient(closed)
      add('kube: unreachable', await rejection(() => client.get('/api/v1/namespaces/flux-system/secrets/x')))
      client.close()
      const {KubeConfig} = await import('@kubernetes/client-node')
      const noServer = new KubeConfig()
      noServer.loadFromOptions({
        clusters: [{name: 'c', server: ''}],
        users: [{name: 'u'}],
        contexts: [{name: 'x', cluster: 'c', user: 'u'}],
        currentContext: 'x',
      })
      add('kube: no server', await rejection(() => new KubeClient(noServer)))
      const badCert = new KubeConfig()
      badCert.loadFromOptions({
        clusters: [{name: 'c', server: 'https://127.0.0.1:1'}],
        users: [{name: 'u', certFile: join(dir, 'absent.crt'), keyFile: join(dir, 'absent.key')}],
        contexts: [{name: 'x', cluster: 'c', user: 'u'}],
        currentContext: 'x',
      })
      add('kube: unusable credentials', await rejection(() => new KubeClient(badCert).get('/version')))
      for (const status of [401, 403, 404, 409, 429, 500, 302]) {
        add(`kube ${status}`, apiError('GET', '/api/v1/namespaces/flux-system/secrets/x', status, '{}'))
      }
      add(
        'exec plugin: SSO',
        pluginFailed('aws eks get-token', 'Error when retrieving token from sso: Token has expired'),
      )
      add('exec plugin: other', pluginFailed('aws eks get-token', 'boom'))
      // Flux discovery on a cluster without Flux.
      const standinConfig = standin.writeKubeconfig(dir, {file: 'standin', context: 'piksel-production'})
      add('status: no Flux', await rejection(() => FluxCluster.open({kubeconfig: standinConfig})))
    })
    after(async () => standin?.stop())

    it('the errors are the ones the table below covers', () => {
      expect([...new Set(made.map((m) => m.code))].sort()).to.deep.equal(
        [
          'ACCESS_DENIED',
          'ACCOUNT_MISMATCH',
          'AWS_REJECTED',
          'AWS_UNAVAILABLE',
          'BAD_RESPONSE',
          'CONFLICT',
          'CREDENTIALS',
          'CREDENTIALS_EXPIRED',
          'CREDENTIALS_INVALID',
          'FLUX_NOT_INSTALLED',
          'INVALID_PARAMETER',
          'KUBECONFIG',
          'KUBE_API',
          'LIMIT_EXCEEDED',
          'NETWORK',
          'NOT_FOUND',
          'NO_CONTEXT',
          'NO_CREDENTIALS',
          'NO_KUBECONFIG',
          'PROFILE_NOT_FOUND',
          'SSO_EXPIRED',
          'THROTTLED',
          'TIMEOUT',
        ].sort(),
      )
    })

    it('some single-environment hints do name refused flags (what the rows must not repeat)', () => {
      const named = made.filter((m) => m.hint && refusedIn(m.hint).length > 0).map((m) => m.code)
      expect([...new Set(named)].sort()).to.include.members([
        'ACCOUNT_MISMATCH',
        'NO_CONTEXT',
        'NETWORK',
        'NOT_FOUND',
        'PROFILE_NOT_FOUND',
        'NO_CREDENTIALS',
        'KUBECONFIG',
        'ACCESS_DENIED',
        'FLUX_NOT_INSTALLED',
      ])
    })

    for (const target of [production, fromEnvironment]) {
      it(`under --all-envs, no hint names a refused flag or an ignored variable (${target.profile ? 'a profile' : 'credentials in the environment'})`, () => {
        const bad = made.flatMap((m) => {
          const hint = allEnvsHint({code: m.code, hint: m.hint}, target)
          const refused = hint === null ? [] : refusedIn(hint)
          return refused.length > 0 ? [`${m.from}: ${refused.join(', ')} in ${hint}`] : []
        })
        expect(bad).to.deep.equal([])
      })
    }

    it('under --all-envs, every `aws` command a hint gives names the environment’s region and profile (the shell’s are ignored)', () => {
      for (const target of [production, fromEnvironment]) {
        for (const m of made) {
          const hint = allEnvsHint({code: m.code, hint: m.hint}, target) ?? ''
          for (const [, command] of hint.matchAll(/`(aws eks update-kubeconfig[^`]*)`/g)) {
            expect(command, `${m.from}: ${hint}`).to.include(`--region ${target.region}`)
            if (target.profile) expect(command, `${m.from}: ${hint}`).to.include(`--profile ${target.profile}`)
          }
          if (target.profile) expect(hint, `${m.from}: ${hint}`).not.to.match(/`aws sso login`/)
        }
      }
      expect(made.some((m) => m.hint?.includes('`aws eks update-kubeconfig'))).to.equal(true)
    })

    it('a hint that needed a change names the environment’s config key or its own profile', () => {
      for (const m of made.filter((x) => x.hint && refusedIn(x.hint).length > 0)) {
        const hint = allEnvsHint({code: m.code, hint: m.hint}, production) ?? ''
        expect(hint, m.from).to.match(
          /environments\.production\.(profile|region|cluster|account)|--profile prod-piksel/,
        )
      }
      for (const m of made.filter((x) => x.hint?.includes('<profile>'))) {
        const hint = allEnvsHint({code: m.code, hint: m.hint}, production) ?? ''
        expect(hint, m.from).to.match(/`aws (sso login|configure sso) --profile prod-piksel`/)
      }
    })
  })
})
