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
  const suggestion = suggestCommand(options.id, candidates)
  const sep = config.topicSeparator
  const spaced = (id: string) => id.replaceAll(':', sep)
  const typed = spaced(options.id)
  const argv = options.argv ?? []
  const json = argv.includes('--json')
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
  if (suggestion && meant && interactive) {
    const {confirm} = await import('@inquirer/prompts')
    const yes = await confirm(
      {message: `${typed} is not a piksel command. Did you mean ${meant}?`, default: true},
      {output: process.stderr},
    ).catch(() => false)
    // A topic is answered with its help (its commands), as `piksel <topic>` is.
    if (yes && suggestion.kind === 'topic') return config.runCommand('help', suggestion.id.split(':'))
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
  const message = `${typed} is not a piksel command.`
  const hint = `${did}Run \`piksel help\` for the list.`
  if (json) process.stdout.write(`${JSON.stringify({error: {code: 'UNKNOWN_COMMAND', message, hint}}, null, 2)}\n`)
  else process.stderr.write(`Error: ${message}\nHint: ${hint}\n`)
  process.exitCode = 2
  this.exit(2)
}

export default hook
