/**
 * One factory for AWS SDK v3 clients. Callers import the client package lazily
 * (`await import('@aws-sdk/client-sts')`) so commands that need no AWS never load
 * the SDK. The SDK itself honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>,
 * SSO profiles and the shared config files.
 */
import {type AwsCallInfo, annotate} from './call.ts'
import {DEFAULT_TIMEOUTS, type Timeouts, requestTimeouts} from '../timeouts.ts'

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
 * Pure: which profile and region, with the AWS CLI's precedence: --profile; then
 * credentials in the environment (CI pipelines, the sandbox); then AWS_PROFILE;
 * then the environment's profile from the config; else the default chain.
 */
export function resolveSession(inputs: SessionInputs): AwsSession {
  const region = inputs.flagRegion ?? inputs.env?.region ?? inputs.defaultRegion
  const {vars} = inputs
  if (inputs.flagProfile) return {region, profile: inputs.flagProfile, profileSource: 'flag'}
  if (vars.AWS_ACCESS_KEY_ID || vars.AWS_WEB_IDENTITY_TOKEN_FILE || vars.AWS_CONTAINER_CREDENTIALS_FULL_URI) {
    return {region, profileSource: 'environment'}
  }
  if (vars.AWS_PROFILE) return {region, profile: vars.AWS_PROFILE, profileSource: 'AWS_PROFILE'}
  if (inputs.env) return {region, profile: inputs.env.profile, profileSource: 'config'}
  return {region, profileSource: 'default'}
}

/** The SDK's own NodeHttpHandler options (@smithy/node-http-handler), passed as options: the client builds the handler. */
export interface RequestHandlerOptions {
  /** TCP connect, per attempt (ms). */
  connectionTimeout: number
  /** From sending the request to the response headers, per attempt (ms). */
  requestTimeout: number
  /** Without it the SDK only logs a warning when requestTimeout passes. */
  throwOnRequestTimeout: true
  /** No byte on the socket for this long, e.g. a response frozen mid-body (ms). */
  socketTimeout: number
}

export interface AwsClientConfig {
  region: string
  profile?: string
  retryMode: 'adaptive'
  maxAttempts: number
  requestHandler: RequestHandlerOptions
}

/** Pure: the config every client gets. No logger is ever passed (it could print secrets). */
export function clientConfig(
  session: AwsSession,
  maxAttempts = 5,
  timeouts: Timeouts = DEFAULT_TIMEOUTS,
): AwsClientConfig {
  return {
    region: session.region,
    ...(session.profile ? {profile: session.profile} : {}),
    retryMode: 'adaptive',
    maxAttempts,
    requestHandler: {
      connectionTimeout: timeouts.connectMs,
      requestTimeout: timeouts.requestMs,
      throwOnRequestTimeout: true,
      socketTimeout: timeouts.requestMs,
    },
  }
}

/** What every AWS SDK v3 client has that the factory uses (structural, so no SDK type is imported here). */
interface SdkClient {
  send(command: unknown, options?: {abortSignal?: AbortSignal}): Promise<unknown>
  destroy(): void
  middlewareStack: {
    add(middleware: unknown, options: {step: 'initialize' | 'build'; name: string; priority?: 'high' | 'low'}): void
  }
}

/**
 * The one factory for AWS SDK clients: the SDK's request handler gets the
 * connect and per-attempt timeouts of this run (--request-timeout), and every
 * call (the SDK's retries included) is bounded by the request timeout as a
 * whole: past it the call fails with a TimeoutError naming the endpoint. Errors
 * leaving `send` carry which call failed where (see callInfo in errors.ts).
 * `destroy()` also ends the calls still in flight or queued.
 */
export function createAwsClient<C>(
  Client: new (config: AwsClientConfig) => C,
  session: AwsSession,
  timeouts: Timeouts = requestTimeouts(),
): C {
  // AWS_MAX_ATTEMPTS, as the AWS CLI and SDKs honour it (the SDK ignores it once a value is passed).
  const attempts = Number(process.env.AWS_MAX_ATTEMPTS)
  const client = new Client(clientConfig(session, Number.isInteger(attempts) && attempts > 0 ? attempts : 5, timeouts))
  instrument(client as unknown as SdkClient, session, timeouts)
  return client
}

/** Identifying input fields worth naming in a message. Never a value field (SecretString, SecretBinary). */
const RESOURCE_KEYS = ['SecretId', 'Name', 'name', 'QuotaCode', 'RoleName', 'Bucket', 'ClusterName', 'HostedZoneId']

function resourceOf(input: unknown): string | undefined {
  if (!input || typeof input !== 'object') return undefined
  for (const key of RESOURCE_KEYS) {
    const value = (input as Record<string, unknown>)[key]
    if (typeof value === 'string' && value) return value
  }
  return undefined
}

function instrument(client: SdkClient, session: AwsSession, timeouts: Timeouts): void {
  const service = client.constructor.name.replace(/Client$/, '')
  let endpoint: string | undefined
  // Where the request went (the SDK resolves the endpoint per call: AWS_ENDPOINT_URL*, region, FIPS...).
  client.middlewareStack.add(
    (next: (args: {request?: unknown}) => Promise<unknown>) => async (args: {request?: unknown}) => {
      const request = args.request as {protocol?: string; hostname?: string; port?: number} | undefined
      if (request?.hostname) {
        endpoint = `${request.protocol ?? 'https:'}//${request.hostname}${request.port ? `:${request.port}` : ''}`
      }
      return next(args)
    },
    {step: 'build', name: 'pikselEndpoint'},
  )
  // Every error leaving the SDK says which call it was.
  client.middlewareStack.add(
    (next: (args: {input?: unknown}) => Promise<unknown>, context: {commandName?: string}) =>
      async (args: {input?: unknown}) => {
        try {
          return await next(args)
        } catch (error) {
          annotate(error, {
            service,
            operation: (context.commandName ?? '').replace(/Command$/, ''),
            endpoint,
            region: session.region,
            resource: resourceOf(args.input),
          })
          throw error
        }
      },
    {step: 'initialize', name: 'pikselCallInfo', priority: 'high'},
  )

  const closing = new AbortController()
  const send = client.send.bind(client)
  client.send = (command: unknown, options: {abortSignal?: AbortSignal} = {}) => {
    const operation = ((command as object)?.constructor?.name ?? '').replace(/Command$/, '')
    const info = (): AwsCallInfo => ({
      service,
      operation,
      endpoint,
      region: session.region,
      resource: resourceOf((command as {input?: unknown})?.input),
    })
    if (closing.signal.aborted) return Promise.reject(annotate(new Error('The AWS client was closed.'), info()))
    const deadline = new AbortController()
    const signals = [deadline.signal, closing.signal, ...(options.abortSignal ? [options.abortSignal] : [])]
    // Rejects at the deadline even when the SDK is stuck outside the HTTP handler (e.g. resolving credentials).
    let timer: NodeJS.Timeout | undefined
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = Object.assign(new Error(`no answer within ${timeouts.requestMs} ms`), {name: 'TimeoutError'})
        reject(annotate(error, {...info(), timeoutMs: timeouts.requestMs}))
        deadline.abort(error)
      }, timeouts.requestMs)
    })
    const call = send(command, {...options, abortSignal: AbortSignal.any(signals)})
    return Promise.race([call, expired]).finally(() => clearTimeout(timer))
  }
  const destroy = client.destroy.bind(client)
  client.destroy = () => {
    closing.abort(new Error('The AWS client was closed.'))
    destroy()
  }
}

export function describeSession(session: AwsSession): string {
  const who = session.profile
    ? `profile ${session.profile}`
    : session.profileSource === 'environment'
      ? 'credentials from the environment'
      : 'the default credential chain'
  return `${who}, region ${session.region}`
}
