import {expect} from 'chai'

import {UsageError} from '../../src/lib/errors.ts'
import {Prompter, canPrompt} from '../../src/lib/prompt.ts'

describe('prompt gate', () => {
  const cases: Array<[string, Parameters<typeof canPrompt>[0], boolean]> = [
    ['TTY both ways, no CI', {stdinIsTTY: true, stdoutIsTTY: true, env: {}}, true],
    ['stdin not a TTY', {stdinIsTTY: false, stdoutIsTTY: true, env: {}}, false],
    ['stdout not a TTY (piped)', {stdinIsTTY: true, stdoutIsTTY: false, env: {}}, false],
    ['CI=true', {stdinIsTTY: true, stdoutIsTTY: true, env: {CI: 'true'}}, false],
    ['CI=1', {stdinIsTTY: true, stdoutIsTTY: true, env: {CI: '1'}}, false],
    ['CI=false counts as unset', {stdinIsTTY: true, stdoutIsTTY: true, env: {CI: 'false'}}, true],
    ['--no-input', {stdinIsTTY: true, stdoutIsTTY: true, env: {}, noInput: true}, false],
  ]
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
  })

  it('needs --yes to confirm without a terminal, and --yes answers it', async () => {
    const prompter = new Prompter(false)
    const error = await prompter.confirm('Create secret?').catch((e: unknown) => e)
    expect((error as UsageError).exitCode).to.equal(2)
    expect((error as UsageError).hint).to.include('--yes')
    expect(await prompter.confirm('Create secret?', {yes: true})).to.equal(true)
  })
})
