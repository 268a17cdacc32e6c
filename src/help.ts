/**
 * piksel's help class (package.json `oclif.helpClass`): oclif's own, except for a command or
 * topic that does not exist. oclif's says ` ›   Error: Command stauts not found.` with no
 * suggestion and no error envelope under --json; here `piksel help stauts` and
 * `piksel stauts --help` are answered as `piksel stauts` is (the command_not_found hook,
 * src/hooks/command-not-found.ts): the nearest command or topic, exit 2 `UNKNOWN_COMMAND`.
 */
import {Help} from '@oclif/core/help'

export default class PikselHelp extends Help {
  override async showHelp(argv: string[]): Promise<void> {
    const words: string[] = []
    for (const arg of argv) {
      // oclif's own reading of the subject (getHelpSubject): words up to the first flag.
      if (arg === '--' || (arg.startsWith('-') && arg !== '--help' && arg !== '-h')) break
      if (arg !== 'help' && arg !== '--help' && arg !== '-h') words.push(arg)
    }
    const id = words.join(':')
    const subject = this.subject(words)
    // A command followed by its arguments (`status extra`): its help (oclif: "status:extra not found").
    if (subject && subject.length < words.length) return super.showHelp(subject)
    if (id && !subject) {
      // The hook exits 2 (or, on a terminal, shows the help of the one it offered).
      const flags = argv.filter((a) => a.startsWith('-'))
      await this.config.runHook('command_not_found', {id, argv: [...flags, '--help']})
      return
    }
    return super.showHelp(argv)
  }

  /**
   * What the words name: the words of a command (those after it are its arguments), or all
   * of them when they are exactly a topic; undefined for a topic followed by other words
   * (`secret lst`: a mistyped command under it) or nothing at all.
   */
  private subject(words: string[]): string[] | undefined {
    for (let n = words.length; n > 0; n--) {
      const id = words.slice(0, n).join(':')
      if (this.config.findCommand(id)) return words.slice(0, n)
      if (this.config.findTopic(id)) return n === words.length ? words : undefined
    }
    return undefined
  }
}
