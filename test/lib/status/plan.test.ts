import {expect} from 'chai'

import {durationValue} from '../../../src/lib/duration.ts'
import {UsageError} from '../../../src/lib/errors.ts'
import {assessAll} from '../../../src/lib/status/across.ts'
import type {FluxObject} from '../../../src/lib/status/health.ts'
import {FLUX_KINDS, type GroupDiscovery, parseKindFilter, resolveKinds} from '../../../src/lib/status/kinds.ts'
import {planReconcile} from '../../../src/lib/status/plan.ts'
import {
  controllerStatus,
  parseInventoryId,
  rolloutState,
  workloadsInInventory,
} from '../../../src/lib/status/workloads.ts'
import {KubeStandin, compareVersions, readFixture} from '../../support/kube-standin.ts'

describe('status: durations, kinds, reconcile plan, workloads', () => {
  describe('--timeout bounds', () => {
    // Longer than a Node timer can wait (2^31-1 ms), --wait would give up at once ("Timed out after 60000m").
    const ranges: Array<[string, number | 'refused']> = [
      ['596h', 2_145_600_000],
      ['596h31m23s647ms', 2_147_483_647],
      ['596h31m23s648ms', 'refused'],
      ['1000h', 'refused'],
      ['9999999999', 'refused'],
    ]
    for (const [text, expected] of ranges) {
      it(`--timeout ${text}: ${expected === 'refused' ? 'exit 2, too long for a timer' : expected}`, () => {
        if (expected !== 'refused') return expect(durationValue(text, '--timeout')).to.equal(expected)
        expect(() => durationValue(text, '--timeout'))
          .to.throw(UsageError, `--timeout "${text}" is longer than 596h`)
          .with.property('code', 'BAD_DURATION')
      })
    }
  })

  describe('kinds from discovery of the v2.6 CRDs', () => {
    // Discovery as the stand-in builds it from gotk-components.yaml.
    const standin = new KubeStandin()
    const groups: GroupDiscovery[] = []
    for (const group of new Set(standin.types.filter((t) => t.group.includes('fluxcd')).map((t) => t.group))) {
      const types = standin.types.filter((t) => t.group === group)
      const versions = [...new Set(types.flatMap((t) => t.versions))].sort(compareVersions)
      const resources: Record<string, string[]> = {}
      for (const v of versions) {
        resources[v] = types
          .filter((t) => t.versions.includes(v))
          .flatMap((t) => (t.statusVersions.has(v) ? [t.plural, `${t.plural}/status`] : [t.plural]))
      }
      groups.push({group, preferredVersion: versions[0] ?? '', versions, resources})
    }
    const kinds = resolveKinds(groups)
    const table: Array<[string, string, boolean]> = [
      ['GitRepository', 'source.toolkit.fluxcd.io/v1', true],
      ['Kustomization', 'kustomize.toolkit.fluxcd.io/v1', true],
      ['HelmRelease', 'helm.toolkit.fluxcd.io/v2', true],
      ['Receiver', 'notification.toolkit.fluxcd.io/v1', true],
      // The group prefers v1, which does not serve Alert or Provider: their best version is v1beta3, without status.
      ['Alert', 'notification.toolkit.fluxcd.io/v1beta3', false],
      ['Provider', 'notification.toolkit.fluxcd.io/v1beta3', false],
    ]
    for (const [kind, apiVersion, hasStatus] of table) {
      it(`${kind} is read at ${apiVersion}${hasStatus ? '' : ' (no status subresource)'}`, () => {
        const k = kinds.find((x) => x.kind === kind)
        expect(k?.apiVersion).to.equal(apiVersion)
        expect(k?.hasStatus).to.equal(hasStatus)
      })
    }
    it('image automation kinds are absent where not installed', () => {
      expect(kinds.map((k) => k.kind)).to.not.include('ImagePolicy')
      expect(kinds).to.have.length(10)
    })
  })

  describe('--kind', () => {
    it('takes names, plurals, short names, commas and repeats', () => {
      expect(parseKindFilter(['ks,HelmRelease', 'gitrepositories'])).to.deep.equal([
        'Kustomization',
        'HelmRelease',
        'GitRepository',
      ])
      expect(parseKindFilter(undefined)).to.equal(undefined)
    })
    it('refuses unknown kinds naming them', () => {
      expect(() => parseKindFilter(['ks,pods'])).to.throw(UsageError, '"pods"')
      expect(() => parseKindFilter(['pods']))
        .to.throw(UsageError)
        .with.property('code', 'UNKNOWN_KIND')
      expect(() => parseKindFilter(['pods']))
        .to.throw(UsageError)
        .with.property('hint')
        .that.includes('Kustomization, HelmRelease')
      expect(FLUX_KINDS.length).to.equal(13)
    })
    // `--kind "$KINDS"` with the variable unset asks about no kind: an empty answer, never green.
    for (const values of [[''], [',,'], [' , '], ['', '']]) {
      it(`refuses --kind ${JSON.stringify(values)}, which names no kind (UNKNOWN_KIND)`, () => {
        expect(() => parseKindFilter(values))
          .to.throw(UsageError, 'names no kind')
          .with.property('code', 'UNKNOWN_KIND')
      })
    }
  })

  describe('planReconcile', () => {
    const objects = readFixture('unhealthy.yaml').filter((o) =>
      o.apiVersion.includes('toolkit'),
    ) as unknown as FluxObject[]
    const plan = planReconcile(objects, assessAll(objects))
    it('sources first, then Kustomizations, then HelmReleases', () => {
      expect(plan.targets.map((t) => `${t.kind}/${t.name}`)).to.deep.equal([
        'GitRepository/flux-system',
        'HelmRepository/jupyterhub',
        'HelmChart/jupyterhub-jupyterhub',
        'Kustomization/infra-configs',
        'Kustomization/terria',
        'HelmRelease/jupyterhub',
      ])
    })
    it('leaves waiting and progressing objects to Flux, refuses the suspended one with a hint', () => {
      expect(plan.targets.map((t) => t.name)).to.not.include('jhub')
      expect(plan.refused.map((r) => r.name)).to.deep.equal(['monitoring'])
      expect(plan.refused[0]?.hint).to.contain('flux resume kustomization monitoring -n flux-system')
    })
    it('nothing to do on a healthy cluster', () => {
      const healthy = readFixture('healthy.yaml').filter((o) =>
        o.apiVersion.includes('toolkit'),
      ) as unknown as FluxObject[]
      expect(planReconcile(healthy, assessAll(healthy))).to.deep.equal({targets: [], refused: []})
    })
  })

  describe('workloads', () => {
    it('parses inventory ids (namespace, name, group, kind), cluster-scoped and core too', () => {
      expect(parseInventoryId('jupyterhub_hub_apps_Deployment')).to.deep.equal({
        namespace: 'jupyterhub',
        name: 'hub',
        group: 'apps',
        kind: 'Deployment',
      })
      expect(parseInventoryId('_monitoring__Namespace')).to.deep.equal({
        namespace: '',
        name: 'monitoring',
        group: '',
        kind: 'Namespace',
      })
      expect(parseInventoryId('garbage')).to.equal(undefined)
      expect(
        workloadsInInventory([
          {id: 'argo_odc_batch_Job'},
          {id: 'flux-system_slack_notification.toolkit.fluxcd.io_Provider'},
          {id: 'monitoring_prom_apps_StatefulSet'},
        ]).map((r) => r.kind),
      ).to.deep.equal(['Job', 'StatefulSet'])
      // Each workload kind in its own group only.
      expect(
        workloadsInInventory([
          {id: 'a_web_apps_Deployment'},
          {id: 'a_old_extensions_Deployment'},
          {id: 'a_agent_apps_DaemonSet'},
          {id: 'a_job_apps_Job'},
          {id: 'a_cm__ConfigMap'},
        ]).map((r) => r.name),
      ).to.deep.equal(['web', 'agent'])
    })
    const table: Array<[string, string, object, string]> = [
      [
        'Deployment',
        'rolled out',
        {spec: {replicas: 2}, status: {observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2}},
        'ready',
      ],
      [
        'Deployment',
        'rolling',
        {spec: {replicas: 2}, status: {observedGeneration: 1, replicas: 3, updatedReplicas: 1, availableReplicas: 2}},
        'progressing',
      ],
      [
        'Deployment',
        'unavailable',
        {spec: {replicas: 2}, status: {observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 0}},
        'failed',
      ],
      [
        'Deployment',
        'deadline',
        {
          spec: {replicas: 2},
          status: {
            observedGeneration: 1,
            conditions: [{type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded'}],
          },
        },
        'failed',
      ],
      [
        'Deployment',
        'new generation',
        {spec: {replicas: 1}, status: {observedGeneration: 1, updatedReplicas: 1, availableReplicas: 1}},
        'progressing',
      ],
      [
        'StatefulSet',
        'ready',
        {
          spec: {replicas: 1},
          status: {
            observedGeneration: 1,
            readyReplicas: 1,
            updatedReplicas: 1,
            currentRevision: 'a',
            updateRevision: 'a',
          },
        },
        'ready',
      ],
      [
        'StatefulSet',
        'revision rolling',
        {
          spec: {replicas: 1},
          status: {
            observedGeneration: 1,
            readyReplicas: 1,
            updatedReplicas: 1,
            currentRevision: 'a',
            updateRevision: 'b',
          },
        },
        'progressing',
      ],
      [
        'DaemonSet',
        'available',
        {status: {observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3}},
        'ready',
      ],
      // Just applied: the DaemonSet controller has not written a status yet (no desiredNumberScheduled).
      ['DaemonSet', 'not yet processed (no status)', {}, 'progressing'],
      ['DaemonSet', 'not yet processed (status: {})', {status: {}}, 'progressing'],
      [
        'DaemonSet',
        'nothing to schedule (no matching node)',
        {status: {observedGeneration: 1, desiredNumberScheduled: 0}},
        'ready',
      ],
      ['StatefulSet', 'not yet processed', {spec: {replicas: 0}, status: {}}, 'progressing'],
      ['Deployment', 'scaled to zero, not yet processed', {spec: {replicas: 0}}, 'progressing'],
      ['Deployment', 'scaled to zero', {spec: {replicas: 0}, status: {observedGeneration: 1}}, 'ready'],
      [
        'DaemonSet',
        'short',
        {status: {observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 1}},
        'failed',
      ],
      ['Job', 'complete', {status: {conditions: [{type: 'Complete', status: 'True'}]}}, 'ready'],
      [
        'Job',
        'failed',
        {status: {conditions: [{type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded'}]}},
        'failed',
      ],
      ['Job', 'running', {status: {active: 1}}, 'progressing'],
    ]
    for (const [kind, what, body, health] of table) {
      it(`${kind} ${what}: ${health}`, () => {
        const generation = what === 'new generation' ? 2 : 1
        expect(rolloutState(kind, {metadata: {name: 'x', generation}, ...body}).health).to.equal(health)
      })
    }
    it('controller status: replicas, images and version as flux check shows them', () => {
      const [source] = readFixture('healthy.yaml').filter(
        (o) => o.kind === 'Deployment' && o.metadata.name === 'source-controller',
      )
      const status = controllerStatus(source as never)
      expect(status).to.include({name: 'source-controller', ready: true, replicas: 1, available: 1, version: 'v1.6.0'})
      expect(status.images).to.deep.equal(['ghcr.io/fluxcd/source-controller:v1.6.0'])
      expect(
        controllerStatus({metadata: {name: 'x'}, spec: {replicas: 1}, status: {availableReplicas: 0}}).ready,
      ).to.equal(false)
    })
  })
})
