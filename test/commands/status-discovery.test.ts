/**
 * `piksel status` opens the cluster once per run (issue 13 §1): the kubeconfig is resolved and the
 * API discovered (`/apis`, then each Flux group version) once, whatever the mode: a plain read,
 * --wait, --watch, or --reconcile (read, plan, patch, then follow).
 */
import {expect} from 'chai'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {execa} from 'execa'

import {BIN, isolatedEnv, runPiksel} from '../support/cli.ts'
import {type KubeObject, KubeStandin, readFixture} from '../support/kube-standin.ts'

/** The Flux group versions the stand-in serves (the v2.6 CRDs): each discovered with one GET. */
const FLUX_GROUP_VERSIONS = [
  '/apis/helm.toolkit.fluxcd.io/v2',
  '/apis/helm.toolkit.fluxcd.io/v2beta1',
  '/apis/helm.toolkit.fluxcd.io/v2beta2',
  '/apis/kustomize.toolkit.fluxcd.io/v1',
  '/apis/kustomize.toolkit.fluxcd.io/v1beta1',
  '/apis/kustomize.toolkit.fluxcd.io/v1beta2',
  '/apis/notification.toolkit.fluxcd.io/v1',
  '/apis/notification.toolkit.fluxcd.io/v1beta1',
  '/apis/notification.toolkit.fluxcd.io/v1beta2',
  '/apis/notification.toolkit.fluxcd.io/v1beta3',
  '/apis/source.toolkit.fluxcd.io/v1',
  '/apis/source.toolkit.fluxcd.io/v1beta1',
  '/apis/source.toolkit.fluxcd.io/v1beta2',
]

describe('piksel status discovers the API once per run (stand-in)', function () {
  this.timeout(60_000)
  let standin: KubeStandin
  let env: Record<string, string | undefined>

  async function start(objects: KubeObject[]) {
    standin = await KubeStandin.start({objects})
    env = isolatedEnv({KUBECONFIG: standin.writeKubeconfig(mkdtempSync(join(tmpdir(), 'piksel-discovery-')))})
  }
  afterEach(async () => {
    await standin?.stop()
  })

  /** How often each discovery path was requested. */
  function discoveryCounts(): Record<string, number> {
    const counts: Record<string, number> = {}
    for (const r of standin.requests) {
      if (r.path === '/apis' || /^\/apis\/[^/]+\/[^/]+$/.test(r.path)) counts[r.path] = (counts[r.path] ?? 0) + 1
    }
    return counts
  }
  function expectDiscoveredOnce(): void {
    const counts = discoveryCounts()
    expect(counts['/apis'], JSON.stringify(counts)).to.equal(1)
    for (const path of FLUX_GROUP_VERSIONS) expect(counts[path], path).to.equal(1)
    // Only the Flux groups' versions: nothing else discovered, nothing discovered twice.
    expect(Object.keys(counts).sort()).to.deep.equal(['/apis', ...FLUX_GROUP_VERSIONS].sort())
  }

  it('a plain read', async () => {
    await start(readFixture('healthy.yaml'))
    const r = await runPiksel(['status', '--json'], {env})
    expect(r.exitCode, r.stderr).to.equal(0)
    expectDiscoveredOnce()
  })

  it('--wait, following the cluster until it is healthy', async () => {
    await start(readFixture('healthy.yaml'))
    standin.update('Kustomization', 'flux-system', 'jhub', (o) => {
      o.status = {...o.status, conditions: [{type: 'Ready', status: 'Unknown', reason: 'Progressing', message: '…'}]}
    })
    const healthy = readFixture('healthy.yaml').find(
      (o) => o.kind === 'Kustomization' && o.metadata.name === 'jhub',
    ) as KubeObject
    const waiting = runPiksel(['status', '--wait', '--timeout', '20s', '--json'], {env})
    const until = Date.now() + 20_000
    while (standin.watches().length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 25))
    standin.put(healthy)
    const r = await waiting
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(standin.watches().length).to.be.greaterThan(0)
    expectDiscoveredOnce()
  })

  it('--watch, until Ctrl-C', async () => {
    await start(readFixture('healthy.yaml'))
    const child = execa(process.execPath, [BIN, 'status', '--watch'], {env, extendEnv: false, reject: false})
    const until = Date.now() + 20_000
    while (standin.watches().length < 10 && Date.now() < until) await new Promise((r) => setTimeout(r, 25))
    child.kill('SIGINT')
    const r = await child
    expect(r.exitCode, r.stderr).to.equal(130)
    expectDiscoveredOnce()
  })

  it('--reconcile --yes: read, plan, patch and follow, on one discovery', async () => {
    await start(readFixture('healthy.yaml'))
    const healthy = readFixture('healthy.yaml').find(
      (o) => o.kind === 'Kustomization' && o.metadata.name === 'infra-configs',
    ) as KubeObject
    standin.update('Kustomization', 'flux-system', 'infra-configs', (o) => {
      o.status = {...o.status, conditions: [{type: 'Ready', status: 'False', reason: 'BuildFailed', message: 'no'}]}
    })
    standin.onPatch = (obj, s) => {
      const at = obj.metadata.annotations?.['reconcile.fluxcd.io/requestedAt']
      if (!at) return
      setTimeout(() => {
        const status = obj.kind === 'Kustomization' ? healthy.status : obj.status
        s.put({...obj, status: {...status, lastHandledReconcileAt: at}})
      }, 20)
    }
    const r = await runPiksel(['status', '--reconcile', '--yes', '--timeout', '20s', '--json'], {env})
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(standin.patches()).to.have.length(2)
    expectDiscoveredOnce()
  })
})
