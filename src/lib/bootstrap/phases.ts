/**
 * Terraform phases from the config. Pure, tested table-driven.
 *
 * `terraform.phases` lists phases in order, each a name and its `-target` list
 * (an empty list means everything). Every phase but the last belongs to the
 * `infrastructure` step; the last one is the `applications` step, applied after
 * Flux is bootstrapped. Without phases there is one apply of everything, in
 * `infrastructure`; with a single phase, `applications` has nothing to do.
 */
import type {TerraformPhase} from '../config/environment.ts'

export interface PhasePlan {
  infrastructure: TerraformPhase[]
  applications: TerraformPhase[]
}

export function resolvePhases(phases: readonly TerraformPhase[] | undefined): PhasePlan {
  const list = (phases ?? []).map((p) => ({name: p.name, targets: [...(p.targets ?? [])]}))
  if (list.length === 0) return {infrastructure: [{name: 'all', targets: []}], applications: []}
  if (list.length === 1) return {infrastructure: list, applications: []}
  return {infrastructure: list.slice(0, -1), applications: list.slice(-1)}
}

/** `-target=ADDR` for each target; none means the whole root. */
export function targetArgs(phase: TerraformPhase): string[] {
  return phase.targets.map((target) => `-target=${target}`)
}

/** A file-name-safe form of the phase name, for its saved plan. */
export function planFileName(phase: TerraformPhase): string {
  return `piksel-${phase.name.replace(/[^A-Za-z0-9_.-]+/g, '_')}.tfplan`
}
