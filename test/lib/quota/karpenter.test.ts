import {expect} from 'chai'

import {PikselError} from '../../../src/lib/errors.ts'
import {categoryOf, quotaFamilyOfCategory} from '../../../src/lib/quota/gpu.ts'
import {
  type InstanceTypeInfo,
  type NodePool,
  type Requirement,
  assertUniqueNames,
  describeTargetSource,
  gpuLabelsAllow,
  gitopsDirFor,
  instanceTypePatterns,
  marketsOf,
  nodePoolsIn,
  parseQuantity,
  planNodePools,
  poolBound,
  poolScope,
  readManifest,
  targetFor,
} from '../../../src/lib/quota/karpenter.ts'

/** EC2's figures for these types (DescribeInstanceTypes: DefaultVCpus, NVIDIA GPU count, MiB), typed from the AWS docs. */
const TYPES: InstanceTypeInfo[] = [
  {type: 'g5.xlarge', vcpus: 4, nvidiaGpus: 1, memoryMiB: 16384},
  {type: 'g5.2xlarge', vcpus: 8, nvidiaGpus: 1, memoryMiB: 32768},
  {type: 'g5.4xlarge', vcpus: 16, nvidiaGpus: 1, memoryMiB: 65536},
  {type: 'g5.8xlarge', vcpus: 32, nvidiaGpus: 1, memoryMiB: 131072},
  {type: 'g5.12xlarge', vcpus: 48, nvidiaGpus: 4, memoryMiB: 196608},
  {type: 'g5.16xlarge', vcpus: 64, nvidiaGpus: 1, memoryMiB: 262144},
  {type: 'g4ad.xlarge', vcpus: 4, nvidiaGpus: 0},
  {type: 'g6f.large', vcpus: 2, nvidiaGpus: 0},
  {type: 'p4d.24xlarge', vcpus: 96, nvidiaGpus: 8},
]

const pool = (requirements: Requirement[], limits: NodePool['limits'] = {}, name = 'pool'): NodePool => ({
  name,
  file: `${name}.yaml`,
  line: 1,
  apiVersion: 'karpenter.sh/v1',
  requirements,
  limits,
})
const req = (key: string, operator: string, ...values: string[]): Requirement => ({
  key: `${key.includes('/') ? '' : key === 'capacity-type' ? 'karpenter.sh/' : key === 'instance-type' ? 'node.kubernetes.io/' : 'karpenter.k8s.aws/'}${key}`,
  operator,
  values,
})

function thrown(fn: () => unknown): PikselError {
  try {
    fn()
  } catch (error) {
    if (error instanceof PikselError) return error
    throw error
  }
  throw new Error('expected an error')
}

describe('quota/karpenter (pure)', () => {
  describe('instance categories → quota families (AWS grouping)', () => {
    const cases: Array<[string, string, string]> = [
      ['g4dn.xlarge', 'g', 'g'],
      ['g5', 'g', 'g'],
      ['gr6.4xlarge', 'gr', 'g'],
      ['vt1.3xlarge', 'vt', 'g'],
      ['p4d.24xlarge', 'p', 'p'],
      ['p5', 'p', 'p'],
      ['inf2.xlarge', 'inf', 'inf'],
      ['trn1n.32xlarge', 'trn', 'trn'],
      ['dl1.24xlarge', 'dl', 'dl'],
      ['d3.xlarge', 'd', 'none'],
      ['c7i.large', 'c', 'none'],
      ['m5', 'm', 'none'],
      ['hpc7g.4xlarge', 'hpc', 'none'],
      ['u-6tb1.metal', 'u', 'none'],
      ['qx9.large', 'qx', 'unknown'],
    ]
    for (const [name, category, family] of cases) {
      it(`${name}: category ${category}, quota family ${family}`, () => {
        expect(categoryOf(name)).to.equal(category)
        expect(quotaFamilyOfCategory(category)).to.equal(family)
      })
    }
  })

  describe('parseQuantity (Kubernetes quantities)', () => {
    const cases: Array<[unknown, number | undefined]> = [
      [1000, 1000],
      ['1000', 1000],
      ['1k', 1000],
      ['500m', 0.5],
      ['1.5', 1.5],
      ['2e3', 2000],
      ['1Ki', 1024],
      ['64Gi', 64 * 2 ** 30],
      ['+8', 8],
      ['0', 0],
      // 0 in every spelling is 0 (a bound: nothing may launch), never "no limit".
      [0, 0],
      ['0m', 0],
      ['0.0', 0],
      ['0k', 0],
      ['0Gi', 0],
      ['4', 4],
      [4, 4],
      ['4k', 4000],
      ['1E3', 1000],
      ['.5', 0.5],
      ['5.', 5],
      ['-1', undefined],
      [-4, undefined],
      ['1 k', undefined],
      ['eight', undefined],
      ['', undefined],
      ['1kb', undefined],
      [null, undefined],
      [{'.Values.cpu': null}, undefined],
    ]
    for (const [input, want] of cases) {
      it(`${JSON.stringify(input)} → ${want}`, () => expect(parseQuantity(input)).to.equal(want))
    }
  })

  describe('nodePoolsIn', () => {
    const text = [
      '# comment',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: x}',
      '---',
      'apiVersion: karpenter.sh/v1beta1',
      'kind: NodePool',
      'metadata:',
      '  name: old',
      'spec:',
      '  template:',
      '    spec:',
      '      requirements:',
      '        - {key: karpenter.k8s.aws/instance-family, operator: In, values: [g5, 6]}',
      '  limits:',
      '    cpu: 500m',
      '    memory: 100Gi',
      '---',
      'apiVersion: karpenter.sh/v1',
      'kind: NodePool',
      'metadata:',
      '  name: new',
      'spec:',
      '  template: {spec: {requirements: []}}',
      '  limits:',
      '    nvidia.com/gpu: "30"',
      '---',
      'apiVersion: karpenter.sh/v1alpha5',
      'kind: Provisioner',
      'metadata: {name: legacy}',
    ].join('\n')

    it('a limit of 0 GPUs is read as 0 in every spelling Kubernetes accepts (YAML 0, "0", "0m")', () => {
      for (const value of ['0', '"0"', '"0m"', '0.0']) {
        const [read] = nodePoolsIn(
          [
            'apiVersion: karpenter.sh/v1',
            'kind: NodePool',
            'metadata: {name: none}',
            'spec:',
            '  template: {spec: {requirements: [{key: karpenter.k8s.aws/instance-family, operator: In, values: [g6e]}]}}',
            `  limits: {nvidia.com/gpu: ${value}}`,
          ].join('\n'),
          'none.yaml',
        )
        expect(read?.limits, value).to.deep.equal({gpu: 0})
      }
    })

    it('reads v1 and v1beta1 NodePools of a multi-document file, skipping other kinds and versions', () => {
      expect(nodePoolsIn(text, 'pools.yaml')).to.deep.equal([
        {
          name: 'old',
          file: 'pools.yaml',
          line: 6,
          apiVersion: 'karpenter.sh/v1beta1',
          requirements: [{key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['g5', '6']}],
          limits: {cpu: 0.5, memory: 100 * 2 ** 30},
        },
        {name: 'new', file: 'pools.yaml', line: 19, apiVersion: 'karpenter.sh/v1', requirements: [], limits: {gpu: 30}},
      ])
    })

    // Read as Kubernetes reads YAML (sigs.k8s.io/yaml): anchors, aliases, merge keys, v1 Lists.
    const head = (name: string) => ['apiVersion: karpenter.sh/v1', 'kind: NodePool', `metadata: {name: ${name}}`]
    const g5 = {key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['g5']}
    const manifests: Array<[string, string[], Array<Pick<NodePool, 'name' | 'line' | 'requirements' | 'limits'>>]> = [
      [
        'aliases of a list and a map in one document',
        [
          ...head('aliased'),
          'x-lim: &lim {cpu: 400}',
          'x-fams: &fams [g5]',
          'spec:',
          '  template:',
          '    spec:',
          '      requirements:',
          '        - {key: karpenter.k8s.aws/instance-family, operator: In, values: *fams}',
          '  limits: *lim',
        ],
        [{name: 'aliased', line: 1, requirements: [g5], limits: {cpu: 400}}],
      ],
      [
        'a << merge key',
        [
          ...head('merged'),
          'x-common: &common',
          '  requirements: [{key: karpenter.k8s.aws/instance-family, operator: In, values: [g5]}]',
          'spec:',
          '  template:',
          '    spec:',
          '      <<: *common',
          '  limits: {nvidia.com/gpu: 4}',
        ],
        [{name: 'merged', line: 1, requirements: [g5], limits: {gpu: 4}}],
      ],
      [
        'the items of a v1 List, each at its own line',
        [
          'apiVersion: v1',
          'kind: List',
          'items:',
          '  - apiVersion: v1',
          '    kind: ConfigMap',
          '    metadata: {name: x}',
          '  - apiVersion: karpenter.sh/v1',
          '    kind: NodePool',
          '    metadata: {name: listed}',
          '    spec: {template: {spec: {requirements: []}}, limits: {cpu: 1k}}',
        ],
        [{name: 'listed', line: 7, requirements: [], limits: {cpu: 1000}}],
      ],
      [
        'a kustomize patch (no spec.template.spec.requirements) is no pool',
        [...head('gpu'), 'spec:', '  limits: {cpu: 400}'],
        [],
      ],
    ]
    for (const [label, lines, want] of manifests) {
      it(label, () => {
        const got = nodePoolsIn(lines.join('\n'), 'm.yaml').map(({name, line, requirements, limits}) => ({
          name,
          line,
          requirements,
          limits,
        }))
        expect(got).to.deep.equal(want)
      })
    }

    it('a kustomize patch is a warning naming the file and line', () => {
      const text = ['apiVersion: v1', 'kind: ConfigMap', '---', ...head('gpu'), 'spec: {limits: {cpu: 400}}'].join('\n')
      const {pools, warnings} = readManifest(text, 'patch.yaml')
      expect(pools).to.deep.equal([])
      expect(warnings).to.have.length(1)
      expect(warnings[0]).to.match(
        /^patch\.yaml:4: NodePool gpu has no spec\.template\.spec\.requirements.*kustomize patch and not counted/,
      )
    })

    it('a NodePool inside a HelmRelease’s values is a warning naming it and its line, not counted (nor silent)', () => {
      const text = [
        'apiVersion: helm.toolkit.fluxcd.io/v2',
        'kind: HelmRelease',
        'metadata: {name: pools, namespace: karpenter}',
        'spec:',
        '  values:',
        '    resources:',
        '      - apiVersion: karpenter.sh/v1',
        '        kind: NodePool',
        '        metadata: {name: h100}',
        '        spec:',
        '          template: {spec: {requirements: [{key: karpenter.k8s.aws/instance-family, operator: In, values: [p5]}]}}',
        '          limits: {cpu: 2k}',
        '      - {apiVersion: v1, kind: ConfigMap, metadata: {name: x}}',
      ].join('\n')
      const {pools, warnings} = readManifest(text, 'hr.yaml')
      expect(pools).to.deep.equal([])
      expect(warnings).to.deep.equal([
        'hr.yaml:7: NodePool h100 is inside HelmRelease pools (spec.values.resources.0), not a manifest of its own: not counted. For the NodePools a chart renders, point --from-gitops at its output (helm template).',
      ])
    })

    it('an alias bomb is INVALID_YAML, not a hang', () => {
      const bomb = [
        'a: &a [x, x, x, x, x, x, x, x, x, x]',
        'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
        'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
        'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      ]
      const error = thrown(() => nodePoolsIn(bomb.join('\n'), 'bomb.yaml'))
      expect(error.code).to.equal('INVALID_YAML')
      expect(error.message).to.match(/^bomb\.yaml:1: not valid YAML: /)
    })

    it('two NodePools of one name (two environments, or a base and its overlay) are INVALID_NODEPOOL naming both', () => {
      const one = {...pool([], {cpu: 1}, 'gpu'), file: 'base/np.yaml', line: 3}
      const two = {...pool([], {cpu: 2}, 'gpu'), file: 'overlays/prod/np.yaml', line: 7}
      expect(() => assertUniqueNames([one, {...two, name: 'other'}])).not.to.throw()
      const error = thrown(() => assertUniqueNames([one, pool([], {}, 'x'), two]))
      expect(error.code).to.equal('INVALID_NODEPOOL')
      expect(error.exitCode).to.equal(2)
      expect(error.message).to.match(/^overlays\/prod\/np\.yaml:7: NodePool gpu is also defined at base\/np\.yaml:3;/)
    })

    it('a Helm template that is not YAML is INVALID_YAML naming the file and line', () => {
      const error = thrown(() =>
        nodePoolsIn(
          'apiVersion: karpenter.sh/v1\nkind: NodePool\nspec:\n{{- if .Values.gpu }}\n  limits: {}\n',
          'np.yaml',
        ),
      )
      expect(error.code).to.equal('INVALID_YAML')
      expect(error.exitCode).to.equal(2)
      expect(error.message).to.match(/^np\.yaml:4: not valid YAML: /)
    })

    it('a limit that is not a quantity (a template that parsed as a map) is INVALID_NODEPOOL at its line', () => {
      const error = thrown(() =>
        nodePoolsIn(
          'apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: {name: gpu}\nspec:\n  template: {spec: {requirements: []}}\n  limits:\n    cpu: {{ .Values.cpu }}\n',
          'np.yaml',
        ),
      )
      expect(error.code).to.equal('INVALID_NODEPOOL')
      expect(error.exitCode).to.equal(2)
      expect(error.message).to.match(/^np\.yaml:7: NodePool gpu: limits\.cpu is not a Kubernetes quantity/)
    })

    it('a requirement without an operator, and a NodePool without a name, are INVALID_NODEPOOL', () => {
      const noOperator =
        'apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: {name: a}\nspec:\n  template:\n    spec:\n      requirements:\n        - key: karpenter.sh/capacity-type\n'
      expect(thrown(() => nodePoolsIn(noOperator, 'a.yaml')).message).to.match(/^a\.yaml:8: NodePool a: a requirement/)
      expect(thrown(() => nodePoolsIn('apiVersion: karpenter.sh/v1\nkind: NodePool\n', 'b.yaml')).message).to.match(
        /^b\.yaml:1: a NodePool without a metadata\.name/,
      )
    })
  })

  describe('marketsOf (karpenter.sh/capacity-type; none means on-demand)', () => {
    const cases: Array<[string, Requirement[], string[]]> = [
      ['no requirement', [], ['on-demand']],
      ['In [spot]', [req('capacity-type', 'In', 'spot')], ['spot']],
      ['In [spot, on-demand]', [req('capacity-type', 'In', 'spot', 'on-demand')], ['on-demand', 'spot']],
      ['NotIn [spot]', [req('capacity-type', 'NotIn', 'spot')], ['on-demand']],
      ['NotIn [on-demand]', [req('capacity-type', 'NotIn', 'on-demand')], ['spot']],
      ['NotIn [reserved]', [req('capacity-type', 'NotIn', 'reserved')], ['on-demand', 'spot']],
      ['Exists', [req('capacity-type', 'Exists')], ['on-demand', 'spot']],
      ['In [reserved]', [req('capacity-type', 'In', 'reserved')], []],
      [
        'In [spot, on-demand] and NotIn [spot]',
        [req('capacity-type', 'In', 'spot', 'on-demand'), req('capacity-type', 'NotIn', 'spot')],
        ['on-demand'],
      ],
    ]
    for (const [label, requirements, want] of cases) {
      it(label, () => expect(marketsOf(pool(requirements))).to.deep.equal(want))
    }
  })

  describe('poolScope (which GPU quota families a pool may launch into)', () => {
    const cases: Array<[string, Requirement[], {families: string[]; unknown?: string[]; open?: boolean}]> = [
      ['category In [g]', [req('instance-category', 'In', 'g')], {families: ['g']}],
      ['category In [c, m, r]: a CPU pool', [req('instance-category', 'In', 'c', 'm', 'r')], {families: []}],
      ['family In [g5, p4d]', [req('instance-family', 'In', 'g5', 'p4d')], {families: ['g', 'p']}],
      ['family In [vt1, gr6]: G and VT', [req('instance-family', 'In', 'vt1', 'gr6')], {families: ['g']}],
      [
        'type In [g5.xlarge, inf2.xlarge, trn1.2xlarge, dl1.24xlarge]',
        [req('instance-type', 'In', 'g5.xlarge', 'inf2.xlarge', 'trn1.2xlarge', 'dl1.24xlarge')],
        {families: ['g', 'inf', 'trn', 'dl']},
      ],
      [
        'family In [g5, p4d] and NotIn [p4d]',
        [req('instance-family', 'In', 'g5', 'p4d'), req('instance-family', 'NotIn', 'p4d')],
        {families: ['g']},
      ],
      [
        'family In [g5, p4d] and category In [p]',
        [req('instance-family', 'In', 'g5', 'p4d'), req('instance-category', 'In', 'p')],
        {families: ['p']},
      ],
      [
        'type In [g5.xlarge] and family NotIn [g5]: nothing',
        [req('instance-type', 'In', 'g5.xlarge'), req('instance-family', 'NotIn', 'g5')],
        {families: []},
      ],
      ['category DoesNotExist: nothing', [req('instance-category', 'DoesNotExist')], {families: []}],
      ['family In [qx9]: unknown', [req('instance-family', 'In', 'qx9', 'g5')], {families: ['g'], unknown: ['qx9']}],
      ['no family requirement: open', [], {families: ['g', 'p', 'inf', 'trn', 'dl'], open: true}],
      [
        'only category NotIn [g, gr, vt, p]: open, the rest',
        [req('instance-category', 'NotIn', 'g', 'gr', 'vt', 'p')],
        {families: ['inf', 'trn', 'dl'], open: true},
      ],
    ]
    for (const [label, requirements, want] of cases) {
      it(label, () => {
        const scope = poolScope(pool(requirements))
        expect(scope.families).to.deep.equal(want.families)
        expect(scope.unknown).to.deep.equal(want.unknown ?? [])
        expect(scope.open).to.equal(want.open ?? false)
      })
    }
  })

  describe('poolBound (smaller of cpu and GPUs × largest vCPUs per NVIDIA GPU)', () => {
    const teamGpu = [
      req('instance-family', 'In', 'g5'),
      req('instance-size', 'In', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge'),
    ]
    const cases: Array<[string, NodePool, {vcpus: number; limitedBy: string} | undefined]> = [
      // g5.8xlarge: 32 vCPUs per GPU, the largest of xlarge..12xlarge (12xlarge: 48/4 = 12).
      [
        "the team's gpu pool: 30 GPUs over g5.xlarge..12xlarge",
        pool(teamGpu, {gpu: 30}),
        {vcpus: 960, limitedBy: 'nvidia.com/gpu'},
      ],
      // With g5.16xlarge allowed too: 64 per GPU.
      [
        '30 GPUs over every g5',
        pool([req('instance-family', 'In', 'g5')], {gpu: 30}),
        {vcpus: 1920, limitedBy: 'nvidia.com/gpu'},
      ],
      ['cpu 96 beats 30 GPUs', pool(teamGpu, {gpu: 30, cpu: 96}), {vcpus: 96, limitedBy: 'cpu'}],
      ['30 GPUs beat cpu 1000', pool(teamGpu, {gpu: 30, cpu: 1000}), {vcpus: 960, limitedBy: 'nvidia.com/gpu'}],
      [
        'named types: 8 GPUs over g5.xlarge, g5.12xlarge → 8 × 12',
        pool([req('instance-type', 'In', 'g5.xlarge', 'g5.12xlarge')], {gpu: 8}),
        {vcpus: 96, limitedBy: 'nvidia.com/gpu'},
      ],
      ['cpu only', pool([req('instance-category', 'In', 'g')], {cpu: 500}), {vcpus: 500, limitedBy: 'cpu'}],
      ['no limit', pool([req('instance-category', 'In', 'g')]), undefined],
      [
        'a GPU limit over types without NVIDIA GPUs only (g4ad, g6f): unbounded',
        pool([req('instance-family', 'In', 'g4ad', 'g6f')], {gpu: 4}),
        undefined,
      ],
      ['0 GPUs: 0 vCPUs', pool(teamGpu, {gpu: 0}), {vcpus: 0, limitedBy: 'nvidia.com/gpu'}],
      // 0 is a bound, not "no limit", even over types EC2 does not describe (0 GPUs × any ratio).
      [
        '0 GPUs over types EC2 does not describe (g7x): 0 vCPUs, not unbounded',
        pool([req('instance-family', 'In', 'g7x')], {gpu: 0}),
        {vcpus: 0, limitedBy: 'nvidia.com/gpu'},
      ],
      [
        '0 GPUs over a category EC2 describes nothing of: 0 vCPUs',
        pool([req('instance-category', 'In', 'gr')], {gpu: 0}),
        {vcpus: 0, limitedBy: 'nvidia.com/gpu'},
      ],
      ['0 GPUs and cpu 64: 0 wins', pool(teamGpu, {gpu: 0, cpu: 64}), {vcpus: 0, limitedBy: 'nvidia.com/gpu'}],
      ['cpu 0: 0 vCPUs', pool(teamGpu, {cpu: 0}), {vcpus: 0, limitedBy: 'cpu'}],
      // instance-gpu-count narrows the types the ratio is taken over (g5.12xlarge: 4 GPUs, 12 per GPU).
      [
        'instance-gpu-count In [4]: 30 GPUs over g5.12xlarge only → 30 × 12',
        pool([req('instance-family', 'In', 'g5'), req('instance-gpu-count', 'In', '4')], {gpu: 30}),
        {vcpus: 360, limitedBy: 'nvidia.com/gpu'},
      ],
      [
        'instance-gpu-count Gt 1: the multi-GPU types only → 30 × 12',
        pool([req('instance-family', 'In', 'g5'), req('instance-gpu-count', 'Gt', '1')], {gpu: 30}),
        {vcpus: 360, limitedBy: 'nvidia.com/gpu'},
      ],
      [
        'instance-gpu-count Lt 2: the single-GPU types → 30 × 64 (g5.16xlarge)',
        pool([req('instance-family', 'In', 'g5'), req('instance-gpu-count', 'Lt', '2')], {gpu: 30}),
        {vcpus: 1920, limitedBy: 'nvidia.com/gpu'},
      ],
      [
        'instance-gpu-count NotIn [1]: → 30 × 12',
        pool([req('instance-family', 'In', 'g5'), req('instance-gpu-count', 'NotIn', '1')], {gpu: 30}),
        {vcpus: 360, limitedBy: 'nvidia.com/gpu'},
      ],
      [
        'instance-gpu-count DoesNotExist (no GPU): no NVIDIA type, a GPU limit bounds nothing → unbounded',
        pool([req('instance-family', 'In', 'g5'), req('instance-gpu-count', 'DoesNotExist')], {gpu: 30}),
        undefined,
      ],
      // nvidia.com/gpu caps no node without an NVIDIA GPU: 0 of them leaves AMD g4ad unbounded.
      [
        '0 GPUs over g4ad only (AMD GPUs): unbounded',
        pool([req('instance-family', 'In', 'g4ad')], {gpu: 0}),
        undefined,
      ],
      [
        '4 GPUs over types EC2 does not describe: unbounded (no vCPUs per GPU to multiply)',
        pool([req('instance-family', 'In', 'g7x')], {gpu: 4}),
        undefined,
      ],
    ]
    for (const [label, p, want] of cases) {
      it(label, () => expect(poolBound(p, 'g', TYPES)).to.deep.equal(want))
    }
    it('memory: 1000 GiB over g5 → 1000 / (4 GiB per vCPU × 0.925), limited by memory', () => {
      const bound = poolBound(pool(teamGpu, {memory: 1000 * 2 ** 30}), 'g', TYPES)
      expect(bound?.limitedBy).to.equal('memory')
      expect(bound?.vcpus).to.be.closeTo(270.27, 0.01)
    })
    it('memory and cpu: the smaller wins (cpu 200 < 270)', () =>
      expect(poolBound(pool(teamGpu, {memory: 1000 * 2 ** 30, cpu: 200}), 'g', TYPES)).to.deep.equal({
        vcpus: 200,
        limitedBy: 'cpu',
      }))
    it('memory 0: 0 vCPUs even over types EC2 does not describe', () =>
      expect(poolBound(pool([req('instance-family', 'In', 'g7x')], {memory: 0}), 'g', TYPES)).to.deep.equal({
        vcpus: 0,
        limitedBy: 'memory',
      }))
    it('0 GPUs over P types EC2 does not describe (p5e): 0 vCPUs for P', () =>
      expect(poolBound(pool([req('instance-family', 'In', 'p5e')], {gpu: 0}), 'p', TYPES)).to.deep.equal({
        vcpus: 0,
        limitedBy: 'nvidia.com/gpu',
      }))
  })

  describe('gpuLabelsAllow (karpenter.k8s.aws/instance-gpu-count and -manufacturer, set only on types with GPUs)', () => {
    const g4ad = {type: 'g4ad.xlarge', vcpus: 4, nvidiaGpus: 0, gpus: 1}
    const vt1 = {type: 'vt1.3xlarge', vcpus: 12, nvidiaGpus: 0, gpus: 0}
    const g5x12 = {type: 'g5.12xlarge', vcpus: 48, nvidiaGpus: 4, gpus: 4}
    const cases: Array<[Requirement, InstanceTypeInfo, boolean]> = [
      [req('instance-gpu-count', 'In', '4', '8'), g5x12, true],
      [req('instance-gpu-count', 'In', '1'), g5x12, false],
      // AMD GPUs count: g4ad has the label (1).
      [req('instance-gpu-count', 'In', '1'), g4ad, true],
      // No GPU, no label: In [0] matches nothing, DoesNotExist and NotIn match it.
      [req('instance-gpu-count', 'In', '0'), vt1, false],
      [req('instance-gpu-count', 'DoesNotExist'), vt1, true],
      [req('instance-gpu-count', 'NotIn', '1'), vt1, true],
      [req('instance-gpu-count', 'Exists'), vt1, false],
      [req('instance-gpu-count', 'Gt', '0'), vt1, false],
      [req('instance-gpu-count', 'Lt', '2'), vt1, false],
      [req('instance-gpu-count', 'Gt', '2'), g5x12, true],
      [req('instance-gpu-count', 'Lt', '4'), g5x12, false],
      // Another key: no narrowing.
      [req('instance-generation', 'Gt', '5'), vt1, true],
      // instance-gpu-manufacturer: the first GPU's maker (lower case); no GPU, no label.
      [req('instance-gpu-manufacturer', 'In', 'nvidia'), {...g5x12, gpuManufacturer: 'nvidia'}, true],
      [req('instance-gpu-manufacturer', 'In', 'NVIDIA'), {...g5x12, gpuManufacturer: 'nvidia'}, true],
      [req('instance-gpu-manufacturer', 'In', 'nvidia'), {...g4ad, gpuManufacturer: 'amd'}, false],
      [req('instance-gpu-manufacturer', 'NotIn', 'amd'), {...g4ad, gpuManufacturer: 'amd'}, false],
      [req('instance-gpu-manufacturer', 'In', 'nvidia'), vt1, false],
      [req('instance-gpu-manufacturer', 'Exists'), vt1, false],
      [req('instance-gpu-manufacturer', 'NotIn', 'nvidia'), vt1, true],
      [req('instance-gpu-manufacturer', 'DoesNotExist'), vt1, true],
      // GPUs whose maker EC2 did not say: only the label's presence is known.
      [req('instance-gpu-manufacturer', 'In', 'nvidia'), g5x12, true],
      [req('instance-gpu-manufacturer', 'DoesNotExist'), g5x12, false],
    ]
    for (const [r, info, want] of cases) {
      it(`${r.operator} ${r.values.join(',')} on ${info.type}: ${want}`, () =>
        expect(gpuLabelsAllow(pool([r]), info)).to.equal(want))
    }
  })

  describe('instanceTypePatterns (the DescribeInstanceTypes filter)', () => {
    it('asks only for the pools with a GPU limit, by type, family or category', () => {
      expect(
        instanceTypePatterns([
          pool([req('instance-type', 'In', 'g5.xlarge')], {gpu: 1}),
          pool([req('instance-family', 'In', 'g5', 'p4d')], {gpu: 1}),
          pool([req('instance-category', 'In', 'g', 'c')], {gpu: 1}),
          pool([req('instance-family', 'In', 'g6')], {cpu: 10}),
          pool([req('instance-category', 'In', 'c')], {gpu: 1}),
        ]),
      ).to.deep.equal(['g*', 'g5.*', 'g5.xlarge', 'p4d.*'])
      expect(instanceTypePatterns([pool([req('instance-family', 'In', 'g6')], {cpu: 10})])).to.deep.equal([])
      // A GPU label requirement under a cpu limit: EC2's GpuInfo tells which families it keeps out (asked apart).
      const labelled = pool([req('instance-gpu-manufacturer', 'In', 'nvidia')], {cpu: 10})
      expect(instanceTypePatterns([labelled], 'labels')).to.deep.equal([
        'dl*',
        'g*',
        'gr*',
        'inf*',
        'p*',
        'trn*',
        'vt*',
      ])
      expect(instanceTypePatterns([labelled])).to.deep.equal([])
      // A pool with a GPU limit is read with the limits, never twice.
      const limited = pool([req('instance-family', 'In', 'g5'), req('instance-gpu-count', 'Gt', '0')], {gpu: 4})
      expect(instanceTypePatterns([limited], 'labels')).to.deep.equal([])
      expect(instanceTypePatterns([limited])).to.deep.equal(['g5.*'])
      // A memory limit needs EC2's memory figures too.
      expect(instanceTypePatterns([pool([req('instance-family', 'In', 'g6')], {memory: 2 ** 40})])).to.deep.equal([
        'g6.*',
      ])
    })
  })

  describe('planNodePools', () => {
    const gpu = pool(
      [req('instance-family', 'In', 'g5'), req('instance-size', 'In', 'xlarge', '8xlarge')],
      {gpu: 30},
      'gpu',
    )
    const spot = pool(
      [req('instance-category', 'In', 'g'), req('capacity-type', 'In', 'spot', 'on-demand')],
      {cpu: 1000},
      'batch',
    )
    const cpu = pool([req('instance-category', 'In', 'c', 'm', 'r')], {cpu: 1000}, 'default')
    const training = pool([req('instance-family', 'In', 'p4d')], {}, 'training')
    const quantum = pool([req('instance-family', 'In', 'qx9')], {cpu: 64}, 'quantum')
    const tiny = pool([req('instance-family', 'In', 'p4d')], {cpu: 0.5}, 'tiny')

    it('adds up the pools of each family × market, ignores CPU pools, and marks unbounded ones', () => {
      const plan = planNodePools([gpu, spot, cpu, training, quantum], TYPES)
      expect(plan.gpuPools).to.deep.equal(['gpu', 'batch', 'training'])
      expect(
        plan.demands.map((d) => [d.family, d.market, d.vcpus, d.pools.map((p) => `${p.name}=${p.vcpus}`)]),
      ).to.deep.equal([
        ['g', 'on-demand', 1960, ['gpu=960', 'batch=1000']],
        ['g', 'spot', 1000, ['batch=1000']],
        ['p', 'on-demand', undefined, ['training=null']],
      ])
      expect(plan.warnings).to.have.length(2)
      expect(plan.warnings[0]).to.match(
        /^NodePool training \(training\.yaml:1\) is unbounded for P vCPUs \(no cpu, nvidia\.com\/gpu or memory limit\): Karpenter may launch any number of them, so that quota has no target \(unbounded\)\. Set spec\.limits\.cpu to bound it, or pass --min N/,
      )
      expect(plan.warnings[1]).to.match(
        /^NodePool quantum \(quantum\.yaml:1\): instance family qx9 unknown to piksel .*; ignored\.$/,
      )
    })

    describe('GPU label requirements keep a pool out of families whose types have no GPU', () => {
      const described: InstanceTypeInfo[] = [
        ...TYPES.map((t) => ({...t, gpus: t.type === 'g4ad.xlarge' ? 1 : t.nvidiaGpus})),
        {type: 'inf2.xlarge', vcpus: 4, nvidiaGpus: 0, gpus: 0},
        {type: 'trn1.2xlarge', vcpus: 8, nvidiaGpus: 0, gpus: 0},
        {type: 'dl1.24xlarge', vcpus: 96, nvidiaGpus: 0, gpus: 8, gpuManufacturer: 'habana'},
      ]
      const withMakers = described.map((t) =>
        t.nvidiaGpus > 0
          ? {...t, gpuManufacturer: 'nvidia'}
          : t.type === 'g4ad.xlarge'
            ? {...t, gpuManufacturer: 'amd'}
            : t,
      )
      const cases: Array<[string, NodePool, InstanceTypeInfo[], Array<[string, string, number | undefined]>]> = [
        [
          'manufacturer In [nvidia], 8 GPUs: G at 64 per GPU (g5.16xlarge), P at 12 (p4d); no Inf, Trn, DL',
          pool([req('instance-gpu-manufacturer', 'In', 'nvidia')], {gpu: 8}),
          withMakers,
          [
            ['g', 'on-demand', 512],
            ['p', 'on-demand', 96],
          ],
        ],
        [
          'gpu-count Gt 0 under a cpu limit: G, P and DL (Habana GPUs), not Inf or Trn',
          pool([req('instance-gpu-count', 'Gt', '0')], {cpu: 100}),
          withMakers,
          [
            ['g', 'on-demand', 100],
            ['p', 'on-demand', 100],
            ['dl', 'on-demand', 100],
          ],
        ],
        [
          'gpu-count Exists over families EC2 did not describe: kept (an upper bound)',
          pool([req('instance-family', 'In', 'inf2', 'g5'), req('instance-gpu-count', 'Exists')], {cpu: 100}),
          [],
          [
            ['g', 'on-demand', 100],
            ['inf', 'on-demand', 100],
          ],
        ],
        [
          'gpu-count DoesNotExist keeps nothing out (Inf has no label)',
          pool([req('instance-family', 'In', 'inf2'), req('instance-gpu-count', 'DoesNotExist')], {cpu: 100}),
          withMakers,
          [['inf', 'on-demand', 100]],
        ],
        [
          'a pool whose labels keep out every family it names is no GPU pool',
          pool([req('instance-family', 'In', 'inf2', 'trn1'), req('instance-gpu-count', 'Gt', '0')], {cpu: 100}),
          withMakers,
          [],
        ],
      ]
      it('labels not read (EC2 refused): another pool’s partial view of a family excludes nothing', () => {
        const labelled = pool([req('instance-gpu-manufacturer', 'In', 'nvidia')], {cpu: 100})
        // Only g4ad (AMD) was described, for some other pool: G must not be excluded from this one.
        const partial = withMakers.filter((t) => t.type === 'g4ad.xlarge')
        expect(planNodePools([labelled], partial).demands.map((d) => d.family)).to.deep.equal(['p', 'inf', 'trn', 'dl'])
        expect(planNodePools([labelled], partial, false).demands.map((d) => d.family)).to.deep.equal([
          'g',
          'p',
          'inf',
          'trn',
          'dl',
        ])
      })
      for (const [label, p, types, want] of cases) {
        it(label, () => {
          const plan = planNodePools([p], types)
          expect(plan.demands.map((d) => [d.family, d.market, d.vcpus])).to.deep.equal(want)
          expect(plan.warnings.filter((w) => w.includes('unbounded'))).to.deep.equal([])
          expect(plan.gpuPools).to.deep.equal(want.length > 0 ? ['pool'] : [])
        })
      }
    })

    it('nvidia.com/gpu: 0 over types EC2 does not describe: a bound of 0, no unbounded warning', () => {
      const none = pool([req('instance-family', 'In', 'g6e', 'gr6')], {gpu: 0}, 'none')
      const plan = planNodePools([none], [])
      expect(plan.demands.map((d) => [d.family, d.market, d.vcpus])).to.deep.equal([['g', 'on-demand', 0]])
      expect(plan.warnings).to.deep.equal([])
    })

    it('one bounded and one unbounded pool of a quota: no sum (vcpus undefined), the unbounded one named', () => {
      const lab = pool([req('instance-family', 'In', 'p5e')], {cpu: 192}, 'lab')
      const plan = planNodePools([lab, training], TYPES)
      expect(plan.demands).to.have.length(1)
      expect(plan.demands[0]?.vcpus).to.equal(undefined)
      expect(plan.demands[0]?.pools.map((p) => `${p.name}=${p.vcpus}`)).to.deep.equal(['lab=192', 'training=null'])
      expect(plan.warnings).to.have.length(1)
      expect(plan.warnings[0]).to.match(/^NodePool training .* is unbounded for P vCPUs/)
    })

    it('a memory-only limit bounds the vCPUs: 1000 GiB over g5 (4 GiB per vCPU, 7.5 % VM overhead) → 271', () => {
      const mem = pool([req('instance-family', 'In', 'g5')], {memory: 1000 * 2 ** 30}, 'mem')
      const plan = planNodePools([mem], TYPES)
      // 1000 / (4 × 0.925) = 270.27, rounded up.
      expect(plan.demands.map((d) => [d.family, d.market, d.vcpus])).to.deep.equal([['g', 'on-demand', 271]])
      expect(plan.warnings).to.deep.equal([])
    })

    it('a memory limit over types EC2 does not describe, or only a limit that bounds no vCPUs: unbounded, said why', () => {
      const mem = pool([req('instance-family', 'In', 'g7x')], {memory: 2 ** 40}, 'mem')
      const disk = {
        ...pool([req('instance-family', 'In', 'g5')], {}, 'disk'),
        otherLimits: {'ephemeral-storage': '10Ti'},
      }
      const plan = planNodePools([mem, disk], TYPES)
      expect(plan.demands[0]?.vcpus).to.equal(undefined)
      expect(plan.warnings[0]).to.include(
        'NodePool mem (mem.yaml:1) is unbounded for G and VT vCPUs (its memory limit covers no instance type that EC2 describes for it, and it has no cpu limit)',
      )
      expect(plan.warnings[1]).to.include(
        'NodePool disk (disk.yaml:1) is unbounded for G and VT vCPUs (no cpu, nvidia.com/gpu or memory limit; its ephemeral-storage limit does not bound vCPUs)',
      )
    })

    it('families beyond g5/p4d: g6e, gr6, vt1 count against G and VT; p5e against P', () => {
      const wide = pool([req('instance-family', 'In', 'g6e', 'gr6', 'vt1', 'p5e')], {cpu: 100}, 'wide')
      expect(planNodePools([wide], TYPES).demands.map((d) => `${d.family}/${d.market}=${d.vcpus}`)).to.deep.equal([
        'g/on-demand=100',
        'p/on-demand=100',
      ])
    })

    it('rounds a fractional bound up to whole vCPUs', () => {
      expect(planNodePools([tiny], TYPES).demands[0]?.vcpus).to.equal(1)
    })

    it('warns that a pool without a family requirement counts towards every GPU quota', () => {
      const plan = planNodePools([pool([], {cpu: 64}, 'open')], TYPES)
      expect(plan.demands.map((d) => `${d.family}/${d.market}=${d.vcpus}`)).to.deep.equal([
        'g/on-demand=64',
        'p/on-demand=64',
        'inf/on-demand=64',
        'trn/on-demand=64',
        'dl/on-demand=64',
      ])
      expect(plan.warnings).to.deep.equal([
        'NodePool open (open.yaml:1) may launch any instance family (no instance-category, instance-family or instance-type In requirement): counted towards every GPU quota.',
      ])
    })
  })

  describe('targetFor and describeTargetSource', () => {
    const fallback = {target: 8, from: 'config' as const}
    it('the NodePools’ bound when every pool is bounded', () => {
      const demand = {
        family: 'g' as const,
        market: 'spot' as const,
        vcpus: 96,
        pools: [{name: 'gpu', file: 'a', vcpus: 96, limitedBy: 'cpu' as const}],
      }
      const t = targetFor(demand, fallback)
      expect(t).to.deep.equal({target: 96, source: {from: 'nodepools', pools: demand.pools}})
      expect(describeTargetSource(t.source)).to.equal('gpu')
    })
    const mixed = [
      {name: 'a', file: 'a', vcpus: 96, limitedBy: 'cpu' as const},
      {name: 'b', file: 'b', vcpus: null, limitedBy: null},
    ]
    it('an explicit --min, naming the unbounded pools, when one is unbounded', () => {
      const t = targetFor({family: 'g', market: 'spot', pools: mixed}, {target: 16, from: 'min'})
      expect(t).to.deep.equal({target: 16, source: {from: 'min', pools: mixed, unboundedPools: ['b']}})
      expect(describeTargetSource(t.source)).to.equal('--min (unbounded: b)')
    })
    it('no target (null, reason unbounded) when one is unbounded: never the config’s quota.gpuTarget', () => {
      const t = targetFor({family: 'g', market: 'spot', pools: mixed}, fallback)
      expect(t).to.deep.equal({
        target: null,
        source: {from: 'nodepools', pools: mixed, reason: 'unbounded', unboundedPools: ['b']},
      })
      expect(describeTargetSource(t.source)).to.equal('unbounded: b')
    })
    it('no target when every pool is unbounded, naming each', () => {
      const pools = [
        {name: 'x', file: 'x', vcpus: null, limitedBy: null},
        {name: 'y', file: 'y', vcpus: null, limitedBy: null},
      ]
      const t = targetFor({family: 'p', market: 'on-demand', pools}, fallback)
      expect(t.target).to.equal(null)
      expect(describeTargetSource(t.source)).to.equal('unbounded: x, y')
    })
    it('the fallback when no pool launches into the quota', () => {
      expect(targetFor(undefined, fallback)).to.deep.equal({target: 8, source: {from: 'config', pools: []}})
      expect(describeTargetSource({from: 'config', pools: []})).to.equal('config')
    })
  })

  describe('gitopsDirFor', () => {
    const env = (dir?: string) => ({name: 'staging', gitops: {path: 'clusters/staging', ...(dir ? {dir} : {})}})
    it('DIR as given wins', () => expect(gitopsDirFor('../x', env('/repo'))).to.equal('../x'))
    it('else the configured checkout joined with the path', () =>
      expect(gitopsDirFor('', env('/repo/gitops'))).to.equal('/repo/gitops/clusters/staging'))
    it('else exit 2 GITOPS_DIR_REQUIRED, saying what is missing', () => {
      const error = thrown(() => gitopsDirFor('', env()))
      expect(error.code).to.equal('GITOPS_DIR_REQUIRED')
      expect(error.exitCode).to.equal(2)
      expect(error.message).to.include('no local GitOps checkout is configured for staging (gitops.dir)')
      expect(thrown(() => gitopsDirFor('', undefined)).message).to.include('no environment (-e)')
    })
  })
})
