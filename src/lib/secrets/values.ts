/**
 * Validation and masking of secret values. Pure: no I/O. Messages never quote the
 * value (or any part of it that could be secret): they name what is wrong.
 */
import {UsageError} from '../errors.ts'
import type {SecretKind} from './naming.ts'

/** Secrets Manager's limit for SecretString, in bytes. */
export const MAX_SECRET_BYTES = 65_536

const SLACK_HOST = 'hooks.slack.com'
/** Incoming webhook: /services/T<workspace>/B<bot>/<token of 24 letters and digits>. */
const SERVICES_PATH = /^\/services\/T[A-Z0-9]{6,20}\/B[A-Z0-9]{6,20}\/[A-Za-z0-9]{24,64}$/
/** Workflow Builder webhook: /triggers/T<workspace>/<numeric id>/<hex or alnum token>. */
const TRIGGERS_PATH = /^\/triggers\/[TE][A-Z0-9]{6,20}\/\d{6,24}\/[A-Za-z0-9]{24,64}$/

export type SlackWebhookForm = 'services' | 'triggers'

/** Pure: what is wrong with a Slack webhook URL, or undefined when it is one. */
export function slackWebhookProblem(value: string): string | undefined {
  if (value.length === 0) return 'it is empty'
  if (/\s/.test(value)) return 'it contains whitespace'
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'it contains control characters'
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return 'it is not a URL'
  }
  if (url.protocol === 'http:') return 'it uses http://; Slack webhooks are https://'
  if (url.protocol !== 'https:') return `it is a ${url.protocol.replace(/:$/, '')} URL, not https://`
  // WHATWG parsing forgives `https:hooks…` and `https:/hooks…`; Go's net/url (Flux,
  // Alertmanager) reads those as an opaque URL with no host, so the value must say `https://`.
  if (!/^https:\/\//i.test(value)) return 'it does not start with https://'
  if (url.username || url.password) return 'it carries a user name or password'
  if (url.hostname !== SLACK_HOST) return `its host is ${url.hostname}, not ${SLACK_HOST}`
  if (url.port) return 'it names a port'
  if (url.search || url.hash || value.includes('?') || value.includes('#')) {
    return 'it has a query or fragment (?…, #…)'
  }
  const form = slackWebhookForm(url.pathname)
  if (form) return undefined
  if (url.pathname.startsWith('/services/')) {
    const parts = url.pathname.split('/').filter(Boolean)
    if (parts.length < 4) return 'it is truncated: /services/T…/B…/<token> has fewer than three parts'
    return 'its path is not /services/T…/B…/<token> (a token of at least 24 letters and digits)'
  }
  if (url.pathname.startsWith('/triggers/')) {
    return 'its path is not /triggers/T…/<id>/<token> (a token of at least 24 letters and digits)'
  }
  return 'its path is neither /services/T…/B…/<token> nor /triggers/T…/<id>/<token>'
}

function slackWebhookForm(pathname: string): SlackWebhookForm | undefined {
  if (SERVICES_PATH.test(pathname)) return 'services'
  if (TRIGGERS_PATH.test(pathname)) return 'triggers'
  return undefined
}

export function assertSlackWebhook(value: string): void {
  const problem = slackWebhookProblem(value)
  if (problem) {
    throw new UsageError(`That is not a Slack webhook URL: ${problem}. Nothing was changed.`, {
      code: 'INVALID_SLACK_WEBHOOK',
      hint: 'Expected https://hooks.slack.com/services/T…/B…/<token> (or /triggers/…). Pass --skip-validation to store it anyway.',
    })
  }
}

/** Pure: what is wrong with one part of `client_id:client_secret`, or undefined. */
export function oauthPartProblem(value: string): string | undefined {
  if (value.length === 0) return 'is empty'
  if (value.includes(':')) return "contains ':' (Terraform splits the secret on the first ':')"
  if (/\s/.test(value)) return 'contains whitespace'
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) return 'contains control characters'
  // Bytes that were not UTF-8 became U+FFFD before piksel saw them (Node decodes argv that way,
  // so `--client-id $'ab\xff'` arrives as "ab\uFFFD"): storing it would change the value.
  if (value.includes('\uFFFD')) {
    return 'contains U+FFFD, the replacement character: bytes that were not UTF-8 were replaced on the way here (e.g. a --client-id argument in another encoding)'
  }
  return undefined
}

export function assertOAuthPart(label: 'client id' | 'client secret', value: string, hint?: string): void {
  const problem = oauthPartProblem(value)
  if (problem) {
    throw new UsageError(`The OAuth ${label} ${problem}. Nothing was changed.`, {
      code: 'INVALID_OAUTH_CLIENT',
      hint:
        hint ??
        'The secret is stored as client_id:client_secret: neither part may be empty or contain ":", whitespace or control characters.',
    })
  }
}

export interface OAuthParts {
  clientId: string
  clientSecret: string
}

/**
 * Splits what stdin or a file carried when --client-id is absent: `id:secret`,
 * on the first ':'. Returns undefined when there is no ':' at all.
 */
export function splitOAuthValue(value: string): OAuthParts | undefined {
  const at = value.indexOf(':')
  if (at < 0) return undefined
  return {clientId: value.slice(0, at), clientSecret: value.slice(at + 1)}
}

export function oauthValue(parts: OAuthParts): string {
  return `${parts.clientId}:${parts.clientSecret}`
}

/** Any value: not empty, within Secrets Manager's size limit. */
export function assertValueSize(value: string): void {
  if (value.length === 0) {
    throw new UsageError('The secret value is empty. Nothing was changed.', {
      code: 'EMPTY_SECRET',
      hint: 'Check the input: --from-stdin reads until end of input, --from-file reads the whole file.',
    })
  }
  const bytes = Buffer.byteLength(value, 'utf8')
  if (bytes > MAX_SECRET_BYTES) {
    throw new UsageError(`The secret value is ${bytes} bytes; Secrets Manager takes at most ${MAX_SECRET_BYTES}.`, {
      code: 'SECRET_TOO_LARGE',
      hint: 'Check that the input is the secret and nothing more.',
    })
  }
}

/** Removes exactly one trailing newline (`\n` or `\r\n`), as `echo`/editors add. */
export function trimOneNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2)
  if (text.endsWith('\n')) return text.slice(0, -1)
  return text
}

/**
 * The value as a summary shows it: its form, never any of its content.
 * (Even the Slack workspace and channel ids are left out.)
 */
export function maskValue(kind: SecretKind, value: string): string {
  if (kind === 'slack') {
    const form = slackWebhookProblem(value) === undefined ? new URL(value).pathname.split('/')[1] : undefined
    return form ? `https://${SLACK_HOST}/${form}/****` : '**** (not checked)'
  }
  return value.includes(':') ? '****:****' : '****'
}
