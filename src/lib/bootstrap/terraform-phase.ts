/**
 * One Terraform root, safely: init with the environment's backend, `plan -out`
 * per phase, a summary from `terraform show -json`, the destroy guard, a
 * confirmation, then `apply` of exactly that saved plan.
 *
 * Phase targets must name something: the first plan's `configuration` is checked
 * against every configured target (UNKNOWN_TARGET, exit 2, before anything is
 * applied), and a target with an instance key against its own phase's plan.
 * With `converge`, a final untargeted plan follows a targeted last phase, so
 * resources in no phase's targets are planned and applied too; only an empty
 * untargeted plan lets the root count as matching its configuration.
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
import {
  type ShowJsonConfiguration,
  addressWithinTarget,
  instanceTargetsWithoutMatch,
  invalidTargets,
  targetsNotInConfiguration,
  unmatchedTargetsError,
} from '../terraform/targets.ts'
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
  /** Every phase of the environment (all steps): each target must match the configuration. Default: `phases`. */
  configuredPhases?: TerraformPhase[]
  /** Follow a targeted last phase with an untargeted plan of the whole root. */
  converge?: boolean
  /** The environment's name, for the hint naming its phases in the config. */
  envName?: string
}

export interface PhaseOutcome {
  phase: string
  summary: PlanSummary
  applied: boolean
  /** The plan had no -target (a root without phases, an untargeted phase, or the final plan). */
  untargeted: boolean
  /** The final untargeted plan that follows a targeted last phase. */
  final?: boolean
}

export interface TerraformRootOutcome {
  status: 'done' | 'already-done' | 'planned'
  detail: string
  phases: PhaseOutcome[]
  /**
   * true: an untargeted plan ran and was empty or applied; false: it has changes a
   * dry run did not apply, or only targeted phases ran (the rest was not planned).
   */
  converged: boolean
}

interface ShowJson extends ShowJsonConfiguration {
  format_version?: string
  resource_changes?: Array<{address?: string}>
}

/** The final untargeted plan's name in messages and plan files. */
const FINAL: TerraformPhase = {name: 'untargeted', targets: []}

export async function applyTerraformRoot(options: TerraformRootOptions): Promise<TerraformRootOutcome> {
  const configured = options.configuredPhases ?? options.phases
  const envName = options.envName ?? 'ENV'
  const malformed = invalidTargets(configured)
  if (malformed.length > 0) throw unmatchedTargetsError(malformed, `${options.label} (${options.dir})`, envName)
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
  const last = options.phases.at(-1)
  const phases = [...options.phases]
  if (options.converge && last && last.targets.length > 0) phases.push(FINAL)
  let checkedConfiguration = false
  for (const phase of phases) {
    const final = phase === FINAL
    const planFile = join(planDir, planFileName(phase))
    try {
      await tf.plan(planFile, targetArgs(phase))
      const show = parseShow(await tf.showJson(planFile))
      const summary = summarizePlan(show)
      const where = `${options.label} (${final ? 'final untargeted plan' : `phase ${phase.name}`}, ${options.dir})`
      const applied = outcomes.filter((o) => o.applied).map((o) => o.phase)
      const sofar = applied.length === 0 ? 'Nothing was applied.' : `Applied before: phase ${applied.join(', ')}.`
      if (!checkedConfiguration) {
        // The first plan's configuration is the whole root: every phase's targets are checked before any apply.
        checkedConfiguration = true
        const unknown = targetsNotInConfiguration(configured, show)
        if (unknown.length > 0)
          throw unmatchedTargetsError(unknown, `${options.label} (${options.dir})`, envName, sofar)
      }
      const addresses = (show.resource_changes ?? []).map((r) => r.address ?? '')
      const noInstance = instanceTargetsWithoutMatch(phase, addresses)
      if (noInstance.length > 0) throw unmatchedTargetsError(noInstance, where, envName, sofar)
      options.onLine?.(`plan ${final ? 'untargeted' : phase.name}: ${formatPlanSummary(summary)}`, 'stdout')
      for (const line of formatPlanResources(summary)) options.onLine?.(`  ${line}`, 'stdout')
      const outside = final ? outsideTargets(summary, configured) : []
      if (outside.length > 0) {
        options.onLine?.(
          `piksel: in no phase's targets: ${outside.slice(0, 10).join(', ')}${outside.length > 10 ? ', …' : ''}`,
          'stdout',
        )
      }
      const outcome: PhaseOutcome = {
        phase: phase.name,
        summary,
        applied: false,
        untargeted: phase.targets.length === 0,
        ...(final ? {final} : {}),
      }
      if (planIsEmpty(summary)) {
        outcomes.push(outcome)
        continue
      }
      assertDestroyAllowed(summary, options.allowDestroy, where)
      if (options.dryRun) {
        outcomes.push(outcome)
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
      outcomes.push({...outcome, applied: true})
    } finally {
      rmSync(planFile, {force: true})
    }
  }
  return {
    status: rootStatus(outcomes, options.dryRun),
    detail: rootDetail(outcomes, options.dryRun),
    phases: outcomes,
    converged: rootConverged(outcomes),
  }
}

function parseShow(text: string): ShowJson {
  try {
    return JSON.parse(text) as ShowJson
  } catch {
    throw new Error('terraform show -json did not print JSON')
  }
}

/** Pure: the changed resources that lie within no configured phase's targets. */
export function outsideTargets(summary: PlanSummary, phases: readonly TerraformPhase[]): string[] {
  const targets = phases.flatMap((p) => p.targets)
  return summary.resources
    .map((r) => r.address)
    .filter((address) => !targets.some((target) => addressWithinTarget(address, target)))
}

/** Pure: an untargeted plan ran, and it was empty or applied. */
export function rootConverged(outcomes: readonly PhaseOutcome[]): boolean {
  const untargeted = outcomes.filter((o) => o.untargeted)
  const lastUntargeted = untargeted.at(-1)
  return lastUntargeted !== undefined && (planIsEmpty(lastUntargeted.summary) || lastUntargeted.applied)
}

/** Pure: the step status from the phases' outcomes. */
export function rootStatus(outcomes: readonly PhaseOutcome[], dryRun: boolean): TerraformRootOutcome['status'] {
  if (outcomes.every((o) => planIsEmpty(o.summary))) return 'already-done'
  return dryRun ? 'planned' : 'done'
}

/** Pure: "phase all: 2 to add, 0 to change, 0 to destroy (applied)". */
export function rootDetail(outcomes: readonly PhaseOutcome[], dryRun: boolean): string {
  if (outcomes.every((o) => planIsEmpty(o.summary))) {
    if (outcomes.some((o) => o.untargeted)) return 'no changes: infrastructure matches the configuration'
    return `no changes in phase ${outcomes.map((o) => o.phase).join(', ')} (targeted: the rest of the configuration is planned after the last phase)`
  }
  return outcomes
    .map((o) => {
      const state = planIsEmpty(o.summary) ? '' : o.applied ? ' (applied)' : dryRun ? ' (planned, not applied)' : ''
      return `${o.final ? 'untargeted plan' : `phase ${o.phase}`}: ${formatPlanSummary(o.summary)}${state}`
    })
    .join('; ')
}
