/**
 * Which region, table-driven (README "Which region"): --region on the command line,
 * then the environment's region, then (without one) the config's `region:`, then
 * AWS_REGION, AWS_DEFAULT_REGION, then ap-southeast-3. One rule for a region's shape.
 */
import {expect} from 'chai'

import {type RegionChoice, type RegionInputs, resolveRegion, resolveSession} from '../../src/lib/aws/session.ts'
import {assertRegion, isRegion} from '../../src/lib/config/region.ts'
import {PikselError} from '../../src/lib/errors.ts'

const staging = {name: 'staging', region: 'ap-southeast-3'}
const base = {fallback: 'ap-southeast-3', vars: {}}

describe('resolveRegion: precedence', () => {
  const cases: Array<[string, RegionInputs, RegionChoice]> = [
    [
      '--region beats the environment and the shell, without a note',
      {...base, flag: 'eu-west-1', env: staging, vars: {AWS_REGION: 'us-east-1'}},
      {region: 'eu-west-1', source: 'flag'},
    ],
    [
      "-e: the environment's region beats AWS_REGION, and says so",
      {...base, env: staging, vars: {AWS_REGION: 'eu-west-1'}},
      {
        region: 'ap-southeast-3',
        source: 'environment',
        note: 'Using region ap-southeast-3 (environment staging); AWS_REGION=eu-west-1 in the shell is ignored. Pass --region to use another.',
      },
    ],
    [
      "-e: the environment's region beats AWS_DEFAULT_REGION, and says so",
      {...base, env: {name: 'dev', region: 'ap-southeast-1'}, vars: {AWS_DEFAULT_REGION: 'us-west-2'}},
      {
        region: 'ap-southeast-1',
        source: 'environment',
        note: 'Using region ap-southeast-1 (environment dev); AWS_DEFAULT_REGION=us-west-2 in the shell is ignored. Pass --region to use another.',
      },
    ],
    [
      '-e: both shell variables disagree: one note naming both',
      {...base, env: staging, vars: {AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-east-1'}},
      {
        region: 'ap-southeast-3',
        source: 'environment',
        note: 'Using region ap-southeast-3 (environment staging); AWS_REGION=eu-west-1 and AWS_DEFAULT_REGION=us-east-1 in the shell are ignored. Pass --region to use another.',
      },
    ],
    [
      '-e: a shell variable that agrees is not noted',
      {...base, env: staging, vars: {AWS_REGION: 'ap-southeast-3'}},
      {region: 'ap-southeast-3', source: 'environment'},
    ],
    [
      '-e: only the disagreeing variable is named',
      {...base, env: staging, vars: {AWS_REGION: 'ap-southeast-3', AWS_DEFAULT_REGION: 'eu-central-1'}},
      {
        region: 'ap-southeast-3',
        source: 'environment',
        note: 'Using region ap-southeast-3 (environment staging); AWS_DEFAULT_REGION=eu-central-1 in the shell is ignored. Pass --region to use another.',
      },
    ],
    [
      "no -e: the config file's region beats AWS_REGION, and says so",
      {...base, configRegion: 'ap-southeast-1', vars: {AWS_REGION: 'eu-west-1'}},
      {
        region: 'ap-southeast-1',
        source: 'config',
        note: 'Using region ap-southeast-1 (the config file); AWS_REGION=eu-west-1 in the shell is ignored. Pass --region to use another.',
      },
    ],
    [
      'no -e, no config region: AWS_REGION (the usual AWS order)',
      {...base, vars: {AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-east-1'}},
      {region: 'eu-west-1', source: 'AWS_REGION'},
    ],
    [
      'no -e, no config region: then AWS_DEFAULT_REGION',
      {...base, vars: {AWS_DEFAULT_REGION: 'us-east-1'}},
      {region: 'us-east-1', source: 'AWS_DEFAULT_REGION'},
    ],
    [
      'an empty AWS_REGION is unset',
      {...base, vars: {AWS_REGION: '', AWS_DEFAULT_REGION: 'us-east-1'}},
      {region: 'us-east-1', source: 'AWS_DEFAULT_REGION'},
    ],
    ['nothing at all: ap-southeast-3', {...base}, {region: 'ap-southeast-3', source: 'default'}],
    [
      '-e: a malformed AWS_REGION is ignored like any other, not refused',
      {...base, env: staging, vars: {AWS_REGION: 'EU-WEST-1'}},
      {
        region: 'ap-southeast-3',
        source: 'environment',
        note: 'Using region ap-southeast-3 (environment staging); AWS_REGION=EU-WEST-1 in the shell is ignored. Pass --region to use another.',
      },
    ],
  ]
  for (const [what, inputs, expected] of cases) {
    it(what, () => {
      expect(resolveRegion(inputs)).to.deep.equal(expected)
    })
  }

  const refused: Array<[string, RegionInputs, RegExp]> = [
    [
      '--region EU-WEST-1',
      {...base, flag: 'EU-WEST-1', env: staging},
      /^--region "EU-WEST-1": .*Did you mean eu-west-1\?/,
    ],
    ['--region eu-west', {...base, flag: 'eu-west'}, /^--region "eu-west": must look like an AWS region/],
    ['an empty --region', {...base, flag: ''}, /^--region "": must look like an AWS region/],
    ['AWS_REGION used without -e', {...base, vars: {AWS_REGION: 'Mars-1'}}, /^AWS_REGION "Mars-1"/],
    ['AWS_DEFAULT_REGION used', {...base, vars: {AWS_DEFAULT_REGION: 'us_east_1'}}, /^AWS_DEFAULT_REGION "us_east_1"/],
  ]
  for (const [what, inputs, message] of refused) {
    it(`refuses ${what}: exit 2, INVALID_REGION`, () => {
      let caught: unknown
      try {
        resolveRegion(inputs)
      } catch (error) {
        caught = error
      }
      expect(caught).to.be.instanceOf(PikselError)
      expect(caught).to.include({code: 'INVALID_REGION', exitCode: 2})
      expect((caught as Error).message).to.match(message)
    })
  }

  it('the refusal in full: a lowercase suggestion only when lowercasing makes a region', () => {
    const refusal = (flag: string) => {
      try {
        resolveRegion({...base, flag})
      } catch (error) {
        return error as PikselError
      }
      throw new Error(`${flag} was accepted`)
    }
    expect(refusal('EU-WEST-1')).to.include({
      message:
        '--region "EU-WEST-1": must look like an AWS region, e.g. ap-southeast-3 (lowercase). Did you mean eu-west-1?',
      hint: 'Pass a region as AWS writes it, e.g. --region ap-southeast-3.',
    })
    expect(refusal('EU-WEST').message).to.equal(
      '--region "EU-WEST": must look like an AWS region, e.g. ap-southeast-3 (lowercase).',
    )
    expect(refusal('eu-west').message).to.equal(
      '--region "eu-west": must look like an AWS region, e.g. ap-southeast-3 (lowercase).',
    )
  })

  it('an environment without a name is named "environment" in the note', () => {
    expect(resolveRegion({...base, env: {region: 'ap-southeast-3'}, vars: {AWS_REGION: 'us-east-1'}}).note).to.equal(
      'Using region ap-southeast-3 (environment); AWS_REGION=us-east-1 in the shell is ignored. Pass --region to use another.',
    )
  })

  it('resolveSession carries the region, its source and the note', () => {
    const session = resolveSession({
      env: {name: 'staging', profile: 'staging-piksel', region: 'ap-southeast-3'},
      defaultRegion: 'ap-southeast-3',
      vars: {AWS_REGION: 'eu-west-1'},
    })
    expect(session).to.include({region: 'ap-southeast-3', regionSource: 'environment', profile: 'staging-piksel'})
    expect(session.regionNote).to.match(/AWS_REGION=eu-west-1 in the shell is ignored/)
  })
})

describe('one rule for a region name (config schema and --region)', () => {
  const cases: Array<[string, boolean]> = [
    ['ap-southeast-3', true],
    ['us-gov-west-1', true],
    ['us-isob-east-1', true],
    ['eu-central-2', true],
    ['EU-WEST-1', false],
    ['eu-west', false],
    ['eu-west-1 ', false],
    ['ap-southeast-31', false],
    ['apx-southeast-3', false],
    ['a-east-1', false],
    ['eu-isoe-west-1', true],
    ['us-isof-south-1', true],
    ['us-iso-east-1', true],
    ['', false],
  ]
  for (const [value, ok] of cases) {
    it(`${JSON.stringify(value)} is ${ok ? '' : 'not '}a region`, () => {
      expect(isRegion(value)).to.equal(ok)
      if (ok) expect(() => assertRegion(value, '--region')).not.to.throw()
      else expect(() => assertRegion(value, '--region')).to.throw(/must look like an AWS region/)
    })
  }

  it('the config schema uses the same rule', async () => {
    const {configSchema} = await import('../../src/lib/config/schema.ts')
    for (const [value, ok] of cases) {
      expect(configSchema.safeParse({region: value}).success, value).to.equal(ok)
    }
  })
})
