/**
 * bin/run.js loads oclif's execute entry, not its package index; the one thing
 * the index did on load that a user could see, the warning for a deleted current
 * directory, is kept.
 */
import {expect} from 'chai'
import {execa} from 'execa'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {BIN, isolatedEnv} from '../support/cli.ts'

describe('entry point', () => {
  it('warns when the current directory no longer exists', async () => {
    const gone = mkdtempSync(join(tmpdir(), 'piksel-gone-'))
    // The child starts in the directory; it is removed before the child asks for it.
    const r = await execa(
      'sh',
      ['-c', `cd "${gone}" && rmdir "${gone}" && exec "$0" "$1" config show -e dev`, process.execPath, BIN],
      {
        env: isolatedEnv(),
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
      },
    )
    expect(r.stderr).to.match(/^WARNING: current directory does not exist$/m)
    expect(r.exitCode).to.not.equal(0)
  })

  // Start-up (`npm run bench`): oclif is told there are no user or dev plugins, so it does not
  // look for oclif's user plugin list (`<data dir>/package.json`) at every start.
  it('reads no user plugin list from the data directory', async () => {
    const env = isolatedEnv()
    const data = join(env.HOME!, '.local', 'share')
    mkdirSync(join(data, 'piksel'), {recursive: true})
    // Not JSON: oclif would warn about it on every command if it read the file.
    writeFileSync(join(data, 'piksel', 'package.json'), '{ not json')
    const r = await execa(process.execPath, [BIN, 'config', 'show', '-e', 'dev'], {
      env: {...env, XDG_DATA_HOME: data},
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
    })
    expect(r.exitCode).to.equal(0)
    expect(r.stdout).to.match(/^ {2}name: dev$/m)
    expect(r.stderr).to.equal('')
  })
})
