/**
 * Runs a child process (terraform, flux, aws) with its output streamed line by
 * line. The child runs in its own process group: a terminal Ctrl-C, a CI
 * runner's SIGTERM or a SIGHUP reaches only piksel, which forwards exactly one
 * SIGINT and keeps reading the child's output until it exits (signals.ts has the
 * policy; a second SIGINT makes Terraform stop hard and can leave its state lock).
 * Secrets go to the child only through `env`, never through `args`.
 */
import {InterruptedError, UsageError} from '../errors.ts'
import {CHILD_STOP_SIGNAL, describeSignal, stopSignalOf, trackChild} from './signals.ts'

export type OutputStream = 'stdout' | 'stderr'

/**
 * piksel's one environment policy for children. A child inherits piksel's
 * environment minus every credential it does not need:
 * - GitHub tokens (GITHUB_TOKEN, GH_TOKEN, ...): never inherited; the one child that
 *   needs one (flux bootstrap) is given it through `extra`.
 * - AWS credentials: only children that call AWS (`aws: true`: terraform, the aws CLI,
 *   flux through the kubeconfig's `aws eks get-token` exec plugin).
 * - Terraform's inputs (TF_VAR_*, TF_TOKEN_*) and any other variable whose name says
 *   it is a credential (…_TOKEN, …_SECRET, …_PASSWORD, …_API_KEY, …): only Terraform
 *   (`terraform: true`), whose providers read their own credentials from the environment.
 * Everything else (PATH, HOME, proxies, AWS_PROFILE, AWS_REGION, KUBECONFIG, ...) is passed.
 * Version probes need nothing secret: the default (`{}`) gives them none.
 */
export interface ChildNeeds {
  aws?: boolean
  terraform?: boolean
}

export const GITHUB_TOKEN_ENV = ['GITHUB_TOKEN', 'GH_TOKEN', 'GH_ENTERPRISE_TOKEN', 'GITHUB_ENTERPRISE_TOKEN'] as const
/** Kept for compatibility: the GitHub tokens no child inherits. */
export const SECRET_ENV = GITHUB_TOKEN_ENV

/** What the SDKs and the aws CLI read as credentials (values, or where to fetch them). */
export const AWS_CREDENTIAL_ENV = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
] as const

/**
 * A name that says it holds a credential: FOO_TOKEN, API_KEY, DB_PASSWORD, CLIENT_SECRET, ...;
 * also at the end of a name without `_` (PGPASSWORD, PostgreSQL's own), and a `_PAT` or `_PWD`
 * suffix (GITHUB_PAT, MYSQL_PWD; not PWD, the working directory).
 */
const LOOKS_SECRET =
  /(^|_)(TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?)(_|$)|(TOKEN|SECRET|PASSWORD|PASSWD)$|_(PAT|PWD)$/i

export type EnvClass = 'github' | 'aws' | 'terraform' | 'secret' | 'plain'

/** Pure: which kind of variable a name is, for the policy above. */
export function classifyEnv(name: string): EnvClass {
  const upper = name.toUpperCase()
  if ((GITHUB_TOKEN_ENV as readonly string[]).includes(upper)) return 'github'
  if ((AWS_CREDENTIAL_ENV as readonly string[]).includes(upper)) return 'aws'
  // The rest of AWS_* is configuration (AWS_PROFILE, AWS_REGION, AWS_SHARED_CREDENTIALS_FILE, endpoints).
  if (upper.startsWith('AWS_')) return 'plain'
  if (/^TF_(VAR|TOKEN)_/.test(upper)) return 'terraform'
  if (LOOKS_SECRET.test(name)) return 'secret'
  return 'plain'
}

/** Pure: the child's environment: ours as the policy allows for `needs`, plus `extra`. */
export function childEnv(
  parent: NodeJS.ProcessEnv,
  extra: Record<string, string> = {},
  needs: ChildNeeds = {},
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {}
  for (const [name, value] of Object.entries(parent)) {
    const kind = classifyEnv(name)
    const allowed =
      kind === 'plain' ||
      (kind === 'aws' && Boolean(needs.aws)) ||
      ((kind === 'terraform' || kind === 'secret') && Boolean(needs.terraform))
    if (allowed) env[name] = value
  }
  return {...env, ...extra}
}

/**
 * Drops the GitHub tokens from an environment in place, but those in `keep` (the
 * base command does it at start; bootstrap keeps GITHUB_TOKEN, which it takes for
 * flux), so no child started by any library inherits them.
 */
export function withoutGitHubTokens(env: NodeJS.ProcessEnv, keep: readonly string[] = []): void {
  for (const name of Object.keys(env)) {
    if (classifyEnv(name) === 'github' && !keep.includes(name)) delete env[name]
  }
}

/** Terraform's credentials, taken out of piksel's own environment by `withholdTerraformCredentials`. */
const withheld: Record<string, string> = {}

/**
 * Moves Terraform's inputs and every other credential-named variable (TF_VAR_*, …_TOKEN,
 * PGPASSWORD, ...) out of `env` in place (the base command does it at start): a child that
 * a library starts from piksel's environment (the Kubernetes client's exec plugin,
 * `aws eks get-token`) then cannot inherit them. piksel itself never reads them; runStreaming
 * still hands them to the child that needs them (`needs.terraform`). AWS credentials stay:
 * the SDK and the exec plugin use them.
 */
export function withholdTerraformCredentials(env: NodeJS.ProcessEnv): void {
  for (const [name, value] of Object.entries(env)) {
    const kind = classifyEnv(name)
    if ((kind === 'terraform' || kind === 'secret') && value !== undefined) {
      withheld[name] = value
      delete env[name]
    }
  }
}

export interface RunOptions {
  cwd?: string
  /** Added to the inherited environment (which never carries GITHUB_TOKEN). */
  env?: Record<string, string>
  /** Which credentials the child may inherit (see ChildNeeds); default none. */
  needs?: ChildNeeds
  /** Kill the child (its whole process group) after this long; the outcome says timedOut. */
  timeoutMs?: number
  onLine?: (line: string, stream: OutputStream) => void
  /** Stream stdout lines to onLine (default true); false keeps it for the result only. */
  streamStdout?: boolean
  signal?: AbortSignal
  /** What to say when the child is interrupted. */
  interruptedMessage?: string
  /** What the child is doing, for the stop messages (default: the file name). */
  name?: string
}

export interface RunOutcome {
  exitCode: number
  stdout: string
  /** stderr as text (also in `lines`). */
  stderr: string
  /** Killed after `timeoutMs`. */
  timedOut: boolean
  /** Every line seen (stdout when streamed, and stderr). */
  lines: string[]
}

export async function runStreaming(file: string, args: string[], options: RunOptions = {}): Promise<RunOutcome> {
  const {signal, onLine} = options
  if (signal?.aborted) throw new InterruptedError()
  const {execa} = await import('execa')
  const child = execa(file, args, {
    cwd: options.cwd,
    env: childEnv({...withheld, ...process.env}, options.env, options.needs),
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
    detached: true,
    cleanup: false,
    forceKillAfterDelay: false,
    maxBuffer: 512 * 1024 * 1024,
  })
  const childName = options.name ?? file
  const untrack = trackChild(child.pid, childName)
  const lines: string[] = []
  let stderr = ''
  for (const name of ['stdout', 'stderr'] as const) {
    const source = child[name]
    if (!source || (name === 'stdout' && options.streamStdout === false)) continue
    let rest = ''
    source.setEncoding('utf8')
    source.on('data', (chunk: string) => {
      if (name === 'stderr') stderr += chunk
      const parts = (rest + chunk).split(/\r?\n/)
      rest = parts.pop() ?? ''
      for (const line of parts) {
        lines.push(line)
        onLine?.(line, name)
      }
    })
    source.on('end', () => {
      if (rest) {
        lines.push(rest)
        onLine?.(rest, name)
      }
    })
  }
  let interrupted = false
  const forward = () => {
    if (interrupted) return
    interrupted = true
    const received = describeSignal(stopSignalOf(signal?.reason))
    onLine?.(`piksel: ${received}: sent ${CHILD_STOP_SIGNAL} to ${childName}, waiting for it to exit…`, 'stderr')
    child.kill(CHILD_STOP_SIGNAL)
  }
  signal?.addEventListener('abort', forward, {once: true})
  let timedOut = false
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true
          killGroup(child)
        }, options.timeoutMs)
  try {
    const result = await child
    if ((result as {code?: string}).code === 'ENOENT') {
      throw new UsageError(`${file} is not on PATH.`, {
        code: 'TOOL_MISSING',
        hint: '`piksel doctor` checks the tools and says where to get them.',
      })
    }
    if (interrupted || signal?.aborted) {
      throw new InterruptedError(options.interruptedMessage ?? `Interrupted: ${file} stopped.`)
    }
    return {exitCode: result.exitCode ?? 1, stdout: String(result.stdout ?? ''), stderr, timedOut, lines}
  } finally {
    clearTimeout(timer)
    untrack()
    signal?.removeEventListener('abort', forward)
  }
}

/** The child runs in its own process group: kill the group, so a script's own children go too. */
function killGroup(child: {pid?: number; kill: (signal: NodeJS.Signals) => boolean}): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
  } catch {
    child.kill('SIGKILL')
  }
}

/** The last non-empty lines of a child's output, for a failure message. Pure. */
export function tail(lines: readonly string[], count = 3): string {
  return lines
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(-count)
    .join(' | ')
}
