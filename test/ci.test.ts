/**
 * CI cannot pass by accident: .ci/run checks every tool a test requires (under
 * CI=true a missing one fails that test, but the check up front says which and why).
 */
import {expect} from 'chai'
import {globSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {ROOT} from './support/cli.ts'

describe('.ci/run', () => {
  const run = readFileSync(join(ROOT, '.ci/run'), 'utf8')

  it('checks every tool the tests ask for with requireTool', () => {
    const listed = /^CI_TOOLS=\(([^)]*)\)$/m.exec(run)?.[1]?.split(/\s+/).filter(Boolean) ?? []
    const required = new Set<string>()
    for (const file of globSync('test/**/*.ts', {cwd: ROOT})) {
      for (const [, tool] of readFileSync(join(ROOT, file), 'utf8').matchAll(/requireTool\(\w+, '([^']+)'\)/g)) {
        required.add(tool!)
      }
    }
    expect(required.size, 'requireTool calls found').to.be.greaterThan(0)
    expect([...required].sort()).to.deep.equal([...listed].sort())
  })

  it('sets CI=true itself and runs the tests, in order and reversed, then the mutation testing', () => {
    expect(run).to.match(/^export CI=true$/m)
    expect(run.indexOf('\nnpm test\n')).to.be.greaterThan(0)
    expect(run.indexOf('\nnpm run mutate\n')).to.be.greaterThan(run.indexOf('\nnpm test\n'))
    expect(run).to.match(/^node test\/support\/reverse-order\.mjs$/m)
  })
})
