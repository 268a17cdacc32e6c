/**
 * What `piksel init` writes is validated with the config loader's own rules
 * (src/lib/config/schema.ts: environment name, account id, region, cluster
 * name, state bucket, ...), never a copy of them, so init cannot write a config
 * that every later command rejects. Each problem names the flag that set the value.
 */
import type {Environment} from '../config/environment.ts'
import {UsageError} from '../errors.ts'
import {environmentName, environmentSchema} from '../config/schema.ts'

/** The values init writes for one environment. */
export interface InitValues {
  env: string
  account?: string
  profile: string
  region: string
  cluster: string
  stateBucket: string
  gitops: {owner: string; repository: string; branch: string}
}

/** The config key (path in the environment) to the flag that gives it. */
const FLAGS: Record<string, string> = {
  account: '--account',
  profile: '--profile',
  region: '--region',
  cluster: '--cluster',
  'terraform.stateBucket': '--state-bucket',
  'gitops.owner': '--gitops-owner',
  'gitops.repository': '--gitops-repository',
  'gitops.branch': '--gitops-branch',
}

export type InitField = 'env' | keyof typeof FLAGS

/** Pure: the problem with one value (the loader's message), or undefined. For prompts' validate. */
export function fieldProblem(field: InitField, value: string): string | undefined {
  if (field === 'env') {
    const result = environmentName.safeParse(value)
    return result.success ? undefined : result.error.issues[0]?.message
  }
  const raw: Record<string, unknown> = {}
  const [head, tail] = field.split('.') as [string, string | undefined]
  if (tail) raw[head] = {[tail]: value}
  else raw[head] = value
  const result = environmentSchema.safeParse(raw)
  return result.success ? undefined : result.error.issues[0]?.message
}

/** Throws a usage error (exit 2) unless `name` is an environment name the config loader accepts. */
export function assertEnvName(name: string): void {
  const problem = fieldProblem('env', name)
  if (problem) throw new UsageError(`-e ${name}: ${problem}.`, {code: 'BAD_ENV_NAME', hint: 'e.g. -e staging'})
}

/** Throws a usage error (exit 2) naming each flag whose value the config loader would reject. */
export function validateInitValues(values: InitValues): void {
  assertEnvName(values.env)
  const raw = {
    ...(values.account ? {account: values.account} : {}),
    profile: values.profile,
    region: values.region,
    cluster: values.cluster,
    terraform: {stateBucket: values.stateBucket},
    gitops: {...values.gitops},
  }
  const result = environmentSchema.safeParse(raw)
  if (result.success) return
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.map(String).join('.')
    const value = issue.path.reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k as string], raw)
    return `${FLAGS[key] ?? key} ${JSON.stringify(value)}: ${issue.message}`
  })
  throw new UsageError(`${problems.join('; ')}. Nothing was written.`, {
    code: 'INVALID_VALUE',
    hint: 'These are the rules piksel.config.yaml is loaded with; see the README section "Configuration".',
  })
}

/**
 * init never changes an existing config file, so it may write the rest only when that file
 * already says what the rest is written for: the environment must be defined there (otherwise
 * `piksel bootstrap -e <env>`, the Next: line, fails with UNKNOWN_ENV), and no flag may contradict
 * it (an --account it does not hold would leave the account guard off; a --region it does not hold
 * would go into backend.tf and the bootstrap root only). Throws a usage error (exit 2) before
 * anything is written. Pure.
 */
export function assertConfigHolds(o: {
  /** The existing config file. */
  file: string
  env: string
  /** The environment as the file defines it (undefined: it does not). */
  defined: Environment | undefined
  /** Every environment the file defines. */
  known: readonly string[]
  /** The values typed as flags (flag name with --, to value); undefined: not given. */
  given: Readonly<Record<string, string | undefined>>
}): void {
  const {file, env, defined} = o
  if (!defined) {
    throw new UsageError(
      `${file} exists and does not define environment ${env} (known: ${o.known.join(', ') || 'none'}); init never changes an existing file. Nothing was written.`,
      {
        code: 'CONFIG_LACKS_ENV',
        hint: `Add "${env}:" under "environments:" in ${file} (with its account, profile, region, cluster as you want them), then run init again; or pass --config with a new file for ${env}.`,
      },
    )
  }
  const has: Record<string, string | undefined> = {
    '--account': defined.account,
    '--profile': defined.profile,
    '--region': defined.region,
    '--cluster': defined.cluster,
    '--state-bucket': defined.terraform.stateBucket,
    '--gitops-owner': defined.gitops.owner,
    '--gitops-repository': defined.gitops.repository,
    '--gitops-branch': defined.gitops.branch,
  }
  const conflicts = Object.entries(o.given)
    .filter(([flag, value]) => value !== undefined && flag in has && has[flag] !== value)
    .map(([flag, value]) => {
      const theirs = has[flag]
      return `${flag} ${JSON.stringify(value)} (the config has ${theirs === undefined ? 'none' : JSON.stringify(theirs)})`
    })
  if (conflicts.length === 0) return
  throw new UsageError(
    `${file} already sets environment ${env} otherwise: ${conflicts.join('; ')}. init never changes an existing file. Nothing was written.`,
    {
      code: 'CONFIG_CONFLICT',
      hint: `Edit environments.${env} in ${file} to say so, or leave those flags out to use what it says; then run init again.`,
    },
  )
}
