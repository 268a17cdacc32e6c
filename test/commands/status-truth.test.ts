/**
 * `piksel status` on the kinds of input real clusters give it (the status-truth issue,
 * sections 2, 5, 6 and 7), against the Kubernetes API stand-in: filters, controllers,
 * unanswerable questions, plain-HTTP kubeconfigs, --deep counts and narrow terminals
 * under a real pseudo-terminal.
 */
import {expect} from 'chai'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {stripVTControlCharacters} from 'node:util'

import {execa} from 'execa'

import type {StatusCommandResult} from '../../src/commands/status.ts'
import {BIN, runPiksel} from '../support/cli.ts'
import type {KubeStandin} from '../support/kube-standin.ts'
import {IMAGE_CRDS, type KubeObject, readFixture} from '../support/kube-standin.ts'
import {runStatus, startStatusCluster, statusJson} from '../support/status-cli.ts'
import {requireTool} from '../support/tools.ts'

const NEW = 'main@sha1:4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b'
const OLD = 'main@sha1:0a1b2c3d4e5f60718293a4b5c6d7e8f901234567'
const T = '2026-11-24T08:30:00Z'

const cond = (type: string, status: string, reason: string, message: string, observedGeneration = 1) => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: T,
  observedGeneration,
})
const READY = [cond('Ready', 'True', 'ReconciliationSucceeded', `Applied revision: ${NEW}`)]

/** A Kustomization as kustomize-controller v1 leaves it. */
function ks(
  namespace: string,
  name: string,
  options: {
    labels?: Record<string, string>
    dependsOn?: Array<{name: string; namespace?: string}>
    applied?: string
    conditions?: Array<ReturnType<typeof cond>>
  } = {},
): KubeObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: {name, namespace, generation: 1, labels: options.labels},
    spec: {
      interval: '10m',
      path: `./apps/${name}`,
      prune: true,
      sourceRef: {kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system'},
      ...(options.dependsOn ? {dependsOn: options.dependsOn} : {}),
    },
    status: {
      observedGeneration: 1,
      lastAppliedRevision: options.applied ?? NEW,
      lastAttemptedRevision: options.applied ?? NEW,
      conditions: options.conditions ?? READY,
    },
  }
}

const waitingOn = (on: string, namespace = 'flux-system') => [
  cond('Ready', 'False', 'DependencyNotReady', `dependency '${namespace}/${on}' is not ready`),
]

describe('piksel status tells the truth (stand-in)', function () {
  this.timeout(60_000)
  let standin: KubeStandin
  let dir: string
  let env: Record<string, string | undefined>

  async function start(objects: KubeObject[], options: ConstructorParameters<typeof KubeStandin>[0] = {}) {
    ;({standin, dir, env} = await startStatusCluster('piksel-status-truth-', objects, options))
  }
  const run = (args: string[]) => runStatus(env, args)
  const json = (args: string[]) => statusJson(env, args)

  afterEach(async () => {
    await standin?.stop()
  })

  describe('filters choose what is shown, never what is judged (§2)', () => {
    beforeEach(async () => {
      await start(readFixture('healthy.yaml'))
      // team-b's Kustomization (label team=a) applied an older commit than the flux-system source holds.
      standin.put(ks('team-b', 'apps', {labels: {team: 'a'}, applied: OLD}))
      // team-c waits on infra-configs in flux-system, which fails and is being retried.
      standin.update('Kustomization', 'flux-system', 'infra-configs', (o) => {
        o.status = {
          ...o.status,
          conditions: [
            cond(
              'Reconciling',
              'True',
              'ProgressingWithRetry',
              `Building manifests for revision ${NEW} with a timeout of 5m0s`,
            ),
            cond(
              'Ready',
              'False',
              'BuildFailed',
              'kustomize build failed: accumulating resources: no such file or directory',
            ),
          ],
        }
      })
      standin.put(
        ks('team-c', 'web', {
          labels: {team: 'c'},
          dependsOn: [{name: 'infra-configs', namespace: 'flux-system'}],
          conditions: waitingOn('infra-configs'),
        }),
      )
    })

    it('-l team=a: the Kustomization behind its cross-namespace source is stale (exit 3), and only it is listed', async () => {
      const {exitCode, doc} = await json(['-l', 'team=a'])
      expect(exitCode).to.equal(3)
      expect(doc.objects.map((o) => `${o.kind}/${o.namespace}/${o.name} ${o.health} ${o.reason}`)).to.deep.equal([
        'Kustomization/team-b/apps stale BehindSource',
      ])
      expect(doc.counts.total).to.equal(1)
      expect(doc.summary).to.equal('unhealthy: 1 stale')
      // GitRepositories are listed with the selector (none has the label); the one the selection
      // is built from is read where it is, without the selector.
      const git = standin.listCalls('gitrepositories')
      expect(git.map((c) => `${c.path} ${c.query.labelSelector ?? '-'}`)).to.deep.equal([
        '/apis/source.toolkit.fluxcd.io/v1/gitrepositories team=a',
        '/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories -',
      ])
      expect(standin.listCalls('kustomizations')[0]?.query.labelSelector).to.equal('team=a')
    })

    it('-n team-b: the same object, the same verdict', async () => {
      const {exitCode, doc} = await json(['-n', 'team-b'])
      expect(exitCode).to.equal(3)
      expect(doc.objects.map((o) => `${o.name} ${o.health}`)).to.deep.equal(['apps stale'])
      expect(doc.summary).to.equal('unhealthy: 1 stale')
    })

    it('-n team-c: the root cause across namespaces, failed and retrying', async () => {
      const {exitCode, doc} = await json(['-n', 'team-c'])
      expect(exitCode).to.equal(3)
      expect(doc.objects).to.have.length(1)
      expect(doc.objects[0]?.cause).to.deep.equal({
        kind: 'Kustomization',
        namespace: 'flux-system',
        name: 'infra-configs',
        health: 'failed',
        reason: 'BuildFailed',
      })
      const text = (await run(['-n', 'team-c'])).stdout
      expect(text).to.match(
        /Kustomization\/team-c\/web\s+waiting.*root cause: Kustomization\/flux-system\/infra-configs failed \(BuildFailed\)/,
      )
    })

    it('the verdict of every selection agrees with the unfiltered verdict for the same objects', async () => {
      const all = (await json([])).doc
      const health = new Map(
        all.objects.map((o) => [
          `${o.kind}/${o.namespace}/${o.name}`,
          `${o.health} ${o.reason} ${o.cause?.name ?? ''}`,
        ]),
      )
      for (const args of [
        ['-l', 'team=a'],
        ['-n', 'team-b'],
        ['-n', 'team-c'],
        ['-l', 'team'],
        ['-n', 'flux-system'],
        ['-n', 'jupyterhub'],
        ['-n', 'team-c', '--kind', 'ks'],
      ]) {
        const {doc} = await json(args)
        expect(doc.objects.length, args.join(' ')).to.be.greaterThan(0)
        for (const o of doc.objects) {
          const key = `${o.kind}/${o.namespace}/${o.name}`
          expect(`${o.health} ${o.reason} ${o.cause?.name ?? ''}`, `${args.join(' ')}: ${key}`).to.equal(
            health.get(key),
          )
        }
        // A selection is healthy exactly when neither it nor what it is built from or waits on has
        // a problem; each dependency named is judged as the unfiltered view judges it.
        const problems = doc.objects.filter((o) => o.health !== 'ready').length
        const dependencies = doc.dependencies ?? []
        expect(doc.verdict === 'healthy', args.join(' ')).to.equal(problems === 0 && dependencies.length === 0)
        for (const d of dependencies) {
          const key = `${d.kind}/${d.namespace}/${d.name}`
          expect(health.get(key)?.split(' ')[0], `${args.join(' ')}: dependency ${key}`).to.equal(d.health)
        }
      }
    })

    it('--wait -n team-b follows what the selection references too (watches on the cross-namespace source)', async () => {
      const waiting = run(['-n', 'team-b', '--wait', '--timeout', '20s'])
      const until = Date.now() + 20_000
      const sourceWatch = () =>
        standin
          .watches()
          .some((w) => w.path === '/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories')
      while (!sourceWatch() && Date.now() < until) await new Promise((r) => setTimeout(r, 25))
      expect(sourceWatch(), 'a watch on the referenced namespace of GitRepositories').to.equal(true)
      // The source goes back to the revision team-b applied: the Kustomization is no longer behind.
      standin.update('GitRepository', 'flux-system', 'flux-system', (o) => {
        o.status = {...o.status, artifact: {...(o.status?.artifact as object), revision: OLD}}
      })
      const r = await waiting
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(r.stdout.split('\n')[0]).to.equal('healthy: 1 ready')
      expect(r.stderr).to.contain('unhealthy: 1 stale')
    })

    it('--wait: a dependsOn added while waiting is read and followed where it points', async () => {
      standin.put(
        ks('platform', 'infra-x', {
          conditions: [
            cond(
              'Ready',
              'False',
              'HealthCheckFailed',
              'health check failed after 5m0s: timeout waiting for: [Deployment/platform/ingress status: InProgress]',
            ),
          ],
        }),
      )
      standin.put(
        ks('team-e', 'web', {conditions: [cond('Ready', 'Unknown', 'Progressing', 'reconciliation in progress')]}),
      )
      const waiting = run(['-n', 'team-e', '--wait', '--timeout', '4s', '--json'])
      const until = Date.now() + 20_000
      while (standin.watches().length < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 25))
      standin.update('Kustomization', 'team-e', 'web', (o) => {
        o.spec = {...o.spec, dependsOn: [{name: 'infra-x', namespace: 'platform'}]}
        o.status = {...o.status, conditions: waitingOn('infra-x', 'platform')}
      })
      const r = await waiting
      expect(r.exitCode).to.equal(3)
      const doc = r.json<StatusCommandResult>()
      expect(doc.timedOut).to.equal(true)
      expect(doc.objects.map((o) => `${o.name} ${o.health}`)).to.deep.equal(['web waiting'])
      expect(doc.objects[0]?.cause).to.include({
        namespace: 'platform',
        name: 'infra-x',
        health: 'failed',
        reason: 'HealthCheckFailed',
      })
      expect(standin.listCalls('kustomizations').map((c) => c.path)).to.include(
        '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/platform/kustomizations',
      )
    })

    it('a HelmRelease in its own namespace, its chart source failing in flux-system: -n names the HelmChart', async () => {
      standin.put({
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'HelmRepository',
        metadata: {name: 'podinfo', namespace: 'flux-system', generation: 1},
        spec: {url: 'https://stefanprodan.github.io/podinfo', interval: '1h'},
        status: {observedGeneration: 1, conditions: [cond('Ready', 'True', 'Succeeded', 'stored artifact')]},
      })
      standin.put({
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'HelmChart',
        metadata: {name: 'team-d-podinfo', namespace: 'flux-system', generation: 1},
        spec: {chart: 'podinfo', version: '9.*', sourceRef: {kind: 'HelmRepository', name: 'podinfo'}},
        status: {
          observedGeneration: 1,
          conditions: [
            cond('Stalled', 'True', 'InvalidChartReference', "no 'podinfo' chart with version matching '9.*' found"),
            cond('Ready', 'False', 'InvalidChartReference', "no 'podinfo' chart with version matching '9.*' found"),
          ],
        },
      })
      standin.put({
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        metadata: {name: 'podinfo', namespace: 'team-d', generation: 1},
        spec: {
          chart: {
            spec: {
              chart: 'podinfo',
              version: '9.*',
              sourceRef: {kind: 'HelmRepository', name: 'podinfo', namespace: 'flux-system'},
            },
          },
        },
        status: {
          observedGeneration: 1,
          conditions: [cond('Ready', 'False', 'ArtifactFailed', 'HelmChart flux-system/team-d-podinfo is not ready')],
        },
      })
      const {exitCode, doc} = await json(['-n', 'team-d'])
      expect(exitCode).to.equal(3)
      expect(doc.objects.map((o) => o.name)).to.deep.equal(['podinfo'])
      expect(doc.objects[0]?.cause).to.include({
        kind: 'HelmChart',
        namespace: 'flux-system',
        name: 'team-d-podinfo',
        reason: 'InvalidChartReference',
      })
    })
  })

  describe('a failure Flux keeps retrying is a failure (§1)', () => {
    const retrying = [
      cond(
        'Reconciling',
        'True',
        'ProgressingWithRetry',
        `Building manifests for revision ${NEW} with a timeout of 5m0s`,
      ),
      cond(
        'Ready',
        'False',
        'BuildFailed',
        "kustomize build failed: accumulating resources: accumulation err='accumulating resources from 'notifications.yaml': no such file or directory'",
      ),
    ]
    beforeEach(async () => {
      await start(readFixture('healthy.yaml'))
      standin.update('Kustomization', 'flux-system', 'infra-configs', (o) => {
        o.status = {...o.status, conditions: retrying}
      })
    })

    it('failed with the real reason and message, marked retrying; exit 3', async () => {
      const r = await run([])
      expect(r.exitCode).to.equal(3)
      expect(r.stdout.split('\n')[0]).to.equal('unhealthy: 1 failed, 24 ready')
      expect(r.stdout).to.match(
        /Kustomization\/flux-system\/infra-configs\s+failed.*BuildFailed \(retrying\): kustomize build failed/,
      )
      expect(r.stdout).to.not.contain('Building manifests')
      const {doc} = await json([])
      expect(doc.objects.find((o) => o.name === 'infra-configs')).to.deep.include({
        health: 'failed',
        reason: 'BuildFailed',
        retrying: true,
      })
    })

    it('--reconcile --yes requests it, its source first, and waits until Flux has handled it', async () => {
      const healthy = readFixture('healthy.yaml').find(
        (o) => o.kind === 'Kustomization' && o.metadata.name === 'infra-configs',
      ) as KubeObject
      standin.onPatch = (obj, s) => {
        const at = obj.metadata.annotations?.['reconcile.fluxcd.io/requestedAt']
        if (!at) return
        setTimeout(() => {
          const status = obj.kind === 'Kustomization' ? healthy.status : obj.status
          s.put({...obj, status: {...status, lastHandledReconcileAt: at}})
        }, 20)
      }
      const r = await run(['--reconcile', '--yes', '--timeout', '20s'])
      expect(r.exitCode, r.stderr + r.stdout).to.equal(0)
      expect(standin.patches().map((p) => p.path.split('/').slice(-3).join('/'))).to.deep.equal([
        'flux-system/gitrepositories/flux-system',
        'flux-system/kustomizations/infra-configs',
      ])
      expect(r.stderr).to.match(/2\s+Kustomization\/flux-system\/infra-configs\s+failed \(retrying\)/)
    })
  })

  describe('--wait judges what it keeps ready by the rules across objects', () => {
    it('--wait: a Kustomization seen ready is not done while it applies its source’s new revision', async () => {
      const NEWER = 'main@sha1:9d9d9d9d9d9d9d9d9d9d9d9d9d9d9d9d9d9d9d9d'
      await start(readFixture('healthy.yaml'))
      standin.put(ks('team-g', 'apps'))
      standin.put(
        ks('team-f', 'api', {conditions: [cond('Ready', 'False', 'HealthCheckFailed', 'timeout waiting for: [...]')]}),
      )
      const waiting = run(['--wait', '--timeout', '4s', '--json'])
      const until = Date.now() + 20_000
      while (standin.watches().length < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 25))
      // A new commit: the source has it, team-g/apps (seen ready at the old one) is applying it and
      // never finishes here; team-f/api recovers at the new one.
      standin.update('GitRepository', 'flux-system', 'flux-system', (o) => {
        o.status = {...o.status, artifact: {...(o.status?.artifact as object), revision: NEWER}}
      })
      standin.update('Kustomization', 'team-g', 'apps', (o) => {
        o.status = {
          ...o.status,
          lastAppliedRevision: OLD,
          conditions: [
            cond('Reconciling', 'True', 'Progressing', `Building manifests for revision ${NEWER}`),
            ...READY,
          ],
        }
      })
      standin.update('Kustomization', 'team-f', 'api', (o) => {
        o.status = {...o.status, lastAppliedRevision: NEWER, conditions: READY}
      })
      const r = await waiting
      expect(r.exitCode, r.stdout).to.equal(3)
      const doc = r.json<StatusCommandResult>()
      expect(doc.timedOut).to.equal(true)
      expect(doc.objects.find((o) => o.name === 'apps' && o.namespace === 'team-g')).to.include({
        health: 'stale',
        reason: 'BehindSource',
      })
    })
  })

  describe('Reconciling=True/ProgressingWithRetry says an attempt failed, whatever Ready says', () => {
    it('a HelmRelease whose drift correction keeps failing (Ready=Unknown beside ProgressingWithRetry): failed, retrying; exit 3', async () => {
      await start(readFixture('healthy.yaml'))
      standin.update('HelmRelease', 'cert-manager', 'cert-manager', (o) => {
        o.spec = {...o.spec, driftDetection: {mode: 'enabled'}}
        o.status = {
          ...o.status,
          conditions: [
            cond('Reconciling', 'True', 'ProgressingWithRetry', 'correcting cluster drift'),
            cond('Ready', 'Unknown', 'Progressing', 'correcting cluster drift'),
            cond(
              'Released',
              'True',
              'InstallSucceeded',
              'Helm install succeeded for release cert-manager/cert-manager.v1',
            ),
            cond(
              'Drifted',
              'True',
              'DriftDetected',
              'Cluster state of release cert-manager/cert-manager.v1 has drifted from the desired state:\nDeployment/cert-manager/cert-manager changed (0 additions, 1 changes, 0 removals)',
            ),
          ],
        }
      })
      const {exitCode, doc} = await json(['--kind', 'helmrelease'])
      expect(exitCode).to.equal(3)
      expect(doc.summary).to.equal('unhealthy: 1 failed, 2 ready')
      expect(doc.objects.find((o) => o.name === 'cert-manager')).to.include({
        health: 'failed',
        reason: 'ProgressingWithRetry',
        message: 'correcting cluster drift',
        retrying: true,
      })
    })
  })

  describe('a Ready=True is the current truth only for the spec and chart it was written for', () => {
    it('Ready=True stamped with the new generation by the patch helper, status.observedGeneration behind: stale, exit 3', async () => {
      // kustomize-controller finished generation 1 of jhub while apps.yaml changed its path (generation 2):
      // finalizeStatus set status.observedGeneration from the object it reconciled, and the conditions patch
      // (fluxcd/pkg runtime/patch re-reads the object; conditions.Set stamps its generation) wrote Ready at 2.
      await start(readFixture('healthy.yaml'))
      standin.update('Kustomization', 'flux-system', 'jhub', (o) => {
        o.metadata.generation = 2
        o.spec = {...o.spec, path: './apps/staging/jupyterhub-v2'}
        const status = o.status as {observedGeneration: number; conditions: Array<{observedGeneration: number}>}
        status.observedGeneration = 1
        for (const c of status.conditions) c.observedGeneration = 2
      })
      for (const args of [[], ['--kind', 'kustomization', '-n', 'flux-system']]) {
        const {exitCode, doc} = await json(args)
        expect(exitCode, args.join(' ')).to.equal(3)
        expect(doc.summary).to.match(/^unhealthy: 1 stale, \d+ ready$/)
        expect(doc.objects.find((o) => o.name === 'jhub')).to.include({
          health: 'stale',
          reason: 'GenerationNotReady',
          message: 'generation 2 not yet reconciled: Ready=True is for generation 1 (status.observedGeneration)',
        })
      }
    })

    it('a HelmRelease still at the chart version its HelmChart has moved on from (version: 1.17.x): stale, with or without --kind', async () => {
      await start(readFixture('healthy.yaml'))
      standin.update('HelmChart', 'cert-manager', 'cert-manager-cert-manager', (o) => {
        o.status = {
          ...o.status,
          artifact: {revision: '1.17.3', lastUpdateTime: '2026-11-30T10:00:00Z'},
          conditions: [
            cond('Ready', 'True', 'ChartPullSucceeded', "pulled 'cert-manager' chart with version '1.17.3'"),
          ],
        }
      })
      for (const args of [[], ['--kind', 'helmrelease'], ['-n', 'cert-manager', '--kind', 'hr']]) {
        const {exitCode, doc} = await json(args)
        expect(exitCode, args.join(' ')).to.equal(3)
        expect(doc.objects.find((o) => o.kind === 'HelmRelease' && o.name === 'cert-manager')).to.include({
          health: 'stale',
          reason: 'BehindSource',
          message: 'released chart version 1.17.2, HelmChart/cert-manager-cert-manager is at 1.17.3',
        })
      }
    })

    it('a HelmChart not yet rebuilt from its HelmRepository’s new index: stale, also under --kind helmchart', async () => {
      const INDEX_OLD = `sha256:${'3b'.repeat(32)}`
      const INDEX_NEW = `sha256:${'4c'.repeat(32)}`
      await start(readFixture('healthy.yaml'))
      standin.update('HelmRepository', 'cert-manager', 'cert-manager-repo', (o) => {
        o.status = {...o.status, artifact: {revision: INDEX_NEW}}
      })
      standin.update('HelmChart', 'cert-manager', 'cert-manager-cert-manager', (o) => {
        o.status = {...o.status, observedSourceArtifactRevision: INDEX_OLD}
      })
      for (const args of [[], ['--kind', 'helmchart']]) {
        const {exitCode, doc} = await json(args)
        expect(exitCode, args.join(' ')).to.equal(3)
        expect(doc.objects.find((o) => o.kind === 'HelmChart' && o.namespace === 'cert-manager')).to.include({
          health: 'stale',
          reason: 'BehindSource',
          message: `built from ${INDEX_OLD}, source HelmRepository/cert-manager-repo is at ${INDEX_NEW}`,
        })
      }
    })

    it('--wait: a GitRepository seen ready, then given a new spec, is not done while source-controller processes it', async () => {
      await start(readFixture('healthy.yaml'))
      standin.put(
        ks('team-f', 'api', {conditions: [cond('Ready', 'False', 'HealthCheckFailed', 'timeout waiting for: [...]')]}),
      )
      const waiting = run(['--wait', '--timeout', '4s', '--json'])
      const until = Date.now() + 20_000
      while (standin.watches().length < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 25))
      // The branch changes (generation 2): source-controller marks Reconciling=True at 2 and keeps the
      // old generation's Ready=True (ProgressiveStatus) until it has the new branch; here it never does.
      standin.update('GitRepository', 'flux-system', 'flux-system', (o) => {
        o.metadata.generation = 2
        o.spec = {...o.spec, ref: {branch: 'release'}}
        const status = o.status as {conditions: Array<ReturnType<typeof cond>>}
        status.conditions = [
          cond('Reconciling', 'True', 'Progressing', 'processing object: new generation 1 -> 2', 2),
          ...status.conditions,
        ]
      })
      // Everything else recovers.
      standin.update('Kustomization', 'team-f', 'api', (o) => {
        o.status = {...o.status, conditions: READY}
      })
      const r = await waiting
      expect(r.exitCode, r.stdout).to.equal(3)
      const doc = r.json<StatusCommandResult>()
      expect(doc.timedOut).to.equal(true)
      expect(doc.summary).to.match(/^unhealthy: 1 progressing, \d+ ready$/)
      expect(doc.objects.find((o) => o.kind === 'GitRepository')).to.include({
        health: 'progressing',
        reason: 'Progressing',
        message: 'processing object: new generation 1 -> 2',
      })
    })
  })

  describe('after --reconcile, a request not yet handled is progressing, and only that', () => {
    it('nothing to request: no wait, so no timedOut or elapsedMs (README JSON)', async () => {
      await start(readFixture('healthy.yaml'))
      const r = await run(['--reconcile', '--yes', '--json'])
      expect(r.exitCode).to.equal(0)
      const doc = r.json<StatusCommandResult>()
      expect(doc.reconcile).to.deep.equal({requestedAt: null, patched: [], refused: []})
      expect(doc).to.not.have.property('timedOut')
      expect(doc).to.not.have.property('elapsedMs')
      expect(standin.patches()).to.have.length(0)
    })

    it('no "retrying" marker and no root cause left over from the failure before the request', async () => {
      await start(readFixture('healthy.yaml'))
      standin.update('Kustomization', 'flux-system', 'infra-configs', (o) => {
        o.status = {
          ...o.status,
          conditions: [
            cond('Reconciling', 'True', 'ProgressingWithRetry', `Building manifests for revision ${NEW}`),
            cond('Ready', 'False', 'BuildFailed', 'kustomize build failed: no such file or directory'),
          ],
        }
      })
      standin.put(
        ks('team-c', 'web', {
          dependsOn: [{name: 'infra-configs', namespace: 'flux-system'}],
          conditions: waitingOn('infra-configs'),
        }),
      )
      // No controller handles the request here: the wait times out with the requested objects progressing.
      const r = await run(['--reconcile', '--yes', '--timeout', '1s', '--json'])
      expect(r.exitCode).to.equal(3)
      const doc = r.json<StatusCommandResult>()
      expect(doc.reconcile?.patched.map((t) => t.name)).to.include('infra-configs')
      const infra = doc.objects.find((o) => o.name === 'infra-configs')
      expect(infra).to.include({health: 'progressing', reason: 'ReconcileRequested'})
      expect(infra).to.not.have.property('retrying')
      // The waiter was not requested: it still waits, and its root cause (down its dependsOn and then the
      // source, both requested) is named as it is now, not as it failed before the request.
      const web = doc.objects.find((o) => o.name === 'web')
      expect(web).to.include({health: 'waiting'})
      expect(web?.cause).to.include({health: 'progressing', reason: 'ReconcileRequested'})
    })
  })

  describe('the controllers decide the verdict too (§5)', () => {
    it('HelmReleases exist, helm-controller is absent: unhealthy, naming it', async () => {
      await start(readFixture('healthy.yaml'))
      standin.remove('Deployment', 'flux-system', 'helm-controller')
      const {exitCode, doc} = await json([])
      expect(exitCode).to.equal(3)
      expect(doc.summary).to.equal('unhealthy: helm-controller missing, 25 ready')
      expect(doc.controllers.find((c) => c.name === 'helm-controller')).to.deep.include({
        ready: false,
        missing: true,
        message: 'missing: no Deployment in flux-system, needed by 3 objects (HelmRelease)',
      })
      const text = (await run([])).stdout
      expect(text).to.contain('controllers: 3 available, 1 missing')
      expect(text).to.contain('helm-controller: missing: no Deployment in flux-system')
    })

    it('image objects exist, the image controllers are absent: both named', async () => {
      await start(readFixture('healthy.yaml'), {extraCrds: [IMAGE_CRDS]})
      const image = (kind: string, spec: Record<string, unknown>): KubeObject => ({
        apiVersion: 'image.toolkit.fluxcd.io/v1beta2',
        kind,
        metadata: {name: 'podinfo', namespace: 'flux-system', generation: 1},
        spec,
        status: {observedGeneration: 1, conditions: [cond('Ready', 'True', 'Succeeded', 'ok')]},
      })
      standin.put(image('ImageRepository', {image: 'ghcr.io/stefanprodan/podinfo', interval: '5m'}))
      standin.put(image('ImagePolicy', {imageRepositoryRef: {name: 'podinfo'}, policy: {semver: {range: '6.x'}}}))
      standin.put(
        image('ImageUpdateAutomation', {sourceRef: {kind: 'GitRepository', name: 'flux-system'}, interval: '30m'}),
      )
      const {exitCode, doc} = await json([])
      expect(exitCode).to.equal(3)
      expect(doc.summary).to.equal(
        'unhealthy: image-automation-controller missing, image-reflector-controller missing, 28 ready',
      )
      // Asked only about image policies: their controller is what matters.
      const policies = await json(['--kind', 'imagepolicy'])
      expect(policies.doc.summary).to.equal('unhealthy: image-reflector-controller missing, 1 ready')
    })

    it('Flux CRDs but no controllers at all: not healthy, even with no objects', async () => {
      await start([])
      const {exitCode, doc} = await json([])
      expect(exitCode).to.equal(3)
      expect(doc.verdict).to.equal('unhealthy')
      expect(doc.summary).to.equal('unhealthy: no Flux controllers in flux-system, no Flux objects')
      expect((await run([])).stdout).to.contain(
        'controllers: none found in flux-system (Flux runs elsewhere? pass --flux-namespace)',
      )
    })

    it('controllers found whatever their labels, by name, in --flux-namespace (as flux check)', async () => {
      const objects = readFixture('healthy.yaml').map((o) =>
        o.kind === 'Deployment' ? {...o, metadata: {...o.metadata, namespace: 'flux', labels: {}}} : o,
      )
      await start(objects)
      const elsewhere = await json([])
      expect(elsewhere.exitCode).to.equal(3)
      expect(elsewhere.doc.summary).to.match(/^unhealthy: no Flux controllers in flux-system, 25 ready$/)
      const there = await json(['--flux-namespace', 'flux'])
      expect(there.exitCode, there.stderr).to.equal(0)
      expect(there.doc.controllers.map((c) => c.name)).to.deep.equal([
        'helm-controller',
        'kustomize-controller',
        'notification-controller',
        'source-controller',
      ])
      expect(there.doc.fluxNamespace).to.equal('flux')
      expect(standin.listCalls('deployments').at(-1)?.path).to.equal('/apis/apps/v1/namespaces/flux/deployments')
      expect(standin.listCalls('deployments').at(-1)?.query.labelSelector).to.equal(undefined)
    })
  })

  describe('an empty answer to an unanswerable question is not green (§6)', () => {
    beforeEach(() => start(readFixture('healthy.yaml')))

    for (const kind of ['imagepolicy', 'ImageRepository', 'imageupdateautomations']) {
      it(`--kind ${kind} on a cluster without the image CRDs: exit 2 KIND_NOT_SERVED, nothing listed`, async () => {
        const r = await run(['--kind', kind, '--json'])
        expect(r.exitCode).to.equal(2)
        const error = r.json<{error: {code: string; message: string; hint: string}}>().error
        expect(error.code).to.equal('KIND_NOT_SERVED')
        expect(error.message).to.match(/does not serve Image/)
        expect(standin.listCalls()).to.have.length(0)
      })
    }

    it('-n naming a namespace that does not exist: exit 2, said plainly, nothing listed', async () => {
      const r = await run(['-n', 'team-zz'])
      expect(r.exitCode).to.equal(2)
      expect(r.stderr).to.contain('Namespace "team-zz" does not exist on the cluster of context "piksel-staging"')
      expect(r.stdout).to.not.contain('healthy')
      const j = await run(['-n', 'team-zz', '--json'])
      expect(j.json<{error: {code: string}}>().error.code).to.equal('NAMESPACE_NOT_FOUND')
      expect(standin.listCalls()).to.have.length(0)
    })

    // An unset variable in CI (`--kind "$KINDS"`, `-n "$NS"`) asks no question: refused, never answered green.
    const empties: Array<[string[], string, string]> = [
      [['--kind', ''], 'UNKNOWN_KIND', '--kind names no kind.'],
      [['--kind', ',,'], 'UNKNOWN_KIND', '--kind names no kind.'],
      [['-n', ''], 'INVALID_FLAG', '-n/--namespace is empty.'],
      [['--flux-namespace', ''], 'INVALID_FLAG', '--flux-namespace is empty.'],
      [['-n', 'Team_B'], 'INVALID_FLAG', '-n/--namespace "Team_B" is not a namespace name.'],
    ]
    for (const [args, code, message] of empties) {
      it(`${args.map((a) => (a ? a : '""')).join(' ')}: exit 2 ${code} before the cluster is read`, async () => {
        const r = await run([...args, '--json'])
        expect(r.exitCode).to.equal(2)
        expect(r.json<{error: {code: string; message: string}}>().error).to.include({code, message})
        expect(standin.requests).to.have.length(0)
      })
    }

    it('--wait --timeout 1000h, longer than a timer can wait (it would give up at once): exit 2 before reading', async () => {
      const r = await run(['--wait', '--timeout', '1000h', '--json'])
      expect(r.exitCode).to.equal(2)
      expect(r.json<{error: {code: string; message: string}}>().error).to.include({
        code: 'BAD_DURATION',
        message: '--timeout "1000h" is longer than 596h (the longest a timer can wait).',
      })
      expect(standin.requests).to.have.length(0)
    })

    for (const selector of ['a b', 'team in a,b', 'team=a=b']) {
      it(`-l "${selector}", which the API server cannot parse: exit 2 INVALID_FLAG naming it, nothing listed`, async () => {
        const r = await run(['-l', selector, '--json'])
        expect(r.exitCode, r.stdout).to.equal(2)
        const error = r.json<{error: {code: string; message: string; hint: string}}>().error
        expect(error.code).to.equal('INVALID_FLAG')
        expect(error.message).to.contain(`-l/--selector "${selector}" is not a label selector: unable to parse`)
        expect(error.hint).to.contain('-l team=a')
      })
    }

    it('-n naming a namespace that exists but holds no Flux objects: nothing matched, said plainly, exit 3', async () => {
      standin.put({apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'empty'}})
      const {exitCode, doc} = await json(['-n', 'empty'])
      expect(exitCode).to.equal(3)
      expect(doc.verdict).to.equal('unhealthy')
      expect(doc.summary).to.equal('unhealthy: nothing matched -n empty')
      expect(doc.selection).to.equal('-n empty')
    })

    it('a dependsOn cycle a <-> b: reported as a cycle naming both, neither its own root cause', async () => {
      standin.put(ks('flux-system', 'a', {dependsOn: [{name: 'b'}], conditions: waitingOn('b')}))
      standin.put(ks('flux-system', 'b', {dependsOn: [{name: 'a'}], conditions: waitingOn('a')}))
      const {exitCode, doc} = await json([])
      expect(exitCode).to.equal(3)
      for (const name of ['a', 'b']) {
        const o = doc.objects.find((x) => x.name === name)
        expect(o).to.include({health: 'failed', reason: 'DependencyCycle'})
        expect(o?.message).to.contain('Kustomization flux-system/a -> flux-system/b -> flux-system/a')
        expect(o?.cause).to.equal(undefined)
      }
    })

    it('a longer cycle (x -> y -> z -> x), and what waits on it points into it', async () => {
      standin.put(ks('flux-system', 'x', {dependsOn: [{name: 'y'}], conditions: waitingOn('y')}))
      standin.put(ks('flux-system', 'y', {dependsOn: [{name: 'z'}], conditions: waitingOn('z')}))
      standin.put(ks('flux-system', 'z', {dependsOn: [{name: 'x'}], conditions: waitingOn('x')}))
      standin.put(
        ks('team-b', 'after', {dependsOn: [{name: 'z', namespace: 'flux-system'}], conditions: waitingOn('z')}),
      )
      const {doc} = await json([])
      for (const name of ['x', 'y', 'z']) {
        const o = doc.objects.find((k) => k.name === name)
        expect(o?.message, name).to.contain('flux-system/x -> flux-system/y -> flux-system/z -> flux-system/x')
        expect(o?.cause).to.equal(undefined)
      }
      expect(doc.objects.find((o) => o.name === 'after')?.cause).to.include({name: 'z', reason: 'DependencyCycle'})
      // Filtered to the waiting one, the same answer.
      const filtered = await json(['-n', 'team-b'])
      expect(filtered.doc.objects[0]?.cause).to.include({name: 'z', reason: 'DependencyCycle'})
    })
  })

  describe('every kubeconfig kubectl reads, and --deep counts (§7)', () => {
    it('a plain http:// server without insecure-skip-tls-verify (kubectl proxy) is read as kubectl reads it', async () => {
      await start(readFixture('healthy.yaml'))
      const kubeconfig = standin.writeKubeconfig(dir, {file: 'proxy', plainHttp: true})
      const r = await runPiksel(['status', '--kubeconfig', kubeconfig, '--json'], {env})
      expect(r.exitCode, r.stdout + r.stderr).to.equal(0)
      expect(r.json<StatusCommandResult>().server).to.equal(standin.url)
      // Watches go through client-node's own request path: follow one to healthy over the same file.
      const before = standin.get('Kustomization', 'flux-system', 'jhub') as KubeObject
      standin.update('Kustomization', 'flux-system', 'jhub', (o) => {
        o.status = {...o.status, conditions: [cond('Ready', 'Unknown', 'Progressing', 'reconciliation in progress')]}
      })
      const waiting = runPiksel(['status', '--kubeconfig', kubeconfig, '--wait', '--timeout', '20s'], {env})
      const until = Date.now() + 20_000
      while (standin.watches().length < 10 && Date.now() < until) await new Promise((r) => setTimeout(r, 25))
      standin.put(before)
      const w = await waiting
      expect(w.exitCode, w.stderr).to.equal(0)
      expect(w.stderr).to.contain('unhealthy: 1 progressing')
      expect(standin.watches().length).to.be.at.least(10)
    })

    it('a server written without a scheme (`server: 127.0.0.1:8001`) is read as kubectl reads it: plain HTTP', async () => {
      await start(readFixture('healthy.yaml'))
      const kubeconfig = join(dir, 'no-scheme')
      writeFileSync(
        kubeconfig,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters:',
          '- name: proxy',
          `  cluster: {server: "127.0.0.1:${standin.port}"}`,
          'users:',
          '- name: me',
          '  user: {token: t}',
          'contexts:',
          '- name: proxy',
          '  context: {cluster: proxy, user: me}',
          'current-context: proxy',
          '',
        ].join('\n'),
      )
      const r = await runPiksel(['status', '--kubeconfig', kubeconfig, '--json'], {env})
      expect(r.exitCode, r.stdout + r.stderr).to.equal(0)
      expect(r.json<StatusCommandResult>().server).to.equal(standin.url)
      // Watches (client-node's own request path) too.
      standin.update('Kustomization', 'flux-system', 'jhub', (o) => {
        o.status = {...o.status, conditions: [cond('Ready', 'Unknown', 'Progressing', 'reconciliation in progress')]}
      })
      const w = await runPiksel(['status', '--kubeconfig', kubeconfig, '--wait', '--timeout', '2s', '--json'], {env})
      expect(w.exitCode, w.stderr).to.equal(3)
      expect(w.json<StatusCommandResult>().timedOut).to.equal(true)
      expect(standin.watches().length).to.be.at.least(1)
    })

    it('a cluster reached through its proxy-url (a bastion forward proxy), for lists and watches alike', async () => {
      await start(readFixture('healthy.yaml'))
      // The server's name resolves nowhere: only the proxy (absolute-URI requests and CONNECT) reaches the stand-in.
      const through: string[] = []
      const {createServer, request} = await import('node:http')
      const {connect} = await import('node:net')
      const proxy = createServer((req, res) => {
        through.push(req.method ?? '')
        const target = new URL(req.url ?? '/')
        const upstream = request(
          {
            host: '127.0.0.1',
            port: standin.port,
            path: target.pathname + target.search,
            method: req.method,
            headers: req.headers,
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers)
            answer.pipe(res)
          },
        )
        req.pipe(upstream)
      })
      proxy.on('connect', (_req, socket, head) => {
        through.push('CONNECT')
        const upstream = connect(standin.port, '127.0.0.1', () => {
          socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
          upstream.write(head)
          upstream.pipe(socket)
          socket.pipe(upstream)
        })
        upstream.on('error', () => socket.destroy())
        socket.on('error', () => upstream.destroy())
      })
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
      try {
        const kubeconfig = join(dir, 'proxied')
        writeFileSync(
          kubeconfig,
          [
            'apiVersion: v1',
            'kind: Config',
            'clusters:',
            '- name: private',
            '  cluster:',
            `    server: http://kube.internal.invalid:${standin.port}`,
            `    proxy-url: http://127.0.0.1:${(proxy.address() as {port: number}).port}`,
            'users:',
            '- name: me',
            '  user: {token: t}',
            'contexts:',
            '- name: private',
            '  context: {cluster: private, user: me}',
            'current-context: private',
            '',
          ].join('\n'),
        )
        const r = await runPiksel(['status', '--kubeconfig', kubeconfig, '--json'], {env})
        expect(r.exitCode, r.stdout + r.stderr).to.equal(0)
        expect(through.length, 'connections through the proxy').to.be.greaterThan(0)
        // --wait: lists, then watches (client-node's fetch path), all through the proxy.
        standin.update('Kustomization', 'flux-system', 'jhub', (o) => {
          o.status = {...o.status, conditions: [cond('Ready', 'Unknown', 'Progressing', 'reconciliation in progress')]}
        })
        const listed = through.length
        // Watches aborted through client-node's proxy dispatcher keep their tunnel until the server ends them
        // (timeoutSeconds = the request timeout): a short one keeps this test short.
        const w = await runPiksel(['status', '--kubeconfig', kubeconfig, '--wait', '--timeout', '2s', '--json'], {
          env: {...env, PIKSEL_REQUEST_TIMEOUT: '3s'},
        })
        expect(w.exitCode, w.stderr).to.equal(3)
        expect(w.json<StatusCommandResult>().timedOut).to.equal(true)
        expect(standin.watches().length).to.be.greaterThan(0)
        expect(through.length).to.be.greaterThan(listed)
      } finally {
        proxy.closeAllConnections()
        proxy.close()
      }
    })

    it('--deep counts say what they are: failing, progressing, unknown', async () => {
      await start(readFixture('healthy.yaml', 'workloads.yaml'))
      standin.update('Deployment', 'jupyterhub', 'hub', (o) => {
        o.status = {...o.status, availableReplicas: 0}
      })
      standin.update('Deployment', 'argo', 'argo-server', (o) => {
        o.status = {...o.status, availableReplicas: 0}
      })
      standin.update('Deployment', 'jupyterhub', 'proxy', (o) => {
        o.status = {...o.status, updatedReplicas: 0}
      })
      standin.remove('Deployment', 'ows', 'datacube-ows')
      const r = await run(['--deep'])
      expect(r.exitCode).to.equal(3)
      expect(r.stdout.split('\n')[0]).to.equal(
        'unhealthy: 2 workloads failing, 1 workload progressing, 1 workload unknown, 25 ready',
      )
    })
  })

  describe('--deep: a workload its controller has not processed yet is not rolled out', () => {
    it('a DaemonSet just applied (no status yet, so no desiredNumberScheduled): progressing, not 0/0 available', async () => {
      await start(readFixture('healthy.yaml', 'workloads.yaml'))
      standin.update('DaemonSet', 'monitoring', 'node-exporter', (o) => {
        o.metadata.generation = 1
        delete o.status
      })
      const {exitCode, doc} = await json(['--deep'])
      expect(exitCode).to.equal(3)
      expect(doc.summary).to.equal('unhealthy: 1 workload progressing, 25 ready')
      expect(doc.workloads).to.deep.equal([
        {
          kind: 'DaemonSet',
          namespace: 'monitoring',
          name: 'node-exporter',
          health: 'progressing',
          message: 'generation 1 not yet observed',
          kustomization: 'flux-system/monitoring',
        },
      ])
    })
  })

  describe('readable in an 80- and a 60-column terminal (§7, real pseudo-terminal)', () => {
    const LONG = 'kube-prometheus-stack-with-a-long-release-name'
    beforeEach(async () => {
      await start(readFixture('unhealthy.yaml'))
      standin.put({
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        metadata: {name: LONG, namespace: 'monitoring-observability', generation: 2},
        spec: {
          chart: {
            spec: {
              chart: 'kube-prometheus-stack',
              sourceRef: {kind: 'HelmRepository', name: 'jupyterhub', namespace: 'jupyterhub'},
            },
          },
        },
        status: {
          observedGeneration: 1,
          conditions: [
            cond('Reconciling', 'True', 'ProgressingWithRetry', 'retrying after 5m0s', 2),
            cond(
              'Ready',
              'False',
              'UpgradeFailed',
              `Helm upgrade failed for release monitoring-observability/${LONG} with chart kube-prometheus-stack@58.2.1: context deadline exceeded while waiting for the resources to become ready`,
              2,
            ),
          ],
        },
      })
    })

    for (const columns of [80, 60]) {
      it(`${columns} columns: nothing wider, the verdict whole, every attention row with object, health and message start`, async function () {
        requireTool(this, 'script')
        const json = (await run(['--json'])).json<StatusCommandResult>()
        const command = `stty cols ${columns} rows 60; exec '${process.execPath}' '${BIN}' status`
        const child = await execa('script', ['-qfec', command, '/dev/null'], {
          env: {...env, TERM: 'dumb'},
          extendEnv: false,
          reject: false,
          timeout: 30_000,
        })
        expect(child.exitCode, String(child.stderr)).to.equal(3)
        const lines = String(child.stdout)
          .replace(/\r/g, '')
          .split('\n')
          .filter((l) => l !== '')
        for (const line of lines) expect(line.length, `"${line}"`).to.be.at.most(columns)

        const contextAt = lines.findIndex((l) => l.startsWith('context '))
        expect(
          lines
            .slice(0, contextAt)
            .map((l) => l.trim())
            .join(' '),
        ).to.equal(json.summary)

        const section = lines.slice(lines.indexOf('NEEDS ATTENTION') + 1)
        const attention = json.objects.filter((o) => o.health !== 'ready')
        expect(attention.length).to.be.greaterThan(10)
        for (const o of attention) {
          const object = `${o.kind}/${o.namespace}/${o.name}`
          const at = section.findIndex((l) => l.startsWith(object.slice(0, columns)))
          expect(at, `${object} at ${columns} columns:\n${section.join('\n')}`).to.be.at.least(0)
          const block = section
            .slice(at, at + 4)
            .join(' ')
            .replace(/\s+/g, ' ')
          expect(block, object).to.contain(object.slice(columns))
          expect(block, object).to.match(new RegExp(`\\b${o.health}\\b`))
          const start = o.cause ? 'root cause:' : `${o.reason}${o.retrying ? ' (retrying)' : ''}`
          expect(block.toLowerCase(), `${object}: "${start}"`).to.contain(start.toLowerCase())
        }
      })
    }

    it('60 columns, --reconcile: the verdict, the plan and the notes on stderr are no wider either', async function () {
      requireTool(this, 'script')
      const command = `stty cols 60 rows 60; exec '${process.execPath}' '${BIN}' status --reconcile --yes --timeout 1s`
      const child = await execa('script', ['-qfec', command, '/dev/null'], {
        env: {...env, TERM: 'dumb'},
        extendEnv: false,
        reject: false,
        timeout: 30_000,
      })
      expect(child.exitCode, String(child.stdout)).to.equal(3)
      const screen = String(child.stdout)
      expect(screen).to.contain('Will request reconciliation')
      expect(screen).to.contain('Requested at ')
      // The progress line is rewritten in place (\r, erase line): each version of it counts as a line.
      const lines = stripVTControlCharacters(screen)
        .split(/\r\n|\r|\n/)
        .filter((l) => l !== '')
      for (const line of lines) expect(line.length, `"${line}"`).to.be.at.most(60)
    })
  })
})
