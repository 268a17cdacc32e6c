/**
 * How long piksel waits on the network: one setting for every AWS SDK client and
 * every Kubernetes API request and watch, raised (or lowered) with the global
 * `--request-timeout` flag or PIKSEL_REQUEST_TIMEOUT. The base command sets it
 * once per run; the AWS client factory and the Kubernetes client read it.
 *
 * Why these defaults: an AWS API call answers in well under a second (the
 * slowest piksel makes, RequestServiceQuotaIncrease, in a few), and a
 * Kubernetes list streams its first bytes at once; 20 s is ten times that and
 * still reports a dead endpoint well inside half a minute. A TCP connect to a
 * regional endpoint takes milliseconds; 5 s (a quarter of the request timeout)
 * allows two lost SYNs (Linux retransmits after 1 s and 3 s) and a slow VPN.
 */
import {UsageError} from './errors.ts'

export interface Timeouts {
  /** TCP connect, per attempt (ms). */
  connectMs: number
  /**
   * One call, the SDK's retries included: no answer, or no byte of it, for this
   * long and the call fails with TIMEOUT (ms). Also the idle limit of a watch.
   */
  requestMs: number
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000

/** Pure: the connect timeout that goes with a request timeout (a quarter of it: 5 s by default). */
export function timeoutsFor(requestMs: number): Timeouts {
  return {requestMs, connectMs: Math.max(1, Math.ceil(requestMs / 4))}
}

export const DEFAULT_TIMEOUTS: Timeouts = Object.freeze(timeoutsFor(DEFAULT_REQUEST_TIMEOUT_MS))

let current: Timeouts = DEFAULT_TIMEOUTS

/** The timeouts of this run (the defaults unless the base command set others). */
export function requestTimeouts(): Timeouts {
  return current
}

/** Set by the base command from --request-timeout; tests call it directly. */
export function setRequestTimeouts(timeouts: Timeouts): void {
  current = timeouts
}

/** `500ms`, `20s`, `2m`, `1m30s`, or a bare number of seconds -> milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const value = text.trim()
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000)
  const unit: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000}
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy
  let total = 0
  let matched = 0
  let match: RegExpExecArray | null
  while ((match = re.exec(value))) {
    total += Number(match[1]) * (unit[match[2] ?? 's'] ?? 0)
    matched += match[0].length
  }
  if (matched !== value.length || matched === 0) return undefined
  return Math.round(total)
}

/** Longest accepted: an hour is already far past any AWS or Kubernetes call. */
export const MAX_REQUEST_TIMEOUT_MS = 3_600_000

/**
 * `--request-timeout` / PIKSEL_REQUEST_TIMEOUT: a duration from 100 ms to 1 h (exit 2 otherwise).
 * `source` names where the value came from in the message (the flag, or the variable).
 */
export function parseRequestTimeout(text: string, source = '--request-timeout'): Timeouts {
  const ms = parseDuration(text)
  if (ms === undefined || ms < 100 || ms > MAX_REQUEST_TIMEOUT_MS) {
    throw new UsageError(`${source} "${text}" is not a duration between 100ms and 1h.`, {
      code: 'BAD_DURATION',
      hint: 'Use e.g. 20s (the default), 45s or 2m; PIKSEL_REQUEST_TIMEOUT takes the same values.',
    })
  }
  return timeoutsFor(ms)
}

/** "20 s", "1.5 s", "500 ms", "2 min": for messages. */
export function formatTimeout(ms: number): string {
  if (ms < 1000) return `${ms} ms`
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`
  return `${Number((ms / 1000).toFixed(1))} s`
}
