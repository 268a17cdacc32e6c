import {Flags} from '@oclif/core'

import {UsageError} from '../../../lib/errors.ts'
import {SecretCreateCommand, secretCreateArgs, secretCreateFlags} from '../../../lib/secrets/create-command.ts'
import {boundedPrompt} from '../../../lib/secrets/read.ts'
import {
  OAUTH_APPS,
  defaultDescription,
  defaultService,
  defaultTenant,
  oauthSecretName,
} from '../../../lib/secrets/naming.ts'
import type {CreateSecretResult} from '../../../lib/secrets/create.ts'
import {assertOAuthPart, oauthValue, splitOAuthValue} from '../../../lib/secrets/values.ts'

export default class SecretCreateOAuth extends SecretCreateCommand<typeof SecretCreateOAuth> {
  static override summary = 'Store an OAuth client (client_id:client_secret) of an app in Secrets Manager.'
  static override description = `Creates <app>-oauth-<env> (or --name) for grafana, jupyterhub or argo, holding client_id:client_secret (Terraform splits it on the first ':'), with the team's tags (Tenant=Auth0 unless --tenant).

The client id comes from --client-id or a visible prompt; the client secret from a hidden prompt, --from-stdin or --from-file, never from the command line. Without --client-id, stdin or the file may carry client_id:client_secret. Neither part may be empty or contain ':', whitespace or control characters.

Existing secrets are treated as by "secret create slack": unchanged, refused unless --overwrite (a new version; the old one stays AWSPREVIOUS), or --restore when scheduled for deletion.`
  static override examples = [
    '<%= config.bin %> secret create oauth --app grafana -e staging',
    '<%= config.bin %> secret create oauth --app jupyterhub -e staging --client-id abc123 --from-file ./client-secret.txt',
    '$ printf \'%s:%s\' "$ID" "$SECRET" | <%= config.bin %> secret create oauth --app argo -e staging --from-stdin --yes --json',
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
    const app = flags.app as (typeof OAUTH_APPS)[number]
    return this.runCreate(flags, {
      kind: 'oauth',
      env,
      name: flags.name ?? oauthSecretName(app, env.name),
      service: flags.service ?? defaultService('oauth', app),
      tenant: flags.tenant,
      description: flags.description ?? defaultDescription('oauth', env.name, this.settings.project, app),
      readValue: () => this.readClient(),
    })
  }

  private async readClient(): Promise<string> {
    const {flags} = this
    const fromInput = flags['from-stdin'] || flags['from-file'] !== undefined
    let clientId = flags['client-id']
    let clientSecret: string
    if (clientId === undefined && fromInput) {
      // Without --client-id the input carries client_id:client_secret.
      const raw = await this.readSecret(flags, 'OAuth client secret (hidden)')
      const parts = splitOAuthValue(raw)
      if (!parts) {
        throw new UsageError('The input holds no client_id:client_secret, and --client-id is absent.', {
          code: 'INVALID_OAUTH_CLIENT',
          hint: 'Pass --client-id with the secret alone on the input, or give client_id:client_secret on the input.',
        })
      }
      // The client id is not a secret (it may be given with --client-id): redacting it would mangle
      // the name, ARN and Service tag in the output when it is, say, "grafana".
      this.markSensitive(parts.clientSecret)
      ;({clientId, clientSecret} = parts)
    } else {
      if (clientId === undefined) {
        // No TTY: fail naming the secret's flags first (they are what is always needed).
        if (!this.prompter.interactive) {
          await this.prompter.password({
            message: 'OAuth client secret',
            flag: '--from-stdin or --from-file (with --client-id, or client_id:client_secret on the input)',
          })
        }
        clientId = await boundedPrompt(
          (signal) => this.prompter.input({message: 'OAuth client id', flag: '--client-id', signal}),
          {
            what: 'the client id prompt',
            hint: 'Type or paste only the client id, or pass --client-id.',
            why: 'more than the prompt takes',
          },
        )
      }
      assertOAuthPart('client id', clientId)
      clientSecret = await this.readSecret(flags, 'OAuth client secret (hidden)')
    }
    const hint =
      flags['client-id'] !== undefined && clientSecret.includes(':')
        ? 'With --client-id, the input holds the client secret alone (not client_id:client_secret).'
        : undefined
    assertOAuthPart('client id', clientId)
    assertOAuthPart('client secret', clientSecret, hint)
    const value = oauthValue({clientId, clientSecret})
    this.markSensitive(value)
    return value
  }
}
