/**
 * What the account steps (steps.ts) take from a bootstrap run, and the adapter from the
 * runner's step context. No I/O and no SDK: the runner imports it statically.
 */
import type {CallerLookup} from '../aws/identity.ts'
import type {AwsSession} from '../aws/session.ts'
import type {Environment} from '../config/environment.ts'

export interface AccountContext {
  env: Environment
  session: AwsSession
  /** A session for another profile (dns.parentProfile): same region and timeouts. */
  sessionFor: (profile: string) => AwsSession
  caller: CallerLookup
  dryRun: boolean
  /** The confirmation before a write (`--yes` answers it; without a terminal it throws INPUT_REQUIRED). */
  confirm: (message: string) => Promise<boolean>
  /** A progress line (shown with a `piksel:` prefix). */
  line: (text: string) => void
  /** A warning: shown, and kept for the JSON document's warnings. */
  warn: (message: string) => void
  /** The run's interruption (Ctrl-C, SIGTERM): aborts the AWS call in flight at once. */
  signal?: AbortSignal
}

export interface AccountOutcome {
  status: 'done' | 'already-done' | 'planned' | 'skipped'
  detail: string
  changed?: boolean
  /** For the JSON step report: ARNs, the zone id, the delegation found. */
  details?: Record<string, unknown>
}

/**
 * Structural view of the runner's StepContext: what the account steps take from it. The
 * confirmation is the context's own `confirm` (the listr2 runner) or its io's (the sequencer
 * with one file per step).
 */
export interface RunnerContextLike {
  options: {env: Environment; session: AwsSession; dryRun: boolean; caller: CallerLookup; signal?: AbortSignal}
  line: (text: string) => void
  warn: (message: string) => void
  confirm?: (message: string) => Promise<boolean>
  io?: {confirm: (message: string) => Promise<boolean>}
}

/** The account steps' context from the bootstrap runner's (profile sessions share region and source). */
export function accountContext(ctx: RunnerContextLike): AccountContext {
  const {env, session, dryRun, caller, signal} = ctx.options
  return {
    env,
    session,
    sessionFor: (profile) => profileSession(session, profile),
    caller,
    dryRun,
    confirm: (message) => {
      const confirm = ctx.confirm ?? ctx.io?.confirm.bind(ctx.io)
      if (!confirm) throw new Error('the bootstrap step context has no confirmation')
      return confirm(message)
    },
    line: ctx.line,
    warn: ctx.warn,
    ...(signal ? {signal} : {}),
  }
}

/**
 * The session for another account's profile (dns.parentProfile): same region and timeouts. With
 * a profile set the SDK's default chain reads that profile and skips credentials in the environment.
 */
export function profileSession(session: AwsSession, profile: string): AwsSession {
  return {region: session.region, profile, profileSource: 'config'}
}
