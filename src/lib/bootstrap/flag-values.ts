/**
 * A flag given with an empty value (`--infra-dir ""`, `--kubeconfig ""`) is a
 * usage error, never a silent fallback to the default (the current directory,
 * the default kubeconfig, a config file found elsewhere). Pure.
 */
import {UsageError} from '../errors.ts'

/** `values`: flag name (without --) to its parsed value; undefined means not given. */
export function assertNonEmptyFlags(values: Readonly<Record<string, string | undefined>>): void {
  const empty = Object.entries(values)
    .filter(([, value]) => value !== undefined && value.trim() === '')
    .map(([name]) => `--${name}`)
  if (empty.length === 0) return
  throw new UsageError(`${empty.join(', ')}: an empty value.`, {
    code: 'EMPTY_VALUE',
    hint: `Give ${empty.length > 1 ? 'each a value' : 'it a value'}, or leave ${empty.length > 1 ? 'them' : 'it'} out for the default.`,
  })
}
