import * as Flags from '@oclif/core/flags'

import {BaseCommand, type EnvironmentScope, allEnvsFlag} from '../../lib/base-command.ts'
import {getEnvironment, knownEnvironments} from '../../lib/config/load.ts'
import type {EnvironmentsDocument} from '../../lib/environments/fan-out.ts'
import type {ListProjectSecretsResult, ProjectSecret} from '../../lib/secrets/list.ts'
import {clusterExitCode, describeSync} from '../../lib/secrets/sync.ts'
import {renderTable} from '../../lib/ui/table.ts'

export default class SecretList extends BaseCommand<typeof SecretList> {
  static override summary = "List the project's secrets and the expected ones that are missing. Never shows values."
  static override description = `Lists the secrets of the project in the caller's account (tag Project, or a conventional name such as slack-alerts-<env> or grafana-oauth-<env>) with environment, service, tenant and last change, and names the expected secrets (slack-alerts-<env>, <app>-oauth-<env> for grafana, jupyterhub and argo) that are missing. A secret scheduled for deletion counts as missing.

With -e, only that environment, and the caller must be its configured account (exit 2 otherwise). Without -e, every configured environment of the caller's account. Reads only: without --cluster, secret values are never fetched.

--cluster (one environment: -e, PIKSEL_ENV or defaultEnv): is what Secrets Manager holds what the cluster uses? Each expected secret is compared with the Kubernetes Secret that carries it (Slack: flux-system/slack-webhook-<env>, slack-webhook-prod for production, key address; others where environments.<env>.secrets.<name>.cluster says), on the environment's kube context only, as status uses it: in-sync, stale (and which version the cluster holds, e.g. AWSPREVIOUS), missing, or unknown (the permission that was refused). Values are compared by SHA-256 digest in memory, never shown. Exit 3 when any compared secret is not in-sync.

--all-envs: every environment of the config at once, each as -e <env> would list it (its own profile, region and account guard; with --cluster, its own kube context), in one table with an ENV column and a verdict line per environment. The exit code is the worst: 1 when an environment could not be read, else 3 when one has a secret not in sync.`
  static override examples = [
    '<%= config.bin %> secret list --env staging',
    '<%= config.bin %> secret list',
    '<%= config.bin %> secret list --env staging --json',
    '<%= config.bin %> secret list --env staging --cluster',
    '<%= config.bin %> secret list --all-envs --cluster',
  ]
  static override flags = {
    cluster: Flags.boolean({
      summary: 'Also compare each expected secret with the Kubernetes Secret that carries it (one environment).',
    }),
    kubeconfig: Flags.string({
      summary: 'With --cluster: path to the kubeconfig (default: KUBECONFIG, then ~/.kube/config).',
      dependsOn: ['cluster'],
    }),
    context: Flags.string({
      summary:
        'With --cluster: kube context (default: the one named after the environment’s cluster, which must exist).',
      dependsOn: ['cluster'],
    }),
    'all-envs': allEnvsFlag,
  }

  /** --context names one environment's cluster; each environment under --all-envs has its own. */
  protected static override allEnvsExclusive = ['context']

  async run(): Promise<ListProjectSecretsResult | EnvironmentsDocument<ListProjectSecretsResult>> {
    if (this.allEnvs) {
      const rows = await this.forEachEnvironment((scope) => this.collect(scope))
      return this.reportEnvironments(rows, {
        headers: [...SECRET_HEADERS, ...(this.flags.cluster ? ['CLUSTER'] : [])],
        rows: (r) => this.environmentRows(r),
        verdict,
        // A cluster that did not answer is an environment not checked (1), its listing still shown.
        exitCode: (r) => clusterExitCode(r.cluster),
      })
    }
    if (this.flags.cluster) return this.withCluster()
    const {listProjectSecrets} = await import('../../lib/secrets/list.ts')
    const chosen = this.flags.env === undefined ? undefined : getEnvironment(this.settings, this.flags.env)
    const environments = chosen
      ? [chosen]
      : knownEnvironments(this.settings).map((name) => getEnvironment(this.settings, name))
    const session = this.awsSession(chosen ?? this.optionalEnvironment())
    // -e: the account guard first (nothing is listed for another account).
    await this.guardAccount(chosen, session)
    const result = await listProjectSecrets({
      session,
      caller: () => this.callerIdentity(session),
      project: this.settings.project,
      environments,
      requireAccount: chosen !== undefined,
      includeOtherEnvironments: chosen === undefined,
    })
    this.render(result)
    return result
  }

  /** --cluster: one environment, its account guard, its kube context (never the current one in its place). */
  private async withCluster(): Promise<ListProjectSecretsResult> {
    const env = await this.requireEnvironment()
    const scope = this.environmentScope(env)
    await this.guardAccount(env, scope.session)
    const result = await this.collect(scope)
    this.render(result)
    const code = clusterExitCode(result.cluster)
    if (code !== 0) this.setExitCode(code)
    return result
  }

  /**
   * One environment, as `-e <env>` lists it (its account guard is the caller's): with --cluster,
   * on its own kube context (never the current one), its exec credential plugin given the
   * environment's AWS profile and region.
   */
  private async collect({env, session, caller, signal, hint}: EnvironmentScope): Promise<ListProjectSecretsResult> {
    const {listProjectSecrets} = await import('../../lib/secrets/list.ts')
    let cluster
    if (this.flags.cluster) {
      const [{environmentContext}, {pluginEnvFor}] = await Promise.all([
        import('../../lib/kube/context.ts'),
        import('../../lib/kube/config.ts'),
      ])
      const context = await environmentContext({
        kubeconfig: this.flags.kubeconfig,
        context: this.flags.context,
        env,
        config: this.flags.config,
      })
      cluster = {
        kubeconfig: this.flags.kubeconfig,
        context: context ?? env.cluster,
        pluginEnv: pluginEnvFor(session),
        secrets: {[env.name]: env.secrets},
        signal,
      }
    }
    const result = await listProjectSecrets({
      session,
      caller,
      project: this.settings.project,
      environments: [env],
      requireAccount: true,
      includeOtherEnvironments: false,
      ...(cluster ? {cluster} : {}),
    })
    return withHints(result, hint)
  }

  /** --all-envs: an environment's rows: its secrets, then its expected secrets that are missing. */
  private environmentRows(result: ListProjectSecretsResult): string[][] {
    const withCluster = this.flags.cluster
    const clusterCell = (sync: ProjectSecret['cluster']) => (sync ? describeSync(sync) : '-')
    const rows = result.secrets.map((s) => [...secretCells(s), ...(withCluster ? [clusterCell(s.cluster)] : [])])
    const missing = result.expected
      .filter((e) => !e.present)
      .map((e) => [e.name, '-', '-', '-', 'missing', ...(withCluster ? [clusterCell(e.cluster)] : [])])
    const all = [...rows, ...missing]
    return all.length > 0 ? all : [['none', '-', '-', '-', '-', ...(withCluster ? ['-'] : [])]]
  }

  private render(result: ListProjectSecretsResult): void {
    const scope = result.environments.length === 1 ? `environment ${result.environments[0]}` : 'all environments'
    this.print(`${this.settings.project} secrets in account ${result.account}, ${result.region} (${scope})`)
    if (result.secrets.length === 0) {
      this.print('  none')
    } else {
      this.print(
        renderTable(
          ['NAME', 'ENV', 'SERVICE', 'TENANT', 'LAST CHANGED', 'STATUS'],
          result.secrets.map((s) => {
            const [name, ...rest] = secretCells(s)
            return [name!, s.environment ?? '-', ...rest]
          }),
        ),
      )
    }
    if (result.skippedEnvironments.length > 0) {
      this.print(
        `\nNot checked (configured for another account): ${result.skippedEnvironments.join(', ')}. Use -e with that environment's profile.`,
      )
    }
    const missing = result.expected.filter((e) => !e.present)
    if (missing.length === 0) {
      this.print('\nEvery expected secret is present.')
    } else {
      this.print(`\nMissing (${missing.length}):`)
      for (const e of missing) this.print(`  ${e.name.padEnd(28)} ${e.command}`)
    }
    if (result.cluster) this.renderCluster(result, result.cluster)
  }

  private renderCluster(
    result: ListProjectSecretsResult,
    cluster: NonNullable<ListProjectSecretsResult['cluster']>,
  ): void {
    this.print(`\nIn the cluster (context ${cluster.context}):`)
    const rows = result.expected.flatMap((e) =>
      e.cluster
        ? [
            [
              e.name,
              `${e.cluster.namespace}/${e.cluster.name}`,
              Object.values(e.cluster.keys).join(', '),
              describeSync(e.cluster),
            ],
          ]
        : [],
    )
    if (rows.length > 0) this.print(renderTable(['SECRET', 'KUBERNETES SECRET', 'KEYS', 'STATUS'], rows))
    if (cluster.notChecked.length > 0) {
      const env = result.environments[0] ?? '<env>'
      this.print(
        `\nNot compared (no place in the cluster configured: environments.${env}.secrets.<name>.cluster): ${cluster.notChecked.join(', ')}.`,
      )
    }
    const unread = result.expected.flatMap((e) => (e.cluster?.error ? [e.cluster.error] : []))
    if (unread.length > 0) {
      // One line per Kubernetes Secret read that failed, then each distinct hint once.
      const reasons = new Set(unread.map((e) => `  ${e.code}: ${e.message}`))
      const hints = new Set(unread.flatMap((e) => (e.hint ? [`  Hint: ${e.hint}`] : [])))
      this.print(
        `\nNot read from the cluster (${cluster.notRead.length} of ${rows.length}: ${cluster.notRead.join(', ')}), so not compared:`,
      )
      this.print([...reasons, ...hints].join('\n'))
    }
    const found = cluster.notInSync.filter((name) => !cluster.notRead.includes(name))
    if (found.length === 0) {
      if (unread.length === 0) this.print(rows.length > 0 ? '\nThe cluster holds what Secrets Manager holds.' : '')
      return
    }
    this.print(
      `\n${found.length} of ${rows.length} not in sync: ${found.join(', ')}. The Kubernetes Secrets are written by the infrastructure's Terraform run: apply it to bring them up to date; an RBAC refusal needs the permission named.`,
    )
  }
}

/** The columns of a secret under --all-envs (its environment is the row's ENV). */
const SECRET_HEADERS = ['NAME', 'SERVICE', 'TENANT', 'LAST CHANGED', 'STATUS']

function secretCells(s: ProjectSecret): string[] {
  return [
    s.name,
    s.service ?? '-',
    s.tenant ?? '-',
    s.lastChanged ? s.lastChanged.replace(/\.\d+Z$/, 'Z') : '-',
    status(s),
  ]
}

/** `3 secrets, every expected one present; cluster piksel-dev: in sync`, or what is missing / not in sync. */
function verdict(r: ListProjectSecretsResult): string {
  const present = r.missing.length === 0 ? 'every expected one present' : `missing: ${r.missing.join(', ')}`
  const parts = [`${r.secrets.length} secret${r.secrets.length === 1 ? '' : 's'} in account ${r.account}, ${present}`]
  if (r.cluster) {
    const {context, notRead} = r.cluster
    const notInSync = r.cluster.notInSync.filter((name) => !notRead.includes(name))
    const error = r.expected.find((e) => e.cluster?.error)?.cluster?.error
    if (error) parts.push(`cluster ${context}: not read (${error.code}: ${error.message})`)
    if (notInSync.length > 0)
      parts.push(`${error ? 'and' : `cluster ${context}:`} not in sync: ${notInSync.join(', ')}`)
    else if (!error) parts.push(`cluster ${context}: in sync`)
  }
  // Each distinct hint of what could not be read, on its own line (as -e prints them).
  const hints = new Set(r.expected.flatMap((e) => (e.cluster?.error?.hint ? [`Hint: ${e.cluster.error.hint}`] : [])))
  return [parts.join('; '), ...hints].join('\n')
}

function status(s: ProjectSecret): string {
  if (s.deletionDate) return `scheduled for deletion ${s.deletionDate.slice(0, 10)}`
  if (s.missingTags.length > 0) return `missing tags: ${s.missingTags.join(', ')}`
  return s.expected ? 'ok' : 'ok (extra)'
}

/** The listing with each cluster read failure's hint as the environment's scope gives it (--all-envs: no refused flag). */
function withHints(result: ListProjectSecretsResult, hint: EnvironmentScope['hint']): ListProjectSecretsResult {
  const fix = <T extends {cluster?: ProjectSecret['cluster']}>(item: T): T =>
    item.cluster?.error
      ? {...item, cluster: {...item.cluster, error: {...item.cluster.error, hint: hint(item.cluster.error)}}}
      : item
  if (!result.cluster || result.cluster.notRead.length === 0) return result
  return {...result, secrets: result.secrets.map(fix), expected: result.expected.map(fix)}
}
