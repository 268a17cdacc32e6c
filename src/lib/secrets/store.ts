/**
 * The Secrets Manager calls createSecret makes besides its writes of the value:
 * what the secret looks like now, its current value (only to compare), and
 * bringing its tags, description and KMS key up to date. No flags or terminal.
 */
import {type SecretsManager, type SecretsManagerModule, awsErrorName, sdkTags} from './client.ts'
import type {DriftItem} from './drift.ts'
import type {Tag} from './tags.ts'

/** What DescribeSecret says about a secret (undefined from describeSecret: there is none). */
export interface Described {
  arn?: string
  /** The primary's region: another one than ours for a replica. */
  primaryRegion?: string
  /** The service that manages the secret (e.g. rds), if any. */
  owningService?: string
  deletedDate?: Date
  description?: string
  kmsKeyId?: string
  tags: Tag[]
  currentVersionId?: string
}

export async function describeSecret(
  sm: SecretsManager,
  mod: SecretsManagerModule,
  name: string,
): Promise<Described | undefined> {
  try {
    const out = await sm.send(new mod.DescribeSecretCommand({SecretId: name}))
    const current = Object.entries(out.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes('AWSCURRENT'))
    return {
      arn: out.ARN,
      primaryRegion: out.PrimaryRegion,
      owningService: out.OwningService,
      deletedDate: out.DeletedDate,
      description: out.Description,
      kmsKeyId: out.KmsKeyId,
      tags: sdkTags(out.Tags),
      currentVersionId: current?.[0],
    }
  } catch (error) {
    if (awsErrorName(error) === 'ResourceNotFoundException') return undefined
    throw error
  }
}

/** The AWSCURRENT value and its version (a binary secret has no SecretString). */
export async function readCurrentValue(
  sm: SecretsManager,
  mod: SecretsManagerModule,
  name: string,
): Promise<{value?: string; versionId?: string}> {
  const out = await sm.send(new mod.GetSecretValueCommand({SecretId: name, VersionStage: 'AWSCURRENT'}))
  // A binary secret never equals a string one.
  return {value: out.SecretString, versionId: out.VersionId}
}

/**
 * Writes exactly the drift: the tags that differ (TagResource), the description and
 * the KMS key (UpdateSecret). Returns whether anything was written.
 */
export async function updateSecretMetadata(
  sm: SecretsManager,
  mod: SecretsManagerModule,
  secret: {name: string; description: string; kmsKeyId?: string},
  drift: readonly DriftItem[],
): Promise<boolean> {
  const tags = drift.flatMap((d) => (d.field === 'tag' ? [{Key: d.key, Value: d.wanted}] : []))
  const description = drift.some((d) => d.field === 'description')
  const key = drift.some((d) => d.field === 'kmsKeyId')
  await Promise.all([
    tags.length > 0
      ? sm.send(new mod.TagResourceCommand({SecretId: secret.name, Tags: tags}))
      : Promise.resolve(undefined),
    description || key
      ? sm.send(
          new mod.UpdateSecretCommand({
            SecretId: secret.name,
            ...(description ? {Description: secret.description} : {}),
            ...(key ? {KmsKeyId: secret.kmsKeyId} : {}),
          }),
        )
      : Promise.resolve(undefined),
  ])
  return tags.length > 0 || description || key
}
