import {expect} from 'chai'

import {
  CheckFailedError,
  ConfigError,
  CredentialsError,
  ExitCode,
  InterruptedError,
  OperationError,
  UsageError,
  bugHint,
  redact,
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
})
