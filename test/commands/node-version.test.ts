/**
 * Issue 12 §5: on a Node that package.json's `engines` excludes, piksel says
 * so in one line naming the supported versions (exit 1), instead of dying on
 * a SyntaxError before any message of its own. Run with the machine's own old
 * Node (Node 20 here and in CI), found on PATH outside node_modules.
 */
import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {delimiter, join} from 'node:path'

import {execa} from 'execa'

import {satisfies, unsupportedNode} from '../../bin/engines.js'
import {BIN, ROOT, isolatedEnv} from '../support/cli.ts'

const ENGINES = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {engines: {node: string}}).engines.node

describe('engines: which Node versions', () => {
  const range = '^22.22.2 || ^24.15.0 || >=26.0.0'
  const cases: Array<[string, boolean]> = [
    ['v20.20.2', false],
    ['v18.19.0', false],
    ['v22.22.1', false],
    ['v22.22.2', true],
    ['v22.30.0', true],
    ['v23.11.0', false],
    ['v24.14.9', false],
    ['v24.15.0', true],
    ['v25.9.0', false],
    ['v26.0.0', true],
    ['v26.10.0', true],
    ['v30.1.2', true],
    ['v26.0.0-nightly20260101', true],
  ]
  for (const [version, ok] of cases) {
    it(`${version} ${ok ? 'satisfies' : 'does not satisfy'} ${range}`, () => {
      expect(satisfies(version, range)).to.equal(ok)
    })
  }
  it('other comparators, and ranges it does not know (which never block)', () => {
    expect(satisfies('v22.5.0', '~22.5.0')).to.equal(true)
    expect(satisfies('v22.6.0', '~22.5.0')).to.equal(false)
    expect(satisfies('v20.0.0', '>=18 <21')).to.equal(true)
    expect(satisfies('v21.0.0', '>=18 <21')).to.equal(false)
    expect(satisfies('v20.0.0', '20.x')).to.equal(undefined)
    expect(unsupportedNode('v20.0.0', '20.x')).to.equal(null)
    expect(unsupportedNode('v20.0.0', '')).to.equal(null)
  })
  it('the message names the range and the running version, in one line', () => {
    const line = unsupportedNode('v20.20.2', range) ?? ''
    expect(line).to.include(range).and.to.include('v20.20.2')
    expect(line.split('\n')).to.have.length(1)
  })
})

/** `node` executables on PATH outside node_modules whose version `engines` excludes. */
function oldNodes(): Array<{path: string; version: string}> {
  const found: Array<{path: string; version: string}> = []
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((d) => d && !d.includes('node_modules'))
  for (const dir of [...dirs, '/usr/bin', '/usr/local/bin']) {
    const path = join(dir, 'node')
    if (!existsSync(path) || found.some((f) => f.path === path)) continue
    try {
      const version = execFileSync(path, ['--version'], {encoding: 'utf8'}).trim()
      if (satisfies(version, ENGINES) === false) found.push({path, version})
    } catch {
      // not runnable
    }
  }
  return found
}

describe('bin/run.js on an unsupported Node (the machine’s own)', function () {
  this.timeout(30_000)
  let old: {path: string; version: string} | undefined

  before(function () {
    old = oldNodes()[0]
    if (!old) {
      if (process.env.CI)
        throw new Error(`an old Node (outside ${ENGINES}) is required on PATH for this test (CI=true)`)
      console.warn(`      skipped: no Node outside ${ENGINES} on PATH`)
      this.skip()
    }
  })

  const run = (args: string[]) =>
    execa(old?.path ?? 'node', [BIN, ...args], {env: isolatedEnv(), extendEnv: false, reject: false, stdin: 'ignore'})

  for (const args of [
    ['--version'],
    ['whoami'],
    ['secret', 'create', 'slack', '-e', 'staging'],
    ['status', '--watch'],
  ]) {
    it(`piksel ${args.join(' ')}: one line naming ${ENGINES}, exit 1, no SyntaxError`, async () => {
      const r = await run(args)
      expect(r.exitCode).to.equal(1)
      expect(String(r.stdout)).to.equal('')
      const stderr = String(r.stderr)
      expect(stderr.trimEnd().split('\n'), stderr).to.have.length(1)
      expect(stderr)
        .to.include(`piksel needs Node.js ${ENGINES}`)
        .and.to.include(old?.version ?? '?')
      expect(stderr).not.to.match(/SyntaxError|enableCompileCache|at file:/)
    })
  }

  it('--json: the error envelope on stdout, code UNSUPPORTED_NODE', async () => {
    const r = await run(['whoami', '--json'])
    expect(r.exitCode).to.equal(1)
    const {error} = JSON.parse(String(r.stdout)) as {error: {code: string; message: string; hint: string}}
    expect(error.code).to.equal('UNSUPPORTED_NODE')
    expect(error.message).to.include(ENGINES)
    expect(error.hint).to.include(ENGINES)
  })
})
