import {Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/base-command.ts'
import {
  FAMILY_IDS,
  MARKETS,
  type PlannedRequest,
  type QuotaRow,
  describeRequest,
  familyById,
  formatNumber,
  parseFamilies,
  parseMarkets,
  parseMin,
  planRequests,
  resolveTarget,
  selectQuotas,
  summarise,
} from '../../lib/quota/gpu.ts'
import type {GpuQuotaReport} from '../../lib/quota/service.ts'
import {renderTable} from '../../lib/ui/table.ts'

export default class QuotaGpu extends BaseCommand<typeof QuotaGpu> {
  static override summary = 'Check the EC2 GPU vCPU quotas Karpenter needs, and request the missing ones.'
  static override description = `For each GPU family and market: AWS's quota name, the applied value (or AWS's default where none is applied), the target, the open request and the last decided one, and a status: ok, below or pending. Exit 3 when any quota is under its target.

With --request, files a quota increase (each opens an AWS support case) for every quota below target that has no open request, asking for the target, after a confirmation listing exactly what will be filed. Exit 0 when every quota under its target then has an open request, 1 when a request failed.

Also warns when the service-linked role AWSServiceRoleForEC2Spot is missing (Karpenter's Spot nodes need it) and prints the command that creates it; piksel never creates it.`
  static override examples = [
    '<%= config.bin %> quota gpu -e staging',
    '<%= config.bin %> quota gpu -e staging --family g,p,inf --market spot --min 16',
    '<%= config.bin %> quota gpu -e staging --request --dry-run',
    '<%= config.bin %> quota gpu -e staging --request --yes --json',
  ]
  static override flags = {
    family: Flags.string({
      summary: `GPU families: ${FAMILY_IDS.join(', ')} (comma-separated or repeated; default g,p).`,
      multiple: true,
      helpValue: '<g,p,inf,trn,dl>',
    }),
    market: Flags.string({
      summary: `Markets: ${MARKETS.join(', ')} (default both).`,
      multiple: true,
      helpValue: '<on-demand,spot>',
    }),
    min: Flags.string({
      summary: 'Target vCPUs per quota, a positive whole number (default: the environment’s quota.gpuTarget, else 8).',
      helpValue: '<vcpus>',
    }),
    request: Flags.boolean({summary: 'File increase requests for the quotas below target without an open request.'}),
    'dry-run': Flags.boolean({summary: 'With --request: show what would be filed and file nothing.'}),
  }

  async run(): Promise<GpuQuotaReport> {
    // All input is validated before any AWS call (exit 2).
    const families = parseFamilies(this.flags.family)
    const markets = parseMarkets(this.flags.market)
    const min = this.flags.min === undefined ? undefined : parseMin(this.flags.min)
    const env = this.optionalEnvironment()
    const target = resolveTarget(min, env?.quota.gpuTarget)
    const session = this.awsSession(env)

    const {checkGpuQuotas, requestGpuQuotaIncreases} = await import('../../lib/quota/service.ts')
    const count = selectQuotas(families, markets).length
    this.note(`Checking ${count} GPU vCPU quotas in ${session.region} (target ${target} vCPUs)...`)
    let report = await checkGpuQuotas({session, families, markets, target})
    for (const warning of report.warnings) this.note(`Warning: ${warning}`)

    if (!this.flags.request) {
      this.render(report)
      if (this.flags['dry-run']) this.note('--dry-run: nothing is written without --request.')
      this.setExitCode(summarise(report.quotas).met ? 0 : 3)
      return report
    }

    const plan = planRequests(report.quotas)
    if (plan.length === 0) {
      this.render(report)
      // planRequests takes every `below` quota, so nothing to file means none is below.
      this.print('\nNothing to file: every quota meets its target or has an open request.')
      this.setExitCode(0)
      return report
    }

    if (env) {
      const {assertAccount} = await import('../../lib/aws/identity.ts')
      assertAccount(env, {account: report.account, arn: '', userId: ''}, session)
    }
    this.note(this.describePlan(plan, report))
    if (this.flags['dry-run']) {
      report = await requestGpuQuotaIncreases({session, report, env, dryRun: true})
      this.render(report)
      this.note('--dry-run: nothing was filed.')
      this.setExitCode(3)
      return report
    }
    const s = plan.length === 1 ? '' : 's'
    const ok = await this.prompter.confirm(`File ${plan.length} quota increase request${s}?`, {yes: this.flags.yes})
    if (!ok) {
      this.render(report)
      this.print('\nNothing filed.')
      this.setExitCode(3)
      return report
    }
    report = await requestGpuQuotaIncreases({session, report, env})
    this.render(report)
    this.renderOutcomes(report.quotas)
    const summary = summarise(report.quotas)
    this.setExitCode(summary.failed > 0 ? 1 : 0)
    return report
  }

  private describePlan(plan: PlannedRequest[], report: GpuQuotaReport): string {
    const lines = plan.map(
      (p) =>
        `  ${p.code}  ${p.name} (${familyById(p.family).label}, ${p.market}): ${formatNumber(p.current)} -> ${formatNumber(p.desired)} vCPUs`,
    )
    const s = plan.length === 1 ? '' : 's'
    return [
      `Will file ${plan.length} quota increase request${s} in account ${report.account}, region ${report.region} (each opens an AWS support case; approval can take hours to days):`,
      ...lines,
    ].join('\n')
  }

  private render(report: GpuQuotaReport): void {
    const now = new Date()
    this.print(
      renderTable(
        ['FAMILY', 'MARKET', 'CODE', 'VALUE', 'TARGET', 'STATUS', 'OPEN REQUEST', 'LAST DECIDED', 'NAME'],
        report.quotas.map((q) => [
          familyById(q.family).label,
          q.market,
          q.code,
          `${formatNumber(q.value)}${q.valueSource === 'default' ? ' (default)' : ''}`,
          formatNumber(q.target),
          q.status,
          describeRequest(q.request, now),
          describeRequest(q.lastDecided, now),
          q.name,
        ]),
      ),
    )
    const summary = summarise(report.quotas)
    this.print(
      `\naccount ${report.account}, ${report.region}: ${summary.ok} ok, ${summary.pending} pending, ${summary.below} below target; Spot service-linked role ${report.spotRole}`,
    )
  }

  private renderOutcomes(rows: QuotaRow[]): void {
    for (const row of rows) {
      if (!row.action) continue
      const what = `${row.code} (${row.name})`
      switch (row.action) {
        case 'filed':
          this.print(`filed: ${what}: request ${row.request?.id ?? '?'} for ${formatNumber(row.target)} vCPUs`)
          break
        case 'already-open':
          this.print(`pending: ${what}: a request was already open; none filed`)
          break
        case 'already-met':
          this.print(`already met: ${what}: AWS reports the quota already at or above ${formatNumber(row.target)}`)
          break
        case 'failed':
          this.note(`failed: ${what}: ${row.error?.message ?? 'unknown error'}`)
          if (row.error?.hint) this.note(`  Hint: ${row.error.hint}`)
          break
        default:
          break
      }
    }
  }
}
