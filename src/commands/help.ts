/**
 * `piksel help [COMMAND]`: @oclif/plugin-help's own command, hosted in this command
 * tree instead of declared as an oclif plugin: oclif finds, reads and indexes every
 * declared plugin at the start of every command (`npm run bench` has the cost).
 * It takes --json (hidden) as every command does, so that `piksel help stauts --json`
 * is the UNKNOWN_COMMAND envelope (src/help.ts), not oclif's "Nonexistent flag".
 */
import * as Flags from '@oclif/core/flags'
import {commands} from '@oclif/plugin-help'

export default class HelpCommand extends commands.help {
  static override args = commands.help.args
  static override strict = false
  static override flags = {
    ...commands.help.flags,
    json: Flags.boolean({hidden: true, summary: 'A help subject that does not exist: the error envelope on stdout.'}),
  }

  override async run(): Promise<void> {
    const {argv, flags} = await this.parse(HelpCommand)
    const {default: PikselHelp} = await import('../help.ts')
    const help = new PikselHelp(this.config, {all: flags['nested-commands']})
    await help.showHelp([...(argv as string[]), ...(flags.json ? ['--json'] : [])])
  }
}
