/**
 * The one duration parser and formatter (lib/duration.ts) behind `status --timeout`,
 * `bootstrap --timeout` and `--request-timeout`. The tables are the union of the
 * three parsers they replace (status, bootstrap, request timeouts), so every value
 * any of them took is still taken, and every value any of them refused (but the
 * bootstrap timeouts in milliseconds, now taken as status took them) is refused.
 */
import {expect} from 'chai'

import {durationValue, formatDuration, parseDuration} from '../../src/lib/duration.ts'
import {UsageError} from '../../src/lib/errors.ts'

function usage(fn: () => unknown): UsageError {
  try {
    fn()
  } catch (error) {
    expect(error).to.be.instanceOf(UsageError)
    expect((error as UsageError).exitCode).to.equal(2)
    return error as UsageError
  }
  throw new Error('expected a UsageError')
}

describe('durations: one parser, one formatter', () => {
  const parsed: Array<[string, number]> = [
    ['5m', 300_000],
    ['90s', 90_000],
    ['90', 90_000],
    ['45', 45_000],
    [' 90 ', 90_000],
    [' 2m ', 120_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['12h', 43_200_000],
    ['1h30m', 5_400_000],
    ['2m5s', 125_000],
    ['10m30s', 630_000],
    ['1m30s', 90_000],
    ['1500ms', 1500],
    ['100ms', 100],
    ['2.5s', 2500],
    ['1.5h', 5_400_000],
    ['1h2m3s4ms', 3_723_004],
    ['0s', 0],
    ['0', 0],
  ]
  for (const [text, ms] of parsed) {
    it(`${JSON.stringify(text)} is ${ms} ms`, () => expect(parseDuration(text)).to.equal(ms))
  }

  const malformed = [
    '',
    ' ',
    'soon',
    '5 minutes',
    '5 m',
    'm5',
    '5x',
    '10x',
    '5mx',
    '-1s',
    '-1m',
    '1d',
    '1e3',
    '0x10',
    '1h30',
    // Largest unit first, each once (as Go writes them): an unordered or repeated unit is a typo.
    '30s1h',
    '1s1m',
    '1m1m',
    '1.s',
  ]
  for (const text of malformed) {
    it(`${JSON.stringify(text)} is not a duration`, () => expect(parseDuration(text)).to.equal(undefined))
  }

  const formatted: Array<[number, string]> = [
    [0, '0ms'],
    [12, '12ms'],
    [500, '500ms'],
    [999.6, '1s'],
    [1000, '1s'],
    [1500, '1.5s'],
    [3000, '3s'],
    [12_345, '12.3s'],
    [20_000, '20s'],
    [59_949, '59.9s'],
    [59_950, '1m'],
    [60_000, '1m'],
    [61_000, '1m1s'],
    [65_000, '1m5s'],
    [90_000, '1m30s'],
    [300_000, '5m'],
    [3_599_000, '59m59s'],
    [3_600_000, '1h'],
    [5_400_000, '1h30m'],
    [7_205_000, '2h5s'],
  ]
  for (const [ms, text] of formatted) it(`${ms} ms is written ${text}`, () => expect(formatDuration(ms)).to.equal(text))

  it('what it writes, it reads back', () => {
    for (const [ms, text] of formatted.filter(([ms]) => Number.isInteger(ms) && (ms < 1000 || ms % 1000 === 0))) {
      expect(parseDuration(text), text).to.equal(ms)
    }
  })

  describe('a duration flag’s value (BAD_DURATION, exit 2, naming the flag and what was typed)', () => {
    const refused: Array<[string, Parameters<typeof durationValue>[2], string]> = [
      ['soon', {}, '--timeout "soon" is not a duration.'],
      ['', {}, '--timeout "" is not a duration.'],
      ['30s1h', {}, '--timeout "30s1h" is not a duration.'],
      ['0s', {}, '--timeout "0s" is not a duration: it must be more than zero.'],
      ['0m', {}, '--timeout "0m" is not a duration: it must be more than zero.'],
      ['0', {}, '--timeout "0" is not a duration: it must be more than zero.'],
      ['500ms', {minMs: 1000}, '--timeout "500ms" is not a duration: it must be at least 1s.'],
      ['99ms', {minMs: 100, maxMs: 3_600_000}, '--timeout "99ms" is not a duration between 100ms and 1h.'],
      ['1h1s', {minMs: 100, maxMs: 3_600_000}, '--timeout "1h1s" is not a duration between 100ms and 1h.'],
      ['soon', {minMs: 100, maxMs: 3_600_000}, '--timeout "soon" is not a duration between 100ms and 1h.'],
    ]
    for (const [text, bounds, message] of refused) {
      it(`${JSON.stringify(text)} ${JSON.stringify(bounds)}: ${message}`, () => {
        const error = usage(() => durationValue(text, '--timeout', bounds))
        expect([error.message, error.code]).to.deep.equal([message, 'BAD_DURATION'])
        expect(error.hint).to.match(/15m/)
      })
    }

    it('takes what the bounds allow, and a hint of its own', () => {
      expect(durationValue('1500ms', '--timeout')).to.equal(1500)
      expect(durationValue('1h', '--x', {minMs: 100, maxMs: 3_600_000})).to.equal(3_600_000)
      expect(durationValue('100ms', '--x', {minMs: 100, maxMs: 3_600_000})).to.equal(100)
      expect(usage(() => durationValue('x', '--x', {hint: 'mine'})).hint).to.equal('mine')
    })
  })
})
