import {expect} from 'chai'

import {
  CheckFailedError,
  ChildProcessError,
  ConfigError,
  CredentialsError,
  ExitCode,
  InterruptedError,
  OperationError,
  PikselError,
  UsageError,
  bugHint,
  redact,
  redactedJson,
  toPikselError,
} from '../../src/lib/errors.ts'

describe('errors', () => {
  const exitCodes: Array<[string, Error & {exitCode: number}, number]> = [
    ['UsageError', new UsageError('x'), 2],
    ['ConfigError', new ConfigError('x'), 2],
    ['OperationError', new OperationError('x'), 1],
    ['CredentialsError', new CredentialsError('x'), 1],
    ['CheckFailedError', new CheckFailedError('x'), 3],
    ['InterruptedError', new InterruptedError(), 130],
    ['ChildProcessError', new ChildProcessError({command: 'flux check --pre', exitCode: 2, tail: ''}), 1],
  ]
  for (const [name, error, code] of exitCodes) {
    it(`${name} exits ${code}`, () => {
      expect(error.exitCode).to.equal(code)
      expect(error.name).to.equal(name)
    })
  }

  it('maps oclif parse errors to usage errors without the "See more help" line', () => {
    const parseError = Object.assign(new Error('Nonexistent flag: --bogus\nSee more help with --help'), {
      oclif: {exit: 2},
    })
    const mapped = toPikselError(parseError)
    expect(mapped).to.be.instanceOf(UsageError)
    expect(mapped.exitCode).to.equal(ExitCode.usage)
    expect(mapped.message).to.equal('Nonexistent flag: --bogus')
  })

  it('maps unknown errors to BUG: exit 1, one line, where to report, the cause kept', () => {
    const boom = new TypeError('boom\n    at somewhere')
    const mapped = toPikselError(boom)
    expect(mapped.exitCode).to.equal(1)
    expect(mapped.code).to.equal('BUG')
    expect(mapped.message).to.equal('Unexpected error (TypeError): boom')
    expect(mapped.hint)
      .to.match(/re-run with --verbose and report/)
      .and.to.include('Piksel DevOps team')
    expect(mapped.cause).to.equal(boom)
    for (const odd of [new SyntaxError('Unexpected token'), 'a string', undefined, {name: 'UNEXPECTED'}]) {
      const m = toPikselError(odd)
      expect(m.code, String(odd)).to.equal('BUG')
      expect(m.message.split('\n')).to.have.length(1)
    }
    expect(bugHint('https://example.com/issues')).to.include('to https://example.com/issues')
  })

  it('a network failure nobody mapped is still NETWORK, not BUG', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), {code: 'ECONNREFUSED'})
    expect(toPikselError(refused).code).to.equal('NETWORK')
  })

  it('does not mistake an error named like a validation error for bad usage', () => {
    class ValidationException extends Error {}
    expect(toPikselError(new ValidationException('1 validation error detected')).exitCode).to.equal(1)
  })

  it('passes piksel errors through unchanged', () => {
    const error = new CheckFailedError('unhealthy', {hint: 'run piksel status'})
    expect(toPikselError(error)).to.equal(error)
  })

  it('redacts every occurrence of a sensitive value', () => {
    expect(redact('a s3cr3t-value b s3cr3t-value', ['s3cr3t-value'])).to.equal('a **** b ****')
    expect(redact('nothing here', ['s3cr3t-value'])).to.equal('nothing here')
  })

  it('redacts a value in its JSON-escaped form too (an error echoing a request body)', () => {
    const body = '{"SecretString":"id:se\\"cr\\\\et"}'
    expect(redact(`cannot accept ${body}`, ['id:se"cr\\et'])).to.equal('cannot accept {"SecretString":"****"}')
  })

  const documents: Array<[string, unknown, string[], unknown]> = [
    ['a value that spells a key', {arn: 'x', name: '"arn"'}, ['"arn"'], {arn: 'x', name: '****'}],
    [
      'nested, in arrays and keys',
      {tags: {'s3cr3t!': 'a s3cr3t! b'}, l: ['s3cr3t!']},
      ['s3cr3t!'],
      {tags: {'****': 'a **** b'}, l: ['****']},
    ],
    ['a value JSON escapes', {m: 'x"y\\z1'}, ['x"y\\z1'], {m: '****'}],
    ['numbers, null, booleans untouched', {n: 1234, z: null, b: true}, ['1234'], {n: 1234, z: null, b: true}],
  ]
  for (const [what, doc, secrets, expected] of documents) {
    it(`redactedJson: ${what} (still one valid document)`, () => {
      expect(JSON.parse(redactedJson(doc, secrets))).to.deep.equal(expected)
    })
  }
  it('redactedJson: dates serialize as JSON.stringify does', () => {
    const date = new Date('2026-11-30T10:00:00.000Z')
    expect(redactedJson({date}, ['none'])).to.equal(JSON.stringify({date}, null, 2))
  })
})

describe('a failed child command', () => {
  const cases: Array<[ConstructorParameters<typeof ChildProcessError>[0], string]> = [
    [{command: 'flux bootstrap', exitCode: 1, tail: 'a | b'}, 'flux bootstrap failed (exit 1): a | b'],
    [{command: 'aws eks update-kubeconfig', exitCode: 255, tail: ''}, 'aws eks update-kubeconfig failed (exit 255)'],
    [
      {command: 'terraform plan', where: '/infra/staging', exitCode: 1, tail: 'Invalid value'},
      'terraform plan failed in /infra/staging (exit 1): Invalid value',
    ],
  ]
  for (const [failure, message] of cases) {
    it(message, () => {
      const error = new ChildProcessError(failure, {code: 'FLUX_BOOTSTRAP_FAILED', hint: 'h'})
      expect(error).to.be.instanceOf(OperationError)
      expect([error.message, error.code, error.hint, error.exitCode]).to.deep.equal([
        message,
        'FLUX_BOOTSTRAP_FAILED',
        'h',
        1,
      ])
      expect([error.command, error.childExitCode, error.outputTail]).to.deep.equal([
        failure.command,
        failure.exitCode,
        failure.tail,
      ])
      expect(toPikselError(error)).to.equal(error)
    })
  }
  it('is FAILED, as any failed operation, when the caller names no code', () => {
    expect(new ChildProcessError({command: 'x', exitCode: 3, tail: ''}).code).to.equal('FAILED')
  })
})

describe('errors: codes, causes and the mapping of foreign errors', () => {
  const codes: Array<[string, PikselError, string, number]> = [
    ['PikselError', new PikselError('x', 1), 'ERROR', 1],
    ['UsageError', new UsageError('x'), 'USAGE', 2],
    ['ConfigError', new ConfigError('x'), 'CONFIG', 2],
    ['OperationError', new OperationError('x'), 'FAILED', 1],
    ['CredentialsError', new CredentialsError('x'), 'CREDENTIALS', 1],
    ['CheckFailedError', new CheckFailedError('x'), 'CHECK_FAILED', 3],
    ['InterruptedError', new InterruptedError(), 'INTERRUPTED', 130],
  ]
  for (const [name, error, code, exit] of codes) {
    it(`${name}: code ${code}, exit ${exit}; a given code wins`, () => {
      expect([error.code, error.exitCode]).to.deep.equal([code, exit])
      expect(error).to.be.instanceOf(PikselError)
      expect('cause' in error).to.equal(false)
    })
  }

  it('a given code, hint and cause are kept', () => {
    const cause = new Error('root')
    for (const error of [
      new UsageError('m', {code: 'C', hint: 'h', cause}),
      new ConfigError('m', {code: 'C', hint: 'h', cause}),
      new CheckFailedError('m', {code: 'C', hint: 'h', cause}),
      new InterruptedError('m', {code: 'C', hint: 'h', cause}),
      new CredentialsError('m', {code: 'C', hint: 'h', cause}),
    ]) {
      expect([error.message, error.code, error.hint, error.cause]).to.deep.equal(['m', 'C', 'h', cause])
    }
    expect(new InterruptedError().message).to.equal('Interrupted.')
  })

  const foreign: Array<[string, unknown, {code: string; exit: number; message: string; hint?: string}]> = [
    [
      'an oclif parse error',
      Object.assign(new Error('Expected --env=dev\n  to be one of: a\nSee more help with --help'), {oclif: {exit: 2}}),
      {
        code: 'USAGE',
        exit: 2,
        message: 'Expected --env=dev\n  to be one of: a',
        hint: 'See --help for the flags this command takes.',
      },
    ],
    [
      "oclif's exit with a code (this.exit(3))",
      Object.assign(new Error('EEXIT: 3'), {code: 'EEXIT', oclif: {exit: 3}}),
      {code: 'EXIT', exit: 3, message: 'EEXIT: 3'},
    ],
    [
      "oclif's exit without a code",
      Object.assign(new Error('EEXIT'), {code: 'EEXIT'}),
      {code: 'EXIT', exit: 1, message: 'EEXIT'},
    ],
    [
      'an error with another code',
      Object.assign(new Error('nope'), {code: 'ENOENT'}),
      {code: 'BUG', exit: 1, message: 'Unexpected error (Error): nope'},
    ],
    [
      'an error without a message',
      new RangeError(''),
      {code: 'BUG', exit: 1, message: 'Unexpected error (RangeError)'},
    ],
    [
      'a long message: one line, its first',
      new Error('one  \n\n  two\nthree\nfour'),
      {code: 'BUG', exit: 1, message: 'Unexpected error (Error): one'},
    ],
    [
      'a line that mentions "See more help with" inside is kept',
      new Error('bad: See more help with --help'),
      {code: 'BUG', exit: 1, message: 'Unexpected error (Error): bad: See more help with --help'},
    ],
    ['a thrown string', 'boom', {code: 'BUG', exit: 1, message: 'Unexpected error (string): boom'}],
    ['a thrown object', {reason: 'x'}, {code: 'BUG', exit: 1, message: 'Unexpected error (object): [object Object]'}],
  ]
  for (const [what, thrown, expected] of foreign) {
    it(`maps ${what} to ${expected.code} (exit ${expected.exit})`, () => {
      const mapped = toPikselError(thrown)
      expect(mapped.code).to.equal(expected.code)
      expect(mapped.exitCode).to.equal(expected.exit)
      expect(mapped.message).to.equal(expected.message)
      if (expected.hint) expect(mapped.hint).to.equal(expected.hint)
      if (expected.code === 'BUG') expect(mapped.hint).to.include('re-run with --verbose and report')
      if (thrown instanceof Error) expect(mapped.cause).to.equal(thrown)
    })
  }

  it('redacts values of four characters or more, never shorter ones (they would mask ordinary words)', () => {
    expect(redact('pin abcd here', ['abcd'])).to.equal('pin **** here')
    expect(redact('the abc', ['abc'])).to.equal('the abc')
    expect(redact('a1 b2', ['a1', 'b2345', 'b2'])).to.equal('a1 b2')
  })
})

describe('errors: what the mapping keeps of a message', () => {
  it('a usage error from oclif keeps its first three non-empty lines', () => {
    const parse = Object.assign(new Error('one\n\ntwo\nthree\nfour\nSee more help with --help'), {oclif: {exit: 2}})
    expect(toPikselError(parse).message).to.equal('one\ntwo\nthree')
  })

  it('a BUG names the error, or what was thrown; blank lines are skipped', () => {
    expect(toPikselError(Object.assign(new Error('x'), {name: ''})).message).to.equal('Unexpected error (object): x')
    expect(toPikselError(new Error('   \n  the real line  \n')).message).to.equal(
      'Unexpected error (Error): the real line',
    )
    expect(toPikselError(new Error('')).message).to.equal('Unexpected error (Error)')
  })

  it('a network failure says so, and where to look', () => {
    const mapped = toPikselError(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443\nat x'), {code: 'ECONNREFUSED'}),
    )
    expect(mapped).to.include({
      message: 'Network error: connect ECONNREFUSED 127.0.0.1:6443',
      hint: 'Check the network, a VPN or proxy, and the endpoint (AWS_ENDPOINT_URL*, the kubeconfig server).',
    })
  })

  it('a usage error keeps a line that mentions "See more help with" inside it', () => {
    const parse = Object.assign(new Error('Expected a: See more help with y\nSee more help with --help'), {
      oclif: {exit: 2},
    })
    expect(toPikselError(parse).message).to.equal('Expected a: See more help with y')
  })

  it('a BUG keeps one line of the error, at most 300 characters of it', () => {
    const long = new Error(`${'x'.repeat(400)}\nsecond line`)
    expect(toPikselError(long).message).to.equal(`Unexpected error (Error): ${'x'.repeat(300)}`)
  })

  // Node's errno names of a connection that failed or broke (written out, not read from NETWORK_ERRNOS).
  for (const errno of [
    'ECONNREFUSED',
    'ECONNRESET',
    'ENOTFOUND',
    'EAI_AGAIN',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'ENETDOWN',
    'EPIPE',
    'ECONNABORTED',
  ]) {
    it(`an unmapped ${errno} is NETWORK (exit 1), not BUG`, () => {
      const mapped = toPikselError(Object.assign(new Error(`write ${errno}`), {code: errno}))
      expect([mapped.code, mapped.exitCode]).to.deep.equal(['NETWORK', 1])
    })
  }
})
