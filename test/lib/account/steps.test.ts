/**
 * The account steps and doctor checks through the real AWS SDK clients (@aws-sdk/client-iam,
 * @aws-sdk/client-route-53) against moto_server. Expected values are written out by hand or
 * read back from moto with the tests' own clients, never computed by the code under test.
 */
import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parse as parseYaml} from 'yaml'

import {checkCiRole, checkDnsZone, checkSpotRole} from '../../../src/lib/account/checks.ts'
import type {AccountContext} from '../../../src/lib/account/context.ts'
import {dnsStep, oidcStep, spotRoleStep} from '../../../src/lib/account/steps.ts'
import {getCallerIdentity} from '../../../src/lib/aws/identity.ts'
import type {AwsSession} from '../../../src/lib/aws/session.ts'
import {type Environment, resolveSettings} from '../../../src/lib/config/environment.ts'
import {PikselError} from '../../../src/lib/errors.ts'
import {iamClient, createAwsSpotRole, route53Client} from '../../support/iam.ts'
import {MOTO_ACCOUNT, type Moto, startMoto} from '../../support/moto.ts'

const PROVIDER_ARN = `arn:aws:iam::${MOTO_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`
const ROLE_ARN = `arn:aws:iam::${MOTO_ACCOUNT}:role/piksel-staging-terraform`
const POWER_USER = 'arn:aws:iam::aws:policy/PowerUserAccess'
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess'

/** The trust policy of issue 14, written out by hand. */
const EXPECTED_TRUST = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'GitHubActionsTerraform',
      Effect: 'Allow',
      Principal: {Federated: PROVIDER_ARN},
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': [
            'repo:piksel-ina/piksel-infra:environment:staging',
            'repo:piksel-ina/piksel-infra:ref:refs/heads/main',
          ],
        },
      },
    },
  ],
}

/** A trust policy that lets every repository of the owner in. */
const WILDCARD_TRUST = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AnyRepo',
      Effect: 'Allow',
      Principal: {Federated: PROVIDER_ARN},
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com'},
        StringLike: {'token.actions.githubusercontent.com:sub': 'repo:piksel-ina/*:*'},
      },
    },
  ],
}

describe('account steps (moto)', function () {
  this.timeout(60_000)
  let moto: Moto
  const saved = {...process.env}
  const session: AwsSession = {region: 'ap-southeast-3', profileSource: 'environment'}
  let lines: string[]
  let warnings: string[]
  let confirmations: string[]

  before(async function () {
    // AWS managed policies exist (PowerUserAccess, ReadOnlyAccess), as in an account.
    moto = await startMoto(this, {env: {MOTO_IAM_LOAD_MANAGED_POLICIES: 'true'}})
    Object.assign(process.env, moto.env)
    delete process.env.AWS_PROFILE
  })
  after(async () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
    await moto?.stop()
  })
  beforeEach(async () => {
    await moto.reset()
    lines = []
    warnings = []
    confirmations = []
  })

  function env(over: {ci?: Partial<Environment['ci']>; dns?: Environment['dns']} = {}): Environment {
    const base = resolveSettings().environments.staging!
    return {
      ...base,
      ci: {...base.ci, repository: 'piksel-ina/piksel-infra', policies: [POWER_USER], ...over.ci},
      ...(over.dns ? {dns: over.dns} : {}),
    }
  }

  function context(environment: Environment, over: Partial<AccountContext> = {}): AccountContext {
    return {
      env: environment,
      session,
      sessionFor: (profile) => ({region: session.region, profile, profileSource: 'config'}),
      caller: () => getCallerIdentity(session),
      dryRun: false,
      confirm: async (message) => {
        confirmations.push(message)
        return true
      },
      line: (text) => lines.push(text),
      warn: (message) => warnings.push(message),
      ...over,
    }
  }

  /** What IAM holds, read with the tests' own client. */
  async function iamState() {
    const sdk = await import('@aws-sdk/client-iam')
    const iam = await iamClient(moto)
    try {
      const providers = (await iam.send(new sdk.ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? []
      const provider = providers[0]?.Arn
        ? await iam.send(new sdk.GetOpenIDConnectProviderCommand({OpenIDConnectProviderArn: providers[0].Arn}))
        : undefined
      const roles = ((await iam.send(new sdk.ListRolesCommand({}))).Roles ?? []).map((r) => ({
        name: r.RoleName,
        path: r.Path,
        created: r.CreateDate?.toISOString(),
        trust: r.AssumeRolePolicyDocument ? JSON.parse(decodeURIComponent(r.AssumeRolePolicyDocument)) : undefined,
      }))
      const attached = await Promise.all(
        roles.map(async (r) => ({
          role: r.name,
          policies: (
            (await iam.send(new sdk.ListAttachedRolePoliciesCommand({RoleName: r.name}))).AttachedPolicies ?? []
          )
            .map((p) => p.PolicyArn)
            .sort(),
        })),
      )
      return {
        providers: providers.map((p) => p.Arn),
        audiences: provider?.ClientIDList ?? [],
        providerCreated: provider?.CreateDate?.toISOString(),
        roles,
        attached,
      }
    } finally {
      iam.destroy()
    }
  }

  /** The tags the oidc step puts on what it creates: the role is provably piksel's, for staging. */
  const PIKSEL_TAGS = {Environment: 'staging', ManagedBy: 'piksel'}

  async function createRoleWithTrust(trust: object, policies: string[] = [], tags: Record<string, string> = {}) {
    const sdk = await import('@aws-sdk/client-iam')
    const iam = await iamClient(moto)
    try {
      await iam.send(
        new sdk.CreateOpenIDConnectProviderCommand({
          Url: 'https://token.actions.githubusercontent.com',
          ClientIDList: ['sts.amazonaws.com'],
        }),
      )
      await iam.send(
        new sdk.CreateRoleCommand({
          RoleName: 'piksel-staging-terraform',
          AssumeRolePolicyDocument: JSON.stringify(trust),
          Tags: Object.entries(tags).map(([Key, Value]) => ({Key, Value})),
        }),
      )
      for (const arn of policies) {
        await iam.send(new sdk.AttachRolePolicyCommand({RoleName: 'piksel-staging-terraform', PolicyArn: arn}))
      }
    } finally {
      iam.destroy()
    }
  }

  async function failure(promise: Promise<unknown>): Promise<PikselError> {
    try {
      await promise
    } catch (error) {
      expect(error).to.be.instanceOf(PikselError)
      return error as PikselError
    }
    throw new Error('expected the step to fail')
  }

  describe('oidc', () => {
    it('creates the provider and the role with exactly the trust policy; a re-run is already done and changes nothing', async () => {
      const outcome = await oidcStep(context(env()))
      expect(outcome.status).to.equal('done')
      expect(confirmations).to.have.length(1)
      expect(confirmations[0]).to.include('piksel-staging-terraform').and.to.include(POWER_USER)
      const after = await iamState()
      expect(after.providers).to.deep.equal([PROVIDER_ARN])
      expect(after.audiences).to.deep.equal(['sts.amazonaws.com'])
      expect(after.roles.map((r) => r.name)).to.deep.equal(['piksel-staging-terraform'])
      // Parsed and compared as objects.
      expect(after.roles[0]!.trust).to.deep.equal(EXPECTED_TRUST)
      expect(after.attached).to.deep.equal([{role: 'piksel-staging-terraform', policies: [POWER_USER]}])
      expect(outcome.details).to.include({providerArn: PROVIDER_ARN, roleArn: ROLE_ARN})
      expect(outcome.detail).to.include(`role-to-assume: ${ROLE_ARN}`).and.to.include('permissions {id-token: write}')
      // The printed workflow lines, without their prefix, are YAML a job can take as it is.
      const heading = lines.indexOf('piksel: the workflow job that runs Terraform needs:')
      expect(heading).to.be.greaterThan(-1)
      const yaml = lines
        .slice(heading + 1)
        .filter((l) => l.startsWith('piksel:   '))
        .map((l) => l.slice('piksel:   '.length))
        .join('\n')
      expect(parseYaml(yaml)).to.deep.equal({
        permissions: {'id-token': 'write', contents: 'read'},
        steps: [
          {
            uses: 'aws-actions/configure-aws-credentials@v4',
            with: {'role-to-assume': ROLE_ARN, 'aws-region': 'ap-southeast-3'},
          },
        ],
      })

      confirmations = []
      const again = await oidcStep(context(env()))
      expect(again.status).to.equal('already-done')
      expect(again.detail).to.include(`role-to-assume: ${ROLE_ARN}`)
      expect(again.details).to.include({providerArn: PROVIDER_ARN, roleArn: ROLE_ARN})
      expect(confirmations).to.deep.equal([])
      expect(warnings).to.deep.equal([])
      // No new version of anything: the same provider, role (same creation time), policies.
      expect(await iamState()).to.deep.equal(after)
    })

    it('ci.repository is written as spelled (GitHub’s sub claim keeps the case; IAM compares it case-sensitively)', async () => {
      await oidcStep(context(env({ci: {repository: 'Piksel-INA/Piksel-Infra'}})))
      const trust = (await iamState()).roles[0]!.trust
      expect(trust.Statement[0].Condition.StringEquals['token.actions.githubusercontent.com:sub']).to.deep.equal([
        'repo:Piksel-INA/Piksel-Infra:environment:staging',
        'repo:Piksel-INA/Piksel-Infra:ref:refs/heads/main',
      ])
      // The same role audited with the repository in another case: named precisely, and exit 3, never rewritten.
      const before = await iamState()
      const error = await failure(oidcStep(context(env({ci: {repository: 'piksel-ina/piksel-infra'}}))))
      expect(error.exitCode).to.equal(3)
      expect(error.code).to.equal('CI_TRUST_POLICY')
      expect(error.message).to.include('only in case')
      expect(await iamState()).to.deep.equal(before)
    })

    it('--dry-run reads and plans; nothing is created', async () => {
      const outcome = await oidcStep(context(env(), {dryRun: true}))
      expect(outcome.status).to.equal('planned')
      expect(outcome.detail).to.include('would create').and.to.include('piksel-staging-terraform')
      expect(confirmations).to.deep.equal([])
      expect(await iamState()).to.deep.include({providers: [], roles: []})
    })

    it('refuses to create the role without policies (exit 2, naming the key) before any write', async () => {
      const error = await failure(oidcStep(context(env({ci: {policies: undefined}}))))
      expect(error.exitCode).to.equal(2)
      expect(error.code).to.equal('CI_POLICIES_MISSING')
      expect(error.message).to.include('environments.staging.ci.policies')
      expect(confirmations).to.deep.equal([])
      expect(await iamState()).to.deep.include({providers: [], roles: []})
    })

    it('a declined confirmation writes nothing', async () => {
      const error = await failure(oidcStep(context(env(), {confirm: async () => false})))
      expect(error.code).to.equal('DECLINED')
      expect(await iamState()).to.deep.include({providers: [], roles: []})
    })

    it('an existing wildcard trust policy is reported (exit 3, naming the statement and the fix) and left untouched', async () => {
      await createRoleWithTrust(WILDCARD_TRUST, [POWER_USER])
      const before = await iamState()
      const error = await failure(oidcStep(context(env())))
      expect(error.exitCode).to.equal(3)
      expect(error.code).to.equal('CI_TRUST_POLICY')
      expect(error.message).to.include('statement "AnyRepo"').and.to.include('repo:piksel-ina/*:*')
      expect(error.hint).to.include('aws iam update-assume-role-policy --role-name piksel-staging-terraform')
      expect(confirmations).to.deep.equal([])
      const after = await iamState()
      expect(after).to.deep.equal(before)
      expect(after.roles[0]!.trust).to.deep.equal(WILDCARD_TRUST)
    })

    it('an existing good role with the configured policies and others is already done; the others are listed, never detached', async () => {
      await createRoleWithTrust(EXPECTED_TRUST, [POWER_USER, READ_ONLY])
      const before = await iamState()
      const outcome = await oidcStep(context(env()))
      expect(outcome.status).to.equal('already-done')
      expect(warnings.join('\n')).to.include(`also has ${READ_ONLY}`)
      expect(outcome.details).to.deep.include({missingPolicies: [], extraPolicies: [READ_ONLY]})
      expect(await iamState()).to.deep.equal(before)
    })

    it('a half-created role of its own (stopped before AttachRolePolicy) is not done: the policies are attached after the confirmation', async () => {
      await createRoleWithTrust(EXPECTED_TRUST, [], PIKSEL_TAGS)
      const dry = await oidcStep(context(env(), {dryRun: true}))
      expect(dry.status).to.equal('planned')
      expect(dry.detail).to.include(`attach ${POWER_USER} to role piksel-staging-terraform`)
      const check = await checkCiRole({env: env(), session, caller: () => getCallerIdentity(session)})
      expect(check.status).to.equal('fail')
      expect(check.detail).to.include(`lacks ${POWER_USER}`).and.to.include('piksel bootstrap -e staging --only oidc')
      expect((await iamState()).attached).to.deep.equal([{role: 'piksel-staging-terraform', policies: []}])

      const outcome = await oidcStep(context(env()))
      expect(outcome.status).to.equal('done')
      expect(confirmations).to.have.length(1)
      expect(confirmations[0]).to.include(`Attach ${POWER_USER} to role piksel-staging-terraform`)
      const after = await iamState()
      expect(after.attached).to.deep.equal([{role: 'piksel-staging-terraform', policies: [POWER_USER]}])
      expect(after.roles[0]!.trust).to.deep.equal(EXPECTED_TRUST)
      expect(outcome.details).to.deep.include({policies: [POWER_USER], missingPolicies: []})
      confirmations = []
      expect((await oidcStep(context(env()))).status).to.equal('already-done')
      expect(confirmations).to.deep.equal([])
      const done = await checkCiRole({env: env(), session, caller: () => getCallerIdentity(session)})
      expect(done.status, done.detail).to.equal('pass')
    })

    it('a role of its own whose trust policy lacks a subject gets the trust policy piksel writes, after the confirmation', async () => {
      const envOnly = structuredClone(EXPECTED_TRUST)
      envOnly.Statement[0]!.Condition.StringEquals['token.actions.githubusercontent.com:sub'] = [
        'repo:piksel-ina/piksel-infra:environment:staging',
      ]
      await createRoleWithTrust(envOnly, [POWER_USER], PIKSEL_TAGS)
      const check = await checkCiRole({env: env(), session, caller: () => getCallerIdentity(session)})
      expect(check.status).to.equal('fail')
      expect(check.detail).to.include('repo:piksel-ina/piksel-infra:ref:refs/heads/main')
      const outcome = await oidcStep(context(env()))
      expect(outcome.status).to.equal('done')
      expect(confirmations[0]).to.include('Replace the trust policy of role piksel-staging-terraform')
      expect((await iamState()).roles[0]!.trust).to.deep.equal(EXPECTED_TRUST)
    })

    it('a role piksel did not create (no ManagedBy=piksel tag) that lacks the policies: exit 3 with the commands, nothing changed', async () => {
      await createRoleWithTrust(EXPECTED_TRUST, [])
      const before = await iamState()
      const error = await failure(oidcStep(context(env())))
      expect(error.exitCode).to.equal(3)
      expect(error.code).to.equal('CI_ROLE_INCOMPLETE')
      expect(error.message).to.include(`lacks ${POWER_USER}`).and.to.include('ManagedBy=piksel')
      expect(error.hint).to.include(
        `aws iam attach-role-policy --role-name piksel-staging-terraform --policy-arn ${POWER_USER}`,
      )
      expect(confirmations).to.deep.equal([])
      expect(await iamState()).to.deep.equal(before)
      // Tagged for another environment is not provably this one's either.
      await moto.reset()
      await createRoleWithTrust(EXPECTED_TRUST, [], {Environment: 'prod', ManagedBy: 'piksel'})
      expect((await failure(oidcStep(context(env())))).code).to.equal('CI_ROLE_INCOMPLETE')
    })

    it('a role piksel created for another environment: said so, and never a hint to re-tag it as this one’s', async () => {
      await createRoleWithTrust(EXPECTED_TRUST, [], {Environment: 'production', ManagedBy: 'piksel'})
      const before = await iamState()
      const error = await failure(oidcStep(context(env())))
      expect(error.exitCode).to.equal(3)
      expect(error.code).to.equal('CI_ROLE_INCOMPLETE')
      expect(error.message).to.include('piksel created that role for production (tag Environment=production)')
      expect(error.message).not.to.include('it lacks the tags')
      expect(error.hint).to.include('environments.staging.ci.role')
      expect(error.hint).not.to.include('tag-role')
      const check = await checkCiRole({env: env(), session, caller: () => getCallerIdentity(session)})
      expect(check.status).to.equal('fail')
      expect(check.detail).to.include('piksel created that role for production').and.not.to.include('lacks the tags')
      expect(confirmations).to.deep.equal([])
      expect(await iamState()).to.deep.equal(before)
    })

    it('doctor agrees with the step when the provider is gone and the role is another’s and incomplete: CI_ROLE_INCOMPLETE, not "run --only oidc"', async () => {
      await createRoleWithTrust(EXPECTED_TRUST, [])
      const sdk = await import('@aws-sdk/client-iam')
      const iam = await iamClient(moto)
      try {
        await iam.send(new sdk.DeleteOpenIDConnectProviderCommand({OpenIDConnectProviderArn: PROVIDER_ARN}))
      } finally {
        iam.destroy()
      }
      const error = await failure(oidcStep(context(env())))
      expect(error.code).to.equal('CI_ROLE_INCOMPLETE')
      const check = await checkCiRole({env: env(), session, caller: () => getCallerIdentity(session)})
      expect(check.status).to.equal('fail')
      expect(check.code).to.equal('CI_ROLE_INCOMPLETE')
      expect(check.detail).to.include(
        `aws iam attach-role-policy --role-name piksel-staging-terraform --policy-arn ${POWER_USER}`,
      )
      expect(check.detail).to.include(`the GitHub OIDC provider ${PROVIDER_ARN}`)
      expect(check.detail).not.to.include('fix: piksel bootstrap -e staging --only oidc')
    })

    it('tags that differ only in case are named as such (IAM compares them as written)', async () => {
      await createRoleWithTrust(EXPECTED_TRUST, [], {environment: 'staging', managedby: 'piksel'})
      const error = await failure(oidcStep(context(env())))
      expect(error.code).to.equal('CI_ROLE_INCOMPLETE')
      expect(error.message).to.include(
        'its tags environment=staging, managedby=piksel differ from Environment=staging, ManagedBy=piksel in case',
      )
    })

    it('completing the trust policy of a role of its own keeps the role’s Deny statements (they only restrict)', async () => {
      const envOnly = structuredClone(EXPECTED_TRUST) as {Version: string; Statement: object[]}
      ;(envOnly.Statement[0] as (typeof EXPECTED_TRUST.Statement)[0]).Condition.StringEquals[
        'token.actions.githubusercontent.com:sub'
      ] = ['repo:piksel-ina/piksel-infra:environment:staging']
      const deny = {
        Sid: 'OnlyThisOrg',
        Effect: 'Deny',
        Principal: {Federated: PROVIDER_ARN},
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {StringNotEquals: {'token.actions.githubusercontent.com:repository_owner': 'piksel-ina'}},
      }
      envOnly.Statement.push(deny)
      await createRoleWithTrust(envOnly, [POWER_USER], PIKSEL_TAGS)
      const outcome = await oidcStep(context(env()))
      expect(outcome.status).to.equal('done')
      expect(confirmations[0]).to.include('keeping its Deny statement "OnlyThisOrg"')
      expect((await iamState()).roles[0]!.trust).to.deep.equal({
        ...EXPECTED_TRUST,
        Statement: [...EXPECTED_TRUST.Statement, deny],
      })
      expect((await oidcStep(context(env()))).status).to.equal('already-done')
    })

    it('a provider without the sts.amazonaws.com audience is reported (exit 3), never changed', async () => {
      const sdk = await import('@aws-sdk/client-iam')
      const iam = await iamClient(moto)
      await iam.send(
        new sdk.CreateOpenIDConnectProviderCommand({
          Url: 'https://token.actions.githubusercontent.com',
          ClientIDList: ['sigstore'],
        }),
      )
      iam.destroy()
      const error = await failure(oidcStep(context(env())))
      expect(error.exitCode).to.equal(3)
      expect(error.code).to.equal('OIDC_AUDIENCE')
      expect(error.message).to.include('sigstore').and.to.include('add-client-id-to-open-id-connect-provider')
      const after = await iamState()
      expect(after.audiences).to.deep.equal(['sigstore'])
      expect(after.roles).to.deep.equal([])
    })

    it('a provider with an extra audience is reported, kept, and used', async () => {
      const sdk = await import('@aws-sdk/client-iam')
      const iam = await iamClient(moto)
      await iam.send(
        new sdk.CreateOpenIDConnectProviderCommand({
          Url: 'https://token.actions.githubusercontent.com',
          ClientIDList: ['sts.amazonaws.com', 'sigstore'],
        }),
      )
      iam.destroy()
      const outcome = await oidcStep(context(env()))
      expect(outcome.status).to.equal('done')
      expect(warnings.join('\n')).to.include('also accepts the audiences sigstore')
      const after = await iamState()
      expect(after.audiences).to.deep.equal(['sts.amazonaws.com', 'sigstore'])
      expect(after.roles[0]!.trust).to.deep.equal(EXPECTED_TRUST)
    })

    it('is skipped when nothing of it is configured', async () => {
      const base = resolveSettings().environments.staging!
      const outcome = await oidcStep(context(base))
      expect(outcome.status).to.equal('skipped')
      expect(outcome.detail).to.include('ci.repository')
      expect(await iamState()).to.deep.include({providers: [], roles: []})
    })
  })

  describe('spot-role', () => {
    it('creates the service-linked role through CreateServiceLinkedRole after the confirmation', async () => {
      const outcome = await spotRoleStep(context(env()))
      expect(outcome.status).to.equal('done')
      expect(confirmations).to.have.length(1)
      expect(confirmations[0]).to.include('AWSServiceRoleForEC2Spot')
      // moto names it AWSServiceRoleForspot (see test/support/iam.ts); the path is the service's.
      const roles = (await iamState()).roles
      expect(roles.map((r) => r.path)).to.deep.equal(['/aws-service-role/spot.amazonaws.com/'])
      expect(outcome.details?.roleArn).to.equal(
        `arn:aws:iam::${MOTO_ACCOUNT}:role/aws-service-role/spot.amazonaws.com/${roles[0]!.name}`,
      )
    })

    it('already present: already done, nothing asked or created', async () => {
      const arn = await createAwsSpotRole(moto)
      const before = await iamState()
      const outcome = await spotRoleStep(context(env()))
      expect(outcome.status).to.equal('already-done')
      expect(outcome.details).to.deep.equal({roleArn: arn})
      expect(confirmations).to.deep.equal([])
      expect(await iamState()).to.deep.equal(before)
    })

    it('--dry-run plans it and creates nothing', async () => {
      const outcome = await spotRoleStep(context(env(), {dryRun: true}))
      expect(outcome.status).to.equal('planned')
      expect((await iamState()).roles).to.deep.equal([])
    })
  })

  describe('dns', () => {
    const MOTO_NS = [
      'ns-2048.awsdns-64.com',
      'ns-2049.awsdns-65.net',
      'ns-2050.awsdns-66.org',
      'ns-2051.awsdns-67.co.uk',
    ]

    async function createZone(name: string): Promise<{id: string; nameServers: string[]}> {
      const sdk = await import('@aws-sdk/client-route-53')
      const r53 = await route53Client(moto)
      try {
        const out = await r53.send(
          new sdk.CreateHostedZoneCommand({Name: name, CallerReference: `${name}-${Date.now()}`}),
        )
        return {id: out.HostedZone!.Id!.replace('/hostedzone/', ''), nameServers: out.DelegationSet!.NameServers!}
      } finally {
        r53.destroy()
      }
    }

    async function delegate(parentId: string, name: string, nameServers: string[]) {
      const sdk = await import('@aws-sdk/client-route-53')
      const r53 = await route53Client(moto)
      try {
        await r53.send(
          new sdk.ChangeResourceRecordSetsCommand({
            HostedZoneId: parentId,
            ChangeBatch: {
              Changes: [
                {
                  Action: 'CREATE',
                  ResourceRecordSet: {
                    Name: name,
                    Type: 'NS',
                    TTL: 300,
                    ResourceRecords: nameServers.map((Value) => ({Value})),
                  },
                },
              ],
            },
          }),
        )
      } finally {
        r53.destroy()
      }
    }

    async function zoneSnapshot() {
      const sdk = await import('@aws-sdk/client-route-53')
      const r53 = await route53Client(moto)
      try {
        const zones = (await r53.send(new sdk.ListHostedZonesCommand({}))).HostedZones ?? []
        return Promise.all(
          zones.map(async (z) => ({
            name: z.Name,
            records: (await r53.send(new sdk.ListResourceRecordSetsCommand({HostedZoneId: z.Id}))).ResourceRecordSets,
          })),
        )
      } finally {
        r53.destroy()
      }
    }

    const ZONE = 'staging.piksel.example.org'
    const dnsEnv = (parentProfile?: string) => env({dns: {zone: ZONE, ...(parentProfile ? {parentProfile} : {})}})

    it('zone missing: exit 3 (DNS_ZONE_MISSING); the doctor check fails', async () => {
      const error = await failure(dnsStep(context(dnsEnv())))
      expect(error.exitCode).to.equal(3)
      expect(error.code).to.equal('DNS_ZONE_MISSING')
      expect(error.message).to.include(ZONE)
      const check = await checkDnsZone({env: dnsEnv(), session, caller: () => getCallerIdentity(session)})
      expect(check.status).to.equal('fail')
      expect(await zoneSnapshot()).to.deep.equal([])
    })

    it('two public zones of the name: refused as ambiguous (exit 3, DNS_ZONE_AMBIGUOUS); the doctor check fails', async () => {
      const first = await createZone(ZONE)
      const second = await createZone(ZONE)
      const before = await zoneSnapshot()
      const error = await failure(dnsStep(context(dnsEnv())))
      expect(error.exitCode).to.equal(3)
      expect(error.code).to.equal('DNS_ZONE_AMBIGUOUS')
      expect(error.message).to.include(first.id).and.to.include(second.id)
      const check = await checkDnsZone({env: dnsEnv(), session, caller: () => getCallerIdentity(session)})
      expect(check.status).to.equal('fail')
      expect(await zoneSnapshot()).to.deep.equal(before)
    })

    it('zone present, parent not in this account: the delegation is not checked (a warning)', async () => {
      const zone = await createZone(ZONE)
      const outcome = await dnsStep(context(dnsEnv()))
      expect(outcome.status).to.equal('already-done')
      expect(outcome.details).to.deep.include({zone: ZONE, zoneId: zone.id, parentZoneId: null})
      expect(outcome.detail).to.include('not checked')
      const check = await checkDnsZone({env: dnsEnv(), session, caller: () => getCallerIdentity(session)})
      expect(check.status).to.equal('warn')
      expect(check.detail).to.include('dns.parentProfile')
    })

    it('zone present and delegated by its parent: already done; the doctor check passes', async () => {
      const parent = await createZone('piksel.example.org')
      const zone = await createZone(ZONE)
      // Route 53 answers with trailing dots and any case: the comparison must not care.
      await delegate(
        parent.id,
        ZONE,
        zone.nameServers.map((ns) => `${ns.toUpperCase()}.`),
      )
      const before = await zoneSnapshot()
      const outcome = await dnsStep(context(dnsEnv()))
      expect(outcome.status).to.equal('already-done')
      expect(outcome.details).to.deep.equal({
        zone: ZONE,
        zoneId: zone.id,
        nameServers: [...MOTO_NS].sort(),
        parentZone: 'piksel.example.org',
        parentZoneId: parent.id,
        delegation: {state: 'match', parentNameServers: [...MOTO_NS].sort()},
      })
      const check = await checkDnsZone({env: dnsEnv(), session, caller: () => getCallerIdentity(session)})
      expect(check.status, check.detail).to.equal('pass')
      expect(await zoneSnapshot()).to.deep.equal(before)
    })

    it('no parent zone, but a grandparent that delegates the zone itself: checked there, already done', async () => {
      const apex = await createZone('example.org')
      const zone = await createZone(ZONE)
      await delegate(apex.id, ZONE, zone.nameServers)
      const before = await zoneSnapshot()
      const outcome = await dnsStep(context(dnsEnv()))
      expect(outcome.status).to.equal('already-done')
      expect(outcome.details).to.deep.include({zoneId: zone.id, parentZone: 'example.org', parentZoneId: apex.id})
      expect(outcome.details?.delegation).to.deep.equal({state: 'match', parentNameServers: [...MOTO_NS].sort()})
      const check = await checkDnsZone({env: dnsEnv(), session, caller: () => getCallerIdentity(session)})
      expect(check.status, check.detail).to.equal('pass')
      expect(await zoneSnapshot()).to.deep.equal(before)
    })

    it('the parent has no NS record for the zone: exit 3 (DNS_DELEGATION) with the zone name servers and the fix', async () => {
      const parent = await createZone('piksel.example.org')
      await createZone(ZONE)
      const error = await failure(dnsStep(context(dnsEnv())))
      expect(error.exitCode).to.equal(3)
      expect(error.code).to.equal('DNS_DELEGATION')
      expect(error.message).to.include('has no NS record').and.to.include(MOTO_NS[0])
      expect(error.hint).to.include(`aws route53 change-resource-record-sets --hosted-zone-id ${parent.id}`)
    })

    it('delegated to other name servers: exit 3 showing both NS sets; nothing changed', async () => {
      const parent = await createZone('piksel.example.org')
      await createZone(ZONE)
      await delegate(parent.id, ZONE, ['ns-1.old-dns.example.net', 'ns-2.old-dns.example.net'])
      const before = await zoneSnapshot()
      const error = await failure(dnsStep(context(dnsEnv())))
      expect(error.code).to.equal('DNS_DELEGATION')
      expect(error.message)
        .to.include('ns-1.old-dns.example.net, ns-2.old-dns.example.net')
        .and.to.include([...MOTO_NS].sort().join(', '))
      const check = await checkDnsZone({env: dnsEnv(), session, caller: () => getCallerIdentity(session)})
      expect(check.status).to.equal('fail')
      expect(check.detail).to.include('ns-1.old-dns.example.net')
      expect(await zoneSnapshot()).to.deep.equal(before)
    })

    it('the parent is looked up with dns.parentProfile (a second session)', async () => {
      const parent = await createZone('piksel.example.org')
      const zone = await createZone(ZONE)
      await delegate(parent.id, ZONE, zone.nameServers)
      // The hub profile exists only in a shared credentials file: the environment's keys are not it.
      const home = mkdtempSync(join(tmpdir(), 'piksel-hub-'))
      writeFileSync(
        join(home, 'credentials'),
        '[hub-piksel]\naws_access_key_id = hubkey\naws_secret_access_key = hubsecret\n',
      )
      writeFileSync(join(home, 'config'), '[profile hub-piksel]\nregion = ap-southeast-3\n')
      process.env.AWS_SHARED_CREDENTIALS_FILE = join(home, 'credentials')
      process.env.AWS_CONFIG_FILE = join(home, 'config')
      const profiles: string[] = []
      const outcome = await dnsStep(
        context(dnsEnv('hub-piksel'), {
          sessionFor: (profile) => {
            profiles.push(profile)
            return {region: session.region, profile, profileSource: 'config'}
          },
        }),
      )
      expect(profiles).to.deep.equal(['hub-piksel'])
      expect(outcome.details).to.deep.include({parentZoneId: parent.id})
      // A profile that does not exist: the parent cannot be read (exit 1, naming the profile).
      const error = await failure(dnsStep(context(dnsEnv('nope-piksel'))))
      expect(error.exitCode).to.equal(1)
      expect(error.code).to.equal('PROFILE_NOT_FOUND')
      expect(error.message).to.include('nope-piksel').and.to.include('dns.parentProfile')
      // The hint names the config key, not the --profile flag (which does not choose this profile).
      expect(error.hint).to.include('Fix dns.parentProfile').and.not.to.include('pass another --profile')
    })

    it('is skipped when no zone is configured; the doctor check warns', async () => {
      const outcome = await dnsStep(context(env()))
      expect(outcome.status).to.equal('skipped')
      const check = await checkDnsZone({env: env(), session, caller: () => getCallerIdentity(session)})
      expect(check.status).to.equal('warn')
    })
  })

  describe('doctor checks (read-only)', () => {
    const caller = () => getCallerIdentity(session)

    it('ci-role: missing, then created (pass), then a wildcard trust policy (fail); never writes', async () => {
      const missing = await checkCiRole({env: env(), session, caller})
      expect(missing.status).to.equal('fail')
      expect(missing.detail).to.include('piksel bootstrap -e staging --only oidc')
      expect(await iamState()).to.deep.include({providers: [], roles: []})

      await createRoleWithTrust(EXPECTED_TRUST, [POWER_USER])
      const good = await checkCiRole({env: env(), session, caller})
      expect(good.status, good.detail).to.equal('pass')
      expect(good.detail).to.include(ROLE_ARN)
    })

    it('ci-role and the step agree on sts:TagSession next to AssumeRoleWithWebIdentity: accepted by both', async () => {
      const withTagSession = structuredClone(EXPECTED_TRUST) as {Statement: Array<Record<string, unknown>>}
      withTagSession.Statement[0]!.Action = ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession']
      await createRoleWithTrust(withTagSession, [POWER_USER])
      const before = await iamState()
      const check = await checkCiRole({env: env(), session, caller})
      expect(check.status, check.detail).to.equal('pass')
      const outcome = await oidcStep(context(env()))
      expect(outcome.status).to.equal('already-done')
      expect(warnings).to.deep.equal([])
      expect(await iamState()).to.deep.equal(before)
    })

    it('ci-role: a wildcard trust policy fails the check', async () => {
      await createRoleWithTrust(WILDCARD_TRUST, [POWER_USER])
      const before = await iamState()
      const bad = await checkCiRole({env: env(), session, caller})
      expect(bad.status).to.equal('fail')
      expect(bad.detail).to.include('statement "AnyRepo"')
      expect(await iamState()).to.deep.equal(before)
    })

    it('spot-role: fails when missing (naming the step), passes when present', async () => {
      const missing = await checkSpotRole({env: env(), session, caller})
      expect(missing.status).to.equal('fail')
      expect(missing.detail).to.include('piksel bootstrap -e staging --only spot-role')
      expect((await iamState()).roles).to.deep.equal([])
      await createAwsSpotRole(moto)
      expect((await checkSpotRole({env: env(), session, caller})).status).to.equal('pass')
    })
  })
})
