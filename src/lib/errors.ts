/**
 * One error hierarchy for every command. Each error carries the exit code of
 * the contract (DESIGN.md §2), a stable machine code and a hint the user can act on.
 * The base command's `catch` is the only place that renders them.
 */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  check: 3,
  interrupted: 130,
} as const
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

export interface PikselErrorOptions {
  code?: string
  hint?: string
  cause?: unknown
}

export class PikselError extends Error {
  readonly code: string
  readonly hint?: string
  readonly exitCode: ExitCodeValue

  constructor(message: string, exitCode: ExitCodeValue, options: PikselErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = new.target.name
    this.exitCode = exitCode
    this.code = options.code ?? 'ERROR'
    this.hint = options.hint
  }
}

/** Bad usage or invalid input, detected before anything was changed (exit 2). */
export class UsageError extends PikselError {
  constructor(message: string, options: PikselErrorOptions = {}) {
    super(message, ExitCode.usage, {code: 'USAGE', ...options})
  }
}

/** The configuration file is invalid (exit 2). */
export class ConfigError extends UsageError {
  constructor(message: string, options: PikselErrorOptions = {}) {
    super(message, {code: 'CONFIG', ...options})
  }
}

/** An operation failed: AWS, Kubernetes or a child process (exit 1). */
export class OperationError extends PikselError {
  constructor(message: string, options: PikselErrorOptions = {}) {
    super(message, ExitCode.failed, {code: 'FAILED', ...options})
  }
}

/**
 * A child command (terraform, flux, aws) ended with a failing exit code (exit 1).
 * It carries what ran, how it ended and the end of what it said; the message is
 * `<command> failed[ in <where>] (exit <n>)[: <tail>]`. The tail must hold no secret:
 * the caller redacts it (flux bootstrap's output may echo the token).
 */
export class ChildProcessError extends OperationError {
  /** What ran, without its secrets: `flux bootstrap`, `terraform plan`. */
  readonly command: string
  /** The child's own exit code (the process's stays 1). */
  readonly childExitCode: number
  /** The last lines of its output that say why, joined with ` | ` (or Terraform's errors). */
  readonly outputTail: string

  constructor(
    failure: {command: string; exitCode: number; tail: string; where?: string},
    options: PikselErrorOptions = {},
  ) {
    const where = failure.where ? ` in ${failure.where}` : ''
    const tail = failure.tail ? `: ${failure.tail}` : ''
    super(`${failure.command} failed${where} (exit ${failure.exitCode})${tail}`, options)
    this.command = failure.command
    this.childExitCode = failure.exitCode
    this.outputTail = failure.tail
  }
}

/** Credentials are missing, invalid or expired (exit 1). */
export class CredentialsError extends OperationError {
  constructor(message: string, options: PikselErrorOptions = {}) {
    super(message, {code: 'CREDENTIALS', ...options})
  }
}

/** A check ran and found a problem (exit 3). */
export class CheckFailedError extends PikselError {
  constructor(message: string, options: PikselErrorOptions = {}) {
    super(message, ExitCode.check, {code: 'CHECK_FAILED', ...options})
  }
}

/** The user interrupted the command (exit 130). */
export class InterruptedError extends PikselError {
  constructor(message = 'Interrupted.', options: PikselErrorOptions = {}) {
    super(message, ExitCode.interrupted, {code: 'INTERRUPTED', ...options})
  }
}

/** Where a bug is reported (the base command names the package's `bugs` URL instead when it has one). */
export const REPORT_TO = 'the Piksel DevOps team (Piksel-Devops-Team), the owners of piksel'

export function bugHint(reportTo: string = REPORT_TO): string {
  return `This is a bug in piksel: re-run with --verbose and report the output, with \`piksel --version\`, to ${reportTo}.`
}

/** An error nobody anticipated: code BUG, one line, and where to report it. */
export function bugError(error: unknown): OperationError {
  const e = (error ?? {}) as {name?: unknown; message?: unknown}
  const name = typeof e.name === 'string' && e.name ? e.name : typeof error
  const text = typeof e.message === 'string' ? e.message : String(error)
  const first = (text.split('\n').find((line) => line.trim()) ?? '').trim().slice(0, 300)
  return new OperationError(`Unexpected error (${name})${first ? `: ${first}` : ''}`, {
    code: 'BUG',
    hint: bugHint(),
    cause: error,
  })
}

/** System error codes of a network failure (Node's errno names). */
export const NETWORK_ERRNOS = [
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EPIPE',
  'ECONNABORTED',
]

/**
 * Any thrown value as a PikselError: PikselErrors as they are; oclif's parse
 * errors as usage errors (exit 2); a network failure nobody mapped as NETWORK;
 * anything else as BUG.
 */
export function toPikselError(error: unknown): PikselError {
  if (error instanceof PikselError) return error
  if (error instanceof Error) {
    const oclif = (error as {oclif?: {exit?: number}}).oclif
    // oclif's CLIError (and every parser error) carries exit 2; a name like AWS's ValidationException must not pass for one.
    if (oclif?.exit === 2) {
      return new UsageError(firstLines(error.message), {
        hint: 'See --help for the flags this command takes.',
        cause: error,
      })
    }
    if ((error as {code?: string}).code === 'EEXIT') {
      const code = (oclif?.exit ?? 1) as ExitCodeValue
      return new PikselError(error.message, code, {code: 'EXIT', cause: error})
    }
    const errno = (error as {code?: unknown}).code
    if (typeof errno === 'string' && NETWORK_ERRNOS.includes(errno)) {
      return new OperationError(`Network error: ${firstLines(error.message, 1)}`, {
        code: 'NETWORK',
        hint: 'Check the network, a VPN or proxy, and the endpoint (AWS_ENDPOINT_URL*, the kubeconfig server).',
        cause: error,
      })
    }
  }
  return bugError(error)
}

function firstLines(text: string, count = 3): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line && !/^See more help with/.test(line))
    .slice(0, count)
    .join('\n')
}

/**
 * Replace every occurrence of the given sensitive values by a mask: as they are, and
 * JSON-escaped (`"` as `\"`, `\` as `\\`), the form in which an AWS error that echoes a
 * request body carries them.
 */
export function redact(text: string, secrets: Iterable<string>): string {
  let result = text
  for (const secret of secrets) {
    if (secret.length < 4) continue
    result = result.split(secret).join('****')
    const escaped = JSON.stringify(secret).slice(1, -1)
    if (escaped !== secret) result = result.split(escaped).join('****')
  }
  return result
}

/**
 * A JSON document with every string in it (keys too) redacted, serialized. Redacting the
 * serialized text instead would break the document when a value looks like JSON (`"arn"`)
 * and miss a value whose characters JSON escapes.
 */
export function redactedJson(value: unknown, secrets: Iterable<string>): string {
  const list = [...secrets]
  return JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === 'string') return redact(v, list)
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [redact(k, list), x]))
      }
      return v
    },
    2,
  )
}
