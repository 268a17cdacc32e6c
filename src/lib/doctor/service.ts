/**
 * `piksel doctor`: every check runs concurrently; none throws, each reports.
 */
import {formatDuration} from '../duration.ts'
import type {CallerLookup} from '../aws/identity.ts'
import {type AwsSession, describeSession} from '../aws/session.ts'
import type {Environment} from '../config/environment.ts'
import type {PikselError} from '../errors.ts'
import {type CheckResult, type ProbeOutcome, type ToolSpec, TOOLS, evaluateNode, evaluateTool} from './checks.ts'

export interface DoctorOptions extends SharedCheckOptions, EnvironmentCheckOptions {}

/** What the checks that do not depend on the environment need. */
export interface SharedCheckOptions {
  enginesRange: string
  configFile?: string
  configError?: PikselError
  /** Skip tools by name (bootstrap's preflight needs only some). */
  tools?: string[]
}

/** What one environment's checks need. */
export interface EnvironmentCheckOptions {
  env?: Environment
  session: AwsSession
  /** Who the caller is: the command's one identity lookup (per session). */
  caller: CallerLookup
  kubeconfig?: string
  /** With an environment: the account checks ci-role, spot-role, dns-zone (`piksel doctor -e ENV`; not preflight). */
  account?: boolean
  /** The hint a failed check shows for an error (--all-envs: without the flags it refuses); default: the error's own. */
  hint?: (error: {code: string; hint: string | null}) => string | null
}

/** Every check, concurrently, in the order shown: node and the tools, AWS, the kube context, the config. */
export async function runDoctor(options: DoctorOptions): Promise<CheckResult[]> {
  const [shared, own] = await Promise.all([runSharedChecks(options), runEnvironmentChecks(options)])
  return combineChecks(shared, own)
}

/** The checks made once for every environment: Node, the tools, the config file. */
export interface SharedChecks {
  machine: CheckResult[]
  config: CheckResult
}

export async function runSharedChecks(options: SharedCheckOptions): Promise<SharedChecks> {
  const tools = TOOLS.filter((tool) => !options.tools || options.tools.includes(tool.name))
  const [machine, config] = await Promise.all([
    Promise.all([
      evaluateNode(process.version, options.enginesRange),
      ...tools.map(async (tool) => evaluateTool(tool, await probeTool(tool))),
    ]),
    checkConfig(options),
  ])
  return {machine, config}
}

/**
 * One environment's checks (`aws-credentials`, `aws-account`, `kube-context`, and with
 * `account` the account checks `ci-role`, `spot-role`, `dns-zone`), concurrently.
 */
export async function runEnvironmentChecks(options: EnvironmentCheckOptions): Promise<CheckResult[]> {
  const [aws, kube, account] = await Promise.all([checkAws(options), checkKube(options), checkAccount(options)])
  return [...aws, kube, ...account]
}

/** Pure: one environment's full list, in the order of a single run. */
export function combineChecks(shared: SharedChecks, own: CheckResult[]): CheckResult[] {
  return [...shared.machine, ...own, shared.config]
}

/** The account checks (src/lib/account/checks.ts), read-only, alongside the others. */
async function checkAccount(options: EnvironmentCheckOptions): Promise<CheckResult[]> {
  if (!options.account || !options.env) return []
  const {accountChecks} = await import('../account/checks.ts')
  return accountChecks({env: options.env, session: options.session, caller: options.caller, hint: options.hint})
}

/**
 * Runs `tool args` through piksel's one child-process path (src/lib/process/run.ts):
 * not found, found and answered, or found but silent past the timeout. A version
 * probe needs nothing secret, so it inherits no credential (no GitHub token, no AWS keys).
 */
export async function probeTool(tool: ToolSpec, timeoutMs = 15_000): Promise<ProbeOutcome> {
  const {runStreaming} = await import('../process/run.ts')
  let out
  try {
    out = await runStreaming(tool.name, tool.args, {needs: {}, timeoutMs, streamStdout: false})
  } catch (error) {
    if ((error as {code?: string}).code === 'TOOL_MISSING') return {found: false}
    throw error
  }
  if (out.timedOut) {
    // A hung tool is there but unusable: say so rather than "not found".
    return {found: true, exitCode: 124, stdout: '', stderr: `no answer within ${formatDuration(timeoutMs)}`}
  }
  return {found: true, exitCode: out.exitCode, stdout: out.stdout, stderr: out.stderr}
}

async function checkAws(options: EnvironmentCheckOptions): Promise<CheckResult[]> {
  const {accountMismatch} = await import('../aws/identity.ts')
  try {
    const identity = await options.caller()
    const results: CheckResult[] = [
      {name: 'aws-credentials', status: 'pass', detail: `${identity.arn} (${describeSession(options.session)})`},
    ]
    if (options.env) {
      const {env} = options
      if (!env.account) {
        results.push({
          name: 'aws-account',
          status: 'warn',
          detail: `account ${identity.account}; no account configured for ${env.name}, so the account guard is off`,
        })
      } else if (accountMismatch(env.account, identity.account)) {
        results.push({
          name: 'aws-account',
          status: 'fail',
          detail: `caller is account ${identity.account}, but ${env.name} is account ${env.account}`,
          // The account guard's finding, by the code the guard itself stops other commands with.
          code: 'ACCOUNT_MISMATCH',
        })
      } else {
        results.push({name: 'aws-account', status: 'pass', detail: `${identity.account} is ${env.name}`})
      }
    }
    return results
  } catch (error) {
    const e = error as PikselError
    const hint = options.hint ? options.hint({code: e.code, hint: e.hint ?? null}) : e.hint
    return [{name: 'aws-credentials', status: 'fail', detail: `${e.message}${hint ? ` ${hint}` : ''}`, code: e.code}]
  }
}

async function checkKube(options: EnvironmentCheckOptions): Promise<CheckResult> {
  const {loadKubeConfig, hasContext, kubeconfigExists, probeApi, pluginEnvFor} = await import('../kube/config.ts')
  const context = options.env?.cluster
  // The environment's region and profile: typed bare, the command would use the shell's.
  const {region, profile} = options.session
  const write = `\`aws eks update-kubeconfig --name ${context} --alias ${context} --region ${region}${profile ? ` --profile ${profile}` : ''}\``
  if (!kubeconfigExists(options.kubeconfig)) {
    const add = context ? `; ${write} adds it` : ''
    return {name: 'kube-context', status: 'warn', detail: `no kubeconfig (KUBECONFIG / ~/.kube/config)${add}`}
  }
  try {
    // With an environment, its exec credential plugin (`aws eks get-token`) signs as the
    // environment's session (profile, region), as status does: never the shell's AWS_PROFILE.
    const kc = await loadKubeConfig({
      kubeconfig: options.kubeconfig,
      ...(options.env ? {pluginEnv: pluginEnvFor(options.session)} : {}),
    })
    if (context && !hasContext(kc, context)) {
      return {
        name: 'kube-context',
        status: 'warn',
        detail: `no context "${context}" yet (not bootstrapped?); ${write} adds it`,
      }
    }
    if (context) kc.setCurrentContext(context)
    const current = kc.getCurrentContext()
    if (!current || !kc.getCurrentCluster()) {
      return {name: 'kube-context', status: 'warn', detail: 'no kube context configured (KUBECONFIG / ~/.kube/config)'}
    }
    const {gitVersion, server} = await probeApi(kc)
    return {name: 'kube-context', status: 'pass', detail: `${current}: API ${server} answers (${gitVersion})`}
  } catch (error) {
    const code = (error as {code?: unknown}).code
    return {
      name: 'kube-context',
      status: 'warn',
      detail: (error as Error).message,
      ...(typeof code === 'string' ? {code} : {}),
    }
  }
}

async function checkConfig(options: SharedCheckOptions): Promise<CheckResult> {
  if (options.configError) return {name: 'config', status: 'fail', detail: options.configError.message}
  return options.configFile
    ? {name: 'config', status: 'pass', detail: `${options.configFile} is valid`}
    : {name: 'config', status: 'pass', detail: 'no piksel.config.yaml; built-in Piksel defaults apply'}
}
