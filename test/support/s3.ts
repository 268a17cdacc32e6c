/**
 * The Terraform state bucket in moto, set up the way a test needs it: with the
 * runbook's posture (versioning, AES256, the four public access blocks, the
 * TLS-only policy) or without some of it; and reading back what S3 holds (state
 * objects, the .tflock, the bucket's configuration) independently of piksel.
 *
 * moto applies a bucket policy's conditional Deny unconditionally (it does not
 * evaluate aws:SecureTransport), so a bucket that Terraform keeps its state in
 * must be created here without the TLS-only policy (`policy: 'none'`).
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3'

import type {Moto} from './moto.ts'

export const STATE_BUCKET = 'piksel-staging-tfstate'
export const STATE_KEY = 'staging/terraform.tfstate'

export function s3(moto: Moto, region = 'ap-southeast-3'): S3Client {
  return new S3Client({
    region,
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'},
  })
}

export interface PostureSpec {
  versioning?: 'Enabled' | 'Suspended' | 'never'
  encryption?: boolean
  /** The public access block settings that are on (default: all four). */
  publicAccessBlock?:
    Array<'BlockPublicAcls' | 'IgnorePublicAcls' | 'BlockPublicPolicy' | 'RestrictPublicBuckets'> | 'none'
  /** The bucket policy: the runbook's TLS-only deny, another policy, or none. */
  policy?: 'tls-only' | 'other' | 'none' | string
  region?: string
}

/** The runbook's TLS-only policy, written out by hand (not computed by the code under test). */
export function tlsOnlyPolicy(bucket: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: {Bool: {'aws:SecureTransport': 'false'}},
      },
    ],
  })
}

/** Creates `bucket` with the runbook's posture, or the parts of it `spec` leaves on. */
export async function createStateBucket(moto: Moto, bucket = STATE_BUCKET, spec: PostureSpec = {}): Promise<void> {
  const region = spec.region ?? 'ap-southeast-3'
  const client = s3(moto, region)
  try {
    await client.send(
      new CreateBucketCommand({Bucket: bucket, CreateBucketConfiguration: {LocationConstraint: region as never}}),
    )
    const versioning = spec.versioning ?? 'Enabled'
    if (versioning !== 'never') {
      await client.send(new PutBucketVersioningCommand({Bucket: bucket, VersioningConfiguration: {Status: versioning}}))
    }
    if (spec.encryption ?? true) {
      await client.send(
        new PutBucketEncryptionCommand({
          Bucket: bucket,
          ServerSideEncryptionConfiguration: {Rules: [{ApplyServerSideEncryptionByDefault: {SSEAlgorithm: 'AES256'}}]},
        }),
      )
    }
    const on = spec.publicAccessBlock ?? [
      'BlockPublicAcls',
      'IgnorePublicAcls',
      'BlockPublicPolicy',
      'RestrictPublicBuckets',
    ]
    if (on !== 'none') {
      await client.send(
        new PutPublicAccessBlockCommand({
          Bucket: bucket,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: on.includes('BlockPublicAcls'),
            IgnorePublicAcls: on.includes('IgnorePublicAcls'),
            BlockPublicPolicy: on.includes('BlockPublicPolicy'),
            RestrictPublicBuckets: on.includes('RestrictPublicBuckets'),
          },
        }),
      )
    }
    const policy = spec.policy ?? 'tls-only'
    const text =
      policy === 'tls-only'
        ? tlsOnlyPolicy(bucket)
        : policy === 'other'
          ? JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: {AWS: 'arn:aws:iam::123456789012:root'},
                  Action: 's3:GetObject',
                  Resource: `arn:aws:s3:::${bucket}/*`,
                },
              ],
            })
          : policy === 'none'
            ? undefined
            : policy
    if (text) await client.send(new PutBucketPolicyCommand({Bucket: bucket, Policy: text}))
  } finally {
    client.destroy()
  }
}

/** Deletes the bucket and every object version in it (a test that needs it missing). */
export async function deleteBucket(moto: Moto, bucket = STATE_BUCKET): Promise<void> {
  const client = s3(moto)
  try {
    const versions = await client.send(new ListObjectVersionsCommand({Bucket: bucket})).catch(() => undefined)
    if (!versions) return
    for (const v of [...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])]) {
      await client.send(new DeleteObjectCommand({Bucket: bucket, Key: v.Key!, VersionId: v.VersionId}))
    }
    await client.send(new DeleteBucketCommand({Bucket: bucket}))
  } finally {
    client.destroy()
  }
}

/** The object keys in the bucket (the state and, while locked, `<key>.tflock`). */
export async function objectKeys(moto: Moto, bucket = STATE_BUCKET): Promise<string[]> {
  const client = s3(moto)
  try {
    const out = await client.send(new ListObjectsV2Command({Bucket: bucket}))
    return (out.Contents ?? []).map((o) => o.Key!).sort()
  } finally {
    client.destroy()
  }
}

export async function readObject(moto: Moto, key: string, bucket = STATE_BUCKET): Promise<string> {
  const client = s3(moto)
  try {
    const out = await client.send(new GetObjectCommand({Bucket: bucket, Key: key}))
    return await out.Body!.transformToString()
  } finally {
    client.destroy()
  }
}

export async function writeObject(moto: Moto, key: string, body: string, bucket = STATE_BUCKET): Promise<void> {
  const client = s3(moto)
  try {
    await client.send(new PutObjectCommand({Bucket: bucket, Key: key, Body: body}))
  } finally {
    client.destroy()
  }
}

/** The resource addresses in a Terraform state object. */
export async function s3StateAddresses(moto: Moto, key = STATE_KEY, bucket = STATE_BUCKET): Promise<string[]> {
  const state = JSON.parse(await readObject(moto, key, bucket)) as {
    resources?: Array<{type: string; name: string; module?: string}>
  }
  return (state.resources ?? []).map((r) => `${r.module ? `${r.module}.` : ''}${r.type}.${r.name}`).sort()
}

/** What S3 says about the bucket's configuration, raw, to prove nothing changed. */
export async function bucketConfiguration(moto: Moto, bucket = STATE_BUCKET): Promise<Record<string, unknown>> {
  const client = s3(moto)
  const safe = async (call: () => Promise<unknown>) => call().catch((e: Error) => `absent: ${e.name}`)
  try {
    return {
      versioning: await safe(
        async () => (await client.send(new GetBucketVersioningCommand({Bucket: bucket}))).Status ?? null,
      ),
      encryption: await safe(
        async () =>
          (await client.send(new GetBucketEncryptionCommand({Bucket: bucket}))).ServerSideEncryptionConfiguration,
      ),
      publicAccessBlock: await safe(
        async () =>
          (await client.send(new GetPublicAccessBlockCommand({Bucket: bucket}))).PublicAccessBlockConfiguration,
      ),
      policy: await safe(async () => (await client.send(new GetBucketPolicyCommand({Bucket: bucket}))).Policy),
    }
  } finally {
    client.destroy()
  }
}
