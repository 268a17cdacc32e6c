import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../lib/base-command.ts'
import {countFlag, listFlag, withOptionalValue} from '../../lib/flags.ts'
import {
  FAMILY_IDS,
  MARKETS,
  MIN_COUNT,
  markBlocked,
  parseFamilies,
  parseMarkets,
  planRequests,
  resolveTarget,
  summarise,
} from '../../lib/quota/gpu.ts'
import {gitopsDirFor} from '../../lib/quota/karpenter.ts'
import type {GpuQuotaReport} from '../../lib/quota/service.ts'
import {describeOutcome, renderPlan, renderReport} from '../../lib/quota/render.ts'

export default class QuotaGpu extends BaseCommand<typeof QuotaGpu> {
  static override summary = 'Check the EC2 GPU vCPU quotas Karpenter needs, and request the missing ones.'
  static override description = `For each GPU family and market: AWS's quota name, the applied value (or AWS's default where none is applied), the vCPUs in use now and left (USED, FREE: the quota's own CloudWatch usage metric, latest datapoint of the last hour), the target and where it came from, the open request and the last decided one, and a status: ok, below or pending. Exit 3 when any quota is under its target. A quota at or above 90% use is a warning; usage that cannot be read (cloudwatch:GetMetricData denied) is a warning, never a failure.

With --from-gitops [DIR], the targets come from Karpenter itself: every NodePool (karpenter.sh/v1, v1beta1) in the YAML files under DIR (default: the environment's gitops.dir joined with its gitops.path) gives, from its requirements and limits, the vCPUs it may launch per GPU family and market (a nvidia.com/gpu limit times the largest vCPUs per GPU among the instance types it allows, read from EC2; a cpu limit directly; the smaller wins). A quota no bounded NodePool launches into keeps --min / the configured target.

With --request, files a quota increase (each opens an AWS support case) for every quota below target that has no open request, asking for the target, after a confirmation listing exactly what will be filed. Exit 0 when every quota under its target then has an open request, 1 when a request failed.

Also warns when the service-linked role AWSServiceRoleForEC2Spot is missing (Karpenter's Spot nodes need it) and names the bootstrap step that creates it (piksel bootstrap -e ENV --only spot-role); quota gpu itself never creates it.`
  static override examples = [
    '<%= config.bin %> quota gpu --env staging',
    '<%= config.bin %> quota gpu --env staging --family g,p,inf --market spot --min 16',
    '<%= config.bin %> quota gpu --env staging --from-gitops ../piksel-gitops/infrastructure',
    '<%= config.bin %> quota gpu --env staging --request --dry-run',
    '<%= config.bin %> quota gpu --env staging --request --yes --json',
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
  }

  override async init(): Promise<void> {
    this.argv = withOptionalValue(this.argv, '--from-gitops')
    await super.init()
  }

  async run(): Promise<GpuQuotaReport> {
    // All input was checked as the flags were parsed (exit 2): here the occurrences are joined, in table order.
    const families = parseFamilies(this.flags.family?.flat())
    const markets = parseMarkets(this.flags.market?.flat())
    const env = this.optionalEnvironment()
    const target = resolveTarget(this.flags.min, env?.quota.gpuTarget)
    // The NodePools are read first: a missing directory or a file that is not YAML is exit 2 before any call.
    const fromGitops = this.flags['from-gitops']
    let nodePools
    if (fromGitops !== undefined) {
      const {readNodePools} = await import('../../lib/quota/gitops.ts')
      nodePools = readNodePools(gitopsDirFor(fromGitops, env))
      this.note(
        `Read ${nodePools.pools.length} Karpenter NodePools from ${nodePools.files} YAML files under ${nodePools.dir}.`,
      )
    }
    const session = this.awsSession(env)
    // The account guard, before any quota is read: another account's quotas are not shown.
    await this.guardAccount(env, session)

    const {checkGpuQuotas, requestGpuQuotaIncreases} = await import('../../lib/quota/service.ts')
    this.note(`Checking GPU vCPU quotas and their usage in ${session.region}...`)
    let report = await checkGpuQuotas({
      session,
      caller: () => this.callerIdentity(session),
      // With NodePools and no --family, the families they launch into are shown too.
      families: nodePools && this.flags.family === undefined ? undefined : families,
      markets,
      target,
      targetFrom: this.flags.min === undefined ? 'config' : 'min',
      nodePools,
      ...(env ? {envName: env.name} : {}),
    })
    for (const warning of report.warnings) this.warn(warning)

    if (!this.flags.request) {
      this.print(renderReport(report))
      if (this.flags['dry-run']) this.note('--dry-run: nothing is written without --request.')
      this.setExitCode(summarise(report.quotas).met ? 0 : 3)
      return report
    }

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
