/**
 * The backend a Terraform root declares, and the `terraform init
 * -backend-config` arguments that complete it without overriding it.
 *
 * A root that already declares `backend "s3" { bucket = …, key = …, region = … }`
 * keeps those values: piksel passes only what the block leaves out (bucket, key
 * and region from the environment's convention; `use_lockfile=true` unless the
 * block locks otherwise; `encrypt=true`). Overriding a declared bucket or key
 * would point Terraform at an empty state and plan everything again.
 *
 * Read from `*.tf` (hcl.ts: comments, strings and heredocs are never mistaken
 * for a block) and `*.tf.json`; an override file's backend replaces the
 * original one entirely, as Terraform merges them. Pure, tested table-driven.
 */
import type {Environment} from '../config/environment.ts'
import {UsageError} from '../errors.ts'
import {type Literal, parseHcl} from './hcl.ts'

export interface DeclaredBackend {
  /** "s3", "local", "remote", … */
  type: string
  /** The file that declares it (its name in the root). */
  file: string
  /** Literal attributes (string, number, bool). */
  attributes: Record<string, Literal>
  /** Attributes set by an expression (Terraform refuses those in a backend block). */
  expressions: string[]
}

/** The backend blocks of one `.tf` file. Pure. */
export function backendsInHcl(text: string, file: string): DeclaredBackend[] {
  return parseHcl(text)
    .filter((block) => block.type === 'terraform' && block.labels.length === 0)
    .flatMap((block) => block.blocks)
    .filter((block) => block.type === 'backend' && block.labels.length === 1)
    .map((block) => ({
      type: block.labels[0]!,
      file,
      attributes: {...block.attributes},
      expressions: [...block.expressions, ...block.blocks.map((b) => b.type)],
    }))
}

type Json = null | boolean | number | string | Json[] | {[key: string]: Json}

/** The backend blocks of one `.tf.json` file (`{"terraform": {"backend": {"s3": {…}}}}`, objects or arrays). Pure. */
export function backendsInJson(text: string, file: string): DeclaredBackend[] {
  let json: Json
  try {
    json = JSON.parse(text) as Json
  } catch {
    return []
  }
  const list = (value: Json | undefined): Array<{[key: string]: Json}> =>
    value === undefined || value === null
      ? []
      : Array.isArray(value)
        ? value.flatMap(list)
        : typeof value === 'object'
          ? [value]
          : []
  const root = list(json)
  const out: DeclaredBackend[] = []
  for (const terraform of root.flatMap((r) => list(r.terraform))) {
    for (const backends of list(terraform.backend)) {
      for (const [type, bodies] of Object.entries(backends)) {
        for (const body of list(bodies)) {
          const attributes: Record<string, Literal> = {}
          const expressions: string[] = []
          for (const [name, value] of Object.entries(body)) {
            if (name === '//') continue
            if (['string', 'number', 'boolean'].includes(typeof value) && !/\$\{/.test(String(value))) {
              attributes[name] = value as Literal
            } else expressions.push(name)
          }
          out.push({type, file, attributes, expressions})
        }
      }
    }
  }
  return out
}

/** Terraform's override files: override.tf, *_override.tf (and .tf.json). Pure. */
export function isOverrideFile(name: string): boolean {
  return /(^|_)override\.tf(\.json)?$/.test(name)
}

/**
 * The root's effective backend from its files (name and text): the last override
 * file's backend replaces the original. Two backends in the ordinary files are
 * refused (exit 2), as Terraform refuses them. Pure.
 */
export function declaredBackend(files: ReadonlyArray<{name: string; text: string}>): DeclaredBackend | undefined {
  const read = (f: {name: string; text: string}) =>
    f.name.endsWith('.json') ? backendsInJson(f.text, f.name) : backendsInHcl(f.text, f.name)
  const sorted = [...files].sort((a, b) => a.name.localeCompare(b.name))
  const primary = sorted.filter((f) => !isOverrideFile(f.name)).flatMap(read)
  if (primary.length > 1) {
    throw new UsageError(
      `The Terraform root declares ${primary.length} backends (${primary.map((b) => `"${b.type}" in ${b.file}`).join(', ')}).`,
      {code: 'DUPLICATE_BACKEND', hint: 'Keep one `backend` block in the root’s terraform block.'},
    )
  }
  const overrides = sorted.filter((f) => isOverrideFile(f.name)).flatMap(read)
  return overrides.at(-1) ?? primary[0]
}

/** True when the root's .tf text declares `backend "s3"` (comments, strings and heredocs ignored). Pure. */
export function usesS3Backend(tfText: string): boolean {
  return backendsInHcl(tfText, 'main.tf').some((b) => b.type === 's3')
}

export interface S3Backend {
  bucket: string
  key: string
  region: string
  /** Which of bucket, key, region the root declares (the rest is the environment's convention). */
  declared: Array<'bucket' | 'key' | 'region'>
  /** The file that declares the backend, when one does. */
  file?: string
}

/** The environment's convention: bucket, key and region (terraform.stateRegion, else the environment's region). */
export function conventionalBackend(env: Pick<Environment, 'region' | 'terraform'>): S3Backend {
  return {
    bucket: env.terraform.stateBucket,
    key: env.terraform.stateKey,
    region: env.terraform.stateRegion ?? env.region,
    declared: [],
  }
}

/** Where the state lives: what the root's `backend "s3"` declares, the convention for the rest. Pure. */
export function resolveS3Backend(
  env: Pick<Environment, 'region' | 'terraform'>,
  declared: DeclaredBackend | undefined,
): S3Backend {
  const convention = conventionalBackend(env)
  if (!declared || declared.type !== 's3') return convention
  const s3: S3Backend = {...convention, file: declared.file}
  for (const name of ['bucket', 'key', 'region'] as const) {
    const value = declared.attributes[name]
    if (typeof value === 'string' && value !== '') {
      s3[name] = value
      s3.declared.push(name)
    }
  }
  return s3
}

/** Lines for people when the declared backend differs from the environment's config (the declaration wins). Pure. */
export function backendDifferences(env: Pick<Environment, 'region' | 'terraform'>, s3: S3Backend): string[] {
  const convention = conventionalBackend(env)
  return s3.declared
    .filter((name) => s3[name] !== convention[name])
    .map(
      (name) =>
        `${s3.file ?? 'the root'} declares backend "s3" ${name} = "${s3[name]}" (the config says "${convention[name]}"): keeping the declared one`,
    )
}

/** What `.terraform/terraform.tfstate` records of the backend a root was initialised with. */
export interface InitializedBackend {
  type: string
  config: Record<string, unknown>
}

/** Reads the text of `.terraform/terraform.tfstate`; undefined when it is not that. Pure. */
export function parseInitializedBackend(text: string): InitializedBackend | undefined {
  try {
    const backend = (JSON.parse(text) as {backend?: {type?: unknown; config?: unknown}}).backend
    if (!backend || typeof backend.type !== 'string') return undefined
    const config =
      backend.config && typeof backend.config === 'object' ? (backend.config as Record<string, unknown>) : {}
    return {type: backend.type, config}
  } catch {
    return undefined
  }
}

/**
 * `-backend-config` for `terraform init`, pure:
 * - a root already initialised with the same bucket, key and region (`initialized`;
 *   a region it left to the environment counts as `envRegion`): nothing, so
 *   Terraform reuses the configuration it saved, whatever else it holds;
 * - an empty `backend "s3" {}`: the whole convention (bucket, key, region,
 *   use_lockfile=true, encrypt=true), as the team's block would say;
 * - a block that declares anything: only the bucket, key or region it leaves
 *   out (Terraform needs all three); its locking and encryption are its own;
 * - any other backend: nothing.
 * A root initialised with another bucket, key or region gets the arguments, and
 * Terraform refuses them ("Backend configuration changed"): never a silent switch.
 */
export function backendInitArgs(
  env: Pick<Environment, 'region' | 'terraform'>,
  declared: DeclaredBackend | undefined,
  initialized?: InitializedBackend,
  envRegion?: string,
): string[] {
  if (!declared || declared.type !== 's3') return []
  const s3 = resolveS3Backend(env, declared)
  if (initialized?.type === 's3') {
    const saved = initialized.config
    const region = typeof saved.region === 'string' && saved.region !== '' ? saved.region : envRegion
    if (saved.bucket === s3.bucket && saved.key === s3.key && region === s3.region) return []
  }
  const has = (name: string) => name in declared.attributes || declared.expressions.includes(name)
  const args: string[] = []
  for (const name of ['bucket', 'key', 'region'] as const) {
    if (!has(name)) args.push(`-backend-config=${name}=${s3[name]}`)
  }
  const empty = Object.keys(declared.attributes).length === 0 && declared.expressions.length === 0
  if (empty) args.push('-backend-config=use_lockfile=true', '-backend-config=encrypt=true')
  return args
}

/** bucket, key, region, use_lockfile, encrypt: the arguments for an empty `backend "s3" {}` block. Pure. */
export function backendConfigArgs(env: Pick<Environment, 'region' | 'terraform'>): string[] {
  return backendInitArgs(env, {type: 's3', file: 'backend.tf', attributes: {}, expressions: []})
}
