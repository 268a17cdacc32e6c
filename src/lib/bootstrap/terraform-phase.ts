/**
 * One Terraform root, safely: init with the environment's backend, `plan -out`
 * per phase, a summary from `terraform show -json`, the destroy guard, a
 * confirmation, then `apply` of exactly that saved plan.
 */
import {mkdirSync, rmSync} from 'node:fs'
import {join} from 'node:path'

import type {TerraformPhase} from '../config/environment.ts'
import {OperationError} from '../errors.ts'
import type {OutputStream} from '../process/run.ts'
import {
  type PlanSummary,
  assertDestroyAllowed,
  formatPlanResources,
  formatPlanSummary,
  planIsEmpty,
  summarizePlan,
} from '../terraform/plan.ts'
import {Terraform} from '../terraform/runner.ts'
import {planFileName, targetArgs} from './phases.ts'

export interface TerraformRootOptions {
  /** Label for messages, e.g. "infrastructure". */
  label: string
  dir: string
  /** -backend-config arguments for init (empty for a local backend). */
  backendConfig: string[]
  phases: TerraformPhase[]
  profile?: string
  region?: string
  dryRun: boolean
  allowDestroy: boolean
  /** Asked before each apply, with the plan summary; false stops the run. */
  confirm: (message: string) => Promise<boolean>
  onLine?: (line: string, stream: OutputStream) => void
  signal?: AbortSignal
}

export interface PhaseOutcome {
  phase: string
  summary: PlanSummary
  applied: boolean
}

export interface TerraformRootOutcome {
  status: 'done' | 'already-done' | 'planned'
  detail: string
  phases: PhaseOutcome[]
}

export async function applyTerraformRoot(options: TerraformRootOptions): Promise<TerraformRootOutcome> {
  const tf = new Terraform({
    dir: options.dir,
    profile: options.profile,
    region: options.region,
    onLine: options.onLine,
    signal: options.signal,
  })
  await tf.init(options.backendConfig)
  const planDir = join(options.dir, '.terraform')
  mkdirSync(planDir, {recursive: true})
  const outcomes: PhaseOutcome[] = []
  for (const phase of options.phases) {
    const planFile = join(planDir, planFileName(phase))
    try {
      await tf.plan(planFile, targetArgs(phase))
      const summary = summarizePlan(await tf.showJson(planFile))
      const where = `${options.label} (phase ${phase.name}, ${options.dir})`
      options.onLine?.(`plan ${phase.name}: ${formatPlanSummary(summary)}`, 'stdout')
      for (const line of formatPlanResources(summary)) options.onLine?.(`  ${line}`, 'stdout')
      if (planIsEmpty(summary)) {
        outcomes.push({phase: phase.name, summary, applied: false})
        continue
      }
      assertDestroyAllowed(summary, options.allowDestroy, where)
      if (options.dryRun) {
        outcomes.push({phase: phase.name, summary, applied: false})
        continue
      }
      const ok = await options.confirm(`Apply ${where}: ${formatPlanSummary(summary)}?`)
      if (!ok) {
        throw new OperationError(`${where}: apply declined; nothing was applied.`, {
          code: 'DECLINED',
          hint: 'Review the plan, then run again when ready.',
        })
      }
      await tf.apply(planFile)
      outcomes.push({phase: phase.name, summary, applied: true})
    } finally {
      rmSync(planFile, {force: true})
    }
  }
  return {status: rootStatus(outcomes, options.dryRun), detail: rootDetail(outcomes, options.dryRun), phases: outcomes}
}

/** Pure: the step status from the phases' outcomes. */
export function rootStatus(outcomes: readonly PhaseOutcome[], dryRun: boolean): TerraformRootOutcome['status'] {
  if (outcomes.every((o) => planIsEmpty(o.summary))) return 'already-done'
  return dryRun ? 'planned' : 'done'
}

/** Pure: "phase all: 2 to add, 0 to change, 0 to destroy (applied)". */
export function rootDetail(outcomes: readonly PhaseOutcome[], dryRun: boolean): string {
  if (outcomes.every((o) => planIsEmpty(o.summary))) return 'no changes: infrastructure matches the configuration'
  return outcomes
    .map((o) => {
      const state = planIsEmpty(o.summary) ? '' : o.applied ? ' (applied)' : dryRun ? ' (planned, not applied)' : ''
      return `phase ${o.phase}: ${formatPlanSummary(o.summary)}${state}`
    })
    .join('; ')
}
