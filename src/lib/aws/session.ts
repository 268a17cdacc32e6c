/**
 * One factory for AWS SDK v3 clients. Callers import the client package lazily
 * (`await import('@aws-sdk/client-sts')`) so commands that need no AWS never load
 * the SDK. The SDK itself honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>,
 * SSO profiles and the shared config files.
 *
 * (About 420 lines: the precedence rules, which Stryker mutates as lines 1-189, and the
 * one client factory they feed belong together; splitting them would put the rules and
 * their only user in two files.)
 */
import {assertRegion} from '../config/region.ts'
import {type AwsCallInfo, NOT_AN_AWS_ANSWER, annotate} from './call.ts'
import {classifyAwsError} from './errors.ts'
import {DEFAULT_TIMEOUTS, type Timeouts, requestTimeouts} from '../timeouts.ts'

export interface AwsSession {
  region: string
  profile?: string
  /** Where the profile came from, for messages. */
  profileSource: 'flag' | 'AWS_PROFILE' | 'config' | 'environment' | 'default'
  /** Where the region came from (see resolveRegion). */
  regionSource?: RegionSource
  /** One line for stderr when a shell region variable disagrees and was not used. */
  regionNote?: string
}

export interface SessionInputs {
  /** --profile (an explicit flag wins over everything). */
  flagProfile?: string
  /** --region as typed on the command line (never a shell variable). */
  flagRegion?: string
  /** The selected environment's profile and region (from the config or the built-in defaults). */
  env?: {name?: string; profile: string; region: string}
  /** The config file's own top-level `region:`, only when it sets one. */
  configRegion?: string
  /** The region when nothing else names one (the built-in ap-southeast-3). */
  defaultRegion: string
  /** The process environment (AWS_ACCESS_KEY_ID, AWS_PROFILE, AWS_REGION, ...). */
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
 * Pure: which profile and region. Profile, with the AWS CLI's precedence:
 * --profile; then credentials in the environment (CI pipelines, the sandbox; see
 * hasEnvironmentCredentials); then AWS_PROFILE; then the environment's profile from
 * the config; else the default chain. Region: see resolveRegion.
 */
export function resolveSession(inputs: SessionInputs): AwsSession {
  const {
    region,
    source: regionSource,
    note,
  } = resolveRegion({
    flag: inputs.flagRegion,
    env: inputs.env,
    configRegion: inputs.configRegion,
    fallback: inputs.defaultRegion,
    vars: inputs.vars,
  })
  const where = {region, regionSource, ...(note ? {regionNote: note} : {})}
  const {vars} = inputs
  if (inputs.flagProfile) return {...where, profile: inputs.flagProfile, profileSource: 'flag'}
  if (hasEnvironmentCredentials(vars)) return {...where, profileSource: 'environment'}
  if (vars.AWS_PROFILE) return {...where, profile: vars.AWS_PROFILE, profileSource: 'AWS_PROFILE'}
  if (inputs.env) return {...where, profile: inputs.env.profile, profileSource: 'config'}
  return {...where, profileSource: 'default'}
}

export type RegionSource = 'flag' | 'environment' | 'config' | 'AWS_REGION' | 'AWS_DEFAULT_REGION' | 'default'

export interface RegionInputs {
  /** --region on the command line. */
  flag?: string
  /** The selected environment (-e, PIKSEL_ENV or defaultEnv): its region is always known. */
  env?: {name?: string; region: string}
  /** The config file's top-level `region:`, when it sets one. */
  configRegion?: string
  fallback: string
  vars: {AWS_REGION?: string; AWS_DEFAULT_REGION?: string}
}

export interface RegionChoice {
  region: string
  source: RegionSource
  /** Set when AWS_REGION / AWS_DEFAULT_REGION disagree with the region used and were ignored. */
  note?: string
}

const SHELL_REGION_VARS = ['AWS_REGION', 'AWS_DEFAULT_REGION'] as const

/**
 * Pure: the region every AWS call of the command goes to (README, "Which region").
 *
 * 1. `--region` on the command line;
 * 2. with an environment, the environment's region (config `environments.<env>.region`,
 *    else the config's `region:`, else ap-southeast-3): a region exported in the shell does
 *    not move a command aimed at an environment, it is only noted;
 * 3. without one, the config file's `region:` when it sets one (noted the same way);
 * 4. otherwise the AWS order: AWS_REGION, then AWS_DEFAULT_REGION;
 * 5. else `fallback` (ap-southeast-3).
 *
 * Whatever region is used must look like one (exit 2, `INVALID_REGION`, naming its source).
 */
export function resolveRegion(inputs: RegionInputs): RegionChoice {
  const shell = SHELL_REGION_VARS.map((name) => ({name, value: inputs.vars[name] || undefined})).filter(
    (v): v is {name: (typeof SHELL_REGION_VARS)[number]; value: string} => v.value !== undefined,
  )
  if (inputs.flag !== undefined) {
    assertRegion(inputs.flag, '--region')
    return {region: inputs.flag, source: 'flag'}
  }
  const pinned = inputs.env
    ? {region: inputs.env.region, source: 'environment' as const, from: `environment ${inputs.env.name ?? ''}`.trim()}
    : inputs.configRegion
      ? {region: inputs.configRegion, source: 'config' as const, from: 'the config file'}
      : undefined
  if (pinned) {
    const ignored = shell.filter((v) => v.value !== pinned.region)
    if (ignored.length === 0) return {region: pinned.region, source: pinned.source}
    const list = ignored.map((v) => `${v.name}=${v.value}`).join(' and ')
    const verb = ignored.length === 1 ? 'is' : 'are'
    return {
      region: pinned.region,
      source: pinned.source,
      note: `Using region ${pinned.region} (${pinned.from}); ${list} in the shell ${verb} ignored. Pass --region to use another.`,
    }
  }
  const first = shell[0]
  if (first) {
    assertRegion(first.value, first.name)
    return {region: first.value, source: first.name}
  }
  return {region: inputs.fallback, source: 'default'}
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
    add(
      middleware: unknown,
      options: {step: 'initialize' | 'build' | 'deserialize'; name: string; priority?: 'high' | 'low'},
    ): void
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

/**
 * What every answer of these operations holds (each service's API reference marks it
 * as always returned), as a dotted path into the SDK's output. An answer without it
 * is not AWS's (a proxy's empty `200 {}`): piksel must not read the absence as a fact
 * (no such cluster, a quota of 0, a secret that holds no value) nor a write as done.
 * The caller identity and the Spot role check their answers where they read them.
 */
export const REQUIRED_OUTPUT: Readonly<Record<string, string>> = {
  DescribeSecret: 'ARN',
  GetSecretValue: 'ARN',
  CreateSecret: 'ARN',
  PutSecretValue: 'VersionId',
  UpdateSecret: 'ARN',
  RestoreSecret: 'ARN',
  GetServiceQuota: 'Quota.Value',
  GetAWSDefaultServiceQuota: 'Quota.Value',
  RequestServiceQuotaIncrease: 'RequestedQuota',
  DescribeCluster: 'cluster.arn',
}

/**
 * The SDK clients whose protocol is XML (Query or REST-XML): their parser reads an HTML
 * page as an empty answer. (A JSON protocol fails to parse one, which is mapped already;
 * and moto labels its JSON answers text/html, so the content type says nothing there.)
 */
const XML_SERVICES = new Set(['STS', 'IAM', 'S3', 'Route53', 'CloudWatch', 'EC2'])

/** Pure: why an HTTP answer that the SDK parsed is not AWS's, or undefined when it may be. */
export function notAwsAnswer(
  service: string,
  operation: string,
  response: {statusCode?: number; headers?: Record<string, string | undefined>} | undefined,
  output: unknown,
  method?: string,
): string | undefined {
  const type = Object.entries(response?.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? ''
  // No AWS XML API answers text/html: such a page is a proxy's (a login, an error page).
  if (XML_SERVICES.has(service) && method !== 'HEAD' && /^\s*text\/html/i.test(type)) {
    return `an HTML page (${type.split(';')[0]})`
  }
  const required = REQUIRED_OUTPUT[operation]
  if (required) {
    let value: unknown = output
    for (const key of required.split('.')) value = (value as Record<string, unknown> | undefined)?.[key]
    if (value === undefined || value === null || value === '') return `an answer without ${required}`
  }
  return undefined
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

  // Calls whose request has been signed and is on its way (keyed by the command's input,
  // which the SDK hands through every step): a deadline before that was spent on credentials.
  const sent = new WeakSet<object>()
  // Per call, how its attempts ended: a deadline that ends the retries of a call AWS answered only
  // with throttling, while the SDK waits to try again, is throttling, not "no answer" (nothing was
  // done: a throttled request is not processed). An attempt in flight, or any other failure before
  // (a write's outcome may then be unknown), keeps it a timeout.
  const attempts = new WeakMap<object, {throttled?: unknown; other: boolean; inFlight: boolean}>()
  // An answer that is not AWS's (an HTML page, a proxy's `{}`) fails here, with the HTTP status.
  client.middlewareStack.add(
    (
      next: (args: {request?: unknown; input?: unknown}) => Promise<{response?: unknown; output?: unknown}>,
      context: {commandName?: string},
    ) =>
      async (args: {request?: unknown; input?: unknown}) => {
        const key = args.input && typeof args.input === 'object' ? args.input : undefined
        const state = key ? (attempts.get(key) ?? {other: false, inFlight: false}) : undefined
        if (key && state) {
          sent.add(key)
          state.inFlight = true
          attempts.set(key, state)
        }
        let result: {response?: unknown; output?: unknown}
        try {
          result = await next(args)
        } catch (error) {
          // Below the retry middleware: every attempt's error passes here.
          if (state) {
            state.inFlight = false
            if (classifyAwsError(error).kind === 'throttled') state.throttled = error
            else state.other = true
          }
          throw error
        }
        if (state) state.inFlight = false
        const response = result.response as {statusCode?: number; headers?: Record<string, string>} | undefined
        const method = (args.request as {method?: string} | undefined)?.method
        const operation = (context.commandName ?? '').replace(/Command$/, '')
        const why = notAwsAnswer(service, operation, response, result.output, method)
        if (why) {
          throw Object.assign(new Error(`${why} (HTTP ${response?.statusCode ?? '?'})`), {
            name: NOT_AN_AWS_ANSWER,
            $fault: 'client',
            $metadata: {httpStatusCode: response?.statusCode},
          })
        }
        return result
      },
    {step: 'deserialize', name: 'pikselAnswerCheck', priority: 'high'},
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
    const input = (command as {input?: unknown})?.input
    if (input && typeof input === 'object') {
      sent.delete(input)
      attempts.delete(input)
    }
    let timer: NodeJS.Timeout | undefined
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = Object.assign(new Error(`no answer within ${timeouts.requestMs} ms`), {name: 'TimeoutError'})
        const unsent = !(input && typeof input === 'object' && sent.has(input))
        const state = input && typeof input === 'object' ? attempts.get(input) : undefined
        // AWS did answer, each time "slow down", and the SDK was waiting to try again: say that.
        if (state?.throttled && !state.other && !state.inFlight) reject(annotate(state.throttled, info()))
        else reject(annotate(error, {...info(), timeoutMs: timeouts.requestMs, ...(unsent ? {unsent} : {})}))
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
