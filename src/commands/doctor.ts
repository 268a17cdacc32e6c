import * as Flags from '@oclif/core/flags'

import {BaseCommand, allEnvsFlag} from '../lib/base-command.ts'
import {type CheckResult, doctorPassed} from '../lib/doctor/checks.ts'
import type {EnvironmentsDocument} from '../lib/environments/fan-out.ts'
import {renderTable} from '../lib/ui/table.ts'

export interface DoctorResult {
  env: string | null
  checks: CheckResult[]
}

const HEADERS = ['CHECK', 'STATUS', 'DETAIL']
const cells = (checks: CheckResult[]): string[][] => checks.map((c) => [c.name, c.status, c.detail])

/** `ready: 0 failed, 1 warnings, 9 passed` (or `not ready: ...`). */
function verdict(checks: CheckResult[]): string {
  const failed = checks.filter((c) => c.status === 'fail').length
  const warned = checks.filter((c) => c.status === 'warn').length
  const passed = checks.length - failed - warned
  return `${doctorPassed(checks) ? 'ready' : 'not ready'}: ${failed} failed, ${warned} warnings, ${passed} passed`
}

export default class Doctor extends BaseCommand<typeof Doctor> {
  static override summary = 'Check that this machine is ready to run the Piksel runbooks.'
  static override description =
    'Runs every preflight check concurrently: Node, terraform (>= 1.10), flux (2.x), kubectl, aws, git, AWS credentials and account, the kube context of the environment, and the config file; with an environment, also its account: the GitHub Actions OIDC role for Terraform (ci-role), the Spot service-linked role (spot-role) and the DNS zone and its delegation (dns-zone), read-only. Exit 3 when a required check fails; warnings do not fail. With --all-envs, the AWS, kube and account checks run for every environment of the config (the machine checks once), in one table with an ENV column.'
  static override examples = [
    '<%= config.bin %> doctor',
    '<%= config.bin %> doctor --env staging --json',
    '<%= config.bin %> doctor --all-envs',
  ]
  static override flags = {
    kubeconfig: Flags.string({summary: 'Path to the kubeconfig (default: KUBECONFIG, then ~/.kube/config).'}),
    'all-envs': allEnvsFlag,
  }
  protected static override lenientConfig = true

  async run(): Promise<DoctorResult | EnvironmentsDocument<DoctorResult>> {
    if (this.allEnvs) return this.runAllEnvironments()
    const {runDoctor} = await import('../lib/doctor/service.ts')
    const env = this.configError ? undefined : this.optionalEnvironment()
    const session = this.awsSession(env)
    const checks = await runDoctor({
      env,
      session,
      caller: () => this.callerIdentity(session),
      ...this.sharedOptions(),
      kubeconfig: this.flags.kubeconfig,
      account: true,
    })
    if (!doctorPassed(checks)) this.setExitCode(3)
    this.print(renderTable(HEADERS, cells(checks)))
    this.print(`\n${verdict(checks)}`)
    return {env: env?.name ?? null, checks}
  }

  /**
   * Node, the tools and the config are the machine's, not an environment's: checked once,
   * alongside the environments, and shown once (ENV `(all)`); each environment's result
   * still holds them, so its JSON `result` is what `doctor -e <env>` prints, and its verdict
   * counts them.
   */
  private async runAllEnvironments(): Promise<EnvironmentsDocument<DoctorResult>> {
    const {runSharedChecks, runEnvironmentChecks, combineChecks} = await import('../lib/doctor/service.ts')
    const shared = runSharedChecks(this.sharedOptions())
    const rows = await this.forEachEnvironment(
      async ({env, session, caller, hint}): Promise<DoctorResult> => {
        const [machine, own] = await Promise.all([
          shared,
          // A failed check's hint names the environment's config keys, never a flag --all-envs refuses.
          runEnvironmentChecks({env, session, caller, hint, kubeconfig: this.flags.kubeconfig, account: true}),
        ])
        return {env: env.name, checks: combineChecks(machine, own)}
      },
      // The account is checked, not guarded: a mismatch is the failed `aws-account` check.
      {guard: false},
    )
    const machine = await shared
    const sharedNames = new Set([...machine.machine, machine.config].map((c) => c.name))
    return this.reportEnvironments(rows, {
      headers: HEADERS,
      rows: (result) => cells(result.checks.filter((c) => !sharedNames.has(c.name))),
      verdict: (result) => verdict(result.checks),
      exitCode: (result) => (doctorPassed(result.checks) ? 0 : 3),
      shared: cells([...machine.machine, machine.config]),
    })
  }

  private sharedOptions() {
    return {
      enginesRange: this.config.pjson.engines?.node ?? '>=22',
      configFile: this.settings.file,
      configError: this.configError,
    }
  }
}
