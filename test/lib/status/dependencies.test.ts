/**
 * A selection is judged with what it is built from or waits on (dependencies.ts), and names
 * itself when it matches nothing (scope.ts describeSelection). Objects shaped as the Flux
 * controllers write them; expected values written out by hand.
 */
import {expect} from 'chai'

import {assessAll} from '../../../src/lib/status/across.ts'
import {selectionDependencies} from '../../../src/lib/status/dependencies.ts'
import type {Condition, FluxObject} from '../../../src/lib/status/health.ts'
import {judge, reconcilePlan} from '../../../src/lib/status/judge.ts'
import {type GroupDiscovery, resolveKinds} from '../../../src/lib/status/kinds.ts'
import {describeSelection} from '../../../src/lib/status/scope.ts'
import {Store, firstStreams} from '../../../src/lib/status/snapshot.ts'

const REV = 'main@sha1:4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b'
const T = '2026-11-30T08:30:00Z'
const c = (type: string, status: string, reason: string, message: string): Condition => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: T,
  observedGeneration: 1,
})
const READY = [c('Ready', 'True', 'Succeeded', 'ok')]
const FETCH_FAILED = [
  c('Reconciling', 'True', 'ProgressingWithRetry', 'retrying'),
  c('Ready', 'False', 'GitOperationFailed', 'ssh: handshake failed'),
]

function obj(
  apiVersion: string,
  kind: string,
  ns: string,
  name: string,
  spec: FluxObject['spec'] = {},
  conditions: Condition[] = READY,
  more: NonNullable<FluxObject['status']> = {},
): FluxObject {
  return {
    apiVersion,
    kind,
    metadata: {name, namespace: ns, generation: 1},
    spec,
    status: {observedGeneration: 1, conditions, ...more},
  }
}
const git = (ns: string, name: string, conditions: Condition[] = READY) =>
  obj('source.toolkit.fluxcd.io/v1', 'GitRepository', ns, name, {}, conditions, {artifact: {revision: REV}})
const ks = (ns: string, name: string, spec: FluxObject['spec'], conditions: Condition[] = READY) =>
  obj('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', ns, name, spec, conditions, {lastAppliedRevision: REV})
const fromGit = (name = 'flux-system', namespace = 'flux-system') => ({
  sourceRef: {kind: 'GitRepository', name, namespace},
})

describe('status: the dependencies of a selection (selectionDependencies)', () => {
  const hr = obj('helm.toolkit.fluxcd.io/v2', 'HelmRelease', 'apps', 'podinfo', {
    chart: {spec: {chart: 'podinfo', sourceRef: {kind: 'HelmRepository', name: 'podinfo', namespace: 'flux-system'}}},
  })
  const helmChart = obj('source.toolkit.fluxcd.io/v1', 'HelmChart', 'flux-system', 'apps-podinfo', {
    chart: 'podinfo',
    sourceRef: {kind: 'HelmRepository', name: 'podinfo'},
  })
  const helmRepo = obj('source.toolkit.fluxcd.io/v1', 'HelmRepository', 'flux-system', 'podinfo', {}, [
    c('Ready', 'False', 'IndexationFailed', '503 Service Unavailable'),
  ])
  const oci = obj('source.toolkit.fluxcd.io/v1', 'OCIRepository', 'apps', 'chart', {}, [
    c('Ready', 'False', 'OCIArtifactPullFailed', 'unauthorized'),
  ])

  /** [what, every object read, the selected ones (`Kind/name`), expected: `Kind/ns/name health <- neededBy` (direct referrers)]. */
  const table: Array<[string, FluxObject[], string[], string[]]> = [
    [
      'Kustomizations built from a failed GitRepository (the --kind ks case)',
      [
        git('flux-system', 'flux-system', FETCH_FAILED),
        ks('flux-system', 'infra', fromGit()),
        ks('apps', 'web', fromGit()),
      ],
      ['Kustomization/infra', 'Kustomization/web'],
      ['GitRepository/flux-system/flux-system failed <- Kustomization/apps/web, Kustomization/flux-system/infra'],
    ],
    [
      'a ready dependency is still a dependency (judge keeps only those that need attention)',
      [git('flux-system', 'flux-system'), ks('apps', 'web', fromGit())],
      ['Kustomization/web'],
      ['GitRepository/flux-system/flux-system ready <- Kustomization/apps/web'],
    ],
    [
      'a HelmRelease: its HelmChart and, through it and directly, the HelmRepository',
      [hr, helmChart, helmRepo],
      ['HelmRelease/podinfo'],
      [
        'HelmRepository/flux-system/podinfo failed <- HelmChart/flux-system/apps-podinfo, HelmRelease/apps/podinfo',
        'HelmChart/flux-system/apps-podinfo ready <- HelmRelease/apps/podinfo',
      ],
    ],
    [
      'a chartRef to an OCIRepository',
      [
        obj('helm.toolkit.fluxcd.io/v2', 'HelmRelease', 'apps', 'web', {
          chartRef: {kind: 'OCIRepository', name: 'chart'},
        }),
        oci,
      ],
      ['HelmRelease/web'],
      ['OCIRepository/apps/chart failed <- HelmRelease/apps/web'],
    ],
    [
      'an ImagePolicy: its ImageRepository',
      [
        obj('image.toolkit.fluxcd.io/v1beta2', 'ImagePolicy', 'apps', 'web', {imageRepositoryRef: {name: 'web'}}),
        obj('image.toolkit.fluxcd.io/v1beta2', 'ImageRepository', 'apps', 'web', {}, [
          c('Ready', 'False', 'AuthenticationFailed', 'denied'),
        ]),
      ],
      ['ImagePolicy/web'],
      ['ImageRepository/apps/web failed <- ImagePolicy/apps/web'],
    ],
    [
      'a dependsOn chain outside the selection, each link in turn, and its source',
      [
        git('flux-system', 'flux-system'),
        ks('apps', 'web', {...fromGit(), dependsOn: [{name: 'addons', namespace: 'flux-system'}]}, [
          c('Ready', 'False', 'DependencyNotReady', "dependency 'flux-system/addons' is not ready"),
        ]),
        ks('flux-system', 'addons', {...fromGit(), dependsOn: [{name: 'infra'}]}, [
          c('Ready', 'False', 'DependencyNotReady', "dependency 'flux-system/infra' is not ready"),
        ]),
        ks('flux-system', 'infra', fromGit(), [c('Ready', 'False', 'BuildFailed', 'kustomize build failed')]),
      ],
      ['Kustomization/web'],
      [
        'Kustomization/flux-system/infra failed <- Kustomization/flux-system/addons',
        'Kustomization/flux-system/addons waiting <- Kustomization/apps/web',
        'GitRepository/flux-system/flux-system ready <- Kustomization/apps/web, Kustomization/flux-system/addons, Kustomization/flux-system/infra',
      ],
    ],
    [
      'a selected object is judged on its own row: not a dependency of another selected one',
      [
        git('flux-system', 'flux-system', FETCH_FAILED),
        ks('flux-system', 'infra', fromGit(), [c('Ready', 'False', 'BuildFailed', 'kustomize build failed')]),
        ks('flux-system', 'apps', {...fromGit(), dependsOn: [{name: 'infra'}]}, [
          c('Ready', 'False', 'DependencyNotReady', "dependency 'flux-system/infra' is not ready"),
        ]),
      ],
      ['Kustomization/infra', 'Kustomization/apps'],
      [
        'GitRepository/flux-system/flux-system failed <- Kustomization/flux-system/apps, Kustomization/flux-system/infra',
      ],
    ],
    [
      'objects outside the closure are not dependencies (another team’s failing source)',
      [
        git('flux-system', 'flux-system'),
        git('team-b', 'other', FETCH_FAILED),
        ks('team-b', 'other', fromGit('other', 'team-b'), READY),
        ks('apps', 'web', fromGit()),
      ],
      ['Kustomization/web'],
      ['GitRepository/flux-system/flux-system ready <- Kustomization/apps/web'],
    ],
    [
      'a reference to an object that was not read (does not exist): skipped',
      [ks('apps', 'web', {...fromGit('gone'), dependsOn: [{name: 'missing'}]})],
      ['Kustomization/web'],
      [],
    ],
    [
      'a dependsOn cycle outside the selection: each member once, the walk ends',
      [
        git('flux-system', 'flux-system'),
        ks('apps', 'web', {...fromGit(), dependsOn: [{name: 'a', namespace: 'flux-system'}]}),
        ks('flux-system', 'a', {...fromGit(), dependsOn: [{name: 'b'}]}),
        ks('flux-system', 'b', {...fromGit(), dependsOn: [{name: 'a'}]}),
      ],
      ['Kustomization/web'],
      [
        'GitRepository/flux-system/flux-system ready <- Kustomization/apps/web, Kustomization/flux-system/a, Kustomization/flux-system/b',
        'Kustomization/flux-system/a ready <- Kustomization/apps/web, Kustomization/flux-system/b',
        'Kustomization/flux-system/b ready <- Kustomization/flux-system/a',
      ],
    ],
    [
      'without a filter every object is selected: no dependencies',
      [git('flux-system', 'flux-system', FETCH_FAILED), ks('flux-system', 'infra', fromGit())],
      ['GitRepository/flux-system', 'Kustomization/infra'],
      [],
    ],
    [
      'an unlisted object depending on itself: listed once, never its own referrer',
      [ks('apps', 'web', {dependsOn: [{name: 'x'}]}), ks('apps', 'x', {dependsOn: [{name: 'x'}]})],
      ['Kustomization/web'],
      ['Kustomization/apps/x ready <- Kustomization/apps/web'],
    ],
    [
      'reached by two paths (directly and through a dependsOn target): listed once, both referrers',
      [
        git('flux-system', 'flux-system', FETCH_FAILED),
        ks('apps', 'web', {...fromGit(), dependsOn: [{name: 'infra', namespace: 'flux-system'}]}),
        ks('flux-system', 'infra', fromGit()),
      ],
      ['Kustomization/web'],
      [
        'GitRepository/flux-system/flux-system failed <- Kustomization/apps/web, Kustomization/flux-system/infra',
        'Kustomization/flux-system/infra ready <- Kustomization/apps/web',
      ],
    ],
    ['an empty selection has none', [git('flux-system', 'flux-system', FETCH_FAILED)], [], []],
  ]
  for (const [what, objects, selected, expected] of table) {
    it(what, () => {
      const results = assessAll(objects)
      const names = new Set(selected)
      const deps = selectionDependencies(objects, results, (o) => names.has(`${o.kind}/${o.metadata.name}`))
      expect(
        deps.map((d) => `${d.kind}/${d.namespace}/${d.name} ${d.health} <- ${d.neededBy.join(', ')}`),
      ).to.deep.equal(expected)
    })
  }

  it('carries what a row would show: reason, message, since, and retrying only on a retried failure', () => {
    const objects = [git('flux-system', 'flux-system', FETCH_FAILED), ks('apps', 'web', fromGit())]
    const [dep] = selectionDependencies(objects, assessAll(objects), (o) => o.kind === 'Kustomization')
    expect(dep).to.deep.equal({
      kind: 'GitRepository',
      namespace: 'flux-system',
      name: 'flux-system',
      health: 'failed',
      reason: 'GitOperationFailed',
      message: 'ssh: handshake failed',
      since: T,
      retrying: true,
      neededBy: ['Kustomization/apps/web'],
    })
    const ready = [git('flux-system', 'flux-system'), ks('apps', 'web', fromGit())]
    const [fine] = selectionDependencies(ready, assessAll(ready), (o) => o.kind === 'Kustomization')
    expect(fine).to.not.have.property('retrying')
  })
})

describe('status: a selection named by its filters (describeSelection)', () => {
  const table: Array<[Parameters<typeof describeSelection>[0], string | undefined]> = [
    [{}, undefined],
    [{kinds: []}, undefined],
    [{namespace: ''}, undefined],
    [{kinds: ['OCIRepository']}, '--kind OCIRepository'],
    [{kinds: ['Kustomization', 'HelmRelease']}, '--kind Kustomization,HelmRelease'],
    [{namespace: 'apps'}, '-n apps'],
    [{selector: 'team=a'}, '-l team=a'],
    [{selector: 'team!=a,app.kubernetes.io/name=web'}, '-l team!=a,app.kubernetes.io/name=web'],
    [{selector: '!canary'}, '-l !canary'],
    [{selector: 'app in (a,b)'}, '-l "app in (a,b)"'],
    [{kinds: ['Kustomization'], namespace: 'apps', selector: 'team=a'}, '--kind Kustomization -n apps -l team=a'],
  ]
  for (const [selection, expected] of table) {
    it(`${JSON.stringify(selection)} -> ${expected}`, () => expect(describeSelection(selection)).to.equal(expected))
  }
})

describe('status: judging a selection with its dependencies (judge, reconcilePlan)', () => {
  const GROUPS: GroupDiscovery[] = [
    {
      group: 'source.toolkit.fluxcd.io',
      preferredVersion: 'v1',
      versions: ['v1'],
      resources: {v1: ['gitrepositories', 'gitrepositories/status']},
    },
    {
      group: 'kustomize.toolkit.fluxcd.io',
      preferredVersion: 'v1',
      versions: ['v1'],
      resources: {v1: ['kustomizations', 'kustomizations/status']},
    },
  ]
  const controller = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {name: 'kustomize-controller', namespace: 'flux-system', generation: 1},
    spec: {replicas: 1},
    status: {observedGeneration: 1, replicas: 1, availableReplicas: 1, updatedReplicas: 1, readyReplicas: 1},
  }
  const source = {
    ...controller,
    metadata: {...controller.metadata, name: 'source-controller'},
  }
  /** As status reads the cluster under `--kind` (reported) : the reported kinds selected, the sources read whole. */
  function snapshot(reported: string[], objects: FluxObject[]) {
    const kinds = resolveKinds(GROUPS)
    const store = new Store({context: 'piksel-staging', server: 'https://example', kinds, reported})
    for (const stream of firstStreams(kinds, new Set(reported), {fluxNamespace: 'flux-system'})) {
      const items = stream.id === 'controllers' ? [controller, source] : objects.filter((o) => o.kind === stream.kind)
      store.set(stream, {metadata: {resourceVersion: '1'}, items: items as FluxObject[]})
    }
    return store.snapshot()
  }
  const objects = [
    git('flux-system', 'flux-system', FETCH_FAILED),
    ks('flux-system', 'infra', fromGit()),
    ks('apps', 'web', fromGit()),
  ]

  it('--kind Kustomization: unhealthy, the GitRepository named; the rows and counts are the selection’s', () => {
    const judged = judge(snapshot(['Kustomization'], objects), {
      fluxNamespace: 'flux-system',
      selection: '--kind Kustomization',
    })
    expect(judged.result.verdict).to.equal('unhealthy')
    expect(judged.result.summary).to.equal(
      'unhealthy: 2 ready, 1 dependency failed (GitRepository flux-system/flux-system)',
    )
    expect(judged.result.counts.total).to.equal(2)
    expect(judged.result.objects.map((o) => `${o.name} ${o.health}`)).to.deep.equal(['web ready', 'infra ready'])
    expect(judged.result.selection).to.equal('--kind Kustomization')
    expect(judged.result.dependencies?.map((d) => `${d.kind}/${d.name} ${d.health}`)).to.deep.equal([
      'GitRepository/flux-system failed',
    ])
    // --reconcile requests the failed source, as it would without the filter.
    expect(reconcilePlan(snapshot(['Kustomization'], objects), judged).targets).to.deep.equal([
      {
        kind: 'GitRepository',
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        namespace: 'flux-system',
        name: 'flux-system',
        why: 'failed (retrying), a dependency of the selection',
      },
    ])
  })

  it('without a filter: the GitRepository is a row of its own; no selection, no dependencies fields', () => {
    const judged = judge(snapshot(['GitRepository', 'Kustomization'], objects), {fluxNamespace: 'flux-system'})
    expect(judged.result.summary).to.equal('unhealthy: 1 failed, 2 ready')
    expect(judged.result).to.not.have.property('selection')
    expect(judged.result).to.not.have.property('dependencies')
    expect(judged.dependencies).to.deep.equal([])
  })

  it('the dependencies that need attention only: a ready one is not listed', () => {
    const fine = [git('flux-system', 'flux-system'), ks('apps', 'web', fromGit())]
    const judged = judge(snapshot(['Kustomization'], fine), {fluxNamespace: 'flux-system', selection: '-n apps'})
    expect(judged.result.summary).to.equal('healthy: 1 ready')
    expect(judged.result.dependencies).to.deep.equal([])
  })

  it('a suspended dependency under ignoreSuspended is not listed, and the verdict is healthy', () => {
    const suspended = {...git('flux-system', 'flux-system'), spec: {suspend: true}}
    const judged = judge(snapshot(['Kustomization'], [suspended, ks('apps', 'web', fromGit())]), {
      fluxNamespace: 'flux-system',
      selection: '--kind Kustomization',
      ignoreSuspended: true,
    })
    expect(judged.result.summary).to.equal('healthy: 1 ready')
    expect(judged.result.dependencies).to.deep.equal([])
  })

  it('a selection that matched nothing: unhealthy, named', () => {
    const judged = judge(snapshot(['Kustomization'], [git('flux-system', 'flux-system')]), {
      fluxNamespace: 'flux-system',
      selection: '--kind Kustomization',
    })
    expect(judged.result).to.deep.include({
      verdict: 'unhealthy',
      summary: 'unhealthy: nothing matched --kind Kustomization',
      selection: '--kind Kustomization',
      dependencies: [],
    })
  })
})
