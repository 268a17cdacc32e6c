/**
 * The pure parts of --all-envs (lib/environments/fan-out.ts), table-driven: the usage
 * rules, the exit code of the whole run, the JSON envelope, the table with an ENV
 * column and the verdict lines.
 */
import {expect} from 'chai'

import {
  ALL_ENVIRONMENTS,
  type EnvironmentRow,
  allEnvironmentNames,
  allEnvironmentsExitCode,
  assertAllEnvsFlags,
  environmentsDocument,
  environmentsTable,
  rowExitCodes,
  sessionKey,
  verdictLines,
  withoutShellTarget,
} from '../../../src/lib/environments/fan-out.ts'
import {PikselError} from '../../../src/lib/errors.ts'

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
    return undefined
  } catch (error) {
    expect(error).to.be.instanceOf(PikselError)
    expect((error as PikselError).exitCode).to.equal(2)
    return (error as PikselError).code
  }
}

const mismatch = {
  code: 'ACCOUNT_MISMATCH',
  message:
    'Wrong AWS account: environment production is account 999999999999, but profile prod-piksel is account 123456789012. Nothing was changed.',
  hint: 'Use the profile for production (--profile or AWS_PROFILE), or fix environments.production.account in the config.',
}
type Result = {n: number}
const rows: Array<EnvironmentRow<Result>> = [
  {env: 'dev', result: {n: 1}},
  {env: 'production', error: mismatch, exitCode: 2},
  {env: 'staging', result: {n: 2}},
]

describe('--all-envs: the pure parts', () => {
  describe('allEnvironmentsExitCode: 1 if any environment could not run, else 3 if any found a problem, else 0', () => {
    const cases: Array<[number[], number]> = [
      [[], 0],
      [[0], 0],
      [[0, 0, 0], 0],
      [[0, 3], 3],
      [[3, 3], 3],
      [[0, 1], 1],
      [[3, 1], 1],
      [[1, 3], 1],
      // A per-environment usage error (ACCOUNT_MISMATCH, CLUSTER_MISMATCH) is that environment not run: 1, not 2.
      [[0, 2], 1],
      [[3, 2], 1],
      [[2, 2], 1],
      [[0, 130], 1],
    ]
    for (const [codes, expected] of cases) {
      it(`[${codes.join(', ')}] → ${expected}`, () => expect(allEnvironmentsExitCode(codes)).to.equal(expected))
    }
  })

  it('rowExitCodes: an error row gives its own code, a result the verdict', () => {
    expect(rowExitCodes(rows, (r) => (r.n === 2 ? 3 : 0))).to.deep.equal([0, 2, 3])
  })

  it('environmentsDocument: {environments: [{env, result} | {env, error}]}, in order, without exit codes', () => {
    expect(environmentsDocument(rows)).to.deep.equal({
      environments: [
        {env: 'dev', result: {n: 1}},
        {env: 'production', error: mismatch},
        {env: 'staging', result: {n: 2}},
      ],
    })
  })

  describe('environmentsTable', () => {
    it('puts ENV first, an error as one row with its code and message, shared rows first under (all)', () => {
      const table = environmentsTable(
        ['CHECK', 'STATUS', 'DETAIL'],
        rows,
        (r) => [
          ['a', 'pass', `n=${r.n}`],
          ['b', 'warn', 'x'],
        ],
        [['node', 'pass', 'v26']],
      )
      expect(table.headers).to.deep.equal(['ENV', 'CHECK', 'STATUS', 'DETAIL'])
      expect(table.rows).to.deep.equal([
        ['(all)', 'node', 'pass', 'v26'],
        ['dev', 'a', 'pass', 'n=1'],
        ['dev', 'b', 'warn', 'x'],
        ['production', 'error', '', `ACCOUNT_MISMATCH: ${mismatch.message}`],
        ['staging', 'a', 'pass', 'n=2'],
        ['staging', 'b', 'warn', 'x'],
      ])
    })

    it('fits an error to tables of one and two columns, and keeps only the first line of a message', () => {
      const error: Array<EnvironmentRow<Result>> = [
        {env: 'dev', error: {code: 'CONFIG', message: 'one\ntwo', hint: null}, exitCode: 2},
      ]
      expect(environmentsTable(['A'], error, () => []).rows).to.deep.equal([['dev', 'CONFIG: one']])
      expect(environmentsTable(['A', 'B'], error, () => []).rows).to.deep.equal([['dev', 'error', 'CONFIG: one']])
    })

    it('names shared rows so that no environment can be called that', () => {
      expect(ALL_ENVIRONMENTS).to.not.match(/^[a-z][a-z0-9-]*$/)
    })
  })

  it('verdictLines: one per environment; a failed one with its code, message and hint', () => {
    expect(verdictLines(rows, (r) => `ready (${r.n})`)).to.deep.equal([
      'dev: ready (1)',
      `production: error ACCOUNT_MISMATCH: ${mismatch.message}`,
      `            Hint: ${mismatch.hint}`,
      'staging: ready (2)',
    ])
    expect(
      verdictLines<Result>([{env: 'dev', error: {code: 'BUG', message: 'm', hint: null}, exitCode: 1}], () => ''),
    ).to.deep.equal(['dev: error BUG: m'])
    // A verdict of several lines (a result's hints): the others under the first, indented as a hint.
    expect(verdictLines(rows.slice(0, 1), () => 'not read (TIMEOUT: t)\nHint: h')).to.deep.equal([
      'dev: not read (TIMEOUT: t)',
      '     Hint: h',
    ])
  })

  describe('assertAllEnvsFlags: flags that pick one target are refused beside --all-envs', () => {
    const cases: Array<[string[], string[] | undefined, string | undefined]> = [
      [[], undefined, undefined],
      [['all-envs', 'json', 'kubeconfig', 'config'], undefined, undefined],
      [['all-envs', 'env'], undefined, 'CONFLICTING_FLAGS'],
      [['profile'], undefined, 'CONFLICTING_FLAGS'],
      [['region'], undefined, 'CONFLICTING_FLAGS'],
      [['context'], undefined, undefined],
      [['context'], ['context'], 'CONFLICTING_FLAGS'],
    ]
    for (const [typed, also, code] of cases) {
      it(`typed [${typed.join(', ')}]${also ? ` (also ${also.join(', ')})` : ''} → ${code ?? 'ok'}`, () => {
        expect(codeOf(() => assertAllEnvsFlags({typed: new Set(typed), alsoExclusive: also}))).to.equal(code)
      })
    }

    it('names every conflicting flag, -e as the user may have typed it', () => {
      try {
        assertAllEnvsFlags({typed: new Set(['env', 'region'])})
        expect.fail('refused')
      } catch (error) {
        expect((error as Error).message).to.equal(
          '--all-envs cannot be combined with -e/--env, --region: each environment uses its own.',
        )
      }
    })
  })

  describe('allEnvironmentNames', () => {
    const cases: Array<[string, {file?: string; environments: Record<string, unknown>}, string[] | string]> = [
      ['no config file', {environments: {dev: {}, staging: {}}}, 'ALL_ENVS_NO_CONFIG'],
      ['a config with environments: {}', {file: '/p/piksel.config.yaml', environments: {}}, 'NO_ENVIRONMENTS'],
      ['a config, in its order', {file: '/p/c.yaml', environments: {staging: {}, dev: {}}}, ['staging', 'dev']],
    ]
    for (const [what, settings, expected] of cases) {
      it(`${what} → ${String(expected)}`, () => {
        if (typeof expected === 'string') expect(codeOf(() => allEnvironmentNames(settings))).to.equal(expected)
        else expect(allEnvironmentNames(settings)).to.deep.equal(expected)
      })
    }
  })

  describe('withoutShellTarget: the shell’s profile and region are ignored, each said once', () => {
    const envs = [
      {name: 'dev', region: 'ap-southeast-3'},
      {name: 'staging', region: 'eu-west-1'},
    ]
    const cases: Array<[string, NodeJS.ProcessEnv, string[]]> = [
      ['nothing set', {HOME: '/h'}, []],
      [
        'AWS_PROFILE',
        {AWS_PROFILE: 'shell'},
        ['AWS_PROFILE=shell in the shell is ignored under --all-envs: each environment uses its own profile.'],
      ],
      [
        'AWS_REGION that one environment does not use',
        {AWS_REGION: 'ap-southeast-3'},
        [
          'AWS_REGION=ap-southeast-3 in the shell is ignored under --all-envs: each environment uses its own region (staging eu-west-1).',
        ],
      ],
      [
        'AWS_REGION and AWS_DEFAULT_REGION that no environment uses, and AWS_PROFILE',
        {AWS_PROFILE: 'p', AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-west-2'},
        [
          'AWS_PROFILE=p in the shell is ignored under --all-envs: each environment uses its own profile.',
          'AWS_REGION=us-east-1 in the shell is ignored under --all-envs: each environment uses its own region (dev ap-southeast-3, staging eu-west-1).',
          'AWS_DEFAULT_REGION=us-west-2 in the shell is ignored under --all-envs: each environment uses its own region (dev ap-southeast-3, staging eu-west-1).',
        ],
      ],
      ['an empty AWS_REGION', {AWS_REGION: ''}, []],
    ]
    for (const [what, vars, warnings] of cases) {
      it(`${what} → ${warnings.length} warning(s)`, () => {
        const out = withoutShellTarget(vars, envs)
        expect(out.warnings).to.deep.equal(warnings)
        expect(Object.keys(out.vars).filter((k) => k.startsWith('AWS_'))).to.deep.equal([])
      })
    }
    it('keeps credentials in the environment and leaves its input alone', () => {
      const vars = {AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's', AWS_PROFILE: 'p', AWS_REGION: 'us-east-1'}
      expect(withoutShellTarget(vars, envs).vars).to.deep.equal({AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's'})
      expect(vars).to.include({AWS_PROFILE: 'p', AWS_REGION: 'us-east-1'})
    })
  })

  describe('sessionKey: the same profile in the same region is the same caller', () => {
    const cases: Array<[Parameters<typeof sessionKey>[0], Parameters<typeof sessionKey>[0], boolean]> = [
      [
        {profile: 'dev-piksel', profileSource: 'config', region: 'ap-southeast-3'},
        {profile: 'dev-piksel', profileSource: 'AWS_PROFILE', region: 'ap-southeast-3'},
        true,
      ],
      [
        {profile: 'dev-piksel', profileSource: 'config', region: 'ap-southeast-3'},
        {profile: 'prod-piksel', profileSource: 'config', region: 'ap-southeast-3'},
        false,
      ],
      [
        {profile: 'dev-piksel', profileSource: 'config', region: 'ap-southeast-3'},
        {profile: 'dev-piksel', profileSource: 'config', region: 'eu-west-1'},
        false,
      ],
      [
        {profileSource: 'environment', region: 'ap-southeast-3'},
        {profileSource: 'environment', region: 'ap-southeast-3'},
        true,
      ],
      [
        {profileSource: 'environment', region: 'ap-southeast-3'},
        {profileSource: 'default', region: 'ap-southeast-3'},
        false,
      ],
      // A profile named like a source is still a profile.
      [
        {profile: 'environment', profileSource: 'flag', region: 'r'},
        {profileSource: 'environment', region: 'r'},
        false,
      ],
    ]
    for (const [a, b, same] of cases) {
      it(`${JSON.stringify(a)} ${same ? '=' : '≠'} ${JSON.stringify(b)}`, () =>
        expect(sessionKey(a) === sessionKey(b)).to.equal(same))
    }
  })
})
