/**
 * Flux bootstrap: the exact argv, and whether a cluster is already bootstrapped
 * from the environment's repository and path. Pure, tested table-driven.
 * The GitHub token is never an argument: `flux bootstrap github` reads GITHUB_TOKEN.
 */
import type {Environment} from '../config/environment.ts'

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

/** What the cluster says about flux-system (the GitRepository and Kustomization of that name). */
export interface FluxSystemStatus {
  /** flux-system objects exist. */
  installed: boolean
  /** GitRepository flux-system spec.url, e.g. ssh://git@github.com/piksel-ina/piksel-gitops */
  url?: string
  /** GitRepository spec.ref.branch. */
  branch?: string
  /** Kustomization flux-system spec.path, e.g. ./clusters/staging */
  path?: string
  /** Both are Ready (as the status service decides it). */
  ready: boolean
}

/** owner/repo from the URL forms flux writes: ssh://git@github.com/o/r(.git), https://github.com/o/r, git@github.com:o/r. */
export function repoSlug(url: string): string | undefined {
  const match = /github\.com[/:]([^/]+)\/([^/]+?)(\.git)?\/?$/i.exec(url.trim())
  return match ? `${match[1]}/${match[2]}`.toLowerCase() : undefined
}

export function normalizePath(path: string): string {
  return path.trim().replace(/^\.\//, '').replace(/\/+$/, '')
}

export type FluxDecision = {action: 'skip'; reason: string} | {action: 'bootstrap'; reason: string}

/** Skip when flux-system already syncs this repository, branch and path and is Ready, unless forced. */
export function fluxDecision(
  status: FluxSystemStatus | undefined,
  env: Pick<Environment, 'gitops'>,
  force: boolean,
): FluxDecision {
  const want = `${env.gitops.owner}/${env.gitops.repository}`.toLowerCase()
  if (!status || !status.installed) return {action: 'bootstrap', reason: 'flux-system is not installed'}
  const slug = status.url ? repoSlug(status.url) : undefined
  if (slug !== want) {
    return {action: 'bootstrap', reason: `flux-system syncs ${slug ?? status.url ?? 'an unknown source'}, not ${want}`}
  }
  if (status.branch !== undefined && status.branch !== env.gitops.branch) {
    return {action: 'bootstrap', reason: `flux-system follows branch ${status.branch}, not ${env.gitops.branch}`}
  }
  if (normalizePath(status.path ?? '') !== normalizePath(env.gitops.path)) {
    return {action: 'bootstrap', reason: `flux-system syncs path ${status.path ?? '(none)'}, not ${env.gitops.path}`}
  }
  if (!status.ready) return {action: 'bootstrap', reason: 'flux-system syncs this repository but is not Ready'}
  if (force) return {action: 'bootstrap', reason: 'already bootstrapped and Ready; --force-flux given'}
  return {action: 'skip', reason: `flux-system already syncs ${want} ${env.gitops.path} and is Ready`}
}
