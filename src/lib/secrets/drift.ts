/**
 * What differs between an existing secret's metadata and what `secret create`
 * wants (tags, description, KMS key): the drift report. Pure: no I/O, table-tested.
 * None of these fields is secret, so the report names old and new values.
 *
 * KMS keys are compared by form, without calling KMS (@aws-sdk/client-kms is not a
 * dependency): a key id, key ARN, alias name and alias ARN are put in one ARN form
 * in the secret's own partition, region and account. `DescribeSecret` leaves
 * `KmsKeyId` out for the AWS managed key, so absent and `alias/aws/secretsmanager`
 * (name or ARN) are the same key (Secrets Manager API reference, DescribeSecret:
 * "If the secret is encrypted with the AWS managed key aws/secretsmanager, this
 * field is omitted"). An alias and a key id can name the same key only KMS can
 * tell: that is reported as drift with a note saying so.
 */
import {type Tag, tagsToRecord} from './tags.ts'

export const DEFAULT_KMS_ALIAS = 'alias/aws/secretsmanager'

export type DriftItem =
  | {field: 'tag'; key: string; stored: string | null; wanted: string}
  | {field: 'description'; stored: string | null; wanted: string}
  | {field: 'kmsKeyId'; stored: string | null; wanted: string; note?: string}

export interface StoredMetadata {
  description?: string
  /** As DescribeSecret reports it: absent for the AWS managed key. */
  kmsKeyId?: string
  tags: readonly Tag[]
}

export interface WantedMetadata {
  description: string
  /** --kms-key-id; absent: whatever key the secret has is fine. */
  kmsKeyId?: string
  tags: readonly Tag[]
}

/** Where the secret lives: the partition, region and account of its ARN. */
export interface KeyScope {
  partition: string
  region: string
  account: string
}

/** Pure: partition, region and account of an ARN (`arn:aws:secretsmanager:ap-southeast-3:123…:secret:x`). */
export function scopeOfArn(arn: string | undefined): KeyScope | undefined {
  const parts = arn?.split(':')
  if (!parts || parts.length < 6 || parts[0] !== 'arn' || !parts[1] || !parts[3] || !parts[4]) return undefined
  return {partition: parts[1], region: parts[3], account: parts[4]}
}

export type KmsRef = {kind: 'default'} | {kind: 'key' | 'alias'; arn: string}

/** Pure: a key id, key ARN, alias name or alias ARN in one comparable form. */
export function kmsRef(value: string | undefined, scope: KeyScope): KmsRef {
  const text = (value ?? '').trim()
  const prefix = `arn:${scope.partition}:kms:${scope.region}:${scope.account}:`
  if (text === '' || text === DEFAULT_KMS_ALIAS || text === `${prefix}${DEFAULT_KMS_ALIAS}`) return {kind: 'default'}
  const arn = /^arn:[^:]+:kms:[^:]*:[^:]*:(key|alias)\/(.+)$/.exec(text)
  if (arn) {
    const kind = arn[1] as 'key' | 'alias'
    // Key ids are lowercase UUIDs (or mrk-…); AWS accepts them in any case.
    return {kind, arn: kind === 'key' ? text.replace(/key\/(.+)$/, (_, id: string) => `key/${id.toLowerCase()}`) : text}
  }
  if (text.startsWith('alias/')) return {kind: 'alias', arn: `${prefix}${text}`}
  return {kind: 'key', arn: `${prefix}key/${text.toLowerCase()}`}
}

export type KmsComparison = 'same' | 'different' | 'unknown'

/** Pure: is the wanted key the one the secret uses? `unknown` when only KMS could tell (alias vs key). */
export function compareKmsKeys(stored: string | undefined, wanted: string, scope: KeyScope): KmsComparison {
  const a = kmsRef(stored, scope)
  const b = kmsRef(wanted, scope)
  if (a.kind === 'default' || b.kind === 'default') return a.kind === b.kind ? 'same' : 'different'
  if (a.kind !== b.kind) return 'unknown'
  return a.arn === b.arn ? 'same' : 'different'
}

/** Pure: every difference `--overwrite` would bring up to date, in the order tags, description, KMS key. */
export function metadataDrift(stored: StoredMetadata, wanted: WantedMetadata, scope: KeyScope): DriftItem[] {
  const items: DriftItem[] = []
  const current = tagsToRecord(stored.tags)
  for (const tag of wanted.tags) {
    if (current[tag.Key] !== tag.Value) {
      items.push({field: 'tag', key: tag.Key, stored: current[tag.Key] ?? null, wanted: tag.Value})
    }
  }
  if ((stored.description ?? '') !== wanted.description) {
    items.push({field: 'description', stored: stored.description ?? null, wanted: wanted.description})
  }
  if (wanted.kmsKeyId !== undefined) {
    const comparison = compareKmsKeys(stored.kmsKeyId, wanted.kmsKeyId, scope)
    if (comparison !== 'same') {
      items.push({
        field: 'kmsKeyId',
        stored: stored.kmsKeyId ?? null,
        wanted: wanted.kmsKeyId,
        ...(comparison === 'unknown'
          ? {
              note: 'an alias and a key id may name the same key; only KMS (kms:DescribeKey) can tell, and piksel does not call it',
            }
          : {}),
      })
    }
  }
  return items
}

/** Pure: one line for people, e.g. `tag Service: "alerts" → "monitoring"; description: (none) → "…"`. */
export function describeDrift(items: readonly DriftItem[]): string {
  const show = (value: string | null) => (value === null ? '(none)' : JSON.stringify(value))
  return items
    .map((item) => {
      switch (item.field) {
        case 'tag':
          return `tag ${item.key}: ${show(item.stored)} → ${show(item.wanted)}`
        case 'description':
          return `description: ${show(item.stored)} → ${show(item.wanted)}`
        default: {
          const stored = item.stored === null ? `(AWS managed key ${DEFAULT_KMS_ALIAS})` : show(item.stored)
          return `KMS key: ${stored} → ${show(item.wanted)}${item.note ? ` (${item.note})` : ''}`
        }
      }
    })
    .join('; ')
}
