/**
 * Secrets Manager I/O for `secret list` (and bootstrap, which asks which expected
 * secrets are missing): one paginated ListSecrets, judged by the pure inventory.
 * Secret values are never fetched.
 */
import {describeAwsError} from '../aws/errors.ts'
import {type CallerLookup, assertAccount} from '../aws/identity.ts'
import type {AwsSession} from '../aws/session.ts'
import {type EnvironmentRef, type SecretsManager, type SecretsManagerModule, sdkTags, secretsManager} from './client.ts'
import {type ListProjectSecretsResult, type ListedSecret, summariseSecrets} from './inventory.ts'

export interface ListProjectSecretsOptions {
  session: AwsSession
  /** Who the caller is: the command's one identity lookup (its account guard has usually asked already). */
  caller: CallerLookup
  /** The project tag value (settings.project). */
  project: string
  /** The environments whose secrets are listed and whose expected secrets are checked. */
  environments: EnvironmentRef[]
  /**
   * true (one environment asked for by name): the caller must be its account, else
   * the account-guard error. false: environments configured for another account are
   * left out of the expectations (reported in skippedEnvironments).
   */
  requireAccount?: boolean
  /** Also list project secrets of no or other environments (the command without -e). */
  includeOtherEnvironments?: boolean
}

export async function listProjectSecrets(options: ListProjectSecretsOptions): Promise<ListProjectSecretsResult> {
  const {session} = options
  const {sm, mod} = await secretsManager(session)
  try {
    // With an account to enforce, the guard comes before ListSecrets; otherwise both at once.
    const guarded = options.requireAccount && options.environments.some((env) => env.account !== undefined)
    if (guarded) {
      const identity = await options.caller()
      for (const env of options.environments) assertAccount(env, identity, session)
    }
    const [who, listed] = await Promise.allSettled([options.caller(), listAll(sm, mod)])
    if (who.status === 'rejected') throw who.reason
    const identity = who.value
    if (options.requireAccount) for (const env of options.environments) assertAccount(env, identity, session)
    if (listed.status === 'rejected') throw describeAwsError(listed.reason, session, 'secretsmanager:ListSecrets')
    const inAccount = options.environments.filter(
      (env) => env.account === undefined || env.account === identity.account,
    )
    const skipped = options.environments.filter((env) => !inAccount.includes(env)).map((env) => env.name)
    const envNames = inAccount.map((env) => env.name)
    return summariseSecrets(listed.value, {
      project: options.project,
      environments: envNames,
      includeOtherEnvironments: options.includeOtherEnvironments ?? false,
      account: identity.account,
      region: session.region,
      skipped,
    })
  } finally {
    sm.destroy()
  }
}

async function listAll(sm: SecretsManager, mod: SecretsManagerModule): Promise<ListedSecret[]> {
  const result: ListedSecret[] = []
  for await (const page of mod.paginateListSecrets(
    {client: sm, pageSize: 100},
    {IncludePlannedDeletion: true, SortOrder: 'asc'},
  )) {
    for (const s of page.SecretList ?? []) {
      result.push({
        name: s.Name ?? '',
        arn: s.ARN ?? '',
        description: s.Description,
        tags: sdkTags(s.Tags),
        lastChanged: s.LastChangedDate,
        created: s.CreatedDate,
        deletedDate: s.DeletedDate,
        hasValue: Object.values(s.SecretVersionsToStages ?? {}).some((stages) => stages.includes('AWSCURRENT')),
      })
    }
  }
  return result
}

export type {ListProjectSecretsResult, ProjectSecret} from './inventory.ts'
