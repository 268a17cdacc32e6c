/**
 * The bootstrap step graph and its control flags (--from, --only, --skip).
 * Pure: no I/O, tested table-driven.
 */
import {UsageError} from '../errors.ts'
import {type CarriedFlags, RESUME_FLAGS, commandLine} from './rerun.ts'

export const STEP_IDS = [
  'preflight',
  'identity',
  'oidc',
  'spot-role',
  'dns',
  'state-backend',
  'secrets',
  'quota',
  'infrastructure',
  'kubeconfig',
  'flux',
  'applications',
  'health',
] as const

export type StepId = (typeof STEP_IDS)[number]

export const STEP_TITLES: Record<StepId, string> = {
  preflight: 'Preflight: the tools bootstrap needs',
  identity: 'Identity: the account guard',
  oidc: 'OIDC: GitHub Actions can run Terraform',
  'spot-role': 'Spot role: Karpenter can start Spot nodes',
  dns: 'DNS: the zone exists and is delegated',
  'state-backend': 'State backend: the Terraform state bucket',
  secrets: 'Secrets: the expected secrets exist',
  quota: 'Quota: GPU vCPUs for Karpenter',
  infrastructure: 'Infrastructure: Terraform phase 1',
  kubeconfig: 'Kubeconfig: the cluster context',
  flux: 'Flux: bootstrap GitOps',
  applications: 'Applications: Terraform phase 2',
  health: 'Health: wait until Flux is Ready',
}

/** Steps that write something (AWS, Terraform state, kubeconfig, Git). */
export const WRITE_STEPS: readonly StepId[] = [
  'oidc',
  'spot-role',
  'state-backend',
  'secrets',
  'quota',
  'infrastructure',
  'kubeconfig',
  'flux',
  'applications',
]

/** The tools each step runs as child processes; preflight checks only those of the selected steps. */
const STEP_TOOLS: Partial<Record<StepId, string[]>> = {
  'state-backend': ['terraform'],
  infrastructure: ['terraform'],
  kubeconfig: ['aws'],
  flux: ['flux', 'git'],
  applications: ['terraform'],
}

export interface StepControl {
  from?: string
  /** --only: one or more step ids (comma-separated on the command line). */
  only?: string[]
  skip?: string[]
}

export function isStepId(value: string): value is StepId {
  return (STEP_IDS as readonly string[]).includes(value)
}

/** Splits `a,b` and repeated flag values into ids, trimmed, without empties. */
export function splitList(values: string[] | string | undefined): string[] {
  if (values === undefined) return []
  const list = Array.isArray(values) ? values : [values]
  return list
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean)
}

/**
 * A step-list flag that was given must name steps, every element of it: `--only ""`,
 * `--only ,`, `--skip " "` or `--only flux,,health` is a usage error, never "all steps".
 */
function assertNoEmptyIds(flag: string, values: string[] | string | undefined): void {
  if (values === undefined) return
  const list = Array.isArray(values) ? values : [values]
  const elements = list.flatMap((value) => value.split(','))
  if (elements.length === 0 || elements.some((element) => element.trim() === '')) {
    const given = list.map((value) => JSON.stringify(value)).join(' ')
    throw new UsageError(`${flag} ${given}: an empty step name (${flag} takes step ids, comma-separated).`, {
      code: 'EMPTY_STEP',
      hint: `Name the steps, e.g. ${flag} infrastructure,kubeconfig. Valid steps, in order: ${STEP_IDS.join(', ')}.`,
    })
  }
}

/**
 * One occurrence of `--only` or `--skip` as typed (`"flux,health"`): its step ids,
 * or the usage error selectSteps gives for it (EMPTY_STEP, UNKNOWN_STEP). The
 * bootstrap command's list flags check each occurrence with it while parsing.
 */
export function stepList(flag: string, given: string): StepId[] {
  assertNoEmptyIds(flag, given)
  const ids = splitList(given)
  const bad = ids.filter((id) => !isStepId(id))
  if (bad.length > 0) throw unknownStep(flag, bad)
  return ids as StepId[]
}

function unknownStep(flag: string, ids: string[]): UsageError {
  return new UsageError(`${flag}: unknown step ${ids.map((id) => `"${id}"`).join(', ')}.`, {
    code: 'UNKNOWN_STEP',
    hint: `Valid steps, in order: ${STEP_IDS.join(', ')}.`,
  })
}

/**
 * The steps to run, in order. Unknown ids are a usage error (exit 2) listing the
 * valid ones. The account guard (`identity`) cannot be skipped and runs whenever
 * a step that writes is selected.
 */
export function selectSteps(control: StepControl): StepId[] {
  assertNoEmptyIds('--only', control.only)
  assertNoEmptyIds('--skip', control.skip)
  assertNoEmptyIds('--from', control.from)
  const only = splitList(control.only)
  const skip = splitList(control.skip)
  const from = control.from?.trim()
  if (from !== undefined && only.length > 0) {
    throw new UsageError('--from and --only cannot be combined.', {
      code: 'CONFLICTING_FLAGS',
      hint: `Use --from STEP to resume, or --only STEP[,STEP] to run some. Valid steps, in order: ${STEP_IDS.join(', ')}.`,
    })
  }
  if (from !== undefined && !isStepId(from)) throw unknownStep('--from', [from])
  const badOnly = only.filter((id) => !isStepId(id))
  if (badOnly.length > 0) throw unknownStep('--only', badOnly)
  const badSkip = skip.filter((id) => !isStepId(id))
  if (badSkip.length > 0) throw unknownStep('--skip', badSkip)
  if (skip.includes('identity')) {
    throw new UsageError('--skip identity: the account guard always runs before anything is written.', {
      code: 'GUARD_NOT_SKIPPABLE',
      hint: `Skip other steps; valid steps: ${STEP_IDS.join(', ')}.`,
    })
  }

  let selected: StepId[]
  if (only.length > 0) selected = STEP_IDS.filter((id) => only.includes(id))
  else if (from !== undefined) selected = STEP_IDS.slice(STEP_IDS.indexOf(from as StepId))
  else selected = [...STEP_IDS]
  selected = selected.filter((id) => !skip.includes(id))
  if (selected.length === 0) {
    throw new UsageError('No step left to run.', {
      code: 'NO_STEPS',
      hint: `Valid steps, in order: ${STEP_IDS.join(', ')}.`,
    })
  }
  if (selected.some((id) => WRITE_STEPS.includes(id)) && !selected.includes('identity')) {
    selected = STEP_IDS.filter((id) => id === 'identity' || selected.includes(id))
  }
  return selected
}

/** The tools preflight checks for the selected steps, in a stable order. */
export function toolsFor(steps: readonly StepId[]): string[] {
  const tools = new Set<string>()
  for (const step of steps) for (const tool of STEP_TOOLS[step] ?? []) tools.add(tool)
  return ['terraform', 'flux', 'kubectl', 'aws', 'git'].filter((tool) => tools.has(tool))
}

/** `--skip` for the steps after `step` that `selected` leaves out (identity always runs). Pure. */
function skipArgs(step: StepId, selected: readonly StepId[]): string[] {
  const rest = STEP_IDS.slice(STEP_IDS.indexOf(step))
  const left = rest.filter((id) => id !== 'identity' && id !== step && !selected.includes(id))
  return left.length > 0 ? ['--skip', left.join(',')] : []
}

/**
 * The command that resumes a bootstrap at `step`. With the selection of the run
 * that stopped, the steps it left out after `step` stay left out (--skip); the
 * flags that chose its target (`flags`: --infra-dir, --kubeconfig, --config, ...)
 * are repeated, and --dry-run when the run was one, so the line works when pasted.
 */
export function resumeCommand(
  env: string,
  step: StepId,
  selected?: readonly StepId[],
  flags: CarriedFlags = {},
): string {
  const args = ['piksel', 'bootstrap', '-e', env, '--from', step, ...(selected ? skipArgs(step, selected) : [])]
  return commandLine(args, flags, RESUME_FLAGS)
}

/**
 * `piksel bootstrap -e <env>` for exactly the `selected` steps (`--from`, `--skip`; nothing for
 * all of them), with `flags` of `accepted`: what a dry run's "to apply what was planned" names. Pure.
 */
export function selectionCommand(
  env: string,
  selected: readonly StepId[],
  flags: CarriedFlags,
  accepted: readonly string[],
): string {
  const first = STEP_IDS.find((id) => id !== 'identity' && selected.includes(id))
  const args = ['piksel', 'bootstrap', '-e', env]
  if (first) args.push(...(first === STEP_IDS[0] ? [] : ['--from', first]), ...skipArgs(first, selected))
  return commandLine(args, flags, accepted)
}
