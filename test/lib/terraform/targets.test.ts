import {expect} from 'chai'

import {
  type ConfigModule,
  addressWithinTarget,
  closestAddress,
  configurationAddresses,
  instanceTargetsWithoutMatch,
  invalidTargets,
  parseAddress,
  targetsNotInConfiguration,
  unmatchedTargetsError,
} from '../../../src/lib/terraform/targets.ts'

/** The `configuration.root_module` Terraform 1.11 prints for a root like piksel-infra's, trimmed to what matters. */
const ROOT: ConfigModule = {
  resources: [
    {address: 'terraform_data.vpc', mode: 'managed', type: 'terraform_data', name: 'vpc'},
    {address: 'terraform_data.app', mode: 'managed', type: 'terraform_data', name: 'app'},
    {address: 'data.aws_caller_identity.current', mode: 'data', type: 'aws_caller_identity', name: 'current'},
  ],
  module_calls: {
    eks: {
      module: {
        resources: [{address: 'aws_eks_cluster.this', mode: 'managed', type: 'aws_eks_cluster', name: 'this'}],
        module_calls: {karpenter: {module: {resources: [{mode: 'managed', type: 'helm_release', name: 'karpenter'}]}}},
      },
    },
    remote: {},
  },
}
const show = {configuration: {root_module: ROOT}}

describe('phase targets', () => {
  const parsed: Array<[string, ReturnType<typeof parseAddress>]> = [
    ['terraform_data.vpc', {modules: [], resource: {mode: 'managed', type: 'terraform_data', name: 'vpc'}}],
    [
      'terraform_data.app[0]',
      {modules: [], resource: {mode: 'managed', type: 'terraform_data', name: 'app', key: '0'}},
    ],
    ['module.eks', {modules: [{name: 'eks'}]}],
    [
      'module.eks["a.b"].aws_eks_cluster.this',
      {modules: [{name: 'eks', key: '"a.b"'}], resource: {mode: 'managed', type: 'aws_eks_cluster', name: 'this'}},
    ],
    [
      'data.aws_caller_identity.current',
      {modules: [], resource: {mode: 'data', type: 'aws_caller_identity', name: 'current'}},
    ],
    ['module.eks.module.karpenter', {modules: [{name: 'eks'}, {name: 'karpenter'}]}],
    ['terraform_data', undefined],
    ['terraform_data.', undefined],
    ['module.', undefined],
    ['terraform_data.vpc[', undefined],
    ['terraform_data.vpc.extra', undefined],
    ['module.eks.', undefined],
    ['module.eks.module.karpenter.', undefined],
    ['1abc.vpc', undefined],
    ['terraform_data.2x', undefined],
    ['module.m[abc]', undefined],
    ['module.m[0]xterraform_data.vpc', undefined],
    ['terraform_data.app[abc]', undefined],
    ['  terraform_data.vpc  ', {modules: [], resource: {mode: 'managed', type: 'terraform_data', name: 'vpc'}}],
    [
      'terraform_data.app[10]',
      {modules: [], resource: {mode: 'managed', type: 'terraform_data', name: 'app', key: '10'}},
    ],
    ['ephemeral.random_password.db', {modules: [], resource: {mode: 'ephemeral', type: 'random_password', name: 'db'}}],
    ['', undefined],
  ]
  for (const [text, expected] of parsed) {
    it(`parses ${JSON.stringify(text)}`, () => expect(parseAddress(text)).to.deep.equal(expected))
  }

  const checks: Array<[string, string, string | undefined]> = [
    ['terraform_data.vpc', 'ok', undefined],
    ['terraform_data.app[3]', 'ok (instance keys are checked against the plan)', undefined],
    ['terraform_data.vcp', 'a typo', 'terraform_data.vpc'],
    ['module.eks', 'ok', undefined],
    ['module.eks.aws_eks_cluster.this', 'ok', undefined],
    ['module.eks.module.karpenter.helm_release.karpenter', 'ok', undefined],
    ['module.eks.aws_eks_cluster.that', 'a missing resource in a module', 'module.eks.aws_eks_cluster.this'],
    ['module.network', 'a missing module', undefined],
    ['module.ek', 'a typo of a module', 'module.eks'],
    ['aws_caller_identity.current', 'a data source named without data.', 'data.aws_caller_identity.current'],
    ['data.aws_caller_identity.current', 'ok', undefined],
    [
      'module.remote.aws_s3_bucket.x',
      'ok (a module whose configuration is not in the JSON cannot be checked)',
      undefined,
    ],
  ]
  for (const [target, what, suggestion] of checks) {
    it(`${target}: ${what}`, () => {
      const unmatched = targetsNotInConfiguration([{name: 'p', targets: [target]}], show)
      if (what.startsWith('ok')) expect(unmatched).to.deep.equal([])
      else {
        expect(unmatched).to.have.length(1)
        expect(unmatched[0]).to.include({phase: 'p', target, reason: 'not-in-configuration'})
        expect(unmatched[0]!.suggestion).to.equal(suggestion)
      }
    })
  }

  it('finds malformed targets without any configuration', () => {
    expect(invalidTargets([{name: 'a', targets: ['terraform_data.vpc', 'terraform_data', 'module.']}])).to.deep.equal([
      {phase: 'a', target: 'terraform_data', reason: 'invalid'},
      {phase: 'a', target: 'module.', reason: 'invalid'},
    ])
  })

  const within: Array<[string, string, boolean]> = [
    ['terraform_data.app[0]', 'terraform_data.app', true],
    ['terraform_data.app[0]', 'terraform_data.app[0]', true],
    ['terraform_data.app[1]', 'terraform_data.app[0]', false],
    ['module.eks.aws_eks_cluster.this', 'module.eks', true],
    ['module.eks.module.karpenter.helm_release.karpenter', 'module.eks', true],
    ['module.eks["b"].aws_eks_cluster.this', 'module.eks["a"]', false],
    ['module.eks["a"].aws_eks_cluster.this', 'module.eks["a"]', true],
    ['module.eks["a"].aws_eks_cluster.this', 'module.eks', true],
    ['module.eks[0].module.karpenter["x"].helm_release.karpenter', 'module.eks.module.karpenter', true],
    ['terraform_data.vpc', 'module.eks', false],
    ['module.eks.terraform_data.vpc', 'terraform_data.vpc', false],
    ['data.x.y', 'x.y', false],
    ['terraform_data.vpc', 'terraform_data.app', false],
    ['aws_instance.vpc', 'terraform_data.vpc', false],
    ['module.other.aws_eks_cluster.this', 'module.eks', false],
    ['not an address', 'terraform_data.vpc', false],
    ['terraform_data.vpc', 'module.', false],
  ]
  for (const [address, target, expected] of within) {
    it(`${address} ${expected ? 'is' : 'is not'} within ${target}`, () =>
      expect(addressWithinTarget(address, target)).to.equal(expected))
  }

  it('a target with an instance key must match an instance of its phase plan', () => {
    const phase = {name: 'apps', targets: ['terraform_data.app[3]', 'terraform_data.app[0]', 'terraform_data.vpc']}
    expect(instanceTargetsWithoutMatch(phase, ['terraform_data.app[0]', 'terraform_data.vpc'])).to.deep.equal([
      {phase: 'apps', target: 'terraform_data.app[3]', reason: 'no-instance'},
    ])
  })

  it('only targets with an instance key are checked against the plan (the others against the configuration)', () => {
    const phase = {name: 'apps', targets: ['terraform_data.gone', 'module.empty', 'terraform_data.app[9]']}
    expect(instanceTargetsWithoutMatch(phase, ['terraform_data.app[0]'])).to.deep.equal([
      {phase: 'apps', target: 'terraform_data.app[9]', reason: 'no-instance'},
    ])
  })

  it('a configuration resource without a mode is a managed one', () => {
    const bare = {configuration: {root_module: {resources: [{type: 'terraform_data', name: 'legacy'}]}}}
    expect(targetsNotInConfiguration([{name: 'p', targets: ['terraform_data.legacy']}], bare)).to.deep.equal([])
    expect(targetsNotInConfiguration([{name: 'p', targets: ['data.terraform_data.legacy']}], bare)).to.have.length(1)
  })

  it('a configuration without module calls, resources or a configuration at all', () => {
    const flat = {configuration: {root_module: {resources: [{mode: 'managed', type: 'aws_instance', name: 'vpc'}]}}}
    const unmatched = (target: string, show: Parameters<typeof targetsNotInConfiguration>[1]) =>
      targetsNotInConfiguration([{name: 'p', targets: [target]}], show).map((u) => u.reason)
    expect(unmatched('module.eks', flat)).to.deep.equal(['not-in-configuration'])
    expect(unmatched('terraform_data.vpc', flat)).to.deep.equal(['not-in-configuration'])
    expect(unmatched('aws_instance.vpc', flat)).to.deep.equal([])
    const bare = {configuration: {root_module: {module_calls: {empty: {module: {}}}}}}
    expect(unmatched('module.empty.aws_instance.x', bare)).to.deep.equal(['not-in-configuration'])
    expect(unmatched('module.empty', bare)).to.deep.equal([])
    expect(unmatched('terraform_data', flat)).to.deep.equal(['invalid'])
    // No configuration section (an older Terraform): nothing can be checked.
    expect(targetsNotInConfiguration([{name: 'p', targets: ['module.eks']}], {})).to.deep.equal([])
  })

  it('lists every address the configuration declares, modes and modules included', () => {
    const root: ConfigModule = {
      resources: [
        {mode: 'managed', type: 'terraform_data', name: 'vpc'},
        {mode: 'data', type: 'aws_caller_identity', name: 'current'},
        {mode: 'ephemeral', type: 'random_password', name: 'db'},
      ],
      module_calls: {
        eks: {module: {resources: [{mode: 'managed', type: 'aws_eks_cluster', name: 'this'}]}},
        remote: {},
      },
    }
    expect(configurationAddresses(root)).to.deep.equal([
      'terraform_data.vpc',
      'data.aws_caller_identity.current',
      'ephemeral.random_password.db',
      'module.eks',
      'module.eks.aws_eks_cluster.this',
      'module.remote',
    ])
  })

  it('the closest address: the first of equally close ones, a swap of neighbours costing one, keys ignored', () => {
    expect(closestAddress('abcdefghij', ['bacdefghij', 'abcdefghiz'])).to.equal('bacdefghij')
    expect(closestAddress('abcdefghij', ['abcdefghiz', 'bacdefghij'])).to.equal('abcdefghiz')
    expect(closestAddress('terraform_data.vcp["a"]', ['terraform_data.app', 'terraform_data.vpc'])).to.equal(
      'terraform_data.vpc',
    )
    expect(closestAddress('terraform_data.vcp[0]', ['terraform_data.vpc'])).to.equal('terraform_data.vpc')
    // Within max(2, a fifth of the length): 18 characters allow 3 edits, not 4.
    expect(closestAddress('terraform_data.vpc', ['terraform_data.vpcxyz'])).to.equal('terraform_data.vpcxyz')
    expect(closestAddress('terraform_data.vpc', ['terraform_data.vpcwxyz'])).to.equal(undefined)
    expect(closestAddress('ab', ['abcd'])).to.equal('abcd')
    expect(closestAddress('ab', ['abcde'])).to.equal(undefined)
    expect(closestAddress('', ['ab'])).to.equal('ab')
    expect(closestAddress('x', [])).to.equal(undefined)
  })

  it('suggests only what is close enough to be a typo', () => {
    expect(closestAddress('terraform_data.vcp', ['terraform_data.app', 'terraform_data.vpc'])).to.equal(
      'terraform_data.vpc',
    )
    expect(closestAddress('terraform_data.ap', ['terraform_data.vpc', 'terraform_data.app'])).to.equal(
      'terraform_data.app',
    )
    expect(closestAddress('aws_rds_cluster.db', ['terraform_data.vpc', 'module.eks'])).to.equal(undefined)
  })

  it('refuses with exit 2, code UNKNOWN_TARGET, naming each target, its phase and the config key', () => {
    const error = unmatchedTargetsError(
      [
        {
          phase: 'platform',
          target: 'terraform_data.vcp',
          reason: 'not-in-configuration',
          suggestion: 'terraform_data.vpc',
        },
        {phase: 'apps', target: 'terraform_data', reason: 'invalid'},
        {phase: 'apps', target: 'terraform_data.app[9]', reason: 'no-instance'},
      ],
      'infrastructure (/infra/staging)',
      'staging',
    )
    expect(error.exitCode).to.equal(2)
    expect(error.code).to.equal('UNKNOWN_TARGET')
    expect(error.message).to.equal(
      'infrastructure (/infra/staging): phase target "terraform_data.vcp" (phase platform) matches nothing in the configuration (did you mean "terraform_data.vpc"?); "terraform_data" (phase apps) is not a resource or module address; "terraform_data.app[9]" (phase apps) matches no resource instance (check its count/for_each key). Nothing was applied.',
    )
    expect(error.hint).to.include('environments.staging.terraform.phases')
  })
})
