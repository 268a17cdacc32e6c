import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../lib/base-command.ts'
import {getEnvironment, knownEnvironments} from '../../lib/config/load.ts'
import {ExitCode} from '../../lib/errors.ts'
import type {ListProjectSecretsResult} from '../../lib/secrets/list.ts'
import {describeSync} from '../../lib/secrets/sync.ts'
import {renderTable} from '../../lib/ui/table.ts'

export default class SecretList extends BaseCommand<typeof SecretList> {
  static override summary = "List the project's secrets and the expected ones that are missing. Never shows values."
  static override description = `Lists the secrets of the project in the caller's account (tag Project, or a conventional name such as slack-alerts-<env> or grafana-oauth-<env>) with environment, service, tenant and last change, and names the expected secrets (slack-alerts-<env>, <app>-oauth-<env> for grafana, jupyterhub and argo) that are missing. A secret scheduled for deletion counts as missing.

With -e, only that environment, and the caller must be its configured account (exit 2 otherwise). Without -e, every configured environment of the caller's account. Reads only: without --cluster, secret values are never fetched.

--cluster (one environment: -e, PIKSEL_ENV or defaultEnv): is what Secrets Manager holds what the cluster uses? Each expected secret is compared with the Kubernetes Secret that carries it (Slack: flux-system/slack-webhook-<env>, slack-webhook-prod for production, key address; others where environments.<env>.secrets.<name>.cluster says), on the environment's kube context only, as status uses it: in-sync, stale (and which version the cluster holds, e.g. AWSPREVIOUS), missing, or unknown (the permission that was refused). Values are compared by SHA-256 digest in memory, never shown. Exit 3 when any compared secret is not in-sync.`
  static override examples = [
    '<%= config.bin %> secret list --env staging',
    '<%= config.bin %> secret list',
    '<%= config.bin %> secret list --env staging --json',
    '<%= config.bin %> secret list --env staging --cluster',
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
  }

  async run(): Promise<ListProjectSecretsResult> {
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
    const {listProjectSecrets} = await import('../../lib/secrets/list.ts')
    const env = await this.requireEnvironment()
    const session = this.awsSession(env)
    await this.guardAccount(env, session)
    const {environmentContext} = await import('../../lib/kube/context.ts')
    const context = await environmentContext({
      kubeconfig: this.flags.kubeconfig,
      context: this.flags.context,
      env,
      config: this.flags.config,
    })
    const result = await listProjectSecrets({
      session,
      caller: () => this.callerIdentity(session),
      project: this.settings.project,
      environments: [env],
      requireAccount: true,
      includeOtherEnvironments: false,
      cluster: {
        kubeconfig: this.flags.kubeconfig,
        context: context ?? env.cluster,
        secrets: {[env.name]: env.secrets},
        signal: this.abort.signal,
      },
    })
    this.render(result)
    if ((result.cluster?.notInSync.length ?? 0) > 0) this.setExitCode(ExitCode.check)
    return result
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
          result.secrets.map((s) => [
            s.name,
            s.environment ?? '-',
            s.service ?? '-',
            s.tenant ?? '-',
            s.lastChanged ? s.lastChanged.replace(/\.\d+Z$/, 'Z') : '-',
            status(s),
          ]),
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
    if (cluster.notInSync.length === 0) {
      this.print(rows.length > 0 ? '\nThe cluster holds what Secrets Manager holds.' : '')
      return
    }
    this.print(
      `\n${cluster.notInSync.length} of ${rows.length} not in sync: ${cluster.notInSync.join(', ')}. The Kubernetes Secrets are written by the infrastructure's Terraform run: apply it to bring them up to date; an RBAC refusal needs the permission named.`,
    )
  }
}

function status(s: ListProjectSecretsResult['secrets'][number]): string {
  if (s.deletionDate) return `scheduled for deletion ${s.deletionDate.slice(0, 10)}`
  if (s.missingTags.length > 0) return `missing tags: ${s.missingTags.join(', ')}`
  return s.expected ? 'ok' : 'ok (extra)'
}
