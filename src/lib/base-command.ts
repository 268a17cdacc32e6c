/**
 * The one base command: global flags, config, the prompt gate, error rendering,
 * --json and Ctrl-C, exactly as DESIGN.md §2 describes them. Commands extend it,
 * parse nothing themselves, call one service and render its result. (About 610
 * lines: it is the one place of that contract; the vocabulary it uses lives
 * beside it: flags.ts, duration.ts, errors.ts, prompt.ts, process/signals.ts.)
 */
// Subpaths, not the package index: the index also loads semver, help, ux and more (see `npm run bench`).
import {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import type * as Interfaces from '@oclif/core/interfaces'

import type {CallerIdentity, CallerLookup} from './aws/identity.ts'
import {describeAwsError, isAwsError} from './aws/errors.ts'
import {type AwsSession, hasEnvironmentCredentials, resolveSession} from './aws/session.ts'
import type {Environment, PikselSettings} from './config/environment.ts'
import {getEnvironment, knownEnvironments, loadSettings} from './config/load.ts'
import {
  type EnvironmentRow,
  type EnvironmentsDocument,
  allEnvironmentNames,
  allEnvironmentsExitCode,
  assertAllEnvsFlags,
  environmentsDocument,
  environmentsTable,
  rowExitCodes,
  sessionKey,
  verdictLines,
  withoutShellTarget,
} from './environments/fan-out.ts'
import {type EnvironmentTarget, allEnvsHint} from './environments/hints.ts'
import {assertRegion} from './config/region.ts'
import {
  type ExitCodeValue,
  type PikselError,
  UsageError,
  bugHint,
  redact,
  redactedJson,
  toPikselError,
} from './errors.ts'
import {withholdTerraformCredentials, withoutGitHubTokens} from './process/run.ts'
import {
  STOP_SIGNALS,
  type StopSignal,
  StopRequest,
  describeSignal,
  repeatedSignalAction,
  runningChildren,
  signalExitCode,
} from './process/signals.ts'
import {Prompter, canPrompt} from './prompt.ts'
import {durationFlag, unwrapFlagError} from './flags.ts'
import {REQUEST_TIMEOUT_BOUNDS, setRequestTimeouts, timeoutsFor} from './timeouts.ts'
import {renderTable} from './ui/table.ts'

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

/**
 * `--all-envs` (issue 15 §3): a command that can run over every environment declares it
 * in its own `flags` and runs through `forEachEnvironment` (README, "Every environment at once").
 */
export const allEnvsFlag = Flags.boolean({
  summary:
    'Run for every environment of the config, concurrently, each with its own profile, region, account guard and kube context.',
})

export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    env: Flags.string({
      char: 'e',
      summary: 'Environment to work on (dev, staging, production, or one from the config file).',
      env: 'PIKSEL_ENV',
      helpGroup: 'GLOBAL',
    }),
    profile: Flags.string({
      summary: 'AWS profile (default: AWS_PROFILE, then the environment’s profile).',
      helpGroup: 'GLOBAL',
    }),
    // No `env:` here: AWS_REGION must not pass for a region typed on the command line
    // (with -e, the environment's region beats the shell's; see resolveRegion).
    region: Flags.string({
      summary: 'AWS region (default: the environment’s; without -e, AWS_REGION, then ap-southeast-3).',
      helpGroup: 'GLOBAL',
    }),
    config: Flags.string({
      summary: 'Path to piksel.config.yaml (default: search the current directory and its parents).',
      env: 'PIKSEL_CONFIG',
      helpGroup: 'GLOBAL',
    }),
    yes: Flags.boolean({char: 'y', summary: 'Answer yes to every confirmation.', helpGroup: 'GLOBAL'}),
    'no-input': Flags.boolean({
      summary: 'Never prompt; fail naming the flag instead (implied without a TTY or under CI).',
      helpGroup: 'GLOBAL',
    }),
    verbose: Flags.boolean({summary: 'Show more detail, including error causes.', helpGroup: 'GLOBAL'}),
    'request-timeout': durationFlag({
      summary:
        'How long one AWS or Kubernetes call may take, retries included (default 20s; connect: a quarter of it).',
      env: 'PIKSEL_REQUEST_TIMEOUT',
      helpGroup: 'GLOBAL',
      ...REQUEST_TIMEOUT_BOUNDS,
    }),
  }

  /** Commands that report a broken config themselves (doctor) set this. */
  protected static lenientConfig = false
  /**
   * Every command drops the GitHub tokens (GITHUB_TOKEN, GH_TOKEN, ...) from its own
   * environment at start, so no child (tools, kubeconfig exec plugins) can inherit them
   * by any path. A command that hands GITHUB_TOKEN to a child (bootstrap, for flux)
   * sets this to keep that one; it must take it out of the environment itself.
   */
  protected static keepsGitHubToken = false
  /** A command's own flags that aim at one environment's target (status's --context): refused with --all-envs. */
  protected static allEnvsExclusive: readonly string[] = []

  protected flags!: CommandFlags<T>
  protected args!: CommandArgs<T>
  protected settings!: PikselSettings
  /** The config error, when `lenientConfig` let the command start anyway. */
  protected configError?: PikselError
  protected prompter!: Prompter
  /** Aborted on Ctrl-C, SIGTERM or SIGHUP (its reason a StopRequest); services that run children or wait take it. */
  protected readonly abort = new AbortController()
  /** Values that must never be printed: every message is redacted against them. */
  private readonly sensitive = new Set<string>()
  private readonly interruptCleanups: Array<() => Promise<void>> = []
  /** Said on stderr and added to the JSON document as `warnings`. */
  private readonly warnings: string[] = []
  /** sts:GetCallerIdentity, asked once per session (profile and region): one per environment under --all-envs. */
  private readonly identities = new Map<string, Promise<CallerIdentity>>()
  private readonly regionNotes = new Set<string>()
  /** Under --all-envs: every environment of the config, in its order (checked in init). */
  private allEnvironments?: string[]
  /** Shown with "Interrupted." on Ctrl-C, e.g. the command that resumes (set by a cleanup). */
  protected interruptHint?: string
  /** The stop signals received so far (signals.ts has the policy). */
  private readonly stopSignals: StopSignal[] = []

  override async init(): Promise<void> {
    await super.init()
    for (const signal of STOP_SIGNALS) process.on(signal, () => this.onStopSignal(signal))
    const ctor = this.ctor as unknown as typeof BaseCommand & T
    const {flags, args, raw} = await this.parse({
      flags: ctor.flags,
      baseFlags: ctor.baseFlags,
      enableJsonFlag: ctor.enableJsonFlag,
      args: ctor.args,
      strict: ctor.strict,
    }).catch((error: unknown) => {
      throw unwrapFlagError(error)
    })
    this.flags = flags as CommandFlags<T>
    this.args = args as CommandArgs<T>
    withoutGitHubTokens(
      process.env,
      (this.ctor as unknown as typeof BaseCommand).keepsGitHubToken ? ['GITHUB_TOKEN'] : [],
    )
    // TF_VAR_* and other credentials: out of reach of children that libraries start; Terraform gets them.
    withholdTerraformCredentials(process.env)
    // Credentials in the environment beat AWS_PROFILE (the AWS CLI's order, README "Which credentials"); the
    // SDK's default chain would take the profile instead, so it is dropped unless --profile names one.
    if (this.flags.profile === undefined && hasEnvironmentCredentials(process.env)) delete process.env.AWS_PROFILE
    // Checked on every command, before any call (the same rule as the config's region).
    if (this.flags.region !== undefined) assertRegion(this.flags.region, '--region')
    const requestTimeout = this.flags['request-timeout']
    if (requestTimeout !== undefined) setRequestTimeouts(timeoutsFor(requestTimeout))
    this.prompter = new Prompter(
      canPrompt({
        noInput: this.flags['no-input'],
        stdinIsTTY: process.stdin.isTTY,
        stdoutIsTTY: process.stdout.isTTY,
      }),
      // A stop signal ends an open prompt (SIGTERM and SIGHUP never reach it as Ctrl-C does).
      this.abort.signal,
    )
    const search = {explicit: this.flags.config, cwd: process.cwd(), userConfigDir: this.config.configDir}
    const ctorStatics = this.ctor as unknown as typeof BaseCommand
    const typed = new Set(raw.flatMap((token) => (token.type === 'flag' ? [token.flag] : [])))
    if (this.allEnvs) assertAllEnvsFlags({typed, alsoExclusive: ctorStatics.allEnvsExclusive})
    try {
      this.settings = await loadSettings(search)
    } catch (error) {
      // Without a valid config there is no list of environments to run over.
      if (!ctorStatics.lenientConfig || this.allEnvs) throw error
      this.configError = toPikselError(error)
      const {resolveSettings} = await import('./config/environment.ts')
      this.settings = resolveSettings()
    }
    if (this.allEnvs) {
      this.allEnvironments = allEnvironmentNames(this.settings)
      // Environments run side by side: no prompt may stop one (README, "Every environment at once").
      this.prompter = new Prompter(false, this.abort.signal)
    }
  }

  /** Whether the command runs for every environment (`--all-envs`, when it declares the flag). */
  protected get allEnvs(): boolean {
    return (this.flags as {'all-envs'?: boolean} | undefined)?.['all-envs'] === true
  }

  /** The environment named by -e / PIKSEL_ENV / defaultEnv, or undefined. */
  protected optionalEnvironment(): Environment | undefined {
    const name = this.flags.env ?? this.settings.defaultEnv
    return name === undefined ? undefined : getEnvironment(this.settings, name)
  }

  /** The environment the command needs: from the flags, else asked for, else an error naming -e. */
  protected async requireEnvironment(): Promise<Environment> {
    const env = this.optionalEnvironment()
    if (env) return env
    const names = knownEnvironments(this.settings)
    const name = await this.prompter.select({
      message: 'Which environment?',
      flag: `-e <${names.join('|')}>`,
      choices: names.map((value) => ({value})),
    })
    return getEnvironment(this.settings, name)
  }

  /**
   * Where AWS calls go: region and profile by the precedence in the README. A shell
   * region variable that disagrees with the environment's region is noted once.
   */
  protected awsSession(env?: Environment): AwsSession {
    const session = resolveSession({
      flagProfile: this.flags.profile,
      flagRegion: this.flags.region,
      env,
      configRegion: this.settings.configuredRegion,
      defaultRegion: this.settings.region,
      vars: process.env,
    })
    this.noteRegion(session)
    return session
  }

  private noteRegion(session: AwsSession): void {
    if (!session.regionNote || this.regionNotes.has(session.regionNote)) return
    this.regionNotes.add(session.regionNote)
    this.warn(session.regionNote)
  }

  /**
   * One environment's scope for a single-environment run, so a command's collector is the
   * same code with and without --all-envs (the account guard stays the command's to call).
   */
  protected environmentScope(
    env: Environment,
    session: AwsSession = this.awsSession(env),
    prefix = '',
  ): EnvironmentScope {
    return {
      env,
      session,
      caller: () => this.callerIdentity(session),
      warn: (message) => this.warn(`${prefix}${message}`),
      signal: this.abort.signal,
      hint: this.allEnvs ? (error) => allEnvsHint(error, this.allEnvsTarget(env, session)) : (error) => error.hint,
    }
  }

  /** What an --all-envs hint may point at for this environment (environments/hints.ts). */
  private allEnvsTarget(env: Environment, session?: AwsSession): EnvironmentTarget {
    return {
      name: env.name,
      file: this.settings.file ?? 'piksel.config.yaml',
      profile: session ? session.profile : env.profile,
      account: env.account,
      region: session?.region ?? env.region,
      cluster: env.cluster,
    }
  }

  /**
   * `--all-envs`, the rest of the recipe: sets the exit code (the worst of the environments,
   * see allEnvironmentsExitCode), prints one table with an ENV column (`shared` rows, made
   * once for all environments, first as `(all)`) and a verdict line per environment, and
   * returns the `--json` document `{environments: [{env, result} | {env, error}]}`.
   */
  protected reportEnvironments<R>(rows: Array<EnvironmentRow<R>>, view: EnvironmentsView<R>): EnvironmentsDocument<R> {
    this.setExitCode(allEnvironmentsExitCode(rowExitCodes(rows, view.exitCode)))
    const table = environmentsTable(view.headers, rows, view.rows, view.shared)
    this.print(renderTable(table.headers, table.rows))
    this.print(`\n${verdictLines(rows, view.verdict).join('\n')}`)
    return environmentsDocument(rows)
  }

  /** The caller (sts:GetCallerIdentity), asked once per session (profile, region) whoever needs it. */
  protected callerIdentity(session: AwsSession): Promise<CallerIdentity> {
    const key = sessionKey(session)
    let identity = this.identities.get(key)
    if (!identity) {
      identity = import('./aws/identity.ts').then(({getCallerIdentity}) => getCallerIdentity(session))
      this.identities.set(key, identity)
    }
    return identity
  }

  /**
   * `--all-envs`: runs `collect` for every environment of the config, concurrently, and
   * returns one row per environment in the config's order: its result, or its error as the
   * base command's `catch` would describe it (stable code, redacted message, hint; BUG for
   * the unanticipated). One environment failing never stops or hides the others.
   *
   * Each environment gets its own scope: its session (its profile and region, by the rules
   * of `-e <env>`, except that AWS_PROFILE from the shell is ignored: it would send every
   * environment to one account; a shell region is ignored too, said once (withoutShellTarget);
   * credentials in the environment still apply to all, as in CI), its caller (asked once per session), and, unless `guard: false` (doctor reports a
   * mismatch as a check), the account guard first: a mismatch is that environment's
   * ACCOUNT_MISMATCH row. The kube context is the collector's to take from `scope.env`
   * (its cluster), never the current one. Nothing may prompt (init made the prompter
   * non-interactive), and nothing per environment may be put into `process.env`: the
   * environments share it.
   */
  protected async forEachEnvironment<R>(
    collect: (scope: EnvironmentScope) => Promise<R>,
    options: {guard?: boolean} = {},
  ): Promise<Array<EnvironmentRow<R>>> {
    const names = this.allEnvironments
    if (names === undefined) throw new Error('forEachEnvironment needs --all-envs (checked in init)')
    const environments = names.map((name) => getEnvironment(this.settings, name))
    const {vars, warnings} = withoutShellTarget(process.env, environments)
    for (const warning of warnings) this.warn(warning)
    return Promise.all(
      environments.map(async (env): Promise<EnvironmentRow<R>> => {
        const {name} = env
        let session: AwsSession | undefined
        try {
          session = resolveSession({
            env,
            configRegion: this.settings.configuredRegion,
            defaultRegion: this.settings.region,
            vars,
          })
          this.noteRegion(session)
          const scoped = session
          if (options.guard !== false) await this.guardAccount(env, scoped)
          return {env: name, result: await collect(this.environmentScope(env, scoped, `${name}: `))}
        } catch (error) {
          const {exitCode, code, message, hint} = this.describeError(error, session)
          // A hint naming --profile, --context, ... (which --all-envs refuses) points at the config instead.
          const own = allEnvsHint({code, hint}, this.allEnvsTarget(env, session))
          return {env: name, error: {code, message, hint: own}, exitCode}
        }
      }),
    )
  }

  /**
   * The account guard, for every command aimed at an environment, reads included:
   * when the environment has a configured account, the caller must be it (exit 2,
   * ACCOUNT_MISMATCH) before anything is read or written. Returns the identity it
   * checked (hand it to the service so it does not ask again), or undefined when
   * the environment has no account (the guard is off).
   */
  protected async guardAccount(env: Environment | undefined, session: AwsSession): Promise<CallerIdentity | undefined> {
    if (env?.account === undefined) return undefined
    const [identity, {assertAccount}] = await Promise.all([this.callerIdentity(session), import('./aws/identity.ts')])
    assertAccount(env, identity, session)
    return identity
  }

  /**
   * The one way to warn: `Warning: <message>` on stderr, and the message in the JSON
   * document's `warnings` (oclif's own warnings, e.g. a deprecated flag, come here too).
   */
  override warn(input: string | Error): string | Error {
    const message = typeof input === 'string' ? input : input.message
    this.warnings.push(message)
    this.note(`Warning: ${message}`)
    return input
  }

  /** A warning something else has shown already (bootstrap's task list): only into the JSON document's `warnings`. */
  protected warned(message: string): void {
    this.warnings.push(message)
  }

  /** Registers a value that must never appear in any output. */
  protected markSensitive(value: string | undefined): void {
    if (value) this.sensitive.add(value)
  }

  /** Runs on a stop signal before the process exits with 130/143/129 (e.g. wait for Terraform to release its lock). */
  protected onInterruptCleanup(cleanup: () => Promise<void>): void {
    this.interruptCleanups.push(cleanup)
  }

  /** A line for people on stdout; silent under --json. */
  protected print(message = ''): void {
    if (!this.jsonEnabled()) process.stdout.write(`${redact(message, this.sensitive)}\n`)
  }

  /** Progress and logs: always stderr, so stdout stays one JSON document. */
  protected note(message: string): void {
    process.stderr.write(`${redact(message, this.sensitive)}\n`)
  }

  /** What the live line shows (a terminal), or the key of the last line printed (elsewhere). */
  private liveLine?: {onTerminal: boolean; key: string}

  /**
   * A live progress line on stderr: on a terminal it replaces the one before (carriage
   * return, erase line); elsewhere it is printed as a line when its `key` (default: the
   * line) changed, so a log gets a line per change, not per tick. `progress()` alone ends
   * it (a terminal's line is erased).
   */
  protected progress(line?: string, key: string = line ?? ''): void {
    const onTerminal = Boolean(process.stderr.isTTY)
    if (line === undefined) {
      if (this.liveLine?.onTerminal) process.stderr.write(ERASE_LINE)
      this.liveLine = undefined
      return
    }
    if (onTerminal) process.stderr.write(`${ERASE_LINE}${redact(line, this.sensitive)}`)
    else if (this.liveLine?.key !== key) this.note(line)
    this.liveLine = {onTerminal, key}
  }

  /**
   * A view that replaces the whole screen on a terminal (stdout; `--watch`), or, elsewhere,
   * a line when `key` changed. Silent under --json.
   */
  protected redraw(view: string, line: string, key: string): void {
    if (this.jsonEnabled()) return
    if (process.stdout.isTTY) process.stdout.write(`${CLEAR_SCREEN}${redact(view, this.sensitive)}\n`)
    else if (this.lastView !== key) this.print(line)
    this.lastView = key
  }

  private lastView?: string

  protected setExitCode(code: ExitCodeValue): void {
    process.exitCode = code
  }

  protected get verbose(): boolean {
    return Boolean(this.flags?.verbose || process.env.DEBUG)
  }

  /**
   * Adds the command's warnings to an object result, before any the result carries
   * itself (a service's warnings the command said with warn() are listed once).
   */
  protected override toSuccessJson(result: unknown): unknown {
    if (this.warnings.length === 0 || result === null || typeof result !== 'object' || Array.isArray(result)) {
      return result
    }
    const own = (result as {warnings?: unknown}).warnings
    const more = Array.isArray(own) ? own.filter((w) => !this.warnings.includes(w)) : []
    return {...result, warnings: [...this.warnings, ...more]}
  }

  override logJson(json: unknown): void {
    process.stdout.write(`${redactedJson(json, this.sensitive)}\n`)
  }

  /** The single place errors are rendered. */
  override async catch(err: Interfaces.CommandError): Promise<void> {
    // After a stop signal the interrupt handler owns the ending (cleanups, then exit 130/143/129).
    if (this.abort.signal.aborted) await this.afterInterrupt()
    const {exitCode, code, message, hint, cause} = this.describeError(err)
    process.exitCode = exitCode
    if (this.jsonEnabled()) {
      this.logJson({error: {code, message, hint}})
    } else {
      const lines = [`Error: ${message}`]
      if (hint) lines.push(`Hint: ${hint}`)
      process.stderr.write(`${lines.join('\n')}\n`)
    }
    if (this.verbose) process.stderr.write(`${redact(String(cause.stack ?? cause), this.sensitive)}\n`)
  }

  /**
   * The one description of an error (the catch above, and each row of --all-envs): an SDK
   * error a service let through is still mapped by kind, with `session`'s profile and region
   * in its hint; anything unmapped is BUG. Message and hint are redacted.
   */
  private describeError(
    err: unknown,
    session: AwsSession = this.sessionForErrors(),
  ): {exitCode: ExitCodeValue; code: string; message: string; hint: string | null; cause: Error} {
    const error = isAwsError(err) ? describeAwsError(err, session) : toPikselError(err)
    const rawHint = error.code === 'BUG' ? bugHint(this.bugsUrl()) : error.hint
    return {
      exitCode: error.exitCode,
      code: error.code,
      message: redact(error.message, this.sensitive),
      hint: rawHint === undefined ? null : redact(rawHint, this.sensitive),
      cause: (error.cause ?? error) as Error,
    }
  }

  /** The session for an error's hint (profile, region); the flags alone when the config did not load. */
  private sessionForErrors(): AwsSession {
    try {
      return this.awsSession(this.optionalEnvironment())
    } catch {
      return {region: this.flags?.region ?? 'ap-southeast-3', profile: this.flags?.profile, profileSource: 'default'}
    }
  }

  /** package.json's `bugs` URL, where a BUG is reported (when the package names one). */
  private bugsUrl(): string | undefined {
    const bugs = (this.config?.pjson as {bugs?: string | {url?: string}} | undefined)?.bugs
    return typeof bugs === 'string' ? bugs : bugs?.url
  }

  /** After Ctrl-C: never returns; the interrupt handler finishes its cleanups and exits 130. */
  protected afterInterrupt(): Promise<never> {
    // The timer keeps the event loop alive until the handler calls process.exit.
    return new Promise<never>(() => setInterval(() => {}, 1 << 30))
  }

  /** The one stop-signal policy (process/signals.ts): the first signal stops safely, repeats wait for children. */
  private onStopSignal(signal: StopSignal): void {
    this.stopSignals.push(signal)
    if (this.stopSignals.length === 1) {
      void this.onInterrupt(signal)
      return
    }
    const first = this.stopSignals[0]!
    const next = repeatedSignalAction(signal, this.stopSignals.length, runningChildren())
    if (next.message) process.stderr.write(`${next.message}\n`)
    if (next.action !== 'exit') return
    if (this.jsonEnabled())
      this.logJson({error: {code: 'INTERRUPTED', message: new StopRequest(first).message, hint: null}})
    // eslint-disable-next-line no-restricted-properties -- the base command owns the process on a stop signal
    process.exit(signalExitCode(first))
  }

  private async onInterrupt(signal: StopSignal): Promise<void> {
    this.abort.abort(new StopRequest(signal))
    if (signal !== 'SIGINT') process.stderr.write(`piksel: ${describeSignal(signal)} received: stopping safely…\n`)
    for (const cleanup of this.interruptCleanups) {
      try {
        await cleanup()
      } catch {
        // Cleanup is best effort; the exit code still says interrupted.
      }
    }
    const hint = this.interruptHint === undefined ? null : redact(this.interruptHint, this.sensitive)
    const message = new StopRequest(signal).message
    if (this.jsonEnabled()) {
      this.logJson({error: {code: 'INTERRUPTED', message, hint}})
    } else {
      process.stderr.write(`\n${message}\n${hint ? `Hint: ${hint}\n` : ''}`)
    }
    // eslint-disable-next-line no-restricted-properties -- the base command owns the process on a stop signal
    process.exit(signalExitCode(signal))
  }
}

/** What `forEachEnvironment` hands each environment's collector. */
export interface EnvironmentScope {
  env: Environment
  /** Its profile and region (see forEachEnvironment). */
  session: AwsSession
  /** Its caller: one sts:GetCallerIdentity per session (the guard's, when it ran). */
  caller: CallerLookup
  /** A warning about this environment: prefixed with its name, on stderr and in `warnings`. */
  warn: (message: string) => void
  /** Aborted on Ctrl-C, SIGTERM or SIGHUP. */
  signal: AbortSignal
  /**
   * The hint to show for an error met in this environment but kept in its result (a cluster that
   * did not answer, a failed doctor check): as it is, or under --all-envs without the flags it
   * refuses (environments/hints.ts), as its error row's would be.
   */
  hint: (error: {code: string; hint: string | null}) => string | null
}

/** How one environment's result shows under --all-envs (reportEnvironments). */
export interface EnvironmentsView<R> {
  /** The command's own columns (ENV is put first). */
  headers: string[]
  /** One environment's rows, without ENV. */
  rows: (result: R) => string[][]
  /** Its verdict line, after `<env>: ` (`ready: 0 failed, ...`). */
  verdict: (result: R) => string
  /** Its exit code alone: 0, or 3 when its check found a problem. */
  exitCode: (result: R) => ExitCodeValue
  /** Rows made once for every environment (ENV `(all)`). */
  shared?: string[][]
}

/** Carriage return and erase the line (ECMA-48 EL): a terminal's live line starts over. */
const ERASE_LINE = '\r\u001b[2K'
/** Cursor home and erase the display (ECMA-48 CUP, ED): a terminal's screen starts over. */
const CLEAR_SCREEN = '\u001b[H\u001b[2J'

/** Refuse a flag value that would put a secret on the command line. */
export function refuseSecretOnCommandLine(flag: string, alternatives: string): never {
  throw new UsageError(
    `${flag} is not accepted: a secret on the command line lands in shell history and the process list.`,
    {
      code: 'SECRET_ON_COMMAND_LINE',
      hint: alternatives,
    },
  )
}
