import {expect} from 'chai'

import {type CiInspection, ciConfig, foreignPolicies, judgeCi} from '../../../src/lib/account/ci.ts'
import {accountContext} from '../../../src/lib/account/context.ts'
import {
  compareDelegation,
  delegationFixCommand,
  enclosingZoneNames,
  isApex,
  normaliseName,
  parentZoneName,
} from '../../../src/lib/account/delegation.ts'
import {type DnsInspection, judgeDns} from '../../../src/lib/account/dns.ts'
import {
  type PolicyDocument,
  type TrustTarget,
  auditTrustPolicy,
  buildTrustPolicy,
  comparePolicies,
  githubSubjects,
  parsePolicyDocument,
  partitionOf,
  providerArnFor,
} from '../../../src/lib/account/trust.ts'
import {resolveSettings} from '../../../src/lib/config/environment.ts'
import {ConfigError} from '../../../src/lib/errors.ts'

const PROVIDER = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com'
const TARGET: TrustTarget = {
  providerArn: PROVIDER,
  repository: 'piksel-ina/piksel-infra',
  env: 'staging',
  branch: 'main',
}
const ENV_SUB = 'repo:piksel-ina/piksel-infra:environment:staging'
const MAIN_SUB = 'repo:piksel-ina/piksel-infra:ref:refs/heads/main'
const AUD = 'token.actions.githubusercontent.com:aud'
const SUB = 'token.actions.githubusercontent.com:sub'

/** One Allow statement for the GitHub provider with these conditions (and overrides). */
function statement(condition: Record<string, Record<string, string | string[]>>, over: object = {}) {
  return {
    Sid: 'CI',
    Effect: 'Allow',
    Principal: {Federated: PROVIDER},
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: condition,
    ...over,
  }
}
const doc = (...statements: object[]): PolicyDocument => ({Version: '2012-10-17', Statement: statements})
const good = {StringEquals: {[AUD]: 'sts.amazonaws.com', [SUB]: [ENV_SUB, MAIN_SUB]}}

describe('account: the trust policy', () => {
  it('the subjects are the environment and the default branch of exactly the repository', () => {
    expect(githubSubjects(TARGET)).to.deep.equal([ENV_SUB, MAIN_SUB])
    expect(githubSubjects({...TARGET, branch: 'trunk'})[1]).to.equal(
      'repo:piksel-ina/piksel-infra:ref:refs/heads/trunk',
    )
  })

  it('builds the policy of issue 14', () => {
    expect(buildTrustPolicy(TARGET)).to.deep.equal({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'GitHubActionsTerraform',
          Effect: 'Allow',
          Principal: {Federated: PROVIDER},
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {StringEquals: {[AUD]: 'sts.amazonaws.com', [SUB]: [ENV_SUB, MAIN_SUB]}},
        },
      ],
    })
  })

  it('the provider ARN follows the caller’s partition', () => {
    expect(providerArnFor(partitionOf('arn:aws-cn:sts::123456789012:assumed-role/x/y'), '123456789012')).to.equal(
      'arn:aws-cn:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
    )
    expect(partitionOf('not an arn')).to.equal('aws')
  })

  describe('reading the document as IAM returns it', () => {
    const json = JSON.stringify(doc(statement(good)))
    const cases: Array<[string, string]> = [
      ['plain JSON', json],
      ['URL-encoded (RFC 3986), as GetRole answers', encodeURIComponent(json)],
      ['form-encoded spaces', encodeURIComponent(JSON.stringify(doc(statement(good)), null, 1)).replaceAll('%20', '+')],
    ]
    for (const [what, text] of cases) {
      it(what, () => expect(parsePolicyDocument(text)).to.deep.equal(doc(statement(good))))
    }
    it('a single statement object becomes a list; nonsense is undefined', () => {
      expect(parsePolicyDocument('{"Version":"2012-10-17","Statement":{"Effect":"Deny"}}')?.Statement).to.deep.equal([
        {Effect: 'Deny'},
      ])
      expect(parsePolicyDocument('%7Bnot json')).to.equal(undefined)
      expect(parsePolicyDocument(undefined)).to.equal(undefined)
    })
  })

  describe('the audit', () => {
    // [what, document, expected findings as [severity, statement, a fragment of the problem]]
    const cases: Array<[string, PolicyDocument | undefined, Array<[string, string, string]>]> = [
      ['the policy piksel writes', buildTrustPolicy(TARGET), []],
      [
        'a single subject as a string admits only it (the other is a warning)',
        doc(statement({StringEquals: {[AUD]: 'sts.amazonaws.com', [SUB]: ENV_SUB}})),
        [['warn', 'the policy', `does not admit ${MAIN_SUB}`]],
      ],
      [
        'a * in the repository part',
        doc(statement({StringEquals: {[AUD]: 'sts.amazonaws.com'}, StringLike: {[SUB]: 'repo:piksel-ina/*:*'}})),
        [['fail', 'statement "CI"', 'wildcard in the repository']],
      ],
      [
        'a ? in the repository part',
        doc(
          statement({
            StringEquals: {[AUD]: 'sts.amazonaws.com'},
            StringLike: {[SUB]: 'repo:piksel-ina/piksel-infr?:ref:refs/heads/main'},
          }),
        ),
        [['fail', 'statement "CI"', 'wildcard in the repository']],
      ],
      [
        'StringLike on a broad subject of the right repository',
        doc(
          statement({
            StringEquals: {[AUD]: 'sts.amazonaws.com'},
            StringLike: {[SUB]: 'repo:piksel-ina/piksel-infra:*'},
          }),
        ),
        [['fail', 'statement "CI"', 'broad subject']],
      ],
      [
        'no aud condition (index when there is no Sid)',
        doc(statement({StringEquals: {[SUB]: [ENV_SUB, MAIN_SUB]}}, {Sid: undefined})),
        [['fail', 'statement 1', `no StringEquals condition on ${AUD}`]],
      ],
      [
        'another audience',
        doc(statement({StringEquals: {[AUD]: ['sts.amazonaws.com', 'sigstore'], [SUB]: [ENV_SUB, MAIN_SUB]}})),
        [['fail', 'statement "CI"', 'accepts the audiences sts.amazonaws.com, sigstore']],
      ],
      [
        'no sub condition: any repository',
        doc(statement({StringEquals: {[AUD]: 'sts.amazonaws.com'}})),
        [['fail', 'statement "CI"', 'every repository on GitHub']],
      ],
      [
        'another repository’s exact subject',
        doc(
          statement({
            StringEquals: {
              [AUD]: 'sts.amazonaws.com',
              [SUB]: [ENV_SUB, MAIN_SUB, 'repo:someone/else:ref:refs/heads/main'],
            },
          }),
        ),
        [['fail', 'statement "CI"', 'not of piksel-ina/piksel-infra']],
      ],
      [
        'the repository spelled in another case: named as such (not as another repository)',
        doc(
          statement({
            StringEquals: {
              [AUD]: 'sts.amazonaws.com',
              [SUB]: ['repo:Piksel-INA/piksel-infra:environment:staging', MAIN_SUB],
            },
          }),
        ),
        [['fail', 'statement "CI"', 'differs from ci.repository piksel-ina/piksel-infra only in case']],
      ],
      [
        'another subject of the repository (pull requests)',
        doc(
          statement({
            StringEquals: {
              [AUD]: 'sts.amazonaws.com',
              [SUB]: [ENV_SUB, MAIN_SUB, 'repo:piksel-ina/piksel-infra:pull_request'],
            },
          }),
        ),
        [['fail', 'statement "CI"', 'admits the subject "repo:piksel-ina/piksel-infra:pull_request"']],
      ],
      [
        'condition keys are matched case-insensitively, as IAM does',
        doc(
          statement({
            StringEquals: {[AUD.toUpperCase()]: 'sts.amazonaws.com', [SUB.toUpperCase()]: [ENV_SUB, MAIN_SUB]},
          }),
        ),
        [],
      ],
      [
        'a second statement letting an AWS account in',
        doc(statement(good), {
          Sid: 'Ops',
          Effect: 'Allow',
          Principal: {AWS: 'arn:aws:iam::999999999999:root'},
          Action: 'sts:AssumeRole',
        }),
        [['fail', 'statement "Ops"', 'lets AWS arn:aws:iam::999999999999:root assume the role']],
      ],
      [
        'Principal *',
        doc({Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRoleWithWebIdentity'}),
        [['fail', 'statement 1', 'lets * assume the role']],
      ],
      [
        'another identity provider',
        doc(statement(good, {Principal: {Federated: 'arn:aws:iam::123456789012:oidc-provider/gitlab.com'}})),
        [['fail', 'statement "CI"', 'trusts the identity provider arn:aws:iam::123456789012:oidc-provider/gitlab.com']],
      ],
      [
        'sts:* is broader than needed',
        doc(statement(good, {Action: 'sts:*'})),
        [['fail', 'statement "CI"', 'allows sts:*']],
      ],
      [
        // GitHub's tokens carry no session tags, so it is not needed; it lets no one else in either.
        'sts:TagSession next to AssumeRoleWithWebIdentity (AWS and common examples add it): no finding',
        doc(statement(good, {Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession']})),
        [],
      ],
      [
        'action names in another case (IAM reads them case-insensitively): no finding',
        doc(statement(good, {Action: ['STS:AssumeRoleWithWebIdentity', 'sts:tagsession']})),
        [],
      ],
      [
        'sts:TagSession does not excuse a broad subject',
        doc(
          statement(
            {StringEquals: {[AUD]: 'sts.amazonaws.com'}, StringLike: {[SUB]: 'repo:piksel-ina/*:*'}},
            {Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession']},
          ),
        ),
        [['fail', 'statement "CI"', 'wildcard in the repository']],
      ],
      [
        'another action next to it still fails',
        doc(statement(good, {Action: ['sts:AssumeRoleWithWebIdentity', 'sts:AssumeRole']})),
        [['fail', 'statement "CI"', 'allows sts:AssumeRoleWithWebIdentity, sts:AssumeRole']],
      ],
      [
        'NotAction',
        doc(statement(good, {Action: undefined, NotAction: 'iam:*'})),
        [['fail', 'statement "CI"', 'NotAction']],
      ],
      [
        'NotPrincipal',
        doc({Sid: 'N', Effect: 'Allow', NotPrincipal: {AWS: 'x'}, Action: 'sts:AssumeRole'}),
        [['fail', 'statement "N"', 'NotPrincipal']],
      ],
      [
        'a Deny statement only restricts: not judged',
        doc(statement(good), {Effect: 'Deny', Principal: '*', Action: '*'}),
        [],
      ],
      [
        'ForAnyValue operators on sub are not accepted',
        doc(statement({StringEquals: {[AUD]: 'sts.amazonaws.com'}, 'ForAnyValue:StringLike': {[SUB]: [ENV_SUB]}})),
        [['fail', 'statement "CI"', 'tests token.actions.githubusercontent.com:sub with ForAnyValue:StringLike']],
      ],
      ['an unreadable document', undefined, [['fail', 'the document', 'cannot be read']]],
    ]
    for (const [what, document, expected] of cases) {
      it(what, () => {
        const findings = auditTrustPolicy(document, TARGET)
        expect(
          findings.map((f) => [f.severity, f.statement]),
          JSON.stringify(findings),
        ).to.deep.equal(expected.map(([severity, where]) => [severity, where]))
        findings.forEach((f, i) => {
          expect(f.problem).to.include(expected[i]![2])
          expect(f.fix).to.be.a('string').and.not.equal('')
        })
      })
    }
  })

  it('compares policies both ways', () => {
    expect(comparePolicies(['a', 'b'], ['b', 'c'])).to.deep.equal({missing: ['a'], extra: ['c']})
    expect(comparePolicies(['a'], ['a'])).to.deep.equal({missing: [], extra: []})
  })
})

describe('account: the CI config and its judgement', () => {
  const staging = resolveSettings().environments.staging!
  const withCi = (ci: Partial<typeof staging.ci>) => ({...staging, ci: {...staging.ci, ...ci}})

  it('is unconfigured without a repository or policies; policies without a repository: exit 2 naming ci.repository', () => {
    expect(ciConfig(staging)).to.equal(undefined)
    expect(() => ciConfig(withCi({policies: ['arn:aws:iam::aws:policy/PowerUserAccess']})))
      .to.throw(ConfigError, 'ci.repository')
      .with.property('code', 'CI_REPOSITORY_MISSING')
    expect(ciConfig(withCi({repository: 'piksel-ina/piksel-infra'}))).to.deep.equal({
      repository: 'piksel-ina/piksel-infra',
      branch: 'main',
      role: 'piksel-staging-terraform',
    })
  })

  const inspection = (over: Partial<CiInspection>): CiInspection => ({
    config: {repository: 'piksel-ina/piksel-infra', branch: 'main', role: 'r', policies: ['p1']},
    target: TARGET,
    unknownPolicies: [],
    ...over,
  })
  const OURS = {Environment: 'staging', ManagedBy: 'piksel'}
  const provider = {arn: PROVIDER, audiences: ['sts.amazonaws.com']}
  const envOnlyTrust: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: {Federated: PROVIDER},
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': 'repo:piksel-ina/piksel-infra:environment:staging',
          },
        },
      },
    ],
  }
  type Expected = {failures: number; warnings: number; create: object; incomplete?: object}
  const cases: Array<[string, Partial<CiInspection>, Expected]> = [
    ['nothing there: create both', {}, {failures: 0, warnings: 0, create: {provider: true, role: true}}],
    [
      'all there and right',
      {provider, role: {arn: 'a', trust: buildTrustPolicy(TARGET), attached: ['p1'], tags: OURS}},
      {failures: 0, warnings: 0, create: {provider: false, role: false}},
    ],
    [
      'provider without the audience: a failure',
      {provider: {arn: PROVIDER, audiences: ['sigstore']}},
      {failures: 1, warnings: 0, create: {provider: false, role: true}},
    ],
    [
      'provider with another audience too: a warning',
      {provider: {arn: PROVIDER, audiences: ['sts.amazonaws.com', 'sigstore']}},
      {failures: 0, warnings: 1, create: {provider: false, role: true}},
    ],
    [
      'role with other policies: incomplete (the configured one is missing), the other listed',
      {provider, role: {arn: 'a', trust: buildTrustPolicy(TARGET), attached: ['p2'], tags: {}}},
      {
        failures: 0,
        warnings: 1,
        create: {provider: false, role: false},
        incomplete: {
          policies: ['p1'],
          trust: [],
          ours: false,
          notOurs: {
            reason: 'piksel did not create that role (it lacks the tags Environment=staging, ManagedBy=piksel)',
            retag: true,
          },
        },
      },
    ],
    [
      'piksel’s role without its policy (a run stopped before AttachRolePolicy): incomplete, ours',
      {provider, role: {arn: 'a', trust: buildTrustPolicy(TARGET), attached: [], tags: OURS}},
      {
        failures: 0,
        warnings: 0,
        create: {provider: false, role: false},
        incomplete: {policies: ['p1'], trust: [], ours: true},
      },
    ],
    [
      'piksel’s tags for another environment: not ours',
      {provider, role: {arn: 'a', trust: buildTrustPolicy(TARGET), attached: [], tags: {...OURS, Environment: 'prod'}}},
      {
        failures: 0,
        warnings: 0,
        create: {provider: false, role: false},
        incomplete: {
          policies: ['p1'],
          trust: [],
          ours: false,
          // Another environment's role: never to be re-tagged as this one's.
          notOurs: {reason: 'piksel created that role for prod (tag Environment=prod), not for staging', retag: false},
        },
      },
    ],
    [
      'piksel’s tags in another case: not ours, said as such',
      {
        provider,
        role: {
          arn: 'a',
          trust: buildTrustPolicy(TARGET),
          attached: [],
          tags: {environment: 'Staging', managedBy: 'piksel'},
        },
      },
      {
        failures: 0,
        warnings: 0,
        create: {provider: false, role: false},
        incomplete: {
          policies: ['p1'],
          trust: [],
          ours: false,
          notOurs: {
            reason:
              'its tags environment=Staging, managedBy=piksel differ from Environment=staging, ManagedBy=piksel in case (compared as written), so piksel cannot tell it created that role',
            retag: true,
          },
        },
      },
    ],
    [
      'a trust policy that keeps out the branch subject: incomplete',
      {provider, role: {arn: 'a', trust: envOnlyTrust, attached: ['p1'], tags: OURS}},
      {
        failures: 0,
        warnings: 0,
        create: {provider: false, role: false},
        incomplete: {
          policies: [],
          trust: [
            'the policy does not admit repo:piksel-ina/piksel-infra:ref:refs/heads/main: those workflows cannot assume the role',
          ],
          ours: true,
        },
      },
    ],
  ]
  for (const [what, over, expected] of cases) {
    it(what, () => {
      const j = judgeCi(inspection(over))
      expect(
        {
          failures: j.failures.length,
          warnings: j.warnings.length,
          create: j.create,
          ...(j.incomplete ? {incomplete: j.incomplete} : {}),
        },
        JSON.stringify(j),
      ).to.deep.equal(expected)
    })
  }
})

describe('account: policies IAM can attach to the account’s role', () => {
  const caller = {arn: 'arn:aws:iam::123456789012:user/ops', account: '123456789012'}
  const govCaller = {arn: 'arn:aws-us-gov:iam::123456789012:user/ops', account: '123456789012'}
  const rows: Array<[string, string, typeof caller, boolean]> = [
    ['an AWS managed policy', 'arn:aws:iam::aws:policy/PowerUserAccess', caller, false],
    ['an AWS managed policy with a path', 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess', caller, false],
    ['the account’s own policy', 'arn:aws:iam::123456789012:policy/terraform-ci', caller, false],
    ['another account’s policy', 'arn:aws:iam::999999999999:policy/terraform-ci', caller, true],
    ['another partition’s AWS managed policy', 'arn:aws-cn:iam::aws:policy/PowerUserAccess', caller, true],
    ['the commercial ARN from GovCloud', 'arn:aws:iam::aws:policy/PowerUserAccess', govCaller, true],
    ['GovCloud’s own from GovCloud', 'arn:aws-us-gov:iam::aws:policy/PowerUserAccess', govCaller, false],
  ]
  for (const [what, arn, who, foreign] of rows) {
    it(`${what}: ${foreign ? 'refused' : 'attachable'}`, () => {
      expect(foreignPolicies([arn], who)).to.deep.equal(foreign ? [arn] : [])
    })
  }
})

describe('account: DNS delegation', () => {
  it('normalises names: case, trailing dots, space', () => {
    expect(normaliseName(' Staging.Piksel.Example.ORG. ')).to.equal('staging.piksel.example.org')
  })
  const parents: Array<[string, string | undefined, boolean]> = [
    ['staging.piksel.example.org', 'piksel.example.org', false],
    ['piksel.example.org.', 'example.org', false],
    ['example.org', 'org', true],
    ['org', undefined, true],
  ]
  for (const [zone, parent, apex] of parents) {
    it(`${zone}: parent ${parent}, apex ${apex}`, () => {
      expect(parentZoneName(zone)).to.equal(parent)
      expect(isApex(zone)).to.equal(apex)
    })
  }

  // The delegation is in the closest enclosing zone: the parent, else an ancestor further up.
  const enclosing: Array<[string, string[]]> = [
    ['staging.piksel.example.org', ['piksel.example.org', 'example.org']],
    ['A.B.Staging.Example.ORG.', ['b.staging.example.org', 'staging.example.org', 'example.org']],
    ['piksel.example.org', ['example.org']],
    ['example.org', ['org']],
    ['org', []],
  ]
  for (const [zone, ancestors] of enclosing) {
    it(`${zone}: delegated by the first of ${ancestors.join(', ') || 'none'} that exists`, () => {
      expect(enclosingZoneNames(zone)).to.deep.equal(ancestors)
    })
  }

  const NS = ['ns-1.awsdns-1.com', 'ns-2.awsdns-2.net']
  const compare: Array<[string, string[] | undefined, string, string[], string[]]> = [
    ['the same set', ['NS-2.AWSDNS-2.NET.', 'ns-1.awsdns-1.com.'], 'match', [], []],
    ['no NS record', undefined, 'missing', NS, []],
    ['an empty NS record', [], 'missing', NS, []],
    ['one missing', ['ns-1.awsdns-1.com'], 'different', ['ns-2.awsdns-2.net'], []],
    ['one extra', [...NS, 'ns-3.other.org'], 'different', [], ['ns-3.other.org']],
    ['entirely other', ['a.example.net', 'b.example.net'], 'different', NS, ['a.example.net', 'b.example.net']],
  ]
  for (const [what, parent, state, onlyZone, onlyParent] of compare) {
    it(`delegation: ${what} -> ${state}`, () => {
      const c = compareDelegation(NS, parent)
      expect({state: c.state, onlyZone: c.onlyZone, onlyParent: c.onlyParent}).to.deep.equal({
        state,
        onlyZone,
        onlyParent,
      })
    })
  }

  it('the fix is an UPSERT of the NS record in the parent zone, with the profile', () => {
    expect(
      delegationFixCommand(
        'Staging.Piksel.Example.org.',
        '/hostedzone/Z1',
        ['ns-2.b.net.', 'NS-1.A.COM'],
        'hub-piksel',
      ),
    ).to.equal(
      `aws route53 change-resource-record-sets --hosted-zone-id Z1 --change-batch '{"Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"staging.piksel.example.org.","Type":"NS","TTL":172800,"ResourceRecords":[{"Value":"ns-1.a.com."},{"Value":"ns-2.b.net."}]}}]}' --profile hub-piksel`,
    )
  })

  const zone = {id: 'Z2', name: 'staging.piksel.example.org', nameServers: NS}
  const judged: Array<[string, DnsInspection, string, string | undefined]> = [
    ['no zone', {zone: zone.name, zones: []}, 'fail', 'DNS_ZONE_MISSING'],
    ['an apex zone', {zone: 'example.org', zones: [{...zone, name: 'example.org'}]}, 'pass', undefined],
    [
      'parent not found, no profile: a warning',
      {zone: zone.name, zones: [zone], parent: {name: 'piksel.example.org', zones: [], records: []}},
      'warn',
      undefined,
    ],
    [
      'no enclosing zone found with the profile: a failure naming each name looked up',
      {
        zone: zone.name,
        zones: [zone],
        parent: {
          name: 'piksel.example.org',
          searched: ['piksel.example.org', 'example.org'],
          profile: 'hub',
          zones: [],
          records: [],
        },
      },
      'fail',
      'DNS_PARENT_MISSING',
    ],
    [
      'parent not found with the profile: a failure',
      {zone: zone.name, zones: [zone], parent: {name: 'piksel.example.org', profile: 'hub', zones: [], records: []}},
      'fail',
      'DNS_PARENT_MISSING',
    ],
    [
      'delegated',
      {
        zone: zone.name,
        zones: [zone],
        parent: {name: 'piksel.example.org', zones: [{...zone, id: 'Z1'}], records: [{zoneId: 'Z1', nameServers: NS}]},
      },
      'pass',
      undefined,
    ],
    [
      'not delegated',
      {
        zone: zone.name,
        zones: [zone],
        parent: {
          name: 'piksel.example.org',
          zones: [{...zone, id: 'Z1'}],
          records: [{zoneId: 'Z1', nameServers: undefined}],
        },
      },
      'fail',
      'DNS_DELEGATION',
    ],
    [
      'two zones of the name, the parent delegates to the second: refused as ambiguous (never one picked)',
      {
        zone: zone.name,
        zones: [{...zone, id: 'Zold', nameServers: ['x.example.net']}, zone],
        parent: {name: 'piksel.example.org', zones: [{...zone, id: 'Z1'}], records: [{zoneId: 'Z1', nameServers: NS}]},
      },
      'fail',
      'DNS_ZONE_AMBIGUOUS',
    ],
    [
      'two zones of the name and no parent zone to tell them apart: refused as ambiguous',
      {zone: zone.name, zones: [{...zone, id: 'Zold'}, zone]},
      'fail',
      'DNS_ZONE_AMBIGUOUS',
    ],
  ]
  for (const [what, inspection, status, code] of judged) {
    it(`judged: ${what} -> ${status}`, () => {
      const j = judgeDns(inspection, {name: 'staging'})
      expect(j.status, j.summary).to.equal(status)
      expect(j.error?.code).to.equal(code)
      if (j.error) expect(j.error.exitCode).to.equal(3)
    })
  }
  it('two public parent zones of one name, one delegating: passes with a warning naming both (which one is served is not checked)', () => {
    const j = judgeDns(
      {
        zone: zone.name,
        zones: [zone],
        parent: {
          name: 'piksel.example.org',
          zones: [
            {...zone, id: 'P1', name: 'piksel.example.org'},
            {...zone, id: 'P2', name: 'piksel.example.org'},
          ],
          records: [
            {zoneId: 'P1', nameServers: undefined},
            {zoneId: 'P2', nameServers: NS},
          ],
        },
      },
      {name: 'staging'},
    )
    expect(j.status).to.equal('pass')
    expect(j.details.parentZoneId).to.equal('P2')
    expect(j.warnings).to.deep.equal([
      'piksel.example.org is 2 public hosted zones (P1, P2) and only P2 delegates staging.piksel.example.org: resolvers follow the one the name servers of example.org point at, which piksel did not check; keep one zone named piksel.example.org',
    ])
  })

  it('of two zones, the refusal names both and the delegated one; no zone is chosen', () => {
    const j = judgeDns(judged[7]![1], {name: 'staging'})
    expect(j.details.zoneId).to.equal(null)
    expect(j.details.parentZoneId).to.equal('Z1')
    expect(j.summary).to.include('2 public hosted zones').and.to.include('Zold, Z2').and.to.include('delegates to Z2')
    expect(j.error?.hint).to.include('Z2, the delegated one')
    const none = judgeDns(judged[8]![1], {name: 'staging'})
    expect(none.summary).to.include('no parent zone says which is used')
  })
})

describe('account: the step context adapter', () => {
  const base = {
    options: {
      env: resolveSettings().environments.staging!,
      session: {region: 'ap-southeast-3', profileSource: 'environment' as const},
      dryRun: false,
      caller: async () => ({account: '1', arn: 'a', userId: 'u'}),
    },
    line: () => {},
    warn: () => {},
  }
  it('confirms through the context’s confirm, or its io’s (both runner shapes)', async () => {
    const asked: string[] = []
    await accountContext({...base, confirm: async (m) => (asked.push(`ctx ${m}`), true)}).confirm('one')
    await accountContext({...base, io: {confirm: async (m) => (asked.push(`io ${m}`), true)}}).confirm('two')
    expect(asked).to.deep.equal(['ctx one', 'io two'])
  })
  it('a parent profile session keeps the region and names the profile', () => {
    const session = accountContext(base).sessionFor('hub-piksel')
    expect(session).to.deep.equal({region: 'ap-southeast-3', profile: 'hub-piksel', profileSource: 'config'})
  })
})
