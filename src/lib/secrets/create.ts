/**
 * Secrets Manager I/O for `secret create` (and bootstrap's secrets step): compare,
 * plan, confirm, then write. No flags, prompts or terminal here: plain options in,
 * a result out. The value travels only in the SDK request body; it is never in a
 * message, a result or a log.
 */
import {randomUUID, timingSafeEqual} from 'node:crypto'

import {describeAwsError} from '../aws/errors.ts'
import {type CallerIdentity, type CallerLookup, assertAccount} from '../aws/identity.ts'
import type {AwsSession} from '../aws/session.ts'
import {OperationError} from '../errors.ts'
import {
  type EnvironmentRef,
  type SecretsManager,
  type SecretsManagerModule,
  awsErrorName,
  secretsManager,
} from './client.ts'
import {type DriftItem, type KeyScope, metadataDrift, scopeOfArn} from './drift.ts'
import {type ExistingState, type SecretAction, type SecretPlan, planAfterRestore, planSecretWrite} from './plan.ts'
import {writeRefusal} from './preflight.ts'
import {type WriteSummary, summaryOf} from './summary.ts'
import {type Described, describeSecret, readCurrentValue, updateSecretMetadata} from './store.ts'
import {type Tag, tagsToRecord} from './tags.ts'

export interface CreateSecretOptions {
  session: AwsSession
  env: EnvironmentRef
  /** Who the caller is: the command's one identity lookup (its account guard has usually asked already). */
  caller: CallerLookup
  name: string
  /** The secret string. Never logged, never returned. */
  value: string
  description: string
  /** The full desired tag list (convention + extra). */
  tags: Tag[]
  kmsKeyId?: string
  /** Replace a different stored value (as a new version) and bring tags/description up to date. */
  overwrite?: boolean
  /** Cancel a scheduled deletion, then continue. */
  restore?: boolean
  /** Everything but the writes; the action is would-create / would-update. */
  dryRun?: boolean
  /** Sees the plan before the first write; false cancels (nothing written). Absent: go ahead. */
  confirm?: (summary: WriteSummary) => Promise<boolean>
  /** Progress lines for stderr. */
  progress?: (message: string) => void
}

export interface CreateSecretResult {
  name: string
  arn: string | null
  account: string
  region: string
  action: SecretAction
  /** The version holding the value now (AWSCURRENT); null for would-create. */
  versionId: string | null
  tags: Record<string, string>
  env: string
  /** After --overwrite: the version that became AWSPREVIOUS. */
  previousVersionId: string | null
  restored: boolean
  /** The secret existed without a value (e.g. declared by Terraform) and got its first one. */
  firstValue: boolean
  /** unchanged, but tags, description or KMS key differ from what was asked (--overwrite updates them). */
  metadataDrift: boolean
  /**
   * What differs (or differed, for updated; would, for would-update): each tag with its
   * stored and wanted value, the description, the KMS key. Empty when nothing does.
   */
  drift: DriftItem[]
}

/** The result in the documented key order (name, arn, account, region, action, versionId, tags, ...). */
function ordered(r: CreateSecretResult): CreateSecretResult {
  return {
    name: r.name,
    arn: r.arn,
    account: r.account,
    region: r.region,
    action: r.action,
    versionId: r.versionId,
    tags: r.tags,
    env: r.env,
    previousVersionId: r.previousVersionId,
    restored: r.restored,
    firstValue: r.firstValue,
    metadataDrift: r.metadataDrift,
    drift: r.drift,
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8')
  const y = Buffer.from(b, 'utf8')
  return x.length === y.length && timingSafeEqual(x, y)
}

export async function createSecret(options: CreateSecretOptions): Promise<CreateSecretResult> {
  const {sm, mod} = await secretsManager(options.session)
  try {
    return ordered(await createWith(sm, mod, options, false))
  } finally {
    sm.destroy()
  }
}

async function createWith(
  sm: SecretsManager,
  mod: SecretsManagerModule,
  options: CreateSecretOptions,
  retried: boolean,
): Promise<CreateSecretResult> {
  const {session, name, value} = options
  // A write whose answer never came: say how to see whether it happened (running again is safe: it compares first).
  const verify = `\`piksel secret list -e ${options.env.name}\` or \`aws secretsmanager describe-secret --secret-id ${name} --region ${session.region}\`; running this command again is safe (it compares before it writes)`
  const fail = (error: unknown, operation: string) =>
    describeAwsError(error, session, `secretsmanager:${operation}`, {verify})

  // The account guard comes before anything is read: with a configured account, the
  // identity first; without one, both reads at once.
  let caller: CallerIdentity
  let existing: Described | undefined
  if (options.env.account !== undefined) {
    caller = await options.caller()
    assertAccount(options.env, caller, session)
    existing = await describeSecret(sm, mod, name).catch((error) => {
      throw fail(error, 'DescribeSecret')
    })
  } else {
    const [who, found] = await Promise.allSettled([options.caller(), describeSecret(sm, mod, name)])
    if (who.status === 'rejected') throw who.reason
    caller = who.value
    assertAccount(options.env, caller, session)
    if (found.status === 'rejected') throw fail(found.reason, 'DescribeSecret')
    existing = found.value
  }
  const scope: KeyScope = scopeOfArn(existing?.arn) ?? {
    partition: 'aws',
    region: session.region,
    account: caller.account,
  }
  const drift = existing ? metadataDrift(existing, options, scope) : []

  const base = {
    name,
    account: caller.account,
    region: session.region,
    env: options.env.name,
    restored: false,
    firstValue: false,
    metadataDrift: false,
    drift: [] as DriftItem[],
  }

  let state: ExistingState
  let currentVersionId = existing?.currentVersionId
  if (!existing) {
    state = {kind: 'absent'}
  } else if (existing.deletedDate) {
    state = {kind: 'scheduled-for-deletion', deletedDate: existing.deletedDate.toISOString()}
  } else if (!existing.currentVersionId) {
    state = {kind: 'empty'}
  } else {
    const stored = await readCurrentValue(sm, mod, name).catch((error) => {
      throw fail(error, 'GetSecretValue')
    })
    currentVersionId = stored.versionId ?? currentVersionId
    state = {
      kind: 'present',
      sameValue: stored.value !== undefined && sameSecret(stored.value, value),
      metadataDiffers: drift.length > 0,
    }
  }
  // What AWS would refuse (a replica, a managed secret, too many tags) is said before any summary or prompt.
  const refusal = existing && writeRefusal(name, session.region, existing, options.tags)
  let plan: SecretPlan
  try {
    plan = planSecretWrite(name, state, options)
  } catch (error) {
    throw refusal || error
  }
  if (refusal && plan.action !== 'unchanged') throw refusal

  if (!plan.writes) {
    const tags =
      plan.action === 'would-create'
        ? tagsToRecord(options.tags)
        : plan.action === 'unchanged'
          ? tagsToRecord(existing?.tags)
          : {...tagsToRecord(existing?.tags), ...tagsToRecord(options.tags)}
    return {
      ...base,
      arn: existing?.arn ?? null,
      action: plan.action,
      versionId: currentVersionId ?? null,
      previousVersionId: null,
      metadataDrift: plan.metadataDrift,
      firstValue: plan.firstValue,
      drift: plan.action === 'would-create' ? [] : drift,
      tags,
    }
  }

  if (options.confirm) {
    const ok = await options.confirm(summaryOf(plan, base, options, drift))
    if (!ok) {
      throw new OperationError(`Cancelled: secret ${name} was not changed.`, {
        code: 'CANCELLED',
        hint: 'Pass --yes to skip the confirmation, or --dry-run to see what would happen.',
      })
    }
  }

  if (plan.create) {
    // One token per attempt: an SDK retry of the same request is idempotent.
    const token = randomUUID()
    try {
      const out = await sm.send(
        new mod.CreateSecretCommand({
          Name: name,
          SecretString: value,
          Description: options.description,
          Tags: options.tags,
          ...(options.kmsKeyId ? {KmsKeyId: options.kmsKeyId} : {}),
          ClientRequestToken: token,
        }),
      )
      return {
        ...base,
        arn: out.ARN ?? null,
        action: 'created',
        versionId: out.VersionId ?? token,
        previousVersionId: null,
        tags: tagsToRecord(options.tags),
      }
    } catch (error) {
      // Someone created (or deleted) it between our look and our write: decide again, once.
      const raced = /ResourceExists|InvalidRequest/.test(awsErrorName(error))
      if (raced && !retried) return createWith(sm, mod, options, true)
      throw fail(error, 'CreateSecret')
    }
  }

  let effective: SecretPlan = plan
  let restored = false
  if (plan.restore) {
    await sm.send(new mod.RestoreSecretCommand({SecretId: name})).catch((error) => {
      throw fail(error, 'RestoreSecret')
    })
    restored = true
    options.progress?.(`Restored ${name} (its deletion is cancelled).`)
    const stored = await readCurrentValue(sm, mod, name).catch((error) => {
      throw fail(error, 'GetSecretValue')
    })
    currentVersionId = stored.versionId ?? currentVersionId
    effective = planAfterRestore(name, stored.value !== undefined && sameSecret(stored.value, value), options)
  }

  let versionId = currentVersionId ?? null
  let previousVersionId: string | null = null
  if (effective.putValue) {
    const token = randomUUID()
    const out = await sm
      .send(new mod.PutSecretValueCommand({SecretId: name, SecretString: value, ClientRequestToken: token}))
      .catch((error) => {
        throw fail(error, 'PutSecretValue')
      })
    previousVersionId = effective.firstValue ? null : (currentVersionId ?? null)
    versionId = out.VersionId ?? token
  }
  if (effective.updateMetadata) {
    const wrote = await updateSecretMetadata(sm, mod, options, drift).catch((error) => {
      throw fail(error, 'TagResource/UpdateSecret')
    })
    if (wrote) options.progress?.(`Brought the tags and description of ${name} up to date.`)
  }
  return {
    ...base,
    arn: existing?.arn ?? null,
    action: 'updated',
    versionId,
    previousVersionId,
    restored,
    firstValue: effective.firstValue,
    drift: effective.updateMetadata ? drift : [],
    tags: {...tagsToRecord(existing?.tags), ...tagsToRecord(options.tags)},
  }
}
