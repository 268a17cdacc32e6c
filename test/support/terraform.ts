/**
 * Terraform fixture roots (only the built-in terraform_data resource and a local
 * backend: no provider downloads), copied to a temporary directory per test.
 */
import {cpSync, existsSync, mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {ROOT} from './cli.ts'

export const FIXTURES = join(ROOT, 'test', 'fixtures', 'terraform')

/** A fresh copy of test/fixtures/terraform/<name> at <tmp>/<as>; returns the copy's parent and root. */
export function copyFixture(name: string, as = name, parent = mkdtempSync(join(tmpdir(), 'piksel-tf-'))): string {
  const dir = join(parent, as)
  cpSync(join(FIXTURES, name), dir, {recursive: true})
  return dir
}

/** The resource addresses in a local state file. */
export function stateAddresses(dir: string): string[] {
  const file = join(dir, 'terraform.tfstate')
  if (!existsSync(file)) return []
  const state = JSON.parse(readFileSync(file, 'utf8')) as {
    resources?: Array<{type: string; name: string; instances: Array<{index_key?: number}>}>
  }
  return (state.resources ?? []).flatMap((r) =>
    r.instances.map((i) => `${r.type}.${r.name}${i.index_key === undefined ? '' : `[${i.index_key}]`}`),
  )
}

/** The values of a terraform_data resource's input in a local state file. */
export function stateInput(dir: string, name: string): unknown {
  const state = JSON.parse(readFileSync(join(dir, 'terraform.tfstate'), 'utf8')) as {
    resources?: Array<{name: string; instances: Array<{attributes: {input?: {value?: unknown}}}>}>
  }
  return state.resources?.find((r) => r.name === name)?.instances[0]?.attributes.input?.value
}

export function lockFile(dir: string): string {
  return join(dir, '.terraform.tfstate.lock.info')
}
