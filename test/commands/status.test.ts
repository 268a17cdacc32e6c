import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {StatusCommandResult} from '../../src/commands/status.ts'
import {execa} from 'execa'

import {BIN, isolatedEnv, runPiksel} from '../support/cli.ts'
import {type KubeObject, KubeStandin, readFixture} from '../support/kube-standin.ts'
import {onTerminal} from '../support/terminal.ts'

const FLUX_PLURALS = [
  'gitrepositories',
  'ocirepositories',
  'helmrepositories',
  'helmcharts',
  'buckets',
  'kustomizations',
  'helmreleases',
  'providers',
  'alerts',
  'receivers',
]

describe('piksel status (against the loopback Kubernetes API stand-in)', function () {
  this.timeout(60_000)
  let standin: KubeStandin
  let dir: string
  let env: Record<string, string | undefined>

  async function start(objects: KubeObject[], options: ConstructorParameters<typeof KubeStandin>[0] = {}) {
    standin = await KubeStandin.start({...options, objects})
    dir = mkdtempSync(join(tmpdir(), 'piksel-status-'))
    env = isolatedEnv({KUBECONFIG: standin.writeKubeconfig(dir)})
  }
  const run = (args: string[], extra: Parameters<typeof runPiksel>[1] = {}) =>
    runPiksel(['status', ...args], {env, ...extra})
  /** Resolves once the running command has opened its watches. */
  async function watchesOpen(count = 1): Promise<void> {
    const until = Date.now() + 20_000
    while (standin.watches().length < count) {
      if (Date.now() > until) throw new Error('no watch opened')
      await new Promise((r) => setTimeout(r, 25))
    }
  }

  afterEach(async () => {
    await standin?.stop()
  })

  describe('a healthy cluster', () => {
    beforeEach(() => start(readFixture('healthy.yaml', 'workloads.yaml')))

    it('exits 0 with the verdict first, counts per kind, and no attention list', async () => {
      const r = await run([])
      expect(r.exitCode, r.stderr).to.equal(0)
      const lines = r.stdout.split('\n')
      expect(lines[0]).to.equal('healthy: 25 ready')
      expect(r.stdout).to.match(/Kustomization\s+11\s+11 ready/)
      expect(r.stdout).to.contain('controllers: 4 available')
      expect(r.stdout).to.contain('kustomize-controller v1.6.0')
      expect(r.stdout).to.not.contain('NEEDS ATTENTION')
    })

    it('reads each Flux kind with exactly one list call, at the version discovery prefers', async () => {
      const r = await run(['--json'])
      expect(r.exitCode).to.equal(0)
      for (const plural of FLUX_PLURALS) {
        const calls = standin.listCalls(plural)
        expect(calls, plural).to.have.length(1)
      }
      const paths = standin.listCalls().map((c) => c.path)
      expect(paths).to.include('/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations')
      expect(paths).to.include('/apis/helm.toolkit.fluxcd.io/v2/helmreleases')
      expect(paths).to.include('/apis/notification.toolkit.fluxcd.io/v1beta3/alerts')
      expect(paths).to.include('/apis/notification.toolkit.fluxcd.io/v1/receivers')
      // Never one call per object.
      expect(standin.requests.filter((q) => /\/(kustomizations|helmreleases)\/[^/]+$/.test(q.path))).to.have.length(0)
    })

    it('lists the kinds concurrently, not one after another', async () => {
      standin.latencyMs = 150
      const r = await run(['--json'])
      expect(r.exitCode).to.equal(0)
      // The 10 Flux kinds and the controllers all arrive before the first answer could have come back.
      const lists = standin.listCalls()
      expect(lists).to.have.length(11)
      const arrivals = lists.map((l) => l.at)
      expect(Math.max(...arrivals) - Math.min(...arrivals)).to.be.lessThan(standin.latencyMs)
    })

    it('--json: one document with the documented shape; objects at the served version', async () => {
      const r = await run(['--json'])
      const json = r.json<StatusCommandResult>()
      expect(json).to.include.keys('verdict', 'summary', 'context', 'counts', 'controllers', 'objects')
      expect(json.verdict).to.equal('healthy')
      expect(json.context).to.equal('piksel-staging')
      expect(json.counts.total).to.equal(25)
      expect(json.controllers.map((c) => c.name)).to.deep.equal([
        'helm-controller',
        'kustomize-controller',
        'notification-controller',
        'source-controller',
      ])
      const jhub = json.objects.find((o) => o.name === 'jhub')
      expect(jhub).to.include({
        kind: 'Kustomization',
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        namespace: 'flux-system',
        health: 'ready',
        suspended: false,
      })
      expect(jhub).to.have.keys(
        'kind',
        'apiVersion',
        'namespace',
        'name',
        'health',
        'reason',
        'message',
        'revision',
        'suspended',
        'since',
      )
      expect(r.stderr).to.equal('')
    })

    it('-n, --kind and -l filter on the server side', async () => {
      standin.update('Kustomization', 'flux-system', 'jhub', (o) => {
        o.metadata.labels = {'piksel.io/layer': 'apps'}
      })
      const byNs = (await run(['-n', 'jupyterhub', '--json'])).json<StatusCommandResult>()
      expect(new Set(byNs.objects.map((o) => o.namespace))).to.deep.equal(new Set(['jupyterhub']))
      expect(standin.listCalls('helmreleases').at(-1)?.path).to.equal(
        '/apis/helm.toolkit.fluxcd.io/v2/namespaces/jupyterhub/helmreleases',
      )

      const byKind = (await run(['--kind', 'ks', '--json'])).json<StatusCommandResult>()
      expect(new Set(byKind.objects.map((o) => o.kind))).to.deep.equal(new Set(['Kustomization']))
      expect(byKind.counts.total).to.equal(11)

      const bySelector = (
        await run(['-l', 'piksel.io/layer=apps', '--kind', 'Kustomization', '--json'])
      ).json<StatusCommandResult>()
      expect(bySelector.objects.map((o) => o.name)).to.deep.equal(['jhub'])
      expect(bySelector.counts.total).to.equal(1)
      // The selection is listed with the selector; what jhub depends on (infra-configs) without it.
      const calls = standin.listCalls('kustomizations').slice(-2)
      expect(calls.map((c) => c.query.labelSelector ?? null)).to.deep.equal(['piksel.io/layer=apps', null])
      expect(calls[1]?.path).to.equal('/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations')
    })

    it('--deep checks the workloads in the inventories and reports failing ones under their Kustomization', async () => {
      const ok = await run(['--deep', '--json'])
      expect(ok.exitCode).to.equal(0)
      expect(ok.json<StatusCommandResult>().workloads).to.deep.equal([])
      standin.update('Deployment', 'jupyterhub', 'hub', (o) => {
        o.status = {...o.status, availableReplicas: 0}
      })
      const r = await run(['--deep'])
      expect(r.exitCode).to.equal(3)
      expect(r.stdout.split('\n')[0]).to.equal('unhealthy: 1 workload failing, 25 ready')
      expect(r.stdout).to.match(/flux-system\/jhub\s+Deployment\/jupyterhub\/hub\s+failed\s+0\/2 replicas available/)
    })

    it('--deep --wait times out naming every workload still not ready, not only the objects (exit 3)', async () => {
      // Every Flux object is ready; three workloads in the inventories are not.
      standin.update('Deployment', 'jupyterhub', 'hub', (o) => {
        o.status = {...o.status, availableReplicas: 0}
      })
      standin.update('Deployment', 'argo', 'argo-server', (o) => {
        o.status = {...o.status, availableReplicas: 0}
      })
      standin.remove('Deployment', 'ows', 'datacube-ows')
      const r = await run(['--deep', '--wait', '--timeout', '2s', '--json'])
      expect(r.exitCode, r.stderr).to.equal(3)
      const json = r.json<StatusCommandResult>()
      expect(json.timedOut).to.equal(true)
      expect(json.workloads?.map((w) => w.name)).to.have.members(['hub', 'argo-server', 'datacube-ows'])
      expect(r.stderr).to.contain('Timed out after 2s: 0 object(s) and 3 workload(s) still not ready.')
    })

    it('-e staging uses the context named after the cluster when the kubeconfig has it', async () => {
      const file = join(dir, 'two-contexts')
      writeFileSync(
        file,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters:',
          '- {name: standin, cluster: {server: "' + standin.url + '", insecure-skip-tls-verify: true}}',
          '- {name: nowhere, cluster: {server: "http://127.0.0.1:9", insecure-skip-tls-verify: true}}',
          'users:',
          '- {name: u, user: {token: t}}',
          'contexts:',
          '- {name: piksel-staging, context: {cluster: standin, user: u}}',
          '- {name: elsewhere, context: {cluster: nowhere, user: u}}',
          'current-context: elsewhere',
          '',
        ].join('\n'),
      )
      const r = await run(['-e', 'staging', '--kubeconfig', file, '--json'])
      expect(r.exitCode, r.stdout).to.equal(0)
      expect(r.json<StatusCommandResult>().context).to.equal('piksel-staging')
      const plain = await run(['--kubeconfig', file])
      expect(plain.exitCode).to.equal(1)
    })

    describe('on a terminal: the live line and the --watch view are redrawn in place', () => {
      const ERASE_LINE = '\r\u001b[2K'
      const CLEAR_SCREEN = '\u001b[H\u001b[2J'

      it('--wait: one live line on stderr, erased when done; the status after it', async function () {
        const r = await onTerminal(this, ['status', '--wait', '--timeout', '30s'], {env})
        expect(r.code, r.output).to.equal(0)
        expect(r.output).to.match(new RegExp(`\\r${String.fromCharCode(27)}\\[2K\\[\\d+s\\] healthy: \\d+ ready`))
        const erased = r.output.lastIndexOf(ERASE_LINE)
        expect(r.output.slice(erased + ERASE_LINE.length)).to.match(/^\r?\n?healthy: \d+ ready/)
      })

      it('--watch: the whole view redrawn from the top of the screen, until Ctrl-C', async function () {
        const r = await onTerminal(this, ['status', '--watch'], {
          env,
          steps: [['(watching; Ctrl-C to stop)', '\u0003']],
        })
        expect(r.answered).to.equal(1)
        expect(r.code).to.equal(130)
        expect(r.output).to.contain(`${CLEAR_SCREEN}healthy: `)
        expect(r.output).not.to.contain(ERASE_LINE)
      })
    })
  })

  describe('an unhealthy cluster', () => {
    beforeEach(() => start(readFixture('unhealthy.yaml')))

    it('exits 3 naming what needs attention and the root cause of what waits', async () => {
      const r = await run([])
      expect(r.exitCode).to.equal(3)
      expect(r.stdout.split('\n')[0]).to.equal(
        'unhealthy: 2 failed, 1 stale, 7 waiting, 1 progressing, 1 suspended, 13 ready',
      )
      expect(r.stdout).to.contain('NEEDS ATTENTION')
      expect(r.stdout).to.match(
        /Kustomization\/flux-system\/cron-jobs\s+waiting.*root cause: Kustomization\/flux-system\/infra-configs failed \(BuildFailed\)/,
      )
      expect(r.stdout).to.match(/Kustomization\/flux-system\/terria\s+stale/)
      expect(r.stdout).to.match(/HelmRelease\/jupyterhub\/jupyterhub\s+failed/)
      expect(r.stdout).to.not.match(/GitRepository\/flux-system\/flux-system/)
      expect((await run(['--all'])).stdout).to.match(/GitRepository\/flux-system\/flux-system\s+ready/)
    })

    it('--json carries cause on the objects that wait', async () => {
      const r = await run(['--json'])
      expect(r.exitCode).to.equal(3)
      const json = r.json<StatusCommandResult>()
      expect(json.verdict).to.equal('unhealthy')
      const cron = json.objects.find((o) => o.name === 'cron-jobs')
      expect(cron?.cause).to.deep.equal({
        kind: 'Kustomization',
        namespace: 'flux-system',
        name: 'infra-configs',
        health: 'failed',
        reason: 'BuildFailed',
      })
    })

    it('suspended objects fail the check unless --ignore-suspended', async () => {
      for (const obj of readFixture('healthy.yaml')) {
        if (obj.metadata.name !== 'monitoring') standin.put(obj)
      }
      expect((await run([])).exitCode).to.equal(3)
      const r = await run(['--ignore-suspended'])
      expect(r.exitCode).to.equal(0)
      expect(r.stdout.split('\n')[0]).to.equal('healthy: 1 suspended (ignored), 24 ready')
    })

    it('--wait reaches healthy as the stand-in flips objects to ready (through watches)', async () => {
      const running = run(['--wait', '--timeout', '30s'])
      await watchesOpen(FLUX_PLURALS.length)
      // A ready object re-reconciles (a reconcile request: source-controller marks Reconciling=True and
      // keeps Ready=True, both at the generation it is at) while the others recover: it stays counted ready.
      for (const obj of readFixture('healthy.yaml')) {
        if (obj.kind === 'GitRepository' && obj.metadata.name === 'flux-system') {
          const status = obj.status as {conditions: Array<Record<string, unknown>>}
          status.conditions = [
            {
              type: 'Reconciling',
              status: 'True',
              reason: 'Progressing',
              message: 'reconciliation in progress',
              observedGeneration: 1,
            },
            ...status.conditions,
          ]
        }
        standin.put(obj)
        await new Promise((r) => setTimeout(r, 5))
      }
      const r = await running
      expect(r.exitCode, r.stderr + r.stdout).to.equal(0)
      expect(r.stdout.split('\n')[0]).to.equal('healthy: 25 ready')
      expect(r.stderr).to.contain('unhealthy: 2 failed')
      expect(standin.watches().length).to.be.greaterThanOrEqual(FLUX_PLURALS.length)
      // One list per kind, then watches: no polling.
      expect(standin.listCalls('kustomizations')).to.have.length(1)
    })

    for (const expired of [false, true]) {
      it(`--wait resumes watches the server ${expired ? 'expires (410: lists again)' : 'closes (from the last resourceVersion)'}`, async () => {
        const running = run(['--wait', '--timeout', '30s', '--kind', 'ks'])
        // Kustomizations, the three source kinds they may use, and the controllers.
        await watchesOpen(5)
        const opened = standin.watches().length
        expect(opened).to.equal(5)
        standin.closeWatches({expired})
        await watchesOpen(opened * 2)
        for (const obj of readFixture('healthy.yaml')) if (obj.kind === 'Kustomization') standin.put(obj)
        const r = await running
        expect(r.exitCode, r.stderr).to.equal(0)
        expect(standin.listCalls('kustomizations')).to.have.length(expired ? 2 : 1)
        const resumed = standin
          .watches()
          .filter((w) => w.path.endsWith('/kustomizations'))
          .at(-1)
        expect(resumed?.query.resourceVersion).to.match(/^\d+$/)
      })
    }

    it('--wait times out with exit 3 and what is still not ready', async () => {
      const started = Date.now()
      const r = await run(['--wait', '--timeout', '2s', '--json'])
      expect(r.exitCode).to.equal(3)
      expect(Date.now() - started).to.be.lessThan(15_000)
      const json = r.json<StatusCommandResult>()
      expect(json.timedOut).to.equal(true)
      expect(json.verdict).to.equal('unhealthy')
      expect(r.stderr).to.contain('Timed out after 2s: 12 object(s) still not ready')
    })

    it('--wait --timeout bounds the run from its start: discovery and the first read count (elapsedMs too)', async () => {
      // Each answer takes 800 ms: discovery (/apis, then each group version) and the lists take
      // longer than the 1s --timeout, before any watch starts.
      standin.latencyMs = 800
      const r = await run(['--wait', '--timeout', '1s', '--json'])
      expect(r.exitCode, r.stderr).to.equal(3)
      const json = r.json<StatusCommandResult>()
      expect(json.timedOut).to.equal(true)
      const discoveryBegan = standin.requests.find((q) => q.path === '/apis')?.at ?? Number.NaN
      const lastList = Math.max(...standin.listCalls().map((c) => c.at))
      // The wait began before discovery did, so it has lasted at least until the last list arrived.
      // (It began after discovery, and --timeout 1s ran for 1s more after the first read.)
      expect(json.elapsedMs).to.be.at.least(lastList - discoveryBegan)
    })

    it('--reconcile --yes annotates sources first, then Kustomizations, then HelmReleases, and waits', async () => {
      const healthy = new Map(
        readFixture('healthy.yaml').map((o) => [`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, o]),
      )
      // Act as the controllers: on a reconcile request, handle it and become ready.
      standin.onPatch = (obj, s) => {
        const at = obj.metadata.annotations?.['reconcile.fluxcd.io/requestedAt']
        const good = healthy.get(`${obj.kind}/${obj.metadata.namespace}/${obj.metadata.name}`)
        if (!at || !good) return
        setTimeout(() => {
          s.put({
            ...good,
            metadata: {...good.metadata, annotations: {'reconcile.fluxcd.io/requestedAt': at}},
            status: {...good.status, lastHandledReconcileAt: at},
          })
          if (obj.kind === 'Kustomization' && obj.metadata.name === 'infra-configs') {
            for (const o of healthy.values())
              if (o.kind === 'Kustomization' && !['terria', 'monitoring', 'infra-configs'].includes(o.metadata.name))
                s.put(o)
          }
          if (obj.kind === 'HelmRelease')
            s.put(healthy.get('HelmRelease/gpu-operator/nvidia-device-plugin') as KubeObject)
        }, 20)
      }
      const r = await run(['--reconcile', '--yes', '--ignore-suspended', '--timeout', '30s'])
      expect(r.exitCode, r.stderr + r.stdout).to.equal(0)
      const patched = standin.patches().map((p) => p.path.split('/').slice(-3).join('/'))
      expect(patched).to.deep.equal([
        'flux-system/gitrepositories/flux-system',
        'jupyterhub/helmrepositories/jupyterhub',
        'jupyterhub/helmcharts/jupyterhub-jupyterhub',
        'flux-system/kustomizations/infra-configs',
        'flux-system/kustomizations/terria',
        'jupyterhub/helmreleases/jupyterhub',
      ])
      for (const p of standin.patches()) {
        expect(p.contentType).to.equal('application/merge-patch+json')
        expect(JSON.parse(p.body ?? '{}')).to.have.nested.property(
          'metadata.annotations.reconcile\\.fluxcd\\.io/requestedAt',
        )
      }
      expect(r.stderr).to.contain('refused: Kustomization/flux-system/monitoring is suspended')
      expect(r.stdout.split('\n')[0]).to.equal('healthy: 1 suspended (ignored), 24 ready')
    })

    it('--watch: a line per change without a terminal, until Ctrl-C (exit 130)', async () => {
      const child = execa(process.execPath, [BIN, 'status', '--watch'], {
        env,
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
      })
      let out = ''
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString()
      })
      await watchesOpen(FLUX_PLURALS.length)
      for (const obj of readFixture('healthy.yaml')) standin.put(obj)
      const until = Date.now() + 20_000
      while (!out.includes('healthy: 25 ready') && Date.now() < until) await new Promise((r) => setTimeout(r, 25))
      child.kill('SIGINT')
      const r = await child
      expect(r.exitCode).to.equal(130)
      const lines = out.trim().split('\n')
      expect(lines[0]).to.match(/^\d{4}-\d\d-\d\dT.* unhealthy: 2 failed/)
      expect(lines.at(-1)).to.match(/ healthy: 25 ready$/)
      expect(standin.listCalls('kustomizations')).to.have.length(1)
    })

    it('--reconcile without --yes and no terminal: exit 2 after listing the plan, nothing patched', async () => {
      const r = await run(['--reconcile'])
      expect(r.exitCode).to.equal(2)
      expect(r.stderr).to.contain('--yes')
      expect(standin.patches()).to.have.length(0)
      // The summary comes before the confirmation it could not ask for.
      const plan = r.stderr.indexOf('Will request reconciliation')
      expect(plan, r.stderr).to.be.at.least(0)
      expect(plan).to.be.lessThan(r.stderr.indexOf('Confirmation required: Request reconciliation of 6 object(s)'))
      expect(r.stderr).to.match(/1\s+GitRepository\/flux-system\/flux-system/)
      expect(r.stderr).to.match(/6\s+HelmRelease\/jupyterhub\/jupyterhub/)
      expect(r.stderr).to.contain('refused: Kustomization/flux-system/monitoring is suspended')
    })
  })

  describe('bad input and unreadable clusters', () => {
    beforeEach(() => start(readFixture('healthy.yaml')))

    // Each with --reconcile --yes where the flags allow it, to show nothing was written either.
    const bad: Array<[string, string[], RegExp]> = [
      ['a malformed --timeout', ['--reconcile', '--yes', '--timeout', 'soon'], /--timeout "soon" is not a duration/],
      ['a zero --timeout', ['--wait', '--timeout', '0s'], /--timeout "0s" is not a duration/],
      ['an unknown --kind', ['--reconcile', '--yes', '--kind', 'kustomization,pods'], /Unknown kind "pods"/],
      ['a missing --context', ['--reconcile', '--yes', '--context', 'nope'], /No kube context named "nope"/],
      ['--watch with --wait', ['--watch', '--wait'], /--wait/],
      ['--watch with --reconcile', ['--watch', '--reconcile', '--yes'], /--reconcile/],
      ['an unknown flag', ['--colour'], /Nonexistent flag: --colour/],
    ]
    for (const [what, args, message] of bad) {
      it(`${what}: exit 2, nothing read or written`, async () => {
        const r = await run(args)
        expect(r.exitCode, r.stderr).to.equal(2)
        expect(r.stderr).to.match(message)
        expect(standin.patches()).to.have.length(0)
        expect(standin.listCalls()).to.have.length(0)
      })
    }

    it('RBAC forbids a kind: exit 1 naming it, with a hint', async () => {
      standin.faults.push({
        path: /\/helmreleases$/,
        code: 403,
        reason: 'Forbidden',
        message:
          'helmreleases.helm.toolkit.fluxcd.io is forbidden: User "dev" cannot list resource "helmreleases" in API group "helm.toolkit.fluxcd.io" at the cluster scope',
      })
      const r = await run([])
      expect(r.exitCode).to.equal(1)
      expect(r.stderr).to.contain(
        'Forbidden (403): the kube identity may not list helmreleases.helm.toolkit.fluxcd.io in all namespaces',
      )
      expect(r.stderr).to.contain('Hint: Ask for RBAC permission')
    })

    it('expired credentials (401): exit 1 saying how to refresh them', async () => {
      standin.faults.push({path: /^\/apis$/, code: 401, reason: 'Unauthorized', message: 'Unauthorized'})
      const r = await run(['--json'])
      expect(r.exitCode).to.equal(1)
      const error = r.json<{error: {code: string; hint: string}}>().error
      expect(error.code).to.equal('CREDENTIALS_INVALID')
      expect(error.hint).to.contain('aws sso login')
    })

    it('the API unreachable: exit 1 with a hint; --json gives the error document', async () => {
      await standin.stop()
      const r = await run([])
      expect(r.exitCode).to.equal(1)
      expect(r.stderr).to.match(/Kubernetes API at http:\/\/127\.0\.0\.1:\d+ is not reachable/)
      expect(r.stderr).to.contain('Hint:')
      const j = await run(['--json'])
      expect(j.exitCode).to.equal(1)
      expect(j.json<{error: {code: string}}>().error.code).to.equal('NETWORK')
    })

    it('no kubeconfig at all: exit 1 saying how to get one (not a made-up localhost:8080)', async () => {
      const r = await runPiksel(['status', '-e', 'staging'], {env: isolatedEnv()})
      expect(r.exitCode).to.equal(1)
      expect(r.stderr).to.contain('No kubeconfig found')
      // Aimed at the environment's region: typed bare it would use the shell's AWS_REGION.
      expect(r.stderr).to.contain(
        'aws eks update-kubeconfig --name piksel-staging --alias piksel-staging --region ap-southeast-3',
      )
    })

    it('a --kubeconfig that does not exist: exit 2', async () => {
      const r = await run(['--kubeconfig', join(dir, 'missing')])
      expect(r.exitCode).to.equal(2)
      expect(r.stderr).to.contain('Cannot read kubeconfig')
    })

    it('a cluster without Flux: exit 1, FLUX_NOT_INSTALLED', async () => {
      await standin.stop()
      await start([], {noFlux: true})
      const r = await run(['--json'])
      expect(r.exitCode).to.equal(1)
      expect(r.json<{error: {code: string; hint: string}}>().error).to.include({code: 'FLUX_NOT_INSTALLED'})
    })
  })
})
