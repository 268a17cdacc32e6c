/**
 * Refusals AWS would answer to a write, predicted from what DescribeSecret
 * already said, so they are reported before the summary and confirmation
 * (issue 12 §4), not after them. Pure: no I/O, table-tested.
 *
 * Sources (Secrets Manager API reference):
 * - a replica (DescribeSecret `PrimaryRegion` is another region) takes no
 *   PutSecretValue, UpdateSecret, TagResource or RestoreSecret: "Operation not
 *   permitted on a replica secret. Call must be made in primary secret's region".
 * - a secret with an `OwningService` (e.g. RDS's managed master password) is
 *   changed only through that service.
 * - a secret takes at most 50 tags (TagResource fails past it).
 */
import {UsageError} from '../errors.ts'
import {MAX_TAGS, type Tag} from './tags.ts'

/** What DescribeSecret said about the stored secret that bears on writing to it. */
export interface StoredSecretFacts {
  /** DescribeSecret PrimaryRegion: the primary's region (the secret's own one unless it is a replica). */
  primaryRegion?: string
  /** DescribeSecret OwningService, e.g. `rds`. */
  owningService?: string
  /** Its tags now. */
  tags: Tag[]
}

/**
 * The refusal for writing to this secret, or undefined when AWS would take it.
 * `region` is where piksel writes; `tags` the tags it would bring the secret to
 * (their union with the stored ones is what AWS counts).
 */
export function writeRefusal(
  name: string,
  region: string,
  facts: StoredSecretFacts,
  tags: Tag[],
): UsageError | undefined {
  if (facts.primaryRegion && facts.primaryRegion !== region) {
    return new UsageError(
      `Secret ${name} in ${region} is a replica; its primary is in ${facts.primaryRegion}, and AWS takes changes only there. Nothing was changed.`,
      {
        code: 'SECRET_IS_REPLICA',
        hint: `Run the same command with --region ${facts.primaryRegion}: the replica in ${region} follows within minutes.`,
      },
    )
  }
  if (facts.owningService) {
    return new UsageError(
      `Secret ${name} is managed by ${facts.owningService}; AWS takes changes to it only through that service. Nothing was changed.`,
      {
        code: 'SECRET_MANAGED',
        hint: `Change it through ${facts.owningService}, or pass --name for a secret of piksel's own.`,
      },
    )
  }
  const keys = new Set([...facts.tags.map((t) => t.Key), ...tags.map((t) => t.Key)])
  if (keys.size > MAX_TAGS) {
    return new UsageError(
      `Secret ${name} would carry ${keys.size} tags; AWS allows ${MAX_TAGS} on a secret. Nothing was changed.`,
      {
        code: 'TOO_MANY_TAGS',
        hint: `Remove tags it no longer needs (\`aws secretsmanager untag-resource --secret-id ${name} --tag-keys ...\`), or pass fewer --tag.`,
      },
    )
  }
  return undefined
}
