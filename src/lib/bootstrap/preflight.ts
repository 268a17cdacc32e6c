/**
 * Preflight's checks of everything that can be known before the first write,
 * for the selected steps: the Terraform root has Terraform files; the
 * environment's kube context is provably its EKS cluster (or does not exist
 * yet and the kubeconfig step will write it); flux-system does not sync
 * another repository, branch or path (unless --force-flux); the GitHub token
 * is there (GITHUB_TOKEN, or a hidden prompt on a terminal) and can read the
 * repository and push to the branch. Failures: usage errors (exit 2) for a
 * wrong target or missing input, CheckFailedError (exit 3) for what GitHub refuses.
 * Also the two checks steps share: checkBeforeWrites (preflight's, or before the
 * first write without it) and requireCluster (the steps that need the cluster).
 */
import type {AwsSession} from '../aws/session.ts'
import type {Environment} from '../config/environment.ts'
import {CheckFailedError} from '../errors.ts'
import {missingContextError} from '../kube/context.ts'
import {type ClusterTarget, checkClusterTarget} from './cluster.ts'
import {fluxDecision, fluxRefusal} from './flux.ts'
import type {BootstrapPorts} from './ports.ts'
import {type CarriedFlags, commandLine} from './rerun.ts'
import {assertTerraformRoot, envRootHint} from './roots.ts'
import type {StepContext} from './step-context.ts'
import type {StepId} from './steps.ts'
import {terraformRoots} from './terraform-steps.ts'

export const TOKEN_PROMPT = 'GitHub token (repo scope) for the Flux bootstrap'
export const TOKEN_FLAG = 'the GITHUB_TOKEN environment variable'

export interface PreWriteInput {
  env: Environment
  session: Pick<AwsSession, 'region'>
  steps: readonly StepId[]
  /** The environment's Terraform root (<infra-dir>/<terraform.dir>). */
  envRoot: string
  dryRun: boolean
  forceFlux: boolean
  kubeconfig?: string
  githubToken?: string
  /** The flags of the run, repeated in hints. */
  rerunFlags?: CarriedFlags
  ports: Pick<BootstrapPorts, 'cluster' | 'flux' | 'github'>
  /** Asks for the token on a terminal; throws INPUT_REQUIRED (exit 2) without one. */
  askToken: () => Promise<string>
  sensitive: (value: string) => void
  line: (text: string) => void
}

export interface PreWriteResult {
  /** What preflight found, one line each, for the step's detail. */
  notes: string[]
  /** The GitHub token, resolved here so the flux step never asks after Terraform has applied (and checked). */
  token?: string
}

const CLUSTER_STEPS: readonly StepId[] = ['kubeconfig', 'flux', 'health']

/** The environment's kube context, checked against eks:DescribeCluster (throws CLUSTER_MISMATCH). */
export function clusterTarget(input: {
  env: Environment
  session: Pick<AwsSession, 'region'>
  kubeconfig?: string
  ports: Pick<BootstrapPorts, 'cluster'>
}): Promise<ClusterTarget> {
  return checkClusterTarget({
    env: input.env,
    region: input.session.region,
    kubeconfig: input.kubeconfig,
    describe: (name) => input.ports.cluster.describe(name),
  })
}

/** The error of a step that needs the environment's context when there is none. */
export function noContextError(
  env: Environment,
  target: Extract<ClusterTarget, {state: 'no-context'}>,
  flags: CarriedFlags = {},
) {
  return missingContextError({
    env: env.name,
    context: env.cluster,
    file: target.file,
    current: target.current,
    hint: `The kubeconfig step writes it (aws eks update-kubeconfig): ${commandLine(['piksel', 'bootstrap', '-e', env.name, '--only', 'kubeconfig'], flags)}`,
  })
}

export async function preWriteChecks(input: PreWriteInput): Promise<PreWriteResult> {
  const {env, steps, dryRun} = input
  const notes: string[] = []
  const note = (text: string) => {
    notes.push(text)
    input.line(`piksel: ${text}`)
  }

  if (steps.includes('infrastructure') || steps.includes('applications')) {
    assertTerraformRoot(input.envRoot, envRootHint(env))
  }

  let target: ClusterTarget | undefined
  if (steps.some((id) => CLUSTER_STEPS.includes(id))) {
    target = await clusterTarget(input)
    if (target.state === 'verified') note(`context ${env.cluster} is ${target.arn}`)
    else if (steps.includes('kubeconfig')) note(`no context ${env.cluster} yet: the kubeconfig step writes it`)
    else throw noContextError(env, target, input.rerunFlags)
  }

  if (!steps.includes('flux')) return {notes}
  let tokenNeeded = true
  if (target?.state === 'verified') {
    try {
      const decision = fluxDecision(await input.ports.flux.status(env), env, input.forceFlux)
      if (decision.action === 'refuse') {
        if (!dryRun) throw fluxRefusal(env, decision)
        note(`flux-system syncs ${decision.today}: a real run stops unless --force-flux`)
      } else if (decision.action === 'skip') {
        tokenNeeded = false
        note(`${decision.reason}: no GitHub token needed`)
      }
    } catch (error) {
      if ((error as {code?: string}).code === 'FLUX_SYNCS_ELSEWHERE') throw error
      note(`could not read flux-system yet (${(error as Error).message}); the flux step reads it again`)
    }
  }
  if (!tokenNeeded) return {notes}

  let token = input.githubToken
  if (!token) {
    if (dryRun) {
      note('GITHUB_TOKEN is not set: a real run needs it (or a terminal to ask on)')
      return {notes}
    }
    token = (await input.askToken()).trim()
  }
  input.sensitive(token)
  await checkGitHub({env, token, ports: input.ports, note})
  return {notes, token}
}

/**
 * Can the token read the GitOps repository and push to its branch? Problems
 * throw CheckFailedError (PREFLIGHT_FAILED, exit 3) with the fixes; an API that
 * cannot be reached is said (`note`) and not checked.
 */
export async function checkGitHub(input: {
  env: Pick<Environment, 'gitops'>
  token: string
  ports: Pick<BootstrapPorts, 'github'>
  note: (text: string) => void
}): Promise<void> {
  const {owner, repository, branch} = input.env.gitops
  const access = await input.ports.github.check({token: input.token, owner, repository, branch})
  if (!access.reachable) {
    input.note(`GitHub API not reachable (${access.reason}): access to ${owner}/${repository} not checked`)
    return
  }
  for (const text of access.notes) input.note(text)
  if (access.problems.length > 0) {
    throw new CheckFailedError(`Preflight failed: GitHub: ${access.problems.join('; ')}.`, {
      code: 'PREFLIGHT_FAILED',
      hint: access.fixes.join(' '),
    })
  }
  input.note(`GitHub token can read ${owner}/${repository} and push to ${branch}`)
}

/**
 * Everything that can be checked before the first write, for the selected steps:
 * run by preflight, or, when preflight is not selected (`--from infrastructure`, the resume
 * after an interrupted apply; `--only kubeconfig,flux`), by the sequencer before the first
 * step that writes. Returns what it found, for the step's detail.
 */
export async function checkBeforeWrites(ctx: StepContext): Promise<string[]> {
  ctx.state.preWriteChecked = true
  const checked = await preWriteChecks({
    env: ctx.options.env,
    session: ctx.options.session,
    steps: ctx.options.steps,
    envRoot: terraformRoots(ctx.options).env,
    dryRun: ctx.options.dryRun,
    forceFlux: ctx.options.forceFlux,
    kubeconfig: ctx.options.kubeconfig,
    githubToken: ctx.options.githubToken,
    rerunFlags: ctx.options.rerunFlags,
    ports: ctx.ports,
    askToken: () => ctx.io.secret(TOKEN_PROMPT, TOKEN_FLAG),
    sensitive: (value) => ctx.io.sensitive(value),
    line: ctx.line,
  })
  if (checked.token) ctx.state.githubToken = checked.token
  return checked.notes
}

/**
 * The environment's context, proven to be its EKS cluster, for a step that
 * needs the cluster. The current context is never used in its place: without
 * the context the step stops (exit 2), unless a dry run planned the kubeconfig
 * step that writes it (then the step is planned too).
 */
export async function requireCluster(
  ctx: Pick<StepContext, 'options' | 'ports' | 'state'>,
): Promise<Extract<ClusterTarget, {state: 'verified'}> | {state: 'planned-context'; later: string}> {
  const {env, dryRun} = ctx.options
  const target = await clusterTarget({...ctx.options, ports: ctx.ports})
  if (target.state === 'verified') return target
  if (dryRun && ctx.state.kubeconfigPlanned) {
    return {state: 'planned-context', later: `once the kubeconfig step has written context ${env.cluster}`}
  }
  throw noContextError(env, target, ctx.options.rerunFlags)
}
