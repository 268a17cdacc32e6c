/**
 * Turns any failure of an AWS call into an error a user can act on: one line of
 * cause, a stable code by kind, and the command that fixes it. One mapper for
 * every service piksel calls: it reads the SDK's ServiceException shape (`name`,
 * `$fault`, `$retryable`, `$metadata.httpStatusCode`) and the call info the
 * client factory attaches (service, operation, endpoint, resource), so it needs
 * no per-service table. Pure, so it is tested table-driven.
 *
 * Kinds and codes: TIMEOUT, NETWORK, the credential codes (SSO_EXPIRED,
 * CREDENTIALS_EXPIRED, PROFILE_NOT_FOUND, NO_CREDENTIALS, CREDENTIALS_INVALID),
 * THROTTLED, ACCESS_DENIED (naming the IAM action), DEPENDENCY_ACCESS_DENIED,
 * NOT_FOUND, INVALID_PARAMETER (naming the parameter when AWS does), CONFLICT,
 * LIMIT_EXCEEDED, AWS_UNAVAILABLE, BAD_RESPONSE, AWS_REJECTED; anything that
 * is not an AWS failure at all is BUG.
 *
 * (About 410 lines: one table of every error kind and its hint, for every service; split
 * by service it would be written several times.)
 */
import {CredentialsError, NETWORK_ERRNOS, OperationError, PikselError, bugError} from '../errors.ts'
import {formatDuration} from '../duration.ts'
import {type AwsCallInfo, NOT_AN_AWS_ANSWER, callInfo, iamAction, isWriteOperation, serviceName} from './call.ts'
import type {AwsSession} from './session.ts'

interface AwsLikeError {
  name?: string
  message?: string
  code?: string
  Code?: string
  $fault?: 'client' | 'server'
  $retryable?: {throttling?: boolean}
  $metadata?: {httpStatusCode?: number}
  $response?: {statusCode?: number; headers?: Record<string, string | undefined>}
}

const EXPIRED = /ExpiredToken|RequestExpired|TokenRefreshRequired/
const INVALID =
  /InvalidClientTokenId|UnrecognizedClient|SignatureDoesNotMatch|InvalidSignature|AuthFailure|InvalidAccessKeyId/
const SSO_EXPIRED = /SSO session|aws sso login|Token is expired|sso.*expired|UnauthorizedException/i
const PROFILE_MISSING =
  /[Pp]rofile .*(could not be found|not found|does not exist)|could not resolve credentials using profile/
const NO_CREDENTIALS = /Could not load credentials|Unable to locate credentials|No credentials|CredentialsProviderError/
const NETWORK_TEXT =
  /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|ENETUNREACH|socket hang up|CERT_|certificate/

/** Throttling error names across AWS services (the SDK's own list, plus Service Quotas' and EC2's). */
const THROTTLING = new Set([
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
  'LimitExceededException',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
])
/** Secrets Manager's LimitExceededException is a quota (too many secrets), not throttling. */
const LIMIT_NOT_THROTTLING = new Set(['SecretsManager', 'IAM', 'EKS'])

const ACCESS_DENIED =
  /AccessDenied|UnauthorizedOperation|NotAuthorized|AuthorizationError|^Forbidden$|UnauthorizedAccess/
const NOT_FOUND = /NotFound|NoSuch/
const INVALID_PARAMETER =
  /^(InvalidParameter\w*|ValidationException|ValidationError|IllegalArgumentException|InvalidInput\w*|InvalidArgument|MalformedPolicyDocument\w*|MissingParameter|MissingRequiredParameter|SerializationException|InvalidNextTokenException|InvalidPaginationTokenException|InvalidQueryParameter|MalformedQueryString|InvalidRequestContentException|InvalidBucketName)$/
const CONFLICT =
  /AlreadyExists|ResourceExists|AlreadyOwned|Conflict|InUse|ConcurrentModification|^InvalidRequestException$|PreconditionNotMet|OperationAborted|InvalidState|IncorrectState|EntityTemporarilyUnmodifiable/
const LIMIT = /LimitExceeded|QuotaExceeded|TooMany/
const BAD_RESPONSE =
  /Deserialization error|XML parse error|is not valid JSON|Unexpected token|Unexpected end of JSON|Expected .* XML|char '.' is not expected|Non-whitespace before first tag|Invalid (XML|JSON)/

export type AwsErrorKind =
  | 'timeout'
  | 'network'
  | 'sso-expired'
  | 'credentials-expired'
  | 'profile-missing'
  | 'no-credentials'
  | 'credentials-invalid'
  | 'throttled'
  | 'access-denied'
  | 'dependency-access-denied'
  | 'not-found'
  | 'invalid-parameter'
  | 'conflict'
  | 'limit-exceeded'
  | 'unavailable'
  | 'bad-response'
  | 'rejected'
  | 'bug'

export const CODE_OF_KIND: Record<AwsErrorKind, string> = {
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
}

export interface ClassifiedAwsError {
  kind: AwsErrorKind
  /** The AWS error name (`ThrottlingException`), or the JS error name. */
  name: string
  /** The first line of the message. */
  message: string
  /** HTTP status of AWS's answer, when there was one. */
  status?: number
  call?: AwsCallInfo
}

function first(text: string): string {
  return (text.split('\n').find((line) => line.trim()) ?? '').trim()
}

/** Pure: which kind of failure this is. */
export function classifyAwsError(error: unknown, context: AwsErrorContext = {}): ClassifiedAwsError {
  const e = (error ?? {}) as AwsLikeError
  const name = e.name ?? e.Code ?? e.code ?? 'Error'
  const message = first(e.message ?? String(error))
  const call = callInfo(error)
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode
  const result = (kind: AwsErrorKind): ClassifiedAwsError => ({kind, name, message, status, call})
  const text = `${name} ${message} ${e.code ?? ''}`
  const errno = typeof e.code === 'string' ? e.code : ''

  // The SDK names a reset connection "TimeoutError" too: the errno says what it was.
  if (NETWORK_ERRNOS.includes(errno)) return result('network')
  if (call?.timeoutMs !== undefined || name === 'TimeoutError' || errno === 'ETIMEDOUT') return result('timeout')
  if (SSO_EXPIRED.test(text)) return result('sso-expired')
  if (EXPIRED.test(text)) return result('credentials-expired')
  if (PROFILE_MISSING.test(text) || (context.profileExists === false && NO_CREDENTIALS.test(text)))
    return result('profile-missing')
  if (NO_CREDENTIALS.test(text)) return result('no-credentials')
  if (INVALID.test(name) || (!e.$metadata && INVALID.test(text))) return result('credentials-invalid')
  if (name === 'DependencyAccessDeniedException') return result('dependency-access-denied')

  if (name === NOT_AN_AWS_ANSWER) return result('bad-response')
  const fromAws = e.$metadata !== undefined || e.$fault !== undefined
  if (fromAws && status !== undefined && status >= 300 && status < 400 && /^Unknown/.test(name)) {
    // S3 answers a bucket in another region with a bare 301 naming that region; any other redirect is a proxy's.
    const bucketRegion = e.$response?.headers?.['x-amz-bucket-region']
    if (bucketRegion) {
      return {...result('rejected'), name: 'PermanentRedirect', message: `the bucket is in region ${bucketRegion}`}
    }
    return result('bad-response')
  }
  if (!fromAws) {
    if (NETWORK_TEXT.test(text)) return result('network')
    if (BAD_RESPONSE.test(text) && call) return result('bad-response')
    return result('bug')
  }
  const limitIsQuota = name === 'LimitExceededException' && LIMIT_NOT_THROTTLING.has(call?.service ?? '')
  if ((THROTTLING.has(name) && !limitIsQuota) || e.$retryable?.throttling || status === 429) return result('throttled')
  if (ACCESS_DENIED.test(name)) return result('access-denied')
  if (NOT_FOUND.test(name)) return result('not-found')
  if (INVALID_PARAMETER.test(name)) return result('invalid-parameter')
  if (CONFLICT.test(name)) return result('conflict')
  if (LIMIT.test(name)) return result('limit-exceeded')
  if (BAD_RESPONSE.test(text) || name === 'SyntaxError') {
    return result(status !== undefined && status >= 500 ? 'unavailable' : 'bad-response')
  }
  if (e.$fault === 'server' || (status !== undefined && status >= 500)) return result('unavailable')
  if (status === 403) return result('access-denied')
  if (status === 404) return result('not-found')
  if (NETWORK_TEXT.test(text)) return result('network')
  return result('rejected')
}

/** Pure: the parameter an invalid-parameter message names, when it names one. */
export function parameterOf(message: string): string | undefined {
  const patterns = [
    /at '([A-Za-z][\w.]*)' failed to satisfy/,
    /[Pp]arameter[: ]+'?([A-Za-z][\w.]*)'?/,
    /^Invalid ([A-Za-z]\w*)[.:]/,
    /^(?:The )?([A-Z][A-Za-z]+) (?:is not valid|is invalid|must be|is required|cannot be)/,
  ]
  for (const pattern of patterns) {
    const match = pattern.exec(message)
    if (match?.[1] && !/^(value|request|input|the|a|an)$/i.test(match[1])) return match[1]
  }
  return undefined
}

export function loginHint(session: AwsSession): string {
  return session.profile
    ? `Run \`aws sso login --profile ${session.profile}\` (or \`aws configure sso --profile ${session.profile}\` if the profile does not exist yet).`
    : 'Run `aws sso login --profile <profile>` and pass --profile, or set AWS_PROFILE (`aws configure sso` creates a profile).'
}

export interface AwsErrorContext {
  /** False when the session's profile is in neither shared AWS file (see profiles.ts). */
  profileExists?: boolean
  /** Hints that replace the generic one for a code (e.g. quota's IAM actions for ACCESS_DENIED). */
  hints?: Partial<Record<string, string>>
  /** For a write: how to check whether it happened when its answer never came (a command to run). */
  verify?: string
}

/** How to see whether a write happened, per service: the read that shows it. */
function verifyCommand(info: AwsCallInfo): string | undefined {
  const id = info.resource ?? '<name>'
  const region = `--region ${info.region}`
  switch (info.service) {
    case 'SecretsManager':
      return `\`aws secretsmanager describe-secret --secret-id ${id} ${region}\``
    case 'ServiceQuotas':
      return `\`piksel quota gpu\` (it shows open requests), or \`aws service-quotas list-requested-service-quota-change-history-by-quota --service-code ec2 --quota-code ${id} ${region}\``
    case 'IAM':
      return `\`aws iam get-role --role-name ${id}\``
    case 'S3':
      return `\`aws s3api head-bucket --bucket ${id} ${region}\``
    case 'EKS':
      return `\`aws eks describe-cluster --name ${id} ${region}\``
    default:
      return undefined
  }
}

/**
 * The PikselError for a failed AWS call. `action` names what was being done,
 * e.g. `secretsmanager:CreateSecret` or `checking L-DB2E81BA`; the IAM action,
 * endpoint and resource come from the call info when the client factory made
 * the client.
 */
export function describeAwsError(
  error: unknown,
  session: AwsSession,
  action?: string,
  context: AwsErrorContext = {},
): PikselError {
  if (error instanceof PikselError) return error
  const c = classifyAwsError(error, context)
  const {call, name, message} = c
  const iam = call ? iamAction(call) : action && /^[a-z0-9-]+:[A-Za-z]+$/.test(action) ? action : undefined
  const label = action ?? iam ?? 'AWS call'
  const service = call ? serviceName(call.service) : 'AWS'
  const who = session.profile ? `profile ${session.profile}` : 'the default credential chain'
  const endpoint = call?.endpoint ?? endpointFromEnvironment(call)
  // "STS at http://127.0.0.1:4566", or "STS in ap-southeast-3" before any request was built.
  const where = endpoint ? `${service} at ${endpoint}` : `${service} in ${session.region}`
  const on = call?.resource && !label.includes(call.resource) ? ` (${call.resource})` : ''
  const code = CODE_OF_KIND[c.kind]
  const make = (text: string, hint: string, Type: typeof OperationError = OperationError) =>
    new Type(text, {code, hint: context.hints?.[code] ?? hint, cause: error})

  switch (c.kind) {
    case 'timeout': {
      const within = call?.timeoutMs !== undefined ? ` within ${formatDuration(call.timeoutMs)}` : ''
      if (call?.unsent) {
        // The SDK never got as far as sending: the credentials did not come.
        const profile = session.profile ? ` --profile ${session.profile}` : ''
        return make(
          `${label}${on}: no AWS credentials${within} (${who}): their source (a credential_process, SSO, a role to assume) did not answer, so ${service} was never asked${isWriteOperation(call.operation) ? ' and nothing was changed' : ''}.`,
          `Run \`aws sts get-caller-identity${profile}\` to see why (it may be waiting for a password manager, MFA or a browser); --request-timeout 1m waits longer.`,
        )
      }
      if (call && isWriteOperation(call.operation)) {
        const verify = context.verify ?? verifyCommand(call)
        return make(
          `${label}${on}: no answer from ${where}${within}; the change may or may not have been made.`,
          `Check before running again${verify ? `: ${verify}` : ' (describe or list it)'}. A slow network may need --request-timeout 1m.`,
        )
      }
      return make(
        `${label}${on}: no answer from ${where}${within}.`,
        'Check the network, VPN or proxy and AWS_ENDPOINT_URL*; --request-timeout 1m waits longer.',
      )
    }
    case 'network':
      return make(
        `${label}: cannot reach ${where} (${message || name}).`,
        endpointFromEnvironment(call)
          ? 'Check AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>.'
          : 'Check the network, a VPN or proxy, and --region.',
      )
    case 'sso-expired':
      return make(
        `The AWS SSO session for ${who} has expired.`,
        session.profile ? `Run \`aws sso login --profile ${session.profile}\`.` : loginHint(session),
        CredentialsError,
      )
    case 'credentials-expired':
      return make(`The AWS credentials of ${who} have expired.`, loginHint(session), CredentialsError)
    case 'profile-missing':
      return make(
        `AWS profile "${session.profile ?? '?'}" is not configured on this machine.`,
        `Run \`aws configure sso --profile ${session.profile ?? '<profile>'}\`, or pass another --profile.`,
        CredentialsError,
      )
    case 'no-credentials':
      return make(`No AWS credentials found (${who}).`, loginHint(session), CredentialsError)
    case 'credentials-invalid':
      return make(`The AWS credentials of ${who} were rejected (${name}).`, loginHint(session), CredentialsError)
    case 'throttled':
      return make(
        `${label}: AWS is still throttling ${service} after the SDK's retries (${name}).`,
        'Wait a minute and run again; other tools using the same account share the rate limit.',
      )
    case 'access-denied': {
      const named = /not authorized to perform:? ([a-z0-9-]+:[A-Za-z0-9]+)/.exec(message)?.[1] ?? iam
      return make(
        `${label}${on}: access denied for ${who}${named ? `: ${named} is not allowed` : ''} (${name}${message ? `: ${message}` : ''}).`,
        named
          ? `Ask for ${named} in the IAM policy of ${who}, or use a profile that has it.`
          : 'Ask for the IAM permission named above, or use a profile that has it.',
      )
    }
    case 'dependency-access-denied':
      return make(
        `${label}${on}: a service that ${service} calls was denied access (${name}: ${message}).`,
        'Ask an administrator to allow the services it depends on for the caller.',
      )
    case 'not-found':
      return make(
        `${label}: ${call?.resource ? `${call.resource} was` : 'what it names was'} not found in ${session.region} (${name}${message ? `: ${message}` : ''}).`,
        'Check the name and the region (--region, or the environment’s region in the config).',
      )
    case 'invalid-parameter': {
      const parameter = parameterOf(message)
      return make(
        `${label}${on}: AWS refused ${parameter ? `parameter ${parameter}` : 'a parameter'} (${name}: ${message}).`,
        parameter
          ? `Check the value given for ${parameter} (a flag or the config); if it came from piksel itself, re-run with --verbose and report it.`
          : 'Check the values given (flags, config); if they look right, re-run with --verbose and report it.',
      )
    }
    case 'conflict':
      return make(
        `${label}${on}: AWS refused it in its current state (${name}: ${message}).`,
        `Something changed it meanwhile or it is in a state that refuses this; look at it again${call && verifyCommand(call) ? ` (${verifyCommand(call)})` : ''} and run again.`,
      )
    case 'limit-exceeded':
      return make(
        `${label}${on}: an AWS limit of ${service} is reached (${name}: ${message}).`,
        'Raise the quota in Service Quotas, or clean up what counts against it.',
      )
    case 'unavailable':
      return make(
        `${label}: ${service} failed on AWS's side${c.status ? ` (HTTP ${c.status})` : ''} (${name}${message ? `: ${message}` : ''}).`,
        'Retry in a minute; https://health.aws.amazon.com/health/status shows AWS outages.',
      )
    case 'bad-response': {
      const what = `${label}: the answer from ${where} is not an AWS response${c.status ? ` (HTTP ${c.status})` : ''}`
      const check = 'A proxy or AWS_ENDPOINT_URL* may send it elsewhere; check them (--verbose shows the parse error).'
      if (call && isWriteOperation(call.operation)) {
        // The request may have reached AWS behind whatever answered.
        const verify = context.verify ?? verifyCommand(call)
        return make(
          `${what}; the change may or may not have been made.`,
          `${check} Then check before running again${verify ? `: ${verify}` : ' (describe or list it)'}.`,
        )
      }
      return make(`${what}.`, check)
    }
    case 'rejected':
      return make(
        `${label}${on}: AWS refused it (${name}${message ? `: ${message}` : ''}).`,
        'AWS’s reason is above; if it does not say what to change, re-run with --verbose and report it.',
      )
    case 'bug':
      return bugError(error)
  }
}

/** The AWS_ENDPOINT_URL(_<SERVICE>) in use, when one is set. */
function endpointFromEnvironment(call: AwsCallInfo | undefined): string | undefined {
  const specific = call ? process.env[`AWS_ENDPOINT_URL_${serviceEnvName(call.service)}`] : undefined
  return specific || process.env.AWS_ENDPOINT_URL || undefined
}

function serviceEnvName(service: string): string {
  const names: Record<string, string> = {
    SecretsManager: 'SECRETS_MANAGER',
    ServiceQuotas: 'SERVICE_QUOTAS',
    Route53: 'ROUTE_53',
  }
  return names[service] ?? service.toUpperCase()
}

/** describeAwsError, after checking whether a missing profile is the real cause of a credentials failure. */
export async function explainAwsError(
  error: unknown,
  session: AwsSession,
  action?: string,
  context: AwsErrorContext = {},
): Promise<PikselError> {
  const mapped = describeAwsError(error, session, action, context)
  if (mapped.code !== 'NO_CREDENTIALS' || !session.profile) return mapped
  const {profileExists} = await import('./profiles.ts')
  return (await profileExists(session.profile).catch(() => true))
    ? mapped
    : describeAwsError(error, session, action, {...context, profileExists: false})
}

/** True for what the SDK throws: an AWS answer or a failure the factory marked as an AWS call. */
export function isAwsError(error: unknown): boolean {
  const e = error as AwsLikeError | undefined
  return Boolean(e && typeof e === 'object' && (e.$metadata !== undefined || e.$fault !== undefined || callInfo(e)))
}
