/**
 * Is what Secrets Manager holds what the cluster uses? (`secret list --cluster`, issue 15 §2.)
 * Pure: where each expected secret lives in the cluster, which parts of a secret value go to
 * which Kubernetes Secret key, and the verdict from digests. No I/O: the service (cluster.ts)
 * reads the values, hands over only SHA-256 digests, and lets go of the bytes.
 *
 * Where a secret is carried:
 * - Slack: the Kubernetes Secret the Flux notification Provider names in `spec.secretRef`, key
 *   `address` (the Provider reads the webhook URL from that key; Flux docs, "Providers", Secret
 *   reference). The Piksel GitOps repository names it `slack-webhook-<env>` in `flux-system`
 *   (`infrastructure/staging/configs/notifications.yaml`: `slack-webhook-dev`, and
 *   `slack-webhook-prod` for production, the team's short name, as its AWS profile `prod-piksel`).
 * - Anything else: `environments.<env>.secrets.<name>.cluster: {namespace, name, keys}` in the
 *   config (which also overrides the Slack default). An OAuth client's value is
 *   `client_id:client_secret` (split on the first `:`, as Terraform splits it), so its keys map
 *   to the fields `clientId` and `clientSecret`, or `value` for the whole string.
 *
 * (About 310 lines: where a secret lives, how its value splits into keys and the verdict are
 * one pure pipeline over the same types; the I/O is in cluster.ts.)
 */
import {createHash} from 'node:crypto'

import {type ExpectedSecret, type SecretKind, parseConventionalName} from './naming.ts'
import {splitOAuthValue} from './values.ts'

/** The parts of a secret value a Kubernetes Secret key can hold. */
export type SecretField = 'value' | 'clientId' | 'clientSecret'
export const SECRET_FIELDS: readonly SecretField[] = ['value', 'clientId', 'clientSecret']

/** Which fields each kind of secret has: a Slack webhook is one string; an OAuth client has two parts. */
export const FIELDS_OF_KIND: Record<SecretKind, readonly SecretField[]> = {
  slack: ['value'],
  oauth: ['value', 'clientId', 'clientSecret'],
}

/** A Kubernetes Secret and, per field of the secret value, the data key that holds it. */
export interface ClusterSecretRef {
  namespace: string
  name: string
  keys: Partial<Record<SecretField, string>>
}

/** Where the environment's secrets are carried, as the config gives it (`environments.<env>.secrets`). */
export type ConfiguredSecrets = Record<string, {cluster?: ClusterSecretRef}>

/** The namespace of the Flux controllers and their notification Providers. */
export const FLUX_NAMESPACE = 'flux-system'

/** Pure: the environment's name in the GitOps repository's Slack Secret: `prod` for production. */
export function slackEnvName(env: string): string {
  return env === 'production' ? 'prod' : env
}

/**
 * Pure: the Kubernetes Secret that carries an expected secret: the config's, else the Slack
 * default (`flux-system/slack-webhook-<env>`, key `address`), else undefined (not checked).
 */
export function clusterSecretFor(
  expected: ExpectedSecret,
  configured?: ConfiguredSecrets,
): ClusterSecretRef | undefined {
  const own = configured?.[expected.name]?.cluster
  if (own) return own
  if (expected.kind === 'slack') {
    return {namespace: FLUX_NAMESPACE, name: `slack-webhook-${slackEnvName(expected.env)}`, keys: {value: 'address'}}
  }
  return undefined
}

/**
 * Pure: what is wrong with `environments.<env>.secrets.<name>` for environment `env`, or
 * undefined. `keys` is its `cluster.keys` (field → data key). The name must be one of the
 * environment's expected secrets, and the keys must be fields of its kind. Two fields cannot
 * share a data key (a key holds one part: the comparison could never be in sync), and an
 * OAuth client's `clientId` alone is refused: a rotation changes the client secret, so
 * comparing the id only would call a stale Secret in sync.
 */
export function configuredSecretProblem(
  env: string,
  name: string,
  keys: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const parsed = parseConventionalName(name)
  if (!parsed || parsed.env !== env) {
    return `is not an expected secret of environment ${env} (slack-alerts-${env}, or <app>-oauth-${env} for grafana, jupyterhub, argo)`
  }
  const allowed = FIELDS_OF_KIND[parsed.kind]
  const fields = Object.keys(keys).filter((k) => keys[k] !== undefined)
  const wrong = fields.filter((k) => !(allowed as readonly string[]).includes(k))
  if (wrong.length > 0) {
    return `cluster.keys: ${wrong.join(', ')} ${wrong.length > 1 ? 'are not fields' : 'is not a field'} of a ${parsed.kind} secret (${allowed.join(', ')})`
  }
  for (const [i, field] of fields.entries()) {
    const other = fields.slice(i + 1).find((f) => keys[f] === keys[field])
    if (other) {
      return `cluster.keys: ${field} and ${other} name the same data key ${keys[field]} (a data key holds one part of the secret)`
    }
  }
  if (parsed.kind === 'oauth' && fields.length === 1 && fields[0] === 'clientId') {
    return 'cluster.keys: clientId alone would not show a rotated client secret: add clientSecret (or value, the whole client_id:client_secret)'
  }
  return undefined
}

/**
 * Pure: whether a Secret's data value is base64 as the API server writes it (Go's
 * `encoding/json` for `[]byte`: the standard alphabet; the padding is accepted absent).
 * Node's decoder skips what is not base64, so anything else would be digested as garbage
 * and judged `stale` instead of being reported as an answer no API server gives.
 */
export function isStandardBase64(text: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(text) && (text.length % 4 === 0 || !text.endsWith('=')) && text.length % 4 !== 1
}

/** SHA-256 of bytes, hex. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Digests of the parts of one secret value, by field. */
export type FieldDigests = Partial<Record<SecretField, string>>

/**
 * The digests of a secret value's fields: `value` always; for an OAuth client `clientId` and
 * `clientSecret` too (split on the first `:`; absent when the value has none). Each part is
 * digested from its own UTF-8 bytes, which are zeroed at once.
 */
export function fieldDigests(kind: SecretKind, value: string): FieldDigests {
  const digest = (text: string) => {
    const bytes = Buffer.from(text, 'utf8')
    try {
      return sha256(bytes)
    } finally {
      bytes.fill(0)
    }
  }
  const out: FieldDigests = {value: digest(value)}
  if (kind === 'oauth') {
    const parts = splitOAuthValue(value)
    if (parts) {
      out.clientId = digest(parts.clientId)
      out.clientSecret = digest(parts.clientSecret)
    }
  }
  return out
}

/** Why the cluster could not be read (a timeout, an unreachable server, expired credentials...): as the error envelope says it. */
export interface ReadFailure {
  code: string
  message: string
  hint: string | null
}

/** What reading the Kubernetes Secret gave: the digest of each configured key it holds. */
export type ClusterRead =
  | {state: 'found'; digests: Record<string, string>}
  | {state: 'absent'}
  | {state: 'forbidden'; permission: string}
  | {state: 'unreadable'; error: ReadFailure}

/** A version of the secret other than the current one, by the label shown (`AWSPREVIOUS`, or its version id). */
export interface OtherVersion {
  label: string
  digests: FieldDigests
}

export type SyncStatus = 'in-sync' | 'stale' | 'missing' | 'unknown'

export interface SyncVerdict {
  status: SyncStatus
  /** stale: the version the cluster holds (`AWSPREVIOUS`, a version id), or null when none of those read. */
  matches: string | null
  /** missing: the configured keys the Kubernetes Secret lacks (all of them when the Secret itself is absent). */
  missingKeys: string[]
  /** stale: the keys whose value is not the current version's. */
  staleKeys: string[]
  /** unknown: the permission that was refused, e.g. `get secrets in namespace flux-system`. */
  permission: string | null
  /**
   * unknown: why the Kubernetes Secret could not be read at all (the cluster did not answer in
   * time, cannot be reached, refused the credentials...); null otherwise. The run exits 1: not checked.
   */
  error: ReadFailure | null
  /** Whether the Kubernetes Secret exists; null when it could not be read. */
  secretExists: boolean | null
}

/** Pure: the (field, key) pairs of a reference, in SECRET_FIELDS order. */
export function keyPairs(ref: ClusterSecretRef): Array<[SecretField, string]> {
  return SECRET_FIELDS.flatMap((field) => (ref.keys[field] === undefined ? [] : [[field, ref.keys[field]]]))
}

/**
 * Pure: the verdict for one secret, before any older version is looked at (`matches` null).
 * - unknown: the Kubernetes Secret could not be read: refused (the permission is named), or the
 *   cluster did not answer (`error`); or Secrets Manager's value could not (`current` is a
 *   permission string).
 * - missing: the Kubernetes Secret is absent, or lacks a configured key.
 * - in-sync: every key holds its field of the current version.
 * - stale: a key holds something else; also every key present while Secrets Manager has no
 *   current value (nothing to be in sync with), or the current value lacks the field (an OAuth
 *   value without `:`).
 */
export function judgeSync(
  ref: ClusterSecretRef,
  read: ClusterRead,
  current: FieldDigests | {permission: string} | undefined,
): SyncVerdict {
  const verdict = (status: SyncStatus, more: Partial<SyncVerdict> = {}): SyncVerdict => ({
    status,
    matches: null,
    missingKeys: [],
    staleKeys: [],
    permission: null,
    error: null,
    secretExists: read.state === 'forbidden' || read.state === 'unreadable' ? null : read.state === 'found',
    ...more,
  })
  const pairs = keyPairs(ref)
  if (read.state === 'unreadable') return verdict('unknown', {error: read.error})
  if (read.state === 'forbidden') return verdict('unknown', {permission: read.permission})
  if (read.state === 'absent') return verdict('missing', {missingKeys: pairs.map(([, key]) => key)})
  // Own keys only: a data key may be any [-._a-zA-Z0-9]+, `constructor` and `__proto__` too.
  const missingKeys = pairs.filter(([, key]) => !Object.hasOwn(read.digests, key)).map(([, key]) => key)
  if (missingKeys.length > 0) return verdict('missing', {missingKeys})
  if (current && 'permission' in current) return verdict('unknown', {permission: current.permission})
  const staleKeys = pairs
    .filter(([field, key]) => current?.[field] === undefined || current[field] !== read.digests[key])
    .map(([, key]) => key)
  return staleKeys.length === 0 ? verdict('in-sync') : verdict('stale', {staleKeys})
}

/** Pure: the first version (in the order given) whose fields every key of the Kubernetes Secret holds. */
export function matchingVersion(
  ref: ClusterSecretRef,
  read: ClusterRead,
  versions: readonly OtherVersion[],
): string | null {
  if (read.state !== 'found') return null
  const pairs = keyPairs(ref)
  const found = versions.find((v) =>
    pairs.every(
      ([field, key]) =>
        v.digests[field] !== undefined && Object.hasOwn(read.digests, key) && v.digests[field] === read.digests[key],
    ),
  )
  return found?.label ?? null
}

/**
 * Pure: the order in which other versions are read, at most `limit`: AWSPREVIOUS first, then
 * AWSPENDING, then the rest newest first. The current version is left out.
 */
export function versionsToRead(
  versions: ReadonlyArray<{id: string; stages: readonly string[]; created?: Date}>,
  limit: number,
): Array<{id: string; label: string}> {
  const rank = (stages: readonly string[]) =>
    stages.includes('AWSPREVIOUS') ? 0 : stages.includes('AWSPENDING') ? 1 : 2
  return versions
    .filter((v) => v.id && !v.stages.includes('AWSCURRENT'))
    .map((v, i) => ({v, i}))
    .sort(
      (a, b) =>
        rank(a.v.stages) - rank(b.v.stages) ||
        (b.v.created?.getTime() ?? 0) - (a.v.created?.getTime() ?? 0) ||
        a.i - b.i,
    )
    .slice(0, Math.max(0, limit))
    .map(({v}) => ({
      id: v.id,
      label: v.stages.includes('AWSPREVIOUS') ? 'AWSPREVIOUS' : v.stages.includes('AWSPENDING') ? 'AWSPENDING' : v.id,
    }))
}

/** One expected secret's place and state in the cluster, as `--json` shows it. */
export interface ClusterSync extends SyncVerdict {
  namespace: string
  name: string
  /** The data keys compared, by field. */
  keys: Partial<Record<SecretField, string>>
}

/** Pure: one line for people, e.g. `stale: address holds AWSPREVIOUS`. */
export function describeSync(sync: ClusterSync): string {
  switch (sync.status) {
    case 'in-sync':
      return 'in-sync'
    case 'missing':
      return sync.secretExists ? `missing: no key ${sync.missingKeys.join(', ')}` : 'missing: no such Secret'
    case 'unknown':
      return sync.error
        ? `unknown: could not read it (${sync.error.code})`
        : `unknown: not allowed to read it (needs ${sync.permission})`
    default: {
      const which = sync.staleKeys.join(', ')
      return sync.matches
        ? `stale: ${which} ${sync.staleKeys.length > 1 ? 'hold' : 'holds'} ${sync.matches}`
        : `stale: ${which} ${sync.staleKeys.length > 1 ? 'match' : 'matches'} no version read`
    }
  }
}

/**
 * Pure: the exit code of a `--cluster` comparison (README, "Exit codes"): 1 when some Kubernetes
 * Secret could not be read (the comparison could not be made: not checked beats found wanting,
 * as under --all-envs), else 3 when some compared secret is not in sync, else 0.
 */
export function clusterExitCode(
  cluster: {notInSync: readonly string[]; notRead: readonly string[]} | undefined,
): 0 | 1 | 3 {
  if (!cluster) return 0
  if (cluster.notRead.length > 0) return 1
  return cluster.notInSync.length > 0 ? 3 : 0
}
