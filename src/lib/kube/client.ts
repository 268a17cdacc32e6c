/**
 * A small JSON client over the kubeconfig's server and credentials: GET and
 * merge-patch through node:http(s) with a keep-alive agent, watches through
 * client-node's Watch. client-node does the kubeconfig and auth (certificates,
 * tokens, exec plugins such as `aws eks get-token`).
 */
import type {Agent as HttpAgent, IncomingMessage} from 'node:http'
import type {RequestOptions} from 'node:https'

import type {KubeConfig} from '@kubernetes/client-node'

import {CredentialsError, OperationError} from '../errors.ts'

export class KubeApiError extends OperationError {
  readonly statusCode: number
  constructor(message: string, statusCode: number, hint?: string) {
    super(message, {code: statusCode === 404 ? 'KUBE_NOT_FOUND' : 'KUBE_API', hint})
    this.statusCode = statusCode
  }
}

export interface WatchEvent<T = unknown> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR' | string
  object: T
}

export class KubeClient {
  readonly kc: KubeConfig
  readonly server: string
  private agent?: HttpAgent
  private readonly secure: boolean

  constructor(kc: KubeConfig) {
    this.kc = kc
    const server = kc.getCurrentCluster()?.server
    if (!server) {
      throw new OperationError('The kube context has no cluster server.', {
        code: 'KUBECONFIG',
        hint: 'Check --context / the kubeconfig (kubectl config view --minify).',
      })
    }
    this.server = server.replace(/\/+$/, '')
    this.secure = this.server.startsWith('https:')
  }

  get contextName(): string {
    return this.kc.getCurrentContext()
  }

  async get<T>(path: string, options: {signal?: AbortSignal} = {}): Promise<T> {
    return this.request<T>('GET', path, undefined, undefined, options.signal)
  }

  async mergePatch<T>(path: string, patch: unknown, options: {signal?: AbortSignal} = {}): Promise<T> {
    return this.request<T>('PATCH', path, JSON.stringify(patch), 'application/merge-patch+json', options.signal)
  }

  /**
   * Watch a collection from a resourceVersion; resolves to a stop function.
   * `done` is called once when the stream ends (server close, error, timeout).
   */
  async watch<T>(
    path: string,
    query: Record<string, string | undefined>,
    onEvent: (event: WatchEvent<T>) => void,
    done: (error: unknown) => void,
  ): Promise<() => void> {
    const {Watch} = await import('@kubernetes/client-node')
    const watch = new Watch(this.kc)
    const controller = await watch.watch(
      path,
      {...query, allowWatchBookmarks: true},
      (type, object) => onEvent({type, object: object as T}),
      done,
    )
    return () => controller.abort()
  }

  close(): void {
    this.agent?.destroy()
  }

  private async request<T>(
    method: string,
    path: string,
    body: string | undefined,
    contentType: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    const opts: RequestOptions = {headers: {}}
    await this.kc.applyToHTTPSOptions(opts)
    const url = new URL(this.server + path)
    const http = this.secure ? await import('node:https') : await import('node:http')
    if (!this.agent) {
      this.agent = this.secure
        ? new (await import('node:https')).Agent({
            keepAlive: true,
            maxSockets: 16,
            ca: opts.ca,
            cert: opts.cert,
            key: opts.key,
            pfx: opts.pfx,
            passphrase: opts.passphrase,
            rejectUnauthorized: opts.rejectUnauthorized,
            servername: opts.servername,
          })
        : new (await import('node:http')).Agent({keepAlive: true, maxSockets: 16})
    }
    const headers: Record<string, string> = {accept: 'application/json'}
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (v !== undefined) headers[k] = String(v)
    if (contentType) headers['content-type'] = contentType
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body))
    const auth = opts.auth
    return new Promise<T>((resolve, reject) => {
      const req = http.request(url, {method, headers, agent: this.agent, auth, signal}, (res: IncomingMessage) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          const status = res.statusCode ?? 0
          if (status >= 200 && status < 300) {
            try {
              resolve(JSON.parse(text) as T)
            } catch (error) {
              reject(
                new OperationError(`${method} ${url.pathname}: the API answered with invalid JSON.`, {cause: error}),
              )
            }
            return
          }
          reject(apiError(method, url.pathname, status, text))
        })
      })
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error.name === 'AbortError') return reject(signal?.reason ?? error)
        reject(
          new OperationError(`Kubernetes API at ${this.server} is not reachable: ${error.code ?? error.message}.`, {
            code: 'KUBE_UNREACHABLE',
            hint: 'Check the kube context (--context, --kubeconfig), the network, and that the cluster is up.',
            cause: error,
          }),
        )
      })
      if (body !== undefined) req.write(body)
      req.end()
    })
  }
}

function apiError(method: string, path: string, status: number, text: string): OperationError {
  let message = text.slice(0, 300)
  try {
    const parsed = JSON.parse(text) as {message?: string}
    if (parsed.message) message = parsed.message
  } catch {
    // not a Status object
  }
  if (status === 401) {
    return new CredentialsError(`The Kubernetes API refused the credentials (401): ${message}`, {
      hint: 'Refresh them: `aws sso login --profile <profile>`, then retry (the kubeconfig runs `aws eks get-token`).',
    })
  }
  if (status === 403) {
    return new KubeApiError(
      `Forbidden (403) on ${method} ${path}: ${message}`,
      status,
      'Your identity lacks RBAC permission for this; ask for the flux-view role or use another --context.',
    )
  }
  return new KubeApiError(`${method} ${path} failed (${status}): ${message}`, status)
}
