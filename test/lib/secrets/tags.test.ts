import {expect} from 'chai'

import {UsageError} from '../../../src/lib/errors.ts'
import {
  buildTags,
  missingConventionTags,
  parseTagFlags,
  tagKeyProblem,
  tagValueProblem,
  tagsToUpdate,
} from '../../../src/lib/secrets/tags.ts'

const BASE = {project: 'Piksel', service: 'monitoring', env: 'staging', owner: 'Piksel-Devops-Team', tenant: 'Slack'}

describe('secrets/tags', () => {
  it('builds the convention tags in order, then the extra ones', () => {
    expect(buildTags({...BASE, extra: [{Key: 'CostCenter', Value: 'platform'}]})).to.deep.equal([
      {Key: 'Project', Value: 'Piksel'},
      {Key: 'Service', Value: 'monitoring'},
      {Key: 'Environment', Value: 'staging'},
      {Key: 'Owner', Value: 'Piksel-Devops-Team'},
      {Key: 'Tenant', Value: 'Slack'},
      {Key: 'CostCenter', Value: 'platform'},
    ])
  })

  const keys: Array<[string, RegExp | undefined]> = [
    ['CostCenter', undefined],
    ['k'.repeat(128), undefined],
    ['team:name/x_y.z+1=2@3 -', undefined],
    ['', /empty/],
    ['k'.repeat(129), /at most 128/],
    ['aws:createdBy', /reserved/],
    ['AWS:x', /reserved/],
    ['semi;colon', /only letters/],
    ['quote"d', /only letters/],
  ]
  for (const [key, problem] of keys) {
    it(`${problem ? 'refuses' : 'accepts'} the key ${JSON.stringify(key.slice(0, 20))}`, () => {
      expect(tagKeyProblem(key)).to.satisfy((p: string | undefined) =>
        problem ? problem.test(p ?? '') : p === undefined,
      )
    })
  }

  const values: Array<[string, RegExp | undefined]> = [
    ['', undefined],
    ['v'.repeat(256), undefined],
    ['Piksel Devops Team', undefined],
    ['v'.repeat(257), /at most 256/],
    ['a,b', /only letters/],
  ]
  for (const [value, problem] of values) {
    it(`${problem ? 'refuses' : 'accepts'} the value ${JSON.stringify(value.slice(0, 20))}`, () => {
      expect(tagValueProblem(value)).to.satisfy((p: string | undefined) =>
        problem ? problem.test(p ?? '') : p === undefined,
      )
    })
  }

  const flags: Array<[string, string[], RegExp]> = [
    ['no =', ['CostCenter'], /expected Key=Value/],
    ['empty key', ['=x'], /key is empty/],
    ['aws: prefix', ['aws:x=1'], /reserved/],
    ['key too long', [`${'k'.repeat(129)}=v`], /at most 128/],
    ['value too long', [`k=${'v'.repeat(257)}`], /at most 256/],
    ['convention key', ['Environment=production'], /set by the convention/],
    ['Owner', ['Owner=someone'], /set by the convention/],
    ['duplicate', ['a=1', 'a=2'], /given twice/],
    ['bad character', ['a=b;c'], /only letters/],
  ]
  for (const [what, input, problem] of flags) {
    it(`--tag refuses ${what} (exit 2)`, () => {
      expect(() => parseTagFlags(input))
        .to.throw(UsageError, problem)
        .with.property('exitCode', 2)
    })
  }

  it('--tag parses Key=Value, keeping = in the value', () => {
    expect(parseTagFlags(['CostCenter=platform', 'Expr=a=b', 'Empty='])).to.deep.equal([
      {Key: 'CostCenter', Value: 'platform'},
      {Key: 'Expr', Value: 'a=b'},
      {Key: 'Empty', Value: ''},
    ])
  })

  it('refuses convention values over the limits and more than 50 tags', () => {
    expect(() => buildTags({...BASE, service: 's'.repeat(257)})).to.throw(UsageError, /Service/)
    const many = Array.from({length: 46}, (_, i) => ({Key: `k${i}`, Value: 'v'}))
    expect(() => buildTags({...BASE, extra: many})).to.throw(UsageError, /at most 50/)
    expect(() => buildTags({...BASE, extra: many.slice(0, 45)})).not.to.throw()
  })

  it('updates only tags that are absent or different, and names missing convention tags', () => {
    const desired = buildTags(BASE)
    const existing = [
      {Key: 'Project', Value: 'Piksel'},
      {Key: 'Service', Value: 'old'},
      {Key: 'Extra', Value: 'kept'},
    ]
    expect(tagsToUpdate(desired, existing).map((t) => t.Key)).to.deep.equal([
      'Service',
      'Environment',
      'Owner',
      'Tenant',
    ])
    expect(tagsToUpdate(desired, desired)).to.deep.equal([])
    expect(missingConventionTags(existing)).to.deep.equal(['Environment', 'Owner', 'Tenant'])
    expect(missingConventionTags(undefined)).to.have.length(5)
  })
})
