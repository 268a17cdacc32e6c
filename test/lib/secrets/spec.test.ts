import {expect} from 'chai'

import {UsageError} from '../../../src/lib/errors.ts'
import {type SecretSpecInput, secretSpec} from '../../../src/lib/secrets/spec.ts'

const base = {env: 'staging', project: 'Piksel', owner: 'Piksel-Devops-Team'}

describe('secret spec: name, description and tags by the convention', () => {
  it('slack, all by the convention', () => {
    expect(secretSpec({...base, kind: 'slack'})).to.deep.equal({
      name: 'slack-alerts-staging',
      description: 'Slack incoming webhook URL for Piksel staging alerts',
      tags: [
        {Key: 'Project', Value: 'Piksel'},
        {Key: 'Service', Value: 'monitoring'},
        {Key: 'Environment', Value: 'staging'},
        {Key: 'Owner', Value: 'Piksel-Devops-Team'},
        {Key: 'Tenant', Value: 'Slack'},
      ],
    })
  })

  it('oauth, with every override', () => {
    const spec = secretSpec({
      ...base,
      kind: 'oauth',
      app: 'grafana',
      name: 'custom/name',
      service: 'dashboards',
      tenant: 'Cognito',
      description: 'mine',
      extraTags: ['CostCenter=42'],
    })
    expect(spec.name).to.equal('custom/name')
    expect(spec.description).to.equal('mine')
    expect(spec.tags.map((t) => `${t.Key}=${t.Value}`)).to.deep.equal([
      'Project=Piksel',
      'Service=dashboards',
      'Environment=staging',
      'Owner=Piksel-Devops-Team',
      'Tenant=Cognito',
      'CostCenter=42',
    ])
  })

  it('oauth by the convention', () => {
    const spec = secretSpec({...base, kind: 'oauth', app: 'jupyterhub'})
    expect(spec.name).to.equal('jupyterhub-oauth-staging')
    expect(spec.tags).to.deep.include({Key: 'Service', Value: 'jupyterhub'})
    expect(spec.tags).to.deep.include({Key: 'Tenant', Value: 'Auth0'})
  })

  // Checked in this order, so the first problem is the one reported.
  const refused: Array<[string, Partial<SecretSpecInput>, string]> = [
    ['a name with a space', {name: 'a b'}, 'INVALID_SECRET_NAME'],
    [
      'a name and a description both bad: the name first',
      {name: '', description: 'x'.repeat(2049)},
      'INVALID_SECRET_NAME',
    ],
    ['a description of 2049 characters', {description: 'x'.repeat(2049)}, 'INVALID_DESCRIPTION'],
    [
      'a description and a tag both bad: the description first',
      {description: 'x'.repeat(2049), extraTags: ['nope']},
      'INVALID_DESCRIPTION',
    ],
    ['an extra tag without =', {extraTags: ['nope']}, 'INVALID_TAG'],
    ['an extra tag with a convention key', {extraTags: ['Owner=me']}, 'INVALID_TAG'],
    ['a Service tag over 256 characters', {service: 's'.repeat(257)}, 'INVALID_TAG'],
  ]
  for (const [what, over, code] of refused) {
    it(`refuses ${what}: exit 2 ${code}`, () => {
      let error: unknown
      try {
        secretSpec({...base, kind: 'slack', ...over})
      } catch (e) {
        error = e
      }
      expect(error).to.be.instanceOf(UsageError)
      expect((error as UsageError).code).to.equal(code)
    })
  }

  it('a description of exactly 2048 characters is taken', () => {
    expect(secretSpec({...base, kind: 'slack', description: 'x'.repeat(2048)}).description).to.have.length(2048)
  })
})
