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
  static override description = `Prints the settings piksel uses for the environment, as YAML (one JSON document with --json): piksel.config.yaml (from --config or PIKSEL_CONFIG, else the current directory and its parents, else the user config directory) merged with the built-in Piksel defaults. The first line names the file, or says there is none.
Asks for the environment on a terminal; otherwise --env is required.`
  static override examples = [
    '<%= config.bin %> config show --env staging',
    '<%= config.bin %> config show --env dev --json',
  ]

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
