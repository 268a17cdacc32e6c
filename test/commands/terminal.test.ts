/**
 * The prompt gate (DESIGN.md §2) on the real binary at a real terminal: a command
 * that would prompt shows its prompt on a TTY, and shows none with --no-input or
 * under CI, failing at once naming the flag. The unit tests of canPrompt cannot
 * see a command that ignores the gate; these can.
 */
import {expect} from 'chai'

import {isolatedEnv} from '../support/cli.ts'
import {type Moto, startMoto} from '../support/moto.ts'
import {SecretsProbe, secretFile} from '../support/secrets.ts'
import {onTerminal} from '../support/terminal.ts'

/** How the hidden prompt shows on the terminal (the error without a terminal says "Missing input: Slack …"). */
const PROMPT = '? Slack webhook URL (hidden)'

describe('the prompt gate on a terminal (script)', function () {
  let moto: Moto
  let probe: SecretsProbe

  before(async function () {
    moto = await startMoto(this)
    probe = new SecretsProbe(moto)
  })
  after(async () => {
    probe?.sm.destroy()
    await moto?.stop()
  })

  const create = ['secret', 'create', 'slack', '-e', 'dev']

  it('with neither --no-input nor CI, the prompt is shown (Ctrl-C then ends it: 130, nothing written)', async function () {
    const r = await onTerminal(this, create, {env: isolatedEnv(moto.env), steps: [[PROMPT, '\u0003']]})
    expect(r.answered, r.output).to.equal(1)
    expect(r.code, r.output).to.equal(130)
    expect(r.output).to.include('Interrupted.')
    expect(await probe.names()).to.deep.equal([])
  })

  const refusals: Array<[string, string[], Record<string, string>]> = [
    ['--no-input', ['--no-input'], {}],
    ['CI=true', [], {CI: 'true'}],
    ['CI=1', [], {CI: '1'}],
    ['CI=yes', [], {CI: 'yes'}],
  ]
  for (const [what, flags, env] of refusals) {
    it(`with ${what}, no prompt: exit 2 at once, naming --from-stdin or --from-file`, async function () {
      const r = await onTerminal(this, [...create, ...flags], {env: isolatedEnv({...moto.env, ...env})})
      expect(r.code, r.output).to.equal(2)
      expect(r.output).not.to.include(PROMPT)
      expect(r.output).to.include('Missing input: Slack webhook URL (hidden) (no terminal to ask on).')
      expect(r.output).to.include('Pass --from-stdin or --from-file')
      expect(await probe.names()).to.deep.equal([])
    })
  }

  for (const value of ['false', '', '0']) {
    it(`with CI=${JSON.stringify(value)} (not CI), the prompt is shown`, async function () {
      const r = await onTerminal(this, create, {
        env: isolatedEnv({...moto.env, CI: value}),
        steps: [[PROMPT, '\u0003']],
      })
      expect(r.answered, r.output).to.equal(1)
      expect(r.code, r.output).to.equal(130)
    })
  }

  it('the confirmation is asked on a terminal; with --no-input or CI it is an error naming --yes', async function () {
    const file = secretFile('https://hooks.slack.com/services/T0PIKSEL1/B0ALERTS1/abcdefghijklmnopqrstuvwx\n')
    const args = [...create, '--name', 'tty-gate', '--from-file', file]
    const asked = await onTerminal(this, args, {
      env: isolatedEnv(moto.env),
      steps: [['? Create secret tty-gate', 'n']],
    })
    expect(asked.answered, asked.output).to.equal(1)
    expect(asked.code, asked.output).to.equal(1)
    expect(asked.output).to.include('Cancelled')
    for (const [flags, env] of [
      [['--no-input'], {}],
      [[], {CI: 'true'}],
    ] as Array<[string[], Record<string, string>]>) {
      const refused = await onTerminal(this, [...args, ...flags], {env: isolatedEnv({...moto.env, ...env})})
      expect(refused.code, refused.output).to.equal(2)
      expect(refused.output).not.to.include('? Create secret')
      expect(refused.output).to.include('Confirmation required: Create secret tty-gate')
      expect(refused.output).to.include('Pass --yes')
    }
    expect(await probe.names()).to.deep.equal([])
  })
})
