/**
 * Is the environment's kube context provably the environment's EKS cluster?
 * The context's cluster (server endpoint, certificate authority, and the
 * cluster ARN or the `aws eks get-token --cluster-name/--region` that
 * `aws eks update-kubeconfig` writes) is compared with `eks:DescribeCluster`
 * (ARN: partition, region, account, name; endpoint; certificate authority).
 * A context is trusted only when every one of them agrees; any mismatch is a
 * usage error (exit 2) naming both clusters, raised before anything is written.
 * The comparison is pure and tested table-driven; checkClusterTarget does the I/O.
 */
import type {Environment} from '../config/environment.ts'
import {UsageError} from '../errors.ts'
import {type ContextIdentity, lookupContext} from '../kube/context.ts'

/** What `eks:DescribeCluster` says (cluster.name, arn, endpoint, certificateAuthority.data). */
export interface EksCluster {
  name: string
  arn: string
  endpoint?: string
  /** certificateAuthority.data: base64 of the PEM. */
  certificateAuthority?: string
  status?: string
}

export interface EksArn {
  partition: string
  region: string
  account: string
  name: string
}

/** Pure: `arn:aws:eks:ap-southeast-3:123456789012:cluster/piksel-staging`, or undefined. */
export function parseEksArn(text: string | undefined): EksArn | undefined {
  const match = /^arn:(aws[a-z-]*):eks:([a-z0-9-]+):(\d{12}):cluster\/([A-Za-z0-9][A-Za-z0-9_-]*)$/.exec(text ?? '')
  if (!match) return undefined
  return {partition: match[1]!, region: match[2]!, account: match[3]!, name: match[4]!}
}

/** Pure: the same API server URL (scheme and host case-insensitive, trailing slashes ignored). */
export function sameEndpoint(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false
  const norm = (url: string) => {
    try {
      const u = new URL(url.trim())
      return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`.toLowerCase()
    } catch {
      return url.trim().replace(/\/+$/, '').toLowerCase()
    }
  }
  return norm(a) === norm(b)
}

/** Pure: the same certificate authority (base64 of PEM; line breaks and padding whitespace ignored). */
export function sameCertificateAuthority(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false
  const compact = (s: string) => s.replace(/\s+/g, '')
  if (compact(a) === compact(b)) return true
  const pem = (s: string) => Buffer.from(compact(s), 'base64').toString('latin1').replace(/\s+/g, '')
  return pem(a) !== '' && pem(a) === pem(b)
}

export interface Difference {
  /** What differs, e.g. `account`, `endpoint`. */
  what: string
  /** The context's value ("(none)" when it has none). */
  context: string
  /** The environment's cluster value. */
  cluster: string
}

/**
 * Pure: every way the context is not the environment's EKS cluster. `expected`
 * is the environment: its cluster name, region and (when configured) account.
 * Empty means the context is provably that cluster.
 */
export function clusterDifferences(
  context: ContextIdentity,
  cluster: EksCluster,
  expected: {name: string; region: string; account?: string},
): Difference[] {
  const diffs: Difference[] = []
  const eks = parseEksArn(cluster.arn)
  // What DescribeCluster answered must be the environment's cluster itself.
  if (!eks) diffs.push({what: 'cluster ARN', context: context.clusterEntry, cluster: cluster.arn})
  else {
    if (expected.account && eks.account !== expected.account) {
      diffs.push({what: 'EKS account (configured)', context: eks.account, cluster: expected.account})
    }
    if (eks.region !== expected.region) diffs.push({what: 'EKS region', context: eks.region, cluster: expected.region})
    if (eks.name !== expected.name) diffs.push({what: 'EKS cluster name', context: eks.name, cluster: expected.name})
  }
  // The ARN the kubeconfig names the cluster entry by (aws eks update-kubeconfig does).
  const named = parseEksArn(context.clusterEntry)
  if (named && eks) {
    for (const key of ['partition', 'account', 'region', 'name'] as const) {
      if (named[key] !== eks[key])
        diffs.push({what: key === 'name' ? 'cluster name' : key, context: named[key], cluster: eks[key]})
    }
  }
  // The cluster the exec user asks tokens for.
  const token = context.getToken
  if (token?.clusterName !== undefined && token.clusterName !== cluster.name) {
    diffs.push({what: 'aws eks get-token --cluster-name', context: token.clusterName, cluster: cluster.name})
  }
  if (token?.region !== undefined && eks && token.region !== eks.region) {
    diffs.push({what: 'aws eks get-token --region', context: token.region, cluster: eks.region})
  }
  if (!sameEndpoint(context.server, cluster.endpoint)) {
    diffs.push({what: 'endpoint', context: context.server ?? '(none)', cluster: cluster.endpoint ?? '(none)'})
  }
  if (!sameCertificateAuthority(context.certificateAuthority, cluster.certificateAuthority)) {
    diffs.push({
      what: 'certificate authority',
      context: context.certificateAuthority
        ? fingerprint(context.certificateAuthority)
        : (context.certificateAuthorityError ?? '(none)'),
      cluster: cluster.certificateAuthority ? fingerprint(cluster.certificateAuthority) : '(none)',
    })
  }
  return diffs
}

/** A short, recognisable form of a long base64 value for messages. */
function fingerprint(base64: string): string {
  const compact = base64.replace(/\s+/g, '')
  return compact.length <= 16 ? compact : `${compact.slice(0, 8)}…${compact.slice(-8)}`
}

/** Pure: the cluster a context points at, in the words a person recognises. */
export function describeContextCluster(context: ContextIdentity): string {
  const named = parseEksArn(context.clusterEntry)
  const where = context.server ? ` (${context.server})` : ''
  if (named) return `${context.clusterEntry}${where}`
  if (context.getToken?.clusterName) {
    const region = context.getToken.region ? ` in ${context.getToken.region}` : ''
    return `EKS cluster ${context.getToken.clusterName}${region}${where}`
  }
  return context.server ? `the server ${context.server}` : `cluster entry "${context.clusterEntry}" (no server)`
}

/** The refusal: exit 2, naming the context's cluster and the environment's, and every difference. */
export function clusterMismatchError(
  env: Pick<Environment, 'name' | 'cluster'>,
  region: string,
  context: ContextIdentity,
  cluster: EksCluster | undefined,
  diffs: readonly Difference[],
  file: string,
): UsageError {
  const theirs = describeContextCluster(context)
  const ours = cluster
    ? `eks:DescribeCluster says the ${env.name} cluster is ${cluster.arn}${cluster.endpoint ? ` (${cluster.endpoint})` : ''}`
    : `eks:DescribeCluster finds no EKS cluster ${env.cluster} in ${region} for these credentials, so it cannot be the ${env.name} cluster`
  const details = diffs.map((d) => `${d.what} ${d.context} ≠ ${d.cluster}`).join('; ')
  return new UsageError(
    `Kube context "${context.context}" is not the ${env.name} cluster: it points at ${theirs}; ` +
      `${ours}.${details ? ` Differences: ${details}.` : ''} Nothing was written.`,
    {
      code: 'CLUSTER_MISMATCH',
      hint:
        `Check \`kubectl config get-contexts ${context.context}\` in ${file}. If it is stale, remove it ` +
        `(\`kubectl config delete-context ${context.context}\`) and let the kubeconfig step write it again; ` +
        'or pass --kubeconfig with the file that holds the right context.',
    },
  )
}

/** The environment's kube context as bootstrap may use it. */
export type ClusterTarget =
  | {
      state: 'verified'
      context: string
      arn: string
      endpoint: string
      file: string
      current?: string
    }
  | {
      /** No context named after the cluster (or no kubeconfig). */
      state: 'no-context'
      /** The EKS cluster, when it exists already. */
      cluster?: EksCluster
      file: string
      current?: string
    }

export interface ClusterTargetInput {
  env: Pick<Environment, 'name' | 'cluster' | 'account'>
  region: string
  kubeconfig?: string
  /** eks:DescribeCluster; undefined when the cluster does not exist (ResourceNotFoundException). */
  describe: (name: string) => Promise<EksCluster | undefined>
}

/**
 * Reads the environment's context and, when it exists, proves it is the
 * environment's EKS cluster (or throws CLUSTER_MISMATCH, exit 2). A context
 * that exists while the cluster does not is refused too: it points at
 * something that is not the environment's cluster.
 */
export async function checkClusterTarget(input: ClusterTargetInput): Promise<ClusterTarget> {
  const {env, region} = input
  const found = await lookupContext(input.kubeconfig, env.cluster)
  const cluster = await input.describe(env.cluster)
  if (!found.identity) return {state: 'no-context', cluster, file: found.file, current: found.current}
  if (!cluster) throw clusterMismatchError(env, region, found.identity, undefined, [], found.file)
  const diffs = clusterDifferences(found.identity, cluster, {name: env.cluster, region, account: env.account})
  if (diffs.length > 0) throw clusterMismatchError(env, region, found.identity, cluster, diffs, found.file)
  return {
    state: 'verified',
    context: env.cluster,
    arn: cluster.arn,
    endpoint: cluster.endpoint ?? '',
    file: found.file,
    current: found.current,
  }
}
