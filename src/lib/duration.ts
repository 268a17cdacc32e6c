/**
 * Durations, as people type and read them: the one parser behind every duration
 * flag (`status --timeout`, `bootstrap --timeout`, `--request-timeout`) and the one
 * formatter for every duration piksel prints. Pure: no I/O.
 *
 * The form is Go's `time.Duration` (what `flux --timeout` and `kubectl --timeout`
 * take): hours, minutes, seconds and milliseconds, largest first, each at most
 * once, with an optional fraction (`1h30m`, `2m5s`, `1.5s`, `1500ms`); a bare
 * number is seconds (`90`). The formatter writes the same form back, so what it
 * prints can be pasted into a flag.
 */
import {UsageError} from './errors.ts'

const UNIT_MS = {h: 3_600_000, m: 60_000, s: 1000, ms: 1} as const
/** h, then m (not the m of ms), then s, then ms; at least one of them. */
const FORM = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$/

/** `5m`, `90s`, `1h30m`, `1500ms`, `2.5s`, or a bare number of seconds -> milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const value = text.trim()
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000)
  const match = FORM.exec(value)
  if (!match || value === '') return undefined
  const [, h, m, s, ms] = match
  return Math.round(
    Number(h ?? 0) * UNIT_MS.h + Number(m ?? 0) * UNIT_MS.m + Number(s ?? 0) * UNIT_MS.s + Number(ms ?? 0),
  )
}

/**
 * Milliseconds for people, in the form the parser reads: `12ms`, `1.5s`, `20s`,
 * `1m5s`, `5m`, `1h30m`. Under a minute, seconds keep one decimal (dropped when
 * zero); from a minute on, whole seconds.
 */
export function formatDuration(ms: number): string {
  const rounded = Math.round(ms)
  if (rounded < 1000) return `${Math.max(0, rounded)}ms`
  const tenths = Math.round(rounded / 100)
  if (tenths < 600) return `${tenths % 10 === 0 ? tenths / 10 : (tenths / 10).toFixed(1)}s`
  const total = Math.round(rounded / 1000)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`
}

/** The longest a Node timer waits (2^31-1 ms, about 596h31m): a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647

export interface DurationBounds {
  /** Shortest accepted (ms); default 1: more than zero. */
  minMs?: number
  /** Longest accepted (ms); none by default. */
  maxMs?: number
  /** The hint of the error (default: examples of the form). */
  hint?: string
}

const DURATION_HINT = 'Use a duration such as 90s, 15m or 1h30m (h, m, s, ms; a bare number is seconds).'

/**
 * A duration flag's value in milliseconds, or BAD_DURATION (exit 2) naming the flag
 * and what was typed: malformed (`--timeout "soon" is not a duration.`), zero, or
 * outside the bounds (`--request-timeout "2h" is not a duration between 100ms and 1h.`).
 */
export function durationValue(text: string, flag: string, bounds: DurationBounds = {}): number {
  const ms = parseDuration(text)
  const min = bounds.minMs ?? 1
  const fail = (why = '') =>
    new UsageError(`${flag} "${text}" is not a duration${why}.`, {
      code: 'BAD_DURATION',
      hint: bounds.hint ?? DURATION_HINT,
    })
  if (bounds.maxMs !== undefined && (ms === undefined || ms < min || ms > bounds.maxMs)) {
    throw fail(` between ${formatDuration(min)} and ${formatDuration(bounds.maxMs)}`)
  }
  if (ms === undefined) throw fail()
  if (ms > MAX_TIMER_MS) {
    // A longer wait would end at once ("Timed out after 60000m"): Node fires such a timer immediately.
    throw new UsageError(`${flag} "${text}" is longer than 596h (the longest a timer can wait).`, {
      code: 'BAD_DURATION',
      hint: 'Use at most 596h; for a view without end, use --watch.',
    })
  }
  if (ms < min) throw fail(min <= 1 ? ': it must be more than zero' : `: it must be at least ${formatDuration(min)}`)
  return ms
}
