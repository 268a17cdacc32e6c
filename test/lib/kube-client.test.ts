/**
 * The Kubernetes client, bounded and mapped by kind (issue 12 §1, §4): real
 * node:http requests and client-node watches against loopback servers (the
 * stand-in with injected faults, and endpoints that never answer or freeze).
 */
import {expect} from 'chai'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {KubeClient, describeRequest, kubeCodeOf} from '../../src/lib/kube/client.ts'
import {boundCredentialPlugin, loadKubeConfig} from '../../src/lib/kube/config.ts'
import type {PikselError} from '../../src/lib/errors.ts'
import {timeoutsFor} from '../../src/lib/timeouts.ts'
import {type Endpoint, hangingEndpoint} from '../support/hang.ts'
import {KubeStandin, readFixture} from '../support/kube-standin.ts'
import {freePort} from '../support/moto.ts'
import {StubBin} from '../support/stubs.ts'

const KS = '/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations'

function kubeconfig(server: string, user = '  user: {token: t}'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'piksel-kc-')), 'config')
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'current-context: c',
      'clusters:',
      `- name: c`,
      `  cluster: {server: "${server}", insecure-skip-tls-verify: true}`,
      'contexts:',
      '- name: c',
      '  context: {cluster: c, user: u}',
      'users:',
      '- name: u',
      user,
      '',
    ].join('\n'),
  )
  return file
}

async function client(server: string, user?: string, ms = 1500): Promise<KubeClient> {
  const kc = await loadKubeConfig({kubeconfig: kubeconfig(server, user)})
  await boundCredentialPlugin(kc, timeoutsFor(ms))
  return new KubeClient(kc, timeoutsFor(ms))
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function failure(task: Promise<unknown>): Promise<PikselError> {
  try {
    await task
  } catch (error) {
    return error as PikselError
  }
  throw new Error('it succeeded')
}

describe('describeRequest: what a request does, in RBAC words', () => {
  const cases: Array<[string, string, boolean, string]> = [
    ['GET', KS, false, 'list kustomizations.kustomize.toolkit.fluxcd.io in all namespaces'],
    ['GET', KS, true, 'watch kustomizations.kustomize.toolkit.fluxcd.io in all namespaces'],
    [
      'GET',
      '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/flux-system',
      false,
      'get kustomizations.kustomize.toolkit.fluxcd.io flux-system in namespace flux-system',
    ],
    [
      'PATCH',
      '/apis/helm.toolkit.fluxcd.io/v2/namespaces/jhub/helmreleases/jupyterhub',
      false,
      'patch helmreleases.helm.toolkit.fluxcd.io jupyterhub in namespace jhub',
    ],
    [
      'GET',
      '/apis/apps/v1/namespaces/flux-system/deployments?labelSelector=x',
      false,
      'list deployments.apps in namespace flux-system',
    ],
    ['GET', '/api/v1/pods', false, 'list pods in all namespaces'],
    ['GET', '/api/v1/namespaces/flux-system', false, 'get namespaces flux-system'],
    ['GET', '/apis', false, 'get /apis (discovery)'],
    ['GET', '/version', false, 'GET /version'],
  ]
  for (const [method, path, watch, expected] of cases) {
    it(`${method} ${path}${watch ? ' (watch)' : ''}`, () => {
      expect(describeRequest(method, path, watch)).to.equal(expected)
    })
  }
  it('codes by HTTP status', () => {
    expect([401, 403, 404, 429, 500, 422].map(kubeCodeOf)).to.deep.equal([
      'CREDENTIALS_INVALID',
      'ACCESS_DENIED',
      'NOT_FOUND',
      'THROTTLED',
      'KUBE_API',
      'KUBE_API',
    ])
  })
})

describe('KubeClient: timeouts and errors by kind (loopback)', function () {
  this.timeout(20_000)
  let standin: KubeStandin
  const endpoints: Endpoint[] = []
  before(async () => {
    standin = await KubeStandin.start({objects: readFixture('healthy.yaml')})
  })
  after(async () => {
    await standin.stop()
  })
  afterEach(async () => {
    standin.faults.splice(0)
    standin.frozenWatches = false
    await Promise.all(endpoints.splice(0).map((e) => e.close()))
  })

  it('answers normally within the timeouts', async () => {
    const c = await client(standin.url)
    const list = await c.get<{items: unknown[]}>(KS)
    expect(list.items.length).to.be.above(0)
    c.close()
  })

  it('a server that trickles its answer (a byte every 200 ms, never done): TIMEOUT within the request timeout', async () => {
    const hang = await hangingEndpoint('trickle')
    endpoints.push(hang)
    const c = await client(hang.url)
    const error = await failure(c.get(KS))
    c.close()
    expect(error.code).to.equal('TIMEOUT')
    expect(error.message)
      .to.include(hang.url)
      .and.to.include('did not finish its answer within 1.5s')
      .and.to.include('list kustomizations.kustomize.toolkit.fluxcd.io in all namespaces')
    expect(error.hint).to.include('--request-timeout')
  })

  it('a PATCH whose answer trickles: TIMEOUT, and it may or may not have been applied', async () => {
    const hang = await hangingEndpoint('trickle')
    endpoints.push(hang)
    const c = await client(hang.url)
    const error = await failure(c.mergePatch(`${KS.replace('/kustomizations', '/namespaces/a/kustomizations')}/b`, {}))
    c.close()
    expect(error.code).to.equal('TIMEOUT')
    expect(error.hint).to.include('may or may not have been applied')
  })

  for (const mode of ['silent', 'mid-body'] as const) {
    it(`a ${mode} server: TIMEOUT naming the server and the request, not retryable`, async () => {
      const hang = await hangingEndpoint(mode)
      endpoints.push(hang)
      const c = await client(hang.url)
      const error = await failure(c.get(KS))
      c.close()
      expect(error.code).to.equal('TIMEOUT')
      expect(error.exitCode).to.equal(1)
      expect(error.message)
        .to.include(hang.url)
        .and.to.match(mode === 'silent' ? /sent nothing for 1\.5s/ : /did not finish its answer within 1\.5s/)
        .and.to.include('list kustomizations.kustomize.toolkit.fluxcd.io in all namespaces')
      expect(error.hint).to.include('--request-timeout')
      expect((error as unknown as {retryable: boolean}).retryable).to.equal(false)
    })
  }

  it('a PATCH that timed out says it may or may not have been applied', async () => {
    const hang = await hangingEndpoint('silent')
    endpoints.push(hang)
    const c = await client(hang.url)
    const error = await failure(c.mergePatch(`${KS.replace('/kustomizations', '/namespaces/a/kustomizations')}/b`, {}))
    c.close()
    expect(error.code).to.equal('TIMEOUT')
    expect(error.hint).to.include('may or may not have been applied')
  })

  it('a refused connection: NETWORK', async () => {
    const c = await client(`http://127.0.0.1:${await freePort()}`)
    const error = await failure(c.get(KS))
    expect(error.code).to.equal('NETWORK')
    expect(error.message).to.include('ECONNREFUSED')
    expect(error.hint).to.include('--context')
  })

  const refusals: Array<[number, string, RegExp, RegExp]> = [
    [401, 'CREDENTIALS_INVALID', /refused the credentials \(401\) to list kustomizations/, /aws sso login/],
    [
      403,
      'ACCESS_DENIED',
      /may not list kustomizations\.kustomize\.toolkit\.fluxcd\.io in all namespaces/,
      /RBAC permission/,
    ],
    [404, 'NOT_FOUND', /Not found \(404\): list kustomizations/, /namespace/],
    [429, 'THROTTLED', /throttling requests \(429\)/, /Wait a minute/],
    [500, 'KUBE_API', /failed \(500\)/, /retry in a minute/],
    [503, 'KUBE_API', /failed \(503\)/, /retry in a minute/],
    // Every refusal has a hint, not only the ones with a code of their own.
    [400, 'KUBE_API', /failed \(400\)/, /--verbose/],
    [409, 'KUBE_API', /failed \(409\)/, /look at it again/],
    [422, 'KUBE_API', /failed \(422\)/, /--verbose/],
  ]
  for (const [status, code, message, hint] of refusals) {
    it(`HTTP ${status}: ${code}, naming the verb and resource`, async () => {
      standin.faults.push({path: /kustomizations$/, code: status, reason: 'X', message: 'as the server says'})
      const c = await client(standin.url)
      const error = await failure(c.get(KS))
      c.close()
      expect(error.code).to.equal(code)
      expect(error.message).to.match(message).and.to.include('as the server says')
      expect(error.hint ?? '').to.match(hint)
    })
  }

  it('a redirect (a login proxy in front of the API server): BAD_RESPONSE naming where it points', async () => {
    const {createServer} = await import('node:http')
    const server = createServer((_, res) => {
      res.writeHead(302, {location: 'https://sso.example.com/login?next=/apis'})
      res.end()
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as {port: number}).port
    const c = await client(`http://127.0.0.1:${port}`)
    const error = await failure(c.get(KS))
    c.close()
    server.close()
    expect(error.code).to.equal('BAD_RESPONSE')
    expect(error.message).to.include('302').and.to.include('https://sso.example.com/login')
    expect(error.hint ?? '').to.include('kube')
  })

  it("a gateway's multi-line HTML error page (502): KUBE_API in one line, with a hint", async () => {
    const {createServer} = await import('node:http')
    const server = createServer((_, res) => {
      res.writeHead(502, {'content-type': 'text/html'})
      res.end('<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<h1>Bad Gateway</h1>\n</body>\n</html>\n')
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as {port: number}).port
    const c = await client(`http://127.0.0.1:${port}`)
    const error = await failure(c.get(KS))
    c.close()
    server.close()
    expect(error.code).to.equal('KUBE_API')
    expect(error.message.split('\n'), error.message).to.have.length(1)
    expect(error.message).to.include('Bad Gateway')
    expect(error.hint).to.include('retry in a minute')
  })

  it('an answer that is not JSON: BAD_RESPONSE', async () => {
    const {createServer} = await import('node:http')
    const server = createServer((_, res) => res.end('<html>login</html>'))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as {port: number}).port
    const c = await client(`http://127.0.0.1:${port}`)
    const error = await failure(c.get(KS))
    c.close()
    server.close()
    expect(error.code).to.equal('BAD_RESPONSE')
  })

  describe('watches', () => {
    const watchOnce = async (c: KubeClient) =>
      new Promise<unknown>((resolve, reject) => {
        c.watch(KS, {resourceVersion: '1'}, () => {}, resolve).catch(reject)
      })

    it('asks the server to end the watch after the request timeout (timeoutSeconds); a server end is null', async () => {
      const c = await client(standin.url, undefined, 1000)
      const before = standin.watches().length
      expect(await watchOnce(c)).to.equal(null)
      expect(standin.watches()[before]?.query.timeoutSeconds).to.equal('1')
      c.close()
    })

    it('a frozen server (headers, then nothing): TIMEOUT, not retryable', async () => {
      standin.frozenWatches = true
      const c = await client(standin.url, undefined, 1000)
      const error = (await watchOnce(c)) as PikselError & {retryable: boolean}
      c.close()
      expect(error.code).to.equal('TIMEOUT')
      expect(error.retryable).to.equal(false)
      expect(error.message).to.include(standin.url).and.to.include('on the watch kustomizations')
    })

    it('a watch refused otherwise (503): KUBE_API naming the server and the watch, left to the caller to retry', async () => {
      standin.faults.push({path: /kustomizations$/, code: 503, reason: 'ServiceUnavailable', message: 'no'})
      const c = await client(standin.url)
      const error = (await watchOnce(c)) as PikselError & {retryable?: boolean}
      c.close()
      expect(error.code).to.equal('KUBE_API')
      expect(error.message).to.include(standin.url).and.to.include('watch kustomizations').and.to.include('503')
      expect(error.hint).to.include('retry')
      expect(error.retryable).to.equal(undefined)
    })

    it('a watch answered 200 and ended at once without an event (a proxy page): BAD_RESPONSE, not a clean end', async () => {
      const {createServer} = await import('node:http')
      const server = createServer((_, res) => {
        res.writeHead(200, {'content-type': 'text/html'})
        res.end('<html>Sign in</html>')
      })
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      const port = (server.address() as {port: number}).port
      const c = await client(`http://127.0.0.1:${port}`, undefined, 2000)
      const error = (await watchOnce(c)) as PikselError
      c.close()
      server.close()
      expect(error).not.to.equal(null)
      expect(error.code).to.equal('BAD_RESPONSE')
      expect(error.message).to.include('ended the watch kustomizations')
    })

    it('a watch whose server is gone: NETWORK naming the watch', async () => {
      const c = await client(`http://127.0.0.1:${await freePort()}`)
      const error = (await watchOnce(c)) as PikselError
      c.close()
      expect(error.code).to.equal('NETWORK')
      expect(error.message).to.include('watch kustomizations').and.to.include('ECONNREFUSED')
    })

    it('a refused watch (403): ACCESS_DENIED naming the watch, not retryable', async () => {
      standin.faults.push({path: /kustomizations$/, code: 403, reason: 'Forbidden', message: 'no'})
      const c = await client(standin.url)
      const error = (await watchOnce(c)) as PikselError & {retryable: boolean}
      c.close()
      expect(error.code).to.equal('ACCESS_DENIED')
      expect(error.message).to.include('may not watch kustomizations')
      expect(error.retryable).to.equal(false)
    })
  })

  describe('the exec credential plugin', () => {
    const execUser = (command: string) =>
      [
        '  user:',
        '    exec:',
        '      apiVersion: client.authentication.k8s.io/v1beta1',
        `      command: ${command}`,
        '      args: [eks, get-token, --cluster-name, piksel-staging]',
        '      interactiveMode: Never',
      ].join('\n')

    it('is bound (client-node still keeps its spawn function where this expects it)', async () => {
      const kc = await loadKubeConfig({kubeconfig: kubeconfig(standin.url)})
      expect(await boundCredentialPlugin(kc)).to.equal(true)
    })

    it('one that hangs is killed after the request timeout: TIMEOUT naming it', async () => {
      const stubs = new StubBin().add('aws', {stdout: '{}', sleep: 600})
      const c = await client(standin.url, execUser(join(stubs.dir, 'aws')), 1000)
      const error = await failure(c.get(KS))
      expect(error.code).to.equal('TIMEOUT')
      expect(error.message).to.include('credential plugin').and.to.include('eks get-token').and.to.include('within 1s')
    })

    it('one whose own child keeps its output open (a wrapper script) is stopped too: TIMEOUT, the child killed', async () => {
      // `sleep` is not the script's last command, so the shell forks it: it holds the plugin's stdout.
      const dir = mkdtempSync(join(tmpdir(), 'piksel-wrapper-'))
      const pidFile = join(dir, 'child.pid')
      const plugin = join(dir, 'aws-wrapper')
      writeFileSync(plugin, `#!/bin/sh\nsleep 600 &\necho $! > ${pidFile}\nwait\necho '{}'\n`, {mode: 0o755})
      const c = await client(standin.url, execUser(plugin), 1000)
      const error = await failure(c.get(KS))
      expect(error.code).to.equal('TIMEOUT')
      expect(error.message).to.include('credential plugin').and.to.include('aws-wrapper')
      const pid = Number(readFileSync(pidFile, 'utf8'))
      expect(pid).to.be.above(0)
      // Killed with its group; give init a moment to reap it (a zombie still answers signal 0).
      for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100))
      expect(alive(pid), `pid ${pid} still runs`).to.equal(false)
    })

    it('one whose SSO session expired: SSO_EXPIRED with the login command', async () => {
      const stubs = new StubBin().add('aws', {
        stderr: '\nError when retrieving token from sso: Token has expired and refresh failed\n',
        exitCode: 255,
      })
      const c = await client(standin.url, execUser(join(stubs.dir, 'aws')))
      const error = await failure(c.get(KS))
      expect(error.code).to.equal('SSO_EXPIRED')
      expect(error.hint).to.include('aws sso login')
    })

    it('one that fails otherwise: CREDENTIALS with its own words; one that is missing: CREDENTIALS', async () => {
      const stubs = new StubBin().add('aws', {stderr: 'cluster piksel-nope not found\n', exitCode: 254})
      const failed = await failure((await client(standin.url, execUser(join(stubs.dir, 'aws')))).get(KS))
      expect(failed.code).to.equal('CREDENTIALS')
      expect(failed.message).to.include('cluster piksel-nope not found')
      const missing = await failure((await client(standin.url, execUser('/nonexistent/aws'))).get(KS))
      expect(missing.code).to.equal('CREDENTIALS')
      expect(missing.message).to.include('ENOENT')
    })
  })
})

describe('a kubeconfig server without a scheme is read as kubectl reads it', () => {
  // client-go rest.DefaultServerUrlFor: https when TLS is configured (CA, insecure-skip-tls-verify, client cert).
  const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64')
  const cert = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n').toString('base64')
  const table: Array<[string, string, string, string]> = [
    ['host:port, token only (kubectl proxy)', 'localhost:8001', '{}', 'http://localhost:8001'],
    ['an IP and port, token only', '127.0.0.1:6443', '{}', 'http://127.0.0.1:6443'],
    ['with a CA', '10.0.0.1:6443', `{certificate-authority-data: ${CA}}`, 'https://10.0.0.1:6443'],
    ['with insecure-skip-tls-verify', '10.0.0.1:6443', '{insecure-skip-tls-verify: true}', 'https://10.0.0.1:6443'],
    ['an https:// server is left as written', 'https://10.0.0.1:6443', '{}', 'https://10.0.0.1:6443'],
    ['an http:// server is left as written', 'http://127.0.0.1:8001', '{}', 'http://127.0.0.1:8001'],
  ]
  for (const [what, server, tls, expected] of table) {
    it(`${what}: ${server} -> ${expected}`, async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'piksel-kc-')), 'config')
      const cluster = `{server: "${server}"${tls === '{}' ? '' : `, ${tls.slice(1, -1)}`}}`
      writeFileSync(
        file,
        `apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n  cluster: ${cluster}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\nusers:\n- name: u\n  user: {token: t}\n`,
      )
      const kc = await loadKubeConfig({kubeconfig: file})
      expect(kc.getCurrentCluster()?.server).to.equal(expected)
    })
  }
  it('a client certificate of a user it is used with: https', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'piksel-kc-')), 'config')
    writeFileSync(
      file,
      `apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n  cluster: {server: "10.0.0.1:6443"}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\nusers:\n- name: u\n  user: {client-certificate-data: ${cert}, client-key-data: ${cert}}\n`,
    )
    const kc = await loadKubeConfig({kubeconfig: file})
    expect(kc.getCurrentCluster()?.server).to.equal('https://10.0.0.1:6443')
  })
})
