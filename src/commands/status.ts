import * as Flags from '@oclif/core/flags'

import {BaseCommand, type EnvironmentScope, allEnvsFlag} from '../lib/base-command.ts'
import type {EnvironmentsDocument} from '../lib/environments/fan-out.ts'
import {UsageError} from '../lib/errors.ts'
import {parseKindFilter} from '../lib/status/kinds.ts'
import {formatDuration} from '../lib/duration.ts'
import {durationDefault, durationFlag, listFlag} from '../lib/flags.ts'
import {namespaceFlag} from '../lib/status/scope.ts'
import {fitText, progressLine, renderPlan, renderStatus, renderVerdict, stillNotReady} from '../lib/status/render.ts'
import {terminalWidth} from '../lib/ui/table.ts'
import type {StatusOptions, StatusReport, StatusRequest, StatusResult} from '../lib/status/service.ts'

/** The `--json` document (README, `piksel status`); under --all-envs, one per environment. */
export type StatusCommandResult = StatusReport

export default class Status extends BaseCommand<typeof Status> {
  static override summary = 'Is the cluster reconciled and healthy? Flux objects and controllers at a glance.'
  static override description = [
    'Reads every Flux object (sources, Kustomizations, HelmReleases, notifications, image automation) with one list call per kind, at the versions the API prefers, and judges each as Flux does: ready, failed, progressing, waiting, suspended, stale, unknown or terminating. Prints a one-line verdict, counts per kind, then only what needs attention, pointing from objects that wait on a broken dependency to the broken one.',
    'Filters (-n, -l, --kind) choose what is listed and counted, never how it is judged: the sources and dependencies of the selected objects are read too, wherever they are, and decide the verdict with them (`1 dependency failed (GitRepository flux-system/flux-system)`). A selection that matches nothing is not healthy (`nothing matched -l app=new`); --wait waits until something matches. A Flux kind with objects but no controller Deployment in the Flux namespace (--flux-namespace) makes the verdict unhealthy.',
    'Exit 0 when healthy; 3 when anything listed or depended on failed (retried failures too), is stale, unknown, still progressing, or suspended (unless --ignore-suspended), a selection matched nothing, or a controller is missing or down; 2 for bad input (a --kind the cluster does not serve, a -n namespace that does not exist); 1 when the cluster cannot be read or has no Flux.',
    'With --all-envs, every environment of the config at once, each on its own context (named after its cluster) with its own profile and account guard: one row per environment and a verdict line each; the exit code is the worst (1 when an environment could not be read, else 3 when one is unhealthy). --wait waits for every environment together; --watch and --reconcile take one environment.',
  ].join('\n\n')
  static override examples = [
    '<%= config.bin %> status',
    '<%= config.bin %> status --env staging --wait --timeout 10m',
    '<%= config.bin %> status --kind kustomization,helmrelease --namespace flux-system --all',
    '<%= config.bin %> status --reconcile --yes',
    '<%= config.bin %> status --deep --json',
    '<%= config.bin %> status --all-envs',
  ]
  static override flags = {
    kubeconfig: Flags.string({summary: 'Path to the kubeconfig (default: KUBECONFIG, then ~/.kube/config).'}),
    context: Flags.string({
      summary: 'Kube context (default: with -e, the context named after the environment’s cluster, which must exist).',
    }),
    namespace: Flags.string({
      char: 'n',
      summary: 'List only this namespace (default: all); what its objects depend on is still read and judged.',
    }),
    kind: listFlag({
      summary: 'Only these kinds, comma-separated or repeated (e.g. kustomization,helmrelease).',
      check: (given) => parseKindFilter([given]) ?? [],
    }),
    selector: Flags.string({
      char: 'l',
      summary: 'List only objects with these labels, e.g. team=a; what they depend on is still read and judged.',
    }),
    'flux-namespace': Flags.string({
      summary: 'The namespace of the Flux controllers, as for `flux check`.',
      default: 'flux-system',
    }),
    all: Flags.boolean({summary: 'List every object, not only those needing attention.'}),
    wait: Flags.boolean({
      summary: 'Follow the cluster until it is healthy (with a filter: something matches) or --timeout passes.',
    }),
    timeout: durationFlag({
      summary: 'How long --wait and --reconcile wait (e.g. 90s, 5m, 1h).',
      ...durationDefault('5m'),
    }),
    watch: Flags.boolean({summary: 'A live view until Ctrl-C.', exclusive: ['wait', 'reconcile']}),
    reconcile: Flags.boolean({
      summary: 'Ask Flux to reconcile failed and stale Kustomizations and HelmReleases (sources first), then wait.',
    }),
    deep: Flags.boolean({
      summary: 'Also check the Deployments, StatefulSets, DaemonSets and Jobs in each Kustomization’s inventory.',
    }),
    'ignore-suspended': Flags.boolean({summary: 'Suspended objects do not make the verdict unhealthy.'}),
    'all-envs': allEnvsFlag,
  }

  /** --context names one environment's cluster; each environment under --all-envs has its own. */
  protected static override allEnvsExclusive = ['context']

  async run(): Promise<StatusCommandResult | EnvironmentsDocument<StatusCommandResult>> {
    if (this.allEnvs) return this.everyEnvironment()
    const env = this.optionalEnvironment()
    const scope = env ? this.environmentScope(env) : undefined
    const input = this.input()
    // The account guard: an environment with a configured account is read only by that
    // account's caller (its credentials are what reach the EKS cluster).
    if (env?.account !== undefined && scope) await this.guardAccount(env, scope.session)
    return this.finish(await this.collect(scope, input))
  }

  /**
   * --all-envs: the plain read and --wait (every environment waits at once; one table at the
   * end). --watch (a live screen) and --reconcile (a confirmation per cluster) take one
   * environment: refused before anything is read.
   */
  private async everyEnvironment(): Promise<EnvironmentsDocument<StatusCommandResult>> {
    const one = (['watch', 'reconcile'] as const).filter((f) => this.flags[f])
    if (one.length > 0) {
      const named = one.map((f) => `--${f}`).join(', ')
      throw new UsageError(`--all-envs cannot be combined with ${named}: it works on one environment.`, {
        code: 'CONFLICTING_FLAGS',
        hint: `Run \`piksel status -e <env> ${one.map((f) => `--${f}`).join(' ')}\` per environment, or drop ${named} (--wait works with --all-envs).`,
      })
    }
    // The flags are checked once, before any environment is read (exit 2).
    const input = this.input()
    const rows = await this.forEachEnvironment((scope) => this.collect(scope, input))
    return this.reportEnvironments(rows, {
      headers: ['CONTEXT', 'VERDICT', 'OBJECTS', 'READY', 'NEEDS ATTENTION'],
      rows: (r) => [[r.context, r.verdict, String(r.counts.total), String(r.counts.byHealth.ready), attention(r)]],
      verdict: (r) => `${r.summary}${r.timedOut ? ` (timed out after ${formatDuration(this.flags.timeout)})` : ''}`,
      exitCode: (r) => (r.verdict === 'healthy' ? 0 : 3),
    })
  }

  /**
   * One environment's (or, without one, the kubeconfig's current) cluster: the flags made
   * options, one service call. The kube context is the environment's (named after its
   * cluster), never the current one; its exec credential plugin gets the environment's AWS
   * profile and region. The account guard is the caller's (run, or forEachEnvironment).
   */
  private async collect(
    scope: EnvironmentScope | undefined,
    {timeoutMs, kinds, namespace, fluxNamespace}: ReturnType<Status['input']>,
  ): Promise<StatusReport> {
    const env = scope?.env
    // With an environment, its context (named after its cluster) or nothing: never the current one.
    const [{environmentContext}, {pluginEnvFor}] = await Promise.all([
      import('../lib/kube/context.ts'),
      import('../lib/kube/config.ts'),
    ])
    const options: StatusOptions = {
      kubeconfig: this.flags.kubeconfig,
      context: await environmentContext({
        kubeconfig: this.flags.kubeconfig,
        context: this.flags.context,
        env,
        config: this.flags.config,
      }),
      namespace,
      kinds,
      selector: this.flags.selector,
      deep: this.flags.deep,
      ignoreSuspended: this.flags['ignore-suspended'],
      fluxNamespace,
      ...(scope ? {pluginEnv: pluginEnvFor(scope.session)} : {}),
      signal: scope?.signal ?? this.abort.signal,
    }
    const {collectStatus} = await import('../lib/status/service.ts')
    // Under --all-envs environments wait side by side: no shared live line (the table comes at the end).
    const following = this.flags.wait || this.flags.reconcile
    const waiting = following && !this.allEnvs ? this.waitProgress() : undefined
    let result: StatusReport
    try {
      result = await collectStatus({
        ...options,
        follow: this.flags.watch ? 'watch' : following ? 'wait' : undefined,
        timeoutMs: this.flags.watch ? undefined : timeoutMs,
        onProgress: this.flags.watch ? (r) => this.live(r) : waiting?.update,
        reconcile: this.flags.reconcile ? this.reconcileHooks(timeoutMs) : undefined,
      })
    } finally {
      waiting?.stop()
    }
    if (waiting?.shown()) this.progress()
    if (result.timedOut && !this.allEnvs) {
      // Counted as the verdict counts: with --deep, the workloads too (render.ts).
      const pending = stillNotReady(result, {ignoreSuspended: this.flags['ignore-suspended']})
      this.note(fitText(`Timed out after ${formatDuration(timeoutMs)}: ${pending}.`, terminalWidth(process.stderr)))
    }
    return result
  }

  /** All input, validated before any cluster is read (exit 2). */
  private input() {
    // Each --kind was checked as it was parsed (exit 2); joined here, each kind once.
    return {
      timeoutMs: this.flags.timeout,
      kinds: this.flags.kind && [...new Set(this.flags.kind.flat())],
      namespace: namespaceFlag('-n/--namespace', this.flags.namespace),
      fluxNamespace: namespaceFlag('--flux-namespace', this.flags['flux-namespace']),
    }
  }

  /** --reconcile: the plan on stderr, then the confirmation (or --yes). */
  private reconcileHooks(timeoutMs: number): StatusRequest['reconcile'] {
    const width = terminalWidth(process.stderr)
    return {
      confirm: async ({plan, status}) => {
        this.note(renderVerdict(status.summary, width).join('\n'))
        const planText = renderPlan(plan, width)
        if (planText) this.note(planText)
        if (plan.targets.length === 0) {
          const why =
            status.objects.length === 0 && status.selection !== undefined
              ? `nothing matched ${status.selection}`
              : 'no failed or stale object that Flux can reconcile'
          this.note(fitText(`Nothing to reconcile: ${why}.`, width))
          return false
        }
        const ok = await this.prompter.confirm(`Request reconciliation of ${plan.targets.length} object(s)?`, {
          yes: this.flags.yes,
        })
        if (!ok) this.note('Nothing requested.')
        return ok
      },
      onRequested: (request) =>
        this.note(
          fitText(
            `Requested at ${request.at}; waiting up to ${formatDuration(timeoutMs)} for Flux to handle it.`,
            width,
          ),
        ),
    }
  }

  /**
   * --wait and --reconcile: a line per change of the summary in a log; on a terminal the line
   * also ticks between events (elapsed time).
   */
  private waitProgress() {
    let started: number | undefined
    const tty = Boolean(process.stderr.isTTY)
    let latest: StatusResult | undefined
    const draw = () => {
      if (!latest) return
      const width = tty ? terminalWidth(process.stderr) - 1 : undefined
      this.progress(progressLine(latest, Date.now() - (started ?? Date.now()), width), latest.summary)
    }
    const ticker = tty ? setInterval(draw, 1000) : undefined
    ticker?.unref()
    return {
      update: (r: StatusResult) => {
        // The clock starts with the wait (after a --reconcile confirmation), not with the command.
        started ??= Date.now()
        latest = r
        draw()
      },
      stop: () => clearInterval(ticker),
      shown: () => latest !== undefined,
    }
  }

  private finish(result: StatusReport): StatusCommandResult {
    if (result.verdict !== 'healthy') this.setExitCode(3)
    // Under --json the document is the output: the view (a line per object with --all) is not built.
    if (!this.jsonEnabled())
      this.print(
        renderStatus(result, {
          all: this.flags.all,
          ignoreSuspended: this.flags['ignore-suspended'],
          width: terminalWidth(),
        }),
      )
    return result
  }

  /** --watch: the view redrawn on a terminal, a line per change otherwise. */
  private live(result: StatusResult): void {
    const view = renderStatus(result, {
      all: this.flags.all,
      ignoreSuspended: this.flags['ignore-suspended'],
      width: terminalWidth(),
    })
    this.redraw(
      `${view}\n\n(watching; Ctrl-C to stop)`,
      `${new Date().toISOString()} ${result.summary}`,
      result.summary,
    )
  }
}

/**
 * The objects to look at first: those not ready that no other object explains (`Kind/ns/name
 * health`), then the selection's dependencies that need attention (`… failed (dependency)`),
 * the first three; a selection that matched nothing says so.
 */
function attention(r: StatusReport): string {
  const down = r.controllers
    .filter((c) => c.missing || !c.ready)
    .map((c) => `${c.name} ${c.missing ? 'missing' : 'down'}`)
  const objects = r.objects
    .filter((o) => o.health !== 'ready' && !o.cause && !(o.health === 'suspended' && r.verdict === 'healthy'))
    .map((o) => `${o.kind}/${o.namespace}/${o.name} ${o.health}`)
  const dependencies = (r.dependencies ?? []).map((d) => `${d.kind}/${d.namespace}/${d.name} ${d.health} (dependency)`)
  const nothing = r.objects.length === 0 && r.selection !== undefined ? [`nothing matched ${r.selection}`] : []
  const all = [...down, ...nothing, ...objects, ...dependencies]
  if (all.length === 0) return '-'
  return all.length > 3 ? `${all.slice(0, 3).join(', ')}, +${all.length - 3} more` : all.join(', ')
}
