/**
 * The tag convention and AWS tag limits. Pure: no I/O.
 * Every secret carries Project, Service, Environment, Owner and Tenant.
 */
import {UsageError} from '../errors.ts'

export interface Tag {
  Key: string
  Value: string
}

export const CONVENTION_KEYS = ['Project', 'Service', 'Environment', 'Owner', 'Tenant'] as const
export const MAX_TAG_KEY = 128
export const MAX_TAG_VALUE = 256
/** Secrets Manager allows 50 tags on a secret. */
export const MAX_TAGS = 50
/** Letters, digits, spaces and _ . : / = + - @ (the characters AWS allows across services). */
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u

/** Pure: what is wrong with a tag key, or undefined. */
export function tagKeyProblem(key: string): string | undefined {
  if (key.length === 0) return 'the key is empty'
  if (key.length > MAX_TAG_KEY) return `the key is ${key.length} characters long; at most ${MAX_TAG_KEY} are allowed`
  if (/^aws:/i.test(key)) return 'keys starting with "aws:" are reserved by AWS'
  if (!TAG_CHARS.test(key)) return 'the key may hold only letters, digits, spaces and _ . : / = + - @'
  return undefined
}

/** Pure: what is wrong with a tag value, or undefined. */
export function tagValueProblem(value: string): string | undefined {
  if (value.length > MAX_TAG_VALUE) {
    return `the value is ${value.length} characters long; at most ${MAX_TAG_VALUE} are allowed`
  }
  if (!TAG_CHARS.test(value)) return 'the value may hold only letters, digits, spaces and _ . : / = + - @'
  return undefined
}

/**
 * Parses the repeatable `--tag Key=Value` flags. The convention keys come from
 * config and flags (--tenant, --service), so --tag may not set them.
 */
export function parseTagFlags(flags: string[]): Tag[] {
  const tags: Tag[] = []
  const seen = new Set<string>()
  for (const flag of flags) {
    const at = flag.indexOf('=')
    const fail = (problem: string, hint = 'Pass --tag Key=Value, e.g. --tag CostCenter=platform.') => {
      throw new UsageError(`Invalid --tag ${JSON.stringify(flag.slice(0, 300))}: ${problem}.`, {
        code: 'INVALID_TAG',
        hint,
      })
    }
    if (at < 0) fail('expected Key=Value')
    const Key = flag.slice(0, at).trim()
    const Value = flag.slice(at + 1).trim()
    const problem = tagKeyProblem(Key) ?? tagValueProblem(Value)
    if (problem) fail(problem)
    if ((CONVENTION_KEYS as readonly string[]).includes(Key)) {
      fail(
        `${Key} is set by the convention`,
        'Project and Owner come from the config file, Environment from -e; use --service and --tenant for those.',
      )
    }
    if (seen.has(Key)) fail(`${Key} is given twice`)
    seen.add(Key)
    tags.push({Key, Value})
  }
  return tags
}

export interface ConventionTagInput {
  project: string
  service: string
  env: string
  owner: string
  tenant: string
  extra?: Tag[]
}

/** The convention tags, then the extra ones; validated against the AWS limits. */
export function buildTags(input: ConventionTagInput): Tag[] {
  const tags: Tag[] = [
    {Key: 'Project', Value: input.project},
    {Key: 'Service', Value: input.service},
    {Key: 'Environment', Value: input.env},
    {Key: 'Owner', Value: input.owner},
    {Key: 'Tenant', Value: input.tenant},
    ...(input.extra ?? []),
  ]
  for (const tag of tags) {
    const problem = tagKeyProblem(tag.Key) ?? tagValueProblem(tag.Value)
    if (problem) {
      throw new UsageError(`Invalid tag ${tag.Key}: ${problem}.`, {
        code: 'INVALID_TAG',
        hint:
          tag.Key === 'Service' || tag.Key === 'Tenant'
            ? `Check --${tag.Key.toLowerCase()}.`
            : 'Check the config file (project, owner) and the --tag flags.',
      })
    }
  }
  if (tags.length > MAX_TAGS) {
    throw new UsageError(`${tags.length} tags; a secret takes at most ${MAX_TAGS}.`, {
      code: 'INVALID_TAG',
      hint: 'Pass fewer --tag flags.',
    })
  }
  return tags
}

export function tagsToRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  const record: Record<string, string> = {}
  for (const tag of tags ?? []) record[tag.Key] = tag.Value
  return record
}

/** Pure: the desired tags that are absent or different on the secret (extra tags there are kept). */
export function tagsToUpdate(desired: readonly Tag[], existing: readonly Tag[] | undefined): Tag[] {
  const current = tagsToRecord(existing)
  return desired.filter((tag) => current[tag.Key] !== tag.Value)
}

/** Pure: convention keys a secret lacks. */
export function missingConventionTags(existing: readonly Tag[] | undefined): string[] {
  const current = tagsToRecord(existing)
  return CONVENTION_KEYS.filter((key) => !current[key])
}
