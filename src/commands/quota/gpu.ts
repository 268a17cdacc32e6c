import * as Flags from '@oclif/core/flags'

import {BaseCommand, type EnvironmentScope, allEnvsFlag} from '../../lib/base-command.ts'
import type {EnvironmentsDocument} from '../../lib/environments/fan-out.ts'
import {UsageError} from '../../lib/errors.ts'
import {countFlag, listFlag, withOptionalValue} from '../../lib/flags.ts'
import {
  FAMILY_IDS,
  MARKETS,
  MIN_COUNT,
  assertBoundedTargets,
  markBlocked,
  parseFamilies,
  parseMarkets,
  planRequests,
  resolveTarget,
  summarise,
} from '../../lib/quota/gpu.ts'
import type {NodePoolFiles} from '../../lib/quota/gitops.ts'
import {gitopsDirFor} from '../../lib/quota/karpenter.ts'
import type {GpuQuotaReport} from '../../lib/quota/service.ts'
import {describeCounts, describeOutcome, quotaCells, renderPlan, renderReport} from '../../lib/quota/render.ts'

export default class QuotaGpu extends BaseCommand<typeof QuotaGpu> {
  static override summary = 'Check the EC2 GPU vCPU quotas Karpenter needs, and request the missing ones.'
  static override description = `For each GPU family and market: AWS's quota name, the applied value (or AWS's default where none is applied), the vCPUs in use now and left (USED, FREE: the quota's own CloudWatch usage metric, latest datapoint of the last hour), the target and where it came from, the open request and the last decided one, and a status: ok, below or pending. Exit 3 when any quota is under its target. A quota at or above 90% use is a warning; usage that cannot be read (cloudwatch:GetMetricData denied) is a warning, never a failure.

With --from-gitops [DIR], the targets come from Karpenter itself: every NodePool (karpenter.sh/v1, v1beta1) in the YAML files under DIR (default: the environment's gitops.dir joined with its gitops.path) gives, from its requirements and limits, the vCPUs it may launch per GPU family and market (a nvidia.com/gpu limit times the largest vCPUs per GPU among the instance types it allows, read from EC2; a memory limit times the most vCPUs per byte of node memory; a cpu limit directly; the smallest wins; a limit of 0 is a bound of 0). A quota no NodePool launches into keeps --min / the configured target. A quota one of whose GPU NodePools is unbounded (no cpu, nvidia.com/gpu or memory limit) has no target (TARGET and STATUS unbounded, JSON target null with targetSource.reason unbounded, exit 3): the configured target never stands in for it; only an explicit --min does, and --request without one is exit 2 (UNBOUNDED_TARGET), nothing filed.

With --request, files a quota increase (each opens an AWS support case) for every quota below target that has no open request, asking for the target, after a confirmation listing exactly what will be filed. Exit 0 when every quota under its target then has an open request, 1 when a request failed.

--all-envs: every environment of the config at once, each with its own profile, region, account guard and target (its quota.gpuTarget; with --from-gitops, the NodePools under its own gitops.dir + gitops.path, all read before any AWS call), in one table with an ENV column and a verdict line each; the exit code is the worst (1 when an environment could not be read, else 3 when one has a quota under target). --request files per environment: it takes -e, not --all-envs (exit 2).

Also warns when the service-linked role AWSServiceRoleForEC2Spot is missing (Karpenter's Spot nodes need it) and names the bootstrap step that creates it (piksel bootstrap -e ENV --only spot-role); quota gpu itself never creates it.`
  static override examples = [
    '<%= config.bin %> quota gpu --env staging',
    '<%= config.bin %> quota gpu --env staging --family g,p,inf --market spot --min 16',
    '<%= config.bin %> quota gpu --env staging --from-gitops ../piksel-gitops/infrastructure',
    '<%= config.bin %> quota gpu --env staging --request --dry-run',
    '<%= config.bin %> quota gpu --env staging --request --yes --json',
    '<%= config.bin %> quota gpu --all-envs --from-gitops',
  ]
  static override flags = {
    family: listFlag({
      summary: `GPU families: ${FAMILY_IDS.join(', ')} (comma-separated or repeated; default g,p).`,
      helpValue: '<g,p,inf,trn,dl>',
      check: (given) => parseFamilies([given]),
    }),
    market: listFlag({
      summary: `Markets: ${MARKETS.join(', ')} (default both).`,
      helpValue: '<on-demand,spot>',
      check: (given) => parseMarkets([given]),
    }),
    min: countFlag({
      summary: 'Target vCPUs per quota, a positive whole number (default: the environment’s quota.gpuTarget, else 8).',
      helpValue: '<vcpus>',
      ...MIN_COUNT,
    }),
    'from-gitops': Flags.string({
      summary:
        'Take the targets from the Karpenter NodePools under DIR (the value may be left out: the environment’s gitops.dir + gitops.path).',
      helpValue: '[DIR]',
    }),
    request: Flags.boolean({summary: 'File increase requests for the quotas below target without an open request.'}),
    'dry-run': Flags.boolean({summary: 'With --request: show what would be filed and file nothing.'}),
    'all-envs': allEnvsFlag,
  }

  override async init(): Promise<void> {
    this.argv = withOptionalValue(this.argv, '--from-gitops')
    await super.init()
  }

  async run(): Promise<GpuQuotaReport | EnvironmentsDocument<GpuQuotaReport>> {
    if (this.allEnvs) return this.everyEnvironment()
    const env = this.optionalEnvironment()
    // The NodePools are read first: a missing directory or a file that is not YAML is exit 2 before any call.
    const nodePools = await this.readNodePools(env)
    const session = this.awsSession(env)
    // The account guard, before any quota is read: another account's quotas are not shown.
    await this.guardAccount(env, session)
    let report = await this.collect({
      env,
      session,
      caller: () => this.callerIdentity(session),
      warn: (message) => this.warn(message),
      nodePools,
    })

    const {requestGpuQuotaIncreases} = await import('../../lib/quota/service.ts')

    if (!this.flags.request) {
      this.print(renderReport(report))
      if (this.flags['dry-run']) this.note('--dry-run: nothing is written without --request.')
      this.setExitCode(summarise(report.quotas).met ? 0 : 3)
      return report
    }

    // No request is computed from an unbounded target (a NodePool without limits): exit 2, nothing filed.
    assertBoundedTargets(report.quotas)
    const plan = planRequests(report.quotas)
    if (plan.length === 0) {
      // Nothing can be filed: every quota below target already has an open request (for less).
      report = {...report, quotas: markBlocked(report.quotas)}
      this.print(renderReport(report))
      const blocked = this.printOutcomes(report)
      if (blocked === 0) this.print('\nNothing to file: every quota meets its target or has an open request for it.')
      this.setExitCode(blocked > 0 ? 3 : 0)
      return report
    }

    this.note(renderPlan(plan, report))
    if (this.flags['dry-run']) {
      report = await requestGpuQuotaIncreases({session, report, env, dryRun: true})
      this.print(renderReport(report))
      this.printOutcomes(report)
      this.note('--dry-run: nothing was filed.')
      this.setExitCode(3)
      return report
    }
    const s = plan.length === 1 ? '' : 's'
    const ok = await this.prompter.confirm(`File ${plan.length} quota increase request${s}?`, {yes: this.flags.yes})
    if (!ok) {
      this.print(renderReport(report))
      this.print('\nNothing filed.')
      this.setExitCode(3)
      return report
    }
    report = await requestGpuQuotaIncreases({session, report, env})
    this.print(renderReport(report))
    this.printOutcomes(report)
    const summary = summarise(report.quotas)
    // 1: a request failed; 3: a quota is still below target with nothing filed (blocked by an open request).
    this.setExitCode(summary.failed > 0 ? 1 : summary.below > 0 ? 3 : 0)
    return report
  }

  /**
   * --all-envs: the check of every environment at once (the plain check only). Refused
   * (exit 2, before anything is read): --request (its confirmation lists one account's
   * requests; file per environment with -e) and --from-gitops DIR (one environment's
   * NodePools; without DIR each environment's own directory is read). Every environment's
   * NodePools are read first, so a bad file is exit 2 before any AWS call.
   */
  private async everyEnvironment(): Promise<EnvironmentsDocument<GpuQuotaReport>> {
    const refused = [
      ...(this.flags.request ? ['--request'] : []),
      ...(this.flags['from-gitops'] ? ['--from-gitops DIR'] : []),
    ]
    if (refused.length > 0) {
      throw new UsageError(`--all-envs cannot be combined with ${refused.join(', ')}: it is one environment's.`, {
        code: 'CONFLICTING_FLAGS',
        hint: this.flags.request
          ? 'File requests per environment: `piksel quota gpu -e <env> --request` (its confirmation lists exactly what is filed in that account).'
          : 'Leave DIR out (--from-gitops alone reads each environment’s gitops.dir + gitops.path), or use -e <env> --from-gitops DIR.',
      })
    }
    const {getEnvironment} = await import('../../lib/config/load.ts')
    const pools = new Map<string, NodePoolFiles | undefined>()
    for (const name of Object.keys(this.settings.environments)) {
      pools.set(name, await this.readNodePools(getEnvironment(this.settings, name), `${name}: `))
    }
    const rows = await this.forEachEnvironment((scope) =>
      this.collect({...scope, nodePools: pools.get(scope.env.name)}),
    )
    if (this.flags['dry-run']) this.note('--dry-run: nothing is written without --request.')
    return this.reportEnvironments(rows, {
      headers: ['FAMILY', 'MARKET', 'CODE', 'VALUE', 'USED', 'FREE', 'TARGET', 'FROM', 'STATUS'],
      rows: (report) => report.quotas.map(quotaCells),
      verdict: (report) => {
        const summary = summarise(report.quotas)
        return `account ${report.account}, ${report.region}: ${describeCounts(summary)}; Spot service-linked role ${report.spotRole}`
      },
      exitCode: (report) => (summarise(report.quotas).met ? 0 : 3),
    })
  }

  /** --from-gitops: the environment's NodePools (exit 2 for a missing directory or a file that is not YAML). */
  private async readNodePools(
    env: {name: string; gitops: {dir?: string; path: string}} | undefined,
    prefix = '',
  ): Promise<NodePoolFiles | undefined> {
    const fromGitops = this.flags['from-gitops']
    if (fromGitops === undefined) return undefined
    const {readNodePools} = await import('../../lib/quota/gitops.ts')
    const nodePools = readNodePools(gitopsDirFor(fromGitops, env))
    this.note(
      `${prefix}Read ${nodePools.pools.length} Karpenter NodePools from ${nodePools.files} YAML files under ${nodePools.dir}.`,
    )
    return nodePools
  }

  /**
   * One environment's (or, without one, the caller's) check: its target (--min, else its
   * quota.gpuTarget), its NodePools, its session. The account guard is the caller's.
   */
  private async collect({
    env,
    session,
    caller,
    warn,
    nodePools,
  }: Pick<EnvironmentScope, 'session' | 'caller' | 'warn'> & {
    env: EnvironmentScope['env'] | undefined
    nodePools: NodePoolFiles | undefined
  }): Promise<GpuQuotaReport> {
    // All input was checked as the flags were parsed (exit 2): here the occurrences are joined, in table order.
    const families = parseFamilies(this.flags.family?.flat())
    const markets = parseMarkets(this.flags.market?.flat())
    const target = resolveTarget(this.flags.min, env?.quota.gpuTarget)
    const {checkGpuQuotas} = await import('../../lib/quota/service.ts')
    if (!this.allEnvs) this.note(`Checking GPU vCPU quotas and their usage in ${session.region}...`)
    const report = await checkGpuQuotas({
      session,
      caller,
      // With NodePools and no --family, the families they launch into are shown too.
      families: nodePools && this.flags.family === undefined ? undefined : families,
      markets,
      target,
      targetFrom: this.flags.min === undefined ? 'config' : 'min',
      nodePools,
      ...(env ? {envName: env.name} : {}),
    })
    for (const warning of report.warnings) warn(warning)
    return report
  }

  /** What --request did per quota (failures on stderr); returns how many are blocked. */
  private printOutcomes(report: GpuQuotaReport): number {
    for (const row of report.quotas) {
      const outcome = describeOutcome(row)
      if (outcome?.failed) this.note(outcome.text)
      else if (outcome) this.print(outcome.text)
    }
    return report.quotas.filter((row) => row.action === 'blocked').length
  }
}
