/**
 * `piksel status` with a selection (-n, -l, --kind), against the Kubernetes API stand-in:
 * a filter never turns a broken or stale cluster green.
 *
 * 1. What the selection is built from or waits on (its closure: sources, HelmCharts, chartRefs,
 *    dependsOn targets, and theirs in turn) decides the verdict with it: a failed GitRepository
 *    under Kustomizations still Ready at its last artifact is not `healthy: 11 ready`.
 * 2. A selection that matches nothing is not healthy: it says so, naming the selection, and
 *    `--wait` waits until something matches (as `kubectl wait` fails with "no matching resources found").
 */
import {expect} from 'chai'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import type {StatusCommandResult} from '../../src/commands/status.ts'
import {runPiksel} from '../support/cli.ts'
import type {KubeStandin} from '../support/kube-standin.ts'
import {type KubeObject, readFixture} from '../support/kube-standin.ts'
import {runStatus, startStatusCluster, statusJson, until} from '../support/status-cli.ts'

const NEW = 'main@sha1:4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b'
const T = '2026-11-30T08:30:00Z'
const AUTH =
  "failed to checkout and determine revision: unable to clone 'ssh://git@github.com/piksel-ina/piksel-gitops': ssh: handshake failed: ssh: unable to authenticate, attempted methods [none publickey], no supported methods remain"
const INDEX =
  'failed to fetch Helm repository index: failed to cache index to temporary file: failed to fetch https://charts.jetstack.io/index.yaml : 503 Service Unavailable'

const cond = (type: string, status: string, reason: string, message: string) => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: T,
  observedGeneration: 1,
})

/**
 * A source whose fetch fails and is retried, as source-controller writes it: Ready=False with the
 * fetch error, FetchFailed=True, Reconciling=True/ProgressingWithRetry; the last artifact stays
 * in storage, so what is built from it stays Ready=True at the old revision.
 */
function fetchFails(obj: KubeObject, reason: string, message: string): void {
  obj.status = {
    ...obj.status,
    conditions: [
      cond('FetchFailed', 'True', reason, message),
      cond('Reconciling', 'True', 'ProgressingWithRetry', `${reason}: retrying`),
      cond('Ready', 'False', reason, message),
      cond('ArtifactInStorage', 'True', 'Succeeded', `stored artifact for revision '${NEW}'`),
    ],
  }
}

const KUSTOMIZATIONS = [
  'argo-workflows',
  'cron-jobs',
  'explorer',
  'flux-system',
  'infra-addons',
  'infra-configs',
  'jhub',
  'monitoring',
  'ows',
  'terria',
  'workflows-templates',
].map((name) => `Kustomization/flux-system/${name}`)

/** A Kustomization in another namespace, built from the flux-system GitRepository, ready. */
function teamKs(namespace: string, name: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: {name, namespace, generation: 1, labels},
    spec: {
      interval: '10m',
      path: `./apps/${name}`,
      prune: true,
      sourceRef: {kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system'},
    },
    status: {
      observedGeneration: 1,
      lastAppliedRevision: NEW,
      lastAttemptedRevision: NEW,
      conditions: [cond('Ready', 'True', 'ReconciliationSucceeded', `Applied revision: ${NEW}`)],
    },
  }
}

describe('piksel status: a selection never turns a broken or stale cluster green (stand-in)', function () {
  this.timeout(60_000)
  let standin: KubeStandin
  let dir: string
  let env: Record<string, string | undefined>

  async function start(objects: KubeObject[], options: ConstructorParameters<typeof KubeStandin>[0] = {}) {
    ;({standin, dir, env} = await startStatusCluster('piksel-status-selection-', objects, options))
  }
  const run = (args: string[]) => runStatus(env, args)
  const json = (args: string[]) => statusJson(env, args)

  afterEach(async () => {
    await standin?.stop()
  })

  describe('the dependencies of a selection decide its verdict with it', () => {
    beforeEach(async () => {
      await start([
        ...readFixture('healthy.yaml'),
        {apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'apps'}},
        teamKs('apps', 'web', {team: 'a'}),
      ])
      standin.update('GitRepository', 'flux-system', 'flux-system', (o) => fetchFails(o, 'GitOperationFailed', AUTH))
    })

    it('without a filter the same cluster is unhealthy (the source failed); no dependencies field', async () => {
      const {exitCode, doc} = await json([])
      expect(exitCode).to.equal(3)
      expect(doc.summary).to.equal('unhealthy: 1 failed, 25 ready')
      expect(doc).to.not.have.property('dependencies')
      expect(doc).to.not.have.property('selection')
    })

    it('--kind ks: the Kustomizations stay Ready at the last artifact, the failed GitRepository makes it unhealthy', async () => {
      const {exitCode, doc} = await json(['--kind', 'ks'])
      expect(exitCode).to.equal(3)
      expect(doc.verdict).to.equal('unhealthy')
      expect(doc.summary).to.equal('unhealthy: 12 ready, 1 dependency failed (GitRepository flux-system/flux-system)')
      // Only the selection is listed and counted, each row as it was.
      expect(doc.counts.total).to.equal(12)
      expect(doc.objects.every((o) => o.kind === 'Kustomization' && o.health === 'ready')).to.equal(true)
      expect(doc.selection).to.equal('--kind Kustomization')
      expect(doc.dependencies).to.deep.equal([
        {
          kind: 'GitRepository',
          namespace: 'flux-system',
          name: 'flux-system',
          health: 'failed',
          reason: 'GitOperationFailed',
          message: AUTH,
          since: T,
          retrying: true,
          neededBy: ['Kustomization/apps/web', ...KUSTOMIZATIONS],
        },
      ])
      const text = await run(['--kind', 'ks'])
      expect(text.exitCode).to.equal(3)
      expect(text.stdout.split('\n')[0]).to.equal(
        'unhealthy: 12 ready, 1 dependency failed (GitRepository flux-system/flux-system)',
      )
      expect(text.stdout).to.match(
        /DEPENDENCIES NOT READY \(outside the selection\)\nOBJECT\s+HEALTH\s+AGE\s+MESSAGE\nGitRepository\/flux-system\/flux-system\s+failed\s+\S+\s+GitOperationFailed \(retrying\): failed to checkout/,
      )
      expect(text.stdout).to.not.contain('NEEDS ATTENTION')
    })

    for (const args of [
      ['-l', 'team=a'],
      ['-n', 'apps'],
      ['-n', 'apps', '--kind', 'kustomization'],
    ]) {
      it(`${args.join(' ')}: the cross-namespace source failing is named, the selection listed as before`, async () => {
        const {exitCode, doc} = await json(args)
        expect(exitCode).to.equal(3)
        expect(doc.summary).to.equal('unhealthy: 1 ready, 1 dependency failed (GitRepository flux-system/flux-system)')
        expect(doc.objects.map((o) => `${o.kind}/${o.namespace}/${o.name} ${o.health}`)).to.deep.equal([
          'Kustomization/apps/web ready',
        ])
        expect(doc.dependencies?.map((d) => `${d.kind}/${d.namespace}/${d.name} ${d.health}`)).to.deep.equal([
          'GitRepository/flux-system/flux-system failed',
        ])
        expect(doc.dependencies?.[0]?.neededBy).to.deep.equal(['Kustomization/apps/web'])
      })
    }

    it('a failing object outside the closure does not touch the verdict of a selection', async () => {
      standin.update('GitRepository', 'flux-system', 'flux-system', (o) => {
        o.status = readFixture('healthy.yaml').find((x) => x.kind === 'GitRepository')?.status
      })
      // The nvidia HelmRepository fails: no Kustomization is built from it.
      standin.update('HelmRepository', 'flux-system', 'nvidia-k8s-device-plugin', (o) =>
        fetchFails(o, 'IndexationFailed', INDEX),
      )
      const {exitCode, doc} = await json(['--kind', 'ks'])
      expect(exitCode, doc.summary).to.equal(0)
      expect(doc.summary).to.equal('healthy: 12 ready')
      expect(doc.dependencies).to.deep.equal([])
    })

    it('--kind hr: a HelmRepository whose index fetch fails, its HelmChart still ready, is named', async () => {
      standin.update('GitRepository', 'flux-system', 'flux-system', (o) => {
        o.status = readFixture('healthy.yaml').find((x) => x.kind === 'GitRepository')?.status
      })
      standin.update('HelmRepository', 'cert-manager', 'cert-manager-repo', (o) =>
        fetchFails(o, 'IndexationFailed', INDEX),
      )
      for (const args of [
        ['--kind', 'hr'],
        ['--kind', 'hr', '-n', 'cert-manager'],
      ]) {
        const {exitCode, doc} = await json(args)
        expect(exitCode, args.join(' ')).to.equal(3)
        expect(doc.summary, args.join(' ')).to.match(
          /^unhealthy: \d ready, 1 dependency failed \(HelmRepository cert-manager\/cert-manager-repo\)$/,
        )
        expect(doc.objects.every((o) => o.health === 'ready')).to.equal(true)
        expect(doc.dependencies?.[0]).to.include({kind: 'HelmRepository', reason: 'IndexationFailed'})
        // Referenced by the release and by its HelmChart (helm-controller's, beside the repository).
        expect(doc.dependencies?.[0]?.neededBy).to.deep.equal([
          'HelmChart/cert-manager/cert-manager-cert-manager',
          'HelmRelease/cert-manager/cert-manager',
        ])
      }
    })

    it('a suspended dependency: unhealthy, unless --ignore-suspended', async () => {
      standin.update('GitRepository', 'flux-system', 'flux-system', (o) => {
        o.spec = {...o.spec, suspend: true}
        o.status = readFixture('healthy.yaml').find((x) => x.kind === 'GitRepository')?.status
      })
      const {exitCode, doc} = await json(['-l', 'team=a'])
      expect(exitCode).to.equal(3)
      expect(doc.summary).to.equal('unhealthy: 1 ready, 1 dependency suspended (GitRepository flux-system/flux-system)')
      const ignored = await json(['-l', 'team=a', '--ignore-suspended'])
      expect(ignored.exitCode).to.equal(0)
      expect(ignored.doc.summary).to.equal('healthy: 1 ready')
      expect(ignored.doc.dependencies).to.deep.equal([])
    })

    it('--wait --kind ks keeps waiting while the source fails, and ends when it recovers', async () => {
      const waiting = run(['--kind', 'ks', '--wait', '--timeout', '20s'])
      expect(
        await until(() => standin.watches().some((w) => w.path.endsWith('/gitrepositories'))),
        'a watch on the GitRepositories',
      ).to.equal(true)
      // Still waiting: nothing has changed yet.
      await new Promise((r) => setTimeout(r, 300))
      standin.update('GitRepository', 'flux-system', 'flux-system', (o) => {
        o.status = readFixture('healthy.yaml').find((x) => x.kind === 'GitRepository')?.status
      })
      const r = await waiting
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(r.stdout.split('\n')[0]).to.equal('healthy: 12 ready')
      expect(r.stderr).to.contain('unhealthy: 12 ready, 1 dependency failed (GitRepository flux-system/flux-system)')
    })

    it('--wait --kind ks times out while the source fails: exit 3, the dependency said', async () => {
      const r = await run(['--kind', 'ks', '--wait', '--timeout', '1s', '--json'])
      expect(r.exitCode).to.equal(3)
      const doc = r.json<StatusCommandResult>()
      expect(doc.timedOut).to.equal(true)
      expect(r.stderr).to.contain('Timed out after 1s: 0 object(s) and 1 dependency still not ready.')
    })

    it('--reconcile --yes --kind ks requests the failed source, then waits until it is handled', async () => {
      const healthy = readFixture('healthy.yaml').find((x) => x.kind === 'GitRepository')?.status
      standin.onPatch = (obj, s) => {
        const at = obj.metadata.annotations?.['reconcile.fluxcd.io/requestedAt']
        if (!at) return
        setTimeout(() => s.put({...obj, status: {...healthy, lastHandledReconcileAt: at}}), 20)
      }
      const r = await run(['--kind', 'ks', '--reconcile', '--yes', '--timeout', '20s'])
      expect(r.exitCode, r.stderr + r.stdout).to.equal(0)
      expect(standin.patches().map((p) => p.path.split('/').slice(-3).join('/'))).to.deep.equal([
        'flux-system/gitrepositories/flux-system',
      ])
      expect(r.stderr).to.match(
        /1\s+GitRepository\/flux-system\/flux-system\s+failed \(retrying\), a dependency of the selection/,
      )
      expect(r.stdout.split('\n')[0]).to.equal('healthy: 12 ready')
    })

    it('--all-envs: the row of an environment takes the same verdict, and names the dependency', async () => {
      const config = join(dir, 'piksel.config.yaml')
      writeFileSync(config, 'environments:\n  staging: {}\n')
      const r = await runPiksel(['status', '--config', config, '--all-envs', '--kind', 'ks'], {env})
      expect(r.exitCode, r.stderr).to.equal(3)
      expect(r.stdout).to.contain(
        'staging: unhealthy: 12 ready, 1 dependency failed (GitRepository flux-system/flux-system)',
      )
      expect(r.stdout).to.match(
        /staging\s+piksel-staging\s+unhealthy\s+12\s+12\s+GitRepository\/flux-system\/flux-system failed \(dependency\)/,
      )
    })
  })

  it('--deep: the workloads of a dependsOn target outside the selection count, as they do without a filter', async () => {
    await start([
      ...readFixture('healthy.yaml', 'workloads.yaml'),
      {apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'apps'}},
      {
        ...teamKs('apps', 'web', {team: 'a'}),
        spec: {...teamKs('apps', 'web').spec, dependsOn: [{name: 'jhub', namespace: 'flux-system'}]},
      },
    ])
    // In flux-system/jhub's inventory; jhub itself stays Ready (its last health check passed).
    standin.update('Deployment', 'jupyterhub', 'hub', (o) => {
      o.status = {...o.status, availableReplicas: 0}
    })
    const all = await json(['--deep'])
    expect(all.exitCode).to.equal(3)
    expect(all.doc.summary).to.equal('unhealthy: 1 workload failing, 26 ready')
    const {exitCode, doc} = await json(['--deep', '-l', 'team=a'])
    expect(exitCode).to.equal(3)
    expect(doc.summary).to.equal('unhealthy: 1 workload failing, 1 ready')
    expect(
      doc.workloads?.map((w) => `${w.kind}/${w.namespace}/${w.name} ${w.health} ${w.kustomization}`),
    ).to.deep.equal(['Deployment/jupyterhub/hub failed flux-system/jhub'])
    // The Kustomization is ready: not a dependency needing attention, only its workload is.
    expect(doc.dependencies).to.deep.equal([])
  })

  describe('a selection that matches nothing is not healthy', () => {
    beforeEach(() =>
      start([...readFixture('healthy.yaml'), {apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'empty'}}]),
    )

    const cases: Array<[string[], string]> = [
      [['-l', 'team=nobody'], '-l team=nobody'],
      [['--kind', 'ocirepo'], '--kind OCIRepository'],
      [['-n', 'empty'], '-n empty'],
      [
        ['--kind', 'ks,hr', '-n', 'empty', '-l', 'app in (a,b)'],
        '--kind Kustomization,HelmRelease -n empty -l "app in (a,b)"',
      ],
    ]
    for (const [args, selection] of cases) {
      it(`${args.join(' ')}: "nothing matched ${selection}", exit 3`, async () => {
        const {exitCode, doc} = await json(args)
        expect(exitCode).to.equal(3)
        expect(doc.verdict).to.equal('unhealthy')
        expect(doc.summary).to.equal(`unhealthy: nothing matched ${selection}`)
        expect(doc.selection).to.equal(selection)
        expect(doc.counts.total).to.equal(0)
        const text = await run(args)
        expect(text.exitCode).to.equal(3)
        expect(text.stdout.split('\n')[0]).to.equal(`unhealthy: nothing matched ${selection}`)
      })
    }

    it('--wait -l app=new: waits until something matches and is healthy', async () => {
      const waiting = run(['-l', 'app=new', '--wait', '--timeout', '20s'])
      expect(
        await until(() =>
          standin.watches().some((w) => w.path.endsWith('/kustomizations') && w.query.labelSelector === 'app=new'),
        ),
        'a watch on the selection',
      ).to.equal(true)
      await new Promise((r) => setTimeout(r, 300))
      standin.put(teamKs('empty', 'new', {app: 'new'}))
      const r = await waiting
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(r.stdout.split('\n')[0]).to.equal('healthy: 1 ready')
      expect(r.stderr).to.contain('unhealthy: nothing matched -l app=new')
    })

    it('--wait -l app=new, nothing ever matches: times out, exit 3, "nothing matched" said', async () => {
      const r = await run(['-l', 'app=new', '--wait', '--timeout', '1s', '--json'])
      expect(r.exitCode).to.equal(3)
      const doc = r.json<StatusCommandResult>()
      expect(doc).to.include({timedOut: true, summary: 'unhealthy: nothing matched -l app=new'})
      expect(r.stderr).to.contain('Timed out after 1s: nothing matched -l app=new.')
    })

    it('--reconcile --yes -l app=new: nothing to request, nothing patched, exit 3 naming the selection', async () => {
      const r = await run(['-l', 'app=new', '--reconcile', '--yes', '--timeout', '1s'])
      expect(r.exitCode).to.equal(3)
      expect(r.stdout.split('\n')[0]).to.equal('unhealthy: nothing matched -l app=new')
      expect(r.stderr).to.contain('Nothing to reconcile: nothing matched -l app=new.')
      expect(standin.patches()).to.have.length(0)
    })

    it('--all-envs -l team=nobody: the row says nothing matched, exit 3', async () => {
      const config = join(dir, 'piksel.config.yaml')
      writeFileSync(config, 'environments:\n  staging: {}\n')
      const r = await runPiksel(['status', '--config', config, '--all-envs', '-l', 'team=nobody'], {env})
      expect(r.exitCode, r.stderr).to.equal(3)
      expect(r.stdout).to.contain('staging: unhealthy: nothing matched -l team=nobody')
    })

    it('no filter at all, Flux running but no objects yet: healthy, exit 0, as before', async () => {
      await standin.stop()
      await start(readFixture('healthy.yaml').filter((o) => o.kind === 'Deployment'))
      const {exitCode, doc} = await json([])
      expect(exitCode).to.equal(0)
      expect(doc.summary).to.equal('healthy: no Flux objects')
      expect(doc).to.not.have.property('selection')
    })
  })
})
