import {expect} from 'chai'

import {
  type Condition,
  type FluxObject,
  type Health,
  age,
  type ObjectHealth,
  assessAll,
  assessObject,
  countObjects,
  generationObserved,
  keyOf,
  markRequested,
  settle,
  sortForDisplay,
  verdict,
} from '../../../src/lib/status/health.ts'
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
      what: 'Ready condition observed the generation though status.observedGeneration lags',
      obj: ks('jhub', {observedGeneration: 1, conditions: ready(2)}, {generation: 2}),
      health: 'ready',
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
    const reReconcile = ks(
      'jhub',
      {
        observedGeneration: 1,
        conditions: [c('Reconciling', 'True', 'Progressing', 'building manifests', 2), ...ready(1)],
      },
      {generation: 2},
    )
    it('a routine re-reconcile with Ready still True stays ready once seen ready', () => {
      const raw = assessObject(reReconcile)
      expect(raw.health).to.equal('progressing')
      expect(settle(raw, reReconcile, new Set([keyOf(reReconcile)])).health).to.equal('ready')
    })
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
