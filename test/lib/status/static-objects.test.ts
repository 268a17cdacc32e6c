import {expect} from 'chai'
import {existsSync} from 'node:fs'

import {assessAll} from '../../../src/lib/status/across.ts'
import {type FluxObject, type Health, assessObject} from '../../../src/lib/status/health.ts'
import {countObjects, verdict} from '../../../src/lib/status/verdict.ts'
import {planReconcile} from '../../../src/lib/status/plan.ts'
import {isReconcilable, staticObjectReason} from '../../../src/lib/status/static-objects.ts'
import {GOTK_COMPONENTS, IMAGE_CRDS, loadCrds} from '../../support/kube-standin.ts'

const REFERENCE_CRDS = '/work/shared/reference/piksel-gitops/clusters/staging/flux-system/gotk-components.yaml'

/** A HelmRepository of type oci as source-controller >= v1.2 leaves it (fluxcd/source-controller#1243). */
function ociRepo(
  status: FluxObject['status'] | undefined,
  extra: Partial<FluxObject['metadata']> = {},
  suspend = false,
): FluxObject {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'HelmRepository',
    metadata: {name: 'podinfo', namespace: 'flux-system', generation: 3, ...extra},
    spec: {type: 'oci', url: 'oci://ghcr.io/stefanprodan/charts', provider: 'generic', ...(suspend ? {suspend} : {})},
    ...(status === undefined ? {} : {status}),
  }
}

function notification(kind: 'Provider' | 'Alert', version: string, status?: FluxObject['status']): FluxObject {
  return {
    apiVersion: `notification.toolkit.fluxcd.io/${version}`,
    kind,
    metadata: {name: 'slack', namespace: 'flux-system', generation: 1},
    spec: kind === 'Provider' ? {type: 'slack', channel: 'piksel-alerts'} : {providerRef: {name: 'slack'}},
    ...(status ? {status} : {}),
  }
}

describe('status: objects with no status by design are not "never reconciled"', () => {
  const cases: Array<{
    what: string
    obj: FluxObject
    hasStatus?: boolean
    health: Health
    reason?: string
    message?: RegExp
  }> = [
    {
      what: 'HelmRepository type oci with status {}',
      obj: ociRepo({}),
      health: 'ready',
      reason: 'NoStatusByDesign',
      message: /type oci: configuration only, not reconciled by source-controller/,
    },
    {
      what: 'HelmRepository type oci without status',
      obj: ociRepo(undefined),
      health: 'ready',
      reason: 'NoStatusByDesign',
    },
    {
      what: 'HelmRepository type oci with the CRD default observedGeneration -1',
      obj: ociRepo({observedGeneration: -1}),
      health: 'ready',
      reason: 'NoStatusByDesign',
    },
    {
      what: 'HelmRepository type oci with conditions left over from source-controller < v1.2 (no longer maintained)',
      obj: ociRepo({
        observedGeneration: 2,
        conditions: [
          {type: 'Ready', status: 'False', reason: 'AuthenticationFailed', message: 'old', observedGeneration: 2},
        ],
      }),
      health: 'ready',
      reason: 'NoStatusByDesign',
    },
    {what: 'HelmRepository type oci, suspended: still suspended', obj: ociRepo({}, {}, true), health: 'suspended'},
    {
      what: 'HelmRepository type oci being deleted: terminating',
      obj: ociRepo({}, {deletionTimestamp: '2026-11-24T09:00:00Z'}),
      health: 'terminating',
    },
    {
      what: 'HelmRepository type default with status {}: never reconciled',
      obj: {...ociRepo({}), spec: {url: 'https://hub.jupyter.org/helm-chart/'}},
      health: 'unknown',
      reason: 'NotReconciled',
    },
    {
      what: 'Provider v1beta3 (discovery: no status subresource)',
      obj: notification('Provider', 'v1beta3'),
      hasStatus: false,
      health: 'ready',
      reason: 'NoStatusByDesign',
      message: /no status at notification.toolkit.fluxcd.io\/v1beta3 by design/,
    },
    {
      what: 'Alert v1beta3 even when discovery was not consulted',
      obj: notification('Alert', 'v1beta3'),
      health: 'ready',
      reason: 'NoStatusByDesign',
    },
    {
      what: 'Provider v1beta2 (status subresource) without a status: never reconciled',
      obj: notification('Provider', 'v1beta2'),
      hasStatus: true,
      health: 'unknown',
      reason: 'NotReconciled',
    },
    {
      what: 'Alert v1beta2 failing: judged on its conditions',
      obj: notification('Alert', 'v1beta2', {
        observedGeneration: 1,
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'ProviderNotFound',
            message: 'provider not found',
            observedGeneration: 1,
          },
        ],
      }),
      hasStatus: true,
      health: 'failed',
    },
    {
      what: 'another kind with spec.type oci (only a HelmRepository of that type is configuration only)',
      obj: {...notification('Provider', 'v1beta2'), spec: {type: 'oci'}},
      hasStatus: true,
      health: 'unknown',
      reason: 'NotReconciled',
    },
    {
      what: 'a HelmRepository without a spec is not static (nothing says oci)',
      obj: {apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', metadata: {name: 'x', namespace: 'y'}},
      hasStatus: true,
      health: 'unknown',
      reason: 'NotReconciled',
    },
    {
      what: 'any kind whose served version has no status subresource',
      obj: {apiVersion: 'example.toolkit.fluxcd.io/v1', kind: 'Example', metadata: {name: 'x', namespace: 'y'}},
      hasStatus: false,
      health: 'ready',
    },
  ]
  for (const t of cases) {
    it(`${t.health}: ${t.what}`, () => {
      const r = assessObject(t.obj, {hasStatus: t.hasStatus})
      expect(r.health, JSON.stringify(r)).to.equal(t.health)
      if (t.reason) expect(r.reason).to.equal(t.reason)
      if (t.message) expect(r.message).to.match(t.message)
    })
  }

  it('a cluster whose only sources are OCI HelmRepositories and v1beta3 notifications is healthy', () => {
    const results = assessAll([ociRepo({}), notification('Provider', 'v1beta3'), notification('Alert', 'v1beta3')])
    expect(verdict(countObjects(results))).to.deep.equal({healthy: true, line: 'healthy: 3 ready'})
  })

  it('--reconcile never asks for static objects (Flux refuses: "reconciliation not supported by the object")', () => {
    const objects = [ociRepo({}), notification('Provider', 'v1beta3')]
    // Even if something marked them failed, they are not reconcilable.
    const results = assessAll(objects).map((r) => ({...r, health: 'failed' as const}))
    expect(planReconcile(objects, results).targets).to.deep.equal([])
    expect(isReconcilable(ociRepo({}))).to.equal(false)
    expect(isReconcilable({...ociRepo({}), spec: {url: 'https://x'}})).to.equal(true)
    // Discovery decides for a kind piksel does not know: no status subresource, nothing to reconcile.
    const example: FluxObject = {apiVersion: 'example.toolkit.fluxcd.io/v1', kind: 'Example', metadata: {name: 'x'}}
    expect(isReconcilable(example, false)).to.equal(false)
    expect(isReconcilable(example, true)).to.equal(true)
    expect(isReconcilable(example)).to.equal(true)
  })

  describe('every CRD version without a status subresource is covered', () => {
    const files = [GOTK_COMPONENTS, IMAGE_CRDS, ...(existsSync(REFERENCE_CRDS) ? [REFERENCE_CRDS] : [])]
    for (const file of files) {
      it(file.replace(/^.*\/(test|shared)\//, '$1/'), () => {
        const statusless: string[] = []
        for (const type of loadCrds(file)) {
          for (const version of type.versions) {
            const obj: FluxObject = {
              apiVersion: `${type.group}/${version}`,
              kind: type.kind,
              metadata: {name: 'x', namespace: 'y'},
              spec: {},
            }
            const has = type.statusVersions.has(version)
            // Known by kind and version, not only through discovery.
            const reason = staticObjectReason(obj)
            if (has) {
              expect(reason, `${type.kind} ${version} has a status`).to.equal(undefined)
            } else {
              statusless.push(`${type.kind} ${version}`)
              expect(reason, `${type.kind} ${version} has no status`).to.be.a('string')
            }
          }
        }
        if (file !== IMAGE_CRDS) expect(statusless.sort()).to.deep.equal(['Alert v1beta3', 'Provider v1beta3'])
      })
    }
  })
})
