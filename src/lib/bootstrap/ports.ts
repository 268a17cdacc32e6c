/**
 * What bootstrap needs from the secrets, quota and status services, as a small
 * interface. The command binds it to the real services; tests bind fakes. No
 * implementation lives here: bootstrap reuses those services, never repeats them.
 */
import type {Writable} from 'node:stream'

import type {Environment} from '../config/environment.ts'
import type {EksCluster} from './cluster.ts'
import type {FluxSystemSync} from '../status/flux-system.ts'
import type {GitHubAccess, GitHubCheckInput} from './github.ts'

export interface SecretsPort {
  /** The expected secrets of the environment that do not exist yet (names). */
  check(env: Environment): Promise<{missing: string[]}>
  /**
   * Create one missing secret interactively (the secret service asks for its value
   * through the command's prompts, rendered on `prompt.output`: the task list's
   * prompt stream). Absent when creating is not possible here.
   */
  create?(env: Environment, name: string, prompt?: {output?: Writable}): Promise<void>
}

export interface QuotaCheck {
  /** Quotas below the environment's target. */
  below: number
  /** Increase requests already open (PENDING / CASE_OPENED). */
  pending: number
  /** One line for people. */
  summary: string
}

export interface QuotaPort {
  /** `signal`: the run interrupted (Ctrl-C): the check ends now rather than at the request timeout. */
  check(env: Environment, options?: {signal?: AbortSignal}): Promise<QuotaCheck>
  /** Request increases for the quotas below target; returns a one-line summary. */
  request?(env: Environment): Promise<{summary: string}>
}

export interface HealthWaitOptions {
  timeoutMs: number
  signal?: AbortSignal
  onProgress?: (line: string) => void
}

export interface HealthPort {
  wait(env: Environment, options: HealthWaitOptions): Promise<{healthy: boolean; summary: string}>
}

export interface FluxPort {
  /** flux-system as the cluster reports it; undefined when it cannot be read (no cluster yet). */
  status(env: Environment): Promise<FluxSystemSync | undefined>
}

export interface ClusterPort {
  /** eks:DescribeCluster in the session's account and region; undefined when there is no such cluster. */
  describe(name: string): Promise<EksCluster | undefined>
}

export interface GitHubPort {
  /** Can the token read the repository and push to the branch? (See github.ts.) */
  check(input: Pick<GitHubCheckInput, 'token' | 'owner' | 'repository' | 'branch'>): Promise<GitHubAccess>
}

export interface BootstrapPorts {
  secrets: SecretsPort
  quota: QuotaPort
  health: HealthPort
  flux: FluxPort
  cluster: ClusterPort
  github: GitHubPort
}
