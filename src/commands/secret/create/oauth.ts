import * as Flags from '@oclif/core/flags'

import {SecretCreateCommand, secretCreateArgs, secretCreateFlags} from '../../../command-kit/secret-create.ts'
import type {CreateSecretResult} from '../../../lib/secrets/create.ts'
import {OAUTH_APPS, type OAuthApp, defaultTenant} from '../../../lib/secrets/naming.ts'

export default class SecretCreateOAuth extends SecretCreateCommand<typeof SecretCreateOAuth> {
  static override summary = 'Store an OAuth client (client_id:client_secret) of an app in Secrets Manager.'
  static override description = `Creates <app>-oauth-<env> (or --name) for grafana, jupyterhub or argo, holding client_id:client_secret (Terraform splits it on the first ':'), with the team's tags (Tenant=Auth0 unless --tenant).

The client id comes from --client-id or a visible prompt; the client secret from a hidden prompt, --from-stdin or --from-file, never from the command line. Without --client-id, stdin or the file may carry client_id:client_secret. Neither part may be empty or contain ':', whitespace or control characters.

Existing secrets are treated as by "secret create slack": unchanged, refused unless --overwrite (a new version; the old one stays AWSPREVIOUS), or --restore when scheduled for deletion.`
  static override examples = [
    '<%= config.bin %> secret create oauth --app grafana --env staging',
    '<%= config.bin %> secret create oauth --app jupyterhub --env staging --client-id abc123 --from-file ./client-secret.txt',
    '$ printf \'%s:%s\' "$ID" "$SECRET" | <%= config.bin %> secret create oauth --app argo --env staging --from-stdin --yes --json',
  ]
  static override flags = {
    ...secretCreateFlags,
    app: Flags.string({
      summary: 'The app the OAuth client belongs to.',
      options: [...OAUTH_APPS],
      required: true,
    }),
    'client-id': Flags.string({summary: 'The OAuth client id (not secret; asked for when absent).'}),
    tenant: Flags.string({
      summary: 'Value of the Tenant tag (the identity provider).',
      default: defaultTenant('oauth'),
    }),
    'client-secret': Flags.string({hidden: true}),
  }
  static override args = secretCreateArgs

  async run(): Promise<CreateSecretResult> {
    this.refuseCommandLineSecrets(['client-secret'])
    const env = await this.requireEnvironment()
    const {flags} = this
    return this.runCreate(env, {
      kind: 'oauth',
      app: flags.app as OAuthApp,
      clientId: flags['client-id'],
      tenant: flags.tenant,
    })
  }
}
