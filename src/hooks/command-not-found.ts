/**
 * "Did you mean …?" for a mistyped command. Unlike @oclif/plugin-not-found, it
 * respects the prompt gate (no question under CI or without a TTY), always names
 * the closest command, and exits 2 (bad usage) as the contract says.
 */
import type {Hook} from '@oclif/core/hooks'

import {canPrompt} from '../lib/prompt.ts'

const hook: Hook.CommandNotFound = async function (options) {
  const {closest} = await import('fastest-levenshtein')
  const visible = options.config.commands.filter((c) => !c.hidden)
  const ids = [...visible.map((c) => c.id), ...visible.flatMap((c) => c.aliases)]
  const suggestion = ids.length > 0 ? closest(options.id, ids) : undefined
  const sep = options.config.topicSeparator
  const typed = options.id.replaceAll(':', sep)
  const readable = suggestion?.replaceAll(':', sep)
  const argv = options.argv ?? []
  const interactive = canPrompt({
    noInput: argv.includes('--no-input') || argv.includes('--json'),
    stdinIsTTY: process.stdin.isTTY,
    stdoutIsTTY: process.stdout.isTTY,
  })
  if (suggestion && interactive) {
    const {confirm} = await import('@inquirer/prompts')
    const yes = await confirm(
      {message: `${typed} is not a piksel command. Did you mean ${readable}?`, default: true},
      {output: process.stderr},
    ).catch(() => false)
    if (yes) return options.config.runCommand(suggestion, argv)
  }
  const hint = suggestion ? `Did you mean \`piksel ${readable}\`? ` : ''
  process.stderr.write(`Error: ${typed} is not a piksel command.\nHint: ${hint}Run \`piksel help\` for the list.\n`)
  process.exitCode = 2
  this.exit(2)
}

export default hook
