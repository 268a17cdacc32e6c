import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describeAwsError} from '../../src/lib/aws/errors.ts'
import type {AwsSession} from '../../src/lib/aws/session.ts'
import {profileExists} from '../../src/lib/aws/profiles.ts'
import {
  clientConfig,
  createAwsClient,
  describeSession,
  hasEnvironmentCredentials,
  resolveSession,
} from '../../src/lib/aws/session.ts'

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
    [
      'HTTP 429 under a name nobody listed (throttling by status)',
      awsErr('SlowDownPlease', 'Rate exceeded', 429),
      sso,
      'THROTTLED',
      /still throttling AWS after the SDK's retries \(SlowDownPlease\)/,
      /Wait a minute/,
      1,
    ],
    [
      'HTTP 500 from a client-fault error of a name nobody listed',
      awsErr('InternalFailure', 'An internal error occurred', 500),
      sso,
      'AWS_UNAVAILABLE',
      /failed on AWS's side \(HTTP 500\)/,
      /Retry in a minute/,
      1,
    ],
    [
      'HTTP 499 is not AWS failing (a client error of a name nobody listed)',
      awsErr('ClientClosedRequest', 'closed', 499),
      sso,
      'AWS_REJECTED',
      /AWS refused it \(ClientClosedRequest: closed\)/,
      /--verbose/,
      1,
    ],
    [
      'an invalid parameter message naming only "value" (no parameter to name)',
      awsErr('InvalidParameterException', 'Invalid value: must not be empty.'),
      sso,
      'INVALID_PARAMETER',
      /AWS refused a parameter \(InvalidParameterException: Invalid value/,
      /^Check the values given/,
      1,
    ],
    [
      "a validation error echoing a name that spells a credential error (AWS's answer: not the credentials)",
      awsErr(
        'ValidationException',
        "1 validation error detected: Value 'AuthFailure-alerts' at 'name' failed to satisfy constraint",
      ),
      sso,
      'INVALID_PARAMETER',
      /AWS refused parameter name/,
      /Check the value given for name/,
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
        vars: {AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_PROFILE: 'p'},
      },
      {profile: 'mine', profileSource: 'flag'},
    ],
    [
      'credentials in the environment win over AWS_PROFILE and the config',
      {
        env: staging,
        defaultRegion: 'ap-southeast-3',
        vars: {AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_PROFILE: 'p'},
      },
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

describe('credentials in the environment (the SDK chain sources that need no profile)', () => {
  // Each row: what a provider of @aws-sdk/credential-provider-node's default chain
  // needs to answer without a profile. A half-configured source does not count: the
  // SDK would skip it and fall through to the profiles.
  const rows: Array<[string, NodeJS.ProcessEnv, boolean]> = [
    ['nothing', {}, false],
    ['access key id and secret key (fromEnv)', {AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's'}, true],
    [
      'access keys with a session token',
      {AWS_ACCESS_KEY_ID: 'ASIA', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't'},
      true,
    ],
    ['an access key id alone', {AWS_ACCESS_KEY_ID: 'AKIA'}, false],
    ['a secret key alone', {AWS_SECRET_ACCESS_KEY: 's'}, false],
    ['a session token alone', {AWS_SESSION_TOKEN: 't'}, false],
    ['an empty access key id beside a secret key', {AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: 's'}, false],
    [
      'web identity token file and role (fromTokenFile, CI OIDC, IRSA)',
      {AWS_WEB_IDENTITY_TOKEN_FILE: '/t', AWS_ROLE_ARN: 'arn:aws:iam::1:role/r'},
      true,
    ],
    ['a web identity token file without a role', {AWS_WEB_IDENTITY_TOKEN_FILE: '/t'}, false],
    ['a role without a token file', {AWS_ROLE_ARN: 'arn:aws:iam::1:role/r'}, false],
    ['container credentials, relative URI (ECS)', {AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/x'}, true],
    [
      'container credentials, full URI (EKS Pod Identity)',
      {AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials'},
      true,
    ],
    ['an empty container URI', {AWS_CONTAINER_CREDENTIALS_FULL_URI: ''}, false],
    ['a container authorization token alone', {AWS_CONTAINER_AUTHORIZATION_TOKEN: 't'}, false],
    ['a profile name only (not credentials)', {AWS_PROFILE: 'p'}, false],
    ['a region only', {AWS_REGION: 'ap-southeast-3'}, false],
  ]
  const staging = {profile: 'staging-piksel', region: 'ap-southeast-3'}
  for (const [what, vars, environment] of rows) {
    it(`${what}: ${environment ? 'credentials from the environment' : 'the profile decides'}`, () => {
      expect(hasEnvironmentCredentials(vars)).to.equal(environment)
      // With an environment selected, environment credentials beat AWS_PROFILE and the config's profile.
      const session = resolveSession({env: staging, defaultRegion: 'ap-southeast-3', vars: {...vars, AWS_PROFILE: 'p'}})
      expect(session).to.deep.equal(
        environment
          ? {region: 'ap-southeast-3', regionSource: 'environment', profileSource: 'environment'}
          : {region: 'ap-southeast-3', regionSource: 'environment', profile: 'p', profileSource: 'AWS_PROFILE'},
      )
    })
  }
})

describe('describeSession and createAwsClient', () => {
  const cases: Array<[AwsSession, string]> = [
    [
      {region: 'ap-southeast-3', profile: 'staging-piksel', profileSource: 'config'},
      'profile staging-piksel, region ap-southeast-3',
    ],
    [{region: 'eu-west-1', profile: 'mine', profileSource: 'flag'}, 'profile mine, region eu-west-1'],
    [
      {region: 'ap-southeast-3', profileSource: 'environment'},
      'credentials from the environment, region ap-southeast-3',
    ],
    [{region: 'us-east-1', profileSource: 'default'}, 'the default credential chain, region us-east-1'],
  ]
  for (const [session, text] of cases) {
    it(`says "${text}"`, () => {
      expect(describeSession(session)).to.equal(text)
    })
  }

  it('builds a client with the session config, profile only when there is one', () => {
    // The factory also instruments the client (endpoint, deadline): a stand-in with a middleware stack.
    class Client {
      readonly config: unknown
      readonly middleware: string[] = []
      readonly middlewareStack = {add: (_m: unknown, options: {name: string}) => this.middleware.push(options.name)}
      constructor(config: unknown) {
        this.config = config
      }
      send() {
        return Promise.resolve({})
      }
      destroy() {}
    }
    const timeouts = {connectMs: 1000, requestMs: 4000}
    expect(createAwsClient(Client, sso, timeouts).config).to.deep.equal(clientConfig(sso, 5, timeouts))
    expect(createAwsClient(Client, envCreds, timeouts).config).to.deep.equal({
      region: 'ap-southeast-3',
      retryMode: 'adaptive',
      maxAttempts: 5,
      requestHandler: {connectionTimeout: 1000, requestTimeout: 4000, throwOnRequestTimeout: true, socketTimeout: 4000},
    })
    expect(createAwsClient(Client, sso, timeouts).middleware).to.have.length.above(0)
  })
})

describe('profileExists (shared config and credentials files)', () => {
  let saved: Record<string, string | undefined>
  beforeEach(() => {
    saved = {config: process.env.AWS_CONFIG_FILE, credentials: process.env.AWS_SHARED_CREDENTIALS_FILE}
    const dir = mkdtempSync(join(tmpdir(), 'piksel-aws-'))
    writeFileSync(
      join(dir, 'config'),
      '[profile staging-piksel]\nregion = ap-southeast-3\n[default]\nregion = us-east-1\n',
    )
    writeFileSync(join(dir, 'credentials'), '[ci-keys]\naws_access_key_id = AKIA\naws_secret_access_key = s\n')
    process.env.AWS_CONFIG_FILE = join(dir, 'config')
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials')
  })
  afterEach(() => {
    for (const [key, name] of [
      ['config', 'AWS_CONFIG_FILE'],
      ['credentials', 'AWS_SHARED_CREDENTIALS_FILE'],
    ] as const) {
      if (saved[key] === undefined) delete process.env[name]
      else process.env[name] = saved[key]
    }
  })

  const rows: Array<[string, boolean]> = [
    ['staging-piksel', true],
    ['default', true],
    ['ci-keys', true],
    ['prod-piksel', false],
    ['profile staging-piksel', false],
  ]
  for (const [profile, exists] of rows) {
    it(`${profile}: ${exists ? 'exists' : 'does not exist'}`, async () => {
      expect(await profileExists(profile)).to.equal(exists)
    })
  }

  it('reads the files as they are now, not as an earlier call found them', async () => {
    expect(await profileExists('prod-piksel')).to.equal(false)
    writeFileSync(process.env.AWS_CONFIG_FILE!, '[profile prod-piksel]\nregion = ap-southeast-3\n')
    expect(await profileExists('prod-piksel')).to.equal(true)
  })
})

describe('createAwsClient: AWS_MAX_ATTEMPTS, as the AWS CLI and SDKs read it', () => {
  /** The parts of an SDK client the factory uses; it records the config it was given. */
  class Client {
    readonly config: {maxAttempts: number}
    readonly middlewareStack = {add: () => undefined}
    constructor(config: {maxAttempts: number}) {
      this.config = config
    }
    send(): Promise<unknown> {
      return Promise.resolve({})
    }
    destroy(): void {}
  }
  let saved: string | undefined
  beforeEach(() => (saved = process.env.AWS_MAX_ATTEMPTS))
  afterEach(() => {
    if (saved === undefined) delete process.env.AWS_MAX_ATTEMPTS
    else process.env.AWS_MAX_ATTEMPTS = saved
  })

  const rows: Array<[string | undefined, number]> = [
    [undefined, 5],
    ['3', 3],
    ['1', 1],
    ['0', 5],
    ['-2', 5],
    ['2.5', 5],
    ['three', 5],
    ['', 5],
  ]
  for (const [value, attempts] of rows) {
    it(`AWS_MAX_ATTEMPTS=${JSON.stringify(value)}: ${attempts} attempts`, () => {
      if (value === undefined) delete process.env.AWS_MAX_ATTEMPTS
      else process.env.AWS_MAX_ATTEMPTS = value
      const client = createAwsClient(Client, sso)
      expect(client.config.maxAttempts).to.equal(attempts)
      client.destroy()
    })
  }
})
