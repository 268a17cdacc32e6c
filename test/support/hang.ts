/**
 * Loopback endpoints that misbehave, for the "no call can hang" tests:
 *
 * - `hangingEndpoint('silent')`: accepts the connection, reads the request,
 *   never answers a byte.
 * - `hangingEndpoint('mid-body')`: answers the status line and headers and the
 *   first bytes of a long body, then freezes (the connection stays open).
 * - `hangingEndpoint('trickle')`: answers the headers, then one byte of the body
 *   every 200 ms, never finishing it (no idle timeout ever fires).
 * - `awsFaultProxy`: forwards to a real stand-in (moto, the Service Quotas
 *   stand-in) except the operations told to hang or to fail with an AWS error
 *   in the service's own protocol (JSON 1.1 `__type`, Query XML, REST JSON/XML).
 *
 * Every socket is destroyed on `close()`, so a test never leaves one behind.
 */
import {type IncomingMessage, type Server as HttpServer, type ServerResponse, createServer} from 'node:http'
import {type Server, type Socket, createServer as createNetServer} from 'node:net'

export interface Endpoint {
  url: string
  /** Requests (connections that sent bytes) seen so far. */
  requests: () => number
  close: () => Promise<void>
}

export type HangMode = 'silent' | 'mid-body' | 'trickle'

export async function hangingEndpoint(mode: HangMode, contentType = 'application/json'): Promise<Endpoint> {
  const sockets = new Set<Socket>()
  let requests = 0
  const server: Server = createNetServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let answered = false
    socket.on('data', () => {
      if (answered) return
      answered = true
      requests++
      if (mode === 'trickle') {
        socket.write(`HTTP/1.1 200 OK\r\ncontent-type: ${contentType}\r\ncontent-length: 100000\r\n\r\n`)
        const timer = setInterval(() => socket.write(' '), 200)
        socket.on('close', () => clearInterval(timer))
        return
      }
      if (mode === 'mid-body') {
        // Headers and the start of a body that never ends.
        socket.write(
          `HTTP/1.1 200 OK\r\ncontent-type: ${contentType}\r\ncontent-length: 100000\r\nx-amzn-requestid: frozen\r\n\r\n`,
        )
        socket.write(
          contentType.includes('xml') ? '<?xml version="1.0"?><Response><Result>' : '{"kind":"List","items":[',
        )
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** The AWS protocols of the services piksel calls. */
export type AwsProtocol = 'json' | 'query' | 'rest-json' | 'rest-xml'

export const PROTOCOL: Record<string, AwsProtocol> = {
  SecretsManager: 'json',
  ServiceQuotas: 'json',
  STS: 'query',
  IAM: 'query',
  EKS: 'rest-json',
  S3: 'rest-xml',
}

export interface Fault {
  /** The operation (e.g. CreateSecret, GetCallerIdentity); every operation when omitted. */
  operation?: string
  /** Never answer (`'silent'`), or freeze mid-body. */
  hang?: HangMode
  /** Answer with this AWS error (name, HTTP status, message). */
  error?: {name: string; status?: number; message?: string}
  /** Answer with this raw body and status (e.g. an HTML page from a proxy). */
  raw?: {status: number; body: string; contentType?: string; headers?: Record<string, string>}
}

/** The operation a request is for: JSON's X-Amz-Target, Query's Action=, else the REST path. */
export function operationOf(req: IncomingMessage, body: string): string {
  const target = String(req.headers['x-amz-target'] ?? '')
  if (target) return target.split('.').pop() ?? ''
  const action = /(?:^|&)Action=([^&]+)/.exec(body)?.[1]
  if (action) return decodeURIComponent(action)
  return `${req.method} ${req.url ?? ''}`
}

/** An AWS error in a protocol's wire format. */
export function awsErrorBody(protocol: AwsProtocol, name: string, message: string): {type: string; body: string} {
  const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;')
  switch (protocol) {
    case 'json':
      return {type: 'application/x-amz-json-1.1', body: JSON.stringify({__type: name, message})}
    case 'rest-json':
      return {type: 'application/json', body: JSON.stringify({message})}
    case 'query':
      return {
        type: 'text/xml',
        body: `<ErrorResponse><Error><Type>Sender</Type><Code>${name}</Code><Message>${esc(message)}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
      }
    case 'rest-xml':
      return {
        type: 'application/xml',
        body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${name}</Code><Message>${esc(message)}</Message><RequestId>r-1</RequestId></Error>`,
      }
  }
}

export interface FaultProxy extends Endpoint {
  /** Operations received, in order (e.g. `DescribeSecret`). */
  operations: string[]
  faults: Fault[]
}

/**
 * An AWS endpoint for one protocol: faults by operation, else forwarded to
 * `upstream` (or, without one, a 500 saying nothing matched).
 */
export async function awsFaultProxy(protocol: AwsProtocol, faults: Fault[], upstream?: string): Promise<FaultProxy> {
  const sockets = new Set<Socket>()
  const operations: string[] = []
  const handle = async (req: IncomingMessage, res: ServerResponse, body: string) => {
    const operation = operationOf(req, body)
    operations.push(operation)
    const fault = faults.find((f) => !f.operation || operation === f.operation || operation.includes(f.operation))
    if (fault?.hang === 'silent') return
    if (fault?.hang === 'trickle') {
      res.writeHead(200, {'content-type': 'application/x-amz-json-1.1', 'content-length': '100000'})
      const timer = setInterval(() => res.write(' '), 200)
      res.on('close', () => clearInterval(timer))
      return
    }
    if (fault?.hang === 'mid-body') {
      res.writeHead(200, {'content-type': 'application/x-amz-json-1.1', 'content-length': '100000'})
      res.write('{"SecretList":[')
      return
    }
    if (fault?.raw) {
      res.writeHead(fault.raw.status, {'content-type': fault.raw.contentType ?? 'text/html', ...fault.raw.headers})
      return res.end(req.method === 'HEAD' ? undefined : fault.raw.body)
    }
    if (fault?.error) {
      const {type, body: text} = awsErrorBody(protocol, fault.error.name, fault.error.message ?? fault.error.name)
      const headers: Record<string, string> = {'content-type': type, 'x-amzn-requestid': 'r-1'}
      if (protocol === 'rest-json' || protocol === 'json') headers['x-amzn-errortype'] = fault.error.name
      res.writeHead(fault.error.status ?? 400, headers)
      return res.end(req.method === 'HEAD' ? undefined : text)
    }
    if (!upstream) {
      res.writeHead(500, {'content-type': 'text/plain'})
      return res.end(`no fault and no upstream for ${operation}`)
    }
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host') headers[k] = v
    const answer = await fetch(`${upstream}${req.url ?? '/'}`, {
      method: req.method,
      headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
    })
    const out: Record<string, string> = {}
    answer.headers.forEach((value, key) => {
      if (!['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(key)) out[key] = value
    })
    res.writeHead(answer.status, out)
    res.end(Buffer.from(await answer.arrayBuffer()))
  }
  const server: HttpServer = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => {
      handle(req, res, body).catch((error: Error) => {
        if (!res.headersSent) res.writeHead(502)
        res.end(String(error.message))
      })
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    operations,
    faults,
    requests: () => operations.length,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
