/**
 * What a secret write will do, for the summary shown before its confirmation
 * (the command renders it; the value is never part of it). Pure: no I/O.
 */
import type {DriftItem} from './drift.ts'
import type {SecretAction, SecretPlan} from './plan.ts'
import {type Tag, tagsToRecord} from './tags.ts'

export interface WriteSummary {
  name: string
  account: string
  region: string
  action: SecretAction
  /** What will be written, in order: restore, create, put-value, update-tags-and-description. */
  steps: string[]
  description: string
  tags: Record<string, string>
  kmsKeyId: string | null
  /** What differs on the existing secret and will be brought up to date. */
  drift: DriftItem[]
}

/** Pure: the summary of a plan that writes. */
export function summaryOf(
  plan: SecretPlan,
  base: {name: string; account: string; region: string},
  options: {description: string; tags: Tag[]; kmsKeyId?: string; overwrite?: boolean},
  drift: DriftItem[],
): WriteSummary {
  const steps: string[] = []
  if (plan.restore) steps.push('restore (cancel the scheduled deletion), then compare the stored value')
  if (plan.create) steps.push('create the secret')
  if (plan.putValue) {
    steps.push(
      plan.firstValue
        ? 'store the value (the secret exists but holds none yet)'
        : 'store the new value as a new version (the current one stays AWSPREVIOUS)',
    )
  }
  if (plan.updateMetadata && drift.length > 0)
    steps.push('bring tags, description and KMS key up to date where they differ')
  if (plan.restore && !options.overwrite) steps.push('stop if the restored value differs (pass --overwrite)')
  return {
    ...base,
    action: plan.action,
    steps,
    description: options.description,
    tags: tagsToRecord(options.tags),
    kmsKeyId: options.kmsKeyId ?? null,
    drift: plan.updateMetadata ? drift : [],
  }
}
