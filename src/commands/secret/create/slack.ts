import * as Flags from '@oclif/core/flags'

import {SecretCreateCommand, secretCreateArgs, secretCreateFlags} from '../../../command-kit/secret-create.ts'
import type {CreateSecretResult} from '../../../lib/secrets/create.ts'

export default class SecretCreateSlack extends SecretCreateCommand<typeof SecretCreateSlack> {
  static override summary = 'Store the Slack alerts webhook URL of an environment in Secrets Manager.'
  static override description = `Creates slack-alerts-<env> (or --name) with the team's tags (Project, Service, Environment, Owner, Tenant=Slack). The URL comes from a hidden prompt, --from-stdin or --from-file, never from the command line, and must be https://hooks.slack.com/services/T…/B…/<token> (or /triggers/…) unless --skip-validation.

Before writing: the caller's account is checked against the environment, then a summary (value masked) is confirmed (--yes skips). The same value already stored is "unchanged" (nothing written); a different one is refused unless --overwrite, which stores a new version and keeps the old one as AWSPREVIOUS.`
  static override examples = [
    '<%= config.bin %> secret create slack --env staging',
    '$ pass show piksel/slack-staging | <%= config.bin %> secret create slack --env staging --from-stdin --yes',
    '<%= config.bin %> secret create slack --env staging --from-file ./webhook.txt --dry-run',
    '<%= config.bin %> secret create slack --env staging --from-stdin --overwrite --json < webhook.txt',
  ]
  static override flags = {
    ...secretCreateFlags,
    'skip-validation': Flags.boolean({summary: 'Store the value even if it does not look like a Slack webhook URL.'}),
  }
  static override args = secretCreateArgs

  async run(): Promise<CreateSecretResult> {
    this.refuseCommandLineSecrets()
    const env = await this.requireEnvironment()
    return this.runCreate(env, {kind: 'slack', skipValidation: this.flags['skip-validation']})
  }
}
