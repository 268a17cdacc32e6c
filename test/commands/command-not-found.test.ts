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

  // Commands are lowercase: CAPS LOCK or a capital letter is no other command.
  const upper: Array<[string[], string, string]> = [
    [['CONFG'], 'CONFG', 'Did you mean `piksel config`? Its command: `piksel config show`.'],
    [['SECRET', 'LIST'], 'SECRET LIST', 'Did you mean `piksel secret list`?'],
    [['Stauts', '-e', 'dev'], 'Stauts', 'Did you mean `piksel status`?'],
  ]
  for (const [argv, typed, did] of upper) {
    it(`piksel ${argv.join(' ')}: compared without case`, async () => {
      const r = await runPiksel(argv)
      expect(r.exitCode, r.stderr).to.equal(2)
      expect(r.stderr).to.equal(
        `Error: ${typed} is not a piksel command.\nHint: ${did} Run \`piksel help\` for the list.`,
      )
    })
  }

  // Help for a mistyped command: before, oclif's ` ›   Error: Command stauts not found.` (no
  // suggestion, no envelope) and, with --json, "Nonexistent flag: --json" and a stack trace.
  const help: Array<[string[], string, string]> = [
    [['help', 'stauts'], 'stauts', 'Did you mean `piksel help status`?'],
    [['help', 'STATUS'], 'STATUS', 'Did you mean `piksel help status`?'],
    [['help', 'secrt', 'list'], 'secrt list', 'Did you mean `piksel help secret list`?'],
    [['help', 'secret', 'lst'], 'secret lst', 'Did you mean `piksel help secret list`?'],
    [['help', 'confg'], 'confg', 'Did you mean `piksel help config`? Its command: `piksel config show`.'],
    [['stauts', '--help'], 'stauts', 'Did you mean `piksel help status`?'],
    [['secrt', 'list', '--help'], 'secrt list', 'Did you mean `piksel help secret list`?'],
    [['hlep', 'stauts'], 'hlep stauts', 'Did you mean `piksel help status`?'],
    [['help', 'xyz'], 'xyz', ''],
  ]
  for (const [argv, typed, did] of help) {
    it(`piksel ${argv.join(' ')}: the help it meant, exit 2`, async () => {
      const r = await runPiksel(argv)
      expect(r.exitCode, r.stderr).to.equal(2)
      expect(r.stderr).to.equal(
        `Error: ${typed} is not a piksel command.\nHint: ${did ? `${did} ` : ''}Run \`piksel help\` for the list.`,
      )
      expect(r.stdout).to.equal('')
    })
  }

  it('piksel help stauts --json: the UNKNOWN_COMMAND envelope, exit 2', async () => {
    const r = await runPiksel(['help', 'stauts', '--json'])
    expect(r.exitCode, r.stderr).to.equal(2)
    expect(r.json()).to.deep.equal({
      error: {
        code: 'UNKNOWN_COMMAND',
        message: 'stauts is not a piksel command.',
        hint: 'Did you mean `piksel help status`? Run `piksel help` for the list.',
      },
    })
    expect(r.stderr).to.equal('')
  })

  it('help for a command followed by arguments is that command’s help (oclif: "Command status:extra not found")', async () => {
    const [extra, plain] = await Promise.all([runPiksel(['help', 'status', 'extra']), runPiksel(['help', 'status'])])
    expect(extra.exitCode, extra.stderr).to.equal(0)
    expect(plain.stdout).to.include('$ piksel status')
    expect(extra.stdout).to.equal(plain.stdout)
  })

  it('a flag before the command: said so, and the command line it meant (--json: the envelope)', async () => {
    const r = await runPiksel(['-e', 'dev', 'status'])
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.equal(
      'Error: -e is not a piksel command: the command comes first, its flags after it.\nHint: Did you mean `piksel status -e dev`? Run `piksel help` for the list.',
    )
    const j = await runPiksel(['--json', 'status'])
    expect(j.exitCode).to.equal(2)
    expect(j.json()).to.deep.equal({
      error: {
        code: 'UNKNOWN_COMMAND',
        message: '--json is not a piksel command: the command comes first, its flags after it.',
        hint: 'Did you mean `piksel status --json`? Run `piksel help` for the list.',
      },
    })
  })
})
