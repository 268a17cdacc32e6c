/**
 * Which secrets in an account are the project's, and which expected ones are
 * missing (for `secret list` and bootstrap). Pure: no I/O, table-tested.
 */
import {type ExpectedSecret, expectedSecrets, parseConventionalName} from './naming.ts'
import type {ClusterSync} from './sync.ts'
import {type Tag, missingConventionTags, tagsToRecord} from './tags.ts'

export interface ProjectSecret {
  name: string
  arn: string
  environment: string | null
  service: string | null
  tenant: string | null
  description: string | null
  /** ISO time of the last change (value or metadata), else of creation. */
  lastChanged: string | null
  created: string | null
  /** ISO time the secret will be deleted, when scheduled. */
  deletionDate: string | null
  /** It holds a value (an AWSCURRENT version); a secret without one counts as missing. */
  hasValue: boolean
  /** Its name is one of the expected ones. */
  expected: boolean
  /** Convention tags it lacks. */
  missingTags: string[]
  /** --cluster, an expected secret: its Kubernetes Secret and state; null when the config names none. */
  cluster?: ClusterSync | null
}

export interface ListProjectSecretsResult {
  account: string
  region: string
  environments: string[]
  /** Environments configured for another account than the caller's: not checked. */
  skippedEnvironments: string[]
  secrets: ProjectSecret[]
  expected: Array<ExpectedSecret & {present: boolean; cluster?: ClusterSync | null}>
  /** Expected names not present (or only scheduled for deletion). */
  missing: string[]
  /**
   * --cluster: the kube context read, the expected secrets not in sync (`unknown` included), those
   * not checked (no place configured), and those whose Kubernetes Secret could not be read (the
   * cluster did not answer: their state is `unknown` with the `error`; the run exits 1).
   */
  cluster?: {context: string; notInSync: string[]; notChecked: string[]; notRead: string[]}
}

export interface ListedSecret {
  name: string
  arn: string
  description?: string
  tags: Tag[]
  lastChanged?: Date
  created?: Date
  deletedDate?: Date
  /** It has an AWSCURRENT version (false: declared, e.g. by Terraform, but never given a value). */
  hasValue?: boolean
}

/** Pure: which listed secrets are the project's, and which expected ones are missing. */
export function summariseSecrets(
  listed: ListedSecret[],
  context: {
    project: string
    environments: string[]
    includeOtherEnvironments: boolean
    account: string
    region: string
    skipped: string[]
  },
): ListProjectSecretsResult {
  const expected = expectedSecrets(context.environments)
  const expectedNames = new Set(expected.map((e) => e.name))
  const envSet = new Set(context.environments.map((e) => e.toLowerCase()))
  const secrets: ProjectSecret[] = []
  for (const s of listed) {
    const tags = tagsToRecord(s.tags)
    const conventional = parseConventionalName(s.name)
    const ours = tags.Project?.toLowerCase() === context.project.toLowerCase() || conventional !== undefined
    if (!ours) continue
    const environment = tags.Environment ?? conventional?.env ?? null
    const inScope = environment !== null && envSet.has(environment.toLowerCase())
    if (!inScope && !context.includeOtherEnvironments) continue
    const iso = (d?: Date) => (d ? d.toISOString() : null)
    secrets.push({
      name: s.name,
      arn: s.arn,
      environment,
      service: tags.Service ?? null,
      tenant: tags.Tenant ?? null,
      description: s.description ?? null,
      lastChanged: iso(s.lastChanged ?? s.created),
      created: iso(s.created),
      deletionDate: iso(s.deletedDate),
      hasValue: s.hasValue ?? true,
      expected: expectedNames.has(s.name),
      missingTags: missingConventionTags(s.tags),
    })
  }
  secrets.sort((a, b) => (a.environment ?? '~').localeCompare(b.environment ?? '~') || a.name.localeCompare(b.name))
  const present = new Set(secrets.filter((s) => s.deletionDate === null && s.hasValue).map((s) => s.name))
  const withPresence = expected.map((e) => ({...e, present: present.has(e.name)}))
  return {
    account: context.account,
    region: context.region,
    environments: context.environments,
    skippedEnvironments: context.skipped,
    secrets,
    expected: withPresence,
    missing: withPresence.filter((e) => !e.present).map((e) => e.name),
  }
}
