import {existsSync} from 'node:fs'
import {join, relative} from 'node:path'

import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../lib/base-command.ts'
import type {InitResult} from '../lib/init/service.ts'

export interface InitCommandResult extends InitResult {
  account: string | null
  configFile: string
}

export default class Init extends BaseCommand<typeof Init> {
  static override summary = 'Write what a new environment lacks: config, state bucket root, backend, GitOps skeleton.'
  static override description = `Writes, from the templates shipped with piksel, only the files that do not exist yet (never overwriting one):
piksel.config.yaml with the environment; the Terraform root <infra-dir>/bootstrap/<env>/ for the state bucket (versioned, AES256, public access blocked, TLS-only, prevent_destroy, local state); <infra-dir>/<env>/backend.tf (S3, use_lockfile = true); and the GitOps skeleton <gitops-dir>/clusters/<env>/ (infra-controllers, infra-configs, apps, Slack notifications).
Values not given by flags are asked for on a terminal; with --yes or without a TTY the built-in Piksel defaults apply and an unknown account id is left out (the account guard is then off).
Every value is checked with the config loader's rules before anything is written (exit 2 naming the flag). An existing config file is never changed: it must define the environment, and no flag may contradict it (exit 2, nothing written). Region and profile come only from init's flags, prompts or the config, never from an exported AWS_REGION/AWS_PROFILE.
A GitOps object that the GitOps directory already defines (same kind, namespace and name, in any YAML file; other environments' clusters/<env>/ aside) is not written again; init says where it is.`
  static override examples = [
    '<%= config.bin %> init --env staging --account 123456789012',
    '<%= config.bin %> init --env dev --infra-dir ../piksel-infra --gitops-dir ../piksel-gitops --yes',
    '<%= config.bin %> init --env staging --dry-run --json',
  ]
  static override flags = {
    'infra-dir': Flags.string({
      summary: 'The piksel-infra checkout to write Terraform into.',
      default: '.',
      helpValue: 'DIR',
    }),
    'gitops-dir': Flags.string({
      summary: 'The piksel-gitops checkout to write clusters/<env>/ into.',
      default: '.',
      helpValue: 'DIR',
    }),
    account: Flags.string({summary: 'AWS account id of the environment (12 digits); enables the account guard.'}),
    cluster: Flags.string({summary: 'EKS cluster name (default: piksel-<env>).'}),
    'state-bucket': Flags.string({summary: 'Terraform state bucket (default: piksel-<env>-tfstate).'}),
    'gitops-owner': Flags.string({summary: 'GitHub owner of the GitOps repository (default: piksel-ina).'}),
    'gitops-repository': Flags.string({summary: 'GitOps repository (default: piksel-gitops).'}),
    'gitops-branch': Flags.string({summary: 'GitOps branch (default: main).'}),
    'dry-run': Flags.boolean({summary: 'List what would be written; write nothing.'}),
  }
  protected static override lenientConfig = true

  async run(): Promise<InitCommandResult> {
    const [
      {resolveSettings},
      {runInit},
      {CONFIG_FILE_NAME},
      {validateInitValues, fieldProblem, assertEnvName, assertConfigHolds},
      {INIT_TO_BOOTSTRAP_FLAGS, carriedFlags, commandLine, givenOnCommandLine},
      {assertNonEmptyFlags},
      {describeObject},
    ] = await Promise.all([
      import('../lib/config/environment.ts'),
      import('../lib/init/service.ts'),
      import('../lib/config/load.ts'),
      import('../lib/init/validate.ts'),
      import('../lib/bootstrap/rerun.ts'),
      import('../lib/bootstrap/flag-values.ts'),
      import('../lib/init/existing.ts'),
    ])
    const {flags} = this
    // A missing --config file is what init writes; any other config problem stops it.
    if (this.configError && this.configError.code !== 'CONFIG_NOT_FOUND') throw this.configError
    // Only what was typed on the command line: an exported AWS_REGION/AWS_PROFILE is the shell's, not the environment's.
    const {raw} = await this.parse(Init)
    const typed = (name: 'region' | 'profile') => (givenOnCommandLine(raw, name) ? flags[name] : undefined)
    assertNonEmptyFlags({
      'infra-dir': flags['infra-dir'],
      'gitops-dir': flags['gitops-dir'],
      config: flags.config,
      account: flags.account,
      profile: typed('profile'),
      region: typed('region'),
      cluster: flags.cluster,
      'state-bucket': flags['state-bucket'],
      'gitops-owner': flags['gitops-owner'],
      'gitops-repository': flags['gitops-repository'],
      'gitops-branch': flags['gitops-branch'],
    })
    const check = (field: Parameters<typeof fieldProblem>[0]) => (v: string) => fieldProblem(field, v) ?? true

    const name =
      flags.env ?? (await this.prompter.input({message: 'Environment name', flag: '-e <env>', validate: check('env')}))
    assertEnvName(name)
    const {settings} = this
    const configFile = flags.config ?? settings.file ?? join(process.cwd(), CONFIG_FILE_NAME)
    // An existing config is never changed: it must already define the environment as given (exit 2 otherwise).
    const configExists = existsSync(configFile)
    if (configExists) {
      assertConfigHolds({
        file: configFile,
        env: name,
        defined: settings.environments[name],
        known: Object.keys(settings.environments),
        given: {
          '--account': flags.account,
          '--profile': typed('profile'),
          '--region': typed('region'),
          '--cluster': flags.cluster,
          '--state-bucket': flags['state-bucket'],
          '--gitops-owner': flags['gitops-owner'],
          '--gitops-repository': flags['gitops-repository'],
          '--gitops-branch': flags['gitops-branch'],
        },
      })
    }
    const base =
      settings.environments[name] ??
      resolveSettings({
        project: settings.project,
        owner: settings.owner,
        region: settings.region,
        environments: {[name]: {}},
      }).environments[name]!
    // Ask only on a terminal without --yes, for a config init writes (an existing one already answers);
    // otherwise flags, then the built-in defaults.
    const ask = this.prompter.interactive && !flags.yes && !configExists
    const value = async (
      given: string | undefined,
      fallback: string,
      message: string,
      flag: string,
      field: Parameters<typeof fieldProblem>[0],
    ) =>
      given ?? (ask ? await this.prompter.input({message, flag, default: fallback, validate: check(field)}) : fallback)

    const account =
      flags.account ??
      base.account ??
      (ask
        ? (await this.prompter.input({
            message: 'AWS account id (blank if unknown: the account guard stays off)',
            flag: '--account',
            validate: (v) => v === '' || check('account')(v),
          })) || undefined
        : undefined)
    const env = {
      ...base,
      account,
      profile: await value(typed('profile'), base.profile, 'AWS profile', '--profile', 'profile'),
      region: typed('region') ?? base.region,
      cluster: await value(flags.cluster, base.cluster, 'EKS cluster name', '--cluster', 'cluster'),
      terraform: {...base.terraform, stateBucket: flags['state-bucket'] ?? base.terraform.stateBucket},
      gitops: {
        ...base.gitops,
        owner: await value(
          flags['gitops-owner'],
          base.gitops.owner,
          'GitOps repository owner',
          '--gitops-owner',
          'gitops.owner',
        ),
        repository: await value(
          flags['gitops-repository'],
          base.gitops.repository,
          'GitOps repository',
          '--gitops-repository',
          'gitops.repository',
        ),
        branch: flags['gitops-branch'] ?? base.gitops.branch,
      },
    }
    // Every value is checked with the config loader's rules before anything is written (exit 2).
    validateInitValues({
      env: name,
      account: env.account,
      profile: env.profile,
      region: env.region,
      cluster: env.cluster,
      stateBucket: env.terraform.stateBucket,
      gitops: env.gitops,
    })
    const result = await runInit({
      env,
      project: settings.project,
      owner: settings.owner,
      infraDir: flags['infra-dir'],
      gitopsDir: flags['gitops-dir'],
      configFile,
      dryRun: Boolean(flags['dry-run']),
      requested: {stateBucket: flags['state-bucket']},
    })

    const show = (path: string) => relative(process.cwd(), path) || path
    const verb = flags['dry-run'] ? 'would write' : 'wrote'
    for (const file of result.written) this.print(`${verb}  ${show(file.path)}`)
    for (const file of result.skipped) this.print(`skipped ${show(file.path)}: ${file.reason}`)
    for (const o of result.skippedObjects) {
      const ref = {kind: o.kind, name: o.name, namespace: o.namespace ?? undefined, group: ''}
      this.print(`skipped ${describeObject(ref)} of ${show(o.path)}: already defined in ${show(o.existing)}`)
    }
    this.print('')
    if (flags['dry-run']) this.print(`Dry run: nothing was written (${result.written.length} file(s) would be).`)
    else
      this.print(
        `${result.written.length} written, ${result.skipped.length} skipped (existing files are never overwritten).`,
      )
    if (!account)
      this.print(`No account id for ${name}: the account guard is off until environments.${name}.account is set.`)
    const next = commandLine(['piksel', 'bootstrap', '-e', name], carriedFlags(raw, INIT_TO_BOOTSTRAP_FLAGS), [
      ...INIT_TO_BOOTSTRAP_FLAGS,
    ])
    this.print(`Next: ${next} --dry-run`)
    return {...result, account: account ?? null, configFile}
  }
}
