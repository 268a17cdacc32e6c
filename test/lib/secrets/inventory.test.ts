import {expect} from 'chai'

import {type ListedSecret, summariseSecrets} from '../../../src/lib/secrets/inventory.ts'

const tags = (t: Record<string, string>) => Object.entries(t).map(([Key, Value]) => ({Key, Value}))
const convention = (env: string, service: string, tenant: string) =>
  tags({Project: 'Piksel', Service: service, Environment: env, Owner: 'Piksel-Devops-Team', Tenant: tenant})
const when = new Date('2026-11-01T10:00:00Z')

const listed: ListedSecret[] = [
  {name: 'slack-alerts-staging', arn: 'arn:1', tags: convention('staging', 'monitoring', 'Slack'), lastChanged: when},
  {name: 'grafana-oauth-staging', arn: 'arn:2', tags: [], created: when},
  {name: 'argo-oauth-staging', arn: 'arn:3', tags: convention('staging', 'argo', 'Auth0'), deletedDate: when},
  {name: 'db-password', arn: 'arn:4', tags: convention('staging', 'db', 'RDS')},
  {name: 'slack-alerts-dev', arn: 'arn:5', tags: convention('dev', 'monitoring', 'Slack')},
  {name: 'someone-elses', arn: 'arn:6', tags: tags({Project: 'Other', Environment: 'staging'})},
  {name: 'untagged-thing', arn: 'arn:7', tags: []},
  {name: 'piksel-misc', arn: 'arn:8', tags: tags({Project: 'piksel'})},
]
const context = {project: 'Piksel', account: '123456789012', region: 'ap-southeast-3', skipped: []}

describe('secrets/inventory', () => {
  it('one environment: its project secrets, and the expected ones missing (scheduled deletion counts as missing)', () => {
    const result = summariseSecrets(listed, {...context, environments: ['staging'], includeOtherEnvironments: false})
    expect(result.secrets.map((s) => s.name)).to.deep.equal([
      'argo-oauth-staging',
      'db-password',
      'grafana-oauth-staging',
      'slack-alerts-staging',
    ])
    expect(result.missing).to.deep.equal(['jupyterhub-oauth-staging', 'argo-oauth-staging'])
    const grafana = result.secrets.find((s) => s.name === 'grafana-oauth-staging')
    expect(grafana).to.include({environment: 'staging', service: null, tenant: null, expected: true})
    expect(grafana?.lastChanged).to.equal('2026-11-01T10:00:00.000Z')
    expect(grafana?.missingTags).to.have.length(5)
    const argo = result.secrets.find((s) => s.name === 'argo-oauth-staging')
    expect(argo?.deletionDate).to.equal('2026-11-01T10:00:00.000Z')
    expect(result.secrets.find((s) => s.name === 'db-password')).to.include({expected: false, service: 'db'})
  })

  it('all environments: other-environment and unscoped project secrets are listed too', () => {
    const result = summariseSecrets(listed, {
      ...context,
      environments: ['dev', 'staging'],
      includeOtherEnvironments: true,
    })
    const names = result.secrets.map((s) => s.name)
    expect(names).to.include.members(['slack-alerts-dev', 'piksel-misc'])
    // Each on its own: `not.include.members([a, b])` would pass with one of them listed.
    expect(names).not.to.include('someone-elses')
    expect(names).not.to.include('untagged-thing')
    expect(result.missing).to.deep.equal([
      'grafana-oauth-dev',
      'jupyterhub-oauth-dev',
      'argo-oauth-dev',
      'jupyterhub-oauth-staging',
      'argo-oauth-staging',
    ])
    expect(result.expected.filter((e) => e.present).map((e) => e.name)).to.deep.equal([
      'slack-alerts-dev',
      'slack-alerts-staging',
      'grafana-oauth-staging',
    ])
  })

  it('a secret declared without a value (hasValue false) is listed but counts as missing', () => {
    const declared: ListedSecret[] = [
      {name: 'slack-alerts-dev', arn: 'arn:9', tags: convention('dev', 'monitoring', 'Slack'), hasValue: false},
      {name: 'grafana-oauth-dev', arn: 'arn:10', tags: convention('dev', 'grafana', 'Auth0'), hasValue: true},
    ]
    const result = summariseSecrets(declared, {...context, environments: ['dev'], includeOtherEnvironments: false})
    expect(result.secrets.find((s) => s.name === 'slack-alerts-dev')).to.include({hasValue: false})
    expect(result.missing).to.deep.equal(['slack-alerts-dev', 'jupyterhub-oauth-dev', 'argo-oauth-dev'])
  })

  it('an empty account misses everything', () => {
    const result = summariseSecrets([], {...context, environments: ['production'], includeOtherEnvironments: false})
    expect(result.secrets).to.deep.equal([])
    expect(result.missing).to.deep.equal([
      'slack-alerts-production',
      'grafana-oauth-production',
      'jupyterhub-oauth-production',
      'argo-oauth-production',
    ])
  })
})
