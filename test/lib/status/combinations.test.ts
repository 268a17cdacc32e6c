import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {type Condition, type FluxObject, type Health, assessObject} from '../../../src/lib/status/health.ts'
import {ROOT} from '../../support/cli.ts'

/**
 * Which state wins when several hold: every combination of deletion (T), suspend (S), a
 * generation the conditions have not observed (old), Stalled=True (St), Ready True/False/Unknown
 * and Reconciling=True (R), one row each, with the winner and why. The order is the one
 * written down in src/lib/status/health.ts and the README ("Health of an object").
 * Objects are shaped as kustomize-controller writes them: every condition carries its
 * observedGeneration (1), status.observedGeneration is 1, and an "old" row has generation 2.
 */
type Row = [
  terminating: 'T' | '-',
  suspended: 'S' | '-',
  stale: 'old' | '-',
  stalled: 'St' | '-',
  ready: 'T' | 'F' | 'U',
  reconciling: 'R' | '-',
  winner: Health,
  retrying: boolean,
  why: string,
]

// prettier-ignore
const ROWS: Row[] = [
  ['-', '-', '-', '-', 'T', '-', 'ready', false, 'Ready=True at the current generation'],
  ['-', '-', '-', '-', 'T', 'R', 'progressing', false, 'Reconciling=True with no failure recorded'],
  ['-', '-', '-', '-', 'F', '-', 'failed', false, 'Ready=False: the last reconciliation failed'],
  ['-', '-', '-', '-', 'F', 'R', 'failed', true, 'Ready=False kept while Flux retries'],
  ['-', '-', '-', '-', 'U', '-', 'progressing', false, 'Ready=Unknown: not decided yet'],
  ['-', '-', '-', '-', 'U', 'R', 'progressing', false, 'Reconciling=True with no failure recorded'],
  ['-', '-', '-', 'St', 'T', '-', 'failed', false, 'Stalled=True: the controller gave up, even beside Ready=True'],
  ['-', '-', '-', 'St', 'T', 'R', 'failed', false, 'Stalled=True: the controller gave up, whatever Reconciling says, even beside Ready=True'],
  ['-', '-', '-', 'St', 'F', '-', 'failed', false, 'Stalled=True: the controller gave up'],
  ['-', '-', '-', 'St', 'F', 'R', 'failed', false, 'Stalled=True: the controller gave up, whatever Reconciling says'],
  ['-', '-', '-', 'St', 'U', '-', 'failed', false, 'Stalled=True: the controller gave up, Ready=Unknown does not hide it'],
  ['-', '-', '-', 'St', 'U', 'R', 'failed', false, 'Stalled=True: the controller gave up, whatever Reconciling says, Ready=Unknown does not hide it'],
  ['-', '-', 'old', '-', 'T', '-', 'stale', false, 'conditions describe generation 1, the spec is at 2'],
  ['-', '-', 'old', '-', 'T', 'R', 'stale', false, 'conditions describe generation 1, the spec is at 2'],
  ['-', '-', 'old', '-', 'F', '-', 'stale', false, 'conditions describe generation 1, the spec is at 2'],
  ['-', '-', 'old', '-', 'F', 'R', 'stale', false, 'conditions describe generation 1, the spec is at 2'],
  ['-', '-', 'old', '-', 'U', '-', 'stale', false, 'conditions describe generation 1, the spec is at 2'],
  ['-', '-', 'old', '-', 'U', 'R', 'stale', false, 'conditions describe generation 1, the spec is at 2'],
  ['-', '-', 'old', 'St', 'T', '-', 'stale', false, 'conditions describe generation 1, the spec is at 2'],
  ['-', '-', 'old', 'St', 'T', 'R', 'stale', false, 'conditions describe generation 1, the spec is at 2'],
  ['-', '-', 'old', 'St', 'F', '-', 'stale', false, 'conditions describe generation 1, the spec is at 2'],
  ['-', '-', 'old', 'St', 'F', 'R', 'stale', false, 'conditions describe generation 1, the spec is at 2'],
  ['-', '-', 'old', 'St', 'U', '-', 'stale', false, 'conditions describe generation 1, the spec is at 2'],
  ['-', '-', 'old', 'St', 'U', 'R', 'stale', false, 'conditions describe generation 1, the spec is at 2'],
  ['-', 'S', '-', '-', 'T', '-', 'suspended', false, 'suspend freezes every condition'],
  ['-', 'S', '-', '-', 'T', 'R', 'suspended', false, 'suspend freezes every condition'],
  ['-', 'S', '-', '-', 'F', '-', 'suspended', false, 'suspend freezes every condition'],
  ['-', 'S', '-', '-', 'F', 'R', 'suspended', false, 'suspend freezes every condition'],
  ['-', 'S', '-', '-', 'U', '-', 'suspended', false, 'suspend freezes every condition'],
  ['-', 'S', '-', '-', 'U', 'R', 'suspended', false, 'suspend freezes every condition'],
  ['-', 'S', '-', 'St', 'T', '-', 'suspended', false, 'suspend freezes every condition (Stalled too)'],
  ['-', 'S', '-', 'St', 'T', 'R', 'suspended', false, 'suspend freezes every condition (Stalled too)'],
  ['-', 'S', '-', 'St', 'F', '-', 'suspended', false, 'suspend freezes every condition (Stalled too)'],
  ['-', 'S', '-', 'St', 'F', 'R', 'suspended', false, 'suspend freezes every condition (Stalled too)'],
  ['-', 'S', '-', 'St', 'U', '-', 'suspended', false, 'suspend freezes every condition (Stalled too)'],
  ['-', 'S', '-', 'St', 'U', 'R', 'suspended', false, 'suspend freezes every condition (Stalled too)'],
  ['-', 'S', 'old', '-', 'T', '-', 'suspended', false, 'suspend freezes every condition'],
  ['-', 'S', 'old', '-', 'T', 'R', 'suspended', false, 'suspend freezes every condition'],
  ['-', 'S', 'old', '-', 'F', '-', 'suspended', false, 'suspend freezes every condition'],
  ['-', 'S', 'old', '-', 'F', 'R', 'suspended', false, 'suspend freezes every condition'],
  ['-', 'S', 'old', '-', 'U', '-', 'suspended', false, 'suspend freezes every condition'],
  ['-', 'S', 'old', '-', 'U', 'R', 'suspended', false, 'suspend freezes every condition'],
  ['-', 'S', 'old', 'St', 'T', '-', 'suspended', false, 'suspend freezes every condition (Stalled too)'],
  ['-', 'S', 'old', 'St', 'T', 'R', 'suspended', false, 'suspend freezes every condition (Stalled too)'],
  ['-', 'S', 'old', 'St', 'F', '-', 'suspended', false, 'suspend freezes every condition (Stalled too)'],
  ['-', 'S', 'old', 'St', 'F', 'R', 'suspended', false, 'suspend freezes every condition (Stalled too)'],
  ['-', 'S', 'old', 'St', 'U', '-', 'suspended', false, 'suspend freezes every condition (Stalled too)'],
  ['-', 'S', 'old', 'St', 'U', 'R', 'suspended', false, 'suspend freezes every condition (Stalled too)'],
  ['T', '-', '-', '-', 'T', '-', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', '-', '-', '-', 'T', 'R', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', '-', '-', '-', 'F', '-', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', '-', '-', '-', 'F', 'R', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', '-', '-', '-', 'U', '-', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', '-', '-', '-', 'U', 'R', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', '-', '-', 'St', 'T', '-', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', '-', '-', 'St', 'T', 'R', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', '-', '-', 'St', 'F', '-', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', '-', '-', 'St', 'F', 'R', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', '-', '-', 'St', 'U', '-', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', '-', '-', 'St', 'U', 'R', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', '-', 'old', '-', 'T', '-', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', '-', 'old', '-', 'T', 'R', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', '-', 'old', '-', 'F', '-', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', '-', 'old', '-', 'F', 'R', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', '-', 'old', '-', 'U', '-', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', '-', 'old', '-', 'U', 'R', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', '-', 'old', 'St', 'T', '-', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', '-', 'old', 'St', 'T', 'R', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', '-', 'old', 'St', 'F', '-', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', '-', 'old', 'St', 'F', 'R', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', '-', 'old', 'St', 'U', '-', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', '-', 'old', 'St', 'U', 'R', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', 'S', '-', '-', 'T', '-', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', 'S', '-', '-', 'T', 'R', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', 'S', '-', '-', 'F', '-', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', 'S', '-', '-', 'F', 'R', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', 'S', '-', '-', 'U', '-', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', 'S', '-', '-', 'U', 'R', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', 'S', '-', 'St', 'T', '-', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', 'S', '-', 'St', 'T', 'R', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', 'S', '-', 'St', 'F', '-', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', 'S', '-', 'St', 'F', 'R', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', 'S', '-', 'St', 'U', '-', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', 'S', '-', 'St', 'U', 'R', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', 'S', 'old', '-', 'T', '-', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', 'S', 'old', '-', 'T', 'R', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', 'S', 'old', '-', 'F', '-', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', 'S', 'old', '-', 'F', 'R', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', 'S', 'old', '-', 'U', '-', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', 'S', 'old', '-', 'U', 'R', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', 'S', 'old', 'St', 'T', '-', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', 'S', 'old', 'St', 'T', 'R', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', 'S', 'old', 'St', 'F', '-', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', 'S', 'old', 'St', 'F', 'R', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', 'S', 'old', 'St', 'U', '-', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
  ['T', 'S', 'old', 'St', 'U', 'R', 'terminating', false, 'deletion wins: finalizers decide, not conditions'],
]

const T = '2026-11-24T08:30:00Z'
const cond = (type: string, status: string, reason: string, message: string): Condition => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: T,
  observedGeneration: 1,
})

function object([terminating, suspended, stale, stalled, ready, reconciling]: Row): FluxObject {
  const conditions: Condition[] = []
  if (reconciling === 'R') {
    conditions.push(
      cond(
        'Reconciling',
        'True',
        ready === 'F' ? 'ProgressingWithRetry' : 'Progressing',
        'Building manifests for revision main@sha1:4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b with a timeout of 5m0s',
      ),
    )
  }
  if (stalled === 'St') conditions.push(cond('Stalled', 'True', 'InvalidPath', 'kustomization path not found'))
  const readyStatus = {T: 'True', F: 'False', U: 'Unknown'}[ready]
  const readyReason = {T: 'ReconciliationSucceeded', F: 'BuildFailed', U: 'Progressing'}[ready]
  conditions.push(cond('Ready', readyStatus, readyReason, `${readyReason}: kustomize build`))
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: {
      name: 'infra-configs',
      namespace: 'flux-system',
      generation: stale === 'old' ? 2 : 1,
      ...(terminating === 'T' ? {deletionTimestamp: '2026-11-24T09:00:00Z'} : {}),
    },
    spec: {suspend: suspended === 'S', sourceRef: {kind: 'GitRepository', name: 'flux-system'}},
    status: {observedGeneration: 1, conditions},
  }
}

describe('status health: which state wins (every combination)', () => {
  it('the table has every combination once', () => {
    const keys = new Set(ROWS.map((r) => r.slice(0, 6).join(' ')))
    expect(keys.size).to.equal(ROWS.length)
    expect(ROWS).to.have.length(2 * 2 * 2 * 2 * 3 * 2)
  })

  for (const row of ROWS) {
    const [t, s, old, st, ready, r, winner, retrying, why] = row
    it(`${[t, s, old, st, `Ready=${ready}`, r].join(' ')} -> ${winner}${retrying ? ' (retrying)' : ''}: ${why}`, () => {
      const result = assessObject(object(row), {fluxNoun: 'kustomization'})
      expect(result.health, JSON.stringify(result)).to.equal(winner)
      expect(result.retrying === true, 'retrying').to.equal(retrying)
    })
  }
})

describe('status health: the rule order is written down once', () => {
  /** `| 3 | when | `ready` ...` rows: number and the first health named. */
  const rules = (text: string) =>
    [...text.matchAll(/^(?: \* )?\|\s*(\d+)\s*\|[^|]*\|\s*`([a-z]+)`/gm)].map((m) => `${m[1]} ${m[2]}`)

  it('the README table and the health.ts docstring list the same rules in the same order', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const section = readme.slice(readme.indexOf('#### Health of an object'), readme.indexOf('#### Output'))
    const code = readFileSync(join(ROOT, 'src/lib/status/health.ts'), 'utf8')
    const docstring = code.slice(0, code.indexOf('*/'))
    expect(rules(section)).to.have.length(13)
    expect(rules(section)).to.deep.equal(rules(docstring))
  })
})
