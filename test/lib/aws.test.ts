import {expect} from 'chai'

import {describeAwsError} from '../../src/lib/aws/errors.ts'
import type {AwsSession} from '../../src/lib/aws/session.ts'
import {clientConfig, resolveSession} from '../../src/lib/aws/session.ts'

const sso: AwsSession = {region: 'ap-southeast-3', profile: 'staging-piksel', profileSource: 'config'}
const envCreds: AwsSession = {region: 'ap-southeast-3', profileSource: 'environment'}

const err = (name: string, message: string) => Object.assign(new Error(message), {name})
/** As the SDK throws them: a ServiceException with $fault and $metadata. */
const awsErr = (name: string, message: string, status = 400) =>
  Object.assign(new Error(message), {name, $fault: 'client', $metadata: {httpStatusCode: status}})

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
      awsErr('ExpiredTokenException', 'The security token included in the request is expired'),
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
      awsErr('InvalidClientTokenId', 'The security token included in the request is invalid.', 403),
      envCreds,
      'CREDENTIALS_INVALID',
      /were rejected/,
      /aws sso login/,
      1,
    ],
    [
      'access denied',
      awsErr('AccessDeniedException', 'User is not authorized to perform: secretsmanager:CreateSecret'),
      sso,
      'ACCESS_DENIED',
      /secretsmanager:CreateSecret is not allowed/,
      /^Ask for secretsmanager:CreateSecret in the IAM policy of profile staging-piksel/,
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
      'throttling from any service (was a raw ThrottlingException)',
      awsErr('ThrottlingException', 'Rate exceeded'),
      sso,
      'THROTTLED',
      /still throttling AWS after the SDK's retries \(ThrottlingException\)/,
      /Wait a minute/,
      1,
    ],
    [
      'InvalidParameterException (was the raw name with hint null)',
      awsErr('InvalidParameterException', 'Invalid name. Must be a valid name containing alphanumeric characters'),
      sso,
      'INVALID_PARAMETER',
      /refused parameter name/,
      /Check the value given for name/,
      1,
    ],
    [
      'an AWS error of a name nobody mapped',
      awsErr('PreconditionFailedForSomethingNew', 'The thing is not ready'),
      sso,
      'AWS_REJECTED',
      /AWS refused it \(PreconditionFailedForSomethingNew: The thing is not ready\)/,
      /--verbose/,
      1,
    ],
    [
      'a response that is not AWS JSON (was SyntaxError)',
      Object.assign(new SyntaxError('Unexpected token < in JSON at position 0'), {$metadata: {httpStatusCode: 200}}),
      sso,
      'BAD_RESPONSE',
      /is not an AWS response \(HTTP 200\)/,
      /proxy or AWS_ENDPOINT_URL/,
      1,
    ],
    [
      'a programming error (was UNEXPECTED)',
      new TypeError("Cannot read properties of undefined (reading 'map')"),
      sso,
      'BUG',
      /^Unexpected error \(TypeError\): Cannot read properties of undefined/,
      /re-run with --verbose and report/,
      1,
    ],
    [
      'a connection reset (the SDK names it TimeoutError)',
      Object.assign(new Error('socket hang up'), {name: 'TimeoutError', code: 'ECONNRESET'}),
      envCreds,
      'NETWORK',
      /cannot reach AWS/,
      /network/,
      1,
    ],
    [
      'the SDK handler timing out',
      Object.assign(
        new Error('@smithy/node-http-handler - [ERROR] a request has exceeded the configured 20000 ms requestTimeout.'),
        {
          name: 'TimeoutError',
          code: 'ETIMEDOUT',
        },
      ),
      envCreds,
      'TIMEOUT',
      /^sts:GetCallerIdentity: no answer from AWS in ap-southeast-3\.$/,
      /--request-timeout/,
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
      // The SDK's NodeHttpHandler options: connect 5 s, 20 s to the headers and between bytes, as errors.
      requestHandler: {
        connectionTimeout: 5000,
        requestTimeout: 20000,
        throwOnRequestTimeout: true,
        socketTimeout: 20000,
      },
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
