/**
 * What the Terraform steps share: where the environment's roots are, and the
 * environment root's apply for `infrastructure` and `applications` (phases,
 * then a final untargeted plan). The backend a root declares is kept
 * (terraform/backend.ts): only what it leaves out is passed to `terraform init`.
 * The state bucket's own step is steps/state-backend.ts.
 */
import {resolve} from 'node:path'

import type {Environment, TerraformPhase} from '../config/environment.ts'
import {type S3Backend, backendDifferences, backendInitArgs, resolveS3Backend} from '../terraform/backend.ts'
import {readDeclaredBackend, readInitializedBackend} from '../terraform/runner.ts'
import {resolvePhases} from './phases.ts'
import {assertTerraformRoot, envRootHint} from './roots.ts'
import type {StepContext, StepOutcome} from './step-context.ts'
import {applyTerraformRoot} from './terraform-phase.ts'

/** Where the environment's Terraform roots are. */
export function terraformRoots(options: {infraDir: string; env: Pick<Environment, 'name' | 'terraform'>}): {
  env: string
  bootstrap: string
} {
  return {
    env: resolve(options.infraDir, options.env.terraform.dir),
    bootstrap: resolve(options.infraDir, 'bootstrap', options.env.name),
  }
}

/** The environment root's phases of one step; the last Terraform step converges the whole root. */
export async function applyEnvRoot(
  ctx: StepContext,
  label: 'infrastructure' | 'applications',
  phases: TerraformPhase[],
  converge: boolean,
): Promise<StepOutcome> {
  const {env} = ctx.options
  const dir = terraformRoots(ctx.options).env
  // Before terraform init writes .terraform/ into it: a directory without Terraform files is a usage error.
  assertTerraformRoot(dir, envRootHint(env))
  const declared = readDeclaredBackend(dir)
  const s3: S3Backend | undefined = declared?.type === 's3' ? resolveS3Backend(env, declared) : undefined
  if (s3 && ctx.state.bucketMissing) {
    ctx.state.converged = false
    return {
      status: 'planned',
      detail: `not planned: its S3 backend needs the state bucket ${s3.bucket}, which state-backend creates first`,
    }
  }
  if (s3) for (const line of backendDifferences(env, s3)) ctx.line(`piksel: ${line}`)
  if (
    s3 &&
    declared &&
    !['use_lockfile', 'dynamodb_table'].some((k) => declared.attributes[k] || declared.expressions.includes(k))
  ) {
    if (Object.keys(declared.attributes).length > 0) {
      ctx.warn(
        `${declared.file}'s backend "s3" sets no state lock (use_lockfile): runs at the same time are not kept apart`,
      )
    }
  }
  const outcome = await applyTerraformRoot({
    ...terraformRun(ctx),
    label,
    dir,
    backendConfig: backendInitArgs(env, declared, readInitializedBackend(dir), ctx.options.session.region),
    phases,
    configuredPhases: configuredPhases(env),
    converge,
    envName: env.name,
  })
  ctx.state.converged = outcome.converged
  return {status: outcome.status, detail: outcome.detail}
}

/** Every phase of the environment, across both steps (a root without phases has one, untargeted). */
function configuredPhases(env: Environment): TerraformPhase[] {
  const plan = resolvePhases(env.terraform.phases)
  return [...plan.infrastructure, ...plan.applications]
}

/** What every Terraform root apply shares: the session's profile and region, the run's flags and I/O. */
export function terraformRun(ctx: StepContext) {
  const {session, dryRun, allowDestroy, signal} = ctx.options
  return {
    profile: session.profile,
    region: session.region,
    dryRun,
    allowDestroy,
    confirm: (summary: string) => ctx.io.confirm(summary),
    onLine: ctx.line,
    signal,
  }
}
