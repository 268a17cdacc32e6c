/**
 * The AWS error classification as a table (issue 12 §4): which kind every failure is,
 * by name, status, fault, errno and text, each kind and code written out here. The
 * loopback wire tests (aws-errors.test.ts) show the same kinds arriving from real SDK
 * clients; this table is what mutation testing runs (it needs no network).
 */
import {expect} from 'chai'

import {annotate} from '../../src/lib/aws/call.ts'
import {type AwsErrorKind, CODE_OF_KIND, classifyAwsError, parameterOf} from '../../src/lib/aws/errors.ts'

/** As the SDK throws an AWS answer: a ServiceException with $fault and $metadata. */
const aws = (name: string, status = 400, message = 'm', fault: 'client' | 'server' = 'client') =>
  Object.assign(new Error(message), {name, $fault: fault, $metadata: {httpStatusCode: status}})
/** A failure before any answer (credentials, network, a bug): no $metadata. */
const local = (name: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), {name}, extra)
const on = <E>(error: E, service: string, more: {timeoutMs?: number} = {}) =>
  annotate(error, {service, operation: 'Op', region: 'ap-southeast-3', ...more})

describe('classifyAwsError: the kind of every AWS failure', () => {
  const rows: Array<[string, unknown, AwsErrorKind]> = [
    // Throttling, by every name the SDK and the services use; LimitExceeded is a quota where it means one.
    ...[
      'Throttling',
      'ThrottlingException',
      'ThrottledException',
      'RequestThrottledException',
      'RequestThrottled',
      'TooManyRequestsException',
      'ProvisionedThroughputExceededException',
      'TransactionInProgressException',
      'RequestLimitExceeded',
      'BandwidthLimitExceeded',
      'SlowDown',
      'PriorRequestNotComplete',
      'EC2ThrottledException',
    ].map((name): [string, unknown, AwsErrorKind] => [name, aws(name), 'throttled']),
    [
      'LimitExceededException from Service Quotas (its throttling)',
      on(aws('LimitExceededException'), 'ServiceQuotas'),
      'throttled',
    ],
    ['LimitExceededException without call info', aws('LimitExceededException'), 'throttled'],
    [
      'LimitExceededException from Secrets Manager (too many secrets)',
      on(aws('LimitExceededException'), 'SecretsManager'),
      'limit-exceeded',
    ],
    ['LimitExceededException from IAM', on(aws('LimitExceededException'), 'IAM'), 'limit-exceeded'],
    ['LimitExceededException from EKS', on(aws('LimitExceededException'), 'EKS'), 'limit-exceeded'],
    [
      'a throttling flag on a name nobody listed',
      Object.assign(aws('Busy'), {$retryable: {throttling: true}}),
      'throttled',
    ],
    ['HTTP 429 under a name nobody listed', aws('Busy', 429), 'throttled'],
    // Access.
    ['AccessDeniedException', aws('AccessDeniedException'), 'access-denied'],
    ['UnauthorizedOperation (EC2)', aws('UnauthorizedOperation'), 'access-denied'],
    ['Forbidden (S3 HEAD)', aws('Forbidden'), 'access-denied'],
    ['HTTP 403 under a name nobody listed', aws('Weird', 403), 'access-denied'],
    [
      'DependencyAccessDeniedException (Service Quotas)',
      aws('DependencyAccessDeniedException'),
      'dependency-access-denied',
    ],
    // Not found.
    ['ResourceNotFoundException', aws('ResourceNotFoundException'), 'not-found'],
    ['NoSuchBucket', aws('NoSuchBucket', 404), 'not-found'],
    ['NoSuchEntity (IAM)', aws('NoSuchEntity'), 'not-found'],
    ['HTTP 404 under a name nobody listed', aws('Weird', 404), 'not-found'],
    // Invalid parameters, every name of the list.
    ...[
      'InvalidParameterException',
      'InvalidParameterValue',
      'ValidationException',
      'ValidationError',
      'IllegalArgumentException',
      'InvalidInputException',
      'InvalidArgument',
      'MalformedPolicyDocumentException',
      'MissingParameter',
      'MissingRequiredParameter',
      'SerializationException',
      'InvalidNextTokenException',
      'InvalidPaginationTokenException',
      'InvalidQueryParameter',
      'MalformedQueryString',
      'InvalidRequestContentException',
      'InvalidBucketName',
    ].map((name): [string, unknown, AwsErrorKind] => [name, aws(name), 'invalid-parameter']),
    ['a name that only contains ValidationException', aws('XValidationExceptionX'), 'rejected'],
    // Conflicts.
    ...[
      'ResourceExistsException',
      'ResourceAlreadyExistsException',
      'BucketAlreadyOwnedByYou',
      'ConflictException',
      'ResourceInUseException',
      'ConcurrentModificationException',
      'InvalidRequestException',
      'PreconditionNotMetException',
      'OperationAbortedException',
      'InvalidStateException',
      'IncorrectStateException',
      'EntityTemporarilyUnmodifiableException',
    ].map((name): [string, unknown, AwsErrorKind] => [name, aws(name), 'conflict']),
    // Limits.
    ['ServiceQuotaExceededException', aws('ServiceQuotaExceededException'), 'limit-exceeded'],
    ['TooManyTagsException', aws('TooManyTagsException'), 'limit-exceeded'],
    // AWS failing, or an answer that is not AWS's.
    ['a server fault', aws('InternalFailure', 400, 'm', 'server'), 'unavailable'],
    ['a server fault without an HTTP answer', local('Weird', 'm', {$fault: 'server'}), 'unavailable'],
    ['HTTP 500', aws('Weird', 500), 'unavailable'],
    ['HTTP 499', aws('Weird', 499), 'rejected'],
    ['a client fault without a status', local('Weird', 'm', {$fault: 'client'}), 'rejected'],
    [
      'a SyntaxError with an answer of 200',
      Object.assign(new SyntaxError('x'), {$metadata: {httpStatusCode: 200}}),
      'bad-response',
    ],
    [
      'a SyntaxError with an answer of 502',
      Object.assign(new SyntaxError('x'), {$metadata: {httpStatusCode: 502}}),
      'unavailable',
    ],
    [
      'a SyntaxError with an answer of 500',
      Object.assign(new SyntaxError('x'), {$metadata: {httpStatusCode: 500}}),
      'unavailable',
    ],
    [
      'a SyntaxError with an answer of 499',
      Object.assign(new SyntaxError('x'), {$metadata: {httpStatusCode: 499}}),
      'bad-response',
    ],
    ['a SyntaxError with no status', Object.assign(new SyntaxError('x'), {$fault: 'client'}), 'bad-response'],
    [
      'Deserialization error in an answer',
      aws('Weird', 200, 'Deserialization error: to see the raw response'),
      'bad-response',
    ],
    ...[
      'Unexpected end of JSON input',
      'body is not valid JSON',
      "char 'x' is not expected.",
      'Non-whitespace before first tag.',
      'Expected a closing tag in the XML',
      'Invalid XML: unclosed',
      'Invalid JSON: unclosed',
    ].map((message): [string, unknown, AwsErrorKind] => [
      `not AWS's answer: ${message}`,
      aws('Weird', 200, message),
      'bad-response',
    ]),
    [
      'not an answer: a parse failure of a call',
      on(local('Error', 'Unexpected token < in JSON at position 0'), 'STS'),
      'bad-response',
    ],
    [
      'not an answer: a parse failure outside any call is a bug',
      local('Error', 'Unexpected token < in JSON at position 0'),
      'bug',
    ],
    ['an answer whose text names a network failure', aws('Weird', 400, 'getaddrinfo ENOTFOUND sts.example'), 'network'],
    // Network and time.
    [
      'ECONNRESET, though the SDK names it TimeoutError',
      local('TimeoutError', 'socket hang up', {code: 'ECONNRESET'}),
      'network',
    ],
    ['ETIMEDOUT', local('Error', 'connect ETIMEDOUT', {code: 'ETIMEDOUT'}), 'timeout'],
    ['a TimeoutError without an errno', local('TimeoutError', 'no answer'), 'timeout'],
    [
      'the factory’s own deadline',
      on(local('Error', 'no answer within 20000 ms'), 'STS', {timeoutMs: 20_000}),
      'timeout',
    ],
    ['a numeric code is no errno', local('Error', 'boom', {code: 5}), 'bug'],
    ['socket hang up before any answer', local('Error', 'socket hang up'), 'network'],
    ['a certificate failure', local('Error', 'unable to verify the first certificate'), 'network'],
    // Credentials.
    [
      'an expired SSO token',
      local('CredentialsProviderError', 'Token is expired. To refresh this SSO session run aws sso login'),
      'sso-expired',
    ],
    ['the SSO credentials expired (in other words)', local('Error', 'the sso credentials have expired'), 'sso-expired'],
    [
      'UnauthorizedException (SSO GetRoleCredentials)',
      local('UnauthorizedException', 'Session token not found or invalid'),
      'sso-expired',
    ],
    [
      'an expired token',
      aws('ExpiredTokenException', 400, 'The security token included in the request is expired'),
      'credentials-expired',
    ],
    ['a missing profile', local('CredentialsProviderError', 'Profile ops could not be found'), 'profile-missing'],
    [
      'no credentials',
      local('CredentialsProviderError', 'Could not load credentials from any providers'),
      'no-credentials',
    ],
    [
      'no credentials, said by the code only',
      local('Error', 'x', {code: 'CredentialsProviderError'}),
      'no-credentials',
    ],
    ['a rejected key', aws('InvalidClientTokenId', 403), 'credentials-invalid'],
    [
      'a rejected key before an answer (the text says so)',
      local('Error', 'InvalidClientTokenId: the security token is invalid'),
      'credentials-invalid',
    ],
    [
      'AWS’s answer quoting a credential error’s name is not one',
      aws('ValidationException', 400, "Value 'AuthFailure' at 'name'"),
      'invalid-parameter',
    ],
    // Anything else.
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'map')"), 'bug'],
    ['a thrown string', 'boom', 'bug'],
    ['undefined', undefined, 'bug'],
  ]
  for (const [what, error, kind] of rows) {
    it(`${what}: ${kind}`, () => expect(classifyAwsError(error).kind).to.equal(kind))
  }

  it('a missing profile is the cause when the profile is in neither file and nothing was found', () => {
    const none = local('CredentialsProviderError', 'Could not load credentials from any providers')
    expect(classifyAwsError(none, {profileExists: false}).kind).to.equal('profile-missing')
    expect(classifyAwsError(none, {profileExists: true}).kind).to.equal('no-credentials')
  })

  it('name, first line of the message and status, as AWS gave them', () => {
    expect(classifyAwsError(aws('ThrottlingException', 400, '\n  \n  Rate exceeded  \nmore'))).to.deep.include({
      name: 'ThrottlingException',
      message: 'Rate exceeded',
      status: 400,
    })
    expect(classifyAwsError({Code: 'Throttling', $metadata: {httpStatusCode: 400}})).to.deep.include({
      kind: 'throttled',
      name: 'Throttling',
    })
    expect(classifyAwsError({code: 'SlowDown', $metadata: {}})).to.deep.include({kind: 'throttled', name: 'SlowDown'})
    expect(classifyAwsError({$response: {statusCode: 503}, $fault: 'server'})).to.deep.include({
      kind: 'unavailable',
      name: 'Error',
      status: 503,
    })
    expect(classifyAwsError({}).message).to.equal('[object Object]')
  })

  it('each kind has its stable code (README, error codes)', () => {
    expect(CODE_OF_KIND).to.deep.equal({
      timeout: 'TIMEOUT',
      network: 'NETWORK',
      'sso-expired': 'SSO_EXPIRED',
      'credentials-expired': 'CREDENTIALS_EXPIRED',
      'profile-missing': 'PROFILE_NOT_FOUND',
      'no-credentials': 'NO_CREDENTIALS',
      'credentials-invalid': 'CREDENTIALS_INVALID',
      throttled: 'THROTTLED',
      'access-denied': 'ACCESS_DENIED',
      'dependency-access-denied': 'DEPENDENCY_ACCESS_DENIED',
      'not-found': 'NOT_FOUND',
      'invalid-parameter': 'INVALID_PARAMETER',
      conflict: 'CONFLICT',
      'limit-exceeded': 'LIMIT_EXCEEDED',
      unavailable: 'AWS_UNAVAILABLE',
      'bad-response': 'BAD_RESPONSE',
      rejected: 'AWS_REJECTED',
      bug: 'BUG',
    })
  })
})

describe('parameterOf: the parameter an invalid-parameter message names', () => {
  const rows: Array<[string, string | undefined]> = [
    ["1 validation error detected: Value 'x' at 'name' failed to satisfy constraint", 'name'],
    ["Value at 'tags.1.member.key' failed to satisfy constraint", 'tags.1.member.key'],
    ['Invalid parameter: SecretId', 'SecretId'],
    ["Parameter 'QuotaCode' is not valid", 'QuotaCode'],
    ['Invalid name. Must be a valid name containing alphanumeric characters', 'name'],
    ['Invalid alias: must start with alias/', 'alias'],
    ['The SecretId is not valid', 'SecretId'],
    ['Name is required', 'Name'],
    ['Description cannot be longer than 2048 characters', 'Description'],
    ['Invalid value: must not be empty.', undefined],
    ['Invalid request.', undefined],
    ['The request is invalid', undefined],
    ['Request has an Invalid name: x', undefined],
    ['Check that Name is required', undefined],
    ['something else went wrong', undefined],
  ]
  for (const [message, parameter] of rows) {
    it(`${JSON.stringify(message)}: ${parameter ?? 'none'}`, () => expect(parameterOf(message)).to.equal(parameter))
  }
})
