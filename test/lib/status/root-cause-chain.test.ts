/**
 * Root causes down long dependsOn chains: the first not-ready object down the chain, found for
 * every object without a call per link (a chain of 10,000 waiting Kustomizations overflowed the
 * stack) and without walking the chain again from each of its members.
 */
import {expect} from 'chai'

import {assessAll} from '../../../src/lib/status/across.ts'
import type {FluxObject} from '../../../src/lib/status/health.ts'

const cond = (status: string, reason: string) => ({
  type: 'Ready',
  status,
  reason,
  message: reason,
  lastTransitionTime: '2026-11-30T08:30:00Z',
  observedGeneration: 1,
})

/** k0 fails to build; k1..k(n-1) each depend on the one before, in namespaces ns0..ns39, waiting. */
function chain(n: number, dependsOn: (i: number) => number[] = (i) => (i > 0 ? [i - 1] : [])): FluxObject[] {
  return Array.from({length: n}, (_, i) => ({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: {name: `k${i}`, namespace: `ns${i % 40}`, generation: 1},
    spec: {
      sourceRef: {kind: 'GitRepository', name: 'repo'},
      dependsOn: dependsOn(i).map((j) => ({name: `k${j}`, namespace: `ns${j % 40}`})),
    },
    status: {
      observedGeneration: 1,
      conditions: [i === 0 ? cond('False', 'BuildFailed') : cond('False', 'DependencyNotReady')],
    },
  }))
}

describe('status: root causes down long dependsOn chains', () => {
  it('a chain of 10,000 waiting objects: each names the failed first link, no stack overflow', () => {
    const results = assessAll(chain(10_000))
    expect(results[0]?.cause).to.equal(undefined)
    for (const i of [1, 2, 5000, 9999]) {
      expect(results[i]?.cause, `k${i}`).to.deep.equal({
        kind: 'Kustomization',
        namespace: 'ns0',
        name: 'k0',
        health: 'failed',
        reason: 'BuildFailed',
      })
    }
  })

  it('a chain hanging off a cycle of failed objects (no member waits): the cause stops where the walk comes round', () => {
    // k1 -> k2 -> k3 -> k1 and k4 -> k1, all failed: nothing waits, so no DependencyCycle either.
    const objects = chain(5, (i) => ({0: [], 1: [2], 2: [3], 3: [1], 4: [1]})[i] ?? [])
    for (const o of objects.slice(1)) o.status = {observedGeneration: 1, conditions: [cond('False', 'BuildFailed')]}
    const results = assessAll(objects)
    const name = (i: number) => results[i]?.cause?.name
    expect([1, 2, 3, 4].map(name)).to.deep.equal(['k3', 'k1', 'k2', 'k3'])
  })
})
