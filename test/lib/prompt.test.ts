import {expect} from 'chai'
import {PassThrough} from 'node:stream'

import {InterruptedError, UsageError} from '../../src/lib/errors.ts'
import {Prompter, canPrompt, isCI} from '../../src/lib/prompt.ts'

describe('prompt gate', () => {
  const cases: Array<[string, Parameters<typeof canPrompt>[0], boolean]> = [
    ['TTY both ways, no CI', {stdinIsTTY: true, stdoutIsTTY: true, env: {}}, true],
    ['stdin not a TTY', {stdinIsTTY: false, stdoutIsTTY: true, env: {}}, false],
    ['stdout not a TTY (piped)', {stdinIsTTY: true, stdoutIsTTY: false, env: {}}, false],
    ['neither a TTY', {stdinIsTTY: false, stdoutIsTTY: false, env: {}}, false],
    ['TTY flags unknown (undefined)', {env: {}}, false],
    ['--no-input', {stdinIsTTY: true, stdoutIsTTY: true, env: {}, noInput: true}, false],
    ['--no-input given as false', {stdinIsTTY: true, stdoutIsTTY: true, env: {}, noInput: false}, true],
  ]
  // CI set to anything but '', '0' or 'false' (any case, trimmed) means CI.
  const ciValues: Array<[string | undefined, boolean]> = [
    [undefined, false],
    ['', false],
    ['false', false],
    ['FALSE', false],
    ['False', false],
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['0', false],
    [' 0 ', false],
    ['00', true],
    ['no', true],
    ['woodpecker', true],
  ]
  for (const [value, ci] of ciValues) {
    const shown = value === undefined ? 'CI unset' : `CI=${JSON.stringify(value)}`
    it(`${shown} ${ci ? 'is' : 'is not'} CI, so a TTY ${ci ? 'never prompts' : 'may prompt'}`, () => {
      const env = value === undefined ? {} : {CI: value}
      expect(isCI(env)).to.equal(ci)
      expect(canPrompt({stdinIsTTY: true, stdoutIsTTY: true, env})).to.equal(!ci)
    })
  }

  it('reads the process environment when none is given', () => {
    const saved = process.env.CI
    try {
      process.env.CI = 'true'
      expect(canPrompt({stdinIsTTY: true, stdoutIsTTY: true})).to.equal(false)
      delete process.env.CI
      expect(canPrompt({stdinIsTTY: true, stdoutIsTTY: true})).to.equal(true)
    } finally {
      if (saved === undefined) delete process.env.CI
      else process.env.CI = saved
    }
  })
  for (const [what, gate, expected] of cases) {
    it(`${what} → ${expected ? 'may prompt' : 'never prompts'}`, () => {
      expect(canPrompt(gate)).to.equal(expected)
    })
  }

  it('fails at once naming the flag when it cannot prompt', async () => {
    const prompter = new Prompter(false)
    const error = await prompter.input({message: 'Client id?', flag: '--client-id'}).catch((e: unknown) => e)
    expect(error).to.be.instanceOf(UsageError)
    expect((error as UsageError).hint).to.include('--client-id')
    const secret = await prompter.password({message: 'Secret', flag: '--from-stdin or --from-file'}).catch((e) => e)
    expect((secret as UsageError).hint).to.include('--from-stdin or --from-file')
    const select = await prompter
      .select({message: 'Which environment?', flag: '-e <dev|staging>', choices: [{value: 'dev'}]})
      .catch((e: unknown) => e)
    expect((select as UsageError).hint).to.include('-e <dev|staging>')
  })

  const messages: Array<[string, string]> = [
    ['Client id?', 'Missing input: Client id (no terminal to ask on).'],
    ['OAuth client secret:  ', 'Missing input: OAuth client secret (no terminal to ask on).'],
    ['Which one? Pick:', 'Missing input: Which one? Pick (no terminal to ask on).'],
    ['Slack webhook URL', 'Missing input: Slack webhook URL (no terminal to ask on).'],
    ['Name? x', 'Missing input: Name? x (no terminal to ask on).'],
  ]
  for (const [question, message] of messages) {
    it(`without a terminal, ${JSON.stringify(question)} fails as "${message}"`, async () => {
      const error = (await new Prompter(false).input({message: question, flag: '--x'}).catch((e) => e)) as UsageError
      expect(error.message).to.equal(message)
      expect(error.code).to.equal('INPUT_REQUIRED')
      expect(error.exitCode).to.equal(2)
      expect(error.hint).to.equal('Pass --x. Prompts appear only on a TTY, outside CI and without --no-input.')
    })
  }

  it('needs --yes to confirm without a terminal, and --yes answers it', async () => {
    const prompter = new Prompter(false)
    const error = await prompter.confirm('Create secret?').catch((e: unknown) => e)
    expect((error as UsageError).exitCode).to.equal(2)
    expect((error as UsageError).message).to.equal('Confirmation required: Create secret (no terminal to ask on).')
    expect((error as UsageError).hint).to.include('--yes')
    expect(await prompter.confirm('Create secret?', {yes: true})).to.equal(true)
  })
})

/**
 * A stand-in terminal for the interactive path: process.stdin replaced by a stream
 * the test types into, and everything written to stderr captured. Each key is sent
 * once the prompt has rendered, as a person would type.
 */
async function onFakeTerminal<T>(
  ask: () => Promise<T>,
  keys: string[],
): Promise<{result?: T; error?: unknown; stderr: string; stdout: string}> {
  const stdin = Object.assign(new PassThrough(), {isTTY: true, setRawMode: () => stdin})
  const original = Object.getOwnPropertyDescriptor(process, 'stdin')
  const writeErr = process.stderr.write.bind(process.stderr)
  const writeOut = process.stdout.write.bind(process.stdout)
  let stderr = ''
  let stdout = ''
  Object.defineProperty(process, 'stdin', {configurable: true, get: () => stdin})
  process.stderr.write = ((chunk: string | Uint8Array) => (
    (stderr += String(chunk)),
    true
  )) as typeof process.stderr.write
  process.stdout.write = ((chunk: string | Uint8Array) => (
    (stdout += String(chunk)),
    true
  )) as typeof process.stdout.write
  try {
    const settled = ask().then(
      (result) => ({result}),
      (error: unknown) => ({error}),
    )
    for (const key of keys) {
      // Wait until the prompt has drawn itself before typing.
      for (let i = 0; i < 200 && stderr === ''; i++) await new Promise((r) => setTimeout(r, 5))
      stdin.write(key)
      await new Promise((r) => setImmediate(r))
    }
    return {...(await settled), stderr, stdout}
  } finally {
    process.stderr.write = writeErr
    process.stdout.write = writeOut
    if (original) Object.defineProperty(process, 'stdin', original)
  }
}

describe('Prompter on a terminal', () => {
  const prompter = new Prompter(true)

  it('asks for input on stderr (stdout stays clean for --json) and returns the answer', async () => {
    const r = await onFakeTerminal(() => prompter.input({message: 'Client id?', flag: '--client-id'}), ['abc\r'])
    expect(r.error).to.equal(undefined)
    expect(r.result).to.equal('abc')
    expect(r.stderr).to.include('Client id?')
    expect(r.stdout).to.equal('')
    // The answered question stays on the screen (not cleared): what was answered is visible.
    // eslint-disable-next-line no-control-regex -- the cursor codes inquirer writes
    expect(r.stderr).to.match(/✔ Client id\? abc(\u001b\[\d+G)?\n/)
  })

  it('offers the default and checks the answer with validate', async () => {
    const validate = (value: string) => (value === 'bad' ? 'not that one' : true)
    const r = await onFakeTerminal(
      () => prompter.input({message: 'Name', flag: '--name', default: 'fallback', validate}),
      ['\r'],
    )
    expect(r.result).to.equal('fallback')
    expect(r.stderr).to.include('fallback')
    const refused = await onFakeTerminal(
      () => prompter.input({message: 'Name', flag: '--name', validate}),
      ['bad\r', '\u0015good\r'],
    )
    expect(refused.stderr).to.include('not that one')
    expect(refused.result).to.equal('good')
  })

  it('hides a secret: no echo, no mask characters, no reveal toggle', async () => {
    const secret = 's3cretVALUE'
    // ctrl+t would reveal the value if the toggle were offered.
    const r = await onFakeTerminal(
      () => prompter.password({message: 'Secret', flag: '--from-stdin'}),
      [secret, '\u0014', '\r'],
    )
    expect(r.result).to.equal(secret)
    expect(r.stderr).to.include('Secret')
    expect(r.stderr).not.to.include(secret)
    expect(r.stderr).not.to.include('*'.repeat(secret.length))
    expect(r.stderr).not.to.include('toggle visibility')
  })

  it('a confirmation defaults to no; the default can be yes', async () => {
    expect((await onFakeTerminal(() => prompter.confirm('Create secret?'), ['\r'])).result).to.equal(false)
    expect((await onFakeTerminal(() => prompter.confirm('Create secret?', {default: true}), ['\r'])).result).to.equal(
      true,
    )
    const yes = await onFakeTerminal(() => prompter.confirm('Create secret?'), ['y\r'])
    expect(yes.result).to.equal(true)
    expect(yes.stderr).to.include('Create secret?')
    expect(yes.stdout).to.equal('')
  })

  it('a selection renders on stderr and returns the chosen value', async () => {
    const r = await onFakeTerminal(
      () => prompter.select({message: 'Which environment?', flag: '-e', choices: [{value: 'dev'}, {value: 'staging'}]}),
      ['\u001b[B', '\r'],
    )
    expect(r.result).to.equal('staging')
    expect(r.stderr).to.include('Which environment?')
    expect(r.stdout).to.equal('')
  })

  for (const [what, ask] of [
    ['input', () => prompter.input({message: 'Client id?', flag: '--client-id'})],
    ['password', () => prompter.password({message: 'Secret', flag: '--from-stdin'})],
    ['confirm', () => prompter.confirm('Create secret?')],
    ['select', () => prompter.select({message: 'Which?', flag: '-e', choices: [{value: 'dev'}]})],
  ] as Array<[string, () => Promise<unknown>]>) {
    it(`Ctrl-C at a ${what} prompt is an interruption (exit 130)`, async () => {
      const r = await onFakeTerminal(ask, ['\u0003'])
      expect(r.error).to.be.instanceOf(InterruptedError)
      expect((r.error as InterruptedError).exitCode).to.equal(130)
    })
  }

  // SIGTERM and SIGHUP never reach a prompt as Ctrl-C does (a key in raw mode): the command's stop
  // signal ends it, or a command that waits for its work before exiting would wait forever.
  for (const [what, ask] of [
    ['input', (p: Prompter) => p.input({message: 'Client id?', flag: '--client-id'})],
    ['password', (p: Prompter) => p.password({message: 'Secret', flag: '--from-stdin'})],
    ['confirm', (p: Prompter) => p.confirm('Apply?')],
    ['select', (p: Prompter) => p.select({message: 'Which?', flag: '-e', choices: [{value: 'dev'}]})],
  ] as Array<[string, (p: Prompter) => Promise<unknown>]>) {
    it(`the command's stop signal ends an open ${what} prompt as an interruption`, async () => {
      const stop = new AbortController()
      const stopped = new Prompter(true, stop.signal)
      const r = await onFakeTerminal(() => {
        setTimeout(() => stop.abort(), 50)
        return ask(stopped)
      }, [])
      expect(r.error).to.be.instanceOf(InterruptedError)
      expect(r.stderr).to.match(/Client id\?|Secret|Apply\?|Which\?/)
    })
  }

  it('a prompt’s own abort signal still works beside the stop signal', async () => {
    const own = new AbortController()
    const stopped = new Prompter(true, new AbortController().signal)
    const r = await onFakeTerminal(() => {
      setTimeout(() => own.abort(), 50)
      return stopped.input({message: 'Client id?', flag: '--client-id', signal: own.signal})
    }, [])
    expect(r.error).to.be.instanceOf(InterruptedError)
  })

  it('any other failure of a prompt passes through unchanged', async () => {
    const r = await onFakeTerminal(
      () => prompter.select({message: 'Which?', flag: '-e', choices: [] as Array<{value: string}>}),
      [],
    )
    expect(r.error).to.be.instanceOf(Error)
    expect(r.error).not.to.be.instanceOf(InterruptedError)
    expect((r.error as Error).message).to.include('No selectable choices')
  })
})
