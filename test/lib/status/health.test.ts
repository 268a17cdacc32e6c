import {expect} from 'chai'

import {
  assessAll,
  dependenciesOf,
  dependsOnCycles,
  markRequested,
  referencesOf,
  settle,
} from '../../../src/lib/status/across.ts'
import {
  type Condition,
  type FluxObject,
  type Health,
  type ObjectHealth,
  assessObject,
  generationObserved,
  isRoutineReconcile,
  keyOf,
  revisionOf,
} from '../../../src/lib/status/health.ts'
import {age, countObjects, sortForDisplay, verdict} from '../../../src/lib/status/verdict.ts'
import {readFixture} from '../../support/kube-standin.ts'

const T = '2026-11-24T08:30:00Z'
const GIT = 'main@sha1:4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b'
const OLD = 'main@sha1:0a1b2c3d4e5f60718293a4b5c6d7e8f901234567'

const c = (type: string, status: string, reason: string, message = '', observedGeneration?: number): Condition => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: T,
  ...(observedGeneration === undefined ? {} : {observedGeneration}),
})

/** A Kustomization as written in clusters/staging/apps.yaml (v1beta2), with the status Flux gives it. */
function ks(
  name: string,
  status: FluxObject['status'],
  extra: {generation?: number; spec?: FluxObject['spec']; deletion?: string} = {},
): FluxObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1beta2',
    kind: 'Kustomization',
    metadata: {
      name,
      namespace: 'flux-system',
      generation: extra.generation ?? 1,
      creationTimestamp: '2026-11-20T00:00:00Z',
      ...(extra.deletion ? {deletionTimestamp: extra.deletion} : {}),
    },
    spec: {sourceRef: {kind: 'GitRepository', name: 'flux-system'}, ...extra.spec},
    status,
  }
}

function hr(status: FluxObject['status'], generation = 1): FluxObject {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: {name: 'jupyterhub', namespace: 'jupyterhub', generation},
    spec: {chart: {spec: {sourceRef: {kind: 'HelmRepository', name: 'jupyterhub'}}}},
    status,
  }
}

const ready = (gen = 1) => [c('Ready', 'True', 'ReconciliationSucceeded', `Applied revision: ${GIT}`, gen)]

describe('status health rules', () => {
  const cases: Array<{
    what: string
    obj: FluxObject
    hasStatus?: boolean
    health: Health
    reason?: RegExp
    message?: RegExp
  }> = [
    {
      what: 'Ready=True at the observed generation (per-condition observedGeneration)',
      obj: ks('jhub', {observedGeneration: 1, lastAppliedRevision: GIT, conditions: ready(1)}),
      health: 'ready',
      reason: /ReconciliationSucceeded/,
    },
    {
      // kustomize-controller finished generation 1 while the spec became 2: finalizeStatus set
      // status.observedGeneration from the object it reconciled (1); fluxcd/pkg runtime/patch re-read the
      // object to patch the conditions, and conditions.Set stamped Ready=True with its generation (2).
      what: 'Ready=True stamped with the new generation while status.observedGeneration lags: not ready',
      obj: ks('jhub', {observedGeneration: 1, conditions: ready(2)}, {generation: 2}),
      health: 'stale',
      reason: /^GenerationNotReady$/,
      message: /^generation 2 not yet reconciled: Ready=True is for generation 1 \(status\.observedGeneration\)$/,
    },
    {
      what: 'Ready=True at the generation, no status.observedGeneration at all: the condition decides',
      obj: ks('jhub', {conditions: ready(2)}, {generation: 2}),
      health: 'ready',
    },
    {
      what: 'Ready=True whose status.observedGeneration is still the CRD default (-1): not ready',
      obj: ks('jhub', {observedGeneration: -1, conditions: ready(1)}),
      health: 'stale',
      reason: /^GenerationNotReady$/,
    },
    {
      what: 'Ready=False at the new generation while status.observedGeneration lags: the failure (as the docs show it)',
      obj: ks(
        'jhub',
        {observedGeneration: 1, conditions: [c('Ready', 'False', 'BuildFailed', 'kustomize build failed', 2)]},
        {generation: 2},
      ),
      health: 'failed',
      reason: /^BuildFailed$/,
    },
    {
      what: 'status.observedGeneration matches though the condition has none (v1beta2-era status)',
      obj: ks(
        'jhub',
        {observedGeneration: 3, conditions: [c('Ready', 'True', 'ReconciliationSucceeded')]},
        {generation: 3},
      ),
      health: 'ready',
    },
    {
      what: 'a new generation not yet observed is stale',
      obj: ks('jhub', {observedGeneration: 1, conditions: ready(1)}, {generation: 2}),
      health: 'stale',
      reason: /GenerationNotObserved/,
      message: /generation 2 not yet observed/,
    },
    {
      what: 'HelmRelease without any observedGeneration is judged on Ready alone',
      obj: hr({conditions: [c('Ready', 'True', 'InstallSucceeded', 'Helm install succeeded')]}, 4),
      health: 'ready',
    },
    {
      what: 'HelmRelease Stalled=True is failed, with the Ready message first',
      obj: hr({
        observedGeneration: 1,
        conditions: [
          c('Ready', 'False', 'UpgradeFailed', 'Helm upgrade failed: context deadline exceeded', 1),
          c('Stalled', 'True', 'RetriesExceeded', 'Failed to upgrade after 1 attempt(s)', 1),
        ],
      }),
      health: 'failed',
      reason: /UpgradeFailed/,
      message: /context deadline exceeded; Failed to upgrade after 1 attempt/,
    },
    {
      what: 'Ready=False is failed',
      obj: ks('infra-configs', {
        observedGeneration: 1,
        conditions: [c('Ready', 'False', 'BuildFailed', 'kustomize build failed', 1)],
      }),
      health: 'failed',
      reason: /BuildFailed/,
    },
    {
      what: 'Ready=False with DependencyNotReady is waiting, not broken',
      obj: ks('jhub', {
        conditions: [
          c('Ready', 'False', 'DependencyNotReady', "dependency 'flux-system/infra-configs' is not ready", 1),
        ],
      }),
      health: 'waiting',
    },
    {
      what: 'Reconciling=True is progressing',
      obj: hr(
        {
          conditions: [
            c('Reconciling', 'True', 'Progressing', "Running 'upgrade' action with timeout of 5m0s", 2),
            c('Ready', 'Unknown', 'Progressing', "Running 'upgrade' action", 2),
          ],
        },
        2,
      ),
      health: 'progressing',
    },
    {
      what: 'Ready=Unknown without Reconciling is progressing',
      obj: ks('ows', {conditions: [c('Ready', 'Unknown', 'Progressing', 'reconciliation in progress', 1)]}),
      health: 'progressing',
    },
    {
      what: 'no status at all on a kind with a status subresource: never reconciled',
      obj: ks('terria', undefined),
      health: 'unknown',
      reason: /NotReconciled/,
    },
    {
      what: 'an empty status (no conditions): never reconciled',
      obj: ks('terria', {}),
      health: 'unknown',
    },
    {
      what: 'conditions without Ready: unknown',
      obj: ks('terria', {conditions: [c('Healthy', 'True', 'Succeeded')]}),
      health: 'unknown',
      reason: /NoReadyCondition/,
    },
    {
      what: 'Provider at v1beta3 (no status subresource) is ready once accepted',
      obj: {
        apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
        kind: 'Provider',
        metadata: {name: 'slack-dev', namespace: 'flux-system'},
        spec: {type: 'slack'},
      },
      hasStatus: false,
      health: 'ready',
      reason: /NoStatusByDesign/,
    },
    {
      what: 'suspended wins over Ready=True: never shown as healthy',
      obj: ks('monitoring', {conditions: ready(1)}, {spec: {suspend: true}}),
      health: 'suspended',
      message: /flux resume kustomization monitoring -n flux-system/,
    },
    {
      what: 'a deletionTimestamp is terminating',
      obj: ks('old', {conditions: ready(1)}, {deletion: '2026-11-24T09:00:00Z'}),
      health: 'terminating',
    },
  ]
  for (const t of cases) {
    it(`${t.health}: ${t.what}`, () => {
      const result = assessObject(t.obj, {hasStatus: t.hasStatus, fluxNoun: 'kustomization'})
      expect(result.health, JSON.stringify(result)).to.equal(t.health)
      if (t.reason) expect(result.reason).to.match(t.reason)
      if (t.message) expect(result.message).to.match(t.message)
      expect(result.kind).to.equal(t.obj.kind)
      expect(result.suspended).to.equal(t.obj.spec?.suspend === true)
    })
  }

  it('reports revision and since from the status', () => {
    const r = assessObject(ks('jhub', {lastAppliedRevision: GIT, conditions: ready(1)}))
    expect(r.revision).to.equal(GIT)
    expect(r.since).to.equal(T)
    const chart = assessObject(hr({conditions: ready(1), history: [{chartName: 'jupyterhub', chartVersion: '4.1.0'}]}))
    expect(chart.revision).to.equal('jupyterhub@4.1.0')
  })

  it('generationObserved: either observedGeneration matching is enough; neither present is not stale', () => {
    expect(generationObserved(ks('a', {observedGeneration: 2, conditions: ready(1)}, {generation: 2}))).to.equal(true)
    expect(generationObserved(ks('a', {observedGeneration: 1, conditions: ready(2)}, {generation: 2}))).to.equal(true)
    expect(generationObserved(ks('a', {observedGeneration: 1, conditions: ready(1)}, {generation: 2}))).to.equal(false)
    expect(generationObserved(hr({conditions: [c('Ready', 'True', 'x')]}, 9))).to.equal(true)
  })

  const observed: Array<[string, FluxObject, boolean]> = [
    [
      'status.observedGeneration lags and no condition carries one: stale',
      ks('a', {observedGeneration: 1, conditions: [c('Ready', 'True', 'x')]}, {generation: 2}),
      false,
    ],
    [
      'Stalled observed the generation (Ready and status lag): observed',
      ks(
        'a',
        {observedGeneration: 1, conditions: [c('Ready', 'False', 'x', '', 1), c('Stalled', 'True', 'y', '', 2)]},
        {generation: 2},
      ),
      true,
    ],
    [
      'Reconciling observed the generation: observed',
      ks(
        'a',
        {observedGeneration: 1, conditions: [c('Ready', 'True', 'x', '', 1), c('Reconciling', 'True', 'y', '', 2)]},
        {generation: 2},
      ),
      true,
    ],
    [
      'another condition type at the generation does not count (Healthy is not written by every controller)',
      ks(
        'a',
        {observedGeneration: 1, conditions: [c('Ready', 'True', 'x', '', 1), c('Healthy', 'True', 'y', '', 2)]},
        {generation: 2},
      ),
      false,
    ],
  ]
  for (const [what, obj, expected] of observed) {
    it(`generationObserved: ${what}`, () => {
      expect(generationObserved(obj)).to.equal(expected)
    })
  }

  describe('age (as the table shows it)', () => {
    const now = Date.parse('2026-11-24T12:00:00Z')
    const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString()
    const table: Array<[string | null, string]> = [
      [null, '-'],
      ['not a date', '-'],
      [ago(0), '0s'],
      [ago(119), '119s'],
      [ago(120), '2m'],
      [ago(7199), '120m'],
      [ago(7200), '2h'],
      [ago(172_799), '48h'],
      [ago(172_800), '2d'],
      [new Date(now + 60_000).toISOString(), '0s'],
    ]
    for (const [since, shown] of table) {
      it(`${since ?? 'null'} at ${new Date(now).toISOString()}: ${shown}`, () => {
        expect(age(since, now)).to.equal(shown)
      })
    }
  })

  describe('across objects', () => {
    const git = (revision: string): FluxObject => ({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: {name: 'flux-system', namespace: 'flux-system', generation: 1},
      status: {
        observedGeneration: 1,
        artifact: {revision},
        conditions: [c('Ready', 'True', 'Succeeded', 'stored artifact', 1)],
      },
    })

    it('a Kustomization behind its source revision is stale', () => {
      const [, terria] = assessAll([git(GIT), ks('terria', {lastAppliedRevision: OLD, conditions: ready(1)})])
      expect(terria?.health).to.equal('stale')
      expect(terria?.reason).to.equal('BehindSource')
      expect(terria?.message).to.contain(OLD).and.contain(GIT)
    })

    // --wait: an object seen ready is kept ready through a re-reconcile (settle), but a Kustomization
    // applying its source's new revision (Reconciling=True, Ready still True for the old one) is not done.
    const applying = (applied: string) =>
      ks('terria', {
        lastAppliedRevision: applied,
        conditions: [c('Reconciling', 'True', 'Progressing', `Building manifests for revision ${GIT}`, 1), ...ready(1)],
      })
    const seen = new Set(['Kustomization/flux-system/terria'])
    const settled = (r: ObjectHealth, obj: FluxObject) => settle(r, obj, seen)
    const waitTable: Array<[string, string, Health, string]> = [
      ['applying the source’s new revision: stale behind it, even when seen ready', OLD, 'stale', 'BehindSource'],
      [
        'the same commit in the legacy form: ready',
        `main/${GIT.slice('main@sha1:'.length)}`,
        'ready',
        'ReconciliationSucceeded',
      ],
      ['a routine re-reconcile at the source’s revision: ready', GIT, 'ready', 'ReconciliationSucceeded'],
    ]
    for (const [what, applied, health, reason] of waitTable) {
      it(`--wait: ${what}`, () => {
        const [, terria] = assessAll([git(GIT), applying(applied)], undefined, settled)
        expect(terria).to.include({health, reason})
      })
    }

    it('a Kustomization at its source revision stays ready', () => {
      const [, terria] = assessAll([git(GIT), ks('terria', {lastAppliedRevision: GIT, conditions: ready(1)})])
      expect(terria?.health).to.equal('ready')
    })

    it('waiting on a dependency that waits on a failed one points at the failed root', () => {
      const results = assessAll([
        git(GIT),
        ks('infra-configs', {conditions: [c('Ready', 'False', 'BuildFailed', 'kustomize build failed', 1)]}),
        ks(
          'argo-workflows',
          {conditions: [c('Ready', 'False', 'DependencyNotReady', 'dependency not ready', 1)]},
          {spec: {dependsOn: [{name: 'infra-configs'}]}},
        ),
        ks(
          'cron-jobs',
          {conditions: [c('Ready', 'False', 'DependencyNotReady', 'dependency not ready', 1)]},
          {spec: {dependsOn: [{name: 'argo-workflows'}]}},
        ),
      ])
      const cron = results.find((r) => r.name === 'cron-jobs')
      expect(cron?.health).to.equal('waiting')
      expect(cron?.cause).to.deep.equal({
        kind: 'Kustomization',
        namespace: 'flux-system',
        name: 'infra-configs',
        health: 'failed',
        reason: 'BuildFailed',
      })
      expect(results.find((r) => r.name === 'infra-configs')?.cause).to.equal(undefined)
    })

    it('waiting on a suspended dependency points at it', () => {
      const results = assessAll([
        ks('monitoring', {conditions: ready(1)}, {spec: {suspend: true}}),
        ks(
          'dashboards',
          {conditions: [c('Ready', 'False', 'DependencyNotReady', 'x', 1)]},
          {spec: {dependsOn: [{name: 'monitoring'}]}},
        ),
      ])
      expect(results[1]?.cause?.name).to.equal('monitoring')
      expect(results[1]?.cause?.health).to.equal('suspended')
    })

    it('a failed HelmRelease built from a failed HelmChart points at the chart', () => {
      const chart: FluxObject = {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'HelmChart',
        metadata: {name: 'jupyterhub-jupyterhub', namespace: 'jupyterhub', generation: 1},
        spec: {sourceRef: {kind: 'HelmRepository', name: 'jupyterhub'}},
        status: {
          conditions: [c('Ready', 'False', 'ChartPullError', 'chart "jupyterhub" version "9.9.9" not found', 1)],
        },
      }
      const release = hr({conditions: [c('Ready', 'False', 'ArtifactFailed', 'HelmChart not ready', 1)]})
      const [, r] = assessAll([chart, release])
      expect(r?.health).to.equal('failed')
      expect(r?.cause).to.include({kind: 'HelmChart', name: 'jupyterhub-jupyterhub', reason: 'ChartPullError'})
    })

    it('dependency cycles do not loop (cycles.test.ts has the rules)', () => {
      const results = assessAll([
        ks('a', {conditions: [c('Ready', 'False', 'DependencyNotReady', 'x', 1)]}, {spec: {dependsOn: [{name: 'b'}]}}),
        ks('b', {conditions: [c('Ready', 'False', 'DependencyNotReady', 'x', 1)]}, {spec: {dependsOn: [{name: 'a'}]}}),
      ])
      expect(results.map((r) => r.health)).to.deep.equal(['failed', 'failed'])
    })

    it('ready, suspended and terminating objects get no root cause, though what they reference failed', () => {
      const broken = ks('infra-configs', {
        conditions: [c('Ready', 'False', 'BuildFailed', 'kustomize build failed', 1)],
      })
      const dependsOn = {dependsOn: [{name: 'infra-configs'}]}
      const results = assessAll([
        broken,
        ks('apps', {conditions: ready(1)}, {spec: dependsOn}),
        ks('paused', {conditions: ready(1)}, {spec: {...dependsOn, suspend: true}}),
        ks('leaving', {conditions: ready(1)}, {spec: dependsOn, deletion: '2026-11-24T09:00:00Z'}),
        ks('waits', {conditions: [c('Ready', 'False', 'DependencyNotReady', 'x', 1)]}, {spec: dependsOn}),
      ])
      expect(results.map((r) => [r.name, r.health, r.cause?.name ?? null])).to.deep.equal([
        ['infra-configs', 'failed', null],
        ['apps', 'ready', null],
        ['paused', 'suspended', null],
        ['leaving', 'terminating', null],
        ['waits', 'waiting', 'infra-configs'],
      ])
    })
  })

  describe('the reference objects (mixed v1beta2 / v1 / v2beta1) from the fixtures', () => {
    it('healthy.yaml: every Flux object ready', () => {
      const objects = readFixture('healthy.yaml').filter((o) =>
        o.apiVersion.includes('toolkit'),
      ) as unknown as FluxObject[]
      expect(objects.some((o) => o.apiVersion === 'kustomize.toolkit.fluxcd.io/v1beta2')).to.equal(true)
      expect(objects.some((o) => o.apiVersion === 'helm.toolkit.fluxcd.io/v2beta1')).to.equal(true)
      const results = assessAll(objects)
      expect(results.filter((r) => r.health !== 'ready').map(keyOf)).to.deep.equal([])
    })

    it('unhealthy.yaml: the expected mix, each waiting one pointing at infra-configs', () => {
      const objects = readFixture('unhealthy.yaml').filter((o) =>
        o.apiVersion.includes('toolkit'),
      ) as unknown as FluxObject[]
      const results = assessAll(objects)
      const counts = countObjects(results)
      expect(counts.byHealth).to.include({failed: 2, stale: 1, waiting: 7, progressing: 1, suspended: 1})
      for (const r of results.filter((x) => x.health === 'waiting')) expect(r.cause?.name).to.equal('infra-configs')
    })
  })

  describe('settle (--wait keeps objects seen ready)', () => {
    // A reconcile request or the interval: Reconciling=True at the generation Ready=True is for.
    const reReconcile = ks('jhub', {
      observedGeneration: 1,
      conditions: [c('Reconciling', 'True', 'Progressing', 'building manifests', 1), ...ready(1)],
    })
    it('a routine re-reconcile with Ready still True stays ready once seen ready', () => {
      const raw = assessObject(reReconcile)
      expect(raw.health).to.equal('progressing')
      expect(settle(raw, reReconcile, new Set([keyOf(reReconcile)])).health).to.equal('ready')
    })
    // source-controller (ProgressiveStatus keeps a True Ready: "processing object: new generation 1 -> 2")
    // and helm-controller ("Fulfilling prerequisites") mark Reconciling=True at the new generation and
    // leave the old generation's Ready=True until they are done: the new spec is not applied yet.
    const newGenerations: Array<[string, FluxObject]> = [
      [
        'GitRepository (source-controller)',
        {
          apiVersion: 'source.toolkit.fluxcd.io/v1',
          kind: 'GitRepository',
          metadata: {name: 'flux-system', namespace: 'flux-system', generation: 2},
          spec: {ref: {branch: 'release'}},
          status: {
            observedGeneration: 1,
            artifact: {revision: GIT},
            conditions: [
              c('Reconciling', 'True', 'Progressing', 'processing object: new generation 1 -> 2', 2),
              c('Ready', 'True', 'Succeeded', `stored artifact for revision '${GIT}'`, 1),
            ],
          },
        },
      ],
      [
        'HelmRelease (helm-controller)',
        hr(
          {
            observedGeneration: 1,
            conditions: [
              c('Reconciling', 'True', 'Progressing', 'Fulfilling prerequisites', 2),
              c('Ready', 'True', 'UpgradeSucceeded', 'Helm upgrade succeeded', 1),
            ],
          },
          2,
        ),
      ],
      [
        'Ready=True stamped with the new generation by the patch helper, status.observedGeneration behind',
        ks(
          'jhub',
          {observedGeneration: 1, conditions: [c('Reconciling', 'True', 'Progressing', 'building', 2), ...ready(2)]},
          {generation: 2},
        ),
      ],
    ]
    for (const [what, obj] of newGenerations) {
      it(`a new generation being processed is not settled, though seen ready: ${what}`, () => {
        const raw = assessObject(obj)
        expect(raw.health).to.equal('progressing')
        expect(isRoutineReconcile(obj)).to.equal(false)
        expect(settle(raw, obj, new Set([keyOf(obj)])).health).to.equal('progressing')
      })
    }
    it('not seen ready before: progressing', () => {
      expect(settle(assessObject(reReconcile), reReconcile, new Set()).health).to.equal('progressing')
    })
    it('Ready dropped to Unknown: progressing even if seen ready', () => {
      const obj = ks(
        'jhub',
        {conditions: [c('Reconciling', 'True', 'Progressing', '', 2), c('Ready', 'Unknown', 'Progressing', '', 2)]},
        {generation: 2},
      )
      expect(settle(assessObject(obj), obj, new Set([keyOf(obj)])).health).to.equal('progressing')
    })
  })

  describe('markRequested (--reconcile: progressing until Flux has handled the request)', () => {
    const AT = '2026-11-30T11:00:00Z'
    const retried = [
      c('Reconciling', 'True', 'ProgressingWithRetry', 'Building manifests', 1),
      c('Ready', 'False', 'BuildFailed', 'kustomize build failed', 1),
    ]
    const source = ks('infra', {observedGeneration: 1, conditions: retried})
    const waiter = ks(
      'apps',
      {observedGeneration: 1, conditions: [c('Ready', 'False', 'DependencyNotReady', "'infra' not ready", 1)]},
      {spec: {dependsOn: [{name: 'infra'}]}},
    )
    const infra = assessObject(source)
    const handled = (obj: FluxObject): FluxObject => ({...obj, status: {...obj.status, lastHandledReconcileAt: AT}})
    const table: Array<[string, ObjectHealth, FluxObject, 'requested' | 'unchanged']> = [
      ['a retried failure, not yet handled: progressing, without the retrying marker', infra, source, 'requested'],
      ['handled (lastHandledReconcileAt = requestedAt): judged on its status', infra, handled(source), 'unchanged'],
      [
        'handled at an older request: still progressing',
        infra,
        {...source, status: {...source.status, lastHandledReconcileAt: '2026-11-29T00:00:00Z'}},
        'requested',
      ],
      [
        'suspended: Flux ignores the request, it stays suspended',
        {...infra, health: 'suspended', reason: 'Suspended'},
        source,
        'unchanged',
      ],
      ['terminating: stays terminating', {...infra, health: 'terminating', reason: 'Terminating'}, source, 'unchanged'],
    ]
    for (const [what, result, obj, expected] of table) {
      it(what, () => {
        const out = markRequested(result, obj, AT)
        if (expected === 'unchanged') return expect(out).to.equal(result)
        expect(out).to.include({health: 'progressing', reason: 'ReconcileRequested', name: result.name})
        expect(out).to.not.have.property('retrying')
      })
    }
    it('as assessAll’s adjust: what waits on a requested object names it as it is now, not as it failed', () => {
      expect(infra).to.include({health: 'failed', retrying: true})
      const [, apps] = assessAll([source, waiter], undefined, (r, obj) =>
        obj.metadata.name === 'infra' ? markRequested(r, obj, AT) : r,
      )
      expect(apps?.cause).to.deep.equal({
        kind: 'Kustomization',
        namespace: 'flux-system',
        name: 'infra',
        health: 'progressing',
        reason: 'ReconcileRequested',
      })
    })
  })

  describe('verdict', () => {
    const of = (...healths: Health[]) => countObjects(healths.map((health) => ({kind: 'Kustomization', health})))
    const dep = (kind: string, name: string, health: Health) => ({kind, namespace: 'flux-system', name, health})
    const table: Array<[string, ReturnType<typeof of>, Parameters<typeof verdict>[1], boolean, string]> = [
      ['all ready', of('ready', 'ready'), {}, true, 'healthy: 2 ready'],
      [
        'a failure',
        of('failed', 'failed', 'suspended', 'ready'),
        {},
        false,
        'unhealthy: 2 failed, 1 suspended, 1 ready',
      ],
      ['suspended counts', of('suspended', 'ready'), {}, false, 'unhealthy: 1 suspended, 1 ready'],
      [
        'suspended ignored',
        of('suspended', 'ready'),
        {ignoreSuspended: true},
        true,
        'healthy: 1 suspended (ignored), 1 ready',
      ],
      ['progressing', of('progressing'), {}, false, 'unhealthy: 1 progressing'],
      ['unknown', of('unknown'), {}, false, 'unhealthy: 1 unknown'],
      ['stale', of('stale'), {}, false, 'unhealthy: 1 stale'],
      ['waiting', of('waiting'), {}, false, 'unhealthy: 1 waiting'],
      ['terminating', of('terminating'), {}, false, 'unhealthy: 1 terminating'],
      [
        'controller down',
        of('ready'),
        {controllersDown: ['helm-controller']},
        false,
        'unhealthy: 1 controller down, 1 ready',
      ],
      ['workloads failing', of('ready'), {workloads: {failed: 2}}, false, 'unhealthy: 2 workloads failing, 1 ready'],
      [
        'workloads progressing and unknown',
        of('ready'),
        {workloads: {progressing: 1, unknown: 2}},
        false,
        'unhealthy: 1 workload progressing, 2 workloads unknown, 1 ready',
      ],
      [
        'two controllers down',
        of('ready'),
        {controllersDown: ['helm-controller', 'source-controller']},
        false,
        'unhealthy: 2 controllers down, 1 ready',
      ],
      [
        'a failure, suspended ignored: still unhealthy',
        of('failed', 'suspended'),
        {ignoreSuspended: true},
        false,
        'unhealthy: 1 failed, 1 suspended (ignored)',
      ],
      // The selection's dependencies (outside it) decide with it: named, by health, worst first.
      [
        'a selection ready, its GitRepository failed',
        of('ready', 'ready'),
        {dependencies: [dep('GitRepository', 'flux-system', 'failed')], selection: '--kind Kustomization'},
        false,
        'unhealthy: 2 ready, 1 dependency failed (GitRepository flux-system/flux-system)',
      ],
      [
        'dependencies in two states, worst first, after the objects',
        of('waiting', 'ready'),
        {
          dependencies: [
            dep('HelmRepository', 'podinfo', 'unknown'),
            dep('Kustomization', 'infra', 'stale'),
            dep('GitRepository', 'apps', 'stale'),
          ],
        },
        false,
        'unhealthy: 1 waiting, 1 ready, 2 dependencies stale (Kustomization flux-system/infra, GitRepository flux-system/apps), 1 dependency unknown (HelmRepository flux-system/podinfo)',
      ],
      [
        'more than three of a state: three named, the rest counted',
        of('ready'),
        {dependencies: ['a', 'b', 'c', 'd', 'e'].map((name) => dep('GitRepository', name, 'failed'))},
        false,
        'unhealthy: 1 ready, 5 dependencies failed (GitRepository flux-system/a, GitRepository flux-system/b, GitRepository flux-system/c, +2 more)',
      ],
      [
        'exactly three: all named',
        of('ready'),
        {dependencies: ['a', 'b', 'c'].map((name) => dep('GitRepository', name, 'progressing'))},
        false,
        'unhealthy: 1 ready, 3 dependencies progressing (GitRepository flux-system/a, GitRepository flux-system/b, GitRepository flux-system/c)',
      ],
      [
        'ready dependencies do not count',
        of('ready'),
        {dependencies: [dep('GitRepository', 'flux-system', 'ready')], selection: '-l team=a'},
        true,
        'healthy: 1 ready',
      ],
      [
        'a suspended dependency counts',
        of('ready'),
        {dependencies: [dep('GitRepository', 'flux-system', 'suspended')]},
        false,
        'unhealthy: 1 ready, 1 dependency suspended (GitRepository flux-system/flux-system)',
      ],
      [
        'a suspended dependency, suspended ignored: healthy',
        of('ready'),
        {dependencies: [dep('GitRepository', 'flux-system', 'suspended')], ignoreSuspended: true},
        true,
        'healthy: 1 ready',
      ],
      [
        'a terminating dependency counts',
        of('ready'),
        {dependencies: [dep('GitRepository', 'flux-system', 'terminating')]},
        false,
        'unhealthy: 1 ready, 1 dependency terminating (GitRepository flux-system/flux-system)',
      ],
      // A selection matching nothing is not healthy; no filter and no objects is as it was.
      [
        'a selection matching nothing',
        of(),
        {selection: '-l team=nobody'},
        false,
        'unhealthy: nothing matched -l team=nobody',
      ],
      [
        'a selection matching nothing, no controllers either',
        of(),
        {selection: '-n empty', noControllersIn: 'flux-system'},
        false,
        'unhealthy: no Flux controllers in flux-system, nothing matched -n empty',
      ],
      ['no filter, no objects', of(), {}, true, 'healthy: no Flux objects'],
      ['a selection matching something ready', of('ready'), {selection: '-n apps'}, true, 'healthy: 1 ready'],
    ]
    for (const [what, counts, options, healthy, line] of table) {
      it(`${what}: ${line}`, () => {
        expect(verdict(counts, options)).to.deep.equal({healthy, line})
      })
    }
  })

  it('counts per kind and sorts the worst first', () => {
    const items = [
      {kind: 'Kustomization', namespace: 'a', name: 'x', health: 'ready' as Health},
      {kind: 'HelmRelease', namespace: 'a', name: 'y', health: 'failed' as Health},
      {kind: 'Kustomization', namespace: 'a', name: 'z', health: 'waiting' as Health},
    ]
    const counts = countObjects(items)
    expect(counts.total).to.equal(3)
    expect(counts.byKind.Kustomization).to.deep.equal({total: 2, ready: 1, waiting: 1})
    expect(sortForDisplay(items).map((i) => i.name)).to.deep.equal(['y', 'z', 'x'])
  })
})

describe('status health rules: what each rule says when the conditions say little', () => {
  const CREATED = '2026-11-20T00:00:00Z'
  /** A condition as a controller may leave it: only what is given (no reason, message or time). */
  const raw = (type: string, status: string, more: Partial<Condition> = {}): Condition => ({type, status, ...more})
  const rows: Array<[string, FluxObject, Pick<ObjectHealth, 'health' | 'reason' | 'message' | 'since'>]> = [
    [
      'Ready=False alone',
      ks('x', {conditions: [raw('Ready', 'False')]}),
      {health: 'failed', reason: 'NotReady', message: 'not ready', since: CREATED},
    ],
    [
      'Ready=False DependencyNotReady without a message',
      ks('x', {conditions: [raw('Ready', 'False', {reason: 'DependencyNotReady'})]}),
      {health: 'waiting', reason: 'DependencyNotReady', message: 'a dependency is not ready', since: CREATED},
    ],
    [
      'Reconciling=True alone',
      ks('x', {conditions: [raw('Reconciling', 'True')]}),
      {health: 'progressing', reason: 'Progressing', message: 'reconciliation in progress', since: CREATED},
    ],
    [
      'Ready=Unknown alone',
      ks('x', {conditions: [raw('Ready', 'Unknown')]}),
      {health: 'progressing', reason: 'Progressing', message: 'reconciliation in progress', since: CREATED},
    ],
    [
      'Ready=True alone',
      ks('x', {conditions: [raw('Ready', 'True')]}),
      {health: 'ready', reason: 'Ready', message: 'ready', since: CREATED},
    ],
    [
      'Ready with a status kstatus does not know',
      ks('x', {conditions: [raw('Ready', 'Maybe')]}),
      {health: 'unknown', reason: 'UnknownReadyStatus', message: 'Ready is "Maybe":', since: CREATED},
    ],
    [
      'Ready with a status kstatus does not know, with its reason and message',
      ks('x', {conditions: [raw('Ready', 'Maybe', {reason: 'Odd', message: 'who knows'})]}),
      {health: 'unknown', reason: 'Odd', message: 'Ready is "Maybe": who knows', since: CREATED},
    ],
    [
      'no Ready condition',
      ks('x', {conditions: [raw('Healthy', 'True')]}),
      {health: 'unknown', reason: 'NoReadyCondition', message: 'no Ready condition yet', since: CREATED},
    ],
    [
      'Stalled=True alone',
      ks('x', {conditions: [raw('Stalled', 'True')]}),
      {health: 'failed', reason: 'Stalled', message: 'stalled', since: CREATED},
    ],
    [
      'Stalled=True beside Ready=True: the Ready message is old news, not why it failed',
      ks('x', {
        conditions: [
          raw('Ready', 'True', {reason: 'Succeeded', message: 'old news'}),
          raw('Stalled', 'True', {reason: 'RetriesExceeded', message: 'gave up', lastTransitionTime: T}),
        ],
      }),
      {health: 'failed', reason: 'RetriesExceeded', message: 'gave up', since: T},
    ],
    [
      'Stalled and Ready=False saying the same: said once, with Ready’s reason',
      ks('x', {
        conditions: [
          raw('Ready', 'False', {reason: 'UpgradeFailed', message: 'same'}),
          raw('Stalled', 'True', {reason: 'RetriesExceeded', message: 'same'}),
        ],
      }),
      {health: 'failed', reason: 'UpgradeFailed', message: 'same', since: CREATED},
    ],
    [
      'Stalled beside a Ready=False without a message: Stalled’s reason and message',
      ks('x', {
        conditions: [
          raw('Ready', 'False', {reason: 'UpgradeFailed'}),
          raw('Stalled', 'True', {reason: 'RetriesExceeded', message: 'gave up'}),
        ],
      }),
      {health: 'failed', reason: 'RetriesExceeded', message: 'gave up', since: CREATED},
    ],
    [
      'being deleted: since the deletion',
      ks('x', {conditions: ready(1)}, {deletion: '2026-11-24T09:00:00Z'}),
      {
        health: 'terminating',
        reason: 'Terminating',
        message: 'being deleted (finalizers pending)',
        since: '2026-11-24T09:00:00Z',
      },
    ],
    [
      'never reconciled: unknown since it was created',
      ks('x', {conditions: []}),
      {
        health: 'unknown',
        reason: 'NotReconciled',
        message: 'never reconciled: no status yet (is its controller running?)',
        since: CREATED,
      },
    ],
    [
      'stale, Ready without its own generation: the status’s is quoted',
      ks('x', {observedGeneration: 1, conditions: [raw('Ready', 'True', {reason: 'Succeeded'})]}, {generation: 2}),
      {
        health: 'stale',
        reason: 'GenerationNotObserved',
        message: 'generation 2 not yet observed (controller last saw 1); last known: Ready=True Succeeded',
        since: CREATED,
      },
    ],
    [
      'stale, Ready without a reason',
      ks('x', {conditions: [raw('Ready', 'True', {observedGeneration: 1})]}, {generation: 2}),
      {
        health: 'stale',
        reason: 'GenerationNotObserved',
        message: 'generation 2 not yet observed (controller last saw 1); last known: Ready=True',
        since: CREATED,
      },
    ],
    [
      'stale without a Ready condition or any generation seen',
      ks('x', {conditions: [raw('Reconciling', 'True', {observedGeneration: 1})]}, {generation: 2}),
      {
        health: 'stale',
        reason: 'GenerationNotObserved',
        message: 'generation 2 not yet observed (controller last saw none)',
        since: CREATED,
      },
    ],
    [
      'a message over several lines is shown on one',
      ks('x', {conditions: [raw('Ready', 'True', {message: '  Applied \n  revision   main '})]}),
      {health: 'ready', reason: 'Ready', message: 'Applied revision main', since: CREATED},
    ],
  ]
  for (const [what, obj, expected] of rows) {
    it(`${expected.health}: ${what}`, () => {
      const r = assessObject(obj)
      expect({health: r.health, reason: r.reason, message: r.message, since: r.since}).to.deep.equal(expected)
    })
  }

  it('suspended: the hint names the kind in lowercase, and the namespace when there is one', () => {
    const release = {...hr({conditions: ready(1)}), spec: {suspend: true}}
    expect(assessObject(release)).to.deep.include({
      health: 'suspended',
      reason: 'Suspended',
      message: 'suspended: resume with `flux resume helmrelease jupyterhub -n jupyterhub`',
    })
    const clusterScoped = {...release, metadata: {name: 'jupyterhub'}}
    expect(assessObject(clusterScoped, {fluxNoun: 'hr'}).message).to.equal(
      'suspended: resume with `flux resume hr jupyterhub`',
    )
  })

  it('no status by design: since it was created, or not known', () => {
    const provider = (metadata: FluxObject['metadata']): FluxObject => ({
      apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
      kind: 'Provider',
      metadata,
    })
    expect(assessObject(provider({name: 'p', creationTimestamp: CREATED})).since).to.equal(CREATED)
    expect(assessObject(provider({name: 'p'})).since).to.equal(null)
  })

  it('the revision an object is at, by kind of status', () => {
    const at = (status: FluxObject['status']) => revisionOf(ks('x', status))
    expect(revisionOf(ks('x', undefined))).to.equal(null)
    expect(at({})).to.equal(null)
    expect(at({artifact: {revision: GIT}, lastAttemptedRevision: OLD})).to.equal(GIT)
    expect(at({lastAppliedRevision: GIT, lastAttemptedRevision: OLD})).to.equal(GIT)
    expect(at({history: [{chartName: 'hub', chartVersion: '4.1.0'}, {chartVersion: '4.0.0'}]})).to.equal('hub@4.1.0')
    expect(at({history: [{chartVersion: '4.1.0'}]})).to.equal('4.1.0')
    expect(at({lastAttemptedRevision: OLD})).to.equal(OLD)
    expect(at({lastAttemptedRevision: ''})).to.equal(null)
  })

  it('keys and routine re-reconciles', () => {
    expect(keyOf({kind: 'GitRepository', namespace: 'flux-system', name: 'apps'})).to.equal(
      'GitRepository/flux-system/apps',
    )
    expect(keyOf({kind: 'Provider'})).to.equal('Provider//')
    const routine = (conditions: Condition[]) => isRoutineReconcile(ks('x', {conditions}))
    expect(routine([raw('Reconciling', 'True'), raw('Ready', 'True')])).to.equal(true)
    expect(routine([raw('Reconciling', 'True'), raw('Ready', 'Unknown')])).to.equal(false)
    expect(routine([raw('Reconciling', 'False'), raw('Ready', 'True')])).to.equal(false)
    expect(routine([raw('Ready', 'True')])).to.equal(false)
    expect(routine([raw('Reconciling', 'True')])).to.equal(false)
    expect(isRoutineReconcile(ks('x', undefined))).to.equal(false)
    const noGeneration = ks('x', {conditions: ready(1)})
    delete noGeneration.metadata.generation
    expect(generationObserved(noGeneration)).to.equal(true)
    expect(generationObserved(ks('x', undefined))).to.equal(true)
  })

  it('what an object references: dependsOn targets, then its sources; nothing without a spec', () => {
    const refs = (obj: FluxObject) => referencesOf(obj).map((r) => `${r.kind}/${r.namespace}/${r.name}`)
    const noSpec = ks('x', undefined)
    delete noSpec.spec
    expect(refs(noSpec)).to.deep.equal([])
    expect(refs({...hr(undefined), spec: undefined})).to.deep.equal([])
    expect(
      refs({...hr(undefined), spec: {chart: 'jupyterhub', chartRef: {kind: 'OCIRepository', name: 'hub'}}}),
    ).to.deep.equal(['OCIRepository/jupyterhub/hub'])
    expect(refs({...hr(undefined), spec: {chart: {spec: {chart: 'jupyterhub'}}}})).to.deep.equal([])
    const policy = (spec: FluxObject['spec']): FluxObject => ({
      apiVersion: 'image.toolkit.fluxcd.io/v1beta2',
      kind: 'ImagePolicy',
      metadata: {name: 'p', namespace: 'apps'},
      spec,
    })
    expect(refs(policy({imageRepositoryRef: {name: 'podinfo'}}))).to.deep.equal(['ImageRepository/apps/podinfo'])
    expect(refs(policy({}))).to.deep.equal([])
    expect(refs(policy(undefined))).to.deep.equal([])
    const deps = ks('x', undefined, {
      spec: {dependsOn: [{name: 'a'}, null as never, {name: ''}, {name: 'b', namespace: 'other'}]},
    })
    expect(dependenciesOf(deps).map((d) => `${d.namespace}/${d.name}`)).to.deep.equal(['flux-system/a', 'other/b'])
    expect(refs(deps)).to.deep.equal([
      'Kustomization/flux-system/a',
      'Kustomization/other/b',
      'GitRepository/flux-system/flux-system',
    ])
    expect(dependsOnCycles([ks('a', undefined), ks('b', undefined, {spec: {dependsOn: []}})])).to.deep.equal([])
  })

  describe('across objects', () => {
    it('a ready Kustomization without a source, or whose source has no status, stays ready', () => {
      const sourceless = ks('a', {lastAppliedRevision: OLD, conditions: ready(1)})
      delete sourceless.spec!.sourceRef
      const git: FluxObject = {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'GitRepository',
        metadata: {name: 'flux-system', namespace: 'flux-system'},
      }
      const results = assessAll([sourceless, git, ks('b', {lastAppliedRevision: OLD, conditions: ready(1)})])
      expect(results.map((r) => [r.name, r.health])).to.deep.equal([
        ['a', 'ready'],
        ['flux-system', 'unknown'],
        ['b', 'ready'],
      ])
    })

    it('a HelmRelease is judged against its HelmChart’s chart version, never its HelmRepository’s index digest', () => {
      const chart: FluxObject = {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'HelmChart',
        metadata: {name: 'jupyterhub-jupyterhub', namespace: 'jupyterhub', generation: 1},
        status: {artifact: {revision: '4.1.0'}, conditions: ready(1)},
      }
      const repository: FluxObject = {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'HelmRepository',
        metadata: {name: 'jupyterhub', namespace: 'jupyterhub', generation: 1},
        status: {artifact: {revision: 'sha256:3b2f1c0d'}, conditions: ready(1)},
      }
      const release = {
        ...hr({lastAppliedRevision: '4.1.0', conditions: ready(1)}),
        apiVersion: 'helm.toolkit.fluxcd.io/v2beta1',
      }
      expect(assessAll([chart, repository, release]).map((r) => r.health)).to.deep.equal(['ready', 'ready', 'ready'])
    })

    it('an object with nothing behind it has no cause at all (not an empty one)', () => {
      const results = assessAll([ks('a', {conditions: [raw('Ready', 'False')]}), ks('b', {conditions: ready(1)})])
      for (const r of results) expect(r).not.to.have.property('cause')
    })

    it('two objects that failed on their own and depend on each other: judged without looping', () => {
      const failed = [raw('Ready', 'False', {reason: 'BuildFailed'})]
      const results = assessAll([
        ks('a', {conditions: failed}, {spec: {dependsOn: [{name: 'b'}]}}),
        ks('b', {conditions: failed}, {spec: {dependsOn: [{name: 'a'}]}}),
      ])
      expect(results.map((r) => [r.name, r.health, r.reason])).to.deep.equal([
        ['a', 'failed', 'BuildFailed'],
        ['b', 'failed', 'BuildFailed'],
      ])
    })
  })

  describe('settle', () => {
    it('only a progressing object is settled: a stale one seen ready stays stale', () => {
      const obj = ks(
        'jhub',
        {observedGeneration: 1, conditions: [raw('Reconciling', 'True'), ...ready(1)]},
        {generation: 2},
      )
      const raw1 = assessObject(obj)
      expect(raw1.health).to.equal('stale')
      expect(settle(raw1, obj, new Set([keyOf(obj)]))).to.equal(raw1)
    })

    it('a settled object shows its Ready condition’s reason and message', () => {
      const obj = ks('jhub', {
        observedGeneration: 1,
        conditions: [
          c('Reconciling', 'True', 'Progressing', 'building', 1),
          c('Ready', 'True', 'Applied', ' rev \n 2 ', 1),
        ],
      })
      expect(settle(assessObject(obj), obj, new Set([keyOf(obj)]))).to.deep.include({
        health: 'ready',
        reason: 'Applied',
        message: 'rev 2',
      })
    })
  })
})

describe('countObjects: byKind in kind order, whatever order the lists answered in', () => {
  for (const order of [
    ['Kustomization', 'GitRepository', 'HelmRelease'],
    ['HelmRelease', 'Kustomization', 'GitRepository'],
  ]) {
    it(order.join(', '), () => {
      const counts = countObjects(order.map((kind) => ({kind, health: 'ready' as const})))
      expect(Object.keys(counts.byKind)).to.deep.equal(['GitRepository', 'HelmRelease', 'Kustomization'])
      expect(counts.byKind.Kustomization).to.deep.equal({total: 1, ready: 1})
    })
  }
})
