/**
 * A small JSON client over the kubeconfig's server and credentials: GET and
 * merge-patch through node:http(s) with a keep-alive agent, watches through
 * client-node's Watch. client-node does the kubeconfig and auth (certificates,
 * tokens, exec plugins such as `aws eks get-token`).
 *
 * Bounded in time (the run's --request-timeout, see timeouts.ts): a connect
 * timeout, an idle timeout on every request (no byte of the answer for that
 * long, before or during the body, fails it with TIMEOUT), and the same time
 * for the whole request (an answer that trickles in a byte at a time never
 * trips an idle timeout, so the call as a whole is bounded too, as every AWS
 * call is). A watch asks the API
 * server to end it after the same time (`timeoutSeconds`, which the server
 * honours) and fails with TIMEOUT when the server then says nothing for longer:
 * a frozen server, not a quiet one.
 *
 * Errors by kind: TIMEOUT, NETWORK, CREDENTIALS_INVALID (401), ACCESS_DENIED
 * (403, naming the verb and resource), NOT_FOUND (404), THROTTLED (429),
 * BAD_RESPONSE (not JSON), KUBE_API (anything else the server refused).
 *
 * (About 490 lines: requests, watches and their error mapping share one connection and
 * one set of timeouts; apart, each would need the other's internals.)
 */
import type {Agent as HttpAgent, ClientRequest, IncomingMessage} from 'node:http'
import type {RequestOptions} from 'node:https'
import type {Socket} from 'node:net'

import type {KubeConfig} from '@kubernetes/client-node'

import {CredentialsError, OperationError, PikselError} from '../errors.ts'
import {formatDuration} from '../duration.ts'
import {type Timeouts, requestTimeouts} from '../timeouts.ts'

export class KubeApiError extends OperationError {
  readonly statusCode: number
  /**
   * The answer was a Kubernetes `Status` (an API server's own refusal), not a page a proxy or
   * load balancer in front of it sent with the same HTTP status (set by apiError).
   */
  apiStatus = true
  constructor(message: string, statusCode: number, hint?: string, code?: string) {
    super(message, {code: code ?? kubeCodeOf(statusCode), hint})
    this.statusCode = statusCode
  }
}

/** Pure: the code of an API server's refusal by HTTP status. */
export function kubeCodeOf(status: number): string {
  if (status === 401) return 'CREDENTIALS_INVALID'
  if (status === 403) return 'ACCESS_DENIED'
  if (status === 404) return 'NOT_FOUND'
  if (status === 429) return 'THROTTLED'
  return 'KUBE_API'
}

/** A call to the API server that got no answer (or no more bytes of it) in time. */
export class KubeTimeoutError extends OperationError {
  /** A watch is never restarted after this: the server is not answering. */
  readonly retryable = false
  constructor(message: string, hint: string) {
    super(message, {code: 'TIMEOUT', hint})
  }
}

export interface WatchEvent<T = unknown> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR' | string
  object: T
}

/** What a request does, in RBAC's words: `list kustomizations.kustomize.toolkit.fluxcd.io in all namespaces`. Pure. */
export function describeRequest(method: string, path: string, watch = false): string {
  const [route = ''] = path.split('?')
  const parts = route.split('/').filter(Boolean)
  let group = ''
  let rest: string[]
  if (parts[0] === 'api') rest = parts.slice(2)
  else if (parts[0] === 'apis') {
    group = parts[1] ?? ''
    rest = parts.slice(3)
  } else return `${method} ${route}`
  if (rest.length === 0) return `${method === 'GET' ? 'get' : method.toLowerCase()} ${route} (discovery)`
  let namespace: string | undefined
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = decodeURIComponent(rest[1] ?? '')
    rest = rest.slice(2)
  }
  const [plural = '', name] = rest
  const resource = group ? `${plural}.${group}` : plural
  const verb = watch
    ? 'watch'
    : method === 'GET'
      ? name
        ? 'get'
        : 'list'
      : method === 'PATCH'
        ? 'patch'
        : method.toLowerCase()
  const what = name ? `${resource} ${decodeURIComponent(name)}` : resource
  if (parts[0] === 'api' && plural === 'namespaces') return `${verb} ${what}`
  return `${verb} ${what} ${namespace ? `in namespace ${namespace}` : 'in all namespaces'}`
}

export class KubeClient {
  readonly kc: KubeConfig
  readonly server: string
  readonly timeouts: Timeouts
  private agent?: HttpAgent
  private readonly secure: boolean

  constructor(kc: KubeConfig, timeouts: Timeouts = requestTimeouts()) {
    this.kc = kc
    this.timeouts = timeouts
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

  /**
   * GET and parse. `sensitive` (a Secret): the answer's bytes are zeroed once parsed, so no
   * copy of them stays in a buffer (the parsed strings are the caller's to let go of), and no
   * error quotes the answer: a refusal keeps only an API server’s Status message, and the JSON
   * parser’s excerpt of an unparsable answer is dropped.
   */
  async get<T>(path: string, options: {signal?: AbortSignal; sensitive?: boolean; maxBytes?: number} = {}): Promise<T> {
    return this.request<T>('GET', path, undefined, undefined, options.signal, options.sensitive, options.maxBytes)
  }

  async mergePatch<T>(path: string, patch: unknown, options: {signal?: AbortSignal} = {}): Promise<T> {
    return this.request<T>('PATCH', path, JSON.stringify(patch), 'application/merge-patch+json', options.signal)
  }

  /**
   * Watch a collection from a resourceVersion; resolves to a stop function.
   * `done` is called once when the stream ends: null when the server ended it
   * (its `timeoutSeconds`, a routine restart), else the error. A TIMEOUT error
   * (a KubeTimeoutError, `retryable: false`) means the server stopped answering.
   */
  async watch<T>(
    path: string,
    query: Record<string, string | undefined>,
    onEvent: (event: WatchEvent<T>) => void,
    done: (error: unknown) => void,
  ): Promise<() => void> {
    const {loadClientNode} = await import('./client-node.ts')
    const {Watch} = await loadClientNode()
    const watch = new Watch(this.kc)
    // The server ends a watch after timeoutSeconds; past that plus a connect's grace, silence means it froze.
    const serverSeconds = Math.max(1, Math.floor(this.timeouts.requestMs / 1000))
    const idleMs = serverSeconds * 1000 + this.timeouts.connectMs
    // client-node's own inactivity timer (connect, then no bytes), private but designed for this.
    ;(watch as unknown as {requestTimeoutMs: number}).requestTimeoutMs = idleMs
    const what = describeRequest('GET', path, true)
    const started = Date.now()
    let events = 0
    let controller: AbortController
    try {
      controller = await watch.watch(
        path,
        {...query, allowWatchBookmarks: true, timeoutSeconds: serverSeconds},
        (type, object) => {
          events++
          onEvent({type, object: object as T})
        },
        (error: unknown) => {
          if (error) return done(this.watchError(error, path, what, idleMs))
          // Ended at once, without an event, when asked to stay open for serverSeconds: a proxy's
          // page, not an API server. Reported as an error, so it is retried with a backoff, not in a loop.
          if (events === 0 && Date.now() - started < (serverSeconds * 1000) / 2) {
            return done(
              new OperationError(
                `Kubernetes API at ${this.server} ended the ${what} at once, without an event (asked to keep it open ${serverSeconds} s): that is not an API server's answer.`,
                {
                  code: 'BAD_RESPONSE',
                  hint: 'Check the kube context’s server (`kubectl config view --minify`); a proxy in front of the API server may answer watches itself.',
                },
              ),
            )
          }
          done(null)
        },
      )
    } catch (error) {
      throw this.credentialsError(error)
    }
    return () => controller.abort()
  }

  close(): void {
    this.agent?.destroy()
  }

  private watchError(error: unknown, path: string, what: string, idleMs: number): unknown {
    const e = error as {name?: string; statusCode?: number; message?: string}
    if (e?.name === 'TimeoutError') {
      return new KubeTimeoutError(
        `Kubernetes API at ${this.server} sent nothing for ${formatDuration(idleMs)} on the ${what} (it should end a watch after ${formatDuration(idleMs - this.timeouts.connectMs)}).`,
        'The API server stopped answering: check the cluster, the network or VPN; --request-timeout 1m waits longer.',
      )
    }
    // 410 Gone stays as it is (the caller lists again); refusals are mapped like a request's.
    if (e?.statusCode === 401 || e?.statusCode === 403) {
      return Object.assign(apiError('GET', path, e.statusCode, e.message ?? '', true), {retryable: false})
    }
    if (e?.statusCode === 410 || error instanceof PikselError) return error
    // Anything else may pass (the caller retries it a while): mapped, so what it reports when it does not is actionable.
    if (typeof e?.statusCode === 'number')
      return apiError('GET', path, e.statusCode, e.message ?? '', true, undefined, this.server)
    const cause = (error as {cause?: NodeJS.ErrnoException})?.cause
    return this.networkError(
      Object.assign(new Error(cause?.message ?? e?.message ?? String(error)), {code: cause?.code}),
      'GET',
      path,
      true,
    )
  }

  /** Applying the kubeconfig's credentials failed: the plugin's own error (mapped in config.ts), or the kubeconfig. */
  private credentialsError(error: unknown): PikselError {
    if (error instanceof PikselError) return error
    return new OperationError(
      `Cannot use the credentials of kube context "${this.contextName}": ${(error as Error)?.message ?? String(error)}`,
      {
        code: 'KUBECONFIG',
        hint: 'Check the context’s user and cluster (`kubectl config view --minify`), or pass --context / --kubeconfig.',
        cause: error,
      },
    )
  }

  private networkError(error: NodeJS.ErrnoException, method: string, path: string, watch = false): OperationError {
    const reason = error.code ?? error.message
    return new OperationError(
      `Kubernetes API at ${this.server} is not reachable (${describeRequest(method, path, watch)}): ${reason}.`,
      {
        code: 'NETWORK',
        hint: 'Check the kube context (--context, --kubeconfig), the network or VPN, and that the cluster is up.',
        cause: error,
      },
    )
  }

  private async request<T>(
    method: string,
    path: string,
    body: string | undefined,
    contentType: string | undefined,
    signal: AbortSignal | undefined,
    sensitive = false,
    maxBytes = Number.POSITIVE_INFINITY,
  ): Promise<T> {
    const opts: RequestOptions = {headers: {}}
    try {
      await this.kc.applyToHTTPSOptions(opts)
    } catch (error) {
      throw this.credentialsError(error)
    }
    const url = new URL(this.server + path)
    const http = this.secure ? await import('node:https') : await import('node:http')
    if (!this.agent) {
      // The cluster's `proxy-url` (HTTP(S) or SOCKS, as kubectl honours it): client-node's proxy agent
      // (the one its watches use too), which carries the same TLS settings.
      const proxied = this.kc.getCurrentCluster()?.proxyUrl ? (opts.agent as HttpAgent | undefined) : undefined
      this.agent =
        proxied ??
        (this.secure
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
          : new (await import('node:http')).Agent({keepAlive: true, maxSockets: 16}))
    }
    const headers: Record<string, string> = {accept: 'application/json'}
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (v !== undefined) headers[k] = String(v)
    if (contentType) headers['content-type'] = contentType
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body))
    const auth = opts.auth
    const {connectMs, requestMs} = this.timeouts
    const what = describeRequest(method, path)
    return new Promise<T>((resolve, reject) => {
      let settled = false
      let whole: NodeJS.Timeout | undefined = undefined
      const settle = (fn: () => void) => {
        if (settled) return
        settled = true
        clearTimeout(whole)
        fn()
      }
      let timedOut: KubeTimeoutError | undefined
      /** The response's headers came: past the deadline the answer is unfinished, not absent. */
      let answered = false
      const timeout = (phase: 'connect' | 'answer' | 'whole') => {
        if (timedOut || settled) return
        timedOut = new KubeTimeoutError(
          phase === 'connect'
            ? `Kubernetes API at ${this.server}: no connection within ${formatDuration(connectMs)} (${what}).`
            : phase === 'answer'
              ? `Kubernetes API at ${this.server} sent nothing for ${formatDuration(requestMs)} (${what}).`
              : `Kubernetes API at ${this.server} did not finish its answer within ${formatDuration(requestMs)} (${what}).`,
          method === 'GET'
            ? 'Check the cluster, the network or VPN, and the kube context; --request-timeout 1m waits longer.'
            : `The ${method} may or may not have been applied: look at the object again (\`piksel status\`) before retrying; --request-timeout 1m waits longer.`,
        )
        req.destroy(timedOut)
        settle(() => reject(timedOut))
      }
      const req: ClientRequest = http.request(
        url,
        {method, headers, agent: this.agent, auth, signal},
        (res: IncomingMessage) => {
          answered = true
          const chunks: Buffer[] = []
          let size = 0
          res.on('data', (chunk: Buffer) => {
            chunks.push(chunk)
            size += chunk.length
            if (size <= maxBytes || settled) return
            // More than the object can be (a Secret): not read further, nothing of it kept.
            if (sensitive) for (const buffer of chunks) buffer.fill(0)
            chunks.length = 0
            const mib = maxBytes / 1024 / 1024
            const tooLarge = new OperationError(
              `Kubernetes API: the answer to ${what} is over ${mib} MiB, more than any Secret (at most 1 MiB of data): not read further.`,
              {
                code: 'BAD_RESPONSE',
                hint: 'Check the kube context’s server (`kubectl config view --minify`): something other than the API server answered.',
              },
            )
            settle(() => reject(tooLarge))
            req.destroy()
          })
          res.on('error', (error) => settle(() => reject(timedOut ?? this.networkError(error, method, path))))
          res.on('aborted', () =>
            settle(() => reject(timedOut ?? this.networkError(new Error('the answer was cut off'), method, path))),
          )
          res.on('end', () => {
            const bytes = Buffer.concat(chunks)
            const text = bytes.toString('utf8')
            if (sensitive) for (const buffer of [bytes, ...chunks]) buffer.fill(0)
            chunks.length = 0
            const status = res.statusCode ?? 0
            if (status >= 200 && status < 300) {
              try {
                const parsed = JSON.parse(text) as T
                settle(() => resolve(parsed))
              } catch (error) {
                settle(() =>
                  reject(
                    new OperationError(`Kubernetes API at ${this.server}: the answer to ${what} is not JSON.`, {
                      code: 'BAD_RESPONSE',
                      hint: 'Is the kubeconfig server an API server (not a proxy login page)? Check the kube context.',
                      // JSON.parse's message quotes the text around the fault: for a Secret, its data.
                      cause: sensitive ? undefined : error,
                    }),
                  ),
                )
              }
              return
            }
            // A refusal's body is quoted in the error; for a Secret, only an API server's Status message
            // (its own words), never another body: a proxy's page or echo may carry the object.
            const quoted = sensitive && statusMessage(text) === undefined ? SENSITIVE_ANSWER : text
            settle(() => reject(apiError(method, path, status, quoted, false, res.headers.location, this.server)))
          })
        },
      )
      req.on('socket', (socket: Socket) => {
        if (!socket.connecting) return
        const timer = setTimeout(() => timeout('connect'), connectMs)
        socket.once('connect', () => clearTimeout(timer))
        req.once('close', () => clearTimeout(timer))
      })
      // Socket inactivity: nothing before the headers, or the body froze.
      req.setTimeout(requestMs, () => timeout('answer'))
      // The whole request: an answer trickling in a byte at a time resets the idle timer forever.
      whole = setTimeout(() => timeout(answered ? 'whole' : 'answer'), requestMs)
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (timedOut) return settle(() => reject(timedOut))
        if (error.name === 'AbortError') return settle(() => reject(signal?.reason ?? error))
        settle(() => reject(this.networkError(error, method, path)))
      })
      if (body !== undefined) req.write(body)
      req.end()
    })
  }
}

/** What an error says instead of the answer to a `sensitive` request. */
const SENSITIVE_ANSWER = '(the answer is not shown: it may hold the Secret’s data)'

/** Pure: the message of a Kubernetes `Status` object (an API server's refusal), else undefined. */
export function statusMessage(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as {kind?: unknown; message?: unknown} | null
    return parsed?.kind === 'Status' && typeof parsed.message === 'string' ? parsed.message : undefined
  } catch {
    return undefined
  }
}

export function apiError(
  method: string,
  path: string,
  status: number,
  text: string,
  watch = false,
  location?: string,
  server?: string,
): OperationError {
  let message = text.replace(/\s+/g, ' ').trim().slice(0, 300)
  try {
    const parsed = JSON.parse(text) as {message?: string}
    if (parsed.message) message = parsed.message
  } catch {
    // not a Status object
  }
  const what = describeRequest(method, path, watch)
  if (status >= 300 && status < 400) {
    // An API server never redirects; a login proxy (OIDC, a VPN portal) in front of it does.
    return new OperationError(
      `${server ? `Kubernetes API at ${server}` : 'The Kubernetes API'} redirected the ${what} (HTTP ${status})${location ? ` to ${location}` : ''}: that is not an API server's answer.`,
      {
        code: 'BAD_RESPONSE',
        hint: 'Check the kube context’s server (`kubectl config view --minify`); a proxy in front of the API server needs its own login first.',
      },
    )
  }
  if (status === 401) {
    return new CredentialsError(`The Kubernetes API refused the credentials (401) to ${what}: ${message}`, {
      code: 'CREDENTIALS_INVALID',
      hint: 'Refresh them: `aws sso login --profile <profile>`, then retry (the kubeconfig runs `aws eks get-token`).',
    })
  }
  const apiStatus = statusMessage(text) !== undefined
  if (status === 403) {
    const error = new KubeApiError(
      `Forbidden (403): the kube identity may not ${what}: ${message}`,
      status,
      'Ask for RBAC permission to do this (e.g. the flux-view role), or use another --context.',
    )
    error.apiStatus = apiStatus
    return error
  }
  if (status === 404) {
    const error = new KubeApiError(
      `Not found (404): ${what}: ${message}`,
      status,
      'Check the name, the namespace and the kube context.',
    )
    error.apiStatus = apiStatus
    return error
  }
  if (status === 429) {
    return new KubeApiError(
      `The Kubernetes API is throttling requests (429) to ${what}: ${message}`,
      status,
      'Wait a minute and run again.',
    )
  }
  return new KubeApiError(
    `${server ? `Kubernetes API at ${server}: ` : ''}${what} failed (${status}): ${message}`,
    status,
    status >= 500
      ? 'The API server failed; retry in a minute, and check the cluster’s health.'
      : status === 409
        ? 'It changed meanwhile: look at it again (`piksel status`) and run again.'
        : 'The API server refused the request as sent; if its message does not say what to change, re-run with --verbose and report it.',
  )
}
