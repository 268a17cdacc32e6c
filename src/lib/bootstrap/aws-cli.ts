/**
 * The two places bootstrap runs the `aws` CLI: whether the state bucket exists
 * (`aws s3api head-bucket`; @aws-sdk/client-s3 is not a dependency) and
 * `aws eks update-kubeconfig`. Argument and outcome rules are pure.
 */
import type {AwsSession} from '../aws/session.ts'

/** AWS_PROFILE (when the session uses one) and the region, for aws and terraform children. */
export function awsChildEnv(session: Pick<AwsSession, 'profile' | 'region'>): Record<string, string> {
  return {
    ...(session.profile ? {AWS_PROFILE: session.profile} : {}),
    AWS_REGION: session.region,
    AWS_DEFAULT_REGION: session.region,
    AWS_PAGER: '',
  }
}

export function headBucketArgs(bucket: string, region: string): string[] {
  return ['s3api', 'head-bucket', '--bucket', bucket, '--region', region]
}

export type BucketState = 'exists' | 'missing' | 'forbidden' | 'error'

/** head-bucket answers 404 (missing), 403 (someone else's or no permission), or 0. */
export function classifyHeadBucket(exitCode: number, output: string): BucketState {
  if (exitCode === 0) return 'exists'
  if (/\b404\b|Not ?Found|NoSuchBucket/i.test(output)) return 'missing'
  if (/\b403\b|Forbidden|AccessDenied/i.test(output)) return 'forbidden'
  return 'error'
}

export function updateKubeconfigArgs(cluster: string, region: string, kubeconfig?: string): string[] {
  return [
    'eks',
    'update-kubeconfig',
    '--name',
    cluster,
    '--alias',
    cluster,
    '--region',
    region,
    ...(kubeconfig ? ['--kubeconfig', kubeconfig] : []),
  ]
}
