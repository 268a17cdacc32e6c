/**
 * The shared flag vocabulary (lib/flags.ts) through oclif's own parser: what a
 * command receives, and the error (exit 2, stable code, the message as the
 * commands have always given it) for a bad value.
 */
import {Parser} from '@oclif/core'
import {expect} from 'chai'

import {stepList} from '../../src/lib/bootstrap/steps.ts'
import {countValue} from '../../src/lib/counts.ts'
import {PikselError} from '../../src/lib/errors.ts'
import {
  countFlag,
  durationDefault,
  durationFlag,
  listFlag,
  unwrapFlagError,
  withOptionalValue,
} from '../../src/lib/flags.ts'
import {MIN_COUNT, parseFamilies} from '../../src/lib/quota/gpu.ts'

const flags = {
  timeout: durationFlag({summary: 't', ...durationDefault('5m')}),
  'request-timeout': durationFlag({summary: 'r', minMs: 100, maxMs: 3_600_000}),
  family: listFlag({summary: 'f', check: (given) => parseFamilies([given])}),
  only: listFlag({summary: 'o', check: (given, flag) => stepList(flag, given)}),
  min: countFlag({summary: 'm', ...MIN_COUNT}),
}

async function parse(argv: string[]) {
  try {
    return (await Parser.parse(argv, {flags})).flags
  } catch (error) {
    throw unwrapFlagError(error)
  }
}

async function refusal(argv: string[]): Promise<PikselError> {
  try {
    await parse(argv)
  } catch (error) {
    expect(error).to.be.instanceOf(PikselError)
    expect((error as PikselError).exitCode).to.equal(2)
    return error as PikselError
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`)
}

describe('shared flags, parsed by oclif', () => {
  it('typed values: milliseconds, one checked list per occurrence, a number', async () => {
    const parsed = await parse([
      '--timeout',
      '1m5s',
      '--family',
      'G,p',
      '--family',
      'inf',
      '--only',
      'flux',
      '--min',
      '+8',
    ])
    expect(parsed.timeout).to.equal(65_000)
    expect(parsed.family).to.deep.equal([['g', 'p'], ['inf']])
    expect(parsed.only).to.deep.equal([['flux']])
    expect(parsed.min).to.equal(8)
  })

  it('defaults: a duration default as typed; absent lists and counts are undefined', async () => {
    const parsed = await parse([])
    expect([parsed.timeout, parsed.family, parsed.only, parsed.min]).to.deep.equal([
      300_000,
      undefined,
      undefined,
      undefined,
    ])
    expect(await (flags.timeout.defaultHelp as () => Promise<string>)()).to.equal('5m')
  })

  const refused: Array<[string[], string, string]> = [
    [['--timeout', 'soon'], 'BAD_DURATION', '--timeout "soon" is not a duration.'],
    [['--timeout=0s'], 'BAD_DURATION', '--timeout "0s" is not a duration: it must be more than zero.'],
    [['--request-timeout', '2h'], 'BAD_DURATION', '--request-timeout "2h" is not a duration between 100ms and 1h.'],
    [
      ['--family', 'g,'],
      'INVALID_FLAG',
      '--family: an empty value is not a GPU family. Use one or more of: g, p, inf, trn, dl.',
    ],
    [
      ['--family', 'g', '--family', 'gpu'],
      'INVALID_FLAG',
      '--family: "gpu" is not a GPU family. Use one or more of: g, p, inf, trn, dl.',
    ],
    [['--only', ','], 'EMPTY_STEP', '--only ",": an empty step name (--only takes step ids, comma-separated).'],
    [['--only', 'flux,helm,kube'], 'UNKNOWN_STEP', '--only: unknown step "helm", "kube".'],
    [['--min', '0'], 'INVALID_FLAG', '--min: "0" is not a positive whole number of vCPUs.'],
    [['--min', '1.5'], 'INVALID_FLAG', '--min: "1.5" is not a positive whole number of vCPUs.'],
  ]
  for (const [argv, code, message] of refused) {
    it(`${argv.join(' ')}: exit 2 ${code}, "${message}"`, async () => {
      const error = await refusal(argv)
      expect([error.code, error.message]).to.deep.equal([code, message])
    })
  }

  it('leaves an error that is not ours as oclif made it', () => {
    const error = new Error('Parsing --x \n\tboom\nSee more help with --help')
    expect((unwrapFlagError(error) as Error).message).to.equal(error.message)
  })
})

describe('counts', () => {
  const cases: Array<[string, number | undefined, string | undefined]> = [
    ['8', 1, undefined],
    [' 8 ', 1, undefined],
    ['+8', 1, undefined],
    ['1', 1, undefined],
    ['0', 1, '--n: "0" is not a positive whole number of things.'],
    ['-1', 1, '--n: "-1" is not a positive whole number of things.'],
    ['1e3', 1, '--n: "1e3" is not a positive whole number of things.'],
    ['9007199254740993', 1, '--n: "9007199254740993" is not a positive whole number of things.'],
    ['2', 3, '--n: "2" is not a whole number of at least 3 of things.'],
  ]
  for (const [text, min, message] of cases) {
    it(`${JSON.stringify(text)} (min ${min}): ${message ?? 'taken'}`, () => {
      const count = () => countValue(text, '--n', {unit: 'things', hint: 'h', min})
      if (message === undefined) expect(count()).to.equal(Number(text.trim()))
      else expect(count).to.throw(PikselError, message)
    })
  }
})

describe('withOptionalValue (a flag whose value may be left out)', () => {
  const cases: Array<[string[], string[]]> = [
    [['--from-gitops'], ['--from-gitops=']],
    [
      ['--from-gitops', '--json'],
      ['--from-gitops=', '--json'],
    ],
    [
      ['--from-gitops', 'dir', '--json'],
      ['--from-gitops', 'dir', '--json'],
    ],
    [['--from-gitops=dir'], ['--from-gitops=dir']],
    [
      ['-e', 'dev', '--from-gitops', '-y'],
      ['-e', 'dev', '--from-gitops=', '-y'],
    ],
    [
      ['--', '--from-gitops'],
      ['--', '--from-gitops'],
    ],
    [['--json'], ['--json']],
  ]
  for (const [argv, want] of cases) {
    it(`${argv.join(' ')} → ${want.join(' ')}`, () =>
      expect(withOptionalValue(argv, '--from-gitops')).to.deep.equal(want))
  }
})
