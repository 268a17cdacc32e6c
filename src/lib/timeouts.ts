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
import {type DurationBounds, durationValue} from './duration.ts'

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

/** Longest accepted: an hour is already far past any AWS or Kubernetes call. */
export const MAX_REQUEST_TIMEOUT_MS = 3_600_000

/** `--request-timeout` / PIKSEL_REQUEST_TIMEOUT: a duration from 100 ms to 1 h (the flag's bounds). */
export const REQUEST_TIMEOUT_BOUNDS: DurationBounds = {
  minMs: 100,
  maxMs: MAX_REQUEST_TIMEOUT_MS,
  hint: 'Use e.g. 20s (the default), 45s or 2m; PIKSEL_REQUEST_TIMEOUT takes the same values.',
}

/** `--request-timeout` / PIKSEL_REQUEST_TIMEOUT: the timeouts for a duration within the bounds (exit 2 otherwise). */
export function parseRequestTimeout(text: string, source = '--request-timeout'): Timeouts {
  return timeoutsFor(durationValue(text, source, REQUEST_TIMEOUT_BOUNDS))
}
