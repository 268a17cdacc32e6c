/**
 * What `secret create` does with what it found. Pure: no I/O, table-tested.
 * Nothing is ever lost: a different stored value is only replaced with
 * --overwrite, and then as a new version (the old one stays AWSPREVIOUS).
 */
import {OperationError, UsageError} from '../errors.ts'

export type SecretAction = 'created' | 'updated' | 'unchanged' | 'would-create' | 'would-update'

export type ExistingState =
  | {kind: 'absent'}
  | {kind: 'scheduled-for-deletion'; deletedDate?: string}
  /** The secret exists but holds no value yet (e.g. declared by Terraform without a version): nothing to lose. */
  | {kind: 'empty'}
  /** sameValue: the stored AWSCURRENT value equals the new one; metadataDiffers: tags/description/key lag behind. */
  | {kind: 'present'; sameValue: boolean; metadataDiffers: boolean}

export interface PlanFlags {
  overwrite?: boolean
  restore?: boolean
  dryRun?: boolean
}

export interface SecretPlan {
  action: SecretAction
  /** The writes, in order. Empty for unchanged and would-*. */
  restore: boolean
  create: boolean
  putValue: boolean
  updateMetadata: boolean
  /** Something is written: a confirmation is needed first. */
  writes: boolean
  /** The value of a secret scheduled for deletion cannot be read until it is restored. */
  compareAfterRestore: boolean
  /** The value written is the secret's first (it had none): no AWSPREVIOUS is made. */
  firstValue: boolean
  /** For unchanged: tags or description differ from the convention (--overwrite brings them up to date). */
  metadataDrift: boolean
}

const NONE = {
  restore: false,
  create: false,
  putValue: false,
  updateMetadata: false,
  writes: false,
  compareAfterRestore: false,
  firstValue: false,
  metadataDrift: false,
}

export function planSecretWrite(name: string, state: ExistingState, flags: PlanFlags): SecretPlan {
  if (state.kind === 'absent') {
    return flags.dryRun ? {...NONE, action: 'would-create'} : {...NONE, action: 'created', create: true, writes: true}
  }
  if (state.kind === 'empty') {
    if (flags.dryRun) return {...NONE, action: 'would-update', firstValue: true}
    return {...NONE, action: 'updated', putValue: true, updateMetadata: true, writes: true, firstValue: true}
  }
  if (state.kind === 'scheduled-for-deletion') {
    if (!flags.restore) {
      throw new UsageError(
        `Secret ${name} is scheduled for deletion${state.deletedDate ? ` on ${state.deletedDate}` : ''}. Nothing was changed.`,
        {
          code: 'SECRET_SCHEDULED_FOR_DELETION',
          hint: 'Pass --restore to cancel the deletion and continue (its stored value is kept and compared), or wait until it is deleted.',
        },
      )
    }
    if (flags.dryRun) return {...NONE, action: 'would-update', compareAfterRestore: true}
    return {...NONE, action: 'updated', restore: true, writes: true, compareAfterRestore: true}
  }
  if (state.sameValue) {
    if (!state.metadataDiffers || !flags.overwrite) {
      return {...NONE, action: 'unchanged', metadataDrift: state.metadataDiffers}
    }
    if (flags.dryRun) return {...NONE, action: 'would-update'}
    return {...NONE, action: 'updated', updateMetadata: true, writes: true}
  }
  if (!flags.overwrite) {
    throw new UsageError(`Secret ${name} already exists with a different value. Nothing was changed.`, {
      code: 'SECRET_CONFLICT',
      hint: 'Pass --overwrite to store the new value as a new version (the current one stays as AWSPREVIOUS), or --name for another secret.',
    })
  }
  if (flags.dryRun) return {...NONE, action: 'would-update'}
  return {...NONE, action: 'updated', putValue: true, updateMetadata: true, writes: true}
}

/**
 * After a restore the value can be read: the second decision. The restore was
 * already a change, so a conflict here is an operation failure (exit 1), not a
 * usage error: the secret is back, holding its old value.
 */
export function planAfterRestore(name: string, sameValue: boolean, flags: PlanFlags): SecretPlan {
  if (sameValue) return {...NONE, action: 'updated', updateMetadata: true, writes: true}
  if (!flags.overwrite) {
    throw new OperationError(
      `Secret ${name} was restored, but it holds a different value, which was kept (not replaced).`,
      {
        code: 'SECRET_CONFLICT',
        hint: 'Run again with --overwrite to store the new value as a new version (the restored one stays as AWSPREVIOUS).',
      },
    )
  }
  return {...NONE, action: 'updated', putValue: true, updateMetadata: true, writes: true}
}
