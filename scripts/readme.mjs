// The README's command reference, generated: `oclif readme` writes the usage and
// every command's usage, flags, description and examples between the markers
// <!-- usage --> and <!-- commands --> (section "Command reference"), from the
// built commands and the oclif manifest (`npm run build` first).
//
//   node scripts/readme.mjs            rewrite README.md (`npm run readme` builds, then runs this)
//   node scripts/readme.mjs --check    exit 1 when README.md's generated part is stale
//   --readme <file>                    another README (tests)
//
// On top of `oclif readme`: the command headings are nested under the section's own
// heading, the index links point at those headings (GitHub numbers a heading that
// repeats a hand-written one, e.g. `piksel status`), the sample `--version` line
// names the Node that package.json pins on Linux, so the output does not depend on
// the machine that generated it, and the file is formatted by Prettier as
// `npm run format` would (so the two never disagree).
import {execFileSync} from 'node:child_process'
import {copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {pathToFileURL} from 'node:url'
import {parseArgs} from 'node:util'

import * as prettier from 'prettier'

import {ROOT} from './lib.mjs'

const {values} = parseArgs({options: {check: {type: 'boolean'}, readme: {type: 'string'}}})
const readmePath = resolve(values.readme ?? join(ROOT, 'README.md'))

/** Runs oclif readme on a copy of `file` and returns the copy's text, post-processed. */
export async function generate(file) {
  if (!existsSync(join(ROOT, 'oclif.manifest.json'))) {
    throw new Error('No oclif.manifest.json: run `npm run build` first (or `npm run readme`, which does).')
  }
  const copy = join(mkdtempSync(join(tmpdir(), 'piksel-readme-')), 'README.md')
  copyFileSync(file, copy)
  const require = createRequire(import.meta.url)
  const oclif = join(require.resolve('oclif/package.json'), '..', 'bin', 'run.js')
  execFileSync(
    process.execPath,
    [
      oclif,
      'readme',
      '--readme-path',
      copy,
      '--tsconfig-path',
      'tsconfig.build.json',
      '--no-aliases',
      '--no-source-links',
    ],
    // COLUMNS: the width oclif wraps help at (120 when unset; fixed so a terminal's does not leak in).
    {cwd: ROOT, env: {...process.env, COLUMNS: '120', NO_COLOR: '1'}, stdio: ['ignore', 'ignore', 'inherit']},
  )
  const text = await postProcess(readFileSync(copy, 'utf8'), require)
  // The project's Prettier settings, wherever the file is (tests check a copy in a temp dir).
  const options = await prettier.resolveConfig(join(ROOT, 'README.md'))
  return prettier.format(text, {...options, filepath: file})
}

async function postProcess(text, require) {
  const pinned = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).devDependencies.node
  const machine = `${process.platform}-${process.arch} node-v${process.versions.node}`
  text = replaceBetween(text, 'usage', (body) => body.replaceAll(machine, `linux-x64 node-v${pinned}`))
  // oclif writes each command as a level-2 heading: one level below the section's.
  text = replaceBetween(text, 'commands', (body) => body.replace(/^## `/gm, '### `'))
  // The index links, by GitHub's own anchors (github-slugger, what oclif uses too).
  const slugger = pathToFileURL(createRequire(require.resolve('oclif/package.json')).resolve('github-slugger'))
  const {default: GithubSlugger} = await import(slugger.href)
  const slugs = new GithubSlugger()
  const anchors = new Map()
  let inFence = false
  let inCommands = false
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence
    if (line === '<!-- commands -->') inCommands = true
    if (line === '<!-- commandsstop -->') inCommands = false
    const heading = !inFence && /^#{1,6} (.*)$/.exec(line)
    if (!heading) continue
    const slug = slugs.slug(heading[1])
    if (inCommands) anchors.set(new GithubSlugger().slug(heading[1]), slug)
  }
  return replaceBetween(text, 'commands', (body) =>
    body.replace(
      /^(\* \[`[^`]+`\]\(#)([^)]+)\)$/gm,
      (line, start, anchor) => `${start}${anchors.get(anchor) ?? anchor})`,
    ),
  )
}

function replaceBetween(text, tag, edit) {
  const start = text.indexOf(`<!-- ${tag} -->\n`)
  const end = text.indexOf(`<!-- ${tag}stop -->`)
  if (start < 0 || end < start) throw new Error(`The README has no <!-- ${tag} --> ... <!-- ${tag}stop --> markers.`)
  const from = start + `<!-- ${tag} -->\n`.length
  return text.slice(0, from) + edit(text.slice(from, end)) + text.slice(end)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const current = readFileSync(readmePath, 'utf8')
  const generated = await generate(readmePath)
  if (values.check) {
    if (generated !== current) {
      const a = current.split('\n')
      const b = generated.split('\n')
      let line = 0
      while (line < a.length && a[line] === b[line]) line++
      console.error(`${readmePath}: the generated command reference is stale (first difference at line ${line + 1}).`)
      console.error(`  README: ${a[line] ?? '(end of file)'}`)
      console.error(`  now:    ${b[line] ?? '(end of file)'}`)
      console.error('Run `npm run readme` and commit README.md.')
      process.exitCode = 1
    }
  } else if (generated !== current) {
    writeFileSync(readmePath, generated)
    console.log(`${readmePath}: command reference rewritten`)
  } else {
    console.log(`${readmePath}: command reference up to date`)
  }
}
