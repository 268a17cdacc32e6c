/**
 * bin/run.js loads oclif's execute entry, not its package index; the one thing
 * the index did on load that a user could see, the warning for a deleted current
 * directory, is kept.
 */
import {expect} from 'chai'
import {execa} from 'execa'
import {mkdtempSync} from 'node:fs'
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
})
