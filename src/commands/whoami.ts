import {BaseCommand, type EnvironmentScope, allEnvsFlag} from '../lib/base-command.ts'
import {type AwsSession, describeSession} from '../lib/aws/session.ts'
import type {CallerIdentity} from '../lib/aws/identity.ts'
import type {EnvironmentsDocument} from '../lib/environments/fan-out.ts'

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
    'Calls sts:GetCallerIdentity with the profile and region piksel resolves. With -e, the caller must be the account configured for that environment (exit 2 otherwise): the same guard every write goes through. With --all-envs, every environment of the config at once, each with its own profile and guard.'
  static override examples = [
    '<%= config.bin %> whoami',
    '<%= config.bin %> whoami --env staging --json',
    '<%= config.bin %> whoami --all-envs',
  ]
  static override flags = {
    'all-envs': allEnvsFlag,
  }

  async run(): Promise<WhoamiResult | EnvironmentsDocument<WhoamiResult>> {
    if (this.allEnvs) {
      // The guard runs first in each environment (a mismatch is its ACCOUNT_MISMATCH row).
      const rows = await this.forEachEnvironment((scope) => this.collect(scope))
      return this.reportEnvironments(rows, {
        headers: ['ACCOUNT', 'ARN', 'PROFILE', 'REGION'],
        rows: (r) => [[r.account, r.arn, r.profile ?? '-', r.region]],
        verdict,
        exitCode: () => 0,
      })
    }
    const env = this.optionalEnvironment()
    const session = this.awsSession(env)
    await this.guardAccount(env, session)
    const identity = await this.callerIdentity(session)
    this.print(`${identity.arn}`)
    this.print(`account ${identity.account}${env ? ` (${env.name})` : ''}, ${describeSession(session)}`)
    return result(env ?? undefined, identity, session)
  }

  private async collect({env, session, caller}: EnvironmentScope): Promise<WhoamiResult> {
    return result(env, await caller(), session)
  }
}

function result(
  env: {name: string; account?: string} | undefined,
  identity: CallerIdentity,
  session: AwsSession,
): WhoamiResult {
  return {
    env: env?.name ?? null,
    ...identity,
    region: session.region,
    profile: session.profile ?? null,
    expectedAccount: env?.account ?? null,
  }
}

/** `ok: account 1234 is staging`, or, without a configured account, that the guard is off. */
function verdict(r: WhoamiResult): string {
  return r.expectedAccount
    ? `ok: account ${r.account} is ${r.env}`
    : `ok: account ${r.account} (no account configured, so the account guard is off)`
}
