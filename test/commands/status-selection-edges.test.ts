/**
 * `piksel status` with a selection, at its edges (stand-in): objects that come to match while
 * `--wait` follows, sources in other namespaces, chartRefs, OCI HelmRepositories, dependsOn
 * chains and cycles across the selection, suspended and missing dependencies.
 */
import {expect} from 'chai'

import type {StatusCommandResult} from '../../src/commands/status.ts'
import type {KubeStandin} from '../support/kube-standin.ts'
import {type KubeObject, readFixture} from '../support/kube-standin.ts'
import {runStatus, startStatusCluster, statusJson, until} from '../support/status-cli.ts'

const REV = 'main@sha1:4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b'
const T = '2026-11-30T08:30:00Z'
const cond = (type: string, status: string, reason: string, message: string) => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: T,
  observedGeneration: 1,
})
const ns = (name: string): KubeObject => ({apiVersion: 'v1', kind: 'Namespace', metadata: {name}})

/** A GitRepository as source-controller writes it: ready at REV, or failing a fetch being retried. */
function gitRepo(namespace: string, name: string, failing = false): KubeObject {
  const ok = [cond('Ready', 'True', 'Succeeded', `stored artifact for revision '${REV}'`)]
  const bad = [
    cond('FetchFailed', 'True', 'GitOperationFailed', 'ssh: handshake failed'),
    cond('Reconciling', 'True', 'ProgressingWithRetry', 'GitOperationFailed: retrying'),
    cond('Ready', 'False', 'GitOperationFailed', 'ssh: handshake failed'),
    cond('ArtifactInStorage', 'True', 'Succeeded', `stored artifact for revision '${REV}'`),
  ]
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: {name, namespace, generation: 1},
    spec: {interval: '1m', url: `https://github.com/piksel-ina/${name}`, ref: {branch: 'main'}},
    status: {observedGeneration: 1, artifact: {revision: REV}, conditions: failing ? bad : ok},
  }
}

/** A Kustomization Ready=True at REV, built from a GitRepository (maybe in another namespace). */
function ks(
  namespace: string,
  name: string,
  source: {name: string; namespace?: string},
  labels: Record<string, string> = {},
  dependsOn: Array<{name: string; namespace?: string}> = [],
): KubeObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: {name, namespace, generation: 1, labels},
    spec: {
      interval: '10m',
      path: `./apps/${name}`,
      prune: true,
      sourceRef: {kind: 'GitRepository', ...source},
      ...(dependsOn.length > 0 ? {dependsOn} : {}),
    },
    status: {
      observedGeneration: 1,
      lastAppliedRevision: REV,
      lastAttemptedRevision: REV,
      conditions: [cond('Ready', 'True', 'ReconciliationSucceeded', `Applied revision: ${REV}`)],
    },
  }
}

/** An OCIRepository, ready at a digest or failing to pull. */
function ociRepo(namespace: string, name: string, failing = false): KubeObject {
  const revision = 'v1.2.0@sha256:8e4ce8ce4f2a9f3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b'
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1beta2',
    kind: 'OCIRepository',
    metadata: {name, namespace, generation: 1},
    spec: {interval: '5m', url: `oci://ghcr.io/piksel-ina/charts/${name}`, ref: {tag: 'v1.2.0'}},
    status: {
      observedGeneration: 1,
      artifact: {revision},
      conditions: failing
        ? [cond('Ready', 'False', 'OCIPullFailed', 'failed to pull artifact: 401 Unauthorized')]
        : [cond('Ready', 'True', 'Succeeded', `stored artifact for digest '${revision}'`)],
    },
  }
}

/** A HelmRelease Ready=True, its chart from `chart` (a template) or `chartRef`. */
function hr(
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
  labels: Record<string, string> = {},
): KubeObject {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: {name, namespace, generation: 1, labels},
    spec: {interval: '10m', ...spec},
    status: {
      observedGeneration: 1,
      conditions: [
        cond('Ready', 'True', 'UpgradeSucceeded', 'Helm upgrade succeeded'),
        cond('Released', 'True', 'UpgradeSucceeded', 'Helm upgrade succeeded'),
      ],
    },
  }
}

/** A HelmChart, ready (built at version 1.0.0), from a source. */
function helmChart(namespace: string, name: string, sourceRef: Record<string, string>): KubeObject {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'HelmChart',
    metadata: {name, namespace, generation: 1},
    spec: {chart: 'podinfo', version: '1.0.0', sourceRef, interval: '10m'},
    status: {
      observedGeneration: 1,
      artifact: {revision: '1.0.0'},
      conditions: [cond('Ready', 'True', 'ChartPullSucceeded', "pulled 'podinfo' chart with version '1.0.0'")],
    },
  }
}

describe('piksel status: a selection at its edges (stand-in)', function () {
  this.timeout(60_000)
  let standin: KubeStandin
  let env: Record<string, string | undefined>

  async function start(objects: KubeObject[]) {
    ;({standin, env} = await startStatusCluster('piksel-status-edges-', objects))
  }
  const run = (args: string[]) => runStatus(env, args)
  const json = (args: string[]) => statusJson(env, args)

  afterEach(async () => {
    await standin?.stop()
  })

  describe('--wait: an object that comes to match', () => {
    beforeEach(() =>
      start([...readFixture('healthy.yaml'), ns('empty'), ns('other'), gitRepo('other', 'team-repo', true)]),
    )

    it('ready, but built from a failing source not read yet: not healthy until the source is read and ready', async () => {
      const waiting = run(['-l', 'app=new', '--wait', '--timeout', '3s', '--json'])
      expect(
        await until(() =>
          standin.watches().some((w) => w.path.endsWith('/kustomizations') && w.query.labelSelector === 'app=new'),
        ),
        'a watch on the selection',
      ).to.equal(true)
      await new Promise((r) => setTimeout(r, 300))
      // Slow answers: the source's list arrives after the new object's event is judged.
      standin.latencyMs = 400
      standin.put(ks('empty', 'new', {name: 'team-repo', namespace: 'other'}, {app: 'new'}))
      const r = await waiting
      const doc = r.json<StatusCommandResult>()
      expect(r.exitCode, doc.summary).to.equal(3)
      expect(doc.summary).to.equal('unhealthy: 1 ready, 1 dependency failed (GitRepository other/team-repo)')
    })
  })

  describe('--wait and --reconcile follow the dependencies', () => {
    beforeEach(() =>
      start([
        ...readFixture('healthy.yaml'),
        ns('apps'),
        ns('other'),
        gitRepo('other', 'team-repo', true),
        ks('apps', 'web', {name: 'team-repo', namespace: 'other'}, {team: 'a'}),
      ]),
    )

    it('--wait -l team=a: ends healthy once the source in another namespace recovers mid-wait', async () => {
      const waiting = run(['-l', 'team=a', '--wait', '--timeout', '20s'])
      expect(
        await until(() => standin.watches().some((w) => w.path.endsWith('/namespaces/other/gitrepositories'))),
        'a watch on the dependency',
      ).to.equal(true)
      await new Promise((r) => setTimeout(r, 300))
      standin.update('GitRepository', 'other', 'team-repo', (o) => {
        o.status = gitRepo('other', 'team-repo').status
      })
      const r = await waiting
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(r.stdout.split('\n')[0]).to.equal('healthy: 1 ready')
    })

    it('--wait -l app=new: an object that comes to match progressing is waited for until it is ready', async () => {
      const waiting = run(['-l', 'app=new', '--wait', '--timeout', '20s'])
      expect(
        await until(() => standin.watches().some((w) => w.query.labelSelector === 'app=new')),
        'a watch on the selection',
      ).to.equal(true)
      const fresh = ks('apps', 'new', {name: 'flux-system', namespace: 'flux-system'}, {app: 'new'})
      fresh.status = {conditions: [cond('Ready', 'Unknown', 'Progressing', 'Reconciliation in progress')]}
      standin.put(fresh)
      await new Promise((r) => setTimeout(r, 600))
      let done = false
      void waiting.then(() => (done = true))
      await new Promise((r) => setTimeout(r, 300))
      expect(done, 'not ended while the new object progresses').to.equal(false)
      standin.update('Kustomization', 'apps', 'new', (o) => {
        o.status = ks('apps', 'new', {name: 'flux-system'}).status
      })
      const r = await waiting
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(r.stdout.split('\n')[0]).to.equal('healthy: 1 ready')
      expect(r.stderr).to.contain('progressing')
    })

    it('--reconcile --yes -l team=a: requests the failing source in another namespace', async () => {
      const r = await run(['-l', 'team=a', '--reconcile', '--yes', '--timeout', '1s'])
      expect(standin.patches().map((p) => p.path.split('/').slice(-3).join('/'))).to.deep.equal([
        'other/gitrepositories/team-repo',
      ])
      expect(r.exitCode).to.equal(3)
    })
  })

  describe('one read: what the selection reaches counts, nothing else does', () => {
    const check = async (objects: KubeObject[], args: string[], summary: string, exitCode: number) => {
      await start([...readFixture('healthy.yaml'), ns('apps'), ns('other'), ns('charts'), ...objects])
      const r = await json(args)
      expect(r.doc.summary, r.stderr).to.equal(summary)
      expect(r.exitCode).to.equal(exitCode)
      return r.doc
    }

    it('a source in another namespace (sourceRef.namespace), failing', async () => {
      const doc = await check(
        [gitRepo('other', 'team-repo', true), ks('apps', 'web', {name: 'team-repo', namespace: 'other'}, {team: 'a'})],
        ['--kind', 'ks', '-n', 'apps', '-l', 'team=a'],
        'unhealthy: 1 ready, 1 dependency failed (GitRepository other/team-repo)',
        3,
      )
      expect(doc.dependencies?.map((d) => d.neededBy)).to.deep.equal([['Kustomization/apps/web']])
    })

    it('a failing source nothing selected uses does not count', async () => {
      await check(
        [
          gitRepo('other', 'unused', true),
          gitRepo('other', 'shared'),
          ks('apps', 'web', {name: 'shared', namespace: 'other'}, {team: 'a'}),
          ks('other', 'x', {name: 'shared'}),
        ],
        ['-l', 'team=a'],
        'healthy: 1 ready',
        0,
      )
    })

    it('chartRef to an OCIRepository in another namespace, failing', async () => {
      await check(
        [
          ociRepo('other', 'podinfo', true),
          hr('apps', 'podinfo', {chartRef: {kind: 'OCIRepository', name: 'podinfo', namespace: 'other'}}, {team: 'a'}),
        ],
        ['-l', 'team=a'],
        'unhealthy: 1 ready, 1 dependency failed (OCIRepository other/podinfo)',
        3,
      )
    })

    it('chartRef to a HelmChart whose HelmRepository fails: reached through the HelmChart', async () => {
      const repo = gitRepo('charts', 'podinfo-git', true)
      await check(
        [
          repo,
          helmChart('charts', 'podinfo', {kind: 'GitRepository', name: 'podinfo-git'}),
          hr('apps', 'podinfo', {chartRef: {kind: 'HelmChart', name: 'podinfo', namespace: 'charts'}}, {team: 'a'}),
        ],
        ['-n', 'apps'],
        'unhealthy: 1 ready, 1 dependency failed (GitRepository charts/podinfo-git)',
        3,
      )
    })

    it('a chart template from a HelmRepository of type oci (no status by design): healthy', async () => {
      const doc = await check(
        [
          {
            apiVersion: 'source.toolkit.fluxcd.io/v1',
            kind: 'HelmRepository',
            metadata: {name: 'podinfo', namespace: 'charts', generation: 1},
            spec: {type: 'oci', url: 'oci://ghcr.io/stefanprodan/charts', interval: '10m'},
            status: {},
          },
          helmChart('charts', 'apps-podinfo', {kind: 'HelmRepository', name: 'podinfo'}),
          hr('apps', 'podinfo', {
            chart: {
              spec: {
                chart: 'podinfo',
                version: '1.0.0',
                sourceRef: {kind: 'HelmRepository', name: 'podinfo', namespace: 'charts'},
              },
            },
          }),
        ],
        ['-n', 'apps'],
        'healthy: 1 ready',
        0,
      )
      expect(doc.dependencies).to.deep.equal([])
    })

    it('a dependsOn chain leaving the selection, failing at its end', async () => {
      const c = ks('other', 'c', {name: 'flux-system', namespace: 'flux-system'})
      c.status = {observedGeneration: 1, conditions: [cond('Ready', 'False', 'BuildFailed', 'kustomize build failed')]}
      await check(
        [
          ks('apps', 'a', {name: 'flux-system', namespace: 'flux-system'}, {team: 'a'}, [
            {name: 'b', namespace: 'other'},
          ]),
          ks('other', 'b', {name: 'flux-system', namespace: 'flux-system'}, {}, [{name: 'c'}]),
          c,
        ],
        ['-l', 'team=a'],
        'unhealthy: 1 ready, 1 dependency failed (Kustomization other/c)',
        3,
      )
    })

    it('a suspended dependency: unhealthy, and ignored with --ignore-suspended', async () => {
      const b = ks('other', 'b', {name: 'flux-system', namespace: 'flux-system'})
      ;(b.spec as Record<string, unknown>).suspend = true
      const objects = [
        ks('apps', 'a', {name: 'flux-system', namespace: 'flux-system'}, {team: 'a'}, [
          {name: 'b', namespace: 'other'},
        ]),
        b,
      ]
      await check(objects, ['-l', 'team=a'], 'unhealthy: 1 ready, 1 dependency suspended (Kustomization other/b)', 3)
      await standin.stop()
      await check(objects, ['-l', 'team=a', '--ignore-suspended'], 'healthy: 1 ready', 0)
    })

    it('--kind gitrepo selects the source itself', async () => {
      await check([gitRepo('other', 'team-repo', true)], ['--kind', 'gitrepo', '-n', 'other'], 'unhealthy: 1 failed', 3)
    })
    it('a dependsOn cycle crossing the selection: the selected member failed, the other a failed dependency', async () => {
      const waiting = (o: KubeObject) => {
        o.status = {
          observedGeneration: 1,
          conditions: [cond('Ready', 'False', 'DependencyNotReady', 'dependency not ready')],
        }
        return o
      }
      const a = waiting(
        ks('apps', 'a', {name: 'flux-system', namespace: 'flux-system'}, {team: 'a'}, [
          {name: 'b', namespace: 'other'},
        ]),
      )
      const b = waiting(
        ks('other', 'b', {name: 'flux-system', namespace: 'flux-system'}, {}, [{name: 'a', namespace: 'apps'}]),
      )
      const doc = await check(
        [a, b],
        ['-l', 'team=a'],
        'unhealthy: 1 failed, 1 dependency failed (Kustomization other/b)',
        3,
      )
      expect(doc.objects[0]).to.include({reason: 'DependencyCycle'})
      const all = await json([])
      expect(all.doc.counts.byHealth.failed).to.equal(2)
    })

    it('references into a namespace that does not exist: read as nothing there, judged on its own status', async () => {
      const a = ks('apps', 'a', {name: 'repo', namespace: 'ghost'}, {team: 'a'}, [{name: 'b', namespace: 'ghost2'}])
      a.status = {
        observedGeneration: 1,
        conditions: [cond('Ready', 'False', 'ArtifactFailed', "Source 'GitRepository/ghost/repo' not found")],
      }
      const doc = await check([a], ['-l', 'team=a'], 'unhealthy: 1 failed', 3)
      expect(doc.dependencies).to.deep.equal([])
    })

    it('a dependency that does not exist: the selected object waits, nothing else is named', async () => {
      const a = ks('apps', 'a', {name: 'flux-system', namespace: 'flux-system'}, {team: 'a'}, [
        {name: 'ghost', namespace: 'other'},
      ])
      a.status = {
        observedGeneration: 1,
        conditions: [
          cond(
            'Ready',
            'False',
            'DependencyNotReady',
            'unable to get \'other/ghost\' dependency: Kustomization.kustomize.toolkit.fluxcd.io "ghost" not found',
          ),
        ],
      }
      const doc = await check([a], ['-l', 'team=a'], 'unhealthy: 1 waiting', 3)
      expect(doc.dependencies).to.deep.equal([])
    })
  })
  describe('a dependsOn chain through many namespaces', () => {
    it('-n a0: the chain is read in two rounds (one namespace, then the kind whole), its failing end counts', async () => {
      const chain = [0, 1, 2, 3, 4].map((i) =>
        ks(
          `a${i}`,
          `k${i}`,
          {name: 'flux-system', namespace: 'flux-system'},
          {},
          i < 4 ? [{name: `k${i + 1}`, namespace: `a${i + 1}`}] : [],
        ),
      )
      ;(chain[4] as KubeObject).status = {
        observedGeneration: 1,
        conditions: [cond('Ready', 'False', 'BuildFailed', 'kustomize build failed')],
      }
      await start([...readFixture('healthy.yaml'), ...[0, 1, 2, 3, 4].map((i) => ns(`a${i}`)), ...chain])
      const {exitCode, doc} = await json(['-n', 'a0'])
      expect(doc.summary).to.equal('unhealthy: 1 ready, 1 dependency failed (Kustomization a4/k4)')
      expect(exitCode).to.equal(3)
      const base = '/apis/kustomize.toolkit.fluxcd.io/v1'
      expect(standin.listCalls('kustomizations').map((c) => c.path)).to.deep.equal([
        `${base}/namespaces/a0/kustomizations`,
        `${base}/namespaces/a1/kustomizations`,
        `${base}/kustomizations`,
      ])
    })
  })
})
