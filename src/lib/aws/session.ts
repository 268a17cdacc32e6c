/**
 * One factory for AWS SDK v3 clients. Callers import the client package lazily
 * (`await import('@aws-sdk/client-sts')`) so commands that need no AWS never load
 * the SDK. The SDK itself honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>,
 * SSO profiles and the shared config files.
 */
import {assertRegion} from '../config/region.ts'

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
 * Pure: which profile and region. Profile, with the AWS CLI's precedence:
 * --profile; then credentials in the environment (CI pipelines, the sandbox);
 * then AWS_PROFILE; then the environment's profile from the config; else the
 * default chain. Region: see resolveRegion.
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
  if (vars.AWS_ACCESS_KEY_ID || vars.AWS_WEB_IDENTITY_TOKEN_FILE || vars.AWS_CONTAINER_CREDENTIALS_FULL_URI) {
    return {...where, profileSource: 'environment'}
  }
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
