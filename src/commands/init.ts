import {join, relative} from 'node:path'

import {Flags} from '@oclif/core'

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
Values not given by flags are asked for on a terminal; with --yes or without a TTY the built-in Piksel defaults apply and an unknown account id is left out (the account guard is then off).`
  static override examples = [
    '<%= config.bin %> init -e staging --account 123456789012',
    '<%= config.bin %> init -e dev --infra-dir ../piksel-infra --gitops-dir ../piksel-gitops --yes',
    '<%= config.bin %> init -e staging --dry-run --json',
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
    const [{resolveSettings}, {validateInitInput}, {runInit}, {CONFIG_FILE_NAME}] = await Promise.all([
      import('../lib/config/environment.ts'),
      import('../lib/init/templates.ts'),
      import('../lib/init/service.ts'),
      import('../lib/config/load.ts'),
    ])
    const {flags} = this
    // A missing --config file is what init writes; any other config problem stops it.
    if (this.configError && this.configError.code !== 'CONFIG_NOT_FOUND') throw this.configError

    const name = flags.env ?? (await this.prompter.input({message: 'Environment name', flag: '-e <env>'}))
    validateInitInput({env: name, account: flags.account})
    const {settings} = this
    const base =
      settings.environments[name] ??
      resolveSettings({
        project: settings.project,
        owner: settings.owner,
        region: settings.region,
        environments: {[name]: {}},
      }).environments[name]!
    // Ask only on a terminal without --yes; otherwise flags, then the built-in defaults.
    const ask = this.prompter.interactive && !flags.yes
    const value = async (given: string | undefined, fallback: string, message: string, flag: string) =>
      given ?? (ask ? await this.prompter.input({message, flag, default: fallback}) : fallback)

    const account =
      flags.account ??
      base.account ??
      (ask
        ? (await this.prompter.input({
            message: 'AWS account id (blank if unknown: the account guard stays off)',
            flag: '--account',
            validate: (v) => v === '' || /^\d{12}$/.test(v) || 'a 12-digit account id, or blank',
          })) || undefined
        : undefined)
    validateInitInput({env: name, account})
    const env = {
      ...base,
      account,
      profile: await value(flags.profile, base.profile, 'AWS profile', '--profile'),
      region: flags.region ?? base.region,
      cluster: await value(flags.cluster, base.cluster, 'EKS cluster name', '--cluster'),
      terraform: {...base.terraform, stateBucket: flags['state-bucket'] ?? base.terraform.stateBucket},
      gitops: {
        ...base.gitops,
        owner: await value(flags['gitops-owner'], base.gitops.owner, 'GitOps repository owner', '--gitops-owner'),
        repository: await value(
          flags['gitops-repository'],
          base.gitops.repository,
          'GitOps repository',
          '--gitops-repository',
        ),
        branch: flags['gitops-branch'] ?? base.gitops.branch,
      },
    }
    const configFile = flags.config ?? settings.file ?? join(process.cwd(), CONFIG_FILE_NAME)
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
    this.print('')
    if (flags['dry-run']) this.print(`Dry run: nothing was written (${result.written.length} file(s) would be).`)
    else
      this.print(
        `${result.written.length} written, ${result.skipped.length} skipped (existing files are never overwritten).`,
      )
    if (!account)
      this.print(`No account id for ${name}: the account guard is off until environments.${name}.account is set.`)
    const infra = flags['infra-dir'] === '.' ? '' : ` --infra-dir ${flags['infra-dir']}`
    this.print(`Next: piksel bootstrap -e ${name}${infra} --dry-run`)
    return {...result, account: account ?? null, configFile}
  }
}
