import {expect} from 'chai'

import {findCycles} from '../../../src/lib/status/cycles.ts'
import {assessAll} from '../../../src/lib/status/across.ts'
import type {FluxObject} from '../../../src/lib/status/health.ts'
import {explain} from '../../../src/lib/status/render.ts'

const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges))

describe('status: dependsOn cycles', () => {
  describe('findCycles', () => {
    const table: Array<[string, Record<string, string[]>, string[][]]> = [
      ['a chain is no cycle', {a: ['b'], b: ['c'], c: []}, []],
      ['a <-> b', {a: ['b'], b: ['a']}, [['a', 'b']]],
      [
        'a -> b -> c -> a, in dependency order from the smallest key',
        {b: ['c'], c: ['a'], a: ['b']},
        [['a', 'b', 'c']],
      ],
      ['a self-dependency', {a: ['a'], b: ['a']}, [['a']]],
      [
        'two separate cycles, sorted',
        {x: ['y'], y: ['x'], a: ['b'], b: ['a'], m: ['a']},
        [
          ['a', 'b'],
          ['x', 'y'],
        ],
      ],
      ['a diamond is no cycle', {a: ['b', 'c'], b: ['d'], c: ['d'], d: []}, []],
      ['edges to unknown keys', {a: ['missing'], b: ['a']}, []],
      [
        'a cycle that depends on another: both, sorted by first key (Tarjan finds the inner one first)',
        {a: ['b'], b: ['a', 'c'], c: ['d'], d: ['c']},
        [
          ['a', 'b'],
          ['c', 'd'],
        ],
      ],
      ['a figure eight is one cycle', {a: ['b', 'c'], b: ['a'], c: ['a']}, [['a', 'b', 'c']]],
      ['dependency order, not key order: a -> c -> b -> a', {a: ['c'], c: ['b'], b: ['a']}, [['a', 'c', 'b']]],
      [
        'of two members to go on to, the smaller key; the ones the walk misses in key order',
        {a: ['d', 'c', 'b'], b: ['a'], c: ['a'], d: ['a']},
        [['a', 'b', 'c', 'd']],
      ],
      ['a self-dependency reached from another key first is listed once', {a: ['b'], b: ['b']}, [['b']]],
    ]
    for (const [what, edges, cycles] of table) {
      it(`${what}: ${JSON.stringify(cycles)}`, () => {
        expect(findCycles(graph(edges))).to.deep.equal(cycles)
      })
    }

    it('a 10,000-long chain closing on itself (no recursion limit)', () => {
      const edges: Record<string, string[]> = {}
      for (let i = 0; i < 10_000; i++)
        edges[`n${String(i).padStart(5, '0')}`] = [`n${String((i + 1) % 10_000).padStart(5, '0')}`]
      const [cycle] = findCycles(graph(edges))
      expect(cycle).to.have.length(10_000)
      expect(cycle?.[0]).to.equal('n00000')
      expect(cycle?.[1]).to.equal('n00001')
    })
  })

  describe('in the health rules', () => {
    const waitingOn = (name: string, ...on: string[]): FluxObject => ({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: {name, namespace: 'flux-system', generation: 1},
      spec: {sourceRef: {kind: 'GitRepository', name: 'flux-system'}, dependsOn: on.map((n) => ({name: n}))},
      status: {
        observedGeneration: 1,
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'DependencyNotReady',
            message: `dependency 'flux-system/${on[0]}' is not ready`,
            observedGeneration: 1,
          },
        ],
      },
    })
    const readyOn = (name: string, ...on: string[]): FluxObject => ({
      ...waitingOn(name, ...on),
      status: {
        observedGeneration: 1,
        conditions: [
          {type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: 'ok', observedGeneration: 1},
        ],
      },
    })

    it('a <-> b: both failed, DependencyCycle naming both, neither its own root cause', () => {
      const results = assessAll([waitingOn('a', 'b'), waitingOn('b', 'a')])
      for (const r of results) {
        expect(r.health).to.equal('failed')
        expect(r.reason).to.equal('DependencyCycle')
        expect(r.message).to.contain('Kustomization flux-system/a -> flux-system/b -> flux-system/a')
        expect(r.cause, `${r.name} has no root cause but the cycle`).to.equal(undefined)
      }
    })

    it('a longer cycle (a -> b -> c -> a) names every member', () => {
      const results = assessAll([waitingOn('c', 'a'), waitingOn('a', 'b'), waitingOn('b', 'c')])
      for (const r of results) {
        expect(r.reason).to.equal('DependencyCycle')
        expect(r.message).to.contain('flux-system/a -> flux-system/b -> flux-system/c -> flux-system/a')
        expect(r.cause).to.equal(undefined)
      }
    })

    it('an object depending on itself', () => {
      const [r] = assessAll([waitingOn('loop', 'loop')])
      expect(r).to.include({health: 'failed', reason: 'DependencyCycle'})
      expect(r?.cause).to.equal(undefined)
    })

    it('what waits on a cycle points at a member of it', () => {
      const results = assessAll([waitingOn('a', 'b'), waitingOn('b', 'a'), waitingOn('apps', 'a')])
      const apps = results.find((r) => r.name === 'apps')
      expect(apps?.health).to.equal('waiting')
      expect(apps?.cause).to.include({name: 'a', health: 'failed', reason: 'DependencyCycle'})
      expect(explain(apps as never)).to.match(/^root cause: Kustomization\/flux-system\/a failed \(DependencyCycle\)/)
    })

    it('a cycle whose members are all ready stays ready (Flux only deadlocks once one is not)', () => {
      const results = assessAll([readyOn('a', 'b'), readyOn('b', 'a')])
      expect(results.map((r) => r.health)).to.deep.equal(['ready', 'ready'])
    })

    it('a cycle member that failed on its own keeps its own failure', () => {
      const broken: FluxObject = {
        ...readyOn('a', 'b'),
        status: {
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
      }
      const results = assessAll([broken, waitingOn('b', 'a')])
      expect(results[0]).to.include({health: 'failed', reason: 'BuildFailed'})
      expect(results[0]?.cause).to.equal(undefined)
      expect(results[1]).to.include({health: 'failed', reason: 'DependencyCycle'})
      expect(results[1]?.cause).to.equal(undefined)
    })
  })
})
