import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../lib/base-command.ts'
import {type CheckResult, doctorPassed} from '../lib/doctor/checks.ts'
import {renderTable} from '../lib/ui/table.ts'

export interface DoctorResult {
  env: string | null
  checks: CheckResult[]
}

export default class Doctor extends BaseCommand<typeof Doctor> {
  static override summary = 'Check that this machine is ready to run the Piksel runbooks.'
  static override description =
    'Runs every preflight check concurrently: Node, terraform (>= 1.10), flux (2.x), kubectl, aws, git, AWS credentials and account, the kube context of the environment, and the config file; with an environment, also its account: the GitHub Actions OIDC role for Terraform (ci-role), the Spot service-linked role (spot-role) and the DNS zone and its delegation (dns-zone), read-only. Exit 3 when a required check fails; warnings do not fail.'
  static override examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --env staging --json']
  static override flags = {
    kubeconfig: Flags.string({summary: 'Path to the kubeconfig (default: KUBECONFIG, then ~/.kube/config).'}),
  }
  protected static override lenientConfig = true

  async run(): Promise<DoctorResult> {
    const {runDoctor} = await import('../lib/doctor/service.ts')
    const env = this.configError ? undefined : this.optionalEnvironment()
    const session = this.awsSession(env)
    const checks = await runDoctor({
      env,
      session,
      caller: () => this.callerIdentity(session),
      enginesRange: this.config.pjson.engines?.node ?? '>=22',
      configFile: this.settings.file,
      configError: this.configError,
      kubeconfig: this.flags.kubeconfig,
      account: true,
    })
    const passed = doctorPassed(checks)
    if (!passed) this.setExitCode(3)
    this.print(
      renderTable(
        ['CHECK', 'STATUS', 'DETAIL'],
        checks.map((c) => [c.name, c.status, c.detail]),
      ),
    )
    const failed = checks.filter((c) => c.status === 'fail').length
    const warned = checks.filter((c) => c.status === 'warn').length
    this.print(
      `\n${passed ? 'ready' : 'not ready'}: ${failed} failed, ${warned} warnings, ${checks.length - failed - warned} passed`,
    )
    return {env: env?.name ?? null, checks}
  }
}
