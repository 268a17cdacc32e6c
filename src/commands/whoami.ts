import {BaseCommand} from '../lib/base-command.ts'
import {describeSession} from '../lib/aws/session.ts'

export interface WhoamiResult {
  env: string | null
  account: string
  arn: string
  userId: string
  region: string
  profile: string | null
  expectedAccount: string | null
}

export default class Whoami extends BaseCommand<typeof Whoami> {
  static override summary = 'Show the AWS identity piksel would act as, and check it against the environment.'
  static override description =
    'Calls sts:GetCallerIdentity with the profile and region piksel resolves. With -e, the caller must be the account configured for that environment (exit 2 otherwise): the same guard every write goes through.'
  static override examples = ['<%= config.bin %> whoami', '<%= config.bin %> whoami --env staging --json']

  async run(): Promise<WhoamiResult> {
    const env = this.optionalEnvironment()
    const session = this.awsSession(env)
    await this.guardAccount(env, session)
    const identity = await this.callerIdentity(session)
    this.print(`${identity.arn}`)
    this.print(`account ${identity.account}${env ? ` (${env.name})` : ''}, ${describeSession(session)}`)
    return {
      env: env?.name ?? null,
      ...identity,
      region: session.region,
      profile: session.profile ?? null,
      expectedAccount: env?.account ?? null,
    }
  }
}
