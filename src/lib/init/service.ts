/**
 * `piksel init`: writes what a new environment lacks from templates/, never
 * overwriting a file (exclusive create), and reports what it wrote and skipped.
 * A GitOps object already defined anywhere under the GitOps directory (same
 * kind, namespace and name, found by content) is not written again.
 */
import {existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import type {Environment} from '../config/environment.ts'
import {OperationError, UsageError} from '../errors.ts'
import {type DeclaredBackend, resolveS3Backend} from '../terraform/backend.ts'
import {readDeclaredBackend} from '../terraform/runner.ts'
import {type Duplicate, indexObjects, withoutExisting} from './existing.ts'
import {type PlannedFile, renderConfig, renderTemplate, targetPath, templateVars} from './templates.ts'

/** templates/ at the package root (the same depth from src/lib/init and dist/lib/init). */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../../templates/', import.meta.url))

export interface InitOptions {
  env: Environment
  project: string
  owner: string
  infraDir: string
  gitopsDir: string
  /** Where piksel.config.yaml goes. */
  configFile: string
  dryRun: boolean
  templatesDir?: string
  /** What the user asked for explicitly (flags), checked against a backend the root already declares. */
  requested?: {stateBucket?: string}
}

export interface InitResult {
  env: string
  dryRun: boolean
  written: Array<{path: string; kind: string}>
  skipped: Array<{path: string; kind: string; reason: string}>
  /** Template objects not written because the GitOps directory already defines them (`existing`: that file). */
  skippedObjects: Array<{kind: string; namespace: string | null; name: string; path: string; existing: string}>
  /** The S3 backend the environment root already declares, when it does (kept, and written into the config). */
  backend?: {file: string; bucket: string; key: string; region: string}
}

export function listTemplates(dir: string, base = dir): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = join(dir, name)
      return statSync(full).isDirectory() ? listTemplates(full, base) : [relative(base, full).split('\\').join('/')]
    })
}

export function planInit(options: InitOptions): PlannedFile[] {
  const templates = options.templatesDir ?? TEMPLATES_DIR
  const vars = templateVars(options.env, options.project, options.owner)
  const dirs = {infraDir: resolve(options.infraDir), gitopsDir: resolve(options.gitopsDir)}
  const files: PlannedFile[] = [
    {
      kind: 'config',
      path: resolve(options.configFile),
      content: renderConfig(options.env, options.project, options.owner),
    },
  ]
  for (const template of listTemplates(templates)) {
    const target = targetPath(template, options.env, dirs)
    if (!target) continue
    const content = renderTemplate(readFileSync(join(templates, template), 'utf8'), vars, template)
    files.push({...target, content})
  }
  return files
}

/** The backend the environment root already declares, if the root exists and declares one. */
function declaredInRoot(options: Pick<InitOptions, 'infraDir' | 'env'>): DeclaredBackend | undefined {
  const dir = resolve(options.infraDir, options.env.terraform.dir)
  return existsSync(dir) ? readDeclaredBackend(dir) : undefined
}

/**
 * A root that declares `backend "s3"` keeps it: its bucket, key and region become
 * the environment's (written into the config and the bootstrap root), instead of the
 * convention. A --state-bucket that contradicts the declared bucket is exit 2.
 */
export function adoptDeclaredBackend(
  env: Environment,
  declared: DeclaredBackend | undefined,
  requested: InitOptions['requested'] = {},
): Environment {
  if (declared?.type !== 's3') return env
  const s3 = resolveS3Backend(env, declared)
  if (requested.stateBucket && s3.declared.includes('bucket') && requested.stateBucket !== s3.bucket) {
    throw new UsageError(
      `--state-bucket ${requested.stateBucket}: the root already declares backend "s3" with bucket "${s3.bucket}" (${declared.file}). Nothing was written.`,
      {
        code: 'BACKEND_CONFLICT',
        hint: `Leave --state-bucket out to keep the declared bucket, or change the backend block in ${declared.file} first.`,
      },
    )
  }
  return {
    ...env,
    terraform: {
      ...env.terraform,
      stateBucket: s3.bucket,
      stateKey: s3.key,
      ...(s3.region !== env.region ? {stateRegion: s3.region} : {}),
    },
  }
}

export async function runInit(options: InitOptions): Promise<InitResult> {
  const declared = declaredInRoot(options)
  const env = adoptDeclaredBackend(options.env, declared, options.requested)
  const result: InitResult = {
    env: options.env.name,
    dryRun: options.dryRun,
    written: [],
    skipped: [],
    skippedObjects: [],
  }
  if (declared?.type === 's3') {
    const {stateBucket: bucket, stateKey: key, stateRegion} = env.terraform
    result.backend = {file: declared.file, bucket, key, region: stateRegion ?? env.region}
  }
  const files = planInit({...options, env})
  // The config written must load with the loader's own rules (a config every later command rejects is never written).
  const {parseSettings} = await import('../config/load.ts')
  const config = files.find((f) => f.kind === 'config')
  if (config) await parseSettings(config.content, config.path)
  const gitopsDir = resolve(options.gitopsDir)
  let existing: ReturnType<typeof indexObjects> | undefined
  for (const file of files) {
    const entry = {path: file.path, kind: file.kind}
    if (existsSync(file.path)) {
      result.skipped.push({...entry, reason: 'exists (never overwritten)'})
      continue
    }
    if (file.kind === 'gitops') {
      existing ??= indexObjects(gitopsDir)
      const {content, duplicates} = withoutExisting(
        file.content,
        sameCluster(existing.objects, gitopsDir, options.env.name),
      )
      result.skippedObjects.push(...duplicates.map((d) => skippedObject(d, file.path)))
      if (content === undefined) {
        const where = [...new Set(duplicates.map((d) => relative(gitopsDir, d.existing)))].join(', ')
        result.skipped.push({...entry, reason: `every object in it is already defined (${where})`})
        continue
      }
      file.content = content
    }
    if (file.path.endsWith('/backend.tf') && declared) {
      const kept = result.backend
        ? `backend "s3" is already declared in ${declared.file} (bucket ${result.backend.bucket}, key ${result.backend.key}, region ${result.backend.region}): kept, and written into the config`
        : `a backend ("${declared.type}") is already declared in ${declared.file}`
      result.skipped.push({...entry, reason: kept})
      continue
    }
    if (!options.dryRun) {
      try {
        mkdirSync(dirname(file.path), {recursive: true})
        writeFileSync(file.path, file.content, {flag: 'wx'})
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
          result.skipped.push({...entry, reason: 'exists (never overwritten)'})
          continue
        }
        throw new OperationError(`Cannot write ${file.path}: ${(error as Error).message}`, {
          code: 'WRITE_FAILED',
          hint: 'Check the directory permissions, --infra-dir and --gitops-dir.',
        })
      }
    }
    result.written.push(entry)
  }
  return result
}

/**
 * What the environment's cluster could reconcile: everything under the GitOps
 * directory except other environments' cluster directories (clusters/<other>/),
 * which other clusters sync. A shared base or a file named differently next to
 * ours counts; dev's own Kustomizations are not staging's.
 */
function sameCluster<T extends {path: string}>(objects: readonly T[], gitopsDir: string, env: string): T[] {
  const clusters = join(gitopsDir, 'clusters')
  return objects.filter((o) => {
    const rel = relative(clusters, o.path)
    if (rel.startsWith('..') || !rel.includes('/')) return true
    return rel.split('/')[0] === env
  })
}

function skippedObject(d: Duplicate, path: string): InitResult['skippedObjects'][number] {
  return {kind: d.object.kind, namespace: d.object.namespace ?? null, name: d.object.name, path, existing: d.existing}
}
