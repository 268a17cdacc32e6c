/**
 * "Did you mean …?" for a mistyped command or topic (`piksel confg`, `piksel secrt list`): the
 * nearest one word by word (lib/suggest.ts). Unlike @oclif/plugin-not-found, it respects the
 * prompt gate (no question under CI or without a TTY), says nothing far-fetched, prints the
 * error envelope under --json, and exits 2 (bad usage) as the contract says.
 */
import type {Hook} from '@oclif/core/hooks'

import {canPrompt} from '../lib/prompt.ts'

const hook: Hook.CommandNotFound = async function (options) {
  const {suggestCommand} = await import('../lib/suggest.ts')
  const {config} = options
  const visible = config.commands.filter((c) => !c.hidden)
  const takesArgs = (c: (typeof visible)[number]) => c.strict === false || Object.keys(c.args ?? {}).length > 0
  const candidates = [
    ...visible.flatMap((c) =>
      [c.id, ...c.aliases].map((id) => ({id, kind: 'command' as const, takesArgs: takesArgs(c)})),
    ),
    ...config.topics.filter((t) => !t.hidden).map((t) => ({id: t.name, kind: 'topic' as const})),
  ]
  const sep = config.topicSeparator
  const spaced = (id: string) => id.replaceAll(':', sep)
  const argv = options.argv ?? []
  const json = argv.includes('--json') || options.id === '--json'
  if (options.id.startsWith('-')) {
    // A flag before the command (`piksel -e dev status`): oclif reads the first word as the command.
    const at = argv.findIndex((a) => config.findCommand(a) !== undefined || config.findTopic(a) !== undefined)
    const command = at >= 0 ? argv[at] : undefined
    const did = command
      ? `Did you mean \`piksel ${[command, options.id, ...argv.filter((_, i) => i !== at)].join(' ')}\`? `
      : ''
    return fail(
      json,
      `${options.id} is not a piksel command: the command comes first, its flags after it.`,
      `${did}Run \`piksel help\` for the list.`,
      this,
    )
  }
  const suggestion = suggestCommand(options.id, candidates)
  const typed = spaced(options.id)
  // From the help class (src/help.ts): `piksel help stauts`, `piksel stauts --help`.
  const helping = argv.includes('--help') || argv.includes('-h')
  const interactive = canPrompt({
    noInput: argv.includes('--no-input') || json,
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
    const {confirm} = await import('@inquirer/prompts')
    const yes = await confirm(
      {message: `${typed} is not a piksel command. Did you mean ${meant}?`, default: true},
      {output: process.stderr},
    ).catch(() => false)
    // A topic is answered with its help (its commands), as `piksel <topic>` is.
    if (yes && (suggestion.kind === 'topic' || helping)) return config.runCommand('help', suggestion.id.split(':'))
    if (yes) return config.runCommand(suggestion.id, [...suggestion.rest, ...argv])
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
