/**
 * The flag vocabulary every command shares, defined once with oclif's typed flags:
 * a duration (milliseconds, `--timeout 90s`, `--request-timeout 45s`), a list
 * (`--family g,p --family inf`) and a count (`--min 8`). Each flag checks its value
 * while oclif parses, so a command receives typed values and a bad one is exit 2
 * (a UsageError with a stable code and today's message) before anything runs.
 */
import * as Flags from '@oclif/core/flags'
import type * as Interfaces from '@oclif/core/interfaces'

import {type DurationBounds, durationValue} from './duration.ts'
import {type CountOptions, countValue} from './counts.ts'
import {PikselError} from './errors.ts'

/**
 * A duration flag: its value is milliseconds. Bounds (`minMs`, `maxMs`) and the
 * error's `hint` are options; `...durationDefault('5m')` gives it a default.
 */
export const durationFlag = Flags.custom<number, DurationBounds & Interfaces.CustomOptions>({
  helpValue: 'DURATION',
  parse: async (input, context, options) => {
    // oclif fills the flag from its env variable when it is not on the command line: name the source.
    const flag = `--${options.name}`
    const typed = (context?.argv ?? []).some((arg) => arg === flag || arg.startsWith(`${flag}=`))
    return durationValue(input, typed || !options.env ? flag : options.env, options)
  },
})

/**
 * oclif has no flag whose value may be left out (`--from-gitops [DIR]`): before
 * parsing, a bare `--flag` that is last or followed by another flag becomes
 * `--flag=` (an empty value, which the command reads as "the default").
 * Nothing after `--` is touched.
 */
export function withOptionalValue(argv: readonly string[], flag: string): string[] {
  const out: string[] = []
  for (const [i, arg] of argv.entries()) {
    if (arg === '--') return [...out, ...argv.slice(i)]
    const next = argv[i + 1]
    out.push(arg === flag && (next === undefined || (next.startsWith('-') && next !== '-')) ? `${flag}=` : arg)
  }
  return out
}

/** A duration flag's default, shown in help as typed (`[default: 5m]`). */
export function durationDefault(text: string): {default: number; defaultHelp: () => Promise<string>} {
  const ms = durationValue(text, 'default')
  return {default: ms, defaultHelp: async () => text}
}

export interface ListFlagOptions<T> {
  summary: string
  helpValue?: string
  /**
   * Checks one occurrence as typed (`"g,p"`) and returns its items: the owner's
   * vocabulary and messages (a UsageError, exit 2). `flag` is `--<name>`.
   */
  check: (given: string, flag: string) => T[]
}

/**
 * A repeatable, comma-separated list flag (`--family g,p --family inf`). Each
 * occurrence is checked whole while oclif parses, so an error can quote what was
 * typed (`--only ",": an empty step name`); oclif's own `delimiter` would split it
 * first and lose that. The value is one checked list per occurrence (`.flat()`
 * joins them), undefined when the flag is absent.
 */
export function listFlag<T>(options: ListFlagOptions<T>) {
  return Flags.custom<T[]>({
    summary: options.summary,
    helpValue: options.helpValue,
    multiple: true,
    parse: async (input, _context, flag) => options.check(input, `--${flag.name}`),
  })()
}

/** A count flag (`--min 8`): a whole number, at least `min` (default 1); see countValue. */
export const countFlag = Flags.custom<number, CountOptions & Interfaces.CustomOptions>({
  parse: async (input, _context, options) => countValue(input, `--${options.name}`, options),
})

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
