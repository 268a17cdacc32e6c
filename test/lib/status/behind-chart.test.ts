import {expect} from 'chai'

import {assessAll, settle} from '../../../src/lib/status/across.ts'
import {type Condition, type FluxObject, type Health, type ObjectHealth} from '../../../src/lib/status/health.ts'
import {planReconcile} from '../../../src/lib/status/plan.ts'

/**
 * A HelmRelease behind the chart its HelmChart now holds is not up to date, as a Kustomization
 * behind its source's revision is not: source-controller packages the chart at
 * `status.artifact.revision` (the chart version, with `+<sha>` for a Git chart under
 * `reconcileStrategy: Revision`), helm-controller installs exactly that version and records it in
 * `status.history[0].chartVersion`, and upgrades only once it has seen the HelmChart change. With
 * `version: 1.17.x` (cert-manager in piksel-gitops) the HelmChart moves without the release's
 * spec changing, so nothing else tells. Objects shaped as helm-controller v1 / source-controller v1
 * write them.
 */
const T = '2026-11-24T08:30:00Z'
const c = (type: string, status: string, reason: string, message: string, observedGeneration = 1): Condition => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: T,
  observedGeneration,
})

function helmChart(revision: string | undefined, namespace = 'cert-manager'): FluxObject {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'HelmChart',
    metadata: {name: 'cert-manager-cert-manager', namespace, generation: 1},
    spec: {chart: 'cert-manager', version: '1.17.x', sourceRef: {kind: 'HelmRepository', name: 'cert-manager-repo'}},
    status: {
      observedGeneration: 1,
      ...(revision ? {artifact: {revision}} : {}),
      conditions: [c('Ready', 'True', 'ChartPullSucceeded', `pulled 'cert-manager' chart with version '${revision}'`)],
    },
  }
}

function release(
  status: Partial<NonNullable<FluxObject['status']>>,
  options: {chartNamespace?: string; conditions?: Condition[]} = {},
): FluxObject {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: {name: 'cert-manager', namespace: 'cert-manager', generation: 1},
    spec: {
      chart: {
        spec: {
          chart: 'cert-manager',
          version: '1.17.x',
          sourceRef: {
            kind: 'HelmRepository',
            name: 'cert-manager-repo',
            ...(options.chartNamespace ? {namespace: options.chartNamespace} : {}),
          },
        },
      },
    },
    status: {
      observedGeneration: 1,
      conditions: options.conditions ?? [
        c('Ready', 'True', 'UpgradeSucceeded', 'Helm upgrade succeeded for release cert-manager/cert-manager.v2'),
        c('Released', 'True', 'UpgradeSucceeded', 'Helm upgrade succeeded'),
      ],
      ...status,
    },
  }
}

const released = (chartVersion: string, ociDigest?: string) => ({
  history: [
    {chartName: 'cert-manager', chartVersion, status: 'deployed', version: 2, ...(ociDigest ? {ociDigest} : {})},
    {chartName: 'cert-manager', chartVersion: '1.17.1', status: 'superseded', version: 1},
  ],
})

function ociRelease(digest: string): FluxObject {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: {name: 'podinfo', namespace: 'apps', generation: 1},
    spec: {chartRef: {kind: 'OCIRepository', name: 'podinfo'}},
    status: {
      observedGeneration: 1,
      history: [{chartName: 'podinfo', chartVersion: `6.7.0+${digest.slice(7, 19)}`, ociDigest: digest}],
      conditions: [c('Ready', 'True', 'InstallSucceeded', 'Helm install succeeded')],
    },
  }
}

function ociRepository(revision: string): FluxObject {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'OCIRepository',
    metadata: {name: 'podinfo', namespace: 'apps', generation: 1},
    status: {observedGeneration: 1, artifact: {revision}, conditions: [c('Ready', 'True', 'Succeeded', 'stored')]},
  }
}

const D1 = `sha256:${'1a'.repeat(32)}`
const D2 = `sha256:${'2b'.repeat(32)}`

describe('status: a HelmRelease behind its chart is stale (BehindSource)', () => {
  const table: Array<{what: string; objects: FluxObject[]; health: Health; message?: string}> = [
    {
      what: 'a version range moved the HelmChart to 1.17.3, the release is still 1.17.2',
      objects: [helmChart('1.17.3'), release(released('1.17.2'))],
      health: 'stale',
      message: 'released chart version 1.17.2, HelmChart/cert-manager-cert-manager is at 1.17.3',
    },
    {
      what: 'released at the HelmChart’s version',
      objects: [helmChart('1.17.3'), release(released('1.17.3'))],
      health: 'ready',
    },
    {
      what: 'a Git chart under reconcileStrategy Revision: a new commit is a new chart version',
      objects: [helmChart('0.1.0+4f3c2b1a0e9d'), release(released('0.1.0+0a1b2c3d4e5f'))],
      health: 'stale',
      message:
        'released chart version 0.1.0+0a1b2c3d4e5f, HelmChart/cert-manager-cert-manager is at 0.1.0+4f3c2b1a0e9d',
    },
    {
      what: 'as helm-controller v2beta1 wrote it (status.lastAppliedRevision, no history)',
      objects: [helmChart('1.17.3'), release({lastAppliedRevision: '1.17.2'})],
      health: 'stale',
    },
    {
      what: 'the HelmChart in the chart source’s namespace (sourceRef.namespace)',
      objects: [helmChart('1.17.3', 'flux-system'), release(released('1.17.2'), {chartNamespace: 'flux-system'})],
      health: 'stale',
    },
    {
      what: 'the latest release is the highest Helm version, wherever it is in the history',
      objects: [
        helmChart('1.17.3'),
        release({
          history: [
            {chartName: 'cert-manager', chartVersion: '1.17.2', status: 'superseded', version: 1},
            {chartName: 'cert-manager', chartVersion: '1.17.3', status: 'deployed', version: 2},
          ],
        }),
      ],
      health: 'ready',
    },
    {
      what: 'nothing released to compare (no history, no applied revision): ready',
      objects: [helmChart('1.17.3'), release({})],
      health: 'ready',
    },
    {
      what: 'a HelmChart without an artifact yet: nothing to compare, ready',
      objects: [helmChart(undefined), release(released('1.17.2'))],
      health: 'ready',
    },
    {
      what: 'a failed release stays failed (only a ready one can be behind)',
      objects: [
        helmChart('1.17.3'),
        release(released('1.17.2'), {
          conditions: [
            c('Ready', 'False', 'UpgradeFailed', 'Helm upgrade failed: timed out waiting for the condition'),
          ],
        }),
      ],
      health: 'failed',
    },
    {
      what: 'chartRef OCIRepository at a new digest',
      objects: [ociRepository(`6.7.0@${D2}`), ociRelease(D1)],
      health: 'stale',
      message: `released ${D1}, OCIRepository/podinfo is at 6.7.0@${D2}`,
    },
    {
      what: 'chartRef OCIRepository at the released digest',
      objects: [ociRepository(`6.7.0@${D1}`), ociRelease(D1)],
      health: 'ready',
    },
    {
      what: 'chartRef OCIRepository with a legacy revision (no digest to compare): ready',
      objects: [ociRepository(`6.7.0/${'2b'.repeat(32)}`), ociRelease(D1)],
      health: 'ready',
    },
  ]
  for (const t of table) {
    it(`${t.health}: ${t.what}`, () => {
      const results = assessAll(t.objects)
      const hr = results.find((r) => r.kind === 'HelmRelease') as ObjectHealth
      expect(hr.health, JSON.stringify(hr)).to.equal(t.health)
      if (t.health === 'stale') expect(hr.reason).to.equal('BehindSource')
      if (t.message) expect(hr.message).to.equal(t.message)
      // The source itself is not blamed: it is ready.
      expect(results.filter((r) => r.kind !== 'HelmRelease').map((r) => r.health)).to.deep.equal(['ready'])
    })
  }

  it('--wait: seen ready and re-reconciling (helm-controller “Fulfilling prerequisites”), still behind its HelmChart', () => {
    const hr = release(released('1.17.2'), {
      conditions: [
        c('Reconciling', 'True', 'Progressing', 'Fulfilling prerequisites'),
        c('Ready', 'True', 'UpgradeSucceeded', 'Helm upgrade succeeded'),
      ],
    })
    const seen = new Set(['HelmRelease/cert-manager/cert-manager'])
    const [, result] = assessAll([helmChart('1.17.3'), hr], undefined, (r, obj) => settle(r, obj, seen))
    expect(result).to.include({health: 'stale', reason: 'BehindSource'})
  })

  it('--reconcile requests the release behind its chart (and its HelmChart, sources first)', () => {
    const objects = [helmChart('1.17.3'), release(released('1.17.2'))]
    const plan = planReconcile(objects, assessAll(objects))
    expect(plan.targets.map((t) => `${t.kind}/${t.name} ${t.why}`)).to.deep.equal([
      'HelmChart/cert-manager-cert-manager source of HelmRelease/cert-manager',
      'HelmRelease/cert-manager stale',
    ])
  })

  describe('a HelmChart behind its source (status.observedSourceArtifactRevision)', () => {
    const INDEX_OLD = `sha256:${'3b'.repeat(32)}`
    const INDEX_NEW = `sha256:${'4c'.repeat(32)}`
    const repository = (revision: string): FluxObject => ({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: {name: 'cert-manager-repo', namespace: 'cert-manager', generation: 1},
      spec: {url: 'https://charts.jetstack.io', interval: '24h'},
      status: {observedGeneration: 1, artifact: {revision}, conditions: [c('Ready', 'True', 'Succeeded', 'stored')]},
    })
    const built = (observed: string | undefined): FluxObject => {
      const chart = helmChart('1.17.2')
      return {...chart, status: {...chart.status, ...(observed ? {observedSourceArtifactRevision: observed} : {})}}
    }
    const git = (revision: string): FluxObject => ({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: {name: 'charts', namespace: 'cert-manager', generation: 1},
      status: {observedGeneration: 1, artifact: {revision}, conditions: [c('Ready', 'True', 'Succeeded', 'stored')]},
    })
    const fromGit = (observed: string): FluxObject => {
      const chart = built(observed)
      return {...chart, spec: {...chart.spec, sourceRef: {kind: 'GitRepository', name: 'charts'}}}
    }
    const SHA = '4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b'
    const table: Array<[string, FluxObject[], Health, string?]> = [
      [
        'the index has moved on (a new chart may match 1.17.x)',
        [repository(INDEX_NEW), built(INDEX_OLD)],
        'stale',
        `built from ${INDEX_OLD}, source HelmRepository/cert-manager-repo is at ${INDEX_NEW}`,
      ],
      ['built from the index the repository holds', [repository(INDEX_NEW), built(INDEX_NEW)], 'ready'],
      [
        'the same index digest in the legacy form (bare hex)',
        [repository(INDEX_NEW), built(INDEX_NEW.slice(7))],
        'ready',
      ],
      [
        'nothing observed yet (no observedSourceArtifactRevision): nothing to compare',
        [repository(INDEX_NEW), built(undefined)],
        'ready',
      ],
      [
        'a Git chart: a new commit not built yet',
        [git(`main@sha1:${SHA}`), fromGit(`main@sha1:${'0'.repeat(40)}`)],
        'stale',
      ],
      ['a Git chart: the same commit, legacy form', [git(`main@sha1:${SHA}`), fromGit(`main/${SHA}`)], 'ready'],
    ]
    for (const [what, objects, health, message] of table) {
      it(`${health}: ${what}`, () => {
        const chart = assessAll(objects).find((r) => r.kind === 'HelmChart') as ObjectHealth
        expect(chart.health, JSON.stringify(chart)).to.equal(health)
        if (health === 'stale') expect(chart.reason).to.equal('BehindSource')
        if (message) expect(chart.message).to.equal(message)
      })
    }
  })
})
