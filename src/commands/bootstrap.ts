import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../lib/base-command.ts'
import {stepList} from '../lib/bootstrap/steps.ts'
import {durationDefault, durationFlag, listFlag} from '../lib/flags.ts'
import type {BootstrapResult} from '../lib/bootstrap/summary.ts'
import {boundedPrompt} from '../lib/secrets/read.ts'

export default class Bootstrap extends BaseCommand<typeof Bootstrap> {
  static override summary = 'Stand up an environment from the runbook, resumably.'
  static override description = `Runs the bootstrap runbook as steps with ids, each detecting when it is already done:
preflight, identity (account guard), oidc (GitHub Actions' Terraform role), spot-role (the EC2 Spot service-linked role), dns (the zone and its delegation, checked only), state-backend, secrets, quota, infrastructure (Terraform phase 1), kubeconfig, flux, applications (Terraform phase 2), health.
Terraform: init with the environment's backend, plan -out, a summary of adds/changes/destroys, destroys refused unless --allow-destroy, a confirmation, then apply of exactly that saved plan.
Before the first write, preflight checks the selected steps' targets: the Terraform root has Terraform files; the kube context named after the cluster is provably the environment's EKS cluster (eks:DescribeCluster: ARN, endpoint, certificate authority), or is written later by the kubeconfig step, never replaced by the current context; flux-system does not sync another repository, branch or path (unless --force-flux); the GitHub token can read the repository and push to the branch.
Ctrl-C, SIGTERM and SIGHUP forward one SIGINT to Terraform, wait for it to write its state and release its lock, print the --from command that resumes, and exit 130, 143 or 129.
The GitHub token for Flux comes from GITHUB_TOKEN or a hidden prompt (asked in preflight) and reaches flux only through its environment.`
  static override examples = [
    '<%= config.bin %> bootstrap --env staging --dry-run',
    '<%= config.bin %> bootstrap --env staging',
    '<%= config.bin %> bootstrap --env staging --from kubeconfig',
    '<%= config.bin %> bootstrap --env staging --only infrastructure,applications --yes',
    'GITHUB_TOKEN=… <%= config.bin %> bootstrap --env staging --yes --json',
    '<%= config.bin %> bootstrap --env staging --only quota --yes --request-quotas',
    '<%= config.bin %> bootstrap --env staging --from flux --force-flux --infra-dir ../piksel-infra',
  ]
  static override flags = {
    from: Flags.string({summary: 'Start at this step (resume); the steps before it are not run.', helpValue: 'STEP'}),
    only: listFlag({
      summary: 'Run only these steps (comma-separated or repeated).',
      helpValue: 'STEP[,STEP]',
      check: (given, flag) => stepList(flag, given),
    }),
    skip: listFlag({
      summary: 'Skip these steps (comma-separated or repeated).',
      helpValue: 'STEP[,STEP]',
      check: (given, flag) => stepList(flag, given),
    }),
    'dry-run': Flags.boolean({summary: 'Check and plan everything; apply, bootstrap and create nothing.'}),
    'allow-destroy': Flags.boolean({summary: 'Apply Terraform plans that destroy or replace resources.'}),
    'force-flux': Flags.boolean({
      summary:
        'Run flux bootstrap even when flux-system is Ready, or syncs another repository, branch or path (it is repointed).',
    }),
    'request-quotas': Flags.boolean({
      summary: 'File GPU quota increase requests below target (each opens an AWS support case; --yes alone does not).',
    }),
    timeout: durationFlag({
      summary: 'How long the health step waits for Flux to be Ready.',
      ...durationDefault('15m'),
    }),
    'infra-dir': Flags.string({
      summary: 'The piksel-infra checkout (holds <env>/ and bootstrap/<env>/).',
      default: '.',
      helpValue: 'DIR',
    }),
    'gitops-owner': Flags.string({summary: 'GitHub owner of the GitOps repository (default: from the config).'}),
    'gitops-repository': Flags.string({summary: 'GitOps repository name (default: from the config).'}),
    'gitops-branch': Flags.string({summary: 'GitOps branch (default: from the config).'}),
    'gitops-path': Flags.string({summary: 'Path Flux syncs (default: clusters/<env>).'}),
    kubeconfig: Flags.string({
      summary: 'Kubeconfig to write the context to (default: KUBECONFIG, then ~/.kube/config).',
    }),
  }

  /** It hands GITHUB_TOKEN to flux bootstrap (and only to it): see run(). */
  protected static override keepsGitHubToken = true

  async run(): Promise<BootstrapResult> {
    const [
      {selectSteps, resumeCommand},
      {runBootstrap, chooseRenderer},
      {bindPorts},
      summary,
      {BOOTSTRAP_TARGET_FLAGS, carriedFlags, modeFlags},
      {assertNonEmptyFlags},
    ] = await Promise.all([
      import('../lib/bootstrap/steps.ts'),
      import('../command-kit/bootstrap-tasks.ts'),
      import('../lib/bootstrap/bind.ts'),
      import('../lib/bootstrap/summary.ts'),
      import('../lib/bootstrap/rerun.ts'),
      import('../lib/bootstrap/flag-values.ts'),
    ])
    const {flags} = this
    // Every usage problem is found before anything runs.
    assertNonEmptyFlags({
      'infra-dir': flags['infra-dir'],
      kubeconfig: flags.kubeconfig,
      config: flags.config,
      profile: flags.profile,
      region: flags.region,
      'gitops-owner': flags['gitops-owner'],
      'gitops-repository': flags['gitops-repository'],
      'gitops-branch': flags['gitops-branch'],
      'gitops-path': flags['gitops-path'],
    })
    const steps = selectSteps({from: flags.from, only: flags.only?.flat(), skip: flags.skip?.flat()})
    // The flags typed on the command line that chose the target: every hint repeats them.
    const {raw} = await this.parse(Bootstrap)
    const rerunFlags = carriedFlags(raw, BOOTSTRAP_TARGET_FLAGS)
    const base = await this.requireEnvironment()
    const env = {
      ...base,
      gitops: {
        owner: flags['gitops-owner'] ?? base.gitops.owner,
        repository: flags['gitops-repository'] ?? base.gitops.repository,
        branch: flags['gitops-branch'] ?? base.gitops.branch,
        path: flags['gitops-path'] ?? base.gitops.path,
      },
    }
    const session = this.awsSession(env)
    // The account guard, before any step reads or writes (reads included).
    await this.guardAccount(env, session)
    const caller = () => this.callerIdentity(session)
    // A token never holds whitespace: one pasted with a newline (a CI secret) would reach flux with it.
    const githubToken = process.env.GITHUB_TOKEN?.trim() || undefined
    this.markSensitive(githubToken)
    // Taken out of our environment: only flux bootstrap is given it, no other child inherits it.
    delete process.env.GITHUB_TOKEN
    const ports = await bindPorts({
      session,
      caller,
      kubeconfig: flags.kubeconfig,
      project: this.settings.project,
      owner: this.settings.owner,
      prompter: this.prompter,
      markSensitive: (value) => this.markSensitive(value),
      githubApiUrl: process.env.GITHUB_API_URL || undefined,
    })

    const running = runBootstrap(
      {
        env,
        session,
        caller,
        steps,
        infraDir: flags['infra-dir'],
        dryRun: Boolean(flags['dry-run']),
        allowDestroy: Boolean(flags['allow-destroy']),
        forceFlux: Boolean(flags['force-flux']),
        timeoutMs: flags.timeout,
        verbose: this.verbose,
        enginesRange: this.config.pjson.engines?.node ?? '>=22',
        kubeconfig: flags.kubeconfig,
        githubToken,
        requestQuotas: Boolean(flags['request-quotas']),
        rerunFlags,
        signal: this.abort.signal,
        renderer: chooseRenderer(Boolean(process.stderr.isTTY), this.verbose),
        output: process.stderr,
      },
      ports,
      {
        interactive: this.prompter.interactive,
        confirm: (message, output) => this.prompter.confirm(message, {yes: flags.yes, output}),
        secret: (message, flag, output) =>
          boundedPrompt((signal) => this.prompter.password({message, flag, output, signal})),
        sensitive: (value) => this.markSensitive(value),
        warned: (message) => this.warned(message),
      },
    )
    // Ctrl-C: wait for the running step (Terraform releases its lock), then name the resume command.
    this.onInterruptCleanup(async () => {
      const outcome = await running
      const at = outcome.failedAt ?? steps[0] ?? 'preflight'
      const resume = {...rerunFlags, ...modeFlags({dryRun: Boolean(flags['dry-run'])})}
      this.interruptHint = `Resume with: ${resumeCommand(env.name, at, steps, resume)}`
    })
    const outcome = await running
    if (this.abort.signal.aborted) return this.afterInterrupt()

    const {result} = outcome
    this.print('')
    this.print(summary.renderSummary(result))
    if (outcome.error) throw outcome.error
    return result
  }
}
