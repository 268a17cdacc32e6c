/**
 * Judging a snapshot is a pure function (issue 13 §1): the snapshot, every object in it and
 * the memory of a follow come out as they went in, so one snapshot can be judged again (a
 * plan, the next batch of events) and handed to anything else.
 */
import {expect} from 'chai'

import type {FluxObject} from '../../../src/lib/status/health.ts'
import {judge, reconcilePlan} from '../../../src/lib/status/judge.ts'
import {type GroupDiscovery, resolveKinds} from '../../../src/lib/status/kinds.ts'
import {type Snapshot, Store, firstStreams} from '../../../src/lib/status/snapshot.ts'
import {readFixture} from '../../support/kube-standin.ts'

/** Discovery as the Flux v2.6 CRDs answer it (the versions read; Alert and Provider without status). */
const GROUPS: GroupDiscovery[] = [
  {
    group: 'source.toolkit.fluxcd.io',
    preferredVersion: 'v1',
    versions: ['v1'],
    resources: {
      v1: ['gitrepositories', 'helmrepositories', 'helmcharts', 'ocirepositories', 'buckets'].flatMap((p) => [
        p,
        `${p}/status`,
      ]),
    },
  },
  {
    group: 'kustomize.toolkit.fluxcd.io',
    preferredVersion: 'v1',
    versions: ['v1'],
    resources: {v1: ['kustomizations', 'kustomizations/status']},
  },
  {
    group: 'helm.toolkit.fluxcd.io',
    preferredVersion: 'v2',
    versions: ['v2'],
    resources: {v2: ['helmreleases', 'helmreleases/status']},
  },
  {
    group: 'notification.toolkit.fluxcd.io',
    preferredVersion: 'v1',
    versions: ['v1', 'v1beta3'],
    resources: {v1: ['receivers', 'receivers/status'], v1beta3: ['alerts', 'providers']},
  },
]

/** Every plain object and array, all the way down, frozen: any write to it throws (ES modules are strict). */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}

/** The unhealthy fixture read as status reads it: one list per kind, the flux-system Deployments. */
function snapshotOf(file: string): Snapshot {
  const kinds = resolveKinds(GROUPS)
  const reported = new Set(kinds.map((k) => k.kind))
  const store = new Store({context: 'piksel-staging', server: 'https://example', kinds, reported: [...reported]})
  const objects = readFixture(file) as unknown as FluxObject[]
  for (const stream of firstStreams(kinds, reported, {fluxNamespace: 'flux-system'})) {
    const items = objects.filter(
      (o) => o.kind === stream.kind && (stream.id !== 'controllers' || o.metadata.namespace === 'flux-system'),
    )
    store.set(stream, {metadata: {resourceVersion: '1'}, items})
  }
  return store.snapshot()
}

describe('status: judging a snapshot does not change it', () => {
  it('a deep-frozen snapshot is judged as an unfrozen copy of it is', () => {
    const expected = judge(structuredClone(snapshotOf('unhealthy.yaml')), {fluxNamespace: 'flux-system'})
    const frozen = deepFreeze(snapshotOf('unhealthy.yaml'))
    const judged = judge(frozen, {fluxNamespace: 'flux-system'})
    expect(judged.result).to.deep.equal(expected.result)
    expect(judged.result.verdict).to.equal('unhealthy')
    // Objects written at v1beta2 are reported at the version read, through copies.
    const infra = judged.result.objects.find((o) => o.kind === 'Kustomization' && o.name === 'infra-configs')
    expect(infra?.apiVersion).to.equal('kustomize.toolkit.fluxcd.io/v1')
    const written = frozen.lists.flatMap((l) => l.items).find((o) => o.metadata.name === 'infra-configs')
    expect((written as FluxObject).apiVersion).to.equal('kustomize.toolkit.fluxcd.io/v1beta2')
    // The reconcile plan reads the same frozen snapshot.
    expect(reconcilePlan(frozen, judged).targets.length).to.be.greaterThan(0)
  })

  it('the memory of a follow comes in and goes out as values', () => {
    const snapshot = deepFreeze(snapshotOf('healthy.yaml'))
    const seenReady = new Set(['Kustomization/flux-system/jhub'])
    const memory = deepFreeze({
      seenReady,
      requested: {at: '2026-11-24T08:30:00Z', keys: ['Kustomization/flux-system/jhub']},
    })
    const judged = judge(snapshot, {fluxNamespace: 'flux-system'}, memory)
    // The request is not handled yet: jhub is progressing; the objects ready now are added to a new set.
    expect(judged.result.objects.find((o) => o.name === 'jhub')).to.include({health: 'progressing'})
    expect(judged.seenReady).to.not.equal(seenReady)
    expect(judged.seenReady.has('Kustomization/flux-system/flux-system')).to.equal(true)
    expect([...seenReady]).to.deep.equal(['Kustomization/flux-system/jhub'])
  })
})
