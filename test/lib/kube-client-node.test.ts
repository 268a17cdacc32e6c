/**
 * client-node's KubeConfig and Watch loaded through their own files, without the generated API
 * (src/lib/kube/client-node.ts, issue 13 §6). These pin the package layout that relies on: when
 * client-node's config.js imports more from its generated index, or loads the models another
 * way, or the files move, a test here fails. And every auth method still goes through
 * client-node's own code.
 */
import {expect} from 'chai'
import {execa} from 'execa'
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {delimiter, dirname, join} from 'node:path'

import {GENERATED_INDEX, LAZY_IMPORTERS, LAZY_LIBRARIES} from '../../src/lib/kube/client-node.ts'
import {MAX_TOKEN_FILE_BYTES} from '../../src/lib/kube/kubectl-fields.ts'
import {loadKubeConfig} from '../../src/lib/kube/config.ts'

const dist = join(createRequire(import.meta.url).resolve('@kubernetes/client-node/package.json'), '..', 'dist')
const configJs = join(dist, 'config.js')

/** Run a module script in a fresh process (here, another test may have loaded client-node already); its JSON line. */
async function fresh<T>(script: string): Promise<T> {
  const r = await execa(process.execPath, ['--input-type=module', '-e', script], {
    cwd: new URL('../..', import.meta.url),
    reject: false,
  })
  expect(r.exitCode, String(r.stderr)).to.equal(0)
  return JSON.parse(String(r.stdout)) as T
}

const clientNode = JSON.stringify(new URL('../../src/lib/kube/client-node.ts', import.meta.url).href)

function kubeconfigWith(user: string[], cluster = 'server: https://127.0.0.1:6443'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'piksel-kc-')), 'config')
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'current-context: c',
      'clusters:',
      '- name: c',
      `  cluster: {${cluster}}`,
      'contexts:',
      '- name: c',
      '  context: {cluster: c, user: u}',
      'users:',
      '- name: u',
      '  user:',
      ...user.map((line) => `    ${line}`),
      '',
    ].join('\n'),
  )
  return file
}

async function requestOptions(user: string[]): Promise<{headers: Record<string, string>; [k: string]: unknown}> {
  const kc = await loadKubeConfig({kubeconfig: kubeconfigWith(user)})
  const opts = {headers: {}} as {headers: Record<string, string>}
  await kc.applyToHTTPSOptions(opts)
  return opts
}

describe('client-node without its generated API', () => {
  it('config.js imports from the generated index exactly the names the lean index gives', async () => {
    const source = readFileSync(configJs, 'utf8')
    const escaped = GENERATED_INDEX.replaceAll('.', '\\.').replaceAll('/', '\\/')
    const statements = [...source.matchAll(new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*'${escaped}'`, 'g'))]
    expect(statements, `config.js imports from ${GENERATED_INDEX} once`).to.have.length(1)
    const names = statements[0]![1]!
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean)
    const lean = await import('../../src/lib/kube/client-node-gen.ts')
    expect(Object.keys(lean).sort()).to.deep.equal([...names].sort())
    expect(names).to.deep.equal(['createConfiguration', 'ServerConfiguration'])
  })

  it('loads KubeConfig and Watch without one generated model, and they are the package index’s own classes', async () => {
    const seen = await fresh<{lean: number; full: number; same: boolean}>(`
      import {registerHooks} from 'node:module'
      let models = 0
      registerHooks({
        resolve(specifier, context, next) {
          const result = next(specifier, context)
          if (result.url.includes('/@kubernetes/client-node/dist/gen/models/')) models++
          return result
        },
      })
      const {loadClientNode} = await import(${clientNode})
      const {KubeConfig, Watch} = await loadClientNode()
      const lean = models
      const index = await import('@kubernetes/client-node')
      console.log(JSON.stringify({lean, full: models, same: KubeConfig === index.KubeConfig && Watch === index.Watch}))
    `)
    expect(seen.lean).to.equal(0)
    // The recorder sees models when they load (the package index loads them all).
    expect(seen.full).to.be.above(1000)
    expect(seen.same).to.equal(true)
  })

  it('the lazy stand-ins cover every name client-node’s files import of undici and the proxy agents', async () => {
    const lazy = await import('../../src/lib/kube/client-node-lazy.ts')
    let named = 0
    for (const file of LAZY_IMPORTERS) {
      const source = readFileSync(join(dist, file), 'utf8')
      for (const library of LAZY_LIBRARIES) {
        const all = [...source.matchAll(new RegExp(`from\\s*'${library}'`, 'g'))]
        const statements = [...source.matchAll(new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*'${library}'`, 'g'))]
        // Only named imports: a default or namespace import would bypass the stand-ins' names.
        expect(statements, `${file} imports ${library} by name only`).to.have.length(all.length)
        for (const [, list] of statements) {
          for (const name of list!
            .split(',')
            .map((n) => n.trim().split(/\s+as\s+/)[0]!)
            .filter(Boolean)) {
            named++
            expect(lazy, `${file} imports ${name} from ${library}`).to.have.property(name)
          }
        }
      }
    }
    // config.js: Agent, ProxyAgent, SocksProxyAgent, SocksClient, HttpProxyAgent, HttpsProxyAgent; fetch twice.
    expect(named).to.equal(8)
  })

  it('loads undici and the proxy agents only when used, and then they are the libraries’ own', async () => {
    const seen = await fresh<Record<string, unknown>>(`
      import {registerHooks} from 'node:module'
      const loaded = new Set()
      registerHooks({
        resolve(specifier, context, next) {
          const result = next(specifier, context)
          const m = result.url.match(/node_modules\\/(undici|hpagent|socks|socks-proxy-agent)\\//)
          if (m) loaded.add(m[1])
          return result
        },
      })
      const {loadClientNode} = await import(${clientNode})
      const {KubeConfig} = await loadClientNode()
      const before = [...loaded]
      const agentOf = async (server, proxyUrl) => {
        const kc = new KubeConfig()
        kc.loadFromOptions({
          clusters: [{name: 'c', server, proxyUrl, skipTLSVerify: true}],
          users: [{name: 'u', token: 't'}],
          contexts: [{name: 'c', cluster: 'c', user: 'u'}],
          currentContext: 'c',
        })
        const opts = {headers: {}}
        await kc.applyToHTTPSOptions(opts)
        return {agent: opts.agent, dispatcher: kc.createDispatcher(kc.getCurrentCluster(), {rejectUnauthorized: false})}
      }
      const socks = await agentOf('https://k8s.invalid', 'socks5://127.0.0.1:1080')
      const https = await agentOf('https://k8s.invalid', 'http://127.0.0.1:3128')
      const http = await agentOf('http://k8s.invalid', 'http://127.0.0.1:3128')
      const plain = await agentOf('https://k8s.invalid')
      const undici = await import('undici')
      const hpagent = await import('hpagent')
      const {SocksProxyAgent} = await import('socks-proxy-agent')
      console.log(JSON.stringify({
        before,
        after: [...loaded].sort(),
        socks: socks.agent instanceof SocksProxyAgent && socks.dispatcher instanceof undici.Agent,
        https: https.agent instanceof hpagent.HttpsProxyAgent && https.dispatcher instanceof undici.ProxyAgent,
        http: http.agent instanceof hpagent.HttpProxyAgent,
        plain: plain.dispatcher instanceof undici.Agent,
        fetch: typeof (await import(${JSON.stringify(new URL('../../src/lib/kube/client-node-lazy.ts', import.meta.url).href)})).fetch === 'function',
      }))
    `)
    expect(seen.before).to.deep.equal([])
    expect(seen.after).to.deep.equal(['hpagent', 'socks', 'socks-proxy-agent', 'undici'])
    expect(seen).to.include({socks: true, https: true, http: true, plain: true, fetch: true})
  })

  describe('every auth method still applies (client-node’s own code)', () => {
    it('a token', async () => {
      expect((await requestOptions(['token: tok-1'])).headers.Authorization).to.equal('Bearer tok-1')
    })

    it('a token file (client-node reads the user’s `token-file`)', async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'piksel-token-')), 'token')
      writeFileSync(file, 'tok-from-file')
      expect((await requestOptions([`token-file: ${file}`])).headers.Authorization).to.equal('Bearer tok-from-file')
    })

    it('kubectl’s `tokenFile`, relative to the kubeconfig’s directory, its newline trimmed (client-go)', async () => {
      const file = kubeconfigWith(['tokenFile: ./token'])
      writeFileSync(join(dirname(file), 'token'), 'tok-kubectl\n')
      const kc = await loadKubeConfig({kubeconfig: file})
      const opts = {headers: {}} as {headers: Record<string, string>}
      await kc.applyToHTTPSOptions(opts)
      expect(opts.headers.Authorization).to.equal('Bearer tok-kubectl')
    })

    it('a token file written by `echo` (a trailing newline) is trimmed, not sent into the header', async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'piksel-token-')), 'token')
      writeFileSync(file, 'tok-echoed\n')
      expect((await requestOptions([`token-file: ${file}`])).headers.Authorization).to.equal('Bearer tok-echoed')
    })

    it('KUBECONFIG files: each one’s `tokenFile` relative to its own directory', async () => {
      const other = kubeconfigWith(['token: unused'])
      const first = kubeconfigWith(['tokenFile: token'])
      writeFileSync(join(dirname(first), 'token'), 'tok-first\n')
      const saved = process.env.KUBECONFIG
      process.env.KUBECONFIG = [first, other].join(delimiter)
      try {
        const kc = await loadKubeConfig({})
        const opts = {headers: {}} as {headers: Record<string, string>}
        await kc.applyToHTTPSOptions(opts)
        expect(opts.headers.Authorization).to.equal('Bearer tok-first')
      } finally {
        if (saved === undefined) delete process.env.KUBECONFIG
        else process.env.KUBECONFIG = saved
      }
    })

    it('a `tokenFile` that cannot be read: KUBECONFIG, exit 2', async () => {
      const error = await loadKubeConfig({kubeconfig: kubeconfigWith(['tokenFile: ./missing'])}).then(
        () => undefined,
        (e: unknown) => e as {code?: string; exitCode?: number},
      )
      expect(error?.code).to.equal('KUBECONFIG')
      expect(error?.exitCode).to.equal(2)
    })

    it('a `tokenFile` of a user no chosen context uses may be unreadable (kubectl reads only the one it needs)', async () => {
      const file = kubeconfigWith(['token: tok-in-use'])
      // Another context's user, its token file long gone: kubectl works, so must piksel.
      writeFileSync(
        file,
        readFileSync(file, 'utf8') + ['- name: stale', '  user:', '    tokenFile: ./gone', ''].join('\n'),
      )
      const kc = await loadKubeConfig({kubeconfig: file})
      const opts = {headers: {}} as {headers: Record<string, string>}
      await kc.applyToHTTPSOptions(opts)
      expect(opts.headers.Authorization).to.equal('Bearer tok-in-use')
    })

    it('a `tokenFile` larger than a token can be (a log, a device) is not read whole: KUBECONFIG, exit 2', async () => {
      const file = kubeconfigWith(['tokenFile: ./huge'])
      writeFileSync(join(dirname(file), 'huge'), 'x'.repeat(MAX_TOKEN_FILE_BYTES + 1))
      const error = await loadKubeConfig({kubeconfig: file}).then(
        () => undefined,
        (e: unknown) => e as {code?: string; exitCode?: number; message?: string},
      )
      expect(error?.code).to.equal('KUBECONFIG')
      expect(error?.exitCode).to.equal(2)
      expect(error?.message).to.include(`larger than ${MAX_TOKEN_FILE_BYTES} bytes`)
    })

    it('a client certificate and key', async () => {
      const cert = Buffer.from('CERT').toString('base64')
      const key = Buffer.from('KEY').toString('base64')
      const opts = await requestOptions([`client-certificate-data: ${cert}`, `client-key-data: ${key}`])
      expect(String(opts.cert)).to.equal('CERT')
      expect(String(opts.key)).to.equal('KEY')
    })

    it('basic auth', async () => {
      expect((await requestOptions(['username: ann', 'password: pw'])).auth).to.equal('ann:pw')
    })

    it('an OIDC auth provider’s id-token (client-node’s OpenIDConnectAuth, which imports openid-client)', async () => {
      const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
      const idToken = `${part({alg: 'none'})}.${part({exp: Math.floor(Date.now() / 1000) + 3600})}.sig`
      const opts = await requestOptions([
        'auth-provider:',
        '  name: oidc',
        '  config:',
        '    client-id: piksel',
        `    id-token: ${idToken}`,
        '    idp-issuer-url: https://issuer.invalid',
      ])
      expect(opts.headers.Authorization).to.equal(`Bearer ${idToken}`)
    })

    it('an exec credential plugin, also one without args', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'piksel-exec-'))
      const plugin = join(dir, 'get-token')
      const credential = {
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        kind: 'ExecCredential',
        status: {token: 'k8s-aws-v1.tok'},
      }
      writeFileSync(plugin, `#!/bin/sh\necho '${JSON.stringify(credential)}'\n`, {mode: 0o755})
      const opts = await requestOptions([
        'exec:',
        '  apiVersion: client.authentication.k8s.io/v1beta1',
        `  command: ${plugin}`,
        '  interactiveMode: Never',
      ])
      expect(opts.headers.Authorization).to.equal('Bearer k8s-aws-v1.tok')
    })

    it('an exec plugin given by a relative path runs from the kubeconfig’s directory (client-go), not the current one', async () => {
      const file = kubeconfigWith([
        'exec:',
        '  apiVersion: client.authentication.k8s.io/v1',
        '  command: ./bin/get-token',
        '  interactiveMode: Never',
      ])
      const credential = {apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: {token: 'rel'}}
      mkdirSync(join(dirname(file), 'bin'))
      writeFileSync(join(dirname(file), 'bin', 'get-token'), `#!/bin/sh\necho '${JSON.stringify(credential)}'\n`, {
        mode: 0o755,
      })
      expect(process.cwd()).to.not.equal(dirname(file))
      const kc = await loadKubeConfig({kubeconfig: file})
      const opts = {headers: {}} as {headers: Record<string, string>}
      await kc.applyToHTTPSOptions(opts)
      expect(opts.headers.Authorization).to.equal('Bearer rel')
    })
  })
})
