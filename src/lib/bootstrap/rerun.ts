/**
 * The commands piksel tells people to run next ("Next:" lines, resume hints):
 * built by one pure function that repeats the flags the run needed, so a line
 * works when it is pasted. Pure, tested table-driven.
 */

/** Flag name (without `--`) to its value as the user typed it; `true` for a boolean flag given. */
export type CarriedFlags = Readonly<Record<string, string | true>>

/** The flags that choose what `piksel bootstrap` acts on, in the order they are repeated. */
export const BOOTSTRAP_TARGET_FLAGS = [
  'config',
  'profile',
  'region',
  'infra-dir',
  'kubeconfig',
  'gitops-owner',
  'gitops-repository',
  'gitops-branch',
  'gitops-path',
  'timeout',
] as const

/** A resume hint also stays a dry run when the run was one: pasting it never applies. */
export const RESUME_FLAGS = [...BOOTSTRAP_TARGET_FLAGS, 'dry-run'] as const

/** A dry run's "to apply what was planned" line also repeats the flags that shaped the plan. */
export const APPLY_PLANNED_FLAGS = [...BOOTSTRAP_TARGET_FLAGS, 'force-flux', 'allow-destroy', 'request-quotas'] as const

/** The run's boolean mode flags, as carried flags (only those given). Pure. */
export function modeFlags(modes: {
  dryRun?: boolean
  forceFlux?: boolean
  allowDestroy?: boolean
  requestQuotas?: boolean
}): Record<string, true> {
  const out: Record<string, true> = {}
  if (modes.dryRun) out['dry-run'] = true
  if (modes.forceFlux) out['force-flux'] = true
  if (modes.allowDestroy) out['allow-destroy'] = true
  if (modes.requestQuotas) out['request-quotas'] = true
  return out
}

/** What `piksel init` repeats in its "Next:" line for bootstrap (bootstrap has no --gitops-dir). */
export const INIT_TO_BOOTSTRAP_FLAGS = ['config', 'infra-dir'] as const

/** What a `piksel status` line repeats. */
export const STATUS_FLAGS = ['config', 'kubeconfig'] as const

/** What kubectl and flux lines repeat (they take --kubeconfig too). */
export const KUBE_FLAGS = ['kubeconfig'] as const

/** What `piksel doctor` lines repeat. */
export const DOCTOR_FLAGS = ['config', 'profile', 'region', 'kubeconfig'] as const

/** What `piksel secret ...` and `piksel quota gpu` lines repeat (they talk to AWS only). */
export const AWS_FLAGS = ['config', 'profile', 'region'] as const

/** What a `piksel init` line from bootstrap repeats (it writes the roots under --infra-dir). */
export const INIT_FLAGS = ['config', 'infra-dir'] as const

/** A word as a POSIX shell reads it back: unchanged when safe, else single-quoted. */
export function shellWord(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./~-]+$/.test(word) && !word.startsWith('~')) return word
  return `'${word.replaceAll("'", `'\\''`)}'`
}

/**
 * The one builder: `words` (the command and its own arguments), then each of
 * `accepted` that `flags` holds, as `--name value`. Flags the target command
 * does not take are left out, so the line never fails on an unknown flag.
 */
export function commandLine(
  words: readonly string[],
  flags: CarriedFlags = {},
  accepted: readonly string[] = BOOTSTRAP_TARGET_FLAGS,
): string {
  const parts = [...words]
  for (const name of accepted) {
    const value = flags[name]
    if (value === true) parts.push(`--${name}`)
    else if (value !== undefined) parts.push(`--${name}`, value)
  }
  return parts.map(shellWord).join(' ')
}

/** One token of oclif's parse output (`raw`): only what was typed on the command line, never an env default. */
export interface RawToken {
  type: string
  flag?: string
  input: string
}

/** The string flags among `names` that were given on the command line (the last one wins). */
export function carriedFlags(raw: readonly RawToken[], names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const token of raw) {
    if (token.type === 'flag' && token.flag !== undefined && names.includes(token.flag)) out[token.flag] = token.input
  }
  return out
}

/** Whether a flag was typed on the command line (not taken from an environment variable or a default). */
export function givenOnCommandLine(raw: readonly RawToken[], name: string): boolean {
  return raw.some((token) => token.type === 'flag' && token.flag === name)
}

/** `piksel <words> -e <env>` with the run's flags that command takes, for hints that name it. */
export function pikselLine(
  options: {env: {name: string}; rerunFlags?: CarriedFlags},
  words: string[],
  accepted: readonly string[],
): string {
  return commandLine(['piksel', ...words, '-e', options.env.name], options.rerunFlags, accepted)
}
