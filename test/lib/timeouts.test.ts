import {expect} from 'chai'

import {iamAction, isWriteOperation} from '../../src/lib/aws/call.ts'
import {parameterOf} from '../../src/lib/aws/errors.ts'
import {formatDuration, parseDuration} from '../../src/lib/duration.ts'
import {
  DEFAULT_TIMEOUTS,
  parseRequestTimeout,
  requestTimeouts,
  setRequestTimeouts,
  timeoutsFor,
} from '../../src/lib/timeouts.ts'

describe('timeouts', () => {
  it('default: connect 5 s, request 20 s (seconds, not minutes)', () => {
    expect(DEFAULT_TIMEOUTS).to.deep.equal({connectMs: 5000, requestMs: 20_000})
    expect(requestTimeouts()).to.deep.equal({connectMs: 5000, requestMs: 20_000})
  })

  const accepted: Array<[string, number, number]> = [
    ['20s', 20_000, 5000],
    ['1m', 60_000, 15_000],
    ['1m30s', 90_000, 22_500],
    ['1500ms', 1500, 375],
    ['45', 45_000, 11_250],
    ['100ms', 100, 25],
    ['1h', 3_600_000, 900_000],
    [' 20s ', 20_000, 5000],
    ['1.25', 1250, 313],
    ['1.25s', 1250, 313],
    ['0.5m', 30_000, 7500],
  ]
  for (const [text, requestMs, connectMs] of accepted) {
    it(`--request-timeout ${text} → request ${requestMs} ms, connect ${connectMs} ms`, () => {
      expect(parseRequestTimeout(text)).to.deep.equal({requestMs, connectMs})
    })
  }
  it('the refusal says what is accepted', () => {
    expect(() => parseRequestTimeout('soon'))
      .to.throw('--request-timeout "soon" is not a duration between 100ms and 1h.')
      .with.property('hint', 'Use e.g. 20s (the default), 45s or 2m; PIKSEL_REQUEST_TIMEOUT takes the same values.')
  })

  for (const text of ['', 'soon', '0', '99ms', '-1s', '1h1s', '2h', '5 m', '10x', '5sx', 'x5', '1m 30s', '1.', '.5s']) {
    it(`--request-timeout ${JSON.stringify(text)} → exit 2 BAD_DURATION`, () => {
      let error: {code?: string; exitCode?: number} = {}
      try {
        parseRequestTimeout(text)
      } catch (e) {
        error = e as typeof error
      }
      expect(error.code).to.equal('BAD_DURATION')
      expect(error.exitCode).to.equal(2)
    })
  }

  it('the message names where the value came from (the flag, or PIKSEL_REQUEST_TIMEOUT)', () => {
    expect(() => parseRequestTimeout('abc')).to.throw('--request-timeout "abc"')
    expect(() => parseRequestTimeout('abc', 'PIKSEL_REQUEST_TIMEOUT')).to.throw('PIKSEL_REQUEST_TIMEOUT "abc"')
  })

  it('durations and how messages show them', () => {
    expect(parseDuration('2m5s')).to.equal(125_000)
    expect(parseDuration('x')).to.equal(undefined)
    expect(parseDuration('')).to.equal(undefined)
    expect(parseDuration('   ')).to.equal(undefined)
    expect([500, 1000, 1500, 20_000, 60_000, 90_000].map(formatDuration)).to.deep.equal([
      '500ms',
      '1s',
      '1.5s',
      '20s',
      '1m',
      '1m30s',
    ])
    expect(timeoutsFor(3)).to.deep.equal({requestMs: 3, connectMs: 1})
  })

  it('the run’s setting is what clients read', () => {
    try {
      setRequestTimeouts(timeoutsFor(2000))
      expect(requestTimeouts()).to.deep.equal({requestMs: 2000, connectMs: 500})
    } finally {
      setRequestTimeouts(DEFAULT_TIMEOUTS)
    }
  })
})

describe('AWS call info: IAM actions, writes, parameters', () => {
  const actions: Array<[string, string, string]> = [
    ['SecretsManager', 'CreateSecret', 'secretsmanager:CreateSecret'],
    ['STS', 'GetCallerIdentity', 'sts:GetCallerIdentity'],
    ['ServiceQuotas', 'RequestServiceQuotaIncrease', 'servicequotas:RequestServiceQuotaIncrease'],
    ['IAM', 'GetRole', 'iam:GetRole'],
    ['EKS', 'DescribeCluster', 'eks:DescribeCluster'],
    ['S3', 'HeadBucket', 's3:ListBucket'],
    ['S3', 'PutBucketEncryption', 's3:PutEncryptionConfiguration'],
    ['S3', 'PutBucketVersioning', 's3:PutBucketVersioning'],
    ['Route53', 'ListHostedZones', 'route53:ListHostedZones'],
    ['SomethingNew', 'DoIt', 'somethingnew:DoIt'],
  ]
  for (const [service, operation, expected] of actions) {
    it(`${service} ${operation} → ${expected}`, () => {
      expect(iamAction({service, operation})).to.equal(expected)
    })
  }

  it('writes and reads', () => {
    const writes = ['CreateSecret', 'PutSecretValue', 'UpdateSecret', 'TagResource', 'RestoreSecret']
    const more = ['RequestServiceQuotaIncrease', 'CreateBucket', 'PutBucketPolicy', 'DeleteObject']
    for (const op of [...writes, ...more]) expect(isWriteOperation(op), op).to.equal(true)
    const reads = ['GetCallerIdentity', 'DescribeSecret', 'GetSecretValue', 'ListSecrets', 'HeadBucket']
    for (const op of [...reads, 'GetServiceQuota', 'ListRequestedServiceQuotaChangeHistoryByQuota', 'AssumeRole'])
      expect(isWriteOperation(op), op).to.equal(false)
  })

  const parameters: Array<[string, string | undefined]> = [
    ["1 validation error detected: Value 'x' at 'secretId' failed to satisfy constraint", 'secretId'],
    ['Invalid name. Must be a valid name containing alphanumeric characters', 'name'],
    ['Invalid parameter: KmsKeyId', 'KmsKeyId'],
    ['The parameter RoleName is not valid', 'RoleName'],
    ['DesiredValue must be greater than the current value', 'DesiredValue'],
    ['You provided a value that does not match the required pattern.', undefined],
    ['Invalid request', undefined],
  ]
  for (const [message, expected] of parameters) {
    it(`parameter of ${JSON.stringify(message)}: ${expected}`, () => {
      expect(parameterOf(message)).to.equal(expected)
    })
  }
})
