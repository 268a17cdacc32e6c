import {expect} from 'chai'

import {UsageError} from '../../../src/lib/errors.ts'
import {
  assertSecretName,
  defaultDescription,
  defaultService,
  defaultTenant,
  expectedSecrets,
  oauthSecretName,
  parseConventionalName,
  secretNameProblem,
  slackSecretName,
} from '../../../src/lib/secrets/naming.ts'

describe('secrets/naming', () => {
  it('names secrets by the convention', () => {
    expect(slackSecretName('staging')).to.equal('slack-alerts-staging')
    expect(oauthSecretName('grafana', 'staging')).to.equal('grafana-oauth-staging')
    expect(oauthSecretName('jupyterhub', 'dev')).to.equal('jupyterhub-oauth-dev')
    expect(oauthSecretName('argo', 'production')).to.equal('argo-oauth-production')
  })

  it('expects one Slack and three OAuth secrets per environment, with the command that creates each', () => {
    const expected = expectedSecrets(['staging', 'dev'])
    expect(expected.map((e) => e.name)).to.deep.equal([
      'slack-alerts-staging',
      'grafana-oauth-staging',
      'jupyterhub-oauth-staging',
      'argo-oauth-staging',
      'slack-alerts-dev',
      'grafana-oauth-dev',
      'jupyterhub-oauth-dev',
      'argo-oauth-dev',
    ])
    expect(expected[0]?.command).to.equal('piksel secret create slack -e staging')
    expect(expected[1]?.command).to.equal('piksel secret create oauth --app grafana -e staging')
  })

  const parsed: Array<[string, ReturnType<typeof parseConventionalName>]> = [
    ['slack-alerts-staging', {kind: 'slack', app: null, env: 'staging'}],
    ['grafana-oauth-dev', {kind: 'oauth', app: 'grafana', env: 'dev'}],
    ['argo-oauth-eu-sandbox', {kind: 'oauth', app: 'argo', env: 'eu-sandbox'}],
    ['terria-oauth-dev', undefined],
    ['slack-alerts-', undefined],
    ['rds-password', undefined],
    ['Slack-alerts-staging', undefined],
  ]
  for (const [name, result] of parsed) {
    it(`reads ${name} back as ${JSON.stringify(result)}`, () => {
      expect(parseConventionalName(name)).to.deep.equal(result)
    })
  }

  const names: Array<[string, RegExp | undefined]> = [
    ['slack-alerts-staging', undefined],
    ['team/app_1+x=y.z@w-v', undefined],
    ['a', undefined],
    ['x'.repeat(512), undefined],
    ['', /empty/],
    ['x'.repeat(513), /at most 512/],
    ['has space', /" "/],
    ['colon:name', /":"/],
    ['ünicode', /"ü"/],
    ['semi;colon', /";"/],
  ]
  for (const [name, problem] of names) {
    it(`${problem ? 'refuses' : 'accepts'} the name ${JSON.stringify(name.slice(0, 30))}${name.length > 30 ? '…' : ''}`, () => {
      if (problem) {
        expect(secretNameProblem(name)).to.match(problem)
        expect(() => assertSecretName(name))
          .to.throw(UsageError)
          .with.property('exitCode', 2)
      } else {
        expect(secretNameProblem(name)).to.equal(undefined)
      }
    })
  }

  it('has defaults for description, service and tenant', () => {
    expect(defaultDescription('slack', 'staging', 'Piksel')).to.equal(
      'Slack incoming webhook URL for Piksel staging alerts',
    )
    expect(defaultDescription('oauth', 'dev', 'Piksel', 'argo')).to.equal(
      'Argo Workflows OAuth client for Piksel dev (client_id:client_secret)',
    )
    expect(defaultService('slack')).to.equal('monitoring')
    expect(defaultService('oauth', 'jupyterhub')).to.equal('jupyterhub')
    expect(defaultTenant('slack')).to.equal('Slack')
    expect(defaultTenant('oauth')).to.equal('Auth0')
  })
})
