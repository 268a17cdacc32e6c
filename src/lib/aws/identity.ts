import {OperationError, UsageError} from '../errors.ts'
import {explainAwsError} from './errors.ts'
import {type AwsSession, createAwsClient} from './session.ts'

export interface CallerIdentity {
  account: string
  arn: string
  userId: string
}

/**
 * The caller, as a service takes it: asked of STS at most once per command (the base
 * command's `callerIdentity` memoizes it, and its account guard has usually asked
 * already). Services call this, never GetCallerIdentity themselves.
 */
export type CallerLookup = () => Promise<CallerIdentity>

/** `aws sts get-caller-identity`, with credential problems turned into hints. */
export async function getCallerIdentity(session: AwsSession): Promise<CallerIdentity> {
  const {STSClient, GetCallerIdentityCommand} = await import('@aws-sdk/client-sts')
  const sts = createAwsClient(STSClient, session)
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}))
    // The Query protocol's XML parser takes any page (a proxy's HTML login) as an empty answer.
    if (!out.Account || !out.Arn) throw notAnAnswer(session)
    return {account: out.Account, arn: out.Arn, userId: out.UserId ?? ''}
  } catch (error) {
    if (error instanceof OperationError) throw error
    throw await explainAwsError(error, session, 'sts:GetCallerIdentity')
  } finally {
    sts.destroy()
  }
}

function notAnAnswer(session: AwsSession): OperationError {
  const endpoint = process.env.AWS_ENDPOINT_URL_STS || process.env.AWS_ENDPOINT_URL || `STS in ${session.region}`
  return new OperationError(
    `sts:GetCallerIdentity: the answer from ${endpoint} names no account: it is not an STS answer.`,
    {
      code: 'BAD_RESPONSE',
      hint: 'A proxy or AWS_ENDPOINT_URL* may send it elsewhere; check them.',
    },
  )
}

/** Pure: does the caller's account match the environment's configured one? */
export function accountMismatch(expected: string | undefined, actual: string): boolean {
  return expected !== undefined && expected !== actual
}

/**
 * The account guard: when the environment's configured account differs from
 * the caller's, nothing is written.
 */
export function assertAccount(
  env: {name: string; account?: string},
  identity: Pick<CallerIdentity, 'account'>,
  session: AwsSession,
): void {
  if (!accountMismatch(env.account, identity.account)) return
  const via = session.profile ? `profile ${session.profile}` : 'the caller'
  throw new UsageError(
    `Wrong AWS account: environment ${env.name} is account ${env.account}, but ${via} is account ${identity.account}. Nothing was changed.`,
    {
      code: 'ACCOUNT_MISMATCH',
      hint: `Use the profile for ${env.name} (--profile or AWS_PROFILE), or fix environments.${env.name}.account in the config.`,
    },
  )
}
