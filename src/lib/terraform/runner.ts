/**
 * Runs the real `terraform` binary: TF_IN_AUTOMATION=1, -input=false, the
 * environment's AWS profile in the child's environment, output streamed line by
 * line. A stop signal (the abort signal: Ctrl-C, SIGTERM, SIGHUP) forwards
 * exactly one SIGINT and waits for Terraform to exit, so it finishes gracefully,
 * writes its state and releases the state lock. A lock held by someone else is
 * STATE_LOCKED (lock.ts), never unlocked by piksel.
 */
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {ChildProcessError, OperationError, UsageError} from '../errors.ts'
import {type OutputStream, type RunOutcome, runStreaming} from '../process/run.ts'
import {type DeclaredBackend, type InitializedBackend, declaredBackend, parseInitializedBackend} from './backend.ts'
import {parseStateLock, stateLockedError} from './lock.ts'

export interface TerraformOptions {
  /** The root module directory. */
  dir: string
  /** AWS_PROFILE for the child (omitted when credentials come from the environment). */
  profile?: string
  region?: string
  /** Every output line, as it comes. */
  onLine?: (line: string, stream: OutputStream) => void
  /** Ctrl-C: forward SIGINT and wait. */
  signal?: AbortSignal
  /** The executable (default: terraform on PATH). */
  binary?: string
}

/** The child's environment additions. Pure. */
export function terraformEnv(options: Pick<TerraformOptions, 'profile' | 'region'>): Record<string, string> {
  return {
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    ...(options.profile ? {AWS_PROFILE: options.profile} : {}),
    ...(options.region ? {AWS_REGION: options.region} : {}),
  }
}

/** The first Terraform "Error:" lines of the output, for the one-line failure message. Pure. */
export function errorSummary(lines: readonly string[]): string {
  const errors = lines
    .map((line) => line.replace(/^[│╷╵\s]+/, '').trim())
    .filter((line) => /^Error: /.test(line))
    .map((line) => line.replace(/^Error: /, ''))
  const unique = [...new Set(errors)]
  return unique.slice(0, 2).join('; ')
}

/** Whether Terraform would read `path` as a file (a link is followed; a directory or a dangling link is not). */
function isReadableFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** The root's .tf and .tf.json files (name and text); NO_TERRAFORM_ROOT when the directory is missing. */
function rootFiles(dir: string): Array<{name: string; text: string}> {
  let names: string[]
  try {
    names = readdirSync(dir)
      .filter((f) => f.endsWith('.tf') || f.endsWith('.tf.json'))
      .filter((f) => isReadableFile(join(dir, f)))
  } catch {
    throw new UsageError(`Terraform root not found: ${dir}`, {
      code: 'NO_TERRAFORM_ROOT',
      hint: 'Pass --infra-dir (the piksel-infra checkout), or run `piksel init` to write the roots.',
    })
  }
  return names.map((name) => ({name, text: readFileSync(join(dir, name), 'utf8')}))
}

/** The backend the root declares (backend.ts), or undefined; NO_TERRAFORM_ROOT when the directory is missing. */
export function readDeclaredBackend(dir: string): DeclaredBackend | undefined {
  return declaredBackend(rootFiles(dir))
}

/** The backend the root was last initialised with (`.terraform/terraform.tfstate`), if it was. */
export function readInitializedBackend(dir: string): InitializedBackend | undefined {
  try {
    return parseInitializedBackend(readFileSync(join(dir, '.terraform', 'terraform.tfstate'), 'utf8'))
  } catch {
    return undefined
  }
}

/** Does the root (its .tf files) declare an S3 backend? */
export function rootUsesS3Backend(dir: string): boolean {
  return readDeclaredBackend(dir)?.type === 's3'
}

export class Terraform {
  readonly options: TerraformOptions

  constructor(options: TerraformOptions) {
    this.options = options
  }

  async init(backendConfig: string[] = []): Promise<void> {
    await this.expectSuccess('init', ['init', '-input=false', '-no-color', ...backendConfig])
  }

  /** `plan -out FILE`; the saved plan is what `apply` runs. */
  async plan(planFile: string, extra: string[] = []): Promise<void> {
    await this.expectSuccess('plan', ['plan', '-input=false', '-no-color', `-out=${planFile}`, ...extra])
  }

  /** `show -json FILE`: the machine-readable plan (not streamed). */
  async showJson(planFile: string): Promise<string> {
    const out = await this.expectSuccess('show', ['show', '-no-color', '-json', planFile], {stream: false})
    return out.stdout
  }

  /** `apply FILE`: exactly the saved plan, nothing re-planned. */
  async apply(planFile: string): Promise<void> {
    await this.expectSuccess('apply', ['apply', '-input=false', '-no-color', planFile])
  }

  private async expectSuccess(what: string, args: string[], opts: {stream?: boolean} = {}): Promise<RunOutcome> {
    const outcome = await this.run(args, opts)
    if (outcome.exitCode !== 0) {
      const lock = parseStateLock(outcome.lines)
      if (lock) throw stateLockedError(lock, this.options.dir, what)
      if (what === 'init' && outcome.lines.some((line) => /Backend configuration changed/.test(line))) {
        throw new OperationError(
          `terraform init in ${this.options.dir}: the root was initialised with another backend configuration than it declares now. Nothing was changed.`,
          {
            code: 'BACKEND_CHANGED',
            hint: `piksel never moves state. If the declared backend is the right one: terraform -chdir=${this.options.dir} init -reconfigure; to copy the state to it: terraform -chdir=${this.options.dir} init -migrate-state.`,
          },
        )
      }
      throw new ChildProcessError(
        {
          command: `terraform ${what}`,
          where: this.options.dir,
          exitCode: outcome.exitCode,
          tail: errorSummary(outcome.lines),
        },
        {code: 'TERRAFORM_FAILED', hint: 'Run with --verbose to see all of Terraform’s output.'},
      )
    }
    return outcome
  }

  /** Runs terraform with `args`; resolves with its exit code, rejects only when interrupted or not startable. */
  async run(args: string[], opts: {stream?: boolean} = {}): Promise<RunOutcome> {
    const {onLine, signal} = this.options
    let unreleased = false
    return runStreaming(this.options.binary ?? 'terraform', args, {
      cwd: this.options.dir,
      env: terraformEnv(this.options),
      // Terraform's providers read AWS credentials and TF_VAR_* / TF_TOKEN_*; never a GitHub token.
      needs: {aws: true, terraform: true},
      onLine: (line, stream) => {
        onLine?.(line, stream)
        // Said once, where it is seen: after a stop, a lock Terraform could not release stays behind.
        if (signal?.aborted && !unreleased && /Error releasing the state lock/.test(line)) {
          unreleased = true
          onLine?.(
            `piksel: terraform could not release its state lock in ${this.options.dir}; the next run reports it (STATE_LOCKED) with the force-unlock command.`,
            'stderr',
          )
        }
      },
      streamStdout: opts.stream ?? true,
      signal,
      name: `terraform ${args[0] ?? ''}`.trim(),
      interruptedMessage:
        'Interrupted: terraform was stopped gracefully (it writes its state and releases its lock first).',
    })
  }
}
