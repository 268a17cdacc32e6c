/**
 * Reads the Terraform state bucket through @aws-sdk/client-s3 (imported lazily,
 * built by the project's client factory): does it exist, and what are its
 * versioning, default encryption, public access block and bucket policy. Only
 * Get/Head calls: piksel never changes an existing bucket. bucket-posture.ts
 * judges the facts.
 */
import {explainAwsError} from '../aws/errors.ts'
import {type AwsSession, createAwsClient} from '../aws/session.ts'
import {OperationError} from '../errors.ts'
import {type BucketFacts, PUBLIC_ACCESS_SETTINGS} from './bucket-posture.ts'

export type BucketProbe = {state: 'missing'} | {state: 'exists'; facts: BucketFacts}

interface S3LikeError {
  name?: string
  $metadata?: {httpStatusCode?: number}
  $response?: {headers?: Record<string, string>}
}

const status = (error: unknown) => (error as S3LikeError).$metadata?.httpStatusCode

/** S3's "this bucket has no such configuration" answers: the property is absent, not an error. */
const ABSENT = new Set([
  'ServerSideEncryptionConfigurationNotFoundError',
  'NoSuchPublicAccessBlockConfiguration',
  'NoSuchBucketPolicy',
])

/**
 * HeadBucket, then (when it exists) GetBucketVersioning, GetBucketEncryption,
 * GetPublicAccessBlock and GetBucketPolicy, in the bucket's region.
 * Errors: STATE_BUCKET_FORBIDDEN (403: another account's bucket, or no permission),
 * and the AWS error mapping (credentials, network, access denied) for the rest.
 */
export async function probeStateBucket(session: AwsSession, bucket: string, region: string): Promise<BucketProbe> {
  const s3 = await import('@aws-sdk/client-s3')
  const client = createAwsClient(s3.S3Client, {...session, region})
  try {
    let bucketRegion: string | undefined
    try {
      const head = await client.send(new s3.HeadBucketCommand({Bucket: bucket}))
      bucketRegion = head.BucketRegion
    } catch (error) {
      const code = status(error)
      if (code === 404 || (error as S3LikeError).name === 'NotFound') return {state: 'missing'}
      if (code === 403) {
        throw new OperationError(`State bucket ${bucket}: access denied (it may belong to another account).`, {
          code: 'STATE_BUCKET_FORBIDDEN',
          hint: 'Check the profile and the bucket name (the backend block, or terraform.stateBucket in the config).',
          cause: error,
        })
      }
      // 301: the bucket exists in another region, which S3 names in a header.
      const elsewhere = (error as S3LikeError).$response?.headers?.['x-amz-bucket-region']
      if (code === 301 && elsewhere) bucketRegion = elsewhere
      else throw error
    }
    const read = createAwsClient(s3.S3Client, {...session, region: bucketRegion ?? region})
    try {
      const optional = async <T>(call: () => Promise<T>): Promise<T | undefined> => {
        try {
          return await call()
        } catch (error) {
          if (ABSENT.has((error as S3LikeError).name ?? '')) return undefined
          throw error
        }
      }
      const [versioning, encryption, block, policy] = await Promise.all([
        read.send(new s3.GetBucketVersioningCommand({Bucket: bucket})),
        optional(() => read.send(new s3.GetBucketEncryptionCommand({Bucket: bucket}))),
        optional(() => read.send(new s3.GetPublicAccessBlockCommand({Bucket: bucket}))),
        optional(() => read.send(new s3.GetBucketPolicyCommand({Bucket: bucket}))),
      ])
      const config = block?.PublicAccessBlockConfiguration
      const facts: BucketFacts = {
        ...(versioning.Status ? {versioning: versioning.Status} : {}),
        encryption: (encryption?.ServerSideEncryptionConfiguration?.Rules ?? [])
          .map((rule) => rule.ApplyServerSideEncryptionByDefault?.SSEAlgorithm)
          .filter((algorithm): algorithm is NonNullable<typeof algorithm> => Boolean(algorithm))
          .map(String),
        publicAccessBlock: config
          ? Object.fromEntries(PUBLIC_ACCESS_SETTINGS.map((name) => [name, config[name] === true]))
          : null,
        policy: policy?.Policy ?? null,
        ...(bucketRegion ? {region: bucketRegion} : {}),
      }
      return {state: 'exists', facts}
    } finally {
      read.destroy()
    }
  } catch (error) {
    if (error instanceof OperationError) throw error
    throw await explainAwsError(error, {...session, region}, `Reading state bucket ${bucket}`)
  } finally {
    client.destroy()
  }
}
