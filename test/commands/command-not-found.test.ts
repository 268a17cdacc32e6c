/**
 * A mistyped command or topic, through the binary (the command_not_found hook): the nearest
 * command or topic is named, exit 2 (README, "piksel autocomplete …, piksel help"), the error
 * envelope under --json; never a far-fetched suggestion.
 */
import {expect} from 'chai'

import {runPiksel} from '../support/cli.ts'

describe('a mistyped command: the nearest command or topic, exit 2', function () {
  this.timeout(60_000)
  const cases: Array<[string[], string]> = [
    // Before: `Did you mean piksel init?` (whole-id distance: 5 edits to init, 6 to config:show).
    [['confg'], 'Did you mean `piksel config`? Its command: `piksel config show`.'],
    [
      ['secrt'],
      'Did you mean `piksel secret`? Its commands: `piksel secret create oauth`, `piksel secret create slack`, `piksel secret list`.',
    ],
    [['secrt', 'list'], 'Did you mean `piksel secret list`?'],
    [['secrt', 'list', '--all-envs'], 'Did you mean `piksel secret list`?'],
    [['qouta', 'gpu', '-e', 'staging'], 'Did you mean `piksel quota gpu`?'],
    [['secret', 'lst'], 'Did you mean `piksel secret list`?'],
    [['secret', 'crate', 'slak'], 'Did you mean `piksel secret create slack`?'],
    [['config', 'shw'], 'Did you mean `piksel config show`?'],
    [['docter'], 'Did you mean `piksel doctor`?'],
    [['stauts', '--wait'], 'Did you mean `piksel status`?'],
    [['status', 'help'], 'Did you mean `piksel help status`?'],
  ]
  for (const [argv, did] of cases) {
    it(`piksel ${argv.join(' ')}`, async () => {
      const r = await runPiksel(argv)
      expect(r.exitCode, r.stderr).to.equal(2)
      const typed = argv.filter((a) => !a.startsWith('-') && a !== 'staging').join(' ')
      expect(r.stderr).to.equal(
        `Error: ${typed} is not a piksel command.\nHint: ${did} Run \`piksel help\` for the list.`,
      )
      expect(r.stdout).to.equal('')
    })
  }

  it('nothing close: no suggestion, only the list', async () => {
    const r = await runPiksel(['deploy'])
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.equal('Error: deploy is not a piksel command.\nHint: Run `piksel help` for the list.')
  })

  it('--json: the error envelope on stdout, UNKNOWN_COMMAND, exit 2', async () => {
    const r = await runPiksel(['confg', 'show', '--json'])
    expect(r.exitCode).to.equal(2)
    expect(r.json()).to.deep.equal({
      error: {
        code: 'UNKNOWN_COMMAND',
        message: 'confg show is not a piksel command.',
        hint: 'Did you mean `piksel config show`? Run `piksel help` for the list.',
      },
    })
  })
})
