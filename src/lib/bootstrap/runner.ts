/**
 * The bootstrap runner: the steps of the runbook as a listr2 task list, each
 * detecting when it is already done. Services it reuses (secrets, quota, status)
 * come in as ports; prompts come in as `io` (the command binds the prompter);
 * it never touches flags or the terminal beyond the renderer it is given.
 */
import type {Writable} from 'node:stream'

import type {AwsSession} from '../aws/session.ts'
import type {Environment} from '../config/environment.ts'
import {
  CheckFailedError,
  InterruptedError,
  OperationError,
  PikselError,
  UsageError,
  redact,
  toPikselError,
} from '../errors.ts'
import {runStreaming, tail} from '../process/run.ts'
import {awsChildEnv, updateKubeconfigArgs} from './aws-cli.ts'
import {fluxBootstrapArgs, fluxCheckArgs, fluxDecision} from './flux.ts'
import {resolvePhases} from './phases.ts'
import type {BootstrapPorts} from './ports.ts'
import {STEP_IDS, STEP_TITLES, type StepId, WRITE_STEPS, resumeCommand, toolsFor} from './steps.ts'
import {
  type BootstrapResult,
  type StepReport,
  type StepStatus,
  formatDuration,
  isProgressLine,
  nextSteps,
} from './summary.ts'
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
  /** GITHUB_TOKEN from the environment, if set. */
  githubToken?: string
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
}

export interface StepContext {
  options: BootstrapOptions
  ports: BootstrapPorts
  io: BootstrapIO
  state: RunState
  line: (text: string) => void
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
        hint: `Fix the checks above (\`piksel doctor -e ${ctx.options.env.name}\` shows them all).`,
      })
    }
    const versions = relevant.filter((c) => tools.includes(c.name)).map((c) => `${c.name} ${c.detail}`)
    return {status: 'done', detail: versions.length > 0 ? versions.join(', ') : 'node and AWS credentials ok'}
  },

  async identity(ctx) {
    const {getCallerIdentity, assertAccount} = await import('../aws/identity.ts')
    const identity = await getCallerIdentity(ctx.options.session)
    assertAccount(ctx.options.env, identity, ctx.options.session)
    ctx.state.account = identity.account
    const guard = ctx.options.env.account
      ? `is ${ctx.options.env.name}`
      : `(no account configured for ${ctx.options.env.name}, so the account guard is off)`
    return {status: 'done', detail: `account ${identity.account} ${guard}, ${identity.arn}`}
  },

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
      hint: `Create them with \`piksel secret create\` (e.g. \`piksel secret create slack -e ${env.name}\`)`,
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
    if (dryRun || !request) {
      return {status: dryRun ? 'planned' : 'done', detail: `warning: ${check.summary}`, changed: false}
    }
    let ok: boolean
    try {
      ok = await ctx.confirm(`${check.summary}. Request the increases now?`)
    } catch (error) {
      // Quota warns only: without a terminal or --yes it does not stop the bootstrap.
      if (error instanceof UsageError && error.code === 'INPUT_REQUIRED') {
        return {
          status: 'done',
          detail: `warning: ${check.summary}; not requested (pass --yes, or run \`piksel quota gpu\`)`,
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
    const {kubeconfigExists, loadKubeConfig, hasContext} = await import('../kube/config.ts')
    if (kubeconfigExists(kubeconfig)) {
      try {
        const kc = await loadKubeConfig({kubeconfig})
        if (hasContext(kc, env.cluster)) return {status: 'already-done', detail: `context ${env.cluster} exists`}
      } catch {
        // An unreadable kubeconfig: aws eks update-kubeconfig rewrites the entry.
      }
    }
    const args = updateKubeconfigArgs(env.cluster, session.region, kubeconfig)
    if (dryRun) return {status: 'planned', detail: `would run: aws ${args.join(' ')}`}
    const file = kubeconfig ?? 'the default kubeconfig (KUBECONFIG, else ~/.kube/config)'
    if (
      !(await ctx.confirm(`Write context ${env.cluster} (EKS cluster ${env.cluster}, ${session.region}) to ${file}?`))
    ) {
      throw new OperationError('Kubeconfig update declined; nothing was changed.', {code: 'DECLINED'})
    }
    const out = await runStreaming('aws', args, {env: awsChildEnv(session), onLine: ctx.line, signal})
    if (out.exitCode !== 0) {
      throw new OperationError(`aws eks update-kubeconfig failed (exit ${out.exitCode}): ${tail(out.lines)}`, {
        code: 'KUBECONFIG_FAILED',
        hint: `Check that cluster ${env.cluster} exists in ${session.region} (infrastructure step).`,
      })
    }
    return {status: 'done', detail: `context ${env.cluster} added`}
  },

  async flux(ctx) {
    const {env, dryRun, forceFlux, signal, kubeconfig} = ctx.options
    let status
    try {
      status = await ctx.ports.flux.status(env)
    } catch (error) {
      ctx.line(`could not read flux-system (${(error as Error).message}); treating Flux as not bootstrapped`)
    }
    const decision = fluxDecision(status, env, forceFlux)
    if (decision.action === 'skip') return {status: 'already-done', detail: decision.reason}
    const args = fluxBootstrapArgs(env, kubeconfig)
    ctx.line(`${decision.reason}: bootstrap needed`)
    if (dryRun) return {status: 'planned', detail: `would run: flux ${args.join(' ')}`}
    const pre = await runStreaming('flux', fluxCheckArgs(env, kubeconfig), {onLine: ctx.line, signal})
    if (pre.exitCode !== 0) {
      throw new OperationError(`flux check --pre failed (exit ${pre.exitCode}): ${tail(pre.lines)}`, {
        code: 'FLUX_PRECHECK_FAILED',
        hint: 'Check the kube context and the cluster version; `flux check --pre` shows the details.',
      })
    }
    const repo = `${env.gitops.owner}/${env.gitops.repository}`
    if (
      !(await ctx.confirm(`Bootstrap Flux on ${env.cluster} from ${repo} (${env.gitops.branch}, ${env.gitops.path})?`))
    ) {
      throw new OperationError('Flux bootstrap declined; nothing was changed.', {code: 'DECLINED'})
    }
    const token =
      ctx.options.githubToken ||
      (await ctx.secret('GitHub token (repo scope) for the Flux bootstrap', 'the GITHUB_TOKEN environment variable'))
    ctx.io.sensitive(token)
    // The token reaches flux only through its environment: never argv, never logs.
    const out = await runStreaming('flux', args, {
      env: {GITHUB_TOKEN: token},
      onLine: (line) => ctx.line(redact(line, [token])),
      signal,
    })
    if (out.exitCode !== 0) {
      throw new OperationError(`flux bootstrap failed (exit ${out.exitCode}): ${redact(tail(out.lines), [token])}`, {
        code: 'FLUX_BOOTSTRAP_FAILED',
        hint: 'Check the token’s repo scope and access to the repository.',
      })
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
    if (dryRun) return {status: 'planned', detail: `would wait up to ${formatDuration(timeoutMs)} for Flux to be Ready`}
    const outcome = await ctx.ports.health.wait(env, {timeoutMs, signal, onProgress: ctx.line})
    if (signal?.aborted) throw new InterruptedError()
    if (!outcome.healthy) {
      throw new CheckFailedError(`Not healthy after ${formatDuration(timeoutMs)}: ${outcome.summary}`, {
        code: 'UNHEALTHY',
        hint: `See \`piksel status -e ${env.name}\`; a longer --timeout may help.`,
      })
    }
    return {status: 'done', detail: outcome.summary}
  },
}

/** Adds the resume command to a failure's hint. */
function withResume(error: PikselError, env: string, step: StepId, selected: readonly StepId[]): PikselError {
  const command = resumeCommand(env, step, selected)
  if (error instanceof InterruptedError) return new InterruptedError(error.message, {hint: `Resume with: ${command}`})
  const resume = `Then resume: ${command}`
  return new PikselError(error.message, error.exitCode, {
    code: error.code,
    hint: error.hint ? `${error.hint} ${resume}` : resume,
    cause: error,
  })
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
        prompting: (ask) => (io.interactive ? task.prompt(PromptBridge).run(ask) : ask()),
        confirm: (message) => ctx.prompting((out) => io.confirm(message, out)),
        secret: (message, flag) => ctx.prompting((out) => io.secret(message, flag, out)),
      }
      try {
        if (options.signal?.aborted) throw new InterruptedError()
        const outcome = await STEPS[id](ctx)
        const durationMs = Math.round(performance.now() - started)
        reports.set(id, {id, status: outcome.status, durationMs, detail: outcome.detail})
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
    nextSteps: nextSteps(base, options.env.cluster, failure?.step, options.steps),
  }
  if (!failure) return {result}
  return {
    result,
    error: withResume(failure.error, options.env.name, failure.step, options.steps),
    failedAt: failure.step,
  }
}

/** Pure: the listr2 renderer for this terminal. */
export function chooseRenderer(stderrIsTTY: boolean, verbose: boolean): RendererName {
  if (stderrIsTTY) return 'default'
  return verbose ? 'verbose' : 'simple'
}
