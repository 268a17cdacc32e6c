/**
 * The state-backend step: the Terraform state bucket, judged by its posture
 * through @aws-sdk/client-s3, created from the bootstrap root when missing. The
 * bucket checked is the one the environment root's backend declares. piksel
 * never changes an existing bucket: one that lacks a safeguard is refused (exit 3).
 */
import {existsSync} from 'node:fs'

import {CheckFailedError, OperationError, UsageError} from '../../errors.ts'
import {type DeclaredBackend, backendDifferences, resolveS3Backend} from '../../terraform/backend.ts'
import {readDeclaredBackend} from '../../terraform/runner.ts'
import {type PostureGap, postureGaps} from '../bucket-posture.ts'
import {INIT_FLAGS, pikselLine} from '../rerun.ts'
import {assertTerraformRoot, envRootHint} from '../roots.ts'
import type {Step} from '../step-context.ts'
import {applyTerraformRoot} from '../terraform-phase.ts'
import {terraformRoots, terraformRun} from '../terraform-steps.ts'

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

export const stateBackend: Step = async (ctx) => {
  const {env, session, dryRun} = ctx.options
  const roots = terraformRoots(ctx.options)
  const backend = resolveS3Backend(env, declaredIfAny(roots.env))
  for (const line of backendDifferences(env, backend)) ctx.line(`piksel: ${line}`)
  const {bucket, region} = backend
  const where = {region, ...(session.profile ? {profile: session.profile} : {})}
  const {probeStateBucket} = await import('../state-bucket.ts')
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
