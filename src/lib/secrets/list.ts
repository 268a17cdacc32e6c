/**
 * Secrets Manager I/O for `secret list` (and bootstrap, which asks which expected
 * secrets are missing): one paginated ListSecrets, judged by the pure inventory.
 * Secret values are never fetched.
 */
import {describeAwsError} from '../aws/errors.ts'
import {type CallerLookup, assertAccount} from '../aws/identity.ts'
import type {AwsSession} from '../aws/session.ts'
import type {PluginEnv} from '../kube/config.ts'
import {type EnvironmentRef, type SecretsManager, type SecretsManagerModule, sdkTags, secretsManager} from './client.ts'
import {type ListProjectSecretsResult, type ListedSecret, summariseSecrets} from './inventory.ts'
import {type ClusterSync, type ConfiguredSecrets, clusterSecretFor} from './sync.ts'

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
  /**
   * --cluster: also compare each expected secret with the Kubernetes Secret that carries it,
   * on this kube context (the environment's: the caller resolves it as status does).
   */
  cluster?: {
    kubeconfig?: string
    context: string
    /** The environment's AWS profile and region for the exec credential plugin (kube/config.ts). */
    pluginEnv?: PluginEnv
    /** Per environment name, where its secrets are carried (`environments.<env>.secrets`). */
    secrets: Record<string, ConfiguredSecrets>
    signal?: AbortSignal
  }
}

export async function listProjectSecrets(options: ListProjectSecretsOptions): Promise<ListProjectSecretsResult> {
  const {session} = options
  // --cluster: the kubeconfig and context are checked before anything is read.
  const kube = options.cluster ? await openKube(options.cluster) : undefined
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
    const result = summariseSecrets(listed.value, {
      project: options.project,
      environments: envNames,
      includeOtherEnvironments: options.includeOtherEnvironments ?? false,
      account: identity.account,
      region: session.region,
      skipped,
    })
    if (!kube || !options.cluster) return result
    const {compareWithCluster} = await import('./cluster.ts')
    const targets = result.expected.flatMap((e) => {
      const ref = clusterSecretFor(e, options.cluster?.secrets[e.env])
      return ref ? [{name: e.name, kind: e.kind, present: e.present, ref}] : []
    })
    const syncs = await compareWithCluster({session, kube, targets, signal: options.cluster.signal})
    return withCluster(result, syncs, kube.contextName)
  } finally {
    sm.destroy()
    kube?.close()
  }
}

/** Pure: the listing with each expected secret's cluster state (null where no place is configured), and who is not in sync, not compared or not read. */
export function withCluster(
  result: ListProjectSecretsResult,
  syncs: ReadonlyMap<string, ClusterSync>,
  context: string,
): ListProjectSecretsResult {
  const expected = result.expected.map((e) => ({...e, cluster: syncs.get(e.name) ?? null}))
  return {
    ...result,
    secrets: result.secrets.map((s) => (s.expected ? {...s, cluster: syncs.get(s.name) ?? null} : s)),
    expected,
    cluster: {
      context,
      notInSync: expected.filter((e) => e.cluster && e.cluster.status !== 'in-sync').map((e) => e.name),
      notChecked: expected.filter((e) => !e.cluster).map((e) => e.name),
      notRead: expected.filter((e) => e.cluster?.error).map((e) => e.name),
    },
  }
}

/** The kube client on the given context, as `status` opens it; no kubeconfig at all is NO_KUBECONFIG. */
async function openKube(cluster: NonNullable<ListProjectSecretsOptions['cluster']>) {
  const {kubeconfigExists, loadKubeConfig, noKubeconfigError} = await import('../kube/config.ts')
  if (!cluster.kubeconfig && !process.env.KUBERNETES_SERVICE_HOST && !kubeconfigExists()) {
    throw noKubeconfigError(cluster.context, cluster.pluginEnv)
  }
  const kc = await loadKubeConfig({
    kubeconfig: cluster.kubeconfig,
    context: cluster.context,
    pluginEnv: cluster.pluginEnv,
  })
  const {KubeClient} = await import('../kube/client.ts')
  return new KubeClient(kc)
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
