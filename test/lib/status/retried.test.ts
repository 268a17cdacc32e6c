import {expect} from 'chai'

import {assessAll, settle} from '../../../src/lib/status/across.ts'
import {type Condition, type FluxObject, assessObject, keyOf} from '../../../src/lib/status/health.ts'
import {planReconcile} from '../../../src/lib/status/plan.ts'
import {explain} from '../../../src/lib/status/render.ts'

/**
 * §1 of the status-truth issue: a failure Flux keeps retrying is `failed`. Every Flux kind
 * that has a status, shaped as its controller writes it ("Debugging a <Kind>" in each
 * controller's docs/spec): Ready=False with the real reason and message beside
 * Reconciling=True/ProgressingWithRetry, conditions at the new generation while
 * status.observedGeneration still lags (or is the CRD default -1, as for the Receiver).
 */
const T = '2026-11-24T08:30:00Z'
const c = (type: string, status: string, reason: string, message: string, observedGeneration: number): Condition => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: T,
  observedGeneration,
})

interface KindCase {
  kind: string
  apiVersion: string
  namespace?: string
  spec: FluxObject['spec']
  /** Ready=False reason and message of the failure being retried. */
  reason: string
  message: string
  /** The Reconciling message the controller writes beside it. */
  reconciling: string
  generation: number
  /** status.observedGeneration as the docs show it (lagging). */
  statusGeneration: number
}

const CASES: KindCase[] = [
  {
    kind: 'GitRepository',
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    spec: {url: 'https://github.com/stefanprodan/podinfo', ref: {branch: 'invalid'}},
    reason: 'GitOperationFailed',
    message:
      "failed to checkout and determine revision: unable to clone 'https://github.com/stefanprodan/podinfo': couldn't find remote ref \"refs/heads/invalid\"",
    reconciling: 'processing object: new generation 1 -> 2',
    generation: 2,
    statusGeneration: 1,
  },
  {
    kind: 'OCIRepository',
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    spec: {url: 'oci://ghcr.io/stefanprodan/manifests/podinfo', ref: {tag: '0.0.1'}},
    reason: 'OCIOperationFailed',
    message: "failed to pull artifact from 'oci://ghcr.io/stefanprodan/manifests/podinfo': couldn't find tag \"0.0.1\"",
    reconciling: 'processing object: new generation 1 -> 2',
    generation: 2,
    statusGeneration: 1,
  },
  {
    kind: 'HelmRepository',
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    spec: {url: 'https://hub.jupyter.org/helm-chart/', secretRef: {name: 'jupyterhub-auth'}},
    reason: 'AuthenticationFailed',
    message: 'failed to get authentication secret \'jupyterhub/jupyterhub-auth\': secrets "jupyterhub-auth" not found',
    reconciling: 'processing object: new generation 2 -> 3',
    generation: 3,
    statusGeneration: 2,
  },
  {
    kind: 'HelmChart',
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    spec: {chart: 'jupyterhub', version: '4.1.0', sourceRef: {kind: 'HelmRepository', name: 'jupyterhub'}},
    reason: 'StorageOperationFailed',
    message:
      'failed to store artifact: write /data/helmchart/jupyterhub/jupyterhub-jupyterhub: no space left on device',
    reconciling: 'processing object: new generation 1 -> 2',
    generation: 2,
    statusGeneration: 1,
  },
  {
    kind: 'Bucket',
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    spec: {bucketName: 'my-new-bucket', endpoint: 'minio.minio.svc.cluster.local:9000'},
    reason: 'BucketOperationFailed',
    message: "bucket 'my-new-bucket' does not exist",
    reconciling: 'processing object: new generation 1 -> 2',
    generation: 2,
    statusGeneration: 1,
  },
  {
    kind: 'Kustomization',
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    namespace: 'flux-system',
    spec: {path: './infrastructure/staging/configs', sourceRef: {kind: 'GitRepository', name: 'flux-system'}},
    reason: 'BuildFailed',
    message:
      "kustomize build failed: accumulating resources: accumulation err='accumulating resources from 'notifications.yaml': open /tmp/kustomization-1/infrastructure/staging/configs/notifications.yaml: no such file or directory'",
    reconciling:
      'Building manifests for revision main@sha1:4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b with a timeout of 5m0s',
    generation: 1,
    statusGeneration: 1,
  },
  {
    kind: 'HelmRelease',
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    namespace: 'jupyterhub',
    spec: {chart: {spec: {chart: 'jupyterhub', sourceRef: {kind: 'HelmRepository', name: 'jupyterhub'}}}},
    reason: 'UpgradeFailed',
    message:
      'Helm upgrade failed for release jupyterhub/jupyterhub with chart jupyterhub@4.1.0: context deadline exceeded',
    reconciling: 'retrying after 5m0s',
    generation: 4,
    statusGeneration: 3,
  },
  {
    kind: 'Receiver',
    apiVersion: 'notification.toolkit.fluxcd.io/v1',
    spec: {
      type: 'github',
      secretRef: {name: 'webhook-token'},
      resources: [{kind: 'GitRepository', name: 'flux-system'}],
    },
    reason: 'TokenNotFound',
    message: 'unable to read token from secret \'default/webhook-token\' error: Secret "webhook-token" not found',
    reconciling: 'Reconciliation in progress',
    generation: 1,
    statusGeneration: -1,
  },
  {
    kind: 'Alert',
    apiVersion: 'notification.toolkit.fluxcd.io/v1beta2',
    spec: {providerRef: {name: 'slack-dev'}, eventSources: [{kind: 'Kustomization', name: '*'}]},
    reason: 'ProviderNotFound',
    message: 'provider not found: Provider.notification.toolkit.fluxcd.io "slack-dev" not found',
    reconciling: 'Reconciliation in progress',
    generation: 1,
    statusGeneration: -1,
  },
  {
    kind: 'Provider',
    apiVersion: 'notification.toolkit.fluxcd.io/v1beta2',
    spec: {type: 'slack', secretRef: {name: 'slack-webhook'}},
    reason: 'ValidationFailed',
    message: 'unable to read secret: Secret "slack-webhook" not found',
    reconciling: 'Reconciliation in progress',
    generation: 1,
    statusGeneration: -1,
  },
  {
    kind: 'ImageRepository',
    apiVersion: 'image.toolkit.fluxcd.io/v1beta2',
    spec: {image: 'ghcr.io/stefanprodan/podinfo', secretRef: {name: 'ghcr-auth'}},
    reason: 'AuthenticationFailed',
    message: 'auth for \'ghcr.io/stefanprodan/podinfo\' failed: secrets "ghcr-auth" not found',
    reconciling: 'processing object: new generation 1 -> 2',
    generation: 2,
    statusGeneration: 1,
  },
  {
    kind: 'ImagePolicy',
    apiVersion: 'image.toolkit.fluxcd.io/v1beta2',
    spec: {imageRepositoryRef: {name: 'podinfo'}, policy: {semver: {range: '>=9.0.0'}}},
    reason: 'Failure',
    message: 'cannot determine latest tag for policy: version list argument cannot be empty',
    reconciling: 'reconciliation in progress',
    generation: 1,
    statusGeneration: 1,
  },
  {
    kind: 'ImageUpdateAutomation',
    apiVersion: 'image.toolkit.fluxcd.io/v1beta2',
    spec: {sourceRef: {kind: 'GitRepository', name: 'flux-system'}, interval: '30m'},
    reason: 'GitOperationFailed',
    message:
      "failed to checkout source: unable to clone 'https://github.com/fluxcd/example': couldn't find remote ref \"refs/heads/non-existing-branch\"",
    reconciling: 'processing object: new generation 6 -> 7',
    generation: 7,
    statusGeneration: 6,
  },
]

function object(k: KindCase, conditions: Condition[]): FluxObject {
  return {
    apiVersion: k.apiVersion,
    kind: k.kind,
    metadata: {name: 'example', namespace: k.namespace ?? 'default', generation: k.generation},
    spec: k.spec,
    status: {observedGeneration: k.statusGeneration, conditions},
  }
}

const retried = (k: KindCase) =>
  object(k, [
    c('Reconciling', 'True', 'ProgressingWithRetry', k.reconciling, k.generation),
    c('Ready', 'False', k.reason, k.message, k.generation),
  ])

describe('status: a failure Flux keeps retrying is a failure (every kind with a status)', () => {
  for (const k of CASES) {
    describe(`${k.kind} (${k.apiVersion})`, () => {
      it(`Ready=False ${k.reason} + Reconciling=True/ProgressingWithRetry: failed, retrying, with the real reason and message`, () => {
        const r = assessObject(retried(k))
        expect(r.health).to.equal('failed')
        expect(r.retrying).to.equal(true)
        expect(r.reason).to.equal(k.reason)
        expect(r.message).to.equal(k.message)
        expect(explain(r)).to.equal(`${k.reason} (retrying): ${k.message}`)
      })

      it('Ready=Unknown + Reconciling=True/Progressing: progressing, not retrying', () => {
        const r = assessObject(
          object(k, [
            c('Reconciling', 'True', 'Progressing', k.reconciling, k.generation),
            c('Ready', 'Unknown', 'Progressing', 'reconciliation in progress', k.generation),
          ]),
        )
        expect(r.health).to.equal('progressing')
        expect(r.retrying).to.equal(undefined)
        expect(r.reason).to.equal('Progressing')
      })

      it('Ready=False without Reconciling: failed, not marked retrying', () => {
        const r = assessObject(object(k, [c('Ready', 'False', k.reason, k.message, k.generation)]))
        expect(r.health).to.equal('failed')
        expect(r.retrying).to.equal(undefined)
        expect(r.reason).to.equal(k.reason)
      })

      it('Ready=True once the controller has reconciled the generation (status.observedGeneration set with it): ready', () => {
        const obj = object(k, [c('Ready', 'True', 'Succeeded', 'ready', k.generation)])
        const r = assessObject({...obj, status: {...obj.status, observedGeneration: k.generation}})
        expect(r.health).to.equal('ready')
      })

      // The controllers set status.observedGeneration in the same patch as Ready=True; a Ready=True at the
      // generation beside a lagging status.observedGeneration is the previous generation's, its condition
      // stamped with the new one by fluxcd/pkg runtime/patch (see readyIsCurrent).
      it('Ready=True at the generation while status.observedGeneration lags: stale, not ready', () => {
        const obj = object(k, [c('Ready', 'True', 'Succeeded', 'ready', k.generation)])
        const lagging = k.statusGeneration < k.generation ? k.statusGeneration : k.generation - 1
        const r = assessObject({...obj, status: {...obj.status, observedGeneration: lagging}})
        expect(r).to.include({health: 'stale', reason: 'GenerationNotReady'})
        expect(r.message).to.equal(
          `generation ${k.generation} not yet reconciled: Ready=True is for generation ${lagging} (status.observedGeneration)`,
        )
      })
    })
  }

  // ProgressingWithRetry is what the controllers write when an attempt failed ("to indicate a failure retry",
  // source-controller ComputeReconcileResult; helm-controller atomic_release.go): with Ready left Unknown it is
  // still a failure. helm-controller's failed drift correction marks Ready=Unknown "correcting cluster drift",
  // cannot run the correction twice in one attempt, marks Reconciling=ProgressingWithRetry with Ready's message
  // and requeues (ErrMustRequeue), for ever: Ready never turns False.
  describe('Reconciling=True/ProgressingWithRetry while Ready is not False', () => {
    const hr = CASES.find((k) => k.kind === 'HelmRelease') as KindCase
    const driftCorrectionFailing = object({...hr, statusGeneration: hr.generation}, [
      c('Reconciling', 'True', 'ProgressingWithRetry', 'correcting cluster drift', hr.generation),
      c('Ready', 'Unknown', 'Progressing', 'correcting cluster drift', hr.generation),
      c(
        'Released',
        'True',
        'UpgradeSucceeded',
        'Helm upgrade succeeded for release jupyterhub/jupyterhub.v4',
        hr.generation,
      ),
      c(
        'Drifted',
        'True',
        'DriftDetected',
        'Cluster state of release jupyterhub/jupyterhub.v4 has drifted from the desired state:\nDeployment/jupyterhub/hub changed (0 additions, 1 changes, 0 removals)',
        hr.generation,
      ),
    ])
    it('HelmRelease drift correction failing (Ready=Unknown): failed, retrying, not progressing', () => {
      const r = assessObject(driftCorrectionFailing)
      expect(r).to.include({
        health: 'failed',
        reason: 'ProgressingWithRetry',
        message: 'correcting cluster drift',
        retrying: true,
      })
    })
    for (const k of CASES) {
      it(`${k.kind}: Ready=Unknown beside Reconciling=True/ProgressingWithRetry: failed, retrying`, () => {
        const r = assessObject(
          object(k, [
            c('Reconciling', 'True', 'ProgressingWithRetry', k.reconciling, k.generation),
            c('Ready', 'Unknown', 'Progressing', 'reconciliation in progress', k.generation),
          ]),
        )
        expect(r).to.include({health: 'failed', reason: 'ProgressingWithRetry', retrying: true})
        expect(r.message).to.equal(k.reconciling)
      })
    }
    it('no Ready condition at all beside Reconciling=True/ProgressingWithRetry: failed, retrying', () => {
      const r = assessObject(
        object(hr, [c('Reconciling', 'True', 'ProgressingWithRetry', 'retrying after 5m0s', hr.generation)]),
      )
      expect(r).to.include({health: 'failed', retrying: true})
    })
    it('Ready=True beside it (helm-controller upgrading again and again): progressing, and --wait does not settle it', () => {
      const looping = object({...hr, statusGeneration: hr.generation}, [
        c(
          'Reconciling',
          'True',
          'ProgressingWithRetry',
          'Helm upgrade succeeded for release jupyterhub/jupyterhub.v9',
          hr.generation,
        ),
        c(
          'Ready',
          'True',
          'UpgradeSucceeded',
          'Helm upgrade succeeded for release jupyterhub/jupyterhub.v9',
          hr.generation,
        ),
      ])
      const r = assessObject(looping)
      expect(r.health).to.equal('progressing')
      expect(settle(r, looping, new Set([keyOf(looping)])).health).to.equal('progressing')
    })
  })

  it('HelmRelease Ready=False RollbackSucceeded while retrying (remediated, upgrade to be retried): failed', () => {
    const hr = CASES.find((k) => k.kind === 'HelmRelease') as KindCase
    const r = assessObject(
      object(hr, [
        c('Reconciling', 'True', 'ProgressingWithRetry', 'retrying after 5m0s', hr.generation),
        c(
          'Ready',
          'False',
          'RollbackSucceeded',
          'Helm rollback to previous release jupyterhub/jupyterhub.v3 succeeded',
          hr.generation,
        ),
        c('Released', 'False', 'UpgradeFailed', 'Helm upgrade failed: context deadline exceeded', hr.generation),
        c('Remediated', 'True', 'RollbackSucceeded', 'Helm rollback succeeded', hr.generation),
      ]),
    )
    expect(r).to.include({health: 'failed', reason: 'RollbackSucceeded', retrying: true})
  })

  it('ImagePolicy DependencyNotReady beside Reconciling=True/AccessingRepository: waiting, not failed', () => {
    const policy = CASES.find((k) => k.kind === 'ImagePolicy') as KindCase
    const r = assessObject(
      object(policy, [
        c('Reconciling', 'True', 'AccessingRepository', 'accessing ImageRepository', 1),
        c(
          'Ready',
          'False',
          'DependencyNotReady',
          'failed to get the referred ImageRepository: referenced ImageRepository does not exist: ImageRepository.image.toolkit.fluxcd.io "podinfo" not found',
          1,
        ),
      ]),
    )
    expect(r.health).to.equal('waiting')
  })

  describe('across objects', () => {
    const ks = CASES.find((k) => k.kind === 'Kustomization') as KindCase
    const git: FluxObject = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: {name: 'flux-system', namespace: 'flux-system', generation: 1},
      status: {
        observedGeneration: 1,
        artifact: {revision: 'main@sha1:4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b'},
        conditions: [c('Ready', 'True', 'Succeeded', 'stored artifact', 1)],
      },
    }
    const infra = {...retried(ks), metadata: {name: 'infra', namespace: 'flux-system', generation: 1}}
    const waiting = (name: string, on: string): FluxObject => ({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: {name, namespace: 'flux-system', generation: 1},
      spec: {sourceRef: {kind: 'GitRepository', name: 'flux-system'}, dependsOn: [{name: on}]},
      status: {
        observedGeneration: 1,
        conditions: [c('Ready', 'False', 'DependencyNotReady', `dependency 'flux-system/${on}' is not ready`, 1)],
      },
    })
    const objects = [git, infra, waiting('infra-addons', 'infra'), waiting('jhub', 'infra-addons')]

    it('objects waiting on it (directly or down a chain) name it as their failed root cause', () => {
      const results = assessAll(objects)
      for (const name of ['infra-addons', 'jhub']) {
        expect(results.find((r) => r.name === name)?.cause, name).to.deep.equal({
          kind: 'Kustomization',
          namespace: 'flux-system',
          name: 'infra',
          health: 'failed',
          reason: 'BuildFailed',
        })
      }
    })

    it('--reconcile requests it (and its source first), marked retrying', () => {
      const plan = planReconcile(objects, assessAll(objects))
      expect(plan.targets.map((t) => `${t.kind}/${t.name} ${t.why}`)).to.deep.equal([
        'GitRepository/flux-system source of Kustomization/infra',
        'Kustomization/infra failed (retrying)',
      ])
    })

    it('--reconcile requests a retried failure of any reconcilable kind, e.g. a Receiver', () => {
      const receiver = retried(CASES.find((k) => k.kind === 'Receiver') as KindCase)
      const plan = planReconcile([receiver], assessAll([receiver]))
      expect(plan.targets.map((t) => `${t.kind}/${t.name}`)).to.deep.equal(['Receiver/example'])
    })
  })

  // A HelmRelease installs the chart its HelmChart holds: once that exists, the repository's own
  // failure (an index fetch being retried) is the chart's business, not the release's root cause.
  describe('a HelmRelease, its HelmChart and the chart repository', () => {
    const repo = (ready: boolean): FluxObject => ({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: {name: 'podinfo', namespace: 'flux-system', generation: 1},
      spec: {url: 'https://stefanprodan.github.io/podinfo', interval: '1h'},
      status: {
        observedGeneration: 1,
        conditions: ready
          ? [c('Ready', 'True', 'Succeeded', 'stored artifact: revision sha256:...', 1)]
          : [
              c('Reconciling', 'True', 'ProgressingWithRetry', 'building artifact: new index revision', 1),
              c('Ready', 'False', 'IndexationFailed', 'failed to fetch index.yaml: 503 Service Unavailable', 1),
            ],
      },
    })
    const chart = (ready: boolean): FluxObject => ({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmChart',
      metadata: {name: 'podinfo-podinfo', namespace: 'flux-system', generation: 1},
      spec: {chart: 'podinfo', sourceRef: {kind: 'HelmRepository', name: 'podinfo'}},
      status: {
        observedGeneration: 1,
        conditions: ready
          ? [c('Ready', 'True', 'ChartPullSucceeded', "pulled 'podinfo' chart with version '6.5.4'", 1)]
          : [c('Ready', 'False', 'ChartPullFailed', "no 'podinfo' chart with version matching '9.x' found", 1)],
      },
    })
    const release = (reason: string, message: string): FluxObject => ({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: {name: 'podinfo', namespace: 'podinfo', generation: 1},
      spec: {
        chart: {
          spec: {chart: 'podinfo', sourceRef: {kind: 'HelmRepository', name: 'podinfo', namespace: 'flux-system'}},
        },
      },
      status: {
        observedGeneration: 1,
        conditions: [
          c('Reconciling', 'True', 'ProgressingWithRetry', "Running 'upgrade' action with timeout of 5m0s", 1),
          c('Ready', 'False', reason, message, 1),
        ],
      },
    })
    const upgradeFailed = release(
      'UpgradeFailed',
      'Helm upgrade failed: spec.selector: Invalid value: field is immutable',
    )
    const artifactFailed = release('ArtifactFailed', "HelmChart 'flux-system/podinfo-podinfo' is not ready")
    const table: Array<[string, FluxObject[], string | undefined]> = [
      [
        'HelmChart ready, repository failing: its own failure, no root cause',
        [upgradeFailed, chart(true), repo(false)],
        undefined,
      ],
      [
        'no HelmChart yet, repository failing: the repository',
        [artifactFailed, repo(false)],
        'HelmRepository/podinfo failed',
      ],
      [
        'HelmChart failing, repository failing: the repository, down the chart',
        [artifactFailed, chart(false), repo(false)],
        'HelmRepository/podinfo failed',
      ],
      [
        'HelmChart failing, repository ready: the HelmChart',
        [artifactFailed, chart(false), repo(true)],
        'HelmChart/podinfo-podinfo failed',
      ],
    ]
    for (const [what, objects, cause] of table) {
      it(what, () => {
        const hr = assessAll(objects)[0]
        expect(hr?.cause ? `${hr.cause.kind}/${hr.cause.name} ${hr.cause.health}` : undefined).to.equal(cause)
        if (!cause) expect(explain(hr as never)).to.match(/^UpgradeFailed \(retrying\): Helm upgrade failed/)
      })
    }
  })
})
