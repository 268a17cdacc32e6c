/**
 * `-target` addresses against what the configuration declares. Terraform plans
 * "No changes" for a target that matches nothing (a typo `terraform_data.vcp`,
 * a `module.nope`), so a phase with such a target would be reported as already
 * done while nothing of it exists. Pure, tested table-driven.
 *
 * Grammar (Terraform's addrs.ParseTarget): zero or more `module.NAME[KEY]?`
 * steps, then optionally a resource `[data.|ephemeral.]TYPE.NAME[KEY]?`; KEY is
 * a number or a quoted string. The configuration comes from the `configuration`
 * section of `terraform show -json PLANFILE` (root_module.resources and
 * module_calls.NAME.module, nested), which holds the whole configuration even
 * for a targeted plan. Instance keys (count/for_each) are known only once
 * Terraform has evaluated them: a target with a key is checked against the
 * resource instances of its own phase's plan (`resource_changes`).
 */
import {UsageError} from '../errors.ts'

export type ResourceMode = 'managed' | 'data' | 'ephemeral'

export interface TargetAddress {
  modules: Array<{name: string; key?: string}>
  resource?: {mode: ResourceMode; type: string; name: string; key?: string}
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*/

/** Parses a target or resource instance address; undefined when it is not one. Pure. */
export function parseAddress(text: string): TargetAddress | undefined {
  let rest = text.trim()
  const modules: TargetAddress['modules'] = []
  const ident = (): string | undefined => {
    const match = IDENT.exec(rest)
    if (!match) return undefined
    rest = rest.slice(match[0].length)
    return match[0]
  }
  const key = (): string | undefined | null => {
    if (!rest.startsWith('[')) return undefined
    const match = /^\[\s*("(?:[^"\\]|\\.)*"|-?\d+)\s*\]/.exec(rest)
    if (!match) return null
    rest = rest.slice(match[0].length)
    return match[1]
  }
  const dot = (): boolean => {
    if (!rest.startsWith('.')) return false
    rest = rest.slice(1)
    return true
  }
  while (rest.startsWith('module.')) {
    rest = rest.slice('module.'.length)
    const name = ident()
    if (!name) return undefined
    const k = key()
    if (k === null) return undefined
    modules.push(k === undefined ? {name} : {name, key: k})
    if (rest === '') return {modules}
    if (!dot()) return undefined
  }
  // Nothing left here: the text was empty, or a module step ended in a dot (`module.eks.`), which Terraform refuses.
  if (rest === '') return undefined
  let mode: ResourceMode = 'managed'
  for (const prefix of ['data', 'ephemeral'] as const) {
    if (rest.startsWith(`${prefix}.`)) {
      mode = prefix
      rest = rest.slice(prefix.length + 1)
    }
  }
  const type = ident()
  if (!type || !dot()) return undefined
  const name = ident()
  if (!name) return undefined
  const k = key()
  if (k === null || rest !== '') return undefined
  return {modules, resource: k === undefined ? {mode, type, name} : {mode, type, name, key: k}}
}

/** The `configuration` section of `terraform show -json` (the parts used here). */
export interface ConfigModule {
  resources?: Array<{address?: string; mode?: string; type?: string; name?: string}>
  module_calls?: Record<string, {module?: ConfigModule}>
}

export interface ShowJsonConfiguration {
  configuration?: {root_module?: ConfigModule}
}

/** Whether the configuration declares what the target names (instance keys aside). Pure. */
export function targetInConfiguration(target: TargetAddress, root: ConfigModule): boolean {
  let module: ConfigModule | undefined = root
  for (const step of target.modules) {
    const call: {module?: ConfigModule} | undefined = module?.module_calls?.[step.name]
    if (!call) return false
    // A module call whose own configuration is not in the JSON cannot be checked further: accept it.
    if (!call.module) return true
    module = call.module
  }
  const resource = target.resource
  if (!resource) return true
  return (module?.resources ?? []).some(
    (r) => (r.mode ?? 'managed') === resource.mode && r.type === resource.type && r.name === resource.name,
  )
}

/** Every module and resource address the configuration declares, for suggestions. Pure. */
export function configurationAddresses(root: ConfigModule, prefix = ''): string[] {
  const out: string[] = []
  for (const r of root.resources ?? []) {
    const mode = r.mode === 'data' ? 'data.' : r.mode === 'ephemeral' ? 'ephemeral.' : ''
    out.push(`${prefix}${mode}${r.type}.${r.name}`)
  }
  for (const [name, call] of Object.entries(root.module_calls ?? {})) {
    out.push(`${prefix}module.${name}`)
    if (call.module) out.push(...configurationAddresses(call.module, `${prefix}module.${name}.`))
  }
  return out
}

/** Whether a resource instance address (from a plan) lies within what the target names. Pure. */
export function addressWithinTarget(address: string, target: string): boolean {
  const a = parseAddress(address)
  const t = parseAddress(target)
  if (!a || !t) return false
  if (t.modules.length > a.modules.length) return false
  for (const [i, step] of t.modules.entries()) {
    const other = a.modules[i]!
    if (other.name !== step.name) return false
    if (step.key !== undefined && other.key !== step.key) return false
  }
  if (!t.resource) return true
  if (!a.resource || a.modules.length !== t.modules.length) return false
  const [x, y] = [a.resource, t.resource]
  return x.mode === y.mode && x.type === y.type && x.name === y.name && (y.key === undefined || x.key === y.key)
}

/** Edit distance where swapping two neighbours counts once (optimal string alignment): vcp is 1 from vpc. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({length: a.length + 1}, (_, i) =>
    Array.from({length: b.length + 1}, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  )
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1)
      d[i]![j] = best
    }
  }
  return d[a.length]![b.length]!
}

/** The closest declared address, when one is close enough to be a typo of it. Pure. */
export function closestAddress(target: string, addresses: readonly string[]): string | undefined {
  const bare = target.replace(/\[[^\]]*\]/g, '')
  let best: {address: string; d: number} | undefined
  for (const address of addresses) {
    const d = distance(bare, address)
    if (!best || d < best.d) best = {address, d}
  }
  return best && best.d <= Math.max(2, Math.floor(bare.length / 5)) ? best.address : undefined
}

export interface PhaseTargets {
  name: string
  targets: readonly string[]
}

export interface UnmatchedTarget {
  phase: string
  target: string
  /** Why: not an address, or nothing in the configuration (or the plan) has it. */
  reason: 'invalid' | 'not-in-configuration' | 'no-instance'
  suggestion?: string
}

/** Pure: the malformed targets (Terraform would refuse them: "Invalid target"). */
export function invalidTargets(phases: readonly PhaseTargets[]): UnmatchedTarget[] {
  return phases.flatMap((phase) =>
    phase.targets
      .filter((target) => parseAddress(target) === undefined)
      .map((target) => ({phase: phase.name, target, reason: 'invalid' as const})),
  )
}

/** Pure: every configured target the configuration does not declare. */
export function targetsNotInConfiguration(
  phases: readonly PhaseTargets[],
  show: ShowJsonConfiguration,
): UnmatchedTarget[] {
  const root = show.configuration?.root_module
  if (!root) return []
  const known = configurationAddresses(root)
  const out: UnmatchedTarget[] = []
  for (const phase of phases) {
    for (const target of phase.targets) {
      const parsed = parseAddress(target)
      if (!parsed) out.push({phase: phase.name, target, reason: 'invalid'})
      else if (!targetInConfiguration(parsed, root)) {
        const suggestion = closestAddress(target, known)
        out.push({phase: phase.name, target, reason: 'not-in-configuration', ...(suggestion ? {suggestion} : {})})
      }
    }
  }
  return out
}

/**
 * Pure: the targets with an instance key (`x.y[3]`, `module.m["a"]`) that no
 * resource instance of their phase's plan lies within (`addresses`: every
 * resource_changes address, no-ops included).
 */
export function instanceTargetsWithoutMatch(phase: PhaseTargets, addresses: readonly string[]): UnmatchedTarget[] {
  return phase.targets
    .filter((target) => /\[/.test(target))
    .filter((target) => !addresses.some((address) => addressWithinTarget(address, target)))
    .map((target) => ({phase: phase.name, target, reason: 'no-instance' as const}))
}

/** The refusal (exit 2, UNKNOWN_TARGET), naming every target and the config key to fix. */
export function unmatchedTargetsError(
  unmatched: readonly UnmatchedTarget[],
  where: string,
  envName: string,
  outcome = 'Nothing was applied.',
): UsageError {
  const describe = (u: UnmatchedTarget) => {
    const why =
      u.reason === 'invalid'
        ? 'is not a resource or module address'
        : u.reason === 'no-instance'
          ? 'matches no resource instance (check its count/for_each key)'
          : 'matches nothing in the configuration'
    return `"${u.target}" (phase ${u.phase}) ${why}${u.suggestion ? ` (did you mean "${u.suggestion}"?)` : ''}`
  }
  const list = unmatched.map(describe).join('; ')
  return new UsageError(`${where}: phase target ${list}. ${outcome}`, {
    code: 'UNKNOWN_TARGET',
    hint: `Fix environments.${envName}.terraform.phases in piksel.config.yaml: targets are resource or module addresses of the root, e.g. module.vpc or aws_s3_bucket.logs.`,
  })
}
