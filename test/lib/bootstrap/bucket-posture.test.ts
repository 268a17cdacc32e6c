import {expect} from 'chai'

import {
  type BucketFacts,
  hasTlsOnlyPolicy,
  postureGaps,
  tlsOnlyStatement,
} from '../../../src/lib/bootstrap/bucket-posture.ts'

const B = 'piksel-staging-tfstate'
const ARN = `arn:aws:s3:::${B}`
const statement = (over: Record<string, unknown> = {}) => ({
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [ARN, `${ARN}/*`],
  Condition: {Bool: {'aws:SecureTransport': 'false'}},
  ...over,
})
const policy = (...statements: unknown[]) => JSON.stringify({Version: '2012-10-17', Statement: statements})

const FULL: BucketFacts = {
  versioning: 'Enabled',
  encryption: ['AES256'],
  publicAccessBlock: {
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true,
  },
  policy: policy(statement()),
  region: 'ap-southeast-3',
}
const where = {region: 'ap-southeast-3', profile: 'staging-piksel'}

describe('state bucket posture', () => {
  const policies: Array<[string, string | null, boolean]> = [
    ['the runbook’s statement', policy(statement()), true],
    [
      'Principal {"AWS": "*"}, actions as a list, false as a boolean',
      policy(statement({Principal: {AWS: '*'}, Action: ['s3:*'], Condition: {Bool: {'aws:SecureTransport': false}}})),
      true,
    ],
    [
      'Resource "*" and the key in another case',
      policy(statement({Resource: '*', Condition: {Bool: {'AWS:SecureTransport': ['false']}}})),
      true,
    ],
    [
      'Action "*" beside other statements',
      policy({Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${ARN}/*`}, statement({Action: '*'})),
      true,
    ],
    ['a statement as an object, not a list', JSON.stringify({Statement: statement()}), true],
    ['no policy', null, false],
    ['an Allow instead of a Deny', policy(statement({Effect: 'Allow'})), false],
    ['objects only (the bucket itself reachable without TLS)', policy(statement({Resource: `${ARN}/*`})), false],
    ['another bucket', policy(statement({Resource: ['arn:aws:s3:::other', 'arn:aws:s3:::other/*']})), false],
    ['only some actions', policy(statement({Action: ['s3:GetObject', 's3:PutObject']})), false],
    ['one principal only', policy(statement({Principal: {AWS: 'arn:aws:iam::123456789012:root'}})), false],
    [
      'SecureTransport "true" (denies TLS instead)',
      policy(statement({Condition: {Bool: {'aws:SecureTransport': 'true'}}})),
      false,
    ],
    ['no condition (denies everything)', policy(statement({Condition: undefined})), false],
    [
      'a TLS version rule, not TLS-only',
      policy(statement({Condition: {NumericLessThan: {'s3:TlsVersion': '1.2'}}})),
      false,
    ],
    // Conditions are ANDed: any other condition narrows the deny, so some requests without TLS pass.
    [
      'the TLS deny narrowed to requests not from a VPC endpoint',
      policy(
        statement({
          Condition: {Bool: {'aws:SecureTransport': 'false'}, StringNotEquals: {'aws:SourceVpce': 'vpce-0abc'}},
        }),
      ),
      false,
    ],
    [
      'the TLS deny narrowed by a second Bool key',
      policy(statement({Condition: {Bool: {'aws:SecureTransport': 'false', 'aws:ViaAWSService': 'false'}}})),
      false,
    ],
    [
      'the TLS deny narrowed to some source addresses',
      policy(statement({Condition: {Bool: {'aws:SecureTransport': false}, IpAddress: {'aws:SourceIp': '10.0.0.0/8'}}})),
      false,
    ],
    [
      'a narrowed deny beside the runbook’s statement (that one suffices)',
      policy(
        statement({Sid: 'x', Condition: {Bool: {'aws:SecureTransport': 'false', 'aws:ViaAWSService': 'false'}}}),
        statement(),
      ),
      true,
    ],
    ['not JSON', '{nope', false],
    [
      'a Principal that is one account, as a string',
      policy(statement({Principal: 'arn:aws:iam::123456789012:root'})),
      false,
    ],
    ['a Principal of null', policy(statement({Principal: null})), false],
    ['a Principal list (not a policy form)', policy(statement({Principal: ['*']})), false],
    ['a Bool block of null', policy(statement({Condition: {Bool: null}})), false],
    [
      'another Bool key (no MFA, not no TLS)',
      policy(statement({Condition: {Bool: {'aws:MultiFactorAuthPresent': 'false'}}})),
      false,
    ],
    ['SecureTransport with no value', policy(statement({Condition: {Bool: {'aws:SecureTransport': []}}})), false],
    [
      'SecureTransport false or true (denies TLS too: not the runbook’s statement)',
      policy(statement({Condition: {Bool: {'aws:SecureTransport': ['false', 'true']}}})),
      false,
    ],
    ['junk entries beside the statement', JSON.stringify({Statement: [null, 'x', 3, statement()]}), true],
    ['only junk entries', JSON.stringify({Statement: [null, 'x']}), false],
    ['s3:* among other actions', policy(statement({Action: ['s3:GetObject', 's3:*']})), true],
  ]
  for (const [what, text, expected] of policies) {
    it(`${expected ? 'accepts' : 'refuses'} ${what}`, () => expect(hasTlsOnlyPolicy(text, B)).to.equal(expected))
  }

  it('a bucket name with dots is matched literally (a dot is no wildcard)', () => {
    const dotted = 'piksel.staging-tfstate'
    const on = (bucket: string, objects: string) =>
      policy(statement({Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${objects}/*`]}))
    expect(hasTlsOnlyPolicy(on(dotted, dotted), dotted)).to.equal(true)
    expect(hasTlsOnlyPolicy(on('pikselxstaging-tfstate', dotted), dotted)).to.equal(false)
    expect(hasTlsOnlyPolicy(on(dotted, 'pikselxstaging-tfstate'), dotted)).to.equal(false)
  })

  it('a bucket with the whole posture has no gap', () => expect(postureGaps(B, FULL, where)).to.deep.equal([]))

  const gaps: Array<[string, Partial<BucketFacts>, string, string, RegExp]> = [
    [
      'versioning never enabled',
      {versioning: undefined},
      'versioning',
      'versioning was never enabled',
      /^aws s3api put-bucket-versioning --bucket piksel-staging-tfstate --versioning-configuration Status=Enabled --region ap-southeast-3 --profile staging-piksel$/,
    ],
    [
      'versioning suspended',
      {versioning: 'Suspended'},
      'versioning',
      'versioning is Suspended, not Enabled',
      /put-bucket-versioning/,
    ],
    [
      'no default encryption',
      {encryption: []},
      'encryption',
      'no default encryption',
      /put-bucket-encryption .*"SSEAlgorithm":"AES256"/,
    ],
    [
      'no public access block',
      {publicAccessBlock: null},
      'public-access-block',
      'no public access block',
      /put-public-access-block .*BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true/,
    ],
    [
      'three of the four blocks',
      {
        publicAccessBlock: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: false,
        },
      },
      'public-access-block',
      'public access is not fully blocked (RestrictPublicBuckets off)',
      /put-public-access-block/,
    ],
    [
      'no bucket policy',
      {policy: null},
      'tls-only-policy',
      'no bucket policy denying requests without TLS',
      /^aws s3api put-bucket-policy --bucket piksel-staging-tfstate --policy '.*aws:SecureTransport.*'/,
    ],
    [
      'a policy without the TLS deny',
      {
        policy: policy({
          Effect: 'Allow',
          Principal: {AWS: 'arn:aws:iam::123456789012:root'},
          Action: 's3:GetObject',
          Resource: `${ARN}/*`,
        }),
      },
      'tls-only-policy',
      'the bucket policy does not deny requests without TLS (aws:SecureTransport = false)',
      /^add this statement to the bucket policy \(put-bucket-policy replaces the whole policy\): \{"Sid":"DenyInsecureTransport"/,
    ],
    [
      'another region',
      {region: 'us-west-2'},
      'region',
      'the bucket is in us-west-2, not ap-southeast-3',
      /region = "us-west-2"/,
    ],
    ['aws:kms default encryption counts', {encryption: ['aws:kms']}, '', '', /^$/],
  ]
  for (const [what, facts, property, problem, fix] of gaps) {
    it(`${what}: ${property || 'no gap'}`, () => {
      const found = postureGaps(B, {...FULL, ...facts}, where)
      if (!property) {
        expect(found).to.deep.equal([])
        return
      }
      expect(found).to.have.length(1)
      expect(found[0]).to.include({property, problem})
      expect(found[0]!.fix).to.match(fix)
    })
  }

  it('the fix for a missing policy is the runbook’s statement, and it passes the check', () => {
    expect(tlsOnlyStatement(B)).to.deep.equal({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [ARN, `${ARN}/*`],
      Condition: {Bool: {'aws:SecureTransport': 'false'}},
    })
    const [gap] = postureGaps(B, {...FULL, policy: null}, {region: 'ap-southeast-3'})
    const doc = /--policy '([^']+)'/.exec(gap!.fix)?.[1] ?? ''
    expect(JSON.parse(doc)).to.deep.equal({Version: '2012-10-17', Statement: [tlsOnlyStatement(B)]})
    expect(hasTlsOnlyPolicy(doc, B)).to.equal(true)
    expect(gap!.fix).to.equal(`aws s3api put-bucket-policy --bucket ${B} --policy '${doc}' --region ap-southeast-3`)
  })

  it('names every public access setting that is off, and the command that turns all four on', () => {
    const [gap] = postureGaps(
      B,
      {...FULL, publicAccessBlock: {BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: true}},
      where,
    )
    expect(gap).to.deep.equal({
      property: 'public-access-block',
      problem: 'public access is not fully blocked (IgnorePublicAcls, RestrictPublicBuckets off)',
      fix: `aws s3api put-public-access-block --bucket ${B} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true --region ap-southeast-3 --profile staging-piksel`,
    })
  })

  it('a bare bucket lacks all four safeguards, each with its own fix', () => {
    const found = postureGaps(B, {encryption: [], publicAccessBlock: null, policy: null}, {region: 'ap-southeast-3'})
    expect(found.map((g) => g.property)).to.deep.equal([
      'versioning',
      'encryption',
      'public-access-block',
      'tls-only-policy',
    ])
    for (const gap of found) expect(gap.fix).not.to.include('--profile')
  })
})
