/**
 * Filters choose what is shown, never what is judged. With `-n` or `-l`, the selected objects
 * are read with the filter; the objects they are judged against (their sources, HelmCharts,
 * chartRefs and dependsOn targets, in whatever namespace, and theirs in turn) are read too,
 * one list per kind and namespace, until nothing referenced is left unread. Pure: which
 * (kind, namespace) lists are still needed, given what was read.
 */
import {UsageError} from '../errors.ts'
import {referencesOf} from './across.ts'
import type {FluxObject} from './health.ts'

/** A Kubernetes namespace name: an RFC 1123 label (lowercase letters, digits and `-`, at most 63). */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/

/**
 * `-n/--namespace` and `--flux-namespace`: a namespace name, or exit 2 (`INVALID_FLAG`) before the
 * cluster is read. An empty value (`-n "$NS"` with NS unset) would otherwise read every namespace,
 * or ask the API for `/namespaces//deployments`.
 */
export function namespaceFlag(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  if (NAMESPACE_NAME.test(value)) return value
  throw new UsageError(value === '' ? `${flag} is empty.` : `${flag} "${value}" is not a namespace name.`, {
    code: 'INVALID_FLAG',
    hint: 'A namespace name has lowercase letters, digits and `-`, at most 63 characters (`kubectl get namespaces`).',
  })
}

/** What has been read without a label selector: whole kinds, or kinds in some namespaces. */
export class Coverage {
  private readonly whole = new Set<string>()
  private readonly perNamespace = new Map<string, Set<string>>()

  /** Every object of the kind has been read (a list across all namespaces, no selector). */
  addKind(kind: string): void {
    this.whole.add(kind)
  }

  /** Every object of the kind in this namespace has been read (no selector). */
  addNamespace(kind: string, namespace: string): void {
    const set = this.perNamespace.get(kind) ?? new Set<string>()
    set.add(namespace)
    this.perNamespace.set(kind, set)
  }

  /** Every object of the kind has been read. */
  coversKind(kind: string): boolean {
    return this.whole.has(kind)
  }

  covers(kind: string, namespace: string): boolean {
    return this.whole.has(kind) || (this.perNamespace.get(kind)?.has(namespace) ?? false)
  }
}

export interface NamespacedKind {
  kind: string
  namespace: string
}

/**
 * The lists still to read: for each object read so far, every object it references that is
 * of a served kind and not covered yet, as (kind, namespace) pairs, sorted. Empty once the
 * closure is complete (then every referenced object has been read, or does not exist).
 */
export function uncoveredReferences(
  objects: Iterable<FluxObject>,
  coverage: Coverage,
  served: ReadonlySet<string>,
): NamespacedKind[] {
  const needed = new Map<string, NamespacedKind>()
  for (const obj of objects) {
    for (const ref of referencesOf(obj)) {
      if (!served.has(ref.kind) || coverage.covers(ref.kind, ref.namespace)) continue
      needed.set(`${ref.kind}/${ref.namespace}`, {kind: ref.kind, namespace: ref.namespace})
    }
  }
  return [...needed.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.namespace.localeCompare(b.namespace))
}

/** What chooses the listed objects: the --kind, -n and -l filters. */
export interface Selection {
  /** Kind names (FLUX_KINDS), as --kind resolved them. */
  kinds?: readonly string[]
  namespace?: string
  selector?: string
}

/**
 * The filters as flags, to name the selection (`--kind Kustomization -n apps -l team=a`);
 * undefined without any (then every Flux object is listed). A selector with anything but
 * letters, digits and `_./=,!-` (spaces, parentheses) is double-quoted: `-l "app in (a,b)"`.
 */
export function describeSelection(selection: Selection): string | undefined {
  const parts: string[] = []
  if (selection.kinds && selection.kinds.length > 0) parts.push(`--kind ${selection.kinds.join(',')}`)
  if (selection.namespace) parts.push(`-n ${selection.namespace}`)
  if (selection.selector) {
    const plain = /^[\w./=,!-]+$/.test(selection.selector)
    parts.push(`-l ${plain ? selection.selector : JSON.stringify(selection.selector)}`)
  }
  return parts.length > 0 ? parts.join(' ') : undefined
}
