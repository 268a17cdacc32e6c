/**
 * `piksel secret list --all-envs` (issue 15 §3), with and without --cluster: every environment
 * as `-e <env>` lists it, at once. Real SDK against moto (Secrets Manager, STS), the Kubernetes
 * stand-in serving v1 Secrets under a context per environment.
 */
import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {refusedIn} from '../../../src/lib/environments/hints.ts'
import {hangingEndpoint} from '../../support/hang.ts'
import {KubeStandin, secretObject} from '../../support/kube-standin.ts'
import {MOTO_ACCOUNT, type Moto, startMoto} from '../../support/moto.ts'
import {SLACK_URL, SLACK_URL_2, SecretsProbe, configFile, runAgainst} from '../../support/secrets.ts'

interface Listing {
  expected: Array<{
    name: string
    cluster?: {
      status: string
      secretExists: boolean | null
      error?: {code: string; message: string; hint: string | null} | null
    } | null
  }>
  account: string
  environments: string[]
  secrets: Array<{name: string}>
  missing: string[]
  cluster?: {context: string; notInSync: string[]; notRead?: string[]}
}
interface EnvironmentsDoc {
  environments: Array<{env: string; result?: Listing; error?: {code: string; message: string; hint: string | null}}>
}

describe('piksel secret list --all-envs', function () {
  this.timeout(60_000)
  let moto: Moto
  let probe: SecretsProbe
  let standin: KubeStandin
  let kubeconfig: string
  const config = (more = '') =>
    configFile(
      [
        'environments:',
        '  staging:',
        `    account: "${MOTO_ACCOUNT}"`,
        '  production:',
        `    account: "${MOTO_ACCOUNT}"`,
        more,
        '',
      ].join('\n'),
    )

  before(async function () {
    moto = await startMoto(this)
    probe = new SecretsProbe(moto)
    standin = await KubeStandin.start({noFlux: true})
    kubeconfig = standin.writeKubeconfig(mkdtempSync(join(tmpdir(), 'piksel-secret-all-')), {
      context: 'elsewhere',
      extraContexts: ['piksel-staging', 'piksel-production'],
    })
  })
  after(async () => {
    probe?.sm.destroy()
    await moto?.stop()
    await standin?.stop()
  })
  beforeEach(async () => {
    await moto.reset()
    for (const obj of standin.all()) standin.remove(obj.kind, obj.metadata.namespace ?? '', obj.metadata.name)
    await probe.create('slack-alerts-staging', SLACK_URL)
    await probe.create('slack-alerts-production', SLACK_URL)
    // production's webhook was replaced; its cluster still holds the old one.
    await probe.put('slack-alerts-production', SLACK_URL_2)
    standin.put(secretObject('flux-system', 'slack-webhook-staging', {address: SLACK_URL}))
    standin.put(secretObject('flux-system', 'slack-webhook-prod', {address: SLACK_URL}))
  })

  const run = (args: string[], file: string) =>
    runAgainst(moto, ['secret', 'list', '--config', file, ...args], {extraEnv: {KUBECONFIG: kubeconfig}})

  it('every environment as -e lists it; a wrong account is its row, the others shown (exit 1)', async () => {
    const file = config('  dev:\n    account: "999999999999"')
    const mark = standin.requests.length
    const r = await run(['--all-envs', '--json'], file)
    expect(r.exitCode, r.stderr).to.equal(1)
    const doc = r.json<EnvironmentsDoc>()
    expect(doc.environments.map((e) => e.env)).to.deep.equal(['staging', 'production', 'dev'])
    expect(doc.environments[0]?.result?.secrets.map((s) => s.name)).to.deep.equal(['slack-alerts-staging'])
    expect(doc.environments[1]?.result?.secrets.map((s) => s.name)).to.deep.equal(['slack-alerts-production'])
    expect(doc.environments[2]?.error?.code).to.equal('ACCOUNT_MISMATCH')
    const alone = await run(['-e', 'production', '--json'], file)
    expect(alone.exitCode, alone.stderr).to.equal(0)
    expect(doc.environments[1]?.result).to.deep.equal(alone.json())
    // Without --cluster the cluster is never read.
    expect(standin.requests.length).to.equal(mark)

    const human = await run(['--all-envs'], file)
    const lines = human.stdout.trimEnd().split('\n')
    expect(lines[0]).to.match(/^ENV\s+NAME\s+SERVICE\s+TENANT\s+LAST CHANGED\s+STATUS$/)
    expect(lines).to.include.members([
      `staging: 1 secret in account ${MOTO_ACCOUNT}, missing: grafana-oauth-staging, jupyterhub-oauth-staging, argo-oauth-staging`,
    ])
    expect(lines.some((l) => /^staging\s+grafana-oauth-staging\s+-\s+-\s+-\s+missing$/.test(l))).to.equal(true)
  })

  it('--cluster: each environment on its own context; one stale → exit 3, both shown', async () => {
    const file = config()
    const r = await run(['--all-envs', '--cluster', '--json'], file)
    expect(r.exitCode, r.stderr).to.equal(3)
    const doc = r.json<EnvironmentsDoc>()
    expect(doc.environments.map((e) => [e.env, e.result?.cluster])).to.deep.equal([
      [
        'staging',
        {
          context: 'piksel-staging',
          notInSync: [],
          notChecked: ['grafana-oauth-staging', 'jupyterhub-oauth-staging', 'argo-oauth-staging'],
          notRead: [],
        },
      ],
      [
        'production',
        {
          context: 'piksel-production',
          notInSync: ['slack-alerts-production'],
          notChecked: ['grafana-oauth-production', 'jupyterhub-oauth-production', 'argo-oauth-production'],
          notRead: [],
        },
      ],
    ])
    const alone = await run(['-e', 'production', '--cluster', '--json'], file)
    expect(alone.exitCode, alone.stderr).to.equal(3)
    expect(doc.environments[1]?.result).to.deep.equal(alone.json())

    const human = await run(['--all-envs', '--cluster'], file)
    expect(human.exitCode).to.equal(3)
    expect(human.stdout).to.match(/^staging\s+slack-alerts-staging\s+.*\s+in-sync$/m)
    expect(human.stdout).to.match(/^production\s+slack-alerts-production\s+.*\s+stale: address holds AWSPREVIOUS$/m)
    expect(human.stdout).to.include('production: 1 secret in account')
    expect(human.stdout).to.include('cluster piksel-production: not in sync: slack-alerts-production')
  })

  it('--cluster, one cluster hangs: its secrets still listed, their cluster state unknown with the reason; exit 1', async () => {
    const hang = await hangingEndpoint('silent')
    try {
      const dir = mkdtempSync(join(tmpdir(), 'piksel-secret-all-hang-'))
      const mixed = join(dir, 'kubeconfig')
      writeFileSync(
        mixed,
        [
          'apiVersion: v1',
          'kind: Config',
          `clusters: [{name: standin, cluster: {server: '${standin.url}'}}, {name: hang, cluster: {server: '${hang.url}'}}]`,
          'users: [{name: u, user: {token: t}}]',
          'contexts:',
          '- {name: piksel-staging, context: {cluster: standin, user: u}}',
          '- {name: piksel-production, context: {cluster: hang, user: u}}',
          'current-context: piksel-staging',
          '',
        ].join('\n'),
      )
      const args = ['secret', 'list', '--config', config(), '--all-envs', '--cluster', '--request-timeout', '2s']
      const r = await runAgainst(moto, [...args, '--json'], {extraEnv: {KUBECONFIG: mixed}})
      expect(r.exitCode, r.stderr).to.equal(1)
      const doc = r.json<EnvironmentsDoc>()
      expect(doc.environments.map((e) => [e.env, Boolean(e.error)])).to.deep.equal([
        ['staging', false],
        ['production', false],
      ])
      const production = doc.environments[1]?.result
      // What Secrets Manager answered is there.
      expect(production?.secrets.map((s) => s.name)).to.deep.equal(['slack-alerts-production'])
      expect(production?.cluster).to.deep.include({
        context: 'piksel-production',
        notRead: ['slack-alerts-production'],
      })
      const sync = production?.expected.find((e) => e.name === 'slack-alerts-production')?.cluster
      expect(sync).to.include({status: 'unknown', secretExists: null})
      expect(sync?.error?.code).to.equal('TIMEOUT')
      expect(doc.environments[0]?.result?.cluster).to.deep.include({notInSync: [], notRead: []})

      const human = await runAgainst(moto, args, {extraEnv: {KUBECONFIG: mixed}})
      expect(human.exitCode, human.stderr).to.equal(1)
      expect(human.stdout).to.match(/^staging\s+slack-alerts-staging\s+.*\s+in-sync$/m)
      expect(human.stdout).to.match(
        /^production\s+slack-alerts-production\s+.*\s+unknown: could not read it \(TIMEOUT\)$/m,
      )
      expect(human.stdout).to.match(
        /^production: 1 secret in account \d+, .*; cluster piksel-production: not read \(TIMEOUT: Kubernetes API at /m,
      )
    } finally {
      await hang.close()
    }
  })

  it('--cluster, one cluster unreachable: its read error’s hint names the config, not --context (as -e’s does)', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const {port} = closed.address() as {port: number}
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const dir = mkdtempSync(join(tmpdir(), 'piksel-secret-all-down-'))
    const mixed = join(dir, 'kubeconfig')
    writeFileSync(
      mixed,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: standin, cluster: {server: '${standin.url}'}}, {name: down, cluster: {server: 'http://127.0.0.1:${port}'}}]`,
        'users: [{name: u, user: {token: t}}]',
        'contexts:',
        '- {name: piksel-staging, context: {cluster: standin, user: u}}',
        '- {name: piksel-production, context: {cluster: down, user: u}}',
        'current-context: piksel-staging',
        '',
      ].join('\n'),
    )
    const file = config()
    const all = await runAgainst(moto, ['secret', 'list', '--config', file, '--all-envs', '--cluster', '--json'], {
      extraEnv: {KUBECONFIG: mixed},
    })
    expect(all.exitCode, all.stderr).to.equal(1)
    const error = all
      .json<EnvironmentsDoc>()
      .environments[1]?.result?.expected.find((e) => e.name === 'slack-alerts-production')?.cluster?.error
    expect(error?.code).to.equal('NETWORK')
    expect(error?.hint).to.equal(
      `Check the network, a VPN or proxy, AWS_ENDPOINT_URL*, environments.production.region (ap-southeast-3) in ${file}, and the server of kube context piksel-production (\`kubectl config view --minify --context piksel-production\`).`,
    )
    const alone = await runAgainst(
      moto,
      ['secret', 'list', '--config', file, '-e', 'production', '--cluster', '--json'],
      {
        extraEnv: {KUBECONFIG: mixed},
      },
    )
    expect(alone.exitCode, alone.stderr).to.equal(1)
    const own = alone.json<Listing>().expected.find((e) => e.name === 'slack-alerts-production')?.cluster?.error
    expect(own?.message).to.equal(error?.message)
    expect(own?.hint).to.include('--context')

    // The human output says it too, under the environment's verdict (before: no hint at all there).
    const human = await runAgainst(moto, ['secret', 'list', '--config', file, '--all-envs', '--cluster'], {
      extraEnv: {KUBECONFIG: mixed},
    })
    expect(human.exitCode, human.stderr).to.equal(1)
    const lines = human.stdout.trimEnd().split('\n')
    const at = lines.findIndex((l) => l.startsWith('production: '))
    expect(lines[at]).to.match(/; cluster piksel-production: not read \(NETWORK: Kubernetes API at /)
    expect(lines[at + 1]).to.equal(`            Hint: ${error?.hint}`)
    expect(refusedIn(lines[at + 1] ?? '')).to.deep.equal([])
  })

  it('--context with --all-envs: exit 2, nothing read', async () => {
    const mark = standin.requests.length
    const r = await run(['--all-envs', '--cluster', '--context', 'piksel-staging', '--json'], config())
    expect(r.exitCode, r.stdout).to.equal(2)
    expect(r.json<{error: {code: string}}>().error.code).to.equal('CONFLICTING_FLAGS')
    expect(standin.requests.length).to.equal(mark)
  })
})
