/**
 * Where bootstrap runs the `aws` CLI: `aws eks update-kubeconfig` (the state
 * bucket is read with @aws-sdk/client-s3, state-bucket.ts). Argument rules are pure.
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
