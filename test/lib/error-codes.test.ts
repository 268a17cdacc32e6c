/**
 * The README lists every error code piksel prints (issue 12 §4), and no code
 * that piksel no longer prints: the codes are read from the sources, the table
 * from the README.
 */
import {expect} from 'chai'
import {readFileSync, readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {CODE_OF_KIND} from '../../src/lib/aws/errors.ts'
import {kubeCodeOf} from '../../src/lib/kube/client.ts'
import {ROOT} from '../support/cli.ts'

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : /\.(ts|js)$/.test(name) ? [path] : []
  })
}

function codesInSources(): Set<string> {
  const codes = new Set<string>()
  for (const file of [...files(join(ROOT, 'src')), join(ROOT, 'bin', 'run.js')]) {
    for (const match of readFileSync(file, 'utf8').matchAll(/code: '([A-Z][A-Z0-9_]+)'/g)) codes.add(match[1] as string)
  }
  for (const code of Object.values(CODE_OF_KIND)) codes.add(code)
  for (const status of [401, 403, 404, 429, 500]) codes.add(kubeCodeOf(status))
  return codes
}

function codesInReadme(): Map<string, string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const start = readme.indexOf('### Error codes')
  expect(start, 'README has an "### Error codes" section').to.be.above(0)
  const table =
    readme
      .slice(start)
      .split('\n\n')
      .find((block) => block.startsWith('| code')) ?? ''
  const rows = new Map<string, string>()
  for (const match of table.matchAll(/^\| `([A-Z][A-Z0-9_]+)` +\| ([^|]+?) +\|/gm))
    rows.set(match[1] as string, match[2] as string)
  return rows
}

describe('README: the error-code table', () => {
  const sources = codesInSources()
  const readme = codesInReadme()

  it('finds the codes (sanity: the extraction itself works)', () => {
    expect(sources.size).to.be.above(60)
    expect(readme.size).to.be.above(60)
    expect(sources).to.include('TIMEOUT').and.to.include('BUG').and.to.include('SECRET_IS_REPLICA')
  })

  it('lists every code piksel prints, with its exit code', () => {
    const missing = [...sources].filter((code) => !readme.has(code))
    expect(missing, 'codes missing from the README table').to.deep.equal([])
    for (const [code, exit] of readme) expect(exit, code).to.match(/^(\d+(, \d+)?|any)$/)
  })

  it('lists no code piksel no longer prints', () => {
    const stale = [...readme.keys()].filter((code) => !sources.has(code))
    expect(stale, 'README rows for codes not in the sources').to.deep.equal([])
  })
})
