/**
 * The bootstrap runner: a plain sequencer. It runs the selected steps in order
 * (each one file in steps/, registered in steps/index.ts), stops at the first
 * failure, reports what happens as events (started, output line, finished,
 * failed), and returns the result and the failure, its hint naming the
 * command that resumes. Services come in as ports and every prompt through
 * `io`, both provided by the command, which also shows the events (the task
 * list: src/command-kit/bootstrap-tasks.ts).
 */
import {InterruptedError, type PikselError, toPikselError} from '../errors.ts'
import {checkBeforeWrites} from './preflight.ts'
import type {BootstrapPorts} from './ports.ts'
import {type CarriedFlags, modeFlags} from './rerun.ts'
import type {BootstrapIO, BootstrapReporter, RunOptions, RunState, StepContext, StepOutcome} from './step-context.ts'
import {STEP_IDS, type StepId, WRITE_STEPS, resumeCommand} from './steps.ts'
import {STEPS} from './steps/index.ts'
import {type BootstrapResult, type StepReport, nextSteps} from './summary.ts'

export type {BootstrapEvent, BootstrapIO, BootstrapReporter, RunOptions, StepContext} from './step-context.ts'

export interface BootstrapRun {
  result: BootstrapResult
  /** The failure that stopped the run (its hint names the resume command). */
  error?: PikselError
  /** The step that failed or was interrupted. */
  failedAt?: StepId
}

/**
 * Runs the selected steps in order. Never throws for a step's failure: it is
 * reported (`failed`), ends the run, and comes back in `error` and `failedAt`.
 */
export async function runSteps(
  options: RunOptions,
  ports: BootstrapPorts,
  io: BootstrapIO,
  report: BootstrapReporter = () => {},
): Promise<BootstrapRun> {
  const selected = new Set(options.steps)
  const reports = new Map<StepId, StepReport>()
  let changed = false
  const state: RunState = {account: null, bucketMissing: false, converged: null}
  let failure: {error: PikselError; step: StepId} | undefined

  for (const id of STEP_IDS.filter((step) => selected.has(step))) {
    await report({type: 'started', step: id})
    const started = performance.now()
    const ctx: StepContext = {
      options,
      ports,
      io,
      state,
      line: (text) => void report({type: 'line', step: id, text}),
      warn: (message) => {
        ctx.line(`piksel: warning: ${message}`)
        io.warned?.(message)
      },
    }
    let outcome: StepOutcome
    try {
      if (options.signal?.aborted) throw new InterruptedError()
      // Without preflight, its pre-write checks still run before the first write.
      if (!state.preWriteChecked && WRITE_STEPS.includes(id)) await checkBeforeWrites(ctx)
      outcome = await STEPS[id](ctx)
    } catch (error) {
      const e = toPikselError(error)
      const durationMs = Math.round(performance.now() - started)
      reports.set(id, {id, status: 'failed', durationMs, detail: e.message})
      failure = {error: e, step: id}
      await report({type: 'failed', step: id, error: e, durationMs})
      break
    }
    const durationMs = Math.round(performance.now() - started)
    reports.set(id, {
      id,
      status: outcome.status,
      durationMs,
      detail: outcome.detail,
      ...(outcome.details ? {details: outcome.details} : {}),
    })
    // A step that ends with a warning (quota below target, not requested) says so in the JSON's warnings too.
    if (outcome.detail.startsWith('warning: ')) io.warned?.(`${id}: ${outcome.detail.slice('warning: '.length)}`)
    if (outcome.changed ?? (outcome.status === 'done' && WRITE_STEPS.includes(id))) changed = true
    await report({type: 'finished', step: id, outcome, durationMs})
  }

  const steps: StepReport[] = STEP_IDS.map(
    (id) =>
      reports.get(id) ?? {
        id,
        status: 'skipped',
        durationMs: 0,
        detail: !selected.has(id) ? 'not selected' : 'not reached',
      },
  )
  const base = {
    env: options.env.name,
    account: state.account,
    dryRun: options.dryRun,
    changed,
    converged: state.converged,
    steps,
  }
  const result: BootstrapResult = {
    ...base,
    nextSteps: nextSteps(base, options.env.cluster, failure?.step, options.steps, options.rerunFlags, options),
  }
  if (!failure) return {result}
  return {
    result,
    // A dry run's resume stays a dry run.
    error: withResume(failure.error, options.env.name, failure.step, options.steps, {
      ...options.rerunFlags,
      ...modeFlags({dryRun: options.dryRun}),
    }),
    failedAt: failure.step,
  }
}

/** Adds the resume command to a failure's hint. */
function withResume(
  error: PikselError,
  env: string,
  step: StepId,
  selected: readonly StepId[],
  flags?: CarriedFlags,
): PikselError {
  const command = resumeCommand(env, step, selected, flags)
  if (error instanceof InterruptedError) return new InterruptedError(error.message, {hint: `Resume with: ${command}`})
  const resume = `Then resume: ${command}`
  // The same error, its class and fields kept (a failed child's command, exit code and output), the hint extended.
  const resumed = Object.create(
    Object.getPrototypeOf(error) as object,
    Object.getOwnPropertyDescriptors(error),
  ) as PikselError
  return Object.assign(resumed, {hint: error.hint ? `${error.hint} ${resume}` : resume, cause: error})
}
