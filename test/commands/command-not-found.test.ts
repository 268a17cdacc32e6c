/**
 * A mistyped command or topic, through the binary (the command_not_found hook): the nearest
 * command or topic is named, exit 2 (README, "piksel autocomplete …, piksel help"), the error
 * envelope under --json; never a far-fetched suggestion.
 */
import {expect} from 'chai'

import {isolatedEnv, runPiksel} from '../support/cli.ts'
import {onTerminal} from '../support/terminal.ts'

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

  // A secret put on the command line of a mistyped `secret create` (which refuses it without
  // echoing it) was printed back in the message, the hint and, on a terminal, the question.
  const SECRET = 'https://hooks.slack.com/services/T0PIKSEL/B0LEAK/neverPrintThis123'
  const leaks: Array<[string[], string, string]> = [
    [
      ['secrt', 'create', 'slack', SECRET],
      'Error: secrt create slack … is not a piksel command.',
      'Hint: Did you mean `piksel secret create slack`? Run `piksel help` for the list.',
    ],
    [
      ['secret', 'create', 'slak', SECRET, '--env', 'staging'],
      'Error: secret create slak … is not a piksel command.',
      'Hint: Did you mean `piksel secret create slack`? Run `piksel help` for the list.',
    ],
    [
      ['-e', 'staging', 'secret', 'create', 'slack', SECRET],
      'Error: -e is not a piksel command: the command comes first, its flags after it.',
      'Hint: Did you mean `piksel secret create slack -e staging …`? Run `piksel help` for the list.',
    ],
    [
      ['--value', SECRET, 'secret', 'create', 'slack'],
      'Error: --value is not a piksel command: the command comes first, its flags after it.',
      'Hint: Did you mean `piksel secret create slack --value …`? Run `piksel help` for the list.',
    ],
  ]
  for (const [argv, error, hint] of leaks) {
    it(`piksel ${argv.map((a) => (a === SECRET ? '<secret>' : a)).join(' ')}: the secret is never printed`, async () => {
      const r = await runPiksel(argv)
      expect(r.exitCode).to.equal(2)
      expect(r.stderr).to.equal(`${error}\n${hint}`)
      expect(r.stdout + r.stderr).not.to.include('neverPrintThis')
    })
  }

  it('--json after a word with a colon (oclif drops it from the hook’s argv): still the envelope, the word not shown', async () => {
    const r = await runPiksel(['secrt', 'create', 'oauth', 'grafana-id:neverPrintThis', '--json'])
    expect(r.exitCode).to.equal(2)
    expect(r.json()).to.deep.equal({
      error: {
        code: 'UNKNOWN_COMMAND',
        message: 'secrt create oauth … is not a piksel command.',
        hint: 'Did you mean `piksel secret create oauth`? Run `piksel help` for the list.',
      },
    })
    expect(r.stderr).to.equal('')
  })

  describe('on a terminal: asks, runs only what was confirmed', function () {
    this.timeout(60_000)
    it('no: nothing runs, exit 2; the question names the command, not the secret typed after it', async function () {
      const r = await onTerminal(this, ['secrt', 'create', 'slack', SECRET, '--env', 'staging'], {
        env: isolatedEnv(),
        steps: [['instead?', 'n']],
        giveUpMs: 20_000,
        size: {cols: 200, rows: 40},
      })
      expect(r.code).to.equal(2)
      expect(r.answered).to.equal(1)
      expect(r.output).to.include(
        'secrt create slack … is not a piksel command. Run `piksel secret create slack` with the flags given instead?',
      )
      expect(r.output).not.to.include('neverPrintThis')
      // Not run: no prompt for the secret, no AWS call.
      expect(r.output).not.to.include('Slack')
    })

    it('yes: the command it named runs, without the words it takes no arguments for', async function () {
      // Before: `whomai extra` offered `whoami`, then ran `whoami extra`: "Unexpected argument: extra".
      const r = await onTerminal(this, ['whomai', 'extra'], {
        env: isolatedEnv(),
        steps: [['instead?', 'y']],
        giveUpMs: 20_000,
        size: {cols: 200, rows: 40},
      })
      expect(r.answered).to.equal(1)
      expect(r.output).to.include('whomai extra is not a piksel command. Run `piksel whoami` instead?')
      // whoami ran (and, with no AWS credentials here, said so), with no argument.
      expect(r.output).to.include('No AWS credentials found')
      expect(r.output).not.to.include('Unexpected argument')
      expect(r.code).to.equal(1)
    })

    it('help for a mistyped command: yes shows the help it meant', async function () {
      const r = await onTerminal(this, ['help', 'stauts'], {
        env: isolatedEnv(),
        steps: [['instead?', 'y']],
        giveUpMs: 20_000,
      })
      expect(r.output).to.include('stauts is not a piksel command. Run `piksel help status` instead?')
      expect(r.output).to.include('$ piksel status')
      expect(r.code).to.equal(0)
    })

    it('Ctrl-C at the question: interrupted (130), nothing runs', async function () {
      // Before: read as "no": the error and exit 2.
      const r = await onTerminal(this, ['whomai'], {
        env: isolatedEnv(),
        steps: [['instead?', '\u0003']],
        giveUpMs: 20_000,
        size: {cols: 200, rows: 40},
      })
      expect(r.answered).to.equal(1)
      expect(r.code, r.output).to.equal(130)
      expect(r.output).to.include('Interrupted.')
      expect(r.output).not.to.include('No AWS credentials')
    })

    it('--json, --no-input or CI: never asks, even on a terminal', async function () {
      for (const [args, env] of [
        [['stauts', '--json'], {}],
        [['stauts', '--no-input'], {}],
        [['stauts'], {CI: 'true'}],
      ] as Array<[string[], Record<string, string>]>) {
        const r = await onTerminal(this, args, {env: isolatedEnv(env), giveUpMs: 20_000})
        expect(r.code, args.join(' ')).to.equal(2)
        expect(r.output, args.join(' ')).not.to.include('instead?')
        expect(r.output, args.join(' ')).to.include('Did you mean `piksel status`?')
      }
    })
  })
})
