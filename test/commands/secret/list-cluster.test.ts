/**
 * `piksel secret list --cluster` (issue 15 §2): is what Secrets Manager holds what the cluster
 * uses? Through the real SDK against moto and the Kubernetes stand-in serving v1 Secrets, with
 * a config of two environments.
 */
import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {type AddressInfo} from 'node:net'
import {createServer} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {type Endpoint, awsFaultProxy, hangingEndpoint} from '../../support/hang.ts'
import {KubeStandin, secretObject} from '../../support/kube-standin.ts'
import {type Moto, startMoto} from '../../support/moto.ts'
import {SLACK_URL, SLACK_URL_2, SecretsProbe, configFile, runAgainst} from '../../support/secrets.ts'

const SLACK_URL_3 = 'https://hooks.slack.com/services/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ger0'
const CLIENT = 'grafana-client-1'
const SECRET_1 = 'grafana-secret-one-111'
const SECRET_2 = 'grafana-secret-two-222'

interface Sync {
  error?: {code: string; message: string; hint: string | null} | null
  namespace: string
  name: string
  keys: Record<string, string>
  status: string
  matches: string | null
  missingKeys: string[]
  staleKeys: string[]
  permission: string | null
  secretExists: boolean | null
}
interface ClusterJson {
  expected: Array<{name: string; present: boolean; cluster: Sync | null}>
  secrets: Array<{name: string; cluster?: Sync | null}>
  cluster: {context: string; notInSync: string[]; notChecked: string[]; notRead: string[]}
}

const CONFIG = [
  'environments:',
  '  staging:',
  '    account: "123456789012"',
  '    secrets:',
  '      grafana-oauth-staging:',
  '        cluster:',
  '          namespace: monitoring',
  '          name: grafana-oauth',
  '          keys: {clientId: GF_CLIENT_ID, clientSecret: GF_CLIENT_SECRET}',
  '  production:',
  '    account: "123456789012"',
  '',
].join('\n')

describe('piksel secret list --cluster (moto + the Kubernetes stand-in)', function () {
  this.timeout(60_000)
  let moto: Moto
  let probe: SecretsProbe
  let standin: KubeStandin
  let kubeconfig: string
  let config: string

  before(async function () {
    moto = await startMoto(this)
    probe = new SecretsProbe(moto)
    standin = await KubeStandin.start({noFlux: true})
    kubeconfig = standin.writeKubeconfig(mkdtempSync(join(tmpdir(), 'piksel-secret-sync-')), {
      extraContexts: ['piksel-production'],
    })
    config = configFile(CONFIG)
  })
  after(async () => {
    probe?.sm.destroy()
    await moto?.stop()
    await standin?.stop()
  })
  beforeEach(async () => {
    await moto.reset()
    for (const obj of standin.all()) standin.remove(obj.kind, obj.metadata.namespace ?? '', obj.metadata.name)
    standin.faults.length = 0
    await probe.create('slack-alerts-staging', SLACK_URL)
    await probe.create('grafana-oauth-staging', `${CLIENT}:${SECRET_1}`)
    standin.put(secretObject('flux-system', 'slack-webhook-staging', {address: SLACK_URL}))
    standin.put(
      secretObject('monitoring', 'grafana-oauth', {GF_CLIENT_ID: CLIENT, GF_CLIENT_SECRET: SECRET_1, other: 'x'}),
    )
  })

  const run = (args: string[], extra: {config?: string; kubeconfig?: string; env?: Record<string, string>} = {}) =>
    runAgainst(moto, ['secret', 'list', '--config', extra.config ?? config, ...args], {
      extraEnv: {KUBECONFIG: extra.kubeconfig ?? kubeconfig, ...extra.env},
    })
  const cluster = async (args: string[] = ['-e', 'staging']) => {
    const r = await run(['--cluster', '--json', ...args])
    const json = r.json<ClusterJson>()
    const of = (name: string) => json.expected.find((e) => e.name === name)?.cluster
    return {r, json, slack: of('slack-alerts-staging'), grafana: of('grafana-oauth-staging')}
  }

  it('in-sync: the Slack Secret (flux-system/slack-webhook-staging, address) and the OAuth keys hold the current version; exit 0', async () => {
    const {r, json, slack, grafana} = await cluster()
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(slack).to.deep.equal({
      namespace: 'flux-system',
      name: 'slack-webhook-staging',
      keys: {value: 'address'},
      status: 'in-sync',
      matches: null,
      missingKeys: [],
      staleKeys: [],
      permission: null,
      error: null,
      secretExists: true,
    })
    expect(grafana).to.include({namespace: 'monitoring', name: 'grafana-oauth', status: 'in-sync'})
    expect(grafana?.keys).to.deep.equal({clientId: 'GF_CLIENT_ID', clientSecret: 'GF_CLIENT_SECRET'})
    expect(json.cluster).to.deep.equal({
      context: 'piksel-staging',
      notInSync: [],
      notChecked: ['jupyterhub-oauth-staging', 'argo-oauth-staging'],
      notRead: [],
    })
    // The listed secret carries the same state; the GETs were one per Kubernetes Secret.
    expect(json.secrets.find((s) => s.name === 'slack-alerts-staging')?.cluster?.status).to.equal('in-sync')
    expect(standin.requests.filter((q) => q.path.includes('/secrets/')).map((q) => q.path)).to.include.members([
      '/api/v1/namespaces/flux-system/secrets/slack-webhook-staging',
      '/api/v1/namespaces/monitoring/secrets/grafana-oauth',
    ])
  })

  it('human output: a row per compared secret, the ones not compared, exit 0', async () => {
    const r = await run(['-e', 'staging', '--cluster'])
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(r.stdout).to.include('In the cluster (context piksel-staging):')
    expect(r.stdout).to.match(/slack-alerts-staging\s+flux-system\/slack-webhook-staging\s+address\s+in-sync/)
    expect(r.stdout).to.match(
      /grafana-oauth-staging\s+monitoring\/grafana-oauth\s+GF_CLIENT_ID, GF_CLIENT_SECRET\s+in-sync/,
    )
    expect(r.stdout).to.include('Not compared (no place in the cluster configured')
    expect(r.stdout).to.include('jupyterhub-oauth-staging, argo-oauth-staging')
  })

  it('stale, matching AWSPREVIOUS: a new version was put, the cluster still holds the old one; exit 3', async () => {
    await probe.put('slack-alerts-staging', SLACK_URL_2)
    const {r, json, slack} = await cluster()
    expect(r.exitCode, r.stderr).to.equal(3)
    expect(slack).to.include({status: 'stale', matches: 'AWSPREVIOUS'})
    expect(slack?.staleKeys).to.deep.equal(['address'])
    expect(json.cluster.notInSync).to.deep.equal(['slack-alerts-staging'])
    const human = await run(['-e', 'staging', '--cluster'])
    expect(human.exitCode).to.equal(3)
    expect(human.stdout).to.match(
      /slack-alerts-staging\s+flux-system\/slack-webhook-staging\s+address\s+stale: address holds AWSPREVIOUS/,
    )
    expect(human.stdout).to.include('1 of 2 not in sync: slack-alerts-staging')
  })

  it('stale, matching an older version: named by its version id', async () => {
    const versions = await probe.versions('slack-alerts-staging')
    const first = Object.keys(versions)[0]
    await probe.put('slack-alerts-staging', SLACK_URL_2)
    await probe.put('slack-alerts-staging', SLACK_URL_3)
    const {r, slack} = await cluster()
    expect(r.exitCode, r.stderr).to.equal(3)
    expect(slack).to.include({status: 'stale', matches: first})
  })

  it('stale, matching no version: the cluster holds a value Secrets Manager never had', async () => {
    await probe.put('slack-alerts-staging', SLACK_URL_2)
    standin.put(secretObject('flux-system', 'slack-webhook-staging', {address: SLACK_URL_3}))
    const {r, slack} = await cluster()
    expect(r.exitCode, r.stderr).to.equal(3)
    expect(slack).to.include({status: 'stale', matches: null})
  })

  it('missing: no such Kubernetes Secret', async () => {
    standin.remove('Secret', 'flux-system', 'slack-webhook-staging')
    const {r, slack} = await cluster()
    expect(r.exitCode, r.stderr).to.equal(3)
    expect(slack).to.include({status: 'missing', secretExists: false})
    expect(slack?.missingKeys).to.deep.equal(['address'])
  })

  it('missing: the Secret lacks the key (url instead of address)', async () => {
    standin.put(secretObject('flux-system', 'slack-webhook-staging', {url: SLACK_URL}))
    const {r, slack} = await cluster()
    expect(r.exitCode, r.stderr).to.equal(3)
    expect(slack).to.include({status: 'missing', secretExists: true})
    expect(slack?.missingKeys).to.deep.equal(['address'])
  })

  it('unknown: RBAC forbids reading the Secret (403), naming the permission', async () => {
    standin.forbid('flux-system', 'secrets')
    const {r, json, slack, grafana} = await cluster()
    expect(r.exitCode, r.stderr).to.equal(3)
    expect(slack).to.include({
      status: 'unknown',
      permission: 'get secrets in namespace flux-system',
      secretExists: null,
    })
    // The other namespace is still read and judged.
    expect(grafana?.status).to.equal('in-sync')
    expect(json.cluster.notInSync).to.deep.equal(['slack-alerts-staging'])
    const human = await run(['-e', 'staging', '--cluster'])
    expect(human.stdout).to.include('unknown: not allowed to read it (needs get secrets in namespace flux-system)')
  })

  it('unknown: Secrets Manager refuses GetSecretValue, naming the IAM action; the rest is still judged', async () => {
    const denied = await awsFaultProxy(
      'json',
      [{operation: 'GetSecretValue', error: {name: 'AccessDeniedException', status: 400, message: 'not allowed'}}],
      moto.endpoint,
    )
    try {
      const r = await run(['-e', 'staging', '--cluster', '--json'], {
        env: {AWS_ENDPOINT_URL_SECRETS_MANAGER: denied.url},
      })
      expect(r.exitCode, r.stderr).to.equal(3)
      const json = r.json<ClusterJson>()
      expect(json.expected.find((e) => e.name === 'slack-alerts-staging')?.cluster).to.include({
        status: 'unknown',
        permission: 'secretsmanager:GetSecretValue on slack-alerts-staging',
      })
      expect(json.cluster.notInSync).to.deep.equal(['slack-alerts-staging', 'grafana-oauth-staging'])
    } finally {
      await denied.close()
    }
  })

  it('oauth with two keys: the client secret rotated, the client id unchanged → stale on that key, matching AWSPREVIOUS', async () => {
    await probe.put('grafana-oauth-staging', `${CLIENT}:${SECRET_2}`)
    const {r, grafana} = await cluster()
    expect(r.exitCode, r.stderr).to.equal(3)
    expect(grafana).to.include({status: 'stale', matches: 'AWSPREVIOUS'})
    expect(grafana?.staleKeys).to.deep.equal(['GF_CLIENT_SECRET'])
  })

  it('a secret missing in Secrets Manager but present in the cluster is stale (nothing to be in sync with)', async () => {
    await probe.scheduleDeletion('slack-alerts-staging')
    const {r, slack} = await cluster()
    expect(r.exitCode, r.stderr).to.equal(3)
    expect(slack).to.include({status: 'stale', matches: null})
  })

  it('production: its own context (piksel-production) and the GitOps repository’s name slack-webhook-prod', async () => {
    await probe.create('slack-alerts-production', SLACK_URL_2)
    standin.put(secretObject('flux-system', 'slack-webhook-prod', {address: SLACK_URL_2}))
    const {r, json} = await cluster(['-e', 'production'])
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(json.cluster.context).to.equal('piksel-production')
    expect(json.expected.find((e) => e.name === 'slack-alerts-production')?.cluster).to.include({
      name: 'slack-webhook-prod',
      status: 'in-sync',
    })
    expect(json.cluster.notChecked).to.have.length(3)
  })

  it('data keys named like Object properties: __proto__ held is in-sync, constructor absent is missing', async () => {
    const keyed = (key: string) =>
      configFile(
        `environments:\n  staging:\n    secrets:\n      slack-alerts-staging:\n        cluster: {namespace: flux-system, name: hooks, keys: {value: ${key}}}\n`,
      )
    standin.put(secretObject('flux-system', 'hooks', Object.fromEntries([['__proto__', SLACK_URL]])))
    const held = await run(['-e', 'staging', '--cluster', '--json'], {config: keyed('__proto__')})
    expect(held.exitCode, held.stdout).to.equal(0)
    const absent = await run(['-e', 'staging', '--cluster', '--json'], {config: keyed('constructor')})
    expect(absent.exitCode).to.equal(3)
    expect(absent.json<ClusterJson>().expected.find((e) => e.name === 'slack-alerts-staging')?.cluster).to.include({
      status: 'missing',
      secretExists: true,
    })
  })

  it('a data value that is not base64 (no API server serves one): unknown with BAD_RESPONSE naming the key, exit 1, never quoted', async () => {
    const garbage = 'not*base64!value'
    standin.put({...secretObject('flux-system', 'slack-webhook-staging', {}), data: {address: garbage}})
    const r = await run(['-e', 'staging', '--cluster', '--json', '--verbose'])
    expect(r.exitCode, r.stdout).to.equal(1)
    const json = r.json<ClusterJson>()
    const slack = json.expected.find((e) => e.name === 'slack-alerts-staging')?.cluster
    expect(slack).to.include({status: 'unknown', secretExists: null})
    expect(slack?.error?.code).to.equal('BAD_RESPONSE')
    expect(slack?.error?.message).to.include(
      'data key address of Secret flux-system/slack-webhook-staging is not base64',
    )
    // The rest is still listed and judged.
    expect(json.expected.find((e) => e.name === 'grafana-oauth-staging')?.cluster?.status).to.equal('in-sync')
    expect(json.cluster.notRead).to.deep.equal(['slack-alerts-staging'])
    expect(r.stdout + r.stderr).not.to.include(garbage)
  })

  // A proxy or load balancer in front of the API server (an expired VPN portal, a wrong server
  // URL) answers 404 or 403 with a page of its own: not the API server's NotFound or RBAC
  // refusal. Before: `missing` (secretExists false) or `unknown` naming an RBAC permission, exit 3.
  for (const code of [404, 403]) {
    it(`a ${code} that is not an API server's Status (a proxy's page): unknown with BAD_RESPONSE, exit 1, the page never quoted`, async () => {
      const page = `<html><body>${code}: the VPN portal has no such page</body></html>`
      const proxy = createServer((_, res) => {
        res.writeHead(code, {'content-type': 'text/html'})
        res.end(page)
      })
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
      try {
        const {port} = proxy.address() as AddressInfo
        const file = join(mkdtempSync(join(tmpdir(), 'piksel-secret-proxy-')), 'kubeconfig')
        writeFileSync(
          file,
          [
            'apiVersion: v1',
            'kind: Config',
            `clusters: [{name: p, cluster: {server: 'http://127.0.0.1:${port}'}}]`,
            'users: [{name: u, user: {token: t}}]',
            'contexts: [{name: piksel-staging, context: {cluster: p, user: u}}]',
            'current-context: piksel-staging',
            '',
          ].join('\n'),
        )
        const r = await run(['-e', 'staging', '--cluster', '--json'], {kubeconfig: file})
        expect(r.exitCode, r.stdout).to.equal(1)
        const json = r.json<ClusterJson>()
        for (const name of ['slack-alerts-staging', 'grafana-oauth-staging']) {
          const sync = json.expected.find((e) => e.name === name)?.cluster
          expect(sync, name).to.include({status: 'unknown', permission: null, secretExists: null})
          expect(sync?.error?.code, name).to.equal('BAD_RESPONSE')
          expect(sync?.error?.message, name).to.equal(
            `Kubernetes API: the answer to get Secret ${sync?.namespace}/${sync?.name} (HTTP ${code}) is not a Kubernetes Status, so not the API server's (its body is not shown).`,
          )
        }
        expect(json.cluster.notRead).to.deep.equal(['slack-alerts-staging', 'grafana-oauth-staging'])
        expect(r.stdout + r.stderr).not.to.include('VPN portal')
      } finally {
        proxy.close()
      }
    })
  }

  it('an answer far larger than any Secret (a server that never stops sending): unknown with BAD_RESPONSE, read no further', async () => {
    // Before: every byte was kept until the request timeout (GBs at loopback speed), then TIMEOUT.
    const chunk = Buffer.alloc(1 << 20, 0x61)
    const flood = createServer((req, res) => {
      res.writeHead(200, {'content-type': 'application/json'})
      res.write('{"kind":"Secret","data":{"address":"')
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
      }
      res.on('drain', pump)
      req.on('close', () => res.destroy())
      pump()
    })
    await new Promise<void>((resolve) => flood.listen(0, '127.0.0.1', resolve))
    try {
      const {port} = flood.address() as AddressInfo
      const file = join(mkdtempSync(join(tmpdir(), 'piksel-secret-flood-')), 'kubeconfig')
      writeFileSync(
        file,
        [
          'apiVersion: v1',
          'kind: Config',
          `clusters: [{name: f, cluster: {server: 'http://127.0.0.1:${port}'}}]`,
          'users: [{name: u, user: {token: t}}]',
          'contexts: [{name: piksel-staging, context: {cluster: f, user: u}}]',
          'current-context: piksel-staging',
          '',
        ].join('\n'),
      )
      const r = await run(['-e', 'staging', '--cluster', '--json', '--request-timeout', '3s'], {kubeconfig: file})
      expect(r.exitCode, r.stdout).to.equal(1)
      const slack = r.json<ClusterJson>().expected.find((e) => e.name === 'slack-alerts-staging')?.cluster
      expect(slack).to.include({status: 'unknown', secretExists: null})
      expect(slack?.error?.code).to.equal('BAD_RESPONSE')
      expect(slack?.error?.message).to.equal(
        'Kubernetes API: the answer to get secrets slack-webhook-staging in namespace flux-system is over 4 MiB, more than any Secret (at most 1 MiB of data): not read further.',
      )
      expect(r.stdout).not.to.include('aaaa')
    } finally {
      flood.closeAllConnections()
      flood.close()
    }
  })

  it('a Secret near the 1 MiB limit (other keys beside the compared one) is read and compared', async () => {
    standin.put(secretObject('flux-system', 'slack-webhook-staging', {address: SLACK_URL, ca: 'y'.repeat(1_000_000)}))
    const {r, slack} = await cluster()
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(slack?.status).to.equal('in-sync')
  })

  describe('a cluster that does not answer: the Secrets Manager listing stays, the cluster state is unknown with the reason (exit 1)', () => {
    let hang: Endpoint
    let hanging: string
    before(async () => {
      hang = await hangingEndpoint('silent')
      const dir = mkdtempSync(join(tmpdir(), 'piksel-secret-hang-'))
      hanging = join(dir, 'kubeconfig')
      writeFileSync(
        hanging,
        [
          'apiVersion: v1',
          'kind: Config',
          `clusters: [{name: hang, cluster: {server: '${hang.url}'}}]`,
          'users: [{name: u, user: {token: t}}]',
          'contexts: [{name: piksel-staging, context: {cluster: hang, user: u}}]',
          'current-context: piksel-staging',
          '',
        ].join('\n'),
      )
    })
    after(async () => hang?.close())

    it('--json: every secret listed, each compared one unknown with TIMEOUT, notRead names them', async () => {
      const r = await run(['-e', 'staging', '--cluster', '--json', '--request-timeout', '2s'], {kubeconfig: hanging})
      expect(r.exitCode, r.stderr).to.equal(1)
      const json = r.json<ClusterJson>()
      expect(json.secrets.map((s) => s.name)).to.deep.equal(['grafana-oauth-staging', 'slack-alerts-staging'])
      for (const name of ['slack-alerts-staging', 'grafana-oauth-staging']) {
        const sync = json.expected.find((e) => e.name === name)?.cluster
        expect(sync, name).to.include({status: 'unknown', permission: null, secretExists: null, matches: null})
        expect(sync?.error?.code, name).to.equal('TIMEOUT')
        expect(sync?.error?.message, name).to.include(`Kubernetes API at ${hang.url} sent nothing for 2s`)
        expect(sync?.error?.hint, name).to.include('--request-timeout 1m waits longer')
      }
      expect(json.cluster).to.deep.equal({
        context: 'piksel-staging',
        notInSync: ['slack-alerts-staging', 'grafana-oauth-staging'],
        notChecked: ['jupyterhub-oauth-staging', 'argo-oauth-staging'],
        notRead: ['slack-alerts-staging', 'grafana-oauth-staging'],
      })
      expect(hang.requests()).to.be.greaterThan(0)
    })

    it('human output: the listing, each compared secret unknown, the reason once with its hint', async () => {
      const r = await run(['-e', 'staging', '--cluster', '--request-timeout', '2s'], {kubeconfig: hanging})
      expect(r.exitCode, r.stderr).to.equal(1)
      expect(r.stdout).to.match(/^slack-alerts-staging\s+staging\s+/m)
      expect(r.stdout).to.match(
        /^slack-alerts-staging\s+flux-system\/slack-webhook-staging\s+address\s+unknown: could not read it \(TIMEOUT\)$/m,
      )
      expect(r.stdout).to.include(
        'Not read from the cluster (2 of 2: slack-alerts-staging, grafana-oauth-staging), so not compared:\n  TIMEOUT: Kubernetes API at',
      )
      // One line per Kubernetes Secret read (two here), the hint once.
      expect(r.stdout.match(/^ {2}TIMEOUT: /gm)).to.have.length(2)
      expect(r.stdout.match(/^ {2}Hint: /gm)).to.have.length(1)
      expect(r.stdout).not.to.include('not in sync')
    })
  })

  it('without --cluster: unchanged (no cluster field, the cluster never read)', async () => {
    const mark = standin.requests.length
    const r = await run(['-e', 'staging', '--json'])
    expect(r.exitCode, r.stderr).to.equal(0)
    const json = r.json<Record<string, unknown> & {expected: object[]}>()
    expect(json).not.to.have.property('cluster')
    for (const e of json.expected) expect(e).not.to.have.property('cluster')
    expect(standin.requests.length).to.equal(mark)
  })

  describe('refused before anything is read (exit 2)', () => {
    const bad: Array<[string, string, RegExp]> = [
      [
        'a namespace that is not DNS-1123',
        'namespace: Monitoring\n          name: g\n          keys: {value: v}',
        /cluster\.namespace: must be a namespace name/,
      ],
      [
        'a name that is not DNS-1123',
        'namespace: monitoring\n          name: grafana_oauth\n          keys: {value: v}',
        /cluster\.name: must be a Kubernetes object name/,
      ],
      [
        'no keys',
        'namespace: monitoring\n          name: g\n          keys: {}',
        /cluster\.keys: must name at least one key/,
      ],
      [
        'an empty key',
        'namespace: monitoring\n          name: g\n          keys: {clientId: ""}',
        /cluster\.keys\.clientId: must not be empty/,
      ],
      [
        'an unknown field',
        'namespace: monitoring\n          name: g\n          keys: {token: t}',
        /cluster\.keys\.token: unknown key/,
      ],
      ['no name', 'namespace: monitoring\n          keys: {value: v}', /cluster\.name/],
      [
        'the client id alone (a rotated client secret would pass as in-sync)',
        'namespace: monitoring\n          name: g\n          keys: {clientId: GF_CLIENT_ID}',
        /cluster\.keys: clientId alone would not show a rotated client secret: add clientSecret/,
      ],
      [
        'two fields on one data key',
        'namespace: monitoring\n          name: g\n          keys: {clientId: k, clientSecret: k}',
        /cluster\.keys: clientId and clientSecret name the same data key k/,
      ],
    ]
    for (const [what, body, message] of bad) {
      it(`${what}: CONFIG naming the key`, async () => {
        const mark = standin.requests.length
        const text = `environments:\n  staging:\n    secrets:\n      grafana-oauth-staging:\n        cluster:\n          ${body}\n`
        const r = await run(['-e', 'staging', '--cluster', '--json'], {config: configFile(text)})
        expect(r.exitCode, r.stdout).to.equal(2)
        const {error} = r.json<{error: {code: string; message: string}}>()
        expect(error.code).to.equal('CONFIG')
        expect(error.message)
          .to.match(/environments\.staging\.secrets\.grafana-oauth-staging[.:]/)
          .and.to.match(message)
        expect(standin.requests.length).to.equal(mark)
      })
    }

    it('a secret of another environment, or a field its kind lacks: CONFIG', async () => {
      const text = [
        'environments:',
        '  staging:',
        '    secrets:',
        '      grafana-oauth-production:',
        '        cluster: {namespace: monitoring, name: g, keys: {value: v}}',
        '      slack-alerts-staging:',
        '        cluster: {namespace: flux-system, name: s, keys: {clientId: v}}',
        '',
      ].join('\n')
      const r = await run(['-e', 'staging', '--cluster', '--json'], {config: configFile(text)})
      expect(r.exitCode).to.equal(2)
      const {error} = r.json<{error: {code: string; message: string}}>()
      expect(error.code).to.equal('CONFIG')
      expect(error.message).to.include(
        'environments.staging.secrets.grafana-oauth-production: is not an expected secret of environment staging',
      )
      expect(error.message).to.include(
        'environments.staging.secrets.slack-alerts-staging: cluster.keys: clientId is not a field of a slack secret (value)',
      )
    })

    it('a kubeconfig without the environment’s context: NO_CONTEXT as status says it, the current context never read', async () => {
      const other = standin.writeKubeconfig(mkdtempSync(join(tmpdir(), 'piksel-secret-sync-other-')), {
        context: 'elsewhere',
      })
      const mark = standin.requests.length
      const r = await run(['-e', 'staging', '--cluster', '--json'], {kubeconfig: other})
      expect(r.exitCode, r.stdout).to.equal(2)
      const {error} = r.json<{error: {code: string; message: string; hint: string}}>()
      expect(error.code).to.equal('NO_CONTEXT')
      expect(error.message).to.equal(
        `No kube context "piksel-staging" for environment staging in ${other}; the current context ("elsewhere") is never used in its place.`,
      )
      expect(error.hint).to.include('--context')
      expect(standin.requests.length).to.equal(mark)
    })

    it('another configured account: the account guard, the cluster never read', async () => {
      const mark = standin.requests.length
      const r = await run(['-e', 'staging', '--cluster', '--json'], {
        config: configFile('environments:\n  staging:\n    account: "999999999999"\n'),
      })
      expect(r.exitCode).to.equal(2)
      expect(r.json()).to.have.nested.property('error.code', 'ACCOUNT_MISMATCH')
      expect(standin.requests.length).to.equal(mark)
    })

    it('--cluster without an environment and without a terminal: INPUT_REQUIRED naming -e', async () => {
      const r = await run(['--cluster', '--json'])
      expect(r.exitCode).to.equal(2)
      const {error} = r.json<{error: {code: string; message: string; hint: string}}>()
      expect(error.code).to.equal('INPUT_REQUIRED')
      expect(error.hint).to.include('Pass -e <staging|production>')
    })

    it('--context without --cluster: a usage error', async () => {
      const r = await run(['-e', 'staging', '--context', 'piksel-staging', '--json'])
      expect(r.exitCode).to.equal(2)
    })
  })
})
