/**
 * A loopback HTTP stand-in that proves concurrency without a clock: every request
 * is held until `count` requests are in flight together, then all are answered
 * (by `answer`, or forwarded to `forwardTo`, e.g. moto). Made one after another,
 * the first request waits alone until `giveUpMs` passes and gets a 503, so the
 * caller's check fails. Used by the `--all-envs` tests: one request per environment.
 */
import {type IncomingMessage, type Server, type ServerResponse, createServer} from 'node:http'
import type {AddressInfo} from 'node:net'

export interface RendezvousOptions {
  /** How many requests must be in flight together before any is answered. */
  count: number
  /** A lone request gives up (503) after this long; keep it under the client's request timeout. */
  giveUpMs: number
  /** Which requests take part (the others are answered or forwarded at once). Default: all. */
  matches?: (req: IncomingMessage, body: string) => boolean
  /** The answer: status and JSON body. */
  answer?: (req: IncomingMessage) => {status: number; body: unknown}
  /** Or forward the request, unchanged, to this origin (`http://127.0.0.1:PORT`). */
  forwardTo?: string
}

export class Rendezvous {
  /** Requests that took part, in arrival order (method and path). */
  readonly arrived: string[] = []
  /** Requests that gave up waiting. */
  gaveUp = 0
  private waiting: Array<() => void> = []
  private server?: Server
  port = 0

  private readonly options: RendezvousOptions

  constructor(options: RendezvousOptions) {
    this.options = options
  }

  static async start(options: RendezvousOptions): Promise<Rendezvous> {
    const r = new Rendezvous(options)
    r.server = createServer((req, res) => void r.handle(req, res))
    await new Promise<void>((resolve) => r.server?.listen(0, '127.0.0.1', resolve))
    r.port = (r.server.address() as AddressInfo).port
    return r
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    if (this.options.matches === undefined || this.options.matches(req, body.toString('utf8'))) {
      this.arrived.push(`${req.method} ${req.url}`)
      const together = await this.meet()
      if (!together) {
        this.gaveUp++
        res.writeHead(503, {'content-type': 'text/plain'}).end('rendezvous: the other requests never came')
        return
      }
    }
    await this.respond(req, body, res)
  }

  /** Resolves true once `count` requests are waiting together, false after giveUpMs alone. */
  private meet(): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = this.waiting.filter((w) => w !== release)
        resolve(false)
      }, this.options.giveUpMs)
      const release = () => {
        clearTimeout(timer)
        resolve(true)
      }
      this.waiting.push(release)
      if (this.waiting.length >= this.options.count) {
        const all = this.waiting
        this.waiting = []
        for (const w of all) w()
      }
    })
  }

  private async respond(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    if (this.options.forwardTo) {
      const headers = Object.fromEntries(
        Object.entries(req.headers).flatMap(([k, v]) =>
          typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k) ? [[k, v]] : [],
        ),
      )
      const upstream = await fetch(`${this.options.forwardTo}${req.url ?? '/'}`, {
        method: req.method,
        headers,
        ...(body.length > 0 ? {body} : {}),
      })
      const type = upstream.headers.get('content-type')
      res.writeHead(upstream.status, type ? {'content-type': type} : {})
      res.end(Buffer.from(await upstream.arrayBuffer()))
      return
    }
    const {status, body: json} = this.options.answer?.(req) ?? {status: 200, body: {}}
    res.writeHead(status, {'content-type': 'application/json'}).end(JSON.stringify(json))
  }
}
