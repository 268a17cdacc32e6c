/**
 * Built-in Piksel defaults and the naming conventions of DESIGN.md §3.
 * Pure: no I/O, so it is tested table-driven.
 */
import {dirname, isAbsolute, join} from 'node:path'

import type {ConfiguredSecrets} from '../secrets/sync.ts'
import type {RawConfig} from './schema.ts'

export const DEFAULT_REGION = 'ap-southeast-3'
export const DEFAULT_ENVIRONMENTS = ['dev', 'staging', 'production'] as const
export const DEFAULT_GPU_TARGET = 8

export interface TerraformPhase {
  name: string
  targets: string[]
}

export interface Environment {
  name: string
  /** Configured AWS account id; when set, the account guard is on. */
  account?: string
  profile: string
  region: string
  cluster: string
  terraform: {
    dir: string
    stateBucket: string
    stateKey: string
    /** The state bucket's region when it is not the environment's (from a root's declared backend). */
    stateRegion?: string
    phases: TerraformPhase[]
  }
  /** `dir`: the local checkout, when configured (absolute, or relative to the config file's directory). */
  gitops: {owner: string; repository: string; branch: string; path: string; dir?: string}
  quota: {gpuTarget: number}
  /** Per expected secret, where the cluster carries it (`secret list --cluster`); empty when not configured. */
  secrets: ConfiguredSecrets
  /**
   * GitHub Actions OIDC for the Terraform CI (issue 14): the infrastructure repository (top-level
   * `ci.repository`, unset when not configured), the branch its trust policy admits (`ci.branch`,
   * default main), the role (default `<project>-<env>-terraform`) and its managed policies (unset:
   * the oidc step refuses to create the role).
   */
  ci: {repository?: string; branch: string; role: string; policies?: string[]}
  /** The environment's public hosted zone, and the profile of the account holding its parent zone. */
  dns?: {zone: string; parentProfile?: string}
}

export interface PikselSettings {
  project: string
  owner: string
  region: string
  /** The config file's own top-level `region:`, when it sets one (it then beats AWS_REGION without -e). */
  configuredRegion?: string
  defaultEnv?: string
  /** The config file these settings came from, if any. */
  file?: string
  environments: Record<string, Environment>
}

/** `production` uses the team's `prod-piksel` profile; others `<env>-piksel`. */
export function defaultProfile(env: string): string {
  return env === 'production' ? 'prod-piksel' : `${env}-piksel`
}

/** A configured checkout directory, taken relative to the config file that names it. Pure (path arithmetic). */
function checkoutDir(dir: string | undefined, file: string | undefined): {dir?: string} {
  if (dir === undefined) return {}
  return {dir: isAbsolute(dir) || file === undefined ? dir : join(dirname(file), dir)}
}

export function resolveSettings(raw: RawConfig = {}, file?: string): PikselSettings {
  const project = raw.project ?? 'Piksel'
  const region = raw.region ?? DEFAULT_REGION
  const names = raw.environments ? Object.keys(raw.environments) : [...DEFAULT_ENVIRONMENTS]
  const environments: Record<string, Environment> = {}
  for (const name of names) {
    const env = raw.environments?.[name] ?? {}
    const slug = project.toLowerCase()
    environments[name] = {
      name,
      account: env.account,
      profile: env.profile ?? defaultProfile(name),
      region: env.region ?? region,
      cluster: env.cluster ?? `${slug}-${name}`,
      terraform: {
        dir: env.terraform?.dir ?? name,
        stateBucket: env.terraform?.stateBucket ?? `${slug}-${name}-tfstate`,
        stateKey: env.terraform?.stateKey ?? `${name}/terraform.tfstate`,
        ...(env.terraform?.stateRegion ? {stateRegion: env.terraform.stateRegion} : {}),
        phases: env.terraform?.phases ?? [],
      },
      gitops: {
        owner: env.gitops?.owner ?? raw.gitops?.owner ?? 'piksel-ina',
        repository: env.gitops?.repository ?? raw.gitops?.repository ?? 'piksel-gitops',
        branch: env.gitops?.branch ?? raw.gitops?.branch ?? 'main',
        path: env.gitops?.path ?? `clusters/${name}`,
        ...checkoutDir(env.gitops?.dir ?? raw.gitops?.dir, file),
      },
      quota: {gpuTarget: env.quota?.gpuTarget ?? DEFAULT_GPU_TARGET},
      secrets: env.secrets ?? {},
      ci: {
        ...(raw.ci?.repository ? {repository: raw.ci.repository} : {}),
        branch: raw.ci?.branch ?? 'main',
        role: env.ci?.role ?? `${slug}-${name}-terraform`,
        ...(env.ci?.policies ? {policies: env.ci.policies} : {}),
      },
      ...(env.dns ? {dns: env.dns} : {}),
    }
  }
  return {
    project,
    owner: raw.owner ?? 'Piksel-Devops-Team',
    region,
    ...(raw.region === undefined ? {} : {configuredRegion: raw.region}),
    defaultEnv: raw.defaultEnv,
    file,
    environments,
  }
}
