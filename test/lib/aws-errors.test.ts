/**
 * Issue 12 §4: every error kind, for every AWS service piksel calls, through the
 * real SDK clients made by the one factory (createAwsClient) and parsed from
 * each service's own wire protocol (JSON 1.1, Query XML, REST JSON, REST XML),
 * served by a loopback stand-in. The expected codes and IAM actions are written
 * out here, not computed by the code under test.
 */
import {expect} from 'chai'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describeAwsError} from '../../src/lib/aws/errors.ts'
import {type AwsSession, createAwsClient} from '../../src/lib/aws/session.ts'
import type {PikselError} from '../../src/lib/errors.ts'
import {timeoutsFor} from '../../src/lib/timeouts.ts'
import {type AwsProtocol, type Fault, type FaultProxy, awsFaultProxy, hangingEndpoint} from '../support/hang.ts'
import {freePort} from '../support/moto.ts'

/** The clients use the credentials in the environment; the messages are rendered for a profile user. */
const clientSession: AwsSession = {region: 'ap-southeast-3', profileSource: 'environment'}
const session: AwsSession = {region: 'ap-southeast-3', profile: 'staging-piksel', profileSource: 'config'}

interface Service {
  name: string
  protocol: AwsProtocol
  /** AWS_ENDPOINT_URL_<SERVICE>. */
  env: string
  /** One call of the service: returns the SDK's rejection. */
  call: (endpointOverride?: string) => Promise<unknown>
  /** The IAM action of that call, as the Service Authorization Reference names it. */
  iam: string
}

async function rejectionOf(make: () => Promise<unknown>): Promise<unknown> {
  try {
    await make()
  } catch (error) {
    return error
  }
  throw new Error('the call succeeded')
}

/** Builds a client with the factory, sends one command, destroys it. */
function via<C extends {send: (c: never) => Promise<unknown>; destroy: () => void}>(
  Client: new (config: never) => C,
  command: () => unknown,
  timeouts = timeoutsFor(3000),
): () => Promise<unknown> {
  return () =>
    rejectionOf(async () => {
      const client = createAwsClient(Client as never, clientSession, timeouts) as C
      try {
        return await client.send(command() as never)
      } finally {
        client.destroy()
      }
    })
}

const sts = await import('@aws-sdk/client-sts')
const sm = await import('@aws-sdk/client-secrets-manager')
const sq = await import('@aws-sdk/client-service-quotas')
const iam = await import('@aws-sdk/client-iam')
const eks = await import('@aws-sdk/client-eks')
const s3 = await import('@aws-sdk/client-s3')

const SERVICES: Service[] = [
  {
    name: 'STS',
    protocol: 'query',
    env: 'STS',
    iam: 'sts:GetCallerIdentity',
    call: via(sts.STSClient as never, () => new sts.GetCallerIdentityCommand({})),
  },
  {
    name: 'SecretsManager',
    protocol: 'json',
    env: 'SECRETS_MANAGER',
    iam: 'secretsmanager:CreateSecret',
    call: via(
      sm.SecretsManagerClient as never,
      () => new sm.CreateSecretCommand({Name: 'slack-alerts-staging', SecretString: 'SECRETvalue-never-shown'}),
    ),
  },
  {
    name: 'ServiceQuotas',
    protocol: 'json',
    env: 'SERVICE_QUOTAS',
    iam: 'servicequotas:GetServiceQuota',
    call: via(
      sq.ServiceQuotasClient as never,
      () => new sq.GetServiceQuotaCommand({ServiceCode: 'ec2', QuotaCode: 'L-DB2E81BA'}),
    ),
  },
  {
    name: 'IAM',
    protocol: 'query',
    env: 'IAM',
    iam: 'iam:GetRole',
    call: via(iam.IAMClient as never, () => new iam.GetRoleCommand({RoleName: 'AWSServiceRoleForEC2Spot'})),
  },
  {
    name: 'EKS',
    protocol: 'rest-json',
    env: 'EKS',
    iam: 'eks:DescribeCluster',
    call: via(eks.EKSClient as never, () => new eks.DescribeClusterCommand({name: 'piksel-staging'})),
  },
  {
    name: 'S3',
    protocol: 'rest-xml',
    env: 'S3',
    iam: 's3:GetBucketVersioning',
    call: via(s3.S3Client as never, () => new s3.GetBucketVersioningCommand({Bucket: 'piksel-staging-tfstate'})),
  },
]

/** Per service: the AWS error name and HTTP status each kind arrives as (from the services' API references). */
const NAMES: Record<string, Record<string, [string, number]>> = {
  throttled: {
    STS: ['Throttling', 400],
    SecretsManager: ['ThrottlingException', 400],
    ServiceQuotas: ['TooManyRequestsException', 400],
    IAM: ['Throttling', 400],
    EKS: ['ThrottlingException', 429],
    S3: ['SlowDown', 503],
  },
  'access denied': {
    STS: ['AccessDenied', 403],
    SecretsManager: ['AccessDeniedException', 400],
    ServiceQuotas: ['AccessDeniedException', 400],
    IAM: ['AccessDenied', 403],
    EKS: ['AccessDeniedException', 403],
    S3: ['AccessDenied', 403],
  },
  'not found': {
    SecretsManager: ['ResourceNotFoundException', 400],
    ServiceQuotas: ['NoSuchResourceException', 400],
    IAM: ['NoSuchEntity', 404],
    EKS: ['ResourceNotFoundException', 404],
    S3: ['NoSuchBucket', 404],
  },
  'invalid parameter': {
    STS: ['ValidationError', 400],
    SecretsManager: ['InvalidParameterException', 400],
    ServiceQuotas: ['IllegalArgumentException', 400],
    IAM: ['ValidationError', 400],
    EKS: ['InvalidParameterException', 400],
    S3: ['InvalidArgument', 400],
  },
  'credentials rejected': {
    STS: ['InvalidClientTokenId', 403],
    SecretsManager: ['UnrecognizedClientException', 400],
    ServiceQuotas: ['UnrecognizedClientException', 400],
    IAM: ['InvalidClientTokenId', 403],
    EKS: ['UnrecognizedClientException', 403],
    S3: ['InvalidAccessKeyId', 403],
  },
  'credentials expired': {
    STS: ['ExpiredToken', 400],
    SecretsManager: ['ExpiredTokenException', 400],
    ServiceQuotas: ['ExpiredTokenException', 400],
    IAM: ['ExpiredToken', 400],
    EKS: ['ExpiredTokenException', 403],
    S3: ['ExpiredToken', 400],
  },
  'AWS failed': {
    STS: ['InternalFailure', 500],
    SecretsManager: ['InternalServiceError', 500],
    ServiceQuotas: ['ServiceException', 500],
    IAM: ['ServiceFailure', 500],
    EKS: ['ServerException', 500],
    S3: ['InternalError', 500],
  },
  conflict: {
    SecretsManager: ['ResourceExistsException', 400],
    ServiceQuotas: ['ResourceAlreadyExistsException', 400],
    IAM: ['EntityAlreadyExists', 409],
    EKS: ['ResourceInUseException', 409],
    S3: ['BucketAlreadyOwnedByYou', 409],
  },
  'limit reached': {
    SecretsManager: ['LimitExceededException', 400],
    ServiceQuotas: ['QuotaExceededException', 400],
    IAM: ['LimitExceeded', 409],
    EKS: ['ResourceLimitExceededException', 400],
    S3: ['TooManyBuckets', 400],
  },
}

const EXPECTED_CODE: Record<string, string> = {
  throttled: 'THROTTLED',
  'access denied': 'ACCESS_DENIED',
  'not found': 'NOT_FOUND',
  'invalid parameter': 'INVALID_PARAMETER',
  'credentials rejected': 'CREDENTIALS_INVALID',
  'credentials expired': 'CREDENTIALS_EXPIRED',
  'AWS failed': 'AWS_UNAVAILABLE',
  conflict: 'CONFLICT',
  'limit reached': 'LIMIT_EXCEEDED',
}

function expectActionable(mapped: PikselError, code: string): void {
  expect(mapped.code, mapped.message).to.equal(code)
  expect(mapped.exitCode).to.equal(1)
  expect(mapped.message.split('\n'), mapped.message).to.have.length(1)
  expect(mapped.hint, `${code} has a hint`).to.be.a('string').and.to.have.length.above(10)
  expect(mapped.message + mapped.hint).not.to.include('SECRETvalue-never-shown')
}

describe('AWS errors by kind, for every service (real SDK, loopback stand-in)', function () {
  this.timeout(30_000)
  const saved = {...process.env}
  let proxy: FaultProxy | undefined
  before(() => {
    process.env.AWS_ACCESS_KEY_ID = 'testing'
    process.env.AWS_SECRET_ACCESS_KEY = 'testing'
    // One attempt (two for throttling, to see the retry), so the table runs in seconds.
    process.env.AWS_MAX_ATTEMPTS = '1'
  })
  after(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
  })
  afterEach(async () => {
    await proxy?.close()
    proxy = undefined
    for (const s of SERVICES) delete process.env[`AWS_ENDPOINT_URL_${s.env}`]
  })

  const serve = async (service: Service, faults: Fault[]) => {
    proxy = await awsFaultProxy(service.protocol, faults)
    process.env[`AWS_ENDPOINT_URL_${service.env}`] = proxy.url
    // S3 would put the bucket in the host name.
    if (service.name === 'S3') process.env.AWS_S3_FORCE_PATH_STYLE = 'true'
    return proxy
  }

  for (const [kind, byService] of Object.entries(NAMES)) {
    for (const service of SERVICES) {
      const named = byService[service.name]
      if (!named) continue
      const [name, status] = named
      it(`${service.name}: ${kind} (${name}, HTTP ${status}) → ${EXPECTED_CODE[kind]}`, async () => {
        if (kind === 'throttled') process.env.AWS_MAX_ATTEMPTS = '2'
        const served = await serve(service, [
          {
            error: {
              name,
              status,
              message: `1 validation error detected: Value 'x' at 'roleName' failed to satisfy constraint`,
            },
          },
        ])
        try {
          const error = await service.call()
          const mapped = describeAwsError(error, session)
          expectActionable(mapped, EXPECTED_CODE[kind] as string)
          if (kind === 'throttled') expect(served.requests(), 'the SDK retried').to.equal(2)
          if (kind === 'access denied') {
            expect(mapped.message).to.include(service.iam)
            expect(mapped.hint).to.include(service.iam).and.to.include('profile staging-piksel')
          }
          if (kind === 'invalid parameter') expect(mapped.message).to.include('parameter roleName')
          if (kind.startsWith('credentials')) expect(mapped.hint).to.include('aws sso login --profile staging-piksel')
        } finally {
          process.env.AWS_MAX_ATTEMPTS = '1'
        }
      })
    }
  }

  for (const service of SERVICES) {
    it(`${service.name}: an endpoint that refuses connections → NETWORK naming it`, async () => {
      const url = `http://127.0.0.1:${await freePort()}`
      process.env[`AWS_ENDPOINT_URL_${service.env}`] = url
      process.env.AWS_S3_FORCE_PATH_STYLE = 'true'
      const mapped = describeAwsError(await service.call(), session)
      expectActionable(mapped, 'NETWORK')
      expect(mapped.message).to.include(url)
    })

    it(`${service.name}: an endpoint that never answers → TIMEOUT naming it`, async () => {
      const hang = await hangingEndpoint('silent')
      try {
        process.env[`AWS_ENDPOINT_URL_${service.env}`] = hang.url
        process.env.AWS_S3_FORCE_PATH_STYLE = 'true'
        const mapped = describeAwsError(await service.call(), session)
        expectActionable(mapped, 'TIMEOUT')
        expect(mapped.message).to.include(hang.url).and.to.include('within 3s')
      } finally {
        await hang.close()
      }
    })

    it(`${service.name}: a proxy's HTML error page instead of an AWS answer (502) → AWS_UNAVAILABLE`, async () => {
      await serve(service, [{raw: {status: 502, body: '<html><body>Bad gateway</body></html>'}}])
      const mapped = describeAwsError(await service.call(), session)
      expectActionable(mapped, 'AWS_UNAVAILABLE')
      expect(mapped.message).to.include('HTTP 502')
    })
  }

  // JSON protocols fail to parse an HTML page; the XML ones (STS, IAM, S3) would read it as an empty
  // answer: no AWS API answers text/html, so the factory refuses it whatever the protocol.
  for (const service of SERVICES) {
    it(`${service.name}: an HTML page answered with 200 → BAD_RESPONSE naming the endpoint`, async () => {
      const served = await serve(service, [
        {raw: {status: 200, body: '<html><body>Sign in to the proxy</body></html>'}},
      ])
      const mapped = describeAwsError(await service.call(), session)
      expectActionable(mapped, 'BAD_RESPONSE')
      expect(mapped.message).to.include(served.url)
    })

    it(`${service.name}: a body that is not the protocol's (garbage, 200) → BAD_RESPONSE, not AWS_REJECTED`, async () => {
      const type =
        service.protocol === 'query'
          ? 'text/xml'
          : service.protocol === 'rest-xml'
            ? 'application/xml'
            : 'application/json'
      const served = await serve(service, [{raw: {status: 200, body: 'garbage{{ <', contentType: type}}])
      const mapped = describeAwsError(await service.call(), session)
      expectActionable(mapped, 'BAD_RESPONSE')
      expect(mapped.message).to.include(served.url)
    })

    it(`${service.name}: a redirect with no AWS error in it (302, a proxy's login) → BAD_RESPONSE`, async () => {
      const served = await serve(service, [
        {raw: {status: 302, body: '', headers: {location: 'https://login.example.com/'}}},
      ])
      const mapped = describeAwsError(await service.call(), session)
      expectActionable(mapped, 'BAD_RESPONSE')
      expect(mapped.message).to.include(served.url).and.to.include('HTTP 302')
    })
  }

  it('S3: a bucket in another region (301 with x-amz-bucket-region) → AWS_REJECTED naming that region', async () => {
    const service = SERVICES.find((s) => s.name === 'S3') as Service
    await serve(service, [{raw: {status: 301, body: '', headers: {'x-amz-bucket-region': 'eu-west-1'}}}])
    const mapped = describeAwsError(await service.call(), session)
    expectActionable(mapped, 'AWS_REJECTED')
    expect(mapped.message).to.include('eu-west-1')
  })

  // An answer without what AWS always returns (a proxy's `{}`): absence must not be read as a fact
  // (no such cluster, a quota of 0) nor a write as done.
  const empties: Array<[string, () => Promise<unknown>, boolean]> = [
    [
      'SecretsManager CreateSecret',
      via(
        sm.SecretsManagerClient as never,
        () => new sm.CreateSecretCommand({Name: 'slack-alerts-staging', SecretString: 'SECRETvalue-never-shown'}),
      ),
      true,
    ],
    [
      'SecretsManager DescribeSecret',
      via(sm.SecretsManagerClient as never, () => new sm.DescribeSecretCommand({SecretId: 'slack-alerts-staging'})),
      false,
    ],
    [
      'SecretsManager PutSecretValue',
      via(
        sm.SecretsManagerClient as never,
        () => new sm.PutSecretValueCommand({SecretId: 'slack-alerts-staging', SecretString: 'SECRETvalue-never-shown'}),
      ),
      true,
    ],
    [
      'ServiceQuotas GetServiceQuota',
      via(
        sq.ServiceQuotasClient as never,
        () => new sq.GetServiceQuotaCommand({ServiceCode: 'ec2', QuotaCode: 'L-DB2E81BA'}),
      ),
      false,
    ],
    [
      'ServiceQuotas RequestServiceQuotaIncrease',
      via(
        sq.ServiceQuotasClient as never,
        () => new sq.RequestServiceQuotaIncreaseCommand({ServiceCode: 'ec2', QuotaCode: 'L-DB2E81BA', DesiredValue: 8}),
      ),
      true,
    ],
    [
      'EKS DescribeCluster',
      via(eks.EKSClient as never, () => new eks.DescribeClusterCommand({name: 'piksel-staging'})),
      false,
    ],
  ]
  for (const [what, call, write] of empties) {
    it(`${what}: an empty answer ({}, 200) → BAD_RESPONSE${write ? ', the outcome unknown' : ''}`, async () => {
      const name = what.split(' ')[0] as string
      const service = SERVICES.find((s) => s.name === name) as Service
      const served = await serve(service, [{raw: {status: 200, body: '{}', contentType: 'application/json'}}])
      const mapped = describeAwsError(await call(), session)
      expectActionable(mapped, 'BAD_RESPONSE')
      expect(mapped.message).to.include(served.url)
      if (write) expect(mapped.message).to.include('may or may not have been made')
      else expect(mapped.message).not.to.include('may or may not')
    })
  }

  it('STS: an HTML page answered with 200 is not taken for an identity (BAD_RESPONSE)', async () => {
    const {getCallerIdentity} = await import('../../src/lib/aws/identity.ts')
    const served = await serve(SERVICES[0] as Service, [
      {raw: {status: 200, body: '<html><body>Sign in</body></html>'}},
    ])
    const mapped = (await rejectionOf(() => getCallerIdentity(clientSession))) as PikselError
    expectActionable(mapped, 'BAD_RESPONSE')
    expect(mapped.message).to.include(served.url)
  })

  it('a write whose credentials never came (credential_process hangs) was never sent: nothing was changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'piksel-credproc-'))
    const pids = join(dir, 'pids')
    const script = join(dir, 'creds')
    writeFileSync(script, `#!/bin/sh\necho $$ >> ${pids}\nexec sleep 600\n`, {mode: 0o755})
    writeFileSync(join(dir, 'config'), `[profile hang]\ncredential_process = ${script}\n`)
    const hang = await hangingEndpoint('silent')
    const saved = {key: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY}
    delete process.env.AWS_ACCESS_KEY_ID
    delete process.env.AWS_SECRET_ACCESS_KEY
    process.env.AWS_CONFIG_FILE = join(dir, 'config')
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = hang.url
    const profiled: AwsSession = {region: 'ap-southeast-3', profile: 'hang', profileSource: 'flag'}
    try {
      const error = await rejectionOf(async () => {
        const client = createAwsClient(sm.SecretsManagerClient, profiled, timeoutsFor(1000))
        try {
          return await client.send(new sm.CreateSecretCommand({Name: 'x', SecretString: 'SECRETvalue-never-shown'}))
        } finally {
          client.destroy()
        }
      })
      const mapped = describeAwsError(error, profiled)
      expectActionable(mapped, 'TIMEOUT')
      expect(mapped.message)
        .to.include('no AWS credentials within 1s')
        .and.to.include('profile hang')
        .and.to.include('nothing was changed')
      expect(mapped.message).not.to.include('may or may not')
      expect(mapped.hint).to.include('aws sts get-caller-identity --profile hang')
      expect(hang.requests()).to.equal(0)
    } finally {
      process.env.AWS_ACCESS_KEY_ID = saved.key
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret
      delete process.env.AWS_CONFIG_FILE
      await hang.close()
      for (const pid of readFileSync(pids, 'utf8').split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL')
        } catch {
          // already gone
        }
      }
    }
  })

  it('a write that timed out says its outcome is unknown and how to check, per service', async () => {
    const hang = await hangingEndpoint('silent')
    try {
      process.env.AWS_ENDPOINT_URL = hang.url
      const write = SERVICES.find((s) => s.name === 'SecretsManager') as Service
      const mapped = describeAwsError(await write.call(), session, 'secretsmanager:CreateSecret')
      expectActionable(mapped, 'TIMEOUT')
      expect(mapped.message).to.include('may or may not have been made').and.to.include('slack-alerts-staging')
      expect(mapped.hint).to.include(
        'aws secretsmanager describe-secret --secret-id slack-alerts-staging --region ap-southeast-3',
      )
      const read = SERVICES.find((s) => s.name === 'ServiceQuotas') as Service
      const readMapped = describeAwsError(await read.call(), session)
      expect(readMapped.message).not.to.include('may or may not')
    } finally {
      delete process.env.AWS_ENDPOINT_URL
      await hang.close()
    }
  })
})
