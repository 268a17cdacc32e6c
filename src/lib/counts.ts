/**
 * Counts typed on the command line (`--min 8`): the rule the count flag (flags.ts)
 * and the quota rules share. Pure: no I/O.
 */
import {UsageError} from './errors.ts'

export interface CountOptions {
  /** What is counted, for the message: `vCPUs`. */
  unit: string
  /** The hint of the error. */
  hint: string
  /** Smallest accepted; default 1. */
  min?: number
}

/**
 * A whole number of something, at least `min` (`+8` and ` 8 ` are 8), or INVALID_FLAG
 * (exit 2): `--min: "0" is not a positive whole number of vCPUs.`
 */
export function countValue(text: string, flag: string, options: CountOptions): number {
  const trimmed = text.trim()
  const value = /^\+?\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN
  const min = options.min ?? 1
  if (!Number.isSafeInteger(value) || value < min) {
    const what = min === 1 ? 'a positive whole number' : `a whole number of at least ${min}`
    throw new UsageError(`${flag}: "${text}" is not ${what} of ${options.unit}.`, {
      code: 'INVALID_FLAG',
      hint: options.hint,
    })
  }
  return value
}
