import {expect} from 'chai'

import {type Moto, startMoto} from '../../support/moto.ts'
import {SLACK_URL, SecretsProbe, configFile, runAgainst} from '../../support/secrets.ts'

interface ListJson {
  account: string
  region: string
  environments: string[]
  skippedEnvironments: string[]
  secrets: Array<{
    name: string
    environment: string | null
    service: string | null
    tenant: string | null
    lastChanged: string | null
    deletionDate: string | null
    expected: boolean
    missingTags: string[]
  }>
  expected: Array<{name: string; present: boolean; command: string}>
  missing: string[]
}

describe('piksel secret list (against moto)', function () {
  let moto: Moto
  let probe: SecretsProbe
  const OAUTH_VALUE = 'grafana-id-77:grafana-secret-77'

  before(async function () {
    moto = await startMoto(this)
    probe = new SecretsProbe(moto)
  })
  after(async () => {
    probe?.sm.destroy()
    await moto?.stop()
  })
  beforeEach(async () => {
    await moto.reset()
    // Two made by piksel, one by hand without tags, one scheduled for deletion, one foreign, one dev.
    await runAgainst(moto, ['secret', 'create', 'slack', '-e', 'staging', '--from-stdin', '--yes'], {input: SLACK_URL})
    await runAgainst(
      moto,
      ['secret', 'create', 'oauth', '--app', 'grafana', '-e', 'staging', '--from-stdin', '--yes'],
      {
        input: OAUTH_VALUE,
      },
    )
    await probe.create('jupyterhub-oauth-staging', 'a:b')
    await probe.create('argo-oauth-staging', 'c:d', {tags: {Project: 'Piksel', Environment: 'staging'}})
    await probe.scheduleDeletion('argo-oauth-staging')
    await probe.create('other-team-db', 'x', {tags: {Project: 'Other', Environment: 'staging'}})
    await probe.create('slack-alerts-dev', SLACK_URL, {tags: {Project: 'Piksel', Environment: 'dev'}})
  })

  it('-e staging --json: the project secrets with env, service, tenant, last change; missing includes a scheduled deletion', async () => {
    const r = await runAgainst(moto, ['secret', 'list', '-e', 'staging', '--json'])
    expect(r.exitCode, r.stderr).to.equal(0)
    const json = r.json<ListJson>()
    expect(json).to.include({account: '123456789012', region: 'ap-southeast-3'})
    expect(json.environments).to.deep.equal(['staging'])
    expect(json.secrets.map((s) => s.name)).to.deep.equal([
      'argo-oauth-staging',
      'grafana-oauth-staging',
      'jupyterhub-oauth-staging',
      'slack-alerts-staging',
    ])
    const slack = json.secrets.find((s) => s.name === 'slack-alerts-staging')
    expect(slack).to.include({environment: 'staging', service: 'monitoring', tenant: 'Slack', expected: true})
    expect(slack?.missingTags).to.deep.equal([])
    expect(Date.parse(slack?.lastChanged ?? '')).to.be.closeTo(Date.now(), 120_000)
    expect(json.secrets.find((s) => s.name === 'grafana-oauth-staging')).to.include({tenant: 'Auth0'})
    expect(json.secrets.find((s) => s.name === 'jupyterhub-oauth-staging')?.missingTags).to.have.length(5)
    expect(json.secrets.find((s) => s.name === 'argo-oauth-staging')?.deletionDate).to.be.a('string')
    expect(json.missing).to.deep.equal(['argo-oauth-staging'])
    // Never a value.
    for (const value of [SLACK_URL, OAUTH_VALUE, 'grafana-secret-77']) expect(r.stdout).not.to.include(value)
  })

  it('human output: a table and the missing ones with the command to create each', async () => {
    const r = await runAgainst(moto, ['secret', 'list', '-e', 'staging'])
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(r.stdout).to.match(/NAME\s+ENV\s+SERVICE\s+TENANT\s+LAST CHANGED\s+STATUS/)
    expect(r.stdout).to.match(/slack-alerts-staging\s+staging\s+monitoring\s+Slack\s+\d{4}-\d\d-\d\dT[\d:]+Z\s+ok/)
    expect(r.stdout).to.include('missing tags: Project, Service, Environment, Owner, Tenant')
    expect(r.stdout).to.include('scheduled for deletion')
    expect(r.stdout).to.match(/argo-oauth-staging\s+piksel secret create oauth --app argo -e staging/)
    expect(r.stdout).not.to.include('other-team-db')
  })

  it('without -e: every environment of this account; others are skipped, not reported missing', async () => {
    const config = configFile(
      'environments:\n  dev: {}\n  staging:\n    account: "123456789012"\n  production:\n    account: "999999999999"\n',
    )
    const r = await runAgainst(moto, ['secret', 'list', '--json', '--config', config])
    expect(r.exitCode, r.stderr).to.equal(0)
    const json = r.json<ListJson>()
    expect(json.environments).to.deep.equal(['dev', 'staging'])
    expect(json.skippedEnvironments).to.deep.equal(['production'])
    expect(json.secrets.map((s) => s.name)).to.include('slack-alerts-dev')
    expect(json.missing).to.deep.equal([
      'grafana-oauth-dev',
      'jupyterhub-oauth-dev',
      'argo-oauth-dev',
      'argo-oauth-staging',
    ])
  })

  it('-e with another configured account: the account guard, exit 2', async () => {
    const config = configFile('environments:\n  staging:\n    account: "999999999999"\n')
    const r = await runAgainst(moto, ['secret', 'list', '-e', 'staging', '--config', config])
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.include('Wrong AWS account')
  })

  it('a secret declared without a value (e.g. by Terraform) is reported missing', async () => {
    await probe.createEmpty('slack-alerts-production')
    const r = await runAgainst(moto, ['secret', 'list', '-e', 'production', '--json'])
    expect(r.exitCode, r.stderr).to.equal(0)
    const json = r.json<ListJson & {secrets: Array<{name: string; hasValue: boolean}>}>()
    expect(json.secrets.find((s) => s.name === 'slack-alerts-production')).to.include({hasValue: false})
    expect(json.missing).to.include('slack-alerts-production')
  })

  it('an unknown environment is exit 2', async () => {
    const r = await runAgainst(moto, ['secret', 'list', '-e', 'qa', '--json'])
    expect(r.exitCode).to.equal(2)
    expect(r.json()).to.have.nested.property('error.code', 'UNKNOWN_ENV')
  })
})
