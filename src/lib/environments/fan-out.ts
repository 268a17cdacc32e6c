/**
 * `--all-envs`: one command over every environment of the config (issue 15 §3).
 * The pure parts, tested table-driven: who may fan out (usage rules), the exit
 * code of the whole run, the JSON envelope and the table with an ENV column. The
 * base command runs the environments (`forEachEnvironment`); commands only collect
 * one environment's result and say how it renders.
 */
import type {AwsSession} from '../aws/session.ts'
import {type ExitCodeValue, UsageError} from '../errors.ts'

/** One environment's failure, as the base command's `catch` would print it for a single-environment run. */
export interface EnvironmentError {
  code: string
  message: string
  hint: string | null
}

/**
 * What one environment gave: its result, or the error that stopped it (with the exit
 * code a single-environment run would have ended with; not part of the JSON).
 */
export type EnvironmentRow<R> =
  {env: string; result: R} | {env: string; error: EnvironmentError; exitCode: ExitCodeValue}

/** `--json` under `--all-envs`: one entry per environment, in the config's order. */
export interface EnvironmentsDocument<R> {
  environments: Array<{env: string; result: R} | {env: string; error: EnvironmentError}>
}

export function isErrorRow<R>(row: EnvironmentRow<R>): row is Extract<EnvironmentRow<R>, {error: unknown}> {
  return 'error' in row
}

/** Flags that pick one target, which `--all-envs` replaces (each environment brings its own). */
export interface TypedTargetFlags {
  /** Flag names typed on the command line (not those filled from PIKSEL_ENV or AWS_PROFILE). */
  typed: ReadonlySet<string>
  /** A command's own flags that name one environment's target too (status's `--context`). */
  alsoExclusive?: readonly string[]
}

/**
 * The usage rule of `--all-envs` on the command line (exit 2 before anything runs):
 * `-e`, `--profile`, `--region` (and a command's own one-target flags, e.g. `--context`)
 * typed with it are `CONFLICTING_FLAGS`: each environment uses its own profile, region and
 * context. `PIKSEL_ENV`, `defaultEnv` and `AWS_PROFILE` from the shell are not typed: they
 * are ignored, as `--all-envs` on the command line is the more explicit choice.
 */
export function assertAllEnvsFlags(flags: TypedTargetFlags): void {
  const conflicting = ['env', 'profile', 'region', ...(flags.alsoExclusive ?? [])].filter((f) => flags.typed.has(f))
  if (conflicting.length === 0) return
  const named = conflicting.map((f) => (f === 'env' ? '-e/--env' : `--${f}`)).join(', ')
  throw new UsageError(`--all-envs cannot be combined with ${named}: each environment uses its own.`, {
    code: 'CONFLICTING_FLAGS',
    hint: `Drop ${named}, or drop --all-envs to work on one environment. Each environment's profile, region and cluster come from the config (environments.<env>).`,
  })
}

/**
 * The environments `--all-envs` runs over, in the config's order (exit 2 otherwise):
 * - no config file: `ALL_ENVS_NO_CONFIG` (the built-in defaults name environments the
 *   team may not have; "every environment" means the ones a config file declares; a file
 *   without an `environments:` key declares the built-in dev, staging, production);
 * - a config that declares none (`environments: {}`): `NO_ENVIRONMENTS`.
 */
export function allEnvironmentNames(settings: {file?: string; environments: Record<string, unknown>}): string[] {
  if (settings.file === undefined) {
    throw new UsageError('--all-envs needs a config file: it runs over the environments the config declares.', {
      code: 'ALL_ENVS_NO_CONFIG',
      hint: 'Run `piksel init -e <env>` to write piksel.config.yaml, or point --config / PIKSEL_CONFIG at one.',
    })
  }
  const names = Object.keys(settings.environments)
  if (names.length === 0) {
    throw new UsageError(`${settings.file} declares no environments, so --all-envs has nothing to run over.`, {
      code: 'NO_ENVIRONMENTS',
      hint: `Add environments under environments: in ${settings.file} (or remove the empty key for dev, staging, production).`,
    })
  }
  return names
}

/**
 * Pure: the shell variables that `--all-envs` ignores, and what it says about them (once per
 * run, not once per environment). Returns the variables the environments' sessions are
 * resolved from, without them:
 * - `AWS_PROFILE`: it would send every environment to one account; each uses its own profile;
 * - `AWS_REGION`, `AWS_DEFAULT_REGION`: each environment has its own region (as with `-e`,
 *   a shell region never moves it). Said when one disagrees with some environment's region,
 *   and without `-e`'s advice to pass `--region`, which `--all-envs` refuses.
 * Credentials in the environment (`AWS_ACCESS_KEY_ID`, web identity) stay: they apply to all.
 */
export function withoutShellTarget(
  vars: NodeJS.ProcessEnv,
  environments: ReadonlyArray<{name: string; region: string}>,
): {vars: NodeJS.ProcessEnv; warnings: string[]} {
  const rest = {...vars}
  const warnings: string[] = []
  if (rest.AWS_PROFILE !== undefined) {
    warnings.push(
      `AWS_PROFILE=${rest.AWS_PROFILE} in the shell is ignored under --all-envs: each environment uses its own profile.`,
    )
  }
  delete rest.AWS_PROFILE
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION'] as const) {
    const value = rest[name]
    delete rest[name]
    if (!value) continue
    const other = environments.filter((e) => e.region !== value)
    if (other.length === 0) continue
    const regions = other.map((e) => `${e.name} ${e.region}`).join(', ')
    warnings.push(
      `${name}=${value} in the shell is ignored under --all-envs: each environment uses its own region (${regions}).`,
    )
  }
  return {vars: rest, warnings}
}

/**
 * Pure: the exit code of an `--all-envs` run, from each environment's own (its result's
 * verdict, or its error's exit code). The worst wins, in this order:
 *
 *   1  some environment could not be run (any error: AWS, Kubernetes, credentials, and also
 *      a per-environment usage error such as ACCOUNT_MISMATCH, 2 when run alone);
 *   3  every environment ran, and some check found a problem;
 *   0  every environment ran and is fine.
 *
 * Why 1 beats 3: an answer with a hole in it (an environment not checked) is worse than a
 * complete answer that found a problem; exit 3 would claim every environment was checked.
 * Why a per-environment 2 becomes 1: exit 2 stays what DESIGN.md §2 says it is, the
 * invocation's own bad usage, detected before anything ran (the `--all-envs` usage rules
 * above); one environment's wrong account is not the command line's fault, and the other
 * environments did run. An error that is itself a finding (exit 3, e.g. UNHEALTHY after
 * `--wait`) counts as 3. An interruption never reaches here (the base command exits 130).
 */
export function allEnvironmentsExitCode(codes: readonly number[]): 0 | 1 | 3 {
  if (codes.some((code) => code !== 0 && code !== 3)) return 1
  return codes.includes(3) ? 3 : 0
}

/** Pure: each row's exit code: an error's own, a result's by the command's verdict. */
export function rowExitCodes<R>(rows: readonly EnvironmentRow<R>[], verdict: (result: R) => number): number[] {
  return rows.map((row) => (isErrorRow(row) ? row.exitCode : verdict(row.result)))
}

/** Pure: the `--json` document of an `--all-envs` run (the exit codes stay out of it). */
export function environmentsDocument<R>(rows: readonly EnvironmentRow<R>[]): EnvironmentsDocument<R> {
  return {
    environments: rows.map((row) =>
      isErrorRow(row) ? {env: row.env, error: row.error} : {env: row.env, result: row.result},
    ),
  }
}

/** What `(all)` rows are: checks made once for every environment (doctor's tools). Not a valid environment name. */
export const ALL_ENVIRONMENTS = '(all)'

/**
 * Pure: one table for every environment: `ENV` first, then the command's own columns.
 * `rowsOf` gives an environment's rows (without ENV); a failed environment gets one row,
 * `error` in the first column and `CODE: message` (its first line) in the last, so the
 * table says exactly what a single-environment run would print. `shared` rows (made once
 * for all environments) come first, under ENV `(all)`.
 */
export function environmentsTable<R>(
  headers: readonly string[],
  rows: readonly EnvironmentRow<R>[],
  rowsOf: (result: R) => string[][],
  shared: readonly string[][] = [],
): {headers: string[]; rows: string[][]} {
  const width = headers.length
  const errorCells = (error: EnvironmentError): string[] => {
    const text = `${error.code}: ${error.message.split('\n')[0] ?? ''}`
    if (width === 1) return [text]
    return ['error', ...Array.from({length: width - 2}, () => ''), text]
  }
  return {
    headers: ['ENV', ...headers],
    rows: [
      ...shared.map((cells) => [ALL_ENVIRONMENTS, ...cells]),
      ...rows.flatMap((row) =>
        isErrorRow(row)
          ? [[row.env, ...errorCells(row.error)]]
          : rowsOf(row.result).map((cells) => [row.env, ...cells]),
      ),
    ],
  }
}

/**
 * Pure: the verdict lines under the table, one per environment: `<env>: <the command's
 * verdict>`, or for a failed one `<env>: error CODE: message` and its hint.
 */
export function verdictLines<R>(rows: readonly EnvironmentRow<R>[], verdict: (result: R) => string): string[] {
  return rows.flatMap((row) => {
    const indent = ' '.repeat(row.env.length + 2)
    if (!isErrorRow(row)) {
      // A verdict of several lines (a result's hints): the others under the first.
      const [first, ...more] = verdict(row.result).split('\n')
      return [`${row.env}: ${first}`, ...more.map((line) => `${indent}${line}`)]
    }
    const lines = [`${row.env}: error ${row.error.code}: ${row.error.message}`]
    if (row.error.hint) lines.push(`${indent}Hint: ${row.error.hint}`)
    return lines
  })
}

/**
 * Pure: what tells two sessions' callers apart (the memo of `sts:GetCallerIdentity`): the
 * same profile (or the environment's credentials) in the same region is the same caller.
 */
export function sessionKey(session: Pick<AwsSession, 'profile' | 'profileSource' | 'region'>): string {
  // Without a profile, where the credentials come from (the environment's, or the default chain).
  return JSON.stringify([session.profile ?? null, session.profile ? null : session.profileSource, session.region])
}
