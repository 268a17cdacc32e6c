/**
 * `secret list --cluster`: reads each expected secret's Kubernetes Secret and its value in
 * Secrets Manager, and judges (sync.ts) whether the cluster holds the current version.
 *
 * Values are compared in memory only, by SHA-256 digest: a Kubernetes Secret's data key is
 * decoded from base64 into a buffer that is digested and zeroed at once; a Secrets Manager
 * value is digested (per field) and let go of. No value, part or digest is returned, logged
 * or put in an error.
 *
 * Reads: one GET per Kubernetes Secret (the environment's kube context; KubeClient's
 * timeouts), GetSecretValue for the current version of each secret that has one, and only
 * for a stale one ListSecretVersionIds and GetSecretValue by VersionId, at most
 * MAX_OTHER_VERSIONS versions (AWSPREVIOUS first).
 */
import {describeAwsError} from '../aws/errors.ts'
import type {AwsSession} from '../aws/session.ts'
import {OperationError, PikselError} from '../errors.ts'
import type {KubeClient} from '../kube/client.ts'
import {type SecretsManager, type SecretsManagerModule, awsErrorName, secretsManager} from './client.ts'
import type {SecretKind} from './naming.ts'
import {
  type ClusterRead,
  type ClusterSecretRef,
  type ClusterSync,
  type FieldDigests,
  type OtherVersion,
  type ReadFailure,
  fieldDigests,
  isStandardBase64,
  judgeSync,
  keyPairs,
  matchingVersion,
  sha256,
  versionsToRead,
} from './sync.ts'

/**
 * The most bytes of a Secret's GET read: Kubernetes keeps a Secret's data under 1 MiB
 * (https://kubernetes.io/docs/concepts/configuration/secret/#restriction-data-size), which base64
 * and the object around it (metadata, managedFields) keep well under this. A larger answer is
 * no Secret: it is not read further (an answer that never ends would fill memory until the timeout).
 */
export const MAX_SECRET_ANSWER_BYTES = 4 * 1024 * 1024

/** Versions other than the current one read to tell which one a stale cluster holds. */
export const MAX_OTHER_VERSIONS = 10

/** One expected secret to compare: its Secrets Manager name and kind, where the cluster carries it. */
export interface SyncTarget {
  name: string
  kind: SecretKind
  /** It has a current value in Secrets Manager (from ListSecrets). */
  present: boolean
  ref: ClusterSecretRef
}

export interface ClusterSyncOptions {
  session: AwsSession
  /** The kube client on the environment's context (the caller resolves and closes it). */
  kube: KubeClient
  targets: SyncTarget[]
  signal?: AbortSignal
}

/**
 * Compares every target; the result is by secret name. A refused read is `unknown` naming the
 * permission; a read the cluster did not answer is `unknown` with its `error` (the caller exits 1:
 * not checked). Failures of Secrets Manager are thrown.
 */
export async function compareWithCluster(options: ClusterSyncOptions): Promise<Map<string, ClusterSync>> {
  const {session, kube, targets, signal} = options
  const {sm, mod} = await secretsManager(session)
  try {
    // One GET per Kubernetes Secret, however many secrets it carries.
    const reads = new Map<string, Promise<KubeSecretData>>()
    for (const t of targets) {
      const id = `${t.ref.namespace}/${t.ref.name}`
      if (!reads.has(id)) reads.set(id, readKubeSecret(kube, t.ref, signal))
    }
    const results = await Promise.all(
      targets.map(async (t): Promise<[string, ClusterSync]> => {
        const data = await reads.get(`${t.ref.namespace}/${t.ref.name}`)!
        const read = unreadableOr(() => digestsOf(t.ref, data), signal)
        // The cluster did not answer: nothing to compare with, so the value is not read either.
        const current = t.present && read.state !== 'unreadable' ? await currentDigests(sm, mod, session, t) : undefined
        const verdict = judgeSync(t.ref, read, current)
        if (verdict.status === 'stale' && t.present) {
          verdict.matches = await heldVersion(sm, mod, session, t, (v) => matchingVersion(t.ref, read, [v]) !== null)
        }
        return [t.name, {namespace: t.ref.namespace, name: t.ref.name, keys: t.ref.keys, ...verdict}]
      }),
    )
    return new Map(results)
  } finally {
    sm.destroy()
  }
}

/** A Kubernetes Secret's data as the API returns it (base64 per key), or why there is none. */
type KubeSecretData =
  | {state: 'found'; data: Record<string, string>}
  | {state: 'absent'}
  | {state: 'forbidden'; permission: string}
  | {state: 'unreadable'; error: ReadFailure}

async function readKubeSecret(kube: KubeClient, ref: ClusterSecretRef, signal?: AbortSignal): Promise<KubeSecretData> {
  const path = `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/secrets/${encodeURIComponent(ref.name)}`
  try {
    const secret = await kube.get<{data?: Record<string, string> | null}>(path, {
      signal,
      sensitive: true,
      maxBytes: MAX_SECRET_ANSWER_BYTES,
    })
    return {state: 'found', data: secret.data ?? {}}
  } catch (error) {
    const status = (error as {statusCode?: number}).statusCode
    // Only an API server's own Status says the Secret is absent or RBAC refuses it; the same HTTP
    // status with another body is a proxy's or load balancer's page: the cluster was not read.
    if ((status === 404 || status === 403) && (error as {apiStatus?: boolean}).apiStatus === false) {
      return unreadable(notAnApiServer(ref, status), signal)
    }
    if (status === 404) return {state: 'absent'}
    // RBAC's words: `get` on `secrets` in that namespace (a Role may narrow it to resourceNames).
    if (status === 403) return {state: 'forbidden', permission: `get secrets in namespace ${ref.namespace}`}
    return unreadable(error, signal)
  }
}

/** BAD_RESPONSE: a 403 or 404 that is not a Kubernetes Status (the page is never quoted: it may echo the Secret). */
function notAnApiServer(ref: ClusterSecretRef, status: number): OperationError {
  return new OperationError(
    `Kubernetes API: the answer to get Secret ${ref.namespace}/${ref.name} (HTTP ${status}) is not a Kubernetes Status, so not the API server's (its body is not shown).`,
    {
      code: 'BAD_RESPONSE',
      hint: 'Check the kube context’s server (`kubectl config view --minify`): a proxy or load balancer in front of the API server answered (a VPN or login portal may need its own login first).',
    },
  )
}

/**
 * A failed read of the cluster (no answer in time, unreachable, credentials refused, an answer no
 * API server gives): the secret's cluster state is unknown, with the reason, and the listing
 * Secrets Manager gave is kept. A stop signal and an error nobody anticipated (BUG) still end the run.
 * The error of a sensitive read quotes no data (KubeClient, digestsOf).
 */
function unreadable(error: unknown, signal?: AbortSignal): {state: 'unreadable'; error: ReadFailure} {
  if (signal?.aborted || !(error instanceof PikselError) || error.code === 'BUG') throw error
  return {state: 'unreadable', error: {code: error.code, message: error.message, hint: error.hint ?? null}}
}

function unreadableOr(read: () => ClusterRead, signal?: AbortSignal): ClusterRead {
  try {
    return read()
  } catch (error) {
    return unreadable(error, signal)
  }
}

/** Pure enough: the digest of each configured key the Secret holds; each decoded buffer is zeroed at once. */
function digestsOf(ref: ClusterSecretRef, secret: KubeSecretData): ClusterRead {
  if (secret.state !== 'found') return secret
  const digests: Array<[string, string]> = []
  for (const [, key] of keyPairs(ref)) {
    // Own keys only (a data key may be `constructor` or `__proto__`).
    const encoded = Object.hasOwn(secret.data, key) ? secret.data[key] : undefined
    if (typeof encoded !== 'string') continue
    if (!isStandardBase64(encoded)) {
      throw new OperationError(
        `Kubernetes API: the data key ${key} of Secret ${ref.namespace}/${ref.name} is not base64; an API server always serves it as base64.`,
        {
          code: 'BAD_RESPONSE',
          hint: 'Check the kube context’s server (`kubectl config view --minify`): something other than the API server answered.',
        },
      )
    }
    const bytes = Buffer.from(encoded, 'base64')
    try {
      digests.push([key, sha256(bytes)])
    } finally {
      bytes.fill(0)
    }
  }
  // fromEntries defines own properties, so a `__proto__` key is kept as a key.
  return {state: 'found', digests: Object.fromEntries(digests)}
}

/** The current version's field digests; a refused read is the permission, a vanished secret undefined. */
async function currentDigests(
  sm: SecretsManager,
  mod: SecretsManagerModule,
  session: AwsSession,
  target: SyncTarget,
): Promise<FieldDigests | {permission: string} | undefined> {
  try {
    return await versionDigests(sm, mod, target, {})
  } catch (error) {
    const name = awsErrorName(error)
    if (name === 'AccessDeniedException') return {permission: `secretsmanager:GetSecretValue on ${target.name}`}
    if (name === 'ResourceNotFoundException') return undefined
    throw describeAwsError(error, session, 'secretsmanager:GetSecretValue')
  }
}

/** Digests of one version's value (the current one without a VersionId). */
async function versionDigests(
  sm: SecretsManager,
  mod: SecretsManagerModule,
  target: SyncTarget,
  version: {VersionId?: string},
): Promise<FieldDigests> {
  const out = await sm.send(new mod.GetSecretValueCommand({SecretId: target.name, ...version}))
  if (typeof out.SecretString === 'string') {
    const digests = fieldDigests(target.kind, out.SecretString)
    out.SecretString = undefined
    return digests
  }
  if (out.SecretBinary) {
    const digests = {value: sha256(out.SecretBinary)}
    out.SecretBinary.fill(0)
    return digests
  }
  throw new OperationError(`Secrets Manager returned no value for ${target.name}.`, {
    code: 'BAD_RESPONSE',
    hint: 'Check AWS_ENDPOINT_URL* and the secret itself (`aws secretsmanager describe-secret`).',
  })
}

/**
 * The label of the first other version (versionsToRead's order, bounded) that `held` says the
 * cluster holds, reading one version at a time and stopping there; null when none does.
 */
async function heldVersion(
  sm: SecretsManager,
  mod: SecretsManagerModule,
  session: AwsSession,
  target: SyncTarget,
  held: (version: OtherVersion) => boolean,
): Promise<string | null> {
  let listed
  try {
    listed = await sm.send(
      new mod.ListSecretVersionIdsCommand({SecretId: target.name, IncludeDeprecated: true, MaxResults: 100}),
    )
  } catch (error) {
    // Which old version it is, is a detail: without the permission, `matches` stays null.
    if (awsErrorName(error) === 'AccessDeniedException') return null
    throw describeAwsError(error, session, 'secretsmanager:ListSecretVersionIds')
  }
  const order = versionsToRead(
    (listed.Versions ?? []).map((v) => ({
      id: v.VersionId ?? '',
      stages: v.VersionStages ?? [],
      created: v.CreatedDate,
    })),
    MAX_OTHER_VERSIONS,
  )
  for (const v of order) {
    let digests: FieldDigests
    try {
      digests = await versionDigests(sm, mod, target, {VersionId: v.id})
    } catch (error) {
      const name = awsErrorName(error)
      // A deprecated version removed meanwhile, or one this caller may not read: skip it.
      if (name === 'ResourceNotFoundException' || name === 'AccessDeniedException') continue
      throw describeAwsError(error, session, 'secretsmanager:GetSecretValue')
    }
    if (held({label: v.label, digests})) return v.label
  }
  return null
}
