/**
 * Turns AWS SDK failures into errors a user can act on: one line of cause and
 * the command that fixes it. Pure, so it is tested table-driven.
 */
import {CredentialsError, OperationError, type PikselError} from '../errors.ts'
import type {AwsSession} from './session.ts'

interface AwsLikeError {
  name?: string
  message?: string
  code?: string
  Code?: string
  $metadata?: {httpStatusCode?: number}
}

const EXPIRED = /ExpiredToken|RequestExpired|TokenRefreshRequired/
const INVALID = /InvalidClientTokenId|UnrecognizedClient|SignatureDoesNotMatch|InvalidSignature|AuthFailure/
const SSO_EXPIRED = /SSO session|aws sso login|Token is expired|sso.*expired|UnauthorizedException/i
const PROFILE_MISSING =
  /[Pp]rofile .*(could not be found|not found|does not exist)|could not resolve credentials using profile/
const NO_CREDENTIALS = /Could not load credentials|Unable to locate credentials|No credentials|CredentialsProviderError/
const NETWORK = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|socket hang up|TimeoutError/

export function loginHint(session: AwsSession): string {
  return session.profile
    ? `Run \`aws sso login --profile ${session.profile}\` (or \`aws configure sso --profile ${session.profile}\` if the profile does not exist yet).`
    : 'Run `aws sso login --profile <profile>` and pass --profile, or set AWS_PROFILE (`aws configure sso` creates a profile).'
}

export interface AwsErrorContext {
  /** False when the session's profile is in neither shared AWS file (see profiles.ts). */
  profileExists?: boolean
}

export function describeAwsError(
  error: unknown,
  session: AwsSession,
  action: string,
  context: AwsErrorContext = {},
): PikselError {
  const e = (error ?? {}) as AwsLikeError
  const name = e.name ?? e.Code ?? e.code ?? 'Error'
  const message = (e.message ?? String(error)).split('\n')[0] ?? ''
  const text = `${name} ${message} ${e.code ?? ''}`
  const who = session.profile ? `profile ${session.profile}` : 'the default credential chain'

  if (SSO_EXPIRED.test(text)) {
    return new CredentialsError(`The AWS SSO session for ${who} has expired.`, {
      code: 'SSO_EXPIRED',
      hint: session.profile ? `Run \`aws sso login --profile ${session.profile}\`.` : loginHint(session),
      cause: error,
    })
  }
  if (EXPIRED.test(text)) {
    return new CredentialsError(`The AWS credentials of ${who} have expired.`, {
      code: 'CREDENTIALS_EXPIRED',
      hint: loginHint(session),
      cause: error,
    })
  }
  if (PROFILE_MISSING.test(text) || (session.profile && context.profileExists === false)) {
    return new CredentialsError(`AWS profile "${session.profile ?? '?'}" is not configured on this machine.`, {
      code: 'PROFILE_NOT_FOUND',
      hint: `Run \`aws configure sso --profile ${session.profile ?? '<profile>'}\`, or pass another --profile.`,
      cause: error,
    })
  }
  if (NO_CREDENTIALS.test(text)) {
    return new CredentialsError(`No AWS credentials found (${who}).`, {
      code: 'NO_CREDENTIALS',
      hint: loginHint(session),
      cause: error,
    })
  }
  if (INVALID.test(text)) {
    return new CredentialsError(`The AWS credentials of ${who} were rejected (${name}).`, {
      code: 'CREDENTIALS_INVALID',
      hint: loginHint(session),
      cause: error,
    })
  }
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized/.test(text)) {
    return new OperationError(`${action}: access denied for ${who}: ${message}`, {
      code: 'ACCESS_DENIED',
      hint: 'Ask for the IAM permission named above, or use a profile that has it.',
      cause: error,
    })
  }
  if (NETWORK.test(text)) {
    const endpoint = process.env.AWS_ENDPOINT_URL
    return new OperationError(`${action}: cannot reach AWS${endpoint ? ` at ${endpoint}` : ''} (${message || name}).`, {
      code: 'NETWORK',
      hint: endpoint ? 'Check AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>.' : 'Check the network and --region.',
      cause: error,
    })
  }
  return new OperationError(`${action} failed: ${name}: ${message}`, {code: name, cause: error})
}

/** describeAwsError, after checking whether a missing profile is the real cause of a credentials failure. */
export async function explainAwsError(error: unknown, session: AwsSession, action: string): Promise<PikselError> {
  const mapped = describeAwsError(error, session, action)
  if (mapped.code !== 'NO_CREDENTIALS' || !session.profile) return mapped
  const {profileExists} = await import('./profiles.ts')
  return (await profileExists(session.profile).catch(() => true))
    ? mapped
    : describeAwsError(error, session, action, {profileExists: false})
}
