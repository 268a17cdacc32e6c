/**
 * The bootstrap runner: the steps of the runbook as a listr2 task list, each
 * detecting when it is already done. Services it reuses (secrets, quota, status)
 * come in as ports; prompts come in as `io` (the command binds the prompter);
 * it never touches flags or the terminal beyond the renderer it is given.
 */
import type {Writable} from 'node:stream'

import type {CallerLookup} from '../aws/identity.ts'
import type {AwsSession} from '../aws/session.ts'
import type {Environment} from '../config/environment.ts'
import {formatDuration} from '../duration.ts'
import {
  CheckFailedError,
  ChildProcessError,
  InterruptedError,
  OperationError,
  type PikselError,
  UsageError,
  redact,
  toPikselError,
} from '../errors.ts'
import {runStreaming, tail} from '../process/run.ts'
import {awsChildEnv, updateKubeconfigArgs} from './aws-cli.ts'
import {accountContext} from '../account/context.ts'
import type {ClusterTarget} from './cluster.ts'
import {fluxBootstrapArgs, fluxCheckArgs, fluxDecision, fluxRefusal} from './flux.ts'
import {resolvePhases} from './phases.ts'
import type {BootstrapPorts} from './ports.ts'
import {TOKEN_FLAG, TOKEN_PROMPT, checkGitHub, clusterTarget, noContextError, preWriteChecks} from './preflight.ts'
import {AWS_FLAGS, type CarriedFlags, DOCTOR_FLAGS, STATUS_FLAGS, modeFlags, pikselLine as rerunLine} from './rerun.ts'
import {STEP_IDS, STEP_TITLES, type StepId, WRITE_STEPS, resumeCommand, toolsFor} from './steps.ts'
import {type BootstrapResult, type StepReport, type StepStatus, isProgressLine, nextSteps} from './summary.ts'
import {applyEnvRoot, stateBackendStep, terraformRoots} from './terraform-steps.ts'

export {terraformRoots}

export type RendererName = 'default' | 'simple' | 'verbose' | 'silent'

export interface BootstrapIO {
  /** Prompts can appear (TTY, not CI, no --no-input). */
  interactive: boolean
  /** The confirmation before a write; `output` is where the prompt renders (the task). */
  confirm(message: string, output?: Writable): Promise<boolean>
  /** A hidden prompt for a secret; `flag` names the non-interactive way to give it. */
  secret(message: string, flag: string, output?: Writable): Promise<string>
  /** Registers a value that must never be printed. */
  sensitive(value: string): void
  /** A warning the task list has shown: kept for the JSON document's `warnings`. */
  warned?(message: string): void
}

export interface BootstrapOptions {
  env: Environment
  session: AwsSession
  /** The selected steps (see selectSteps). */
  steps: StepId[]
  /** The piksel-infra checkout: the env root is <infraDir>/<terraform.dir>, the state bucket root <infraDir>/bootstrap/<env>. */
  infraDir: string
  dryRun: boolean
  allowDestroy: boolean
  forceFlux: boolean
  timeoutMs: number
  verbose: boolean
  /** package.json engines.node, for the Node check of preflight. */
  enginesRange: string
  kubeconfig?: string
  /** Who the caller is: the command's one identity lookup (its account guard has usually asked already). */
  caller: CallerLookup
  /** GITHUB_TOKEN from the environment, if set. */
  githubToken?: string
  /** File GPU quota increase requests (each opens an AWS support case); --yes alone does not. */
  requestQuotas?: boolean
  /** The flags that chose the run's target (--infra-dir, --kubeconfig, --config, ...), repeated in every hint. */
  rerunFlags?: CarriedFlags
  signal?: AbortSignal
  renderer: RendererName
  /** Where the task list renders (stderr: stdout is for the summary or --json). */
  output?: NodeJS.WriteStream
}

export interface BootstrapRun {
  result: BootstrapResult
  /** The failure that stopped the run (its hint names the resume command). */
  error?: PikselError
  /** The step that failed or was interrupted. */
  failedAt?: StepId
}

export interface StepOutcome {
  status: StepStatus
  detail: string
  /** Whether the step wrote something (default: `done` of a step that writes). */
  changed?: boolean
  /** For the JSON step report. */
  details?: Record<string, unknown>
}

export interface StepContext {
  options: BootstrapOptions
  ports: BootstrapPorts
  io: BootstrapIO
  state: RunState
  line: (text: string) => void
  /** A warning: shown in the task's output (`piksel: warning: ...`) and reported through io.warned. */
  warn: (message: string) => void
  confirm: (message: string) => Promise<boolean>
  secret: (message: string, flag: string) => Promise<string>
  /** Runs `ask` with the prompt stream of the task (live renderer) when prompts can appear. */
  prompting: <T>(ask: (output?: Writable) => Promise<T>) => Promise<T>
}

type StepImpl = (ctx: StepContext) => Promise<StepOutcome>

/** What a step learns that a later one needs. */
export interface RunState {
  account: string | null
  /** A dry run found the state bucket missing: an S3-backed root cannot be initialised, so it is not planned. */
  bucketMissing: boolean
  /** A dry run planned the kubeconfig step: the steps after it may plan without the context. */
  kubeconfigPlanned?: boolean
  /** Resolved by preflight, so the flux step never asks for it after Terraform has applied. */
  githubToken?: string
  /** The pre-write checks ran (in preflight, or before the first write when preflight was not selected). */
  preWriteChecked?: boolean
  /** The last environment-root Terraform step: did an untargeted plan run and come out empty or applied (null: none ran). */
  converged: boolean | null
}

const STEPS: Record<StepId, StepImpl> = {
  async preflight(ctx) {
    const {runDoctor} = await import('../doctor/service.ts')
    const tools = toolsFor(ctx.options.steps)
    const checks = await runDoctor({
      env: ctx.options.env,
      session: ctx.options.session,
      caller: ctx.options.caller,
      enginesRange: ctx.options.enginesRange,
      kubeconfig: ctx.options.kubeconfig,
      tools,
    })
    // The account is the identity step's guard; the kube context does not exist before bootstrap.
    const relevant = checks.filter((c) => !['config', 'kube-context', 'aws-account'].includes(c.name))
    for (const c of relevant) ctx.line(`${c.status} ${c.name}: ${c.detail}`)
    const failed = relevant.filter((c) => c.status === 'fail')
    if (failed.length > 0) {
      throw new CheckFailedError(`Preflight failed: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`, {
        code: 'PREFLIGHT_FAILED',
        hint: `Fix the checks above (\`${pikselLine(ctx, ['doctor'], DOCTOR_FLAGS)}\` shows them all).`,
      })
    }
    const versions = relevant.filter((c) => tools.includes(c.name)).map((c) => `${c.name} ${c.detail}`)
    const notes = await checkBeforeWrites(ctx)
    const found = [versions.length > 0 ? versions.join(', ') : 'node and AWS credentials ok', ...notes]
    return {status: 'done', detail: found.join('; ')}
  },

  async identity(ctx) {
    const {assertAccount} = await import('../aws/identity.ts')
    const identity = await ctx.options.caller()
    assertAccount(ctx.options.env, identity, ctx.options.session)
    ctx.state.account = identity.account
    const guard = ctx.options.env.account
      ? `is ${ctx.options.env.name}`
      : `(no account configured for ${ctx.options.env.name}, so the account guard is off)`
    return {status: 'done', detail: `account ${identity.account} ${guard}, ${identity.arn}`}
  },

  // Account steps (issue 14): bodies in src/lib/account/steps.ts.
  oidc: async (ctx) => (await import('../account/steps.ts')).oidcStep(accountContext(ctx)),
  'spot-role': async (ctx) => (await import('../account/steps.ts')).spotRoleStep(accountContext(ctx)),
  dns: async (ctx) => (await import('../account/steps.ts')).dnsStep(accountContext(ctx)),

  'state-backend': stateBackendStep,

  async secrets(ctx) {
    const {env, dryRun} = ctx.options
    const {missing} = await ctx.ports.secrets.check(env)
    if (missing.length === 0) return {status: 'already-done', detail: 'every expected secret exists'}
    const list = missing.join(', ')
    if (dryRun) return {status: 'planned', detail: `missing: ${list} (a real run stops here unless they are created)`}
    const create = ctx.ports.secrets.create
    if (ctx.io.interactive && create) {
      const created: string[] = []
      for (const name of missing) {
        if (!(await ctx.confirm(`Secret ${name} is missing. Create it now?`))) continue
        await ctx.prompting((output) => create.call(ctx.ports.secrets, env, name, {output}))
        created.push(name)
      }
      const left = missing.filter((name) => !created.includes(name))
      if (left.length === 0) return {status: 'done', detail: `created ${created.join(', ')}`}
      missing.splice(0, missing.length, ...left)
    }
    throw new CheckFailedError(`Missing secrets for ${env.name}: ${missing.join(', ')}.`, {
      code: 'SECRETS_MISSING',
      hint: `Create them with \`piksel secret create\` (e.g. \`${pikselLine(ctx, ['secret', 'create', 'slack'], AWS_FLAGS)}\`)`,
    })
  },

  async quota(ctx) {
    const {env, dryRun} = ctx.options
    const check = await ctx.ports.quota.check(env)
    if (check.below === 0) return {status: 'already-done', detail: check.summary}
    if (check.pending >= check.below) {
      return {status: 'already-done', detail: `${check.summary} (requests already open; approval can take days)`}
    }
    const request = ctx.ports.quota.request
    // Each increase request opens an AWS support case: only --request-quotas files them, never --yes alone.
    if (!ctx.options.requestQuotas) {
      return {
        status: dryRun ? 'planned' : 'done',
        detail: `warning: ${check.summary}; not requested (--request-quotas files the increase requests, each an AWS support case)`,
        changed: false,
      }
    }
    if (dryRun || !request) {
      return {
        status: dryRun ? 'planned' : 'done',
        detail: `warning: ${check.summary}${dryRun ? '; would request the increases' : ''}`,
        changed: false,
      }
    }
    let ok: boolean
    try {
      ok = await ctx.confirm(`${check.summary}. Request the increases now?`)
    } catch (error) {
      // Quota warns only: without a terminal or --yes it does not stop the bootstrap.
      if (error instanceof UsageError && error.code === 'INPUT_REQUIRED') {
        return {
          status: 'done',
          detail: `warning: ${check.summary}; not requested (pass --yes, or run \`${pikselLine(ctx, ['quota', 'gpu'], AWS_FLAGS)}\`)`,
          changed: false,
        }
      }
      throw error
    }
    if (!ok) return {status: 'done', detail: `warning: ${check.summary}; not requested`, changed: false}
    const requested = await request.call(ctx.ports.quota, env)
    return {status: 'done', detail: requested.summary}
  },

  async infrastructure(ctx) {
    const plan = resolvePhases(ctx.options.env.terraform.phases)
    // Without an applications phase, this is the last Terraform step: it converges the whole root.
    return applyEnvRoot(ctx, 'infrastructure', plan.infrastructure, plan.applications.length === 0)
  },

  async kubeconfig(ctx) {
    const {env, session, kubeconfig, dryRun, signal} = ctx.options
    // A context that exists is trusted only when it is provably the environment's cluster (else exit 2).
    const target = await clusterTarget({...ctx.options, ports: ctx.ports})
    if (target.state === 'verified') {
      return {
        status: 'already-done',
        detail: `context ${env.cluster} is ${target.arn} (endpoint and certificate authority match eks:DescribeCluster); the current context is ${quoted(target.current)}`,
      }
    }
    const args = updateKubeconfigArgs(env.cluster, session.region, kubeconfig)
    const change = `aws eks update-kubeconfig makes ${env.cluster} the current context (now ${quoted(target.current)})`
    if (dryRun) {
      ctx.state.kubeconfigPlanned = true
      const later = target.cluster ? '' : ` (EKS cluster ${env.cluster} does not exist yet: infrastructure creates it)`
      return {status: 'planned', detail: `would run: aws ${args.join(' ')}; ${change}${later}`}
    }
    if (!target.cluster) {
      throw new OperationError(
        `EKS cluster ${env.cluster} does not exist in ${session.region} for these credentials.`,
        {
          code: 'EKS_CLUSTER_NOT_FOUND',
          hint: `The infrastructure step creates it; check environments.${env.name}.cluster and the Terraform root.`,
        },
      )
    }
    ctx.line(`piksel: ${change}`)
    if (
      !(await ctx.confirm(
        `Write context ${env.cluster} for ${target.cluster.arn} to ${target.file}? It also becomes the current context (now ${quoted(target.current)}).`,
      ))
    ) {
      throw new OperationError('Kubeconfig update declined; nothing was changed.', {code: 'DECLINED'})
    }
    const out = await runStreaming('aws', args, {
      env: awsChildEnv(session),
      needs: {aws: true},
      onLine: ctx.line,
      signal,
    })
    if (out.exitCode !== 0) {
      throw new ChildProcessError(
        {command: 'aws eks update-kubeconfig', exitCode: out.exitCode, tail: tail(out.lines)},
        {
          code: 'KUBECONFIG_FAILED',
          hint: `Check that cluster ${env.cluster} exists in ${session.region} (infrastructure step).`,
        },
      )
    }
    // What was written is checked like any other context before a step uses it.
    const after = await clusterTarget({...ctx.options, ports: ctx.ports})
    if (after.state !== 'verified') {
      throw new OperationError(
        `aws eks update-kubeconfig did not write a context named ${env.cluster} to ${after.file}.`,
        {
          code: 'KUBECONFIG_FAILED',
          hint: 'Check --kubeconfig / KUBECONFIG (aws writes to the first file of KUBECONFIG).',
        },
      )
    }
    const was = target.current && target.current !== after.current ? ` (was ${quoted(target.current)})` : ''
    return {
      status: 'done',
      detail: `context ${env.cluster} added for ${after.arn}; the current context is now ${quoted(after.current)}${was}`,
    }
  },

  async flux(ctx) {
    const {env, session, dryRun, forceFlux, signal, kubeconfig} = ctx.options
    const target = await requireCluster(ctx)
    if (target.state === 'planned-context') {
      const args = fluxBootstrapArgs(env, kubeconfig)
      return {status: 'planned', detail: `would run: flux ${args.join(' ')} if flux-system needs it, ${target.later}`}
    }
    let status
    try {
      status = await ctx.ports.flux.status(env)
    } catch (error) {
      // Never bootstrap a cluster whose flux-system cannot be read: it may sync something else.
      throw new OperationError(`Could not read flux-system on context ${env.cluster}: ${(error as Error).message}`, {
        code: 'FLUX_STATUS_UNREADABLE',
        hint: `Check access to the cluster (\`${pikselLine(ctx, ['status'], STATUS_FLAGS)}\`); bootstrap runs only where it can see what flux-system syncs.`,
        cause: error,
      })
    }
    const decision = fluxDecision(status, env, forceFlux)
    if (decision.action === 'skip') return {status: 'already-done', detail: decision.reason}
    if (decision.action === 'refuse') {
      if (!dryRun) throw fluxRefusal(env, decision)
      return {
        status: 'planned',
        detail: `refused without --force-flux: flux-system syncs ${decision.today}; bootstrap would change ${decision.changes.join(', ')}`,
      }
    }
    const args = fluxBootstrapArgs(env, kubeconfig)
    const changes = decision.changes.length > 0 ? `; it changes ${decision.changes.join(', ')}` : ''
    ctx.line(`piksel: ${decision.reason}: bootstrap needed${changes}`)
    if (dryRun) return {status: 'planned', detail: `would run: flux ${args.join(' ')} (${decision.reason}${changes})`}
    const pre = await runStreaming('flux', fluxCheckArgs(env, kubeconfig), {
      // flux reaches the cluster through the kubeconfig's `aws eks get-token`: the environment's
      // region and profile, not the shell's.
      env: awsChildEnv(session),
      needs: {aws: true},
      onLine: ctx.line,
      signal,
    })
    if (pre.exitCode !== 0) {
      throw new ChildProcessError(
        {command: 'flux check --pre', exitCode: pre.exitCode, tail: tail(pre.lines)},
        {
          code: 'FLUX_PRECHECK_FAILED',
          hint: 'Check the kube context and the cluster version; `flux check --pre` shows the details.',
        },
      )
    }
    const repo = `${env.gitops.owner}/${env.gitops.repository}`
    if (
      !(await ctx.confirm(
        `Bootstrap Flux on ${env.cluster} from ${repo} (${env.gitops.branch}, ${env.gitops.path})${changes}?`,
      ))
    ) {
      throw new OperationError('Flux bootstrap declined; nothing was changed.', {code: 'DECLINED'})
    }
    const checked = ctx.state.githubToken
    const token = checked || ctx.options.githubToken || (await ctx.secret(TOKEN_PROMPT, TOKEN_FLAG)).trim()
    ctx.io.sensitive(token)
    // Without preflight (--from flux, --only flux), the GitHub check runs here, still before bootstrap writes.
    if (!checked) await checkGitHub({env, token, ports: ctx.ports, note: (text) => ctx.line(`piksel: ${text}`)})
    // The token reaches flux only through its environment: never argv, never logs.
    const out = await runStreaming('flux', args, {
      env: {...awsChildEnv(session), GITHUB_TOKEN: token},
      needs: {aws: true},
      onLine: (line) => ctx.line(redact(line, [token])),
      signal,
    })
    if (out.exitCode !== 0) {
      throw new ChildProcessError(
        {command: 'flux bootstrap', exitCode: out.exitCode, tail: redact(tail(out.lines), [token])},
        {code: 'FLUX_BOOTSTRAP_FAILED', hint: 'Check the token’s repo scope and access to the repository.'},
      )
    }
    return {status: 'done', detail: `flux-system syncs ${repo} ${env.gitops.path}`}
  },

  async applications(ctx) {
    const phases = resolvePhases(ctx.options.env.terraform.phases).applications
    if (phases.length === 0) {
      return {
        status: 'skipped',
        detail: 'no second phase in terraform.phases: everything is applied by infrastructure',
      }
    }
    return applyEnvRoot(ctx, 'applications', phases, true)
  },

  async health(ctx) {
    const {env, dryRun, timeoutMs, signal} = ctx.options
    const target = await requireCluster(ctx)
    const later = target.state === 'planned-context' ? ` ${target.later}` : ''
    if (dryRun) {
      return {status: 'planned', detail: `would wait up to ${formatDuration(timeoutMs)} for Flux to be Ready${later}`}
    }
    const outcome = await ctx.ports.health.wait(env, {timeoutMs, signal, onProgress: ctx.line})
    if (signal?.aborted) throw new InterruptedError()
    if (!outcome.healthy) {
      throw new CheckFailedError(`Not healthy after ${formatDuration(timeoutMs)}: ${outcome.summary}`, {
        code: 'UNHEALTHY',
        hint: `See \`${pikselLine(ctx, ['status'], STATUS_FLAGS)}\`; a longer --timeout may help.`,
      })
    }
    return {status: 'done', detail: outcome.summary}
  },
}

/**
 * Everything that can be checked before the first write, for the selected steps (preflight.ts):
 * run by preflight, or, when preflight is not selected (`--from infrastructure`, the resume
 * after an interrupted apply; `--only kubeconfig,flux`), before the first step that writes.
 * Returns what it found, for the step's detail.
 */
async function checkBeforeWrites(ctx: StepContext): Promise<string[]> {
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
    askToken: () => ctx.secret(TOKEN_PROMPT, TOKEN_FLAG),
    sensitive: ctx.io.sensitive,
    line: ctx.line,
  })
  if (checked.token) ctx.state.githubToken = checked.token
  return checked.notes
}

/** `piksel <words> -e <env>` with the run's flags that command takes, for hints that name it. */
function pikselLine(ctx: StepContext, words: string[], accepted: readonly string[]): string {
  return rerunLine(ctx.options, words, accepted)
}

/** `"name"`, or `none` when there is no current context. */
function quoted(context: string | undefined): string {
  return context ? `"${context}"` : 'none'
}

/**
 * The environment's context, proven to be its EKS cluster, for a step that
 * needs the cluster. The current context is never used in its place: without
 * the context the step stops (exit 2), unless a dry run planned the kubeconfig
 * step that writes it (then the step is planned too).
 */
async function requireCluster(
  ctx: StepContext,
): Promise<Extract<ClusterTarget, {state: 'verified'}> | {state: 'planned-context'; later: string}> {
  const {env, dryRun} = ctx.options
  const target = await clusterTarget({...ctx.options, ports: ctx.ports})
  if (target.state === 'verified') return target
  if (dryRun && ctx.state.kubeconfigPlanned) {
    return {state: 'planned-context', later: `once the kubeconfig step has written context ${env.cluster}`}
  }
  throw noContextError(env, target, ctx.options.rerunFlags)
}

/** Adds the resume command to a failure's hint. */
function withResume(
  error: PikselError,
  env: string,
  step: StepId,
  selected: readonly StepId[],
  flags?: CarriedFlags,
): PikselError {
  const command = resumeCommand(env, step, selected, flags)
  if (error instanceof InterruptedError) return new InterruptedError(error.message, {hint: `Resume with: ${command}`})
  const resume = `Then resume: ${command}`
  // The same error, its class and fields kept (a failed child's command, exit code and output), the hint extended.
  const resumed = Object.create(
    Object.getPrototypeOf(error) as object,
    Object.getOwnPropertyDescriptors(error),
  ) as PikselError
  return Object.assign(resumed, {hint: error.hint ? `${error.hint} ${resume}` : resume, cause: error})
}

export async function runBootstrap(
  options: BootstrapOptions,
  ports: BootstrapPorts,
  io: BootstrapIO,
): Promise<BootstrapRun> {
  const {Listr, ListrLogger, ListrPromptAdapter, ListrTaskEventType, ProcessOutput} = await import('listr2')
  const selected = new Set(options.steps)
  const reports = new Map<StepId, StepReport>()
  let changed = false
  const state: RunState = {account: null, bucketMissing: false, converged: null}
  let failure: {error: PikselError; step: StepId} | undefined

  class PromptBridge extends ListrPromptAdapter {
    async run<T>(ask: (output: Writable) => Promise<T>): Promise<T> {
      this.reportStarted()
      try {
        const answer = await ask(this.wrapper.stdout(ListrTaskEventType.PROMPT))
        this.reportCompleted()
        return answer
      } catch (error) {
        this.reportFailed()
        throw error
      }
    }
  }

  const output = options.output ?? process.stderr
  const logger = new ListrLogger({processOutput: new ProcessOutput(output, output), useIcons: true})
  const tasks = STEP_IDS.map((id) => ({
    title: STEP_TITLES[id],
    skip: () => (selected.has(id) ? false : 'not selected'),
    task: async (
      _ctx: unknown,
      task: {
        output: string
        title: string
        skip: (message?: string) => void
        prompt: <A>(adapter: A) => PromptBridge
      },
    ) => {
      const started = performance.now()
      const shown = new Set<string>()
      const ctx: StepContext = {
        options,
        ports,
        io,
        state,
        line: (text) => {
          if (options.verbose) task.output = text
          else if (isProgressLine(text) && !shown.has(text)) {
            shown.add(text)
            task.output = text
          }
        },
        warn: (message) => {
          ctx.line(`piksel: warning: ${message}`)
          io.warned?.(message)
        },
        prompting: (ask) => (io.interactive ? task.prompt(PromptBridge).run(ask) : ask()),
        confirm: (message) => ctx.prompting((out) => io.confirm(message, out)),
        secret: (message, flag) => ctx.prompting((out) => io.secret(message, flag, out)),
      }
      try {
        if (options.signal?.aborted) throw new InterruptedError()
        // Without preflight, its pre-write checks still run before the first write.
        if (!state.preWriteChecked && WRITE_STEPS.includes(id)) await checkBeforeWrites(ctx)
        const outcome = await STEPS[id](ctx)
        const durationMs = Math.round(performance.now() - started)
        reports.set(id, {
          id,
          status: outcome.status,
          durationMs,
          detail: outcome.detail,
          ...(outcome.details ? {details: outcome.details} : {}),
        })
        // A step that ends with a warning (quota below target, not requested) says so in the JSON's warnings too.
        if (outcome.detail.startsWith('warning: ')) io.warned?.(`${id}: ${outcome.detail.slice('warning: '.length)}`)
        if (outcome.changed ?? (outcome.status === 'done' && WRITE_STEPS.includes(id))) changed = true
        if (outcome.status === 'already-done' || outcome.status === 'skipped') {
          task.skip(outcome.status === 'skipped' ? outcome.detail : `${outcome.status}: ${outcome.detail}`)
        } else task.title = `${STEP_TITLES[id]} — ${outcome.status}: ${outcome.detail} (${formatDuration(durationMs)})`
      } catch (error) {
        const e = toPikselError(error)
        reports.set(id, {id, status: 'failed', durationMs: Math.round(performance.now() - started), detail: e.message})
        failure = {error: e, step: id}
        throw e
      }
    },
  }))

  const list = new Listr(
    tasks as never,
    {
      concurrent: false,
      exitOnError: true,
      registerSignalListeners: false,
      renderer: options.renderer,
      fallbackRenderer: 'simple',
      rendererOptions: {logger, collapseSkips: false, showSkipMessage: true, outputBar: options.verbose ? Infinity : 3},
      fallbackRendererOptions: {logger},
    } as never,
  )
  try {
    await list.run()
  } catch (error) {
    if (!failure) failure = {error: toPikselError(error), step: options.steps[0] ?? 'preflight'}
  }

  const steps: StepReport[] = STEP_IDS.map(
    (id) =>
      reports.get(id) ?? {
        id,
        status: 'skipped',
        durationMs: 0,
        detail: !selected.has(id) ? 'not selected' : 'not reached',
      },
  )
  const base = {
    env: options.env.name,
    account: state.account,
    dryRun: options.dryRun,
    changed,
    converged: state.converged,
    steps,
  }
  const result: BootstrapResult = {
    ...base,
    nextSteps: nextSteps(base, options.env.cluster, failure?.step, options.steps, options.rerunFlags, options),
  }
  if (!failure) return {result}
  return {
    result,
    // A dry run's resume stays a dry run.
    error: withResume(failure.error, options.env.name, failure.step, options.steps, {
      ...options.rerunFlags,
      ...modeFlags({dryRun: options.dryRun}),
    }),
    failedAt: failure.step,
  }
}

/** Pure: the listr2 renderer for this terminal. */
export function chooseRenderer(stderrIsTTY: boolean, verbose: boolean): RendererName {
  if (stderrIsTTY) return 'default'
  return verbose ? 'verbose' : 'simple'
}
