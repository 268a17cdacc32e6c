/**
 * Flux bootstrap: the exact argv, and whether a cluster is already bootstrapped
 * from the environment's repository and path. Pure, tested table-driven.
 * The GitHub token is never an argument: `flux bootstrap github` reads GITHUB_TOKEN.
 */
import type {Environment} from '../config/environment.ts'
import {UsageError} from '../errors.ts'
import type {FluxSystemSync} from '../status/flux-system.ts'

/**
 * Global flags that pin flux to the environment's cluster (the kube context is
 * named after it), so it never acts on whatever context happens to be current.
 */
export function fluxTargetArgs(env: Pick<Environment, 'cluster'>, kubeconfig?: string): string[] {
  return [`--context=${env.cluster}`, ...(kubeconfig ? [`--kubeconfig=${kubeconfig}`] : [])]
}

export function fluxCheckArgs(env: Pick<Environment, 'cluster'>, kubeconfig?: string): string[] {
  return ['check', '--pre', ...fluxTargetArgs(env, kubeconfig)]
}

/** The runbook's `flux bootstrap github` command, then the flags that pin the cluster. */
export function fluxBootstrapArgs(env: Pick<Environment, 'gitops' | 'cluster'>, kubeconfig?: string): string[] {
  const {owner, repository, branch, path} = env.gitops
  return [
    'bootstrap',
    'github',
    `--owner=${owner}`,
    `--repository=${repository}`,
    `--branch=${branch}`,
    `--path=${path}`,
    '--token-auth=false',
    '--read-write-key',
    ...fluxTargetArgs(env, kubeconfig),
  ]
}

/** A Kustomization's spec.sourceRef (namespace: as written; Flux defaults it to the Kustomization's). */
export interface SourceRef {
  kind: string
  name: string
  namespace?: string
}

/** The source flux bootstrap writes: GitRepository flux-system in flux-system. Pure. */
export function isBootstrapSource(source: SourceRef): boolean {
  return (
    source.kind === 'GitRepository' &&
    source.name === 'flux-system' &&
    (source.namespace ?? 'flux-system') === 'flux-system'
  )
}

/**
 * owner/repo (lowercase) of a repository on github.com, from the URL forms flux writes:
 * ssh://git@github.com/o/r(.git), https://github.com/o/r, git@github.com:o/r. The host must
 * be github.com itself (notgithub.com, github.com.example.net or a path holding
 * `github.com/` on another host are other repositories); undefined otherwise. Pure.
 */
export function repoSlug(url: string): string | undefined {
  const text = url.trim()
  let host: string
  let path: string
  const scp = /^(?:[^@/:]+@)?([^/:]+):(?!\/)(.*)$/.exec(text)
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text) && scp) {
    host = scp[1]!
    path = scp[2]!
  } else {
    try {
      const parsed = new URL(text)
      if (!['ssh:', 'https:', 'http:', 'git:'].includes(parsed.protocol)) return undefined
      host = parsed.hostname
      path = parsed.pathname
    } catch {
      return undefined
    }
  }
  if (host.toLowerCase() !== 'github.com') return undefined
  const parts = path
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/i, '')
    .split('/')
  if (parts.length !== 2 || parts.some((part) => part === '')) return undefined
  return parts.join('/').toLowerCase()
}

export function normalizePath(path: string): string {
  return path.trim().replace(/^\.\//, '').replace(/\/+$/, '')
}

/** `OCIRepository flux-system/flux-system`. Pure. */
function describeSource(source: SourceRef): string {
  return `${source.kind} ${source.namespace ?? 'flux-system'}/${source.name}`
}

/**
 * What flux-system syncs, in words: `piksel-ina/old-gitops, branch main, path ./clusters/staging`,
 * or `OCIRepository flux-system/flux-system, path ./clusters/staging` when its Kustomization
 * applies another source than the GitRepository flux-system.
 */
export function describeSync(status: FluxSystemSync): string {
  if (status.source && !isBootstrapSource(status.source)) {
    return `${describeSource(status.source)}, path ${status.path ?? '(none)'}`
  }
  const repo = status.url ? (repoSlug(status.url) ?? status.url) : 'an unknown source'
  return `${repo}, branch ${status.branch ?? '(none)'}, path ${status.path ?? '(none)'}`
}

/**
 * Pure: what `flux bootstrap` would change in what flux-system syncs today
 * (repository, branch, path), e.g. `repository piksel-ina/old-gitops → piksel-ina/piksel-gitops`.
 * Empty when it syncs the environment's repository, branch and path already.
 */
export function syncChanges(status: FluxSystemSync, env: Pick<Environment, 'gitops'>): string[] {
  const want = `${env.gitops.owner}/${env.gitops.repository}`.toLowerCase()
  const slug = status.url ? repoSlug(status.url) : undefined
  const changes: string[] = []
  if (status.source && !isBootstrapSource(status.source)) {
    changes.push(`source ${describeSource(status.source)} → GitRepository flux-system/flux-system`)
  }
  if (slug !== want) changes.push(`repository ${slug ?? status.url ?? '(unknown)'} → ${want}`)
  if (status.branch !== env.gitops.branch) changes.push(`branch ${status.branch ?? '(none)'} → ${env.gitops.branch}`)
  if (normalizePath(status.path ?? '') !== normalizePath(env.gitops.path)) {
    changes.push(`path ${status.path ?? '(none)'} → ${env.gitops.path}`)
  }
  return changes
}

export type FluxDecision =
  | {action: 'skip'; reason: string}
  | {action: 'bootstrap'; reason: string; changes: string[]}
  /** flux-system syncs another repository, branch or path and --force-flux was not given. */
  | {action: 'refuse'; reason: string; today: string; changes: string[]}

/**
 * Skip when flux-system already syncs this repository, branch and path and is
 * Ready, unless forced. A flux-system that syncs another repository, branch or
 * path is never re-bootstrapped without --force-flux (refuse): bootstrap would
 * repoint a running cluster at other manifests.
 */
export function fluxDecision(
  status: FluxSystemSync | undefined,
  env: Pick<Environment, 'gitops'>,
  force: boolean,
): FluxDecision {
  const want = `${env.gitops.owner}/${env.gitops.repository}`.toLowerCase()
  if (!status || !status.installed) return {action: 'bootstrap', reason: 'flux-system is not installed', changes: []}
  const changes = syncChanges(status, env)
  if (changes.length > 0) {
    const today = describeSync(status)
    if (!force) return {action: 'refuse', reason: `flux-system syncs ${today}`, today, changes}
    return {action: 'bootstrap', reason: `flux-system syncs ${today}; --force-flux given`, changes}
  }
  if (!status.ready) {
    return {action: 'bootstrap', reason: 'flux-system syncs this repository but is not Ready', changes: []}
  }
  if (force) return {action: 'bootstrap', reason: 'already bootstrapped and Ready; --force-flux given', changes: []}
  return {action: 'skip', reason: `flux-system already syncs ${want} ${env.gitops.path} and is Ready`}
}

/** The refusal of a flux-system that syncs something else (exit 2): what it syncs today and what bootstrap would change. */
export function fluxRefusal(
  env: Pick<Environment, 'cluster' | 'gitops'>,
  decision: Extract<FluxDecision, {action: 'refuse'}>,
): UsageError {
  const {owner, repository, branch, path} = env.gitops
  return new UsageError(
    `flux-system on ${env.cluster} already syncs ${decision.today}; bootstrap would change ${decision.changes.join(', ')}. Nothing was bootstrapped.`,
    {
      code: 'FLUX_SYNCS_ELSEWHERE',
      hint:
        `If repointing the cluster is intended, re-run with --force-flux (flux bootstrap then syncs ${owner}/${repository}, ` +
        `branch ${branch}, path ${path}); otherwise check --gitops-owner, --gitops-repository, --gitops-branch, --gitops-path and the config.`,
    },
  )
}
