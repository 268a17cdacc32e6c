/**
 * Reading `terraform show -json <planfile>`: what a saved plan would do, and
 * whether it may be applied. Pure, tested table-driven.
 */
import {UsageError} from '../errors.ts'

export type PlanAction = 'create' | 'update' | 'delete' | 'replace' | 'read' | 'forget' | 'no-op'

/**
 * A change to the state only, with no resource created, changed or destroyed, that Terraform
 * still applies (the plan is `applyable`): a `moved` block, an `import` block, or a `removed`
 * block with `destroy = false` (the `forget` action).
 */
export type StateOnlyAction = 'move' | 'import' | 'forget'

export interface PlannedChange {
  address: string
  action: PlanAction | StateOnlyAction
  /** The address it moves from (a moved block), when it moves. */
  from?: string
}

export interface PlanSummary {
  adds: number
  changes: number
  destroys: number
  replaces: number
  /** Root module outputs that change (an apply is still needed for them). */
  outputChanges: number
  /** Resources imported (import blocks), moved (moved blocks) and forgotten (removed, destroy = false). */
  imports: number
  moves: number
  forgets: number
  /** Every resource that changes, in plan order (no-ops and reads left out). */
  resources: PlannedChange[]
}

interface ShowJson {
  format_version?: string
  resource_changes?: Array<{
    address?: string
    mode?: string
    previous_address?: string
    change?: {actions?: string[]; importing?: unknown}
  }>
  output_changes?: Record<string, {actions?: string[]}>
}

/**
 * Terraform's action lists: ["create"], ["update"], ["delete"], ["delete","create"] / ["create","delete"]
 * (replace), ["read"], ["forget"] (a removed block with destroy = false; ["create","forget"] replaces
 * without destroying), ["no-op"].
 */
export function classifyActions(actions: readonly string[] | undefined): PlanAction {
  const list = actions ?? []
  if (list.includes('delete') && list.includes('create')) return 'replace'
  if (list.includes('delete')) return 'delete'
  if (list.includes('create')) return 'create'
  if (list.includes('update')) return 'update'
  if (list.includes('forget')) return 'forget'
  if (list.includes('read')) return 'read'
  return 'no-op'
}

/** Parses and summarises `terraform show -json` output (a string or the parsed object). */
export function summarizePlan(input: string | ShowJson): PlanSummary {
  let json: ShowJson
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input) as ShowJson
    } catch {
      throw new Error('terraform show -json did not print JSON')
    }
  } else json = input
  if (json === null || typeof json !== 'object' || json.format_version === undefined) {
    throw new Error('terraform show -json did not print a plan (no format_version)')
  }
  const summary: PlanSummary = {
    adds: 0,
    changes: 0,
    destroys: 0,
    replaces: 0,
    outputChanges: 0,
    imports: 0,
    moves: 0,
    forgets: 0,
    resources: [],
  }
  for (const change of json.resource_changes ?? []) {
    if (change.mode === 'data') continue
    const address = change.address ?? '(unknown)'
    const action = classifyActions(change.change?.actions)
    const importing = Boolean(change.change?.importing)
    const from = change.previous_address && change.previous_address !== address ? change.previous_address : undefined
    if (importing) summary.imports++
    if (from) summary.moves++
    if ((change.change?.actions ?? []).includes('forget')) summary.forgets++
    if (action === 'read') continue
    if (action === 'no-op') {
      // Nothing happens to the resource, but the state changes: Terraform applies it.
      if (importing) summary.resources.push({address, action: 'import'})
      else if (from) summary.resources.push({address, action: 'move', from})
      continue
    }
    summary.resources.push({address, action, ...(action === 'forget' && from ? {from} : {})})
    if (action === 'create') summary.adds++
    else if (action === 'update') summary.changes++
    else if (action === 'delete') summary.destroys++
    else if (action === 'replace') summary.replaces++
  }
  for (const output of Object.values(json.output_changes ?? {})) {
    const action = classifyActions(output.actions)
    if (action !== 'no-op' && action !== 'read') summary.outputChanges++
  }
  return summary
}

/** Nothing to apply: no resource and no output changes. */
export function planIsEmpty(summary: PlanSummary): boolean {
  return summary.resources.length === 0 && summary.outputChanges === 0
}

/**
 * "2 to add, 1 to change, 0 to destroy, 1 to replace": Terraform's own wording ("1 to import, …",
 * "…, 1 to forget"), replaces and moves counted apart.
 */
export function formatPlanSummary(summary: PlanSummary): string {
  if (planIsEmpty(summary)) return 'no changes'
  if (summary.resources.length === 0 && summary.outputChanges > 0) return `${summary.outputChanges} output change(s)`
  const parts = [`${summary.adds} to add`, `${summary.changes} to change`, `${summary.destroys} to destroy`]
  if (summary.imports > 0) parts.unshift(`${summary.imports} to import`)
  if (summary.replaces > 0) parts.push(`${summary.replaces} to replace`)
  if (summary.forgets > 0) parts.push(`${summary.forgets} to forget`)
  if (summary.moves > 0) parts.push(`${summary.moves} to move`)
  return parts.join(', ')
}

/** One line per changed resource: "+ terraform_data.a", "-/+ module.x.y", "-> b (moved from a)". */
export function formatPlanResources(summary: PlanSummary, limit = 20): string[] {
  const sign: Record<PlannedChange['action'], string> = {
    create: '+',
    update: '~',
    delete: '-',
    replace: '-/+',
    read: '<=',
    forget: '.',
    'no-op': ' ',
    move: '->',
    import: '<-',
  }
  const note = (r: PlannedChange) =>
    r.action === 'move'
      ? ` (moved from ${r.from})`
      : r.action === 'import'
        ? ' (import)'
        : r.action === 'forget'
          ? ' (forget: kept, no longer managed)'
          : ''
  const lines = summary.resources.slice(0, limit).map((r) => `${sign[r.action]} ${r.address}${note(r)}`)
  if (summary.resources.length > limit) lines.push(`… and ${summary.resources.length - limit} more`)
  return lines
}

export interface DestroyDecision {
  allowed: boolean
  /** The resources that would be destroyed (deleted or replaced). */
  destroyed: string[]
}

/** The destroy guard: a plan that deletes or replaces anything needs --allow-destroy. */
export function destroyDecision(summary: PlanSummary, allowDestroy: boolean): DestroyDecision {
  const destroyed = summary.resources
    .filter((r) => r.action === 'delete' || r.action === 'replace')
    .map((r) => r.address)
  return {allowed: destroyed.length === 0 || allowDestroy, destroyed}
}

/** Throws the refusal (exit 2: nothing was applied) when the guard says no. */
export function assertDestroyAllowed(summary: PlanSummary, allowDestroy: boolean, where: string): void {
  const decision = destroyDecision(summary, allowDestroy)
  if (decision.allowed) return
  const shown = decision.destroyed.slice(0, 5).join(', ')
  const more = decision.destroyed.length > 5 ? ` and ${decision.destroyed.length - 5} more` : ''
  throw new UsageError(
    `${where}: the plan destroys ${decision.destroyed.length} resource(s) (${shown}${more}). Nothing was applied.`,
    {
      code: 'DESTROY_REFUSED',
      hint: 'Review the plan; pass --allow-destroy if destroying them is intended.',
    },
  )
}
