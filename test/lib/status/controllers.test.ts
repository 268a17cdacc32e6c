import {expect} from 'chai'

import {findControllers, missingControllers, missingStatus} from '../../../src/lib/status/controllers.ts'
import {countObjects, verdict} from '../../../src/lib/status/verdict.ts'
import type {WorkloadObject} from '../../../src/lib/status/workloads.ts'

/** A Deployment as `flux install` writes it, with the labels a given installation uses. */
function deployment(name: string, labels: Record<string, string> = {}, available = 1): WorkloadObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {name, namespace: 'flux-system', generation: 1, labels},
    spec: {replicas: 1, template: {spec: {containers: [{name: 'manager', image: `ghcr.io/fluxcd/${name}:v1.6.0`}]}}},
    status: {
      observedGeneration: 1,
      replicas: 1,
      updatedReplicas: 1,
      readyReplicas: available,
      availableReplicas: available,
    },
  }
}

const FLUX_LABELS = {
  'app.kubernetes.io/part-of': 'flux',
  'app.kubernetes.io/component': 'x',
  'control-plane': 'controller',
}

describe('status: the controllers decide the verdict too', () => {
  describe('findControllers (as flux check: the Deployments of the Flux namespace, by name)', () => {
    const table: Array<[string, WorkloadObject[], string[]]> = [
      [
        'flux install labels',
        ['source-controller', 'kustomize-controller'].map((n) => deployment(n, FLUX_LABELS)),
        ['kustomize-controller', 'source-controller'],
      ],
      [
        'no labels at all (e.g. a hand-made or Helm chart installation)',
        ['helm-controller', 'notification-controller'].map((n) => deployment(n)),
        ['helm-controller', 'notification-controller'],
      ],
      [
        'other Deployments in the namespace are not controllers',
        [deployment('weave-gitops'), deployment('source-controller', {app: 'source-controller'})],
        ['source-controller'],
      ],
      [
        'another Flux component labelled part-of=flux is listed as flux check lists it',
        [deployment('flux-operator', {'app.kubernetes.io/part-of': 'flux'}), deployment('image-reflector-controller')],
        ['flux-operator', 'image-reflector-controller'],
      ],
      ['an empty namespace', [], []],
    ]
    for (const [what, deployments, names] of table) {
      it(`${what}: ${names.join(', ') || 'none'}`, () => {
        const found = findControllers(deployments)
        expect(found.map((c) => c.name)).to.deep.equal(names)
        for (const c of found) expect(c.missing).to.equal(false)
      })
    }
  })

  describe('missingControllers (the kinds with objects, by their controller)', () => {
    const all = [
      'source-controller',
      'kustomize-controller',
      'helm-controller',
      'notification-controller',
      'image-reflector-controller',
      'image-automation-controller',
    ].map((name) => ({name}))
    const without = (...names: string[]) => all.filter((c) => !names.includes(c.name))
    const table: Array<[string, Array<{name: string}>, Record<string, number>, Array<[string, string[], number]>]> = [
      ['every controller present', all, {HelmRelease: 3, ImagePolicy: 2}, []],
      [
        'HelmReleases exist, helm-controller missing',
        without('helm-controller'),
        {HelmRelease: 3, Kustomization: 11},
        [['helm-controller', ['HelmRelease'], 3]],
      ],
      [
        'image objects exist, the image controllers missing',
        without('image-reflector-controller', 'image-automation-controller'),
        {ImageRepository: 1, ImagePolicy: 2, ImageUpdateAutomation: 1},
        [
          ['image-automation-controller', ['ImageUpdateAutomation'], 1],
          ['image-reflector-controller', ['ImageRepository', 'ImagePolicy'], 3],
        ],
      ],
      [
        'source kinds name source-controller once',
        without('source-controller'),
        {GitRepository: 1, OCIRepository: 2, HelmRepository: 3, HelmChart: 4, Bucket: 5},
        [['source-controller', ['GitRepository', 'OCIRepository', 'HelmRepository', 'HelmChart', 'Bucket'], 15]],
      ],
      [
        'notification kinds',
        without('notification-controller'),
        {Provider: 1, Alert: 1, Receiver: 1},
        [['notification-controller', ['Provider', 'Alert', 'Receiver'], 3]],
      ],
      [
        'Kustomizations',
        without('kustomize-controller'),
        {Kustomization: 2},
        [['kustomize-controller', ['Kustomization'], 2]],
      ],
      [
        'a controller without objects is not needed',
        without('helm-controller', 'image-reflector-controller'),
        {Kustomization: 2, HelmRelease: 0},
        [],
      ],
      ['no controllers, no objects', [], {}, []],
    ]
    for (const [what, found, perKind, expected] of table) {
      it(what, () => {
        const missing = missingControllers(found, perKind)
        expect(missing.map((m) => [m.name, m.kinds, m.objects])).to.deep.equal(expected)
      })
    }

    it('a missing controller in the result: not ready, missing, and what needs it', () => {
      const [m] = missingControllers([], {HelmRelease: 3})
      expect(missingStatus(m as never, 'flux-system')).to.deep.equal({
        name: 'helm-controller',
        namespace: 'flux-system',
        ready: false,
        missing: true,
        replicas: 0,
        available: 0,
        images: [],
        version: null,
        message: 'missing: no Deployment in flux-system, needed by 3 objects (HelmRelease)',
      })
      const [one] = missingControllers([], {GitRepository: 1})
      expect(missingStatus(one as never, 'flux').message).to.equal(
        'missing: no Deployment in flux, needed by 1 object (GitRepository)',
      )
    })

    it('a Deployment without labels that is not named as a controller is not one', () => {
      const bare = deployment('weave-gitops')
      delete (bare.metadata as {labels?: unknown}).labels
      expect(findControllers([bare, deployment('helm-controller')]).map((c) => c.name)).to.deep.equal([
        'helm-controller',
      ])
    })
  })

  describe('verdict', () => {
    const ready = (n: number) =>
      countObjects(Array.from({length: n}, () => ({kind: 'HelmRelease', health: 'ready' as const})))
    const table: Array<[string, ReturnType<typeof ready>, Parameters<typeof verdict>[1], boolean, string]> = [
      [
        'objects whose controller is missing',
        ready(3),
        {controllersMissing: ['helm-controller']},
        false,
        'unhealthy: helm-controller missing, 3 ready',
      ],
      [
        'two missing',
        ready(1),
        {controllersMissing: ['image-automation-controller', 'image-reflector-controller']},
        false,
        'unhealthy: image-automation-controller missing, image-reflector-controller missing, 1 ready',
      ],
      [
        'CRDs but no controllers at all, no objects',
        ready(0),
        {noControllersIn: 'flux-system'},
        false,
        'unhealthy: no Flux controllers in flux-system, no Flux objects',
      ],
      [
        'no controllers at all, objects',
        ready(2),
        {noControllersIn: 'flux', controllersMissing: ['helm-controller']},
        false,
        'unhealthy: no Flux controllers in flux, 2 ready',
      ],
      [
        'missing and down',
        ready(1),
        {controllersMissing: ['helm-controller'], controllersDown: ['source-controller']},
        false,
        'unhealthy: helm-controller missing, 1 controller down, 1 ready',
      ],
      ['controllers all there', ready(1), {controllersMissing: [], controllersDown: []}, true, 'healthy: 1 ready'],
    ]
    for (const [what, counts, options, healthy, line] of table) {
      it(`${what}: ${line}`, () => {
        expect(verdict(counts, options)).to.deep.equal({healthy, line})
      })
    }
  })
})
