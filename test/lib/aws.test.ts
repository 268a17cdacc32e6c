import {expect} from 'chai'

import {describeAwsError} from '../../src/lib/aws/errors.ts'
import type {AwsSession} from '../../src/lib/aws/session.ts'
import {clientConfig, resolveSession} from '../../src/lib/aws/session.ts'

const sso: AwsSession = {region: 'ap-southeast-3', profile: 'staging-piksel', profileSource: 'config'}
const envCreds: AwsSession = {region: 'ap-southeast-3', profileSource: 'environment'}

const err = (name: string, message: string) => Object.assign(new Error(message), {name})

describe('describeAwsError', () => {
  const cases: Array<[string, Error, AwsSession, string, RegExp, RegExp, number]> = [
    [
      'expired SSO session',
      err(
        'CredentialsProviderError',
        'The SSO session associated with this profile has expired or is otherwise invalid.',
      ),
      sso,
      'SSO_EXPIRED',
      /SSO session for profile staging-piksel has expired/,
      /aws sso login --profile staging-piksel/,
      1,
    ],
    [
      'SSO token that cannot be refreshed',
      err(
        'CredentialsProviderError',
        "Value not present for 'clientId' in SSO Token. Cannot refresh. To refresh this SSO session run 'aws sso login' with the corresponding profile.",
      ),
      sso,
      'SSO_EXPIRED',
      /has expired/,
      /^Run `aws sso login --profile staging-piksel`\.$/,
      1,
    ],
    [
      'expired token',
      err('ExpiredTokenException', 'The security token included in the request is expired'),
      sso,
      'CREDENTIALS_EXPIRED',
      /have expired/,
      /aws sso login --profile staging-piksel/,
      1,
    ],
    [
      'missing profile',
      err(
        'CredentialsProviderError',
        'Profile staging-piksel could not be found or parsed in shared credentials file.',
      ),
      sso,
      'PROFILE_NOT_FOUND',
      /not configured on this machine/,
      /aws configure sso --profile staging-piksel/,
      1,
    ],
    [
      'no credentials at all',
      err('CredentialsProviderError', 'Could not load credentials from any providers'),
      envCreds,
      'NO_CREDENTIALS',
      /No AWS credentials found/,
      /aws sso login --profile <profile>.*aws configure sso/,
      1,
    ],
    [
      'invalid key',
      err('InvalidClientTokenId', 'The security token included in the request is invalid.'),
      envCreds,
      'CREDENTIALS_INVALID',
      /were rejected/,
      /aws sso login/,
      1,
    ],
    [
      'access denied',
      err('AccessDeniedException', 'User is not authorized to perform: secretsmanager:CreateSecret'),
      sso,
      'ACCESS_DENIED',
      /secretsmanager:CreateSecret/,
      /IAM permission/,
      1,
    ],
    [
      'unreachable endpoint',
      err('Error', 'connect ECONNREFUSED 127.0.0.1:1'),
      envCreds,
      'NETWORK',
      /cannot reach AWS/,
      /./,
      1,
    ],
    [
      'anything else',
      err('ThrottlingException', 'Rate exceeded'),
      sso,
      'ThrottlingException',
      /Rate exceeded/,
      /^$/,
      1,
    ],
  ]
  for (const [what, error, session, code, message, hint, exit] of cases) {
    it(`${what} → ${code}`, () => {
      const mapped = describeAwsError(error, session, 'sts:GetCallerIdentity')
      expect(mapped.code).to.equal(code)
      expect(mapped.exitCode).to.equal(exit)
      expect(mapped.message).to.match(message)
      expect(mapped.hint ?? '').to.match(hint)
      expect(mapped.message.split('\n')).to.have.length(1)
    })
  }
})

describe('describeAwsError with a missing profile', () => {
  it('names the profile when it is in neither shared file', () => {
    const error = err('CredentialsProviderError', 'Could not load credentials from any providers')
    const mapped = describeAwsError(error, sso, 'x', {profileExists: false})
    expect(mapped.code).to.equal('PROFILE_NOT_FOUND')
    expect(mapped.hint).to.include('aws configure sso --profile staging-piksel')
    expect(describeAwsError(error, sso, 'x', {profileExists: true}).code).to.equal('NO_CREDENTIALS')
  })
})

describe('clientConfig', () => {
  it('uses adaptive retries, the region and the profile, and never a logger', () => {
    expect(clientConfig(sso)).to.deep.equal({
      region: 'ap-southeast-3',
      profile: 'staging-piksel',
      retryMode: 'adaptive',
      maxAttempts: 5,
    })
    expect(clientConfig(envCreds)).to.not.have.property('profile')
    expect(clientConfig(envCreds)).to.not.have.property('logger')
  })
})

describe('resolveSession: which profile and region', () => {
  const staging = {profile: 'staging-piksel', region: 'ap-southeast-3'}
  const cases: Array<[string, Parameters<typeof resolveSession>[0], Partial<AwsSession>]> = [
    [
      '--profile wins over environment credentials and AWS_PROFILE',
      {
        flagProfile: 'mine',
        env: staging,
        defaultRegion: 'ap-southeast-3',
        vars: {AWS_ACCESS_KEY_ID: 'x', AWS_PROFILE: 'p'},
      },
      {profile: 'mine', profileSource: 'flag'},
    ],
    [
      'credentials in the environment win over AWS_PROFILE and the config',
      {env: staging, defaultRegion: 'ap-southeast-3', vars: {AWS_ACCESS_KEY_ID: 'x', AWS_PROFILE: 'p'}},
      {profile: undefined, profileSource: 'environment'},
    ],
    [
      'web identity (CI OIDC) counts as environment credentials',
      {env: staging, defaultRegion: 'ap-southeast-3', vars: {AWS_WEB_IDENTITY_TOKEN_FILE: '/t'}},
      {profile: undefined, profileSource: 'environment'},
    ],
    [
      'AWS_PROFILE wins over the config',
      {env: staging, defaultRegion: 'ap-southeast-3', vars: {AWS_PROFILE: 'p'}},
      {profile: 'p', profileSource: 'AWS_PROFILE'},
    ],
    [
      "the environment's profile from the config",
      {env: staging, defaultRegion: 'ap-southeast-3', vars: {}},
      {profile: 'staging-piksel', profileSource: 'config'},
    ],
    [
      'no environment: the default chain',
      {defaultRegion: 'ap-southeast-3', vars: {}},
      {profile: undefined, profileSource: 'default'},
    ],
    [
      '--region wins over the environment region',
      {flagRegion: 'eu-west-1', env: staging, defaultRegion: 'us-east-1', vars: {}},
      {region: 'eu-west-1'},
    ],
    [
      "the environment's region wins over the config default",
      {env: {profile: 'p', region: 'ap-southeast-1'}, defaultRegion: 'us-east-1', vars: {}},
      {region: 'ap-southeast-1'},
    ],
    ['the config default region without an environment', {defaultRegion: 'us-east-1', vars: {}}, {region: 'us-east-1'}],
  ]
  for (const [what, inputs, expected] of cases) {
    it(what, () => {
      const session = resolveSession(inputs)
      for (const [key, value] of Object.entries(expected)) {
        expect(session[key as keyof AwsSession], key).to.equal(value)
      }
    })
  }
})
