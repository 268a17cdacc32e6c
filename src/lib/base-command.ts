/**
 * The one base command: global flags, config, the prompt gate, error rendering,
 * --json and Ctrl-C, exactly as DESIGN.md §2 describes them. Commands extend it,
 * parse nothing themselves, call one service and render its result.
 */
import {Command, Flags, type Interfaces} from '@oclif/core'

import {describeAwsError, isAwsError} from './aws/errors.ts'
import {type AwsSession, resolveSession} from './aws/session.ts'
import type {Environment, PikselSettings} from './config/environment.ts'
import {getEnvironment, knownEnvironments, loadSettings} from './config/load.ts'
import {
  ExitCode,
  type ExitCodeValue,
  type PikselError,
  InterruptedError,
  UsageError,
  bugHint,
  redact,
  toPikselError,
} from './errors.ts'
import {Prompter, canPrompt} from './prompt.ts'
import {parseRequestTimeout, setRequestTimeouts} from './timeouts.ts'

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

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
    region: Flags.string({
      summary: 'AWS region (default: AWS_REGION, then the config, then ap-southeast-3).',
      env: 'AWS_REGION',
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
    'request-timeout': Flags.string({
      summary:
        'How long one AWS or Kubernetes call may take, retries included (default 20s; connect: a quarter of it).',
      env: 'PIKSEL_REQUEST_TIMEOUT',
      helpGroup: 'GLOBAL',
    }),
  }

  /** Commands that report a broken config themselves (doctor) set this. */
  protected static lenientConfig = false

  protected flags!: CommandFlags<T>
  protected args!: CommandArgs<T>
  protected settings!: PikselSettings
  /** The config error, when `lenientConfig` let the command start anyway. */
  protected configError?: PikselError
  protected prompter!: Prompter
  /** Aborted on Ctrl-C; services that run children or wait take it. */
  protected readonly abort = new AbortController()
  /** Values that must never be printed: every message is redacted against them. */
  private readonly sensitive = new Set<string>()
  private readonly interruptCleanups: Array<() => Promise<void>> = []
  /** Shown with "Interrupted." on Ctrl-C, e.g. the command that resumes (set by a cleanup). */
  protected interruptHint?: string

  override async init(): Promise<void> {
    await super.init()
    process.once('SIGINT', () => void this.onInterrupt())
    const ctor = this.ctor as unknown as typeof BaseCommand & T
    const {flags, args} = await this.parse({
      flags: ctor.flags,
      baseFlags: ctor.baseFlags,
      enableJsonFlag: ctor.enableJsonFlag,
      args: ctor.args,
      strict: ctor.strict,
    })
    this.flags = flags as CommandFlags<T>
    this.args = args as CommandArgs<T>
    const requestTimeout = this.flags['request-timeout']
    if (requestTimeout !== undefined) setRequestTimeouts(parseRequestTimeout(requestTimeout))
    this.prompter = new Prompter(
      canPrompt({
        noInput: this.flags['no-input'],
        stdinIsTTY: process.stdin.isTTY,
        stdoutIsTTY: process.stdout.isTTY,
      }),
    )
    const search = {explicit: this.flags.config, cwd: process.cwd(), userConfigDir: this.config.configDir}
    try {
      this.settings = await loadSettings(search)
    } catch (error) {
      if (!(this.ctor as unknown as typeof BaseCommand).lenientConfig) throw error
      this.configError = toPikselError(error)
      const {resolveSettings} = await import('./config/environment.ts')
      this.settings = resolveSettings()
    }
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

  /** Where AWS calls go: region and profile by the precedence in the README. */
  protected awsSession(env?: Environment): AwsSession {
    return resolveSession({
      flagProfile: this.flags.profile,
      flagRegion: this.flags.region,
      env,
      defaultRegion: this.settings.region,
      vars: process.env,
    })
  }

  /** Registers a value that must never appear in any output. */
  protected markSensitive(value: string | undefined): void {
    if (value) this.sensitive.add(value)
  }

  /** Runs on Ctrl-C before the process exits with 130 (e.g. wait for Terraform to release its lock). */
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

  protected setExitCode(code: ExitCodeValue): void {
    process.exitCode = code
  }

  protected get verbose(): boolean {
    return Boolean(this.flags?.verbose || process.env.DEBUG)
  }

  override logJson(json: unknown): void {
    process.stdout.write(`${redact(JSON.stringify(json, null, 2), this.sensitive)}\n`)
  }

  /** The single place errors are rendered. */
  override async catch(err: Interfaces.CommandError): Promise<void> {
    // After Ctrl-C the interrupt handler owns the ending (cleanups, then exit 130).
    if (this.abort.signal.aborted) await this.afterInterrupt()
    // An SDK error a service let through is still mapped by kind; anything unmapped is BUG.
    const error = isAwsError(err) ? describeAwsError(err, this.sessionForErrors()) : toPikselError(err)
    process.exitCode = error.exitCode
    const message = redact(error.message, this.sensitive)
    const rawHint = error.code === 'BUG' ? bugHint(this.bugsUrl()) : error.hint
    const hint = rawHint === undefined ? undefined : redact(rawHint, this.sensitive)
    if (this.jsonEnabled()) {
      this.logJson({error: {code: error.code, message, hint: hint ?? null}})
    } else {
      const lines = [`Error: ${message}`]
      if (hint) lines.push(`Hint: ${hint}`)
      process.stderr.write(`${lines.join('\n')}\n`)
    }
    if (this.verbose) {
      const cause = (error.cause ?? error) as Error
      process.stderr.write(`${redact(String(cause.stack ?? cause), this.sensitive)}\n`)
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

  private async onInterrupt(): Promise<void> {
    this.abort.abort(new InterruptedError())
    // A second Ctrl-C while cleaning up exits at once.
    // eslint-disable-next-line no-restricted-properties -- the base command owns the process on Ctrl-C
    process.once('SIGINT', () => process.exit(ExitCode.interrupted))
    for (const cleanup of this.interruptCleanups) {
      try {
        await cleanup()
      } catch {
        // Cleanup is best effort; the exit code still says interrupted.
      }
    }
    const hint = this.interruptHint === undefined ? null : redact(this.interruptHint, this.sensitive)
    if (this.jsonEnabled()) {
      this.logJson({error: {code: 'INTERRUPTED', message: 'Interrupted.', hint}})
    } else {
      process.stderr.write(`\nInterrupted.\n${hint ? `Hint: ${hint}\n` : ''}`)
    }
    // eslint-disable-next-line no-restricted-properties -- the base command owns the process on Ctrl-C
    process.exit(ExitCode.interrupted)
  }
}

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
