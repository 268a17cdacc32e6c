/**
 * "Did you mean …?" for a mistyped command or topic (`piksel confg`, `piksel secrt list`): the
 * nearest one word by word (lib/suggest.ts). Unlike @oclif/plugin-not-found, it respects the
 * prompt gate (no question under CI or without a TTY), says nothing far-fetched, prints the
 * error envelope under --json, and exits 2 (bad usage) as the contract says.
 */
import type {Hook} from '@oclif/core/hooks'

import {canPrompt} from '../lib/prompt.ts'
import {shownWord, shownWords, suggestCommand} from '../lib/suggest.ts'

const hook: Hook.CommandNotFound = async function (options) {
  const {config} = options
  const visible = config.commands.filter((c) => !c.hidden)
  // Arguments it shows in its help (`help [COMMAND]`, `autocomplete [SHELL]`); `secret create`'s hidden
  // one exists only to refuse a secret typed there, so words after it are never carried over.
  const takesArgs = (c: (typeof visible)[number]) => Object.values(c.args ?? {}).some((a) => !a.hidden)
  const candidates = [
    ...visible.flatMap((c) =>
      [c.id, ...c.aliases].map((id) => ({id, kind: 'command' as const, takesArgs: takesArgs(c)})),
    ),
    ...config.topics.filter((t) => !t.hidden).map((t) => ({id: t.name, kind: 'topic' as const})),
  ]
  const sep = config.topicSeparator
  const spaced = (id: string) => id.replaceAll(':', sep)
  const argv = options.argv ?? []
  // The flags as typed too: oclif drops those after a word with a `:` from argv (`secrt x a:b --json`).
  const given = (flag: string) => argv.includes(flag) || process.argv.slice(2).includes(flag)
  const json = given('--json') || options.id === '--json'
  if (options.id.startsWith('-')) {
    // A flag before the command (`piksel -e dev status`): oclif reads the first word as the command.
    const named = (words: string[]) =>
      config.findCommand(words.join(':')) !== undefined || config.findTopic(words.join(':')) !== undefined
    const at = argv.findIndex((a) => named([a]))
    // The command's words (`secret list`), then the flags typed before it; what follows it as `…`.
    let end = at + 1
    while (at >= 0 && end < argv.length && end - at < 3 && named(argv.slice(at, end + 1))) end++
    const line = [...argv.slice(at, end), options.id, ...argv.slice(0, at)].map((w) => shownWord(w))
    if (end < argv.length) line.push('…')
    const did = at >= 0 ? `Did you mean \`piksel ${line.join(' ')}\`? ` : ''
    return fail(
      json,
      `${shownWord(options.id)} is not a piksel command: the command comes first, its flags after it.`,
      `${did}Run \`piksel help\` for the list.`,
      this,
    )
  }
  const suggestion = suggestCommand(options.id, candidates)
  // What was typed, as far as it can be a command: never a value typed after it (a secret, misplaced).
  const typed = shownWords(options.id.split(':'), sep)
  // From the help class (src/help.ts): `piksel help stauts`, `piksel stauts --help`.
  const helping = given('--help')
  const interactive = canPrompt({
    noInput: given('--no-input') || json,
    stdinIsTTY: process.stdin.isTTY,
    stdoutIsTTY: process.stdout.isTTY,
  })
  let meant: string | undefined
  if (suggestion?.kind === 'command') {
    meant = [spaced(suggestion.id), ...(suggestion.takesArgs ? suggestion.rest : [])].join(' ')
  } else if (suggestion) {
    meant = spaced(suggestion.id)
  }
  // Help was asked for: the help of the one it meant (its arguments are no help subject).
  if (helping && suggestion && suggestion.id !== 'help') meant = `help ${spaced(suggestion.id)}`
  if (suggestion && meant && interactive) {
    // A topic is answered with its help (its commands), as `piksel <topic>` is.
    const help = suggestion.kind === 'topic' || helping
    // What runs on a yes: `meant` (words a command takes no arguments for are left out) with the
    // flags given, said but not echoed (a flag's value may be a secret, which the command refuses).
    const args = help ? [] : [...(suggestion.takesArgs ? suggestion.rest : []), ...argv]
    const flags = !help && argv.length > 0 ? ' with the flags given' : ''
    const {confirm} = await import('@inquirer/prompts')
    const yes = await confirm(
      {message: `${typed} is not a piksel command. Run \`piksel ${meant}\`${flags} instead?`, default: true},
      {output: process.stderr},
    ).catch((error: unknown) => {
      // Ctrl-C (the terminal is in raw mode: a key, not a signal) is an interruption, not a no.
      if (error instanceof Error && error.name === 'ExitPromptError') return 'interrupted' as const
      return false
    })
    if (yes === 'interrupted') {
      process.stderr.write('Interrupted.\n')
      process.exitCode = 130
      this.exit(130)
    }
    if (yes && help) return config.runCommand('help', suggestion.id.split(':'))
    if (yes) return config.runCommand(suggestion.id, args)
  }
  let did = ''
  if (suggestion?.kind === 'topic') {
    const under = visible
      .filter((c) => c.id.startsWith(`${suggestion.id}:`))
      .map((c) => `\`piksel ${spaced(c.id)}\``)
      .sort()
    did = `Did you mean \`piksel ${meant}\`? Its command${under.length === 1 ? '' : 's'}: ${under.join(', ')}. `
  } else if (meant) {
    did = `Did you mean \`piksel ${meant}\`? `
  }
  return fail(json, `${typed} is not a piksel command.`, `${did}Run \`piksel help\` for the list.`, this)
}

/** UNKNOWN_COMMAND, exit 2: the error envelope on stdout under --json, else two lines on stderr. */
function fail(json: boolean, message: string, hint: string, context: {exit: (code?: number) => void}): never {
  if (json) process.stdout.write(`${JSON.stringify({error: {code: 'UNKNOWN_COMMAND', message, hint}}, null, 2)}\n`)
  else process.stderr.write(`Error: ${message}\nHint: ${hint}\n`)
  process.exitCode = 2
  context.exit(2)
  throw new Error('unreachable: exit(2) throws')
}

export default hook
