/**
 * A Terraform root must hold Terraform files before bootstrap runs
 * `terraform init` in it: otherwise init writes `.terraform/` into a directory
 * that was never a root (a wrong --infra-dir) and fails only afterwards.
 */
import {readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {UsageError} from '../errors.ts'

/** Pure: the names Terraform loads as configuration (`*.tf`, `*.tf.json`; not hidden, editor or backup files). */
export function terraformFiles(names: readonly string[]): string[] {
  return names.filter(
    (name) => /\.tf(\.json)?$/.test(name) && !name.startsWith('.') && !name.startsWith('#') && !name.endsWith('~'),
  )
}

/** Throws a usage error (exit 2) unless `dir` is a directory with Terraform files; reads only. */
export function assertTerraformRoot(dir: string, hint: string): void {
  let names: string[]
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory')
    names = readdirSync(dir)
  } catch {
    throw new UsageError(`Terraform root ${dir} does not exist (or is not a directory).`, {
      code: 'NO_TERRAFORM_ROOT',
      hint,
    })
  }
  // Terraform reads regular files (a link is followed): a directory named x.tf or a dangling link is none.
  const named = terraformFiles(names)
  const files = named.filter((name) => isFile(join(dir, name)))
  if (files.length === 0) {
    const unread = named.length > 0 ? ` (${named.join(', ')}: not a file Terraform can read)` : ''
    throw new UsageError(`${dir} has no Terraform files (*.tf, *.tf.json)${unread}: it is not a Terraform root.`, {
      code: 'NO_TERRAFORM_FILES',
      hint,
    })
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** The hint for a wrong environment root (or, with `bootstrap`, the state bucket's root). */
export function envRootHint(env: {name: string; terraform: {dir: string}}, bootstrap = false): string {
  if (bootstrap) {
    return (
      `--infra-dir is the piksel-infra checkout: the state bucket's root is <infra-dir>/bootstrap/${env.name} ` +
      `(\`piksel init -e ${env.name}\` writes it). Nothing was written.`
    )
  }
  return (
    `--infra-dir is the piksel-infra checkout: the ${env.name} root is <infra-dir>/${env.terraform.dir} ` +
    `(environments.${env.name}.terraform.dir in the config). Nothing was written.`
  )
}
