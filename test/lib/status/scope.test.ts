import {expect} from 'chai'

import {assessAll} from '../../../src/lib/status/across.ts'
import type {FluxObject} from '../../../src/lib/status/health.ts'
import {UsageError} from '../../../src/lib/errors.ts'
import {Coverage, namespaceFlag, uncoveredReferences} from '../../../src/lib/status/scope.ts'

const SERVED = new Set([
  'GitRepository',
  'OCIRepository',
  'HelmRepository',
  'HelmChart',
  'Bucket',
  'Kustomization',
  'HelmRelease',
  'ImageRepository',
  'ImagePolicy',
  'ImageUpdateAutomation',
])

const ready = [{type: 'Ready', status: 'True', reason: 'Succeeded', message: 'ok', observedGeneration: 1}]
const ks = (
  ns: string,
  name: string,
  spec: FluxObject['spec'],
  status: FluxObject['status'] = {observedGeneration: 1, conditions: ready},
): FluxObject => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: {name, namespace: ns, generation: 1, labels: {team: 'a'}},
  spec,
  status,
})

describe('status: filters choose what is shown, never what is judged', () => {
  describe('uncoveredReferences (what still has to be read)', () => {
    const table: Array<[string, FluxObject[], (c: Coverage) => void, string[]]> = [
      [
        'a Kustomization in team-b built from the flux-system GitRepository',
        [ks('team-b', 'apps', {sourceRef: {kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system'}})],
        (c) => c.addNamespace('Kustomization', 'team-b'),
        ['GitRepository/flux-system'],
      ],
      [
        'dependsOn targets in another namespace, and the source in its own',
        [
          ks('team-b', 'apps', {
            sourceRef: {kind: 'OCIRepository', name: 'apps'},
            dependsOn: [{name: 'infra', namespace: 'flux-system'}],
          }),
        ],
        (c) => c.addNamespace('Kustomization', 'team-b'),
        ['Kustomization/flux-system', 'OCIRepository/team-b'],
      ],
      [
        'a HelmRelease: its HelmChart (beside the source), the HelmRepository, and a chartRef',
        [
          {
            apiVersion: 'helm.toolkit.fluxcd.io/v2',
            kind: 'HelmRelease',
            metadata: {name: 'hub', namespace: 'jupyterhub'},
            spec: {chart: {spec: {sourceRef: {kind: 'HelmRepository', name: 'jupyterhub', namespace: 'flux-system'}}}},
          },
          {
            apiVersion: 'helm.toolkit.fluxcd.io/v2',
            kind: 'HelmRelease',
            metadata: {name: 'podinfo', namespace: 'apps'},
            spec: {chartRef: {kind: 'OCIRepository', name: 'podinfo'}},
          },
        ],
        (c) => c.addKind('HelmRelease'),
        ['HelmChart/flux-system', 'HelmRepository/flux-system', 'OCIRepository/apps'],
      ],
      [
        'an ImagePolicy: its ImageRepository',
        [
          {
            apiVersion: 'image.toolkit.fluxcd.io/v1beta2',
            kind: 'ImagePolicy',
            metadata: {name: 'podinfo', namespace: 'apps'},
            spec: {imageRepositoryRef: {name: 'podinfo', namespace: 'flux-system'}},
          },
        ],
        () => undefined,
        ['ImageRepository/flux-system'],
      ],
      [
        'nothing left once the kinds are read whole (no filter)',
        [ks('team-b', 'apps', {sourceRef: {kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system'}})],
        (c) => {
          c.addKind('Kustomization')
          c.addKind('GitRepository')
        },
        [],
      ],
      [
        'nothing left once the namespace is read',
        [ks('team-b', 'apps', {sourceRef: {kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system'}})],
        (c) => c.addNamespace('GitRepository', 'flux-system'),
        [],
      ],
      [
        'one kind in several namespaces: one list per namespace, sorted by kind then namespace',
        [
          ks('team-b', 'apps', {
            sourceRef: {kind: 'GitRepository', name: 'apps', namespace: 'team-z'},
            dependsOn: [{name: 'infra', namespace: 'flux-system'}],
          }),
          ks('team-c', 'web', {sourceRef: {kind: 'GitRepository', name: 'web', namespace: 'team-a'}}),
        ],
        (c) => c.addNamespace('Kustomization', 'team-b'),
        ['GitRepository/team-a', 'GitRepository/team-z', 'Kustomization/flux-system'],
      ],
      [
        'kinds the cluster does not serve are not asked for',
        [ks('team-b', 'apps', {sourceRef: {kind: 'ExternalArtifact', name: 'x'}})],
        () => undefined,
        [],
      ],
    ]
    it('Coverage: a whole kind covers every namespace; a namespace covers only itself', () => {
      const coverage = new Coverage()
      coverage.addKind('GitRepository')
      coverage.addNamespace('Kustomization', 'team-b')
      expect(coverage.coversKind('GitRepository')).to.equal(true)
      expect(coverage.coversKind('Kustomization')).to.equal(false)
      expect(coverage.covers('GitRepository', 'anywhere')).to.equal(true)
      expect(coverage.covers('Kustomization', 'team-b')).to.equal(true)
      expect(coverage.covers('Kustomization', 'team-c')).to.equal(false)
      expect(coverage.covers('HelmRelease', 'team-b')).to.equal(false)
    })

    for (const [what, objects, cover, expected] of table) {
      it(`${what}: ${expected.join(', ') || 'none'}`, () => {
        const coverage = new Coverage()
        cover(coverage)
        const needed = uncoveredReferences(objects, coverage, SERVED).map((n) => `${n.kind}/${n.namespace}`)
        expect(needed).to.deep.equal(expected)
      })
    }
  })

  describe('a selection judged with what it references gives the unfiltered verdict', () => {
    const OLD = 'main@sha1:0a1b2c3d4e5f60718293a4b5c6d7e8f901234567'
    const NEW = 'main@sha1:4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b'
    const git: FluxObject = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: {name: 'flux-system', namespace: 'flux-system', generation: 1},
      status: {observedGeneration: 1, artifact: {revision: NEW}, conditions: ready},
    }
    const failedInfra = ks(
      'flux-system',
      'infra',
      {sourceRef: {kind: 'GitRepository', name: 'flux-system'}},
      {
        observedGeneration: 1,
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'BuildFailed',
            message: 'kustomize build failed',
            observedGeneration: 1,
          },
        ],
      },
    )
    const behind = ks(
      'team-b',
      'apps',
      {sourceRef: {kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system'}},
      {observedGeneration: 1, lastAppliedRevision: OLD, conditions: ready},
    )
    const waiting = ks(
      'team-b',
      'web',
      {
        sourceRef: {kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system'},
        dependsOn: [{name: 'infra', namespace: 'flux-system'}],
      },
      {
        observedGeneration: 1,
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'DependencyNotReady',
            message: "dependency 'flux-system/infra' is not ready",
            observedGeneration: 1,
          },
        ],
      },
    )
    const all = [git, failedInfra, behind, waiting]

    const table: Array<[string, FluxObject[], string, string, string?]> = [
      ['stale behind a source in another namespace', [behind], 'apps', 'stale'],
      ['waiting, root cause across namespaces', [waiting], 'web', 'waiting', 'Kustomization/flux-system/infra failed'],
      ['alone, without what it references, it would look ready', [], 'apps', 'ready'],
    ]
    for (const [what, selection, name, health, cause] of table) {
      it(what, () => {
        const unfiltered = assessAll(all).find((r) => r.name === name)
        if (selection.length === 0) {
          // The bug this guards against: judging the selection alone.
          expect(assessAll([behind]).find((r) => r.name === name)?.health).to.equal(health)
          expect(unfiltered?.health).to.not.equal(health)
          return
        }
        // What the selection references is read; the same rules give the same answer.
        const coverage = new Coverage()
        coverage.addNamespace('Kustomization', 'team-b')
        const needed = uncoveredReferences(selection, coverage, SERVED)
        const read = all.filter((o) => needed.some((n) => n.kind === o.kind && n.namespace === o.metadata.namespace))
        const judged = assessAll([...selection, ...read]).find((r) => r.name === name)
        expect(judged?.health).to.equal(health)
        expect(judged?.health).to.equal(unfiltered?.health)
        if (cause)
          expect(
            `${judged?.cause?.kind}/${judged?.cause?.namespace}/${judged?.cause?.name} ${judged?.cause?.health}`,
          ).to.equal(cause)
      })
    }
  })
})

describe('status: -n/--namespace and --flux-namespace take a namespace name', () => {
  const accepted: Array<string | undefined> = [undefined, 'flux-system', 'team-b', 'a', '0tenant-9', 'x'.repeat(63)]
  for (const value of accepted) {
    it(`accepts ${JSON.stringify(value)}`, () => {
      expect(namespaceFlag('-n/--namespace', value)).to.equal(value)
    })
  }
  // '' (an unset variable) would read every namespace, or ask for /namespaces//deployments.
  const refused: Array<[string, string]> = [
    ['', '-n/--namespace is empty.'],
    ['Team_A', '"Team_A" is not a namespace name'],
    ['team-a/extra', 'not a namespace name'],
    ['-team', 'not a namespace name'],
    ['team-', 'not a namespace name'],
    ['x'.repeat(64), 'not a namespace name'],
  ]
  for (const [value, message] of refused) {
    it(`refuses ${JSON.stringify(value.length > 20 ? `${value.slice(0, 8)}…(${value.length})` : value)} with exit 2 (INVALID_FLAG)`, () => {
      expect(() => namespaceFlag('-n/--namespace', value))
        .to.throw(UsageError, message)
        .with.property('code', 'INVALID_FLAG')
    })
  }
})
