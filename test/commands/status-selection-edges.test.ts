/**
 * `piksel status` with a selection, at its edges (stand-in): objects that come to match while
 * `--wait` follows, sources in other namespaces, chartRefs, OCI HelmRepositories, dependsOn
 * chains and cycles across the selection, suspended and missing dependencies.
 */
import {expect} from 'chai'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {StatusCommandResult} from '../../src/commands/status.ts'
import {isolatedEnv, runPiksel} from '../support/cli.ts'
import {type KubeObject, KubeStandin, readFixture} from '../support/kube-standin.ts'

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

describe('piksel status: a selection at its edges (stand-in)', function () {
  this.timeout(60_000)
  let standin: KubeStandin
  let env: Record<string, string | undefined>

  async function start(objects: KubeObject[]) {
    standin = await KubeStandin.start({objects})
    const dir = mkdtempSync(join(tmpdir(), 'piksel-status-edges-'))
    env = isolatedEnv({KUBECONFIG: standin.writeKubeconfig(dir)})
  }
  const run = (args: string[]) => runPiksel(['status', ...args], {env})
  const json = async (args: string[]) => {
    const r = await run([...args, '--json'])
    return {exitCode: r.exitCode, stderr: r.stderr, doc: r.json<StatusCommandResult>()}
  }
  const until = async (check: () => boolean, ms = 20_000) => {
    const end = Date.now() + ms
    while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 25))
    return check()
  }

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
})
