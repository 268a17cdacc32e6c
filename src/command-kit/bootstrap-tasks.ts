/**
 * The command side of a bootstrap run: the task list (listr2) that shows the
 * sequencer's events (lib/bootstrap/runner.ts), and the prompts, rendered
 * inside the running task. The sequencer runs the steps; each listr task only
 * waits for its step's end and shows it. (Command-side code: it knows the
 * terminal; it lives outside src/commands, where oclif would take every file
 * for a command.)
 */
import type {Writable} from 'node:stream'

import type {BootstrapPorts, SecretsPort} from '../lib/bootstrap/ports.ts'
import {
  type BootstrapEvent,
  type BootstrapIO,
  type BootstrapRun,
  type RunOptions,
  runSteps,
} from '../lib/bootstrap/runner.ts'
import type {StepOutcome} from '../lib/bootstrap/step-context.ts'
import {STEP_IDS, STEP_TITLES, type StepId} from '../lib/bootstrap/steps.ts'
import {isProgressLine} from '../lib/bootstrap/summary.ts'
import {formatDuration} from '../lib/duration.ts'
import {toPikselError} from '../lib/errors.ts'

export type RendererName = 'default' | 'simple' | 'verbose' | 'silent'

export interface BootstrapOptions extends RunOptions {
  /** Every output line of the running step, not only progress, errors and warnings (isProgressLine). */
  verbose: boolean
  renderer: RendererName
  /** Where the task list renders (stderr: stdout is for the summary or --json). */
  output?: NodeJS.WriteStream
}

/** The terminal's side of every prompt (the command's Prompter); `output` is where it renders: the running task. */
export interface BootstrapTerminal {
  /** Prompts can appear (TTY, not CI, no --no-input). */
  interactive: boolean
  confirm(message: string, output?: Writable): Promise<boolean>
  /** A hidden prompt for a secret; `flag` names the non-interactive way to give it. */
  secret(message: string, flag: string, output?: Writable): Promise<string>
  /** Registers a value that must never be printed. */
  sensitive(value: string): void
  /** A warning the task list has shown: kept for the JSON document's `warnings`. */
  warned?(message: string): void
}

/** The part of a listr task this display uses. */
interface ShownTask {
  output: string
  title: string
  skip: (message?: string) => void
  prompt: <A>(adapter: A) => {run<T>(ask: (output: Writable) => Promise<T>): Promise<T>}
}

type Ending = {outcome: StepOutcome; durationMs: number} | {error: unknown}

/** One step's place in the task list: its listr task once listr runs it, and how the step ended. */
interface Slot {
  running: Promise<ShownTask>
  start: (task: ShownTask) => void
  ended: Promise<Ending>
  end: (ending: Ending) => void
}

function slot(): Slot {
  let start!: Slot['start']
  let end!: Slot['end']
  const running = new Promise<ShownTask>((resolve) => (start = resolve))
  const ended = new Promise<Ending>((resolve) => (end = resolve))
  return {running, start, ended, end}
}

/** Runs the bootstrap (runSteps) behind a listr2 task list; prompts render in the running task. */
export async function runBootstrap(
  options: BootstrapOptions,
  ports: BootstrapPorts,
  terminal: BootstrapTerminal,
): Promise<BootstrapRun> {
  const {Listr, ListrLogger, ListrPromptAdapter, ListrTaskEventType, ProcessOutput} = await import('listr2')
  const selected = new Set(options.steps)
  const slots = new Map(STEP_IDS.map((id) => [id, slot()]))
  const slotOf = (id: StepId) => slots.get(id)!
  let current: ShownTask | undefined
  let seen = new Set<string>()

  class PromptBridge extends ListrPromptAdapter {
    async run<T>(ask: (output: Writable) => Promise<T>): Promise<T> {
      this.reportStarted()
      try {
        const answer = await ask(this.wrapper.stdout(ListrTaskEventType.PROMPT))
        this.reportCompleted()
        return answer
      } catch (error) {
        this.reportFailed()
        throw error
      }
    }
  }

  /** Runs `ask` with the running task's prompt stream (live renderer) when prompts can appear. */
  const prompting = <T>(ask: (output?: Writable) => Promise<T>): Promise<T> =>
    terminal.interactive && current ? current.prompt(PromptBridge).run(ask) : ask()

  const io: BootstrapIO = {
    interactive: terminal.interactive,
    confirm: (summary) => prompting((output) => terminal.confirm(summary, output)),
    secret: (message, flag) => prompting((output) => terminal.secret(message, flag, output)),
    sensitive: (value) => terminal.sensitive(value),
    ...(terminal.warned ? {warned: (message: string) => terminal.warned!(message)} : {}),
  }

  const output = options.output ?? process.stderr
  const logger = new ListrLogger({processOutput: new ProcessOutput(output, output), useIcons: true})
  const tasks = STEP_IDS.map((id) => ({
    title: STEP_TITLES[id],
    skip: () => (selected.has(id) ? false : 'not selected'),
    task: async (_ctx: unknown, task: ShownTask) => {
      slotOf(id).start(task)
      const ending = await slotOf(id).ended
      if ('error' in ending) throw ending.error
      const {outcome, durationMs} = ending
      if (outcome.status === 'already-done' || outcome.status === 'skipped') {
        task.skip(outcome.status === 'skipped' ? outcome.detail : `${outcome.status}: ${outcome.detail}`)
      } else task.title = `${STEP_TITLES[id]} — ${outcome.status}: ${outcome.detail} (${formatDuration(durationMs)})`
    },
  }))
  const list = new Listr(
    tasks as never,
    {
      concurrent: false,
      exitOnError: true,
      registerSignalListeners: false,
      renderer: options.renderer,
      fallbackRenderer: 'simple',
      rendererOptions: {logger, collapseSkips: false, showSkipMessage: true, outputBar: options.verbose ? Infinity : 3},
      fallbackRendererOptions: {logger},
    } as never,
  )
  // A step's failure rejects the list: it is already in the run's result.
  const listed = list.run().then(
    () => ({error: undefined}),
    (error: unknown) => ({error}),
  )

  const show = async (event: BootstrapEvent): Promise<void> => {
    switch (event.type) {
      case 'started': {
        // listr runs the task after the previous one has shown its end: lines and prompts wait for it.
        const task = await Promise.race([slotOf(event.step).running, listed])
        if (!('title' in task)) throw task.error ?? new Error('the task list ended before the step started')
        current = task
        seen = new Set()
        return
      }
      case 'line': {
        if (!current) return
        if (options.verbose) current.output = event.text
        else if (isProgressLine(event.text) && !seen.has(event.text)) {
          seen.add(event.text)
          current.output = event.text
        }
        return
      }
      case 'finished': {
        current = undefined
        slotOf(event.step).end({outcome: event.outcome, durationMs: event.durationMs})
        return
      }
      case 'failed': {
        current = undefined
        slotOf(event.step).end({error: event.error})
      }
    }
  }

  const run = await runSteps(options, promptingPorts(ports, prompting), io, show).finally(() => {
    // Never leave a task waiting (a run that threw): the list ends too.
    for (const s of slots.values()) s.end({error: new Error('the bootstrap run ended')})
  })
  const {error} = await listed
  // The list failed on its own (a step's failure is already the run's): the run failed, as at its first step.
  if (error !== undefined && !run.error) {
    return {...run, error: toPikselError(error), failedAt: options.steps[0] ?? 'preflight'}
  }
  return run
}

/** The secret service's port, its value prompts rendered in the running task. */
function promptingPorts(
  ports: BootstrapPorts,
  prompting: <T>(ask: (output?: Writable) => Promise<T>) => Promise<T>,
): BootstrapPorts {
  const {create} = ports.secrets
  if (!create) return ports
  const secrets: SecretsPort = {
    check: (env) => ports.secrets.check(env),
    create: (env, name) => prompting((output) => create.call(ports.secrets, env, name, {output})),
  }
  return {...ports, secrets}
}

/** Pure: the listr2 renderer for this terminal. */
export function chooseRenderer(stderrIsTTY: boolean, verbose: boolean): RendererName {
  if (stderrIsTTY) return 'default'
  return verbose ? 'verbose' : 'simple'
}
