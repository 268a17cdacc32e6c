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
import {OperationError} from '../errors.ts'
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
}

export interface InitResult {
  env: string
  dryRun: boolean
  written: Array<{path: string; kind: string}>
  skipped: Array<{path: string; kind: string; reason: string}>
  /** Template objects not written because the GitOps directory already defines them (`existing`: that file). */
  skippedObjects: Array<{kind: string; namespace: string | null; name: string; path: string; existing: string}>
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

/** A backend already declared in the env root: writing backend.tf would make Terraform refuse both. */
function declaredBackend(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.tf'))) {
    if (/^\s*backend\s+"[^"]+"\s*\{/m.test(readFileSync(join(dir, name), 'utf8'))) return name
  }
  return undefined
}

export async function runInit(options: InitOptions): Promise<InitResult> {
  const result: InitResult = {
    env: options.env.name,
    dryRun: options.dryRun,
    written: [],
    skipped: [],
    skippedObjects: [],
  }
  const files = planInit(options)
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
    if (file.path.endsWith('/backend.tf')) {
      const other = declaredBackend(dirname(file.path))
      if (other) {
        result.skipped.push({...entry, reason: `a backend is already declared in ${other}`})
        continue
      }
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
