/**
 * The flag vocabulary every command shares, defined once with oclif's typed flags:
 * a duration (milliseconds, `--timeout 90s`, `--request-timeout 45s`). Each flag
 * checks its value while oclif parses, so a command receives typed values and a
 * bad one is exit 2 (a UsageError with a stable code) before anything runs.
 */
import {Flags, type Interfaces} from '@oclif/core'

import {type DurationBounds, durationValue} from './duration.ts'
import {PikselError} from './errors.ts'

/**
 * A duration flag: its value is milliseconds. Bounds (`minMs`, `maxMs`) and the
 * error's `hint` are options; `...durationDefault('5m')` gives it a default.
 */
export const durationFlag = Flags.custom<number, DurationBounds & Interfaces.CustomOptions>({
  helpValue: 'DURATION',
  parse: async (input, _context, options) => durationValue(input, `--${options.name}`, options),
})

/** A duration flag's default, shown in help as typed (`[default: 5m]`). */
export function durationDefault(text: string): {default: number; defaultHelp: () => Promise<string>} {
  const ms = durationValue(text, 'default')
  return {default: ms, defaultHelp: async () => text}
}

/**
 * oclif wraps an error thrown while a flag is parsed as "Parsing --flag \n\t<message>\nSee
 * more help with --help"; a PikselError is given its own message back (it names the
 * flag already, and its hint says what to do).
 */
export function unwrapFlagError(error: unknown): unknown {
  if (!(error instanceof Error)) return error
  const match = /^Parsing --[\w-]+ \n\t([\s\S]*)\nSee more help with --help$/.exec(error.message)
  if (match && error instanceof PikselError) error.message = match[1] ?? error.message
  return error
}
