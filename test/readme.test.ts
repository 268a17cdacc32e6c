/**
 * The README's command reference is generated from the commands (`npm run readme`,
 * scripts/readme.mjs over `oclif readme`) and must not go stale (issue 13 §5);
 * every command has a description, and its examples use long flags.
 */
import {expect} from 'chai'
import {execa} from 'execa'
import {copyFileSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {ROOT} from './support/cli.ts'

const SCRIPT = join(ROOT, 'scripts', 'readme.mjs')

function readme(args: string[]) {
  return execa(process.execPath, [SCRIPT, ...args], {cwd: ROOT, reject: false, timeout: 60_000})
}

interface ManifestCommand {
  id: string
  hidden?: boolean
  description?: string
  examples?: Array<string | {command: string}>
}

describe('README: the generated command reference', () => {
  it('is up to date with the commands (run `npm run readme` when this fails)', async () => {
    const r = await readme(['--check'])
    expect(r.stderr).to.equal('')
    expect(r.exitCode).to.equal(0)
  })

  it('the check fails on a stale copy, and a rewrite brings the copy back to the README', async () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'piksel-readme-test-')), 'README.md')
    copyFileSync(join(ROOT, 'README.md'), copy)
    const text = readFileSync(copy, 'utf8')
    const generatedLine = '  $ piksel config show --env staging\n'
    const at = text.indexOf(generatedLine, text.indexOf('<!-- commands -->'))
    expect(at, 'an example inside the generated part').to.be.above(0)
    writeFileSync(
      copy,
      text.slice(0, at) + '  $ piksel config show -e staging\n' + text.slice(at + generatedLine.length),
    )

    const check = await readme(['--check', '--readme', copy])
    expect(check.exitCode).to.equal(1)
    expect(check.stderr).to.include('stale')
    expect(check.stderr).to.include('piksel config show -e staging')
    expect(check.stderr).to.include('npm run readme')

    const rewrite = await readme(['--readme', copy])
    expect(rewrite.exitCode).to.equal(0)
    expect(readFileSync(copy, 'utf8')).to.equal(readFileSync(join(ROOT, 'README.md'), 'utf8'))
  })

  it('keeps the hand-written parts and nests the reference in its own section', () => {
    const text = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const section = text.indexOf('\n## Command reference\n')
    const start = text.indexOf('<!-- commands -->')
    const stop = text.indexOf('<!-- commandsstop -->')
    expect(section).to.be.above(0)
    expect(start).to.be.above(section)
    expect(stop).to.be.above(start)
    const generated = text.slice(start, stop)
    expect(generated).to.match(/^### `piksel status`$/m)
    expect(generated, 'no heading at the level of the README sections').not.to.match(/^## /m)
    // The hand-written section of the same name is still there, before the reference.
    expect(text.indexOf('\n### `piksel status`\n')).to.be.within(0, section)
    // The index links to the generated heading (GitHub numbers the second `piksel status` -1).
    expect(generated).to.include('[`piksel status`](#piksel-status-1)')
  })
})

describe('commands: descriptions and examples', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
    commands: Record<string, ManifestCommand>
  }
  const commands = Object.values(manifest.commands).filter((c) => !c.hidden)

  it('the manifest has every command', () => {
    expect(commands.map((c) => c.id)).to.include.members(['status', 'config:show', 'bootstrap', 'help'])
  })

  for (const command of commands) {
    it(`${command.id}: a description, and examples with long flags only`, () => {
      expect(command.description?.trim(), 'description').to.not.equal(undefined)
      expect(command.description!.trim()).to.not.equal('')
      for (const example of command.examples ?? []) {
        const line = typeof example === 'string' ? example : example.command
        expect(line, 'an example').not.to.match(/\s-[a-zA-Z](?=[\s=]|$)/)
      }
    })
  }
})
