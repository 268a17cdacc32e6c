/**
 * The command side of `secret create slack` and `secret create oauth`: their
 * shared flags, refusing secrets on the command line, the summary and
 * confirmation, and rendering. The commands add only what differs (the kind, the
 * app, the client id). Reading and validating the value is lib/secrets/input.ts,
 * the name, description and tags lib/secrets/spec.ts, the write
 * lib/secrets/create.ts. (Command-side code: it knows flags and the terminal; it
 * lives outside src/commands, where oclif would take every file for a command.)
 */
import * as Args from '@oclif/core/args'
import type {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'

import {BaseCommand, refuseSecretOnCommandLine} from '../lib/base-command.ts'
import type {Environment} from '../lib/config/environment.ts'
import {UsageError} from '../lib/errors.ts'
import type {CreateSecretResult} from '../lib/secrets/create.ts'
import {describeDrift} from '../lib/secrets/drift.ts'
import {readSecretValue} from '../lib/secrets/input.ts'
import type {OAuthApp, SecretKind} from '../lib/secrets/naming.ts'
import {secretSpec} from '../lib/secrets/spec.ts'
import type {WriteSummary} from '../lib/secrets/summary.ts'
import {maskValue} from '../lib/secrets/values.ts'

/** Flags that would put a secret on the command line: declared (hidden) only to refuse them. */
const REFUSED = ['value', 'secret', 'secret-string', 'secret-value'] as const
const INPUT_HINT =
  'Give the secret through the hidden prompt, --from-stdin (e.g. from a password manager) or --from-file PATH.'

export const secretCreateFlags = {
  name: Flags.string({summary: 'Secret name (default: the convention, e.g. slack-alerts-<env>).'}),
  'from-stdin': Flags.boolean({
    summary: 'Read the secret from stdin (all of it; one trailing newline is dropped).',
    exclusive: ['from-file'],
  }),
  'from-file': Flags.string({
    summary: 'Read the secret from this file (one trailing newline is dropped).',
    exclusive: ['from-stdin'],
  }),
  description: Flags.string({summary: 'Secret description (default: says what it is and for which environment).'}),
  service: Flags.string({summary: 'Value of the Service tag (default: the app, or monitoring for Slack).'}),
  tag: Flags.string({
    summary: 'Extra tag Key=Value (repeatable). Project, Service, Environment, Owner and Tenant are set for you.',
    multiple: true,
  }),
  'kms-key-id': Flags.string({summary: 'KMS key (id, ARN or alias) to encrypt with (default: aws/secretsmanager).'}),
  overwrite: Flags.boolean({
    summary: 'Replace a different stored value: a new version; the old one stays as AWSPREVIOUS.',
  }),
  restore: Flags.boolean({summary: 'If the secret is scheduled for deletion, restore it and continue.'}),
  'dry-run': Flags.boolean({summary: 'Do everything but the write; report would-create or would-update.'}),
  // Declared only to be refused with an explanation (an unknown flag's error would echo its value).
  value: Flags.string({hidden: true}),
  secret: Flags.string({hidden: true}),
  'secret-string': Flags.string({hidden: true}),
  'secret-value': Flags.string({hidden: true}),
}

/** Any positional argument (it could be the secret): taken only to be refused. */
export const secretCreateArgs = {refused: Args.string({hidden: true, ignoreStdin: true})}

/** The flags every `secret create` command has (secretCreateFlags and the global --yes). */
interface SecretCreateFlagValues {
  name?: string
  'from-stdin'?: boolean
  'from-file'?: string
  description?: string
  service?: string
  tag?: string[]
  'kms-key-id'?: string
  overwrite?: boolean
  restore?: boolean
  'dry-run'?: boolean
  yes?: boolean
}

/** What differs between `secret create slack` and `secret create oauth`. */
export interface CreateKind {
  kind: SecretKind
  /** OAuth: the app the client belongs to. */
  app?: OAuthApp
  /** OAuth: --client-id. */
  clientId?: string
  /** OAuth: --tenant (Slack's is the convention's). */
  tenant?: string
  /** Slack: --skip-validation. */
  skipValidation?: boolean
}

export abstract class SecretCreateCommand<T extends typeof Command> extends BaseCommand<T> {
  // Positional arguments are parsed (not rejected by oclif, whose message would echo them) and refused below.
  static override strict = false

  override async init(): Promise<void> {
    try {
      await super.init()
    } catch (error) {
      throw scrubParseError(error)
    }
  }

  /** Refuse --value-style flags and positional arguments, before anything else. */
  protected refuseCommandLineSecrets(extraRefused: string[] = []): void {
    const raw = this.flags as Record<string, unknown>
    for (const flag of [...REFUSED, ...extraRefused]) {
      if (raw[flag] !== undefined) refuseSecretOnCommandLine(`--${flag}`, INPUT_HINT)
    }
    const args = this.args as Record<string, unknown>
    if (args.refused !== undefined) {
      throw new UsageError(
        'Positional arguments are not accepted: a secret on the command line lands in shell history and the process list.',
        {code: 'SECRET_ON_COMMAND_LINE', hint: INPUT_HINT},
      )
    }
  }

  /** Name, tags and value checked, the account guarded, then the write (after a summary and confirmation). */
  protected async runCreate(env: Environment, what: CreateKind): Promise<CreateSecretResult> {
    const flags = this.flags as typeof this.flags & SecretCreateFlagValues
    // Everything that can be checked without the secret is checked first.
    const spec = secretSpec({
      kind: what.kind,
      env: env.name,
      project: this.settings.project,
      owner: this.settings.owner,
      app: what.app,
      name: flags.name,
      service: flags.service,
      tenant: what.tenant,
      description: flags.description,
      extraTags: flags.tag,
    })
    const value = await readSecretValue(
      {
        kind: what.kind,
        fromFile: flags['from-file'],
        fromStdin: flags['from-stdin'],
        clientId: what.clientId,
        skipValidation: what.skipValidation,
      },
      {
        interactive: this.prompter.interactive,
        input: (options) => this.prompter.input(options),
        password: (options) => this.prompter.password(options),
        sensitive: (secret) => this.markSensitive(secret),
      },
    )
    const mask = maskValue(what.kind, value)

    const {createSecret} = await import('../lib/secrets/create.ts')
    const session = this.awsSession(env)
    // The account guard, before anything is read in AWS.
    await this.guardAccount(env, session)
    const result = await createSecret({
      session,
      caller: () => this.callerIdentity(session),
      env,
      name: spec.name,
      value,
      description: spec.description,
      tags: spec.tags,
      kmsKeyId: flags['kms-key-id'],
      overwrite: flags.overwrite,
      restore: flags.restore,
      dryRun: flags['dry-run'],
      progress: (line) => this.note(line),
      confirm: async (summary) => {
        this.note(renderSummary(summary, mask, env.name))
        const verb = summary.steps[0]?.startsWith('create') ? 'Create' : 'Update'
        return this.prompter.confirm(`${verb} secret ${summary.name} in account ${summary.account}?`, {
          yes: flags.yes,
        })
      },
    })
    this.render(result, mask)
    return result
  }

  private render(result: CreateSecretResult, mask: string): void {
    const where = `account ${result.account} (${result.env}), ${result.region}`
    switch (result.action) {
      case 'created': {
        this.print(`created ${result.name} in ${where}, version ${result.versionId}`)
        break
      }
      case 'updated': {
        const what = result.previousVersionId
          ? `new version ${result.versionId}; the previous one (${result.previousVersionId}) stays as AWSPREVIOUS`
          : result.firstValue
            ? `first value stored (version ${result.versionId}); tags and description brought up to date`
            : `value unchanged (version ${result.versionId}); tags and description brought up to date`
        this.print(
          `updated ${result.name} in ${where}${result.restored ? ', restored from scheduled deletion' : ''}: ${what}`,
        )
        break
      }
      case 'unchanged': {
        this.print(
          `unchanged ${result.name} in ${where}: the same value is already stored (version ${result.versionId})`,
        )
        if (result.metadataDrift) {
          this.note(
            `It differs from what was asked: ${describeDrift(result.drift)}. Pass --overwrite to bring it up to date.`,
          )
        }
        break
      }
      default: {
        this.print(`${result.action} ${result.name} in ${where} (dry run: nothing was written)`)
        this.print(`  value  ${mask}`)
        this.print(`  tags   ${formatTags(result.tags)}`)
      }
    }
    if (result.arn) this.print(`  arn    ${result.arn}`)
  }
}

/**
 * oclif's "Nonexistent flag: --webhook=<value>" would echo a value typed after an
 * unknown flag (maybe the secret): keep only the flag names.
 */
export function scrubParseError(error: unknown): unknown {
  const flags = (error as {flags?: unknown}).flags
  if (!(error instanceof Error) || error.constructor.name !== 'NonExistentFlagsError' || !Array.isArray(flags)) {
    return error
  }
  const names = flags.map((f) => String(f).split('=')[0])
  return new UsageError(`Unknown flag${names.length === 1 ? '' : 's'}: ${names.join(', ')} (values not shown).`, {
    code: 'USAGE',
    hint: `See --help for the flags this command takes. ${INPUT_HINT}`,
  })
}

function formatTags(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')
}

/** Pure: the summary shown before the confirmation. The value appears only as its mask. */
export function renderSummary(summary: WriteSummary, mask: string, env: string): string {
  return [
    `Secret ${summary.name}`,
    `  account      ${summary.account} (${env}), region ${summary.region}`,
    `  value        ${mask}`,
    `  description  ${summary.description}`,
    `  tags         ${formatTags(summary.tags)}`,
    ...(summary.kmsKeyId ? [`  kms key      ${summary.kmsKeyId}`] : []),
    ...(summary.drift.length > 0 ? [`  differs      ${describeDrift(summary.drift)}`] : []),
    `  will         ${summary.steps.join('; ')}`,
  ].join('\n')
}
