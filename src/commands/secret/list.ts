import {BaseCommand} from '../../lib/base-command.ts'
import {getEnvironment, knownEnvironments} from '../../lib/config/load.ts'
import type {ListProjectSecretsResult} from '../../lib/secrets/list.ts'
import {renderTable} from '../../lib/ui/table.ts'

export default class SecretList extends BaseCommand<typeof SecretList> {
  static override summary = "List the project's secrets and the expected ones that are missing. Never shows values."
  static override description = `Lists the secrets of the project in the caller's account (tag Project, or a conventional name such as slack-alerts-<env> or grafana-oauth-<env>) with environment, service, tenant and last change, and names the expected secrets (slack-alerts-<env>, <app>-oauth-<env> for grafana, jupyterhub and argo) that are missing. A secret scheduled for deletion counts as missing.

With -e, only that environment, and the caller must be its configured account (exit 2 otherwise). Without -e, every configured environment of the caller's account. Reads only: secret values are never fetched.`
  static override examples = [
    '<%= config.bin %> secret list --env staging',
    '<%= config.bin %> secret list',
    '<%= config.bin %> secret list --env staging --json',
  ]

  async run(): Promise<ListProjectSecretsResult> {
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
      return
    }
    this.print(`\nMissing (${missing.length}):`)
    for (const e of missing) this.print(`  ${e.name.padEnd(28)} ${e.command}`)
  }
}

function status(s: ListProjectSecretsResult['secrets'][number]): string {
  if (s.deletionDate) return `scheduled for deletion ${s.deletionDate.slice(0, 10)}`
  if (s.missingTags.length > 0) return `missing tags: ${s.missingTags.join(', ')}`
  return s.expected ? 'ok' : 'ok (extra)'
}
