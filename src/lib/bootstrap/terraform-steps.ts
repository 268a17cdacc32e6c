/**
 * The bootstrap steps that touch Terraform state: `state-backend` (the state
 * bucket, judged by its posture through @aws-sdk/client-s3, created from the
 * bootstrap root when missing) and the environment root's `infrastructure` and
 * `applications` (phases, then a final untargeted plan). The backend a root
 * declares is kept (terraform/backend.ts): its bucket is the one checked, and
 * only what it leaves out is passed to `terraform init`.
 */
import {existsSync} from 'node:fs'
import {resolve} from 'node:path'

import type {Environment, TerraformPhase} from '../config/environment.ts'
import {CheckFailedError, OperationError, UsageError} from '../errors.ts'
import {
  type DeclaredBackend,
  type S3Backend,
  backendDifferences,
  backendInitArgs,
  resolveS3Backend,
} from '../terraform/backend.ts'
import {readDeclaredBackend, readInitializedBackend} from '../terraform/runner.ts'
import {type PostureGap, postureGaps} from './bucket-posture.ts'
import {resolvePhases} from './phases.ts'
import {INIT_FLAGS, pikselLine} from './rerun.ts'
import {assertTerraformRoot, envRootHint} from './roots.ts'
import type {StepContext, StepOutcome} from './runner.ts'
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

/** The environment root's declared backend, or undefined when the root (or its directory) has none. */
function declaredIfAny(dir: string): DeclaredBackend | undefined {
  return existsSync(dir) ? readDeclaredBackend(dir) : undefined
}

/** Pure: the refusal for a bucket that lacks safeguards (exit 3), each with its fix. */
export function postureError(bucket: string, gaps: readonly PostureGap[], created = false): CheckFailedError {
  const what = created ? `was created without` : `lacks`
  return new CheckFailedError(
    `State bucket ${bucket} ${what} ${gaps.length} of the runbook's safeguards: ${gaps.map((g) => g.problem).join('; ')}. ` +
      'piksel never changes an existing bucket.',
    {
      code: 'STATE_BUCKET_POSTURE',
      hint: `As the bucket's owner: ${gaps.map((g, i) => `(${i + 1}) ${g.fix}`).join(' ')}`,
    },
  )
}

const POSTURE = 'versioned, default encryption, public access blocked, TLS-only policy'

export async function stateBackendStep(ctx: StepContext): Promise<StepOutcome> {
  const {env, session, dryRun} = ctx.options
  const roots = terraformRoots(ctx.options)
  const backend = resolveS3Backend(env, declaredIfAny(roots.env))
  for (const line of backendDifferences(env, backend)) ctx.line(`piksel: ${line}`)
  const {bucket, region} = backend
  const where = {region, ...(session.profile ? {profile: session.profile} : {})}
  const {probeStateBucket} = await import('./state-bucket.ts')
  const probe = await probeStateBucket(session, bucket, region)
  if (probe.state === 'exists') {
    const gaps = postureGaps(bucket, probe.facts, where)
    if (gaps.length === 0) return {status: 'already-done', detail: `bucket ${bucket} exists: ${POSTURE}`}
    for (const gap of gaps) ctx.line(`piksel: ${bucket}: ${gap.problem}. Fix: ${gap.fix}`)
    throw postureError(bucket, gaps)
  }
  if (!existsSync(roots.bootstrap)) {
    throw new UsageError(`State bucket ${bucket} is missing and there is no bootstrap root at ${roots.bootstrap}.`, {
      code: 'NO_BOOTSTRAP_ROOT',
      hint: `Run \`${pikselLine(ctx.options, ['init'], INIT_FLAGS)}\` to write it (or pass --infra-dir).`,
    })
  }
  ctx.line(`bucket ${bucket} not found: applying the bootstrap root ${roots.bootstrap} (local state)`)
  if (dryRun) ctx.state.bucketMissing = true
  // Before terraform init writes .terraform/ into it: a directory without Terraform files is a usage error.
  assertTerraformRoot(roots.bootstrap, envRootHint(env, true))
  const outcome = await applyTerraformRoot({
    ...terraformRun(ctx),
    label: 'state-backend',
    dir: roots.bootstrap,
    backendConfig: [],
    phases: [{name: 'bootstrap', targets: []}],
  })
  if (!dryRun) {
    // The new bucket must hold the whole posture (the bootstrap root sets it): checked, never assumed.
    const created = await probeStateBucket(session, bucket, region)
    if (created.state === 'missing') {
      throw new OperationError(`The bootstrap root ${roots.bootstrap} applied, but bucket ${bucket} does not exist.`, {
        code: 'STATE_BUCKET_NOT_CREATED',
        hint: `Check bucket_name in ${roots.bootstrap}/terraform.tfvars: it must be ${bucket}.`,
      })
    }
    const gaps = postureGaps(bucket, created.facts, where)
    if (gaps.length > 0) throw postureError(bucket, gaps, true)
  }
  return {
    status: outcome.status === 'already-done' ? 'done' : outcome.status,
    detail: `bucket ${bucket}: ${outcome.detail}${dryRun ? '' : `; ${POSTURE}`}`,
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
function terraformRun(ctx: StepContext) {
  const {session, dryRun, allowDestroy, signal} = ctx.options
  return {
    profile: session.profile,
    region: session.region,
    dryRun,
    allowDestroy,
    confirm: ctx.confirm,
    onLine: ctx.line,
    signal,
  }
}
