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
