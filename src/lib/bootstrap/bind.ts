/**
 * Binds bootstrap's ports to the services it reuses: the secret service
 * (listProjectSecrets, createSecret), the quota service (checkGpuQuotas,
 * requestGpuQuotaIncreases), the status service (waitUntilHealthy,
 * readFluxSystem, always on the environment's context, never the current one),
 * eks:DescribeCluster and the GitHub check. This is wiring only: a missing
 * secret's value is asked through `prompter`, the prompts the command provides.
 */
import type {CallerLookup} from '../aws/identity.ts'
import {type AwsSession, createAwsClient} from '../aws/session.ts'
import type {Environment} from '../config/environment.ts'
import {summarise} from '../quota/gpu.ts'
import type {GpuQuotaReport} from '../quota/service.ts'
import type {SecretValuePort} from '../secrets/input.ts'
import type {BootstrapPorts, QuotaCheck} from './ports.ts'

export interface BindContext {
  session: AwsSession
  /** Who the caller is: the command's one identity lookup, which every service shares. */
  caller: CallerLookup
  kubeconfig?: string
  /** Project and owner for the tags of secrets created on the way. */
  project?: string
  owner?: string
  /** The terminal's prompts for the values of missing secrets (the command's Prompter; interactive runs only). */
  prompter?: SecretPrompts
  /** Registers a value that must never be printed (the base command's markSensitive). */
  markSensitive?: (value: string) => void
  /** The GitHub REST API root (GITHUB_API_URL; default https://api.github.com). */
  githubApiUrl?: string
}

/** The prompts a missing secret's value is read with: a port the command provides. */
export type SecretPrompts = Pick<SecretValuePort, 'interactive' | 'input' | 'password'>

export async function bindPorts(context: BindContext): Promise<BootstrapPorts> {
  const {session, kubeconfig, caller} = context
  const project = context.project ?? 'Piksel'
  const owner = context.owner ?? 'Piksel-Devops-Team'
  let lastQuotaReport: GpuQuotaReport | undefined

  const ports: BootstrapPorts = {
    secrets: {
      async check(env) {
        const {listProjectSecrets} = await import('../secrets/list.ts')
        const result = await listProjectSecrets({
          session,
          caller,
          project,
          environments: [env],
          requireAccount: true,
        })
        return {missing: result.missing}
      },
    },
    quota: {
      async check(env, options = {}) {
        const {checkGpuQuotas} = await import('../quota/service.ts')
        lastQuotaReport = await checkGpuQuotas({
          session,
          caller,
          target: env.quota.gpuTarget,
          ...(options.signal ? {signal: options.signal} : {}),
        })
        return quotaCheck(lastQuotaReport)
      },
      async request(env) {
        const {checkGpuQuotas, requestGpuQuotaIncreases} = await import('../quota/service.ts')
        const report = lastQuotaReport ?? (await checkGpuQuotas({session, caller, target: env.quota.gpuTarget}))
        const after = await requestGpuQuotaIncreases({session, report, env})
        const s = summarise(after.quotas)
        const filed = after.quotas.filter((q) => q.action === 'filed').length
        return {summary: `${filed} increase request(s) filed; ${s.pending} pending, ${s.failed} failed`}
      },
    },
    health: {
      async wait(env, options) {
        const {waitUntilHealthy} = await import('../status/service.ts')
        const result = await waitUntilHealthy({
          kubeconfig,
          context: env.cluster,
          timeoutMs: options.timeoutMs,
          signal: options.signal,
          onProgress: (r) => options.onProgress?.(r.summary),
        })
        return {healthy: result.verdict === 'healthy', summary: result.summary}
      },
    },
    flux: {
      async status(env) {
        const {readFluxSystem} = await import('../status/flux-system.ts')
        try {
          return await readFluxSystem({kubeconfig, context: env.cluster})
        } catch (error) {
          // No kubeconfig yet: there is no cluster to ask, so Flux is not bootstrapped. Anything
          // else (forbidden, unreachable) goes up, and the flux step says it could not read flux-system.
          if (['NO_KUBECONFIG', 'KUBECONFIG'].includes((error as {code?: string}).code ?? '')) return undefined
          throw error
        }
      },
    },
    cluster: {
      async describe(name) {
        const [{EKSClient, DescribeClusterCommand}, {explainAwsError}] = await Promise.all([
          import('@aws-sdk/client-eks'),
          import('../aws/errors.ts'),
        ])
        const client = createAwsClient(EKSClient, session)
        try {
          const {cluster} = await client.send(new DescribeClusterCommand({name}))
          if (!cluster?.arn || !cluster.name) return undefined
          return {
            name: cluster.name,
            arn: cluster.arn,
            endpoint: cluster.endpoint,
            certificateAuthority: cluster.certificateAuthority?.data,
            status: cluster.status,
          }
        } catch (error) {
          if ((error as {name?: string}).name === 'ResourceNotFoundException') return undefined
          throw await explainAwsError(error, session, `eks:DescribeCluster ${name}`)
        } finally {
          client.destroy()
        }
      },
    },
    github: {
      async check(input) {
        const {checkGitHubAccess} = await import('./github.ts')
        return checkGitHubAccess({...input, baseUrl: context.githubApiUrl})
      },
    },
  }
  const {prompter} = context
  if (prompter?.interactive) {
    ports.secrets.create = async (env, name, {output} = {}) => {
      await createMissingSecret({
        env,
        name,
        session,
        caller,
        project,
        owner,
        prompter,
        output,
        mark: context.markSensitive,
      })
    }
  }
  return ports
}

/** Pure: the quota report as bootstrap's summary (below counts every quota under target). */
export function quotaCheck(report: GpuQuotaReport): QuotaCheck {
  const counts = summarise(report.quotas)
  const {pending} = counts
  const below = counts.below + pending
  const summary =
    below === 0
      ? `${report.quotas.length} GPU quotas meet ${report.target} vCPUs`
      : `${below} of ${report.quotas.length} GPU quotas under ${report.target} vCPUs (${pending} with an open request)`
  return {below, pending, summary}
}

interface CreateMissing {
  env: Environment
  name: string
  session: AwsSession
  caller: CallerLookup
  project: string
  owner: string
  prompter: SecretPrompts
  output?: NodeJS.WritableStream
  mark?: (value: string) => void
}

/** Asks for the value of a conventional secret (the one reader `secret create` uses) and creates it. */
async function createMissingSecret(o: CreateMissing): Promise<void> {
  const [{parseConventionalName}, {secretSpec}, {readSecretValue}, {createSecret}] = await Promise.all([
    import('../secrets/naming.ts'),
    import('../secrets/spec.ts'),
    import('../secrets/input.ts'),
    import('../secrets/create.ts'),
  ])
  const parsed = parseConventionalName(o.name)
  if (!parsed) throw new Error(`${o.name} is not a conventional secret name`)
  const app = parsed.app ?? undefined
  const spec = secretSpec({kind: parsed.kind, env: o.env.name, project: o.project, owner: o.owner, app, name: o.name})
  const command =
    parsed.kind === 'slack'
      ? `piksel secret create slack -e ${o.env.name}`
      : `piksel secret create oauth --app ${parsed.app} -e ${o.env.name}`
  const value = await readSecretValue(
    {kind: parsed.kind, asking: {name: o.name, command: `\`${command}\``}, reask: true, output: o.output},
    {
      interactive: o.prompter.interactive,
      input: (options) => o.prompter.input(options),
      password: (options) => o.prompter.password(options),
      sensitive: (secret) => o.mark?.(secret),
    },
  )
  await createSecret({
    session: o.session,
    caller: o.caller,
    env: o.env,
    name: spec.name,
    value,
    description: spec.description,
    tags: spec.tags,
  })
}
