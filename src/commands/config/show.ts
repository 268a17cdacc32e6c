import {BaseCommand} from '../../lib/base-command.ts'
import type {Environment} from '../../lib/config/environment.ts'

export interface ConfigShowResult {
  file: string | null
  project: string
  owner: string
  environment: Environment
}

export default class ConfigShow extends BaseCommand<typeof ConfigShow> {
  static override summary = 'Show the resolved settings of an environment: config file merged with the Piksel defaults.'
  static override examples = ['<%= config.bin %> config show -e staging', '<%= config.bin %> config show -e dev --json']

  async run(): Promise<ConfigShowResult> {
    const environment = await this.requireEnvironment()
    if (!this.jsonEnabled()) {
      // The YAML printer only for people: --json never pays for loading it.
      const {stringify} = await import('yaml')
      this.print(`# ${this.settings.file ?? 'no piksel.config.yaml: built-in Piksel defaults'}`)
      this.print(stringify({project: this.settings.project, owner: this.settings.owner, environment}).trimEnd())
    }
    return {file: this.settings.file ?? null, project: this.settings.project, owner: this.settings.owner, environment}
  }
}
