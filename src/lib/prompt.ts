/**
 * The prompt gate of DESIGN.md §2: prompts appear only on a TTY, outside CI and
 * without --no-input. Otherwise a missing answer fails at once and names the flag,
 * so nothing ever waits on a closed stdin. Prompts write to stderr: stdout stays
 * clean for --json.
 */
import {InterruptedError, UsageError} from './errors.ts'

export interface PromptGate {
  noInput?: boolean
  env?: NodeJS.ProcessEnv
  stdinIsTTY?: boolean
  stdoutIsTTY?: boolean
}

/**
 * Pure: is this a CI run? `CI` set to anything but empty, `0` or `false` (any
 * case). CI systems set `CI=true` or `CI=1`; `CI=0` and `CI=false` are how people
 * switch it off (as Node's own tests and many tools read it), so those may prompt.
 */
export function isCI(env: NodeJS.ProcessEnv): boolean {
  return env.CI !== undefined && !['', '0', 'false'].includes(env.CI.trim().toLowerCase())
}

/** Pure: may this process ask the user anything? */
export function canPrompt(gate: PromptGate): boolean {
  return Boolean(gate.stdinIsTTY && gate.stdoutIsTTY && !isCI(gate.env ?? process.env) && !gate.noInput)
}

export interface AskOptions {
  message: string
  /** The flag that answers this question without a prompt, e.g. `--client-id`. */
  flag: string
  default?: string
  validate?: (value: string) => string | true
  /** Where the prompt renders (default stderr), e.g. a task list's prompt stream. */
  output?: NodeJS.WritableStream
  /** Aborts the prompt (the bounded secret reader uses it to stop an oversized input). */
  signal?: AbortSignal
}

export interface Choice<T extends string> {
  value: T
  name?: string
  description?: string
}

export class Prompter {
  readonly interactive: boolean
  /**
   * The command's stop signal (SIGINT, SIGTERM, SIGHUP): it ends any prompt that is open, as an
   * interruption. Ctrl-C reaches a prompt as a key (the terminal is in raw mode); SIGTERM and
   * SIGHUP do not, and a command that waits for its work before exiting waited on the prompt.
   */
  private readonly stop?: AbortSignal

  constructor(interactive: boolean, stop?: AbortSignal) {
    this.interactive = interactive
    this.stop = stop
  }

  /** The prompt's context: where it renders, and what aborts it (its own signal or the stop signal). */
  private context(output: NodeJS.WritableStream = process.stderr, signal?: AbortSignal) {
    const signals = [signal, this.stop].filter((s): s is AbortSignal => s !== undefined)
    const abort = signals.length > 1 ? AbortSignal.any(signals) : signals[0]
    return {output, clearPromptOnDone: false, ...(abort ? {signal: abort} : {})}
  }

  async input(options: AskOptions): Promise<string> {
    this.require(options.flag, options.message)
    const {input} = await import('@inquirer/prompts')
    return guard(() =>
      input(
        {message: options.message, default: options.default, validate: options.validate},
        this.context(options.output, options.signal),
      ),
    )
  }

  /** Hidden input for secrets: nothing is echoed. */
  async password(options: AskOptions): Promise<string> {
    this.require(options.flag, options.message)
    const {password} = await import('@inquirer/prompts')
    return guard(() =>
      password(
        {message: options.message, mask: false, toggleMask: false, validate: options.validate},
        this.context(options.output, options.signal),
      ),
    )
  }

  async select<T extends string>(options: {message: string; flag: string; choices: Choice<T>[]}): Promise<T> {
    this.require(options.flag, options.message)
    const {select} = await import('@inquirer/prompts')
    return guard(() => select<T>({message: options.message, choices: options.choices}, this.context()))
  }

  /**
   * The confirmation before a write. `--yes` answers it; without a TTY it is an
   * error that names --yes (nothing has been written yet).
   */
  async confirm(
    message: string,
    options: {yes?: boolean; default?: boolean; output?: NodeJS.WritableStream} = {},
  ): Promise<boolean> {
    if (options.yes) return true
    this.require('--yes', message, 'confirmation required')
    const {confirm} = await import('@inquirer/prompts')
    return guard(() => confirm({message, default: options.default ?? false}, this.context(options.output)))
  }

  private require(flag: string, question: string, what = 'missing input'): void {
    if (this.interactive) return
    throw new UsageError(`${capitalise(what)}: ${question.replace(/[?:]\s*$/, '')} (no terminal to ask on).`, {
      code: 'INPUT_REQUIRED',
      hint: `Pass ${flag}. Prompts appear only on a TTY, outside CI and without --no-input.`,
    })
  }
}

async function guard<T>(ask: () => Promise<T>): Promise<T> {
  try {
    return await ask()
  } catch (error) {
    if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) {
      throw new InterruptedError()
    }
    throw error
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
