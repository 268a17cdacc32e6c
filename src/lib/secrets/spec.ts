/**
 * What a conventional secret is called, says about itself and is tagged with:
 * the one place `secret create` and bootstrap's secrets step get them from (the
 * team's convention, DESIGN.md §4, with the command's overrides). Pure: no I/O.
 */
import {UsageError} from '../errors.ts'
import {
  type OAuthApp,
  type SecretKind,
  assertSecretName,
  defaultDescription,
  defaultService,
  defaultTenant,
  oauthSecretName,
  slackSecretName,
} from './naming.ts'
import {type Tag, buildTags, parseTagFlags} from './tags.ts'

/** Secrets Manager's limit on a description. */
export const MAX_DESCRIPTION = 2048

export interface SecretSpecInput {
  kind: SecretKind
  /** The environment's name. */
  env: string
  project: string
  owner: string
  /** OAuth: the app the client belongs to (grafana, jupyterhub, argo). */
  app?: OAuthApp
  /** Overrides of the convention (each absent: the conventional one). */
  name?: string
  service?: string
  tenant?: string
  description?: string
  /** Extra tags as `Key=Value` (the convention's keys are refused). */
  extraTags?: readonly string[]
}

export interface SecretSpec {
  name: string
  description: string
  /** The convention's tags, then the extra ones. */
  tags: Tag[]
}

/**
 * The secret's name, description and tags, checked in that order against the
 * AWS limits (INVALID_SECRET_NAME, INVALID_DESCRIPTION, INVALID_TAG; exit 2):
 * everything that can be checked before the value is read.
 */
export function secretSpec(input: SecretSpecInput): SecretSpec {
  const {kind, env, project, app} = input
  if (kind === 'oauth' && app === undefined && input.name === undefined) {
    throw new Error('secretSpec: an OAuth secret without a name needs its app')
  }
  const name = input.name ?? (kind === 'slack' ? slackSecretName(env) : oauthSecretName(app as OAuthApp, env))
  assertSecretName(name)
  const description = input.description ?? defaultDescription(kind, env, project, app)
  if (description.length > MAX_DESCRIPTION) {
    throw new UsageError(
      `The description is ${description.length} characters long; at most ${MAX_DESCRIPTION} are allowed.`,
      {code: 'INVALID_DESCRIPTION', hint: 'Pass a shorter --description.'},
    )
  }
  const tags = buildTags({
    project,
    service: input.service ?? defaultService(kind, app),
    env,
    owner: input.owner,
    tenant: input.tenant ?? defaultTenant(kind),
    extra: parseTagFlags([...(input.extraTags ?? [])]),
  })
  return {name, description, tags}
}
