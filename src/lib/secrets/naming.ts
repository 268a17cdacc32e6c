/**
 * The team's secret naming convention (DESIGN.md §4). Pure: no I/O.
 *
 *   slack-alerts-<env>       the Slack webhook URL           Tenant=Slack
 *   <app>-oauth-<env>        client_id:client_secret         Tenant=Auth0
 */
import {UsageError} from '../errors.ts'

export const OAUTH_APPS = ['grafana', 'jupyterhub', 'argo'] as const
export type OAuthApp = (typeof OAUTH_APPS)[number]

export type SecretKind = 'slack' | 'oauth'

/** Display names, for descriptions. */
const APP_TITLES: Record<OAuthApp, string> = {
  grafana: 'Grafana',
  jupyterhub: 'JupyterHub',
  argo: 'Argo Workflows',
}

export function slackSecretName(env: string): string {
  return `slack-alerts-${env}`
}

export function oauthSecretName(app: OAuthApp, env: string): string {
  return `${app}-oauth-${env}`
}

export function isOAuthApp(value: string): value is OAuthApp {
  return (OAUTH_APPS as readonly string[]).includes(value)
}

export interface ExpectedSecret {
  name: string
  env: string
  kind: SecretKind
  app: OAuthApp | null
  /** The command that creates it. */
  command: string
}

/** Every secret an environment is expected to hold, in a stable order. */
export function expectedSecrets(envs: string[]): ExpectedSecret[] {
  const result: ExpectedSecret[] = []
  for (const env of envs) {
    result.push({
      name: slackSecretName(env),
      env,
      kind: 'slack',
      app: null,
      command: `piksel secret create slack -e ${env}`,
    })
    for (const app of OAUTH_APPS) {
      result.push({
        name: oauthSecretName(app, env),
        env,
        kind: 'oauth',
        app,
        command: `piksel secret create oauth --app ${app} -e ${env}`,
      })
    }
  }
  return result
}

export interface ConventionalName {
  kind: SecretKind
  app: OAuthApp | null
  env: string
}

/** Reads a conventional name back: `grafana-oauth-staging` → oauth, grafana, staging. */
export function parseConventionalName(name: string): ConventionalName | undefined {
  const slack = /^slack-alerts-([a-z][a-z0-9-]*)$/.exec(name)
  if (slack?.[1]) return {kind: 'slack', app: null, env: slack[1]}
  const oauth = /^([a-z]+)-oauth-([a-z][a-z0-9-]*)$/.exec(name)
  if (oauth?.[1] && oauth[2] && isOAuthApp(oauth[1])) return {kind: 'oauth', app: oauth[1], env: oauth[2]}
  return undefined
}

/** Secrets Manager: 1-512 characters of A-Za-z0-9/_+=.@- */
export const SECRET_NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,512}$/

/** Pure: what is wrong with a secret name, or undefined. */
export function secretNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty'
  if (name.length > 512) return `is ${name.length} characters long; at most 512 are allowed`
  const bad = [...name].find((c) => !/[A-Za-z0-9/_+=.@-]/.test(c))
  if (bad !== undefined) return `contains ${JSON.stringify(bad)}; only letters, digits and / _ + = . @ - are allowed`
  return undefined
}

export function assertSecretName(name: string): void {
  const problem = secretNameProblem(name)
  if (problem) {
    throw new UsageError(`Invalid secret name ${JSON.stringify(name.slice(0, 80))}: ${problem}.`, {
      code: 'INVALID_SECRET_NAME',
      hint: 'Pass --name with 1-512 characters of A-Za-z0-9/_+=.@- (or leave it out for the conventional name).',
    })
  }
}

export function defaultDescription(kind: SecretKind, env: string, project: string, app?: OAuthApp): string {
  if (kind === 'slack') return `Slack incoming webhook URL for ${project} ${env} alerts`
  const title = app ? APP_TITLES[app] : 'OAuth'
  return `${title} OAuth client for ${project} ${env} (client_id:client_secret)`
}

/** The `Service` tag: the app an OAuth client belongs to; Slack alerts serve monitoring. */
export function defaultService(kind: SecretKind, app?: OAuthApp): string {
  return kind === 'slack' ? 'monitoring' : (app ?? 'oauth')
}

export function defaultTenant(kind: SecretKind): string {
  return kind === 'slack' ? 'Slack' : 'Auth0'
}
