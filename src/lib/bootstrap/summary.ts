/**
 * The bootstrap result, its statuses and the words around it: final summary,
 * next steps, which Terraform lines are worth showing. Pure, tested table-driven.
 */
import {formatDuration} from '../duration.ts'
import {APPLY_PLANNED_FLAGS, type CarriedFlags, KUBE_FLAGS, STATUS_FLAGS, commandLine, modeFlags} from './rerun.ts'
import type {StepId} from './steps.ts'
import {STEP_IDS, resumeCommand, selectionCommand} from './steps.ts'

export type StepStatus = 'done' | 'skipped' | 'already-done' | 'failed' | 'planned'

export interface StepReport {
  id: StepId
  status: StepStatus
  durationMs: number
  detail: string
  /** What the step found or made, for --json (the account steps: ARNs, the zone id, the delegation). */
  details?: Record<string, unknown>
}

export interface BootstrapResult {
  env: string
  account: string | null
  dryRun: boolean
  /** Something was written (applied, created, bootstrapped); false on a re-run that found everything done. */
  changed: boolean
  /**
   * The environment root after its last Terraform step: true when an untargeted plan
   * ran and was empty or applied; false when only targeted phases ran (the rest was not
   * planned) or a dry run planned changes; null when no Terraform step on it ran.
   */
  converged: boolean | null
  steps: StepReport[]
  nextSteps: string[]
}

/**
 * The "Next:" lines. Each repeats the flags the run was given that its command
 * takes (`flags`: --infra-dir, --kubeconfig, --config, ...), so it works when pasted:
 * a dry run's resume stays a dry run; its "to apply what was planned" runs the same
 * steps with the flags that shaped the plan (`modes`: --force-flux, --allow-destroy,
 * --request-quotas).
 */
export function nextSteps(
  result: Pick<BootstrapResult, 'env' | 'dryRun'>,
  cluster: string,
  failedAt?: StepId,
  selected?: readonly StepId[],
  flags: CarriedFlags = {},
  modes: {forceFlux?: boolean; allowDestroy?: boolean; requestQuotas?: boolean} = {},
): string[] {
  if (failedAt) {
    const resume = resumeCommand(result.env, failedAt, selected, {...flags, ...modeFlags({dryRun: result.dryRun})})
    return [`Fix the problem above, then resume: ${resume}`]
  }
  if (result.dryRun) {
    const apply = selectionCommand(
      result.env,
      selected ?? STEP_IDS,
      {...flags, ...modeFlags(modes)},
      APPLY_PLANNED_FLAGS,
    )
    return [`Nothing was applied. To apply what was planned: ${apply}`]
  }
  return [
    `${commandLine(['piksel', 'status', '-e', result.env], flags, STATUS_FLAGS)}    # Flux and workloads, any time`,
    commandLine(['kubectl', 'config', 'use-context', cluster], flags, KUBE_FLAGS),
    commandLine(['flux', 'get', 'kustomizations', '-A', '--context', cluster], flags, KUBE_FLAGS),
  ]
}

const PROGRESS =
  /^(\S+): (Creating|Modifying|Destroying|Creation complete|Modifications complete|Destruction complete|Still )|^(Plan:|Apply complete|No changes)|^[│\s]*(Error|Warning)\b|^(Interrupt received|Gracefully shutting down|Stopping operation)|^plan |^ {2}(-\/\+|->|<-|[-+~.]) \S*\.\S*( \([^()]*\))?$|^piksel:|^Terraform has been successfully initialized|^[►✔✗◎] /

/** Terraform and flux lines shown without --verbose: progress, the plan line, errors and warnings. */
export function isProgressLine(line: string): boolean {
  return PROGRESS.test(line)
}

/** The final summary for people: a table of steps with durations, then what changed and the next steps. */
export function renderSummary(result: BootstrapResult): string {
  const rows = result.steps.map((s) => [
    s.id,
    s.status,
    s.status === 'skipped' && s.durationMs === 0 ? '-' : formatDuration(s.durationMs),
    s.detail,
  ])
  const widths = [0, 1, 2].map((i) =>
    Math.max(...rows.map((r) => (r[i] ?? '').length), ['STEP', 'STATUS', 'TIME'][i]!.length),
  )
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i < 3 ? cell.padEnd(widths[i] ?? 0) : cell))
      .join('  ')
      .trimEnd()
  const total = result.steps.reduce((sum, s) => sum + s.durationMs, 0)
  const lines = [
    `bootstrap ${result.env}${result.account ? ` (account ${result.account})` : ''}${result.dryRun ? ' — dry run' : ''}`,
    '',
  ]
  lines.push(line(['STEP', 'STATUS', 'TIME', 'DETAIL']), ...rows.map(line), '')
  const failed = result.steps.find((s) => s.status === 'failed')
  if (failed) lines.push(`Stopped at ${failed.id} after ${formatDuration(total)}.`)
  else if (result.dryRun)
    lines.push(`Dry run finished in ${formatDuration(total)}: nothing was applied or bootstrapped.`)
  else if (!result.changed && result.converged === false) {
    // "Nothing to change" is said only when an untargeted plan found nothing.
    lines.push(
      `No changes in the phases that ran (${formatDuration(total)}), but they were targeted: the rest of the configuration was not planned (the applications step plans it untargeted).`,
    )
  } else if (!result.changed) lines.push(`Nothing to change: every step was already done (${formatDuration(total)}).`)
  else lines.push(`Done in ${formatDuration(total)}.`)
  lines.push('', 'Next:', ...result.nextSteps.map((step) => `  ${step}`))
  return lines.join('\n')
}
