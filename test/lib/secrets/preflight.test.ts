import {expect} from 'chai'

import {type StoredSecretFacts, writeRefusal} from '../../../src/lib/secrets/preflight.ts'
import type {Tag} from '../../../src/lib/secrets/tags.ts'

const convention: Tag[] = ['Project', 'Service', 'Environment', 'Owner', 'Tenant'].map((Key) => ({Key, Value: 'x'}))
const many = (n: number, prefix = 'K'): Tag[] => Array.from({length: n}, (_, i) => ({Key: `${prefix}${i}`, Value: 'v'}))

describe('writeRefusal: what AWS would refuse, before the confirmation', () => {
  const cases: Array<[string, StoredSecretFacts, Tag[], string | undefined, RegExp?, RegExp?]> = [
    ['a plain secret in its own region', {primaryRegion: 'ap-southeast-3', tags: convention}, convention, undefined],
    ['no PrimaryRegion reported (older secrets)', {tags: []}, convention, undefined],
    [
      'a replica whose primary is in us-east-1',
      {primaryRegion: 'us-east-1', tags: convention},
      convention,
      'SECRET_IS_REPLICA',
      /in ap-southeast-3 is a replica; its primary is in us-east-1/,
      /--region us-east-1/,
    ],
    [
      'a secret managed by RDS',
      {primaryRegion: 'ap-southeast-3', owningService: 'rds', tags: []},
      convention,
      'SECRET_MANAGED',
      /managed by rds/,
      /through rds/,
    ],
    [
      'the replica check comes before the managed one',
      {primaryRegion: 'eu-west-1', owningService: 'rds', tags: []},
      convention,
      'SECRET_IS_REPLICA',
    ],
    ['exactly 50 tags after the write', {tags: many(45)}, convention, undefined],
    [
      '51 tags after the write',
      {tags: many(46)},
      convention,
      'TOO_MANY_TAGS',
      /would carry 51 tags; AWS allows 50/,
      /untag-resource --secret-id slack-alerts-staging/,
    ],
    ['50 stored, the same keys written again', {tags: [...many(45), ...convention]}, convention, undefined],
  ]
  for (const [what, facts, tags, code, message, hint] of cases) {
    it(`${what} → ${code ?? 'no refusal'}`, () => {
      const refusal = writeRefusal('slack-alerts-staging', 'ap-southeast-3', facts, tags)
      expect(refusal?.code).to.equal(code)
      if (!refusal) return
      expect(refusal.exitCode).to.equal(2)
      expect(refusal.message).to.match(/Nothing was changed\.$/)
      if (message) expect(refusal.message).to.match(message)
      if (hint) expect(refusal.hint).to.match(hint)
    })
  }
})
