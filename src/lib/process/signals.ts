/**
 * The one stop-signal policy of every command (the base command installs it).
 *
 * SIGINT (Ctrl-C), SIGTERM (what CI runners send when a job is cancelled, often
 * after a SIGINT and before a SIGKILL) and SIGHUP (the terminal went away) all
 * mean "stop safely":
 *
 * 1. The first one aborts the command's AbortSignal with a {@link StopRequest}.
 *    Every running child (terraform, flux, aws) gets exactly one SIGINT, whatever
 *    the signal piksel received: SIGINT is the graceful stop of all three (Terraform
 *    treats SIGINT and SIGTERM alike, but dies at once on SIGHUP, and a second
 *    SIGINT makes it stop hard and can leave its state lock). Children run in
 *    their own process group, so a signal to piksel's group reaches only piksel.
 * 2. piksel keeps reading the child's output until it exits: a child whose output
 *    pipe closes dies of SIGPIPE on its next write, which is how Terraform lost
 *    its state and left its `.tflock` behind when piksel exited at once.
 * 3. A second signal while a child still runs is reported and otherwise ignored;
 *    a third one (or a second with no child running) exits at once.
 * 4. The exit code is 128 + the signal number: 130 (SIGINT), 143 (SIGTERM), 129 (SIGHUP).
 */
import {constants} from 'node:os'

import {InterruptedError} from '../errors.ts'

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
export type StopSignal = (typeof STOP_SIGNALS)[number]

/** What every child is sent, once, on the first stop signal. */
export const CHILD_STOP_SIGNAL = 'SIGINT'

/** How many stop signals piksel waits through while a child is still stopping (the next one exits). */
export const PATIENT_SIGNALS = 2

/** The shell's convention, 128 + signal number: 130 SIGINT, 143 SIGTERM, 129 SIGHUP. Pure. */
export function signalExitCode(signal: StopSignal): number {
  return 128 + constants.signals[signal]
}

/** How people name the signal. Pure. */
export function describeSignal(signal: StopSignal): string {
  if (signal === 'SIGINT') return 'Ctrl-C (SIGINT)'
  if (signal === 'SIGHUP') return 'SIGHUP (the terminal closed)'
  return 'SIGTERM'
}

/** The abort reason of a stopped command: which signal stopped it. */
export class StopRequest extends InterruptedError {
  readonly signal: StopSignal

  constructor(signal: StopSignal) {
    super(signal === 'SIGINT' ? 'Interrupted.' : `Interrupted by ${signal}.`)
    this.signal = signal
  }
}

/** The stop signal behind an AbortSignal's reason (SIGINT when the reason does not say). Pure. */
export function stopSignalOf(reason: unknown): StopSignal {
  return reason instanceof StopRequest ? reason.signal : 'SIGINT'
}

/** The children piksel started that have not exited yet (name and pid), for the repeated-signal message. */
const running = new Map<number, string>()

export function trackChild(pid: number | undefined, name: string): () => void {
  if (pid === undefined) return () => {}
  running.set(pid, name)
  return () => running.delete(pid)
}

export function runningChildren(): string[] {
  return [...new Set(running.values())]
}

export type RepeatedSignalAction = {action: 'wait'; message: string} | {action: 'exit'; message?: string}

/**
 * Pure: what a repeated stop signal does. `count` is how many stop signals arrived
 * so far (2 for the second); `children` the names of the children still running.
 */
export function repeatedSignalAction(
  signal: StopSignal,
  count: number,
  children: readonly string[],
): RepeatedSignalAction {
  if (children.length === 0) return {action: 'exit'}
  const who = children.join(', ')
  if (count <= PATIENT_SIGNALS) {
    return {
      action: 'wait',
      message:
        `piksel: ${signal} again: still waiting for ${who} to stop gracefully (it is writing its state and ` +
        `releasing its lock). Exiting now would kill it mid-write; send the signal once more to exit anyway.`,
    }
  }
  return {
    action: 'exit',
    message:
      `piksel: ${signal} a third time: exiting without waiting for ${who}. ` +
      'Its state lock may be left behind: the next run reports it (STATE_LOCKED) with the ' +
      '`terraform force-unlock` command to run once nobody is applying.',
  }
}
