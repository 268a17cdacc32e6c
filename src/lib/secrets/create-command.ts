/**
 * The create flow `secret create slack` and `secret create oauth` share: the
 * flags, refusing secrets on the command line, reading the value (hidden prompt,
 * --from-stdin, --from-file), the summary and confirmation, and rendering.
 * The commands add only what differs: the name, the tags and how the value is
 * read and validated. (Command-side code: it knows flags and the terminal.)
 */
import {Args, type Command, Flags} from '@oclif/core'

import {BaseCommand, refuseSecretOnCommandLine} from '../base-command.ts'
import type {Environment} from '../config/environment.ts'
import {UsageError} from '../errors.ts'
import {describeDrift} from './drift.ts'
import {type SecretKind, assertSecretName} from './naming.ts'
import {boundedPrompt, readSecretFile, readSecretStdin} from './read.ts'
import type {CreateSecretResult, WriteSummary} from './create.ts'
import {buildTags, parseTagFlags} from './tags.ts'
import {assertValueSize, maskValue, trimOneNewline} from './values.ts'

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

export interface SecretCreateFlagValues {
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

export interface CreateSpec {
  kind: SecretKind
  env: Environment
  name: string
  service: string
  tenant: string
  description: string
  /** Reads and validates the value (calls markSensitive on every secret part; an OAuth client id is not one). */
  readValue: () => Promise<string>
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

  /**
   * The secret from --from-file, --from-stdin or the hidden prompt, each through the
   * one bounded reader (read.ts: size limit, strict UTF-8); marked sensitive at once.
   */
  protected async readSecret(flags: SecretCreateFlagValues, message: string): Promise<string> {
    let value: string
    if (flags['from-file'] !== undefined) {
      value = trimOneNewline(await readSecretFile(flags['from-file']))
    } else if (flags['from-stdin']) {
      if (process.stdin.isTTY) {
        throw new UsageError('--from-stdin reads a pipe or a redirected file, and stdin is a terminal.', {
          code: 'STDIN_IS_TTY',
          hint: 'Leave out --from-stdin to get the hidden prompt, or pipe the secret in (e.g. from a password manager).',
        })
      }
      value = trimOneNewline(await readSecretStdin())
    } else {
      value = await boundedPrompt((signal) =>
        this.prompter.password({message, flag: '--from-stdin or --from-file', signal}),
      )
    }
    this.markSensitive(value)
    return value
  }

  protected async runCreate(flags: SecretCreateFlagValues, spec: CreateSpec): Promise<CreateSecretResult> {
    // Everything that can be checked without the secret is checked first.
    assertSecretName(spec.name)
    if (spec.description.length > 2048) {
      throw new UsageError(`The description is ${spec.description.length} characters long; at most 2048 are allowed.`, {
        code: 'INVALID_DESCRIPTION',
        hint: 'Pass a shorter --description.',
      })
    }
    const tags = buildTags({
      project: this.settings.project,
      service: spec.service,
      env: spec.env.name,
      owner: this.settings.owner,
      tenant: spec.tenant,
      extra: parseTagFlags(flags.tag ?? []),
    })
    const value = await spec.readValue()
    assertValueSize(value)
    const mask = maskValue(spec.kind, value)

    const {createSecret} = await import('./create.ts')
    const session = this.awsSession(spec.env)
    // The account guard, before anything is read in AWS.
    const identity = await this.guardAccount(spec.env, session)
    const result = await createSecret({
      session,
      identity,
      env: spec.env,
      name: spec.name,
      value,
      description: spec.description,
      tags,
      kmsKeyId: flags['kms-key-id'],
      overwrite: flags.overwrite,
      restore: flags.restore,
      dryRun: flags['dry-run'],
      progress: (line) => this.note(line),
      confirm: async (summary) => {
        this.note(renderSummary(summary, mask, spec.env.name))
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
