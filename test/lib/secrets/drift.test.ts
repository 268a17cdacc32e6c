import {expect} from 'chai'

import {
  type DriftItem,
  type KmsComparison,
  compareKmsKeys,
  describeDrift,
  kmsRef,
  metadataDrift,
  scopeOfArn,
} from '../../../src/lib/secrets/drift.ts'

const scope = {partition: 'aws', region: 'ap-southeast-3', account: '123456789012'}
const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab'
const KEY_ARN = `arn:aws:kms:ap-southeast-3:123456789012:key/${KEY}`
const ALIAS_ARN = 'arn:aws:kms:ap-southeast-3:123456789012:alias/piksel-secrets'
const tags = (t: Record<string, string>) => Object.entries(t).map(([Key, Value]) => ({Key, Value}))

describe('secrets/drift', () => {
  it('reads the scope of a secret ARN', () => {
    expect(
      scopeOfArn('arn:aws:secretsmanager:ap-southeast-3:123456789012:secret:slack-alerts-staging-AbCdEf'),
    ).to.deep.equal(scope)
    expect(scopeOfArn('arn:aws-cn:secretsmanager:cn-north-1:111122223333:secret:x')).to.deep.equal({
      partition: 'aws-cn',
      region: 'cn-north-1',
      account: '111122223333',
    })
    expect(scopeOfArn(undefined)).to.equal(undefined)
    expect(scopeOfArn('not-an-arn')).to.equal(undefined)
    // A part missing: no scope to put a key in (never a key ARN with an empty account or region).
    for (const arn of [
      'arn:aws:secretsmanager:ap-southeast-3::secret:x',
      'arn:aws:secretsmanager::123456789012:secret:x',
      'arn::secretsmanager:ap-southeast-3:123456789012:secret:x',
      'arn:aws:secretsmanager:ap-southeast-3:123456789012',
      'urn:aws:secretsmanager:ap-southeast-3:123456789012:secret:x',
    ]) {
      expect(scopeOfArn(arn), arn).to.equal(undefined)
    }
    // Six parts are enough (a resource without a type, as a KMS key ARN has).
    expect(scopeOfArn('arn:aws:kms:ap-southeast-3:123456789012:key/abc')).to.deep.equal(scope)
  })

  it('puts every form of a key in one ARN form', () => {
    expect(kmsRef(undefined, scope)).to.deep.equal({kind: 'default'})
    expect(kmsRef('alias/aws/secretsmanager', scope)).to.deep.equal({kind: 'default'})
    expect(kmsRef('arn:aws:kms:ap-southeast-3:123456789012:alias/aws/secretsmanager', scope)).to.deep.equal({
      kind: 'default',
    })
    expect(kmsRef(KEY, scope)).to.deep.equal({kind: 'key', arn: KEY_ARN})
    expect(kmsRef(KEY.toUpperCase(), scope)).to.deep.equal({kind: 'key', arn: KEY_ARN})
    expect(kmsRef('alias/piksel-secrets', scope)).to.deep.equal({kind: 'alias', arn: ALIAS_ARN})
    expect(kmsRef(ALIAS_ARN, scope)).to.deep.equal({kind: 'alias', arn: ALIAS_ARN})
    expect(kmsRef(`  ${KEY}\n`, scope)).to.deep.equal({kind: 'key', arn: KEY_ARN})
    expect(kmsRef(KEY_ARN.replace(KEY, KEY.toUpperCase()), scope)).to.deep.equal({kind: 'key', arn: KEY_ARN})
  })

  // [what, stored (DescribeSecret's KmsKeyId), wanted (--kms-key-id), expected]
  const keys: Array<[string, string | undefined, string, KmsComparison]> = [
    ['the AWS managed key: absent and its alias name are the same', undefined, 'alias/aws/secretsmanager', 'same'],
    [
      'the AWS managed key: absent and its alias ARN are the same',
      undefined,
      'arn:aws:kms:ap-southeast-3:123456789012:alias/aws/secretsmanager',
      'same',
    ],
    ['an alias name and its ARN', ALIAS_ARN, 'alias/piksel-secrets', 'same'],
    ['an alias stored by name, asked by ARN', 'alias/piksel-secrets', ALIAS_ARN, 'same'],
    ['a key id and its ARN', KEY_ARN, KEY, 'same'],
    ['a key id in another case', KEY, KEY.toUpperCase(), 'same'],
    ['another alias', ALIAS_ARN, 'alias/other', 'different'],
    ['a key ARN with the id in another case', KEY_ARN.replace(KEY, KEY.toUpperCase()), KEY, 'same'],
    ['another key', KEY_ARN, '0000abcd-12ab-34cd-56ef-1234567890ab', 'different'],
    [
      'the same alias name in another account',
      ALIAS_ARN,
      'arn:aws:kms:ap-southeast-3:999999999999:alias/piksel-secrets',
      'different',
    ],
    ['a customer key where the AWS managed key is used', undefined, 'alias/piksel-secrets', 'different'],
    ['the AWS managed key where a customer key is used', KEY_ARN, 'alias/aws/secretsmanager', 'different'],
    ['an alias against a key id: only KMS could tell', KEY_ARN, 'alias/piksel-secrets', 'unknown'],
  ]
  for (const [what, stored, wanted, expected] of keys) {
    it(`KMS key: ${what} → ${expected}`, () => {
      expect(compareKmsKeys(stored, wanted, scope)).to.equal(expected)
    })
  }

  it('names each differing tag with both values, the description and the key, in that order', () => {
    const drift = metadataDrift(
      {
        description: 'old words',
        kmsKeyId: ALIAS_ARN,
        tags: tags({Project: 'Piksel', Service: 'alerts', Extra: 'kept'}),
      },
      {
        description: 'new words',
        kmsKeyId: 'alias/other',
        tags: tags({Project: 'Piksel', Service: 'monitoring', Tenant: 'Slack'}),
      },
      scope,
    )
    expect(drift).to.deep.equal([
      {field: 'tag', key: 'Service', stored: 'alerts', wanted: 'monitoring'},
      {field: 'tag', key: 'Tenant', stored: null, wanted: 'Slack'},
      {field: 'description', stored: 'old words', wanted: 'new words'},
      {field: 'kmsKeyId', stored: ALIAS_ARN, wanted: 'alias/other'},
    ] satisfies DriftItem[])
    expect(describeDrift(drift)).to.equal(
      `tag Service: "alerts" → "monitoring"; tag Tenant: (none) → "Slack"; description: "old words" → "new words"; KMS key: "${ALIAS_ARN}" → "alias/other"`,
    )
  })

  it('no drift: same tags (extra stored ones are kept), same description, the default key asked by alias', () => {
    const drift = metadataDrift(
      {description: 'd', tags: tags({A: '1', B: '2'})},
      {description: 'd', kmsKeyId: 'alias/aws/secretsmanager', tags: tags({A: '1'})},
      scope,
    )
    expect(drift).to.deep.equal([])
  })

  it('no description stored and none wanted: no drift', () => {
    expect(metadataDrift({tags: []}, {description: '', tags: []}, scope)).to.deep.equal([])
  })

  it('no --kms-key-id: whatever key the secret has is fine', () => {
    expect(
      metadataDrift({description: 'd', kmsKeyId: KEY_ARN, tags: []}, {description: 'd', tags: []}, scope),
    ).to.deep.equal([])
  })

  it('an alias against a key id is drift, saying only KMS could tell', () => {
    const [item] = metadataDrift(
      {description: 'd', kmsKeyId: KEY_ARN, tags: []},
      {description: 'd', kmsKeyId: 'alias/piksel-secrets', tags: []},
      scope,
    )
    expect(item).to.deep.include({field: 'kmsKeyId', stored: KEY_ARN, wanted: 'alias/piksel-secrets'})
    expect(describeDrift([item as DriftItem])).to.match(/may name the same key; only KMS \(kms:DescribeKey\) can tell/)
  })

  it('the default key is named when it is what is stored; a missing description shows as (none)', () => {
    const drift = metadataDrift({tags: []}, {description: 'new', kmsKeyId: 'alias/piksel-secrets', tags: []}, scope)
    expect(describeDrift(drift)).to.equal(
      'description: (none) → "new"; KMS key: (AWS managed key alias/aws/secretsmanager) → "alias/piksel-secrets"',
    )
  })
})
