/**
 * Objects a GitOps repository already defines, found by content, not by file
 * path: every YAML document (multi-document files too) under the directory.
 * `piksel init` skips a template object whose kind (API group and kind,
 * any version), namespace and name are already defined anywhere in the
 * repository, and says where (e.g. piksel-gitops defines
 * flux-system/infra-configs in clusters/staging/infrastructures.yaml, so
 * writing clusters/staging/infrastructure.yaml beside it would make two).
 */
import {closeSync, lstatSync, openSync, readSync, readdirSync} from 'node:fs'
import {join, relative} from 'node:path'

import {isMap, isSeq, parseAllDocuments} from 'yaml'

/** One Kubernetes object's identity. `namespace` is undefined when the manifest leaves it out. */
export interface ObjectRef {
  /** The API group (`kustomize.toolkit.fluxcd.io`; empty for the core group). */
  group: string
  kind: string
  namespace?: string
  name: string
}

export interface FoundObject extends ObjectRef {
  /** The file that defines it. */
  path: string
}

/** Bigger files are not read (CRD bundles are ~0.6 MB; nothing a person writes is near this). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : ''
}

/**
 * The objects of one YAML node: a manifest, or each item of a `kind: List` (kustomize applies
 * them one by one). A manifest whose name or namespace is not a plain string (`{{ .Values.ns }}`
 * of a Helm template reads as a map) is no object Flux applies: none. Read through the node API,
 * not `toJS()`, which warns on stderr about such keys.
 */
function objectsOf(node: unknown): ObjectRef[] {
  if (!isMap(node)) return []
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined)
  const apiVersion = text(node.get('apiVersion'))
  const kind = text(node.get('kind'))
  const items = node.get('items')
  if (kind === 'List' && isSeq(items)) return items.items.flatMap(objectsOf)
  const metadata = node.get('metadata')
  if (!apiVersion || !kind || !isMap(metadata)) return []
  const name = text(metadata.get('name'))
  const namespace = metadata.get('namespace')
  if (!name || (namespace !== undefined && namespace !== null && typeof namespace !== 'string')) return []
  return [{group: groupOf(apiVersion), kind, name, namespace: text(namespace)}]
}

/** Pure: the identities of the named objects in a YAML text (documents that do not parse are left out). */
export function objectsIn(text: string): ObjectRef[] {
  return parseAllDocuments(text).flatMap((doc) => (doc.errors.length > 0 ? [] : objectsOf(doc.contents)))
}

/**
 * Pure: the same object? Same group, kind and name; the same namespace, or one
 * of them leaves it out (its namespace then comes from elsewhere, e.g. a
 * kustomization.yaml, so it may well be the same object: skipping is the safe side).
 */
export function sameObject(a: ObjectRef, b: ObjectRef): boolean {
  if (a.group !== b.group || a.kind !== b.kind || a.name !== b.name) return false
  return a.namespace === undefined || b.namespace === undefined || a.namespace === b.namespace
}

function readBounded(path: string): string | undefined {
  const fd = openSync(path, 'r')
  try {
    const buffer = Buffer.alloc(MAX_MANIFEST_BYTES + 1)
    const size = readSync(fd, buffer, 0, buffer.length, 0)
    return size > MAX_MANIFEST_BYTES ? undefined : buffer.subarray(0, size).toString('utf8')
  } finally {
    closeSync(fd)
  }
}

export interface ObjectIndex {
  objects: FoundObject[]
  /** Files that could not be read or were too big (relative paths). */
  unread: string[]
}

/** Every named object in the *.yaml / *.yml files under `dir` (hidden directories, node_modules and symlinks skipped). */
export function indexObjects(dir: string): ObjectIndex {
  const index: ObjectIndex = {objects: [], unread: []}
  const walk = (at: string) => {
    let entries
    try {
      entries = readdirSync(at, {withFileTypes: true})
    } catch {
      return
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(at, entry.name)
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && entry.name !== 'node_modules') walk(path)
        continue
      }
      if (!entry.isFile() || !/\.ya?ml$/i.test(entry.name)) continue
      try {
        if (lstatSync(path).size > MAX_MANIFEST_BYTES) {
          index.unread.push(relative(dir, path))
          continue
        }
        const text = readBounded(path)
        if (text === undefined) {
          index.unread.push(relative(dir, path))
          continue
        }
        for (const ref of objectsIn(text)) index.objects.push({...ref, path})
      } catch {
        index.unread.push(relative(dir, path))
      }
    }
  }
  walk(dir)
  return index
}

export interface Duplicate {
  object: ObjectRef
  /** Where it is already defined. */
  existing: string
}

/**
 * Pure: a template file's documents without the objects already defined
 * elsewhere. `content` is undefined when no document is left to write.
 */
export function withoutExisting(
  text: string,
  existing: readonly FoundObject[],
): {content: string | undefined; duplicates: Duplicate[]} {
  const docs = parseAllDocuments(text)
  const duplicates: Duplicate[] = []
  const kept: string[] = []
  for (const doc of docs) {
    const [ref] = objectsIn(String(doc))
    const found = ref && existing.find((e) => sameObject(e, ref))
    if (ref && found) duplicates.push({object: ref, existing: found.path})
    else kept.push(String(doc))
  }
  if (duplicates.length === 0) return {content: text, duplicates}
  if (!kept.some((doc) => objectsIn(doc).length > 0)) return {content: undefined, duplicates}
  const body = kept.map((doc) => doc.replace(/^---\s*\n/, '').replace(/\n*$/, '\n'))
  return {content: body.join('---\n'), duplicates}
}

/** `Kustomization flux-system/infra-configs`. */
export function describeObject(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`
}
