/**
 * A small structural validator for Kubernetes objects against the openAPIV3Schema
 * of their CRD (type, required, properties, unknown fields, enum, pattern, items,
 * lengths, bounds, int-or-string), loaded from Flux's gotk-components.yaml.
 * Unknown fields are errors here: the API server would silently prune them, which
 * in a template is always a mistake.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {parseAllDocuments} from 'yaml'

import {ROOT} from './cli.ts'

/** A copy of /work/shared/reference/piksel-gitops/clusters/staging/flux-system/gotk-components.yaml (Flux v2.6.0). */
export const GOTK_COMPONENTS = join(ROOT, 'test', 'fixtures', 'flux', 'gotk-components.yaml')

export interface Schema {
  type?: string
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema
  enum?: unknown[]
  pattern?: string
  additionalProperties?: boolean | Schema
  maxLength?: number
  minLength?: number
  maxItems?: number
  minItems?: number
  minimum?: number
  maximum?: number
  'x-kubernetes-preserve-unknown-fields'?: boolean
  'x-kubernetes-int-or-string'?: boolean
}

export interface CrdVersion {
  group: string
  kind: string
  version: string
  served: boolean
  storage: boolean
  schema: Schema
}

export function loadCrds(file = GOTK_COMPONENTS): Map<string, CrdVersion> {
  const crds = new Map<string, CrdVersion>()
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const obj = doc.toJS() as {
      kind?: string
      spec?: {
        group: string
        names: {kind: string}
        versions: Array<{name: string; served: boolean; storage: boolean; schema: {openAPIV3Schema: Schema}}>
      }
    } | null
    if (obj?.kind !== 'CustomResourceDefinition' || !obj.spec) continue
    for (const v of obj.spec.versions) {
      crds.set(`${obj.spec.group}/${v.name}/${obj.spec.names.kind}`, {
        group: obj.spec.group,
        kind: obj.spec.names.kind,
        version: v.name,
        served: v.served,
        storage: v.storage,
        schema: v.schema.openAPIV3Schema,
      })
    }
  }
  return crds
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function typeOk(value: unknown, schema: Schema): boolean {
  if (schema['x-kubernetes-int-or-string']) return typeof value === 'string' || Number.isInteger(value)
  switch (schema.type) {
    case undefined:
      return true
    case 'object':
      return isObject(value)
    case 'array':
      return Array.isArray(value)
    case 'string':
      return typeof value === 'string'
    case 'integer':
      return Number.isInteger(value)
    case 'number':
      return typeof value === 'number'
    case 'boolean':
      return typeof value === 'boolean'
    default:
      return true
  }
}

/** Every problem, as `path: what is wrong`. */
export function validateValue(value: unknown, schema: Schema, path = ''): string[] {
  const at = path || '(root)'
  if (!typeOk(value, schema)) return [`${at}: expected ${schema.type ?? 'int-or-string'}, got ${JSON.stringify(value)}`]
  const errors: string[] = []
  if (schema.enum && !schema.enum.includes(value)) {
    errors.push(`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`)
  }
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) {
      errors.push(`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`)
    }
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      errors.push(`${at}: longer than ${schema.maxLength}`)
    if (schema.minLength !== undefined && value.length < schema.minLength)
      errors.push(`${at}: shorter than ${schema.minLength}`)
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${at}: below ${schema.minimum}`)
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${at}: above ${schema.maximum}`)
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      errors.push(`${at}: more than ${schema.maxItems} items`)
    if (schema.minItems !== undefined && value.length < schema.minItems)
      errors.push(`${at}: fewer than ${schema.minItems} items`)
    if (schema.items) value.forEach((item, i) => errors.push(...validateValue(item, schema.items!, `${path}[${i}]`)))
  }
  if (isObject(value)) {
    for (const key of schema.required ?? []) {
      if (!(key in value)) errors.push(`${path ? `${path}.` : ''}${key}: required`)
    }
    for (const [key, child] of Object.entries(value)) {
      const sub = `${path ? `${path}.` : ''}${key}`
      const prop = schema.properties?.[key]
      if (prop) errors.push(...validateValue(child, prop, sub))
      else if (isObject(schema.additionalProperties))
        errors.push(...validateValue(child, schema.additionalProperties, sub))
      else if (schema.properties && !schema.additionalProperties && !schema['x-kubernetes-preserve-unknown-fields']) {
        errors.push(`${sub}: unknown field`)
      }
    }
  }
  return errors
}

const DNS_1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

/** Validates one object against its CRD: a served version, metadata.name, then the schema. */
export function validateObject(obj: unknown, crds: Map<string, CrdVersion>): string[] {
  if (!isObject(obj)) return ['(root): not an object']
  const apiVersion = String(obj.apiVersion ?? '')
  const kind = String(obj.kind ?? '')
  const crd = crds.get(`${apiVersion}/${kind}`)
  if (!crd) return [`${apiVersion} ${kind}: no CRD version of that name`]
  if (!crd.served) return [`${apiVersion} ${kind}: version not served`]
  const errors: string[] = []
  const metadata = obj.metadata
  if (!isObject(metadata) || typeof metadata.name !== 'string') errors.push('metadata.name: required')
  else if (!DNS_1123.test(metadata.name) || metadata.name.length > 253)
    errors.push(`metadata.name: ${metadata.name} is not a DNS-1123 name`)
  if (isObject(metadata) && metadata.namespace !== undefined && !DNS_1123.test(String(metadata.namespace))) {
    errors.push('metadata.namespace: not a DNS-1123 label')
  }
  errors.push(...validateValue(obj, crd.schema))
  return errors
}
