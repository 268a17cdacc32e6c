/**
 * One factory for AWS SDK v3 clients. Callers import the client package lazily
 * (`await import('@aws-sdk/client-sts')`) so commands that need no AWS never load
 * the SDK. The SDK itself honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>,
 * SSO profiles and the shared config files.
 */
export interface AwsSession {
  region: string
  profile?: string
  /** Where the profile came from, for messages. */
  profileSource: 'flag' | 'AWS_PROFILE' | 'config' | 'environment' | 'default'
}

export interface SessionInputs {
  /** --profile (an explicit flag wins over everything). */
  flagProfile?: string
  /** --region / AWS_REGION. */
  flagRegion?: string
  /** The environment's profile and region from the config, when an environment is selected. */
  env?: {profile: string; region: string}
  /** The config's top-level region. */
  defaultRegion: string
  /** The process environment (AWS_ACCESS_KEY_ID, AWS_PROFILE, ...). */
  vars: NodeJS.ProcessEnv
}

/**
 * Pure: whether the environment alone holds credentials, by the sources of the AWS
 * SDK's default chain (@aws-sdk/credential-provider-node) that need no profile, each
 * with what that provider requires: static keys (fromEnv: AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY; AWS_SESSION_TOKEN only adds to them), web identity
 * (fromTokenFile: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN), and container
 * credentials (remoteProvider: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI on ECS, or
 * AWS_CONTAINER_CREDENTIALS_FULL_URI, e.g. EKS Pod Identity). Empty values count as unset.
 */
export function hasEnvironmentCredentials(vars: NodeJS.ProcessEnv): boolean {
  return Boolean(
    (vars.AWS_ACCESS_KEY_ID && vars.AWS_SECRET_ACCESS_KEY) ||
    (vars.AWS_WEB_IDENTITY_TOKEN_FILE && vars.AWS_ROLE_ARN) ||
    vars.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI ||
    vars.AWS_CONTAINER_CREDENTIALS_FULL_URI,
  )
}

/**
 * Pure: which profile and region, with the AWS CLI's precedence: --profile; then
 * credentials in the environment (CI pipelines, the sandbox; see
 * hasEnvironmentCredentials); then AWS_PROFILE; then the environment's profile from
 * the config; else the default chain.
 */
export function resolveSession(inputs: SessionInputs): AwsSession {
  const region = inputs.flagRegion ?? inputs.env?.region ?? inputs.defaultRegion
  const {vars} = inputs
  if (inputs.flagProfile) return {region, profile: inputs.flagProfile, profileSource: 'flag'}
  if (hasEnvironmentCredentials(vars)) return {region, profileSource: 'environment'}
  if (vars.AWS_PROFILE) return {region, profile: vars.AWS_PROFILE, profileSource: 'AWS_PROFILE'}
  if (inputs.env) return {region, profile: inputs.env.profile, profileSource: 'config'}
  return {region, profileSource: 'default'}
}

export interface AwsClientConfig {
  region: string
  profile?: string
  retryMode: 'adaptive'
  maxAttempts: number
}

/** Pure: the config every client gets. No logger is ever passed (it could print secrets). */
export function clientConfig(session: AwsSession, maxAttempts = 5): AwsClientConfig {
  return {
    region: session.region,
    ...(session.profile ? {profile: session.profile} : {}),
    retryMode: 'adaptive',
    maxAttempts,
  }
}

export function createAwsClient<C>(Client: new (config: AwsClientConfig) => C, session: AwsSession): C {
  return new Client(clientConfig(session))
}

export function describeSession(session: AwsSession): string {
  const who = session.profile
    ? `profile ${session.profile}`
    : session.profileSource === 'environment'
      ? 'credentials from the environment'
      : 'the default credential chain'
  return `${who}, region ${session.region}`
}
