/**
 * The one way a secret value is read and validated, for `secret create slack|oauth`
 * and bootstrap's secrets step alike: from `--from-file`, `--from-stdin` or the
 * hidden prompt (each through the bounded reader in read.ts), then checked by the
 * rules in values.ts. No flags or terminal here: a plain request in, the value
 * out; prompts go through the port, which also learns every secret part at once
 * (so nothing printed afterwards can hold it).
 */
import type {Readable} from 'node:stream'

import {UsageError} from '../errors.ts'
import type {AskOptions} from '../prompt.ts'
import type {SecretKind} from './naming.ts'
import {boundedPrompt, readSecretFile, readSecretStdin} from './read.ts'
import {
  assertOAuthPart,
  assertSlackWebhook,
  assertValueSize,
  oauthPartProblem,
  oauthValue,
  slackWebhookProblem,
  splitOAuthValue,
  trimOneNewline,
} from './values.ts'

export interface SecretValueRequest {
  kind: SecretKind
  /** `--from-file PATH`: the value (Slack), or the client secret or client_id:client_secret (OAuth). */
  fromFile?: string
  /** `--from-stdin`: the same, from stdin (refused when stdin is a terminal). */
  fromStdin?: boolean
  /** OAuth: the client id (`--client-id`; not a secret). Absent: asked, or carried by the input. */
  clientId?: string
  /** Slack: take a value that does not look like a webhook URL (`--skip-validation`). */
  skipValidation?: boolean
  /**
   * Bootstrap's wording: every prompt names the secret ("Slack webhook URL for
   * slack-alerts-staging") and, as the way without a terminal, the command that
   * creates it. Absent: `secret create`'s prompts, naming its flags.
   */
  asking?: {name: string; command: string}
  /** Ask again at a prompt when the answer is invalid, instead of failing after it (exit 2). */
  reask?: boolean
  /** Where prompts render (bootstrap's task list stream); default stdout. */
  output?: NodeJS.WritableStream
  /** Default process.stdin. */
  stdin?: Readable & {isTTY?: boolean}
}

/** What reading a secret needs from the terminal side: a Prompter, and the base command's markSensitive. */
export interface SecretValuePort {
  /** Prompts can be shown; otherwise a prompt fails at once naming its flag. */
  readonly interactive: boolean
  /** A visible prompt (the OAuth client id, which is not secret). */
  input(options: AskOptions): Promise<string>
  /** A hidden prompt. */
  password(options: AskOptions): Promise<string>
  /** Registers a value that must never be printed; called with every secret part as soon as it is read. */
  sensitive(value: string): void
}

const INPUT_FLAGS = '--from-stdin or --from-file'

/**
 * The secret string to store: the webhook URL, or `client_id:client_secret`.
 * Usage errors (exit 2) name what is wrong and never the value: SECRET_TOO_LARGE,
 * SECRET_NOT_UTF8, SECRET_FILE_*, STDIN_IS_TTY, INVALID_SLACK_WEBHOOK,
 * INVALID_OAUTH_CLIENT, SECRET_TOO_LARGE (over Secrets Manager's 64 KiB).
 */
export async function readSecretValue(request: SecretValueRequest, port: SecretValuePort): Promise<string> {
  const value = request.kind === 'slack' ? await readSlack(request, port) : await readOAuth(request, port)
  assertValueSize(value)
  return value
}

async function readSlack(request: SecretValueRequest, port: SecretValuePort): Promise<string> {
  const validate = request.skipValidation ? undefined : slackWebhookProblem
  const message = request.asking ? `Slack webhook URL for ${request.asking.name}` : 'Slack webhook URL (hidden)'
  const value = await readSecret(request, port, message, validate)
  if (!request.skipValidation) assertSlackWebhook(value)
  return value
}

async function readOAuth(request: SecretValueRequest, port: SecretValuePort): Promise<string> {
  const {asking} = request
  const secretMessage = asking ? `OAuth client secret for ${asking.name}` : 'OAuth client secret (hidden)'
  const fromInput = request.fromStdin || request.fromFile !== undefined
  let clientId = request.clientId
  let clientSecret: string
  if (clientId === undefined && fromInput) {
    // Without a client id the input carries client_id:client_secret.
    const parts = splitOAuthValue(await readSecret(request, port, secretMessage))
    if (!parts) {
      throw new UsageError('The input holds no client_id:client_secret, and --client-id is absent.', {
        code: 'INVALID_OAUTH_CLIENT',
        hint: 'Pass --client-id with the secret alone on the input, or give client_id:client_secret on the input.',
      })
    }
    // The client id is not a secret (it may be given with --client-id): redacting it would mangle
    // the name, ARN and Service tag in the output when it is, say, "grafana".
    port.sensitive(parts.clientSecret)
    ;({clientId, clientSecret} = parts)
  } else {
    if (clientId === undefined) {
      // No terminal: fail naming the secret's flags first (they are what is always needed).
      if (!port.interactive) {
        await port.password({
          message: 'OAuth client secret',
          flag: asking?.command ?? `${INPUT_FLAGS} (with --client-id, or client_id:client_secret on the input)`,
        })
      }
      clientId = await boundedPrompt(
        (signal) =>
          port.input({
            message: asking ? `OAuth client id for ${asking.name}` : 'OAuth client id',
            flag: asking?.command ?? '--client-id',
            output: request.output,
            signal,
            ...(request.reask ? {validate: (v: string) => oauthPartProblem(v) ?? true} : {}),
          }),
        {
          what: 'the client id prompt',
          hint: asking ? 'Type or paste only the client id.' : 'Type or paste only the client id, or pass --client-id.',
          why: 'more than the prompt takes',
        },
      )
    }
    assertOAuthPart('client id', clientId)
    clientSecret = await readSecret(request, port, secretMessage, oauthPartProblem)
  }
  const hint =
    request.clientId !== undefined && clientSecret.includes(':')
      ? 'With --client-id, the input holds the client secret alone (not client_id:client_secret).'
      : undefined
  assertOAuthPart('client id', clientId)
  assertOAuthPart('client secret', clientSecret, hint)
  const value = oauthValue({clientId, clientSecret})
  port.sensitive(value)
  return value
}

/**
 * The secret from --from-file, --from-stdin or the hidden prompt, each through the
 * one bounded reader (read.ts: size limit, strict UTF-8); marked sensitive at once.
 * `problem` checks a prompt's answer when the request re-asks.
 */
async function readSecret(
  request: SecretValueRequest,
  port: SecretValuePort,
  message: string,
  problem?: (value: string) => string | undefined,
): Promise<string> {
  let value: string
  if (request.fromFile !== undefined) {
    value = trimOneNewline(await readSecretFile(request.fromFile))
  } else if (request.fromStdin) {
    const stdin = request.stdin ?? process.stdin
    if (stdin.isTTY) {
      throw new UsageError('--from-stdin reads a pipe or a redirected file, and stdin is a terminal.', {
        code: 'STDIN_IS_TTY',
        hint: 'Leave out --from-stdin to get the hidden prompt, or pipe the secret in (e.g. from a password manager).',
      })
    }
    value = trimOneNewline(await readSecretStdin(stdin))
  } else {
    const validate = request.reask && problem ? (v: string) => problem(v) ?? true : undefined
    value = await boundedPrompt((signal) =>
      port.password({
        message,
        flag: request.asking?.command ?? INPUT_FLAGS,
        output: request.output,
        signal,
        ...(validate ? {validate} : {}),
      }),
    )
  }
  port.sensitive(value)
  return value
}
