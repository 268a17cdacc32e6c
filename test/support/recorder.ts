/**
 * A loopback AWS endpoint that records every request it gets. It answers
 * sts:GetCallerIdentity as the given account (so the account guard can run) and
 * every other call with AccessDeniedException: point AWS_ENDPOINT_URL at it to
 * prove what a command asked, how often, and that it read nothing else (e.g.
 * because the account guard refused first).
 */
import {type Server, createServer} from 'node:http'

import {MOTO_ACCOUNT, freePort} from './moto.ts'

export interface RecordedCall {
  method: string
  url: string
  /** X-Amz-Target (JSON protocols), e.g. secretsmanager.DescribeSecret; or the query Action (STS, IAM). */
  operation: string
  /** The region the request was signed for (from the Authorization header's credential scope). */
  region: string | undefined
}

export class RecordingEndpoint {
  readonly calls: RecordedCall[] = []
  endpoint = ''
  private server?: Server

  readonly account: string

  constructor(account: string = MOTO_ACCOUNT) {
    this.account = account
  }

  static async start(account?: string): Promise<RecordingEndpoint> {
    const recorder = new RecordingEndpoint(account)
    recorder.server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8')
        const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body)?.[1]
        const operation = String(req.headers['x-amz-target'] ?? action ?? '')
        const region = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1]
        recorder.calls.push({method: req.method ?? '', url: req.url ?? '', operation, region})
        if (action === 'GetCallerIdentity') {
          res.setHeader('content-type', 'text/xml')
          res.end(
            `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
              `<Arn>arn:aws:iam::${recorder.account}:user/recorded</Arn><UserId>AIDARECORDED</UserId>` +
              `<Account>${recorder.account}</Account></GetCallerIdentityResult>` +
              `<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
          )
          return
        }
        res.statusCode = 400
        res.setHeader('content-type', 'application/x-amz-json-1.1')
        res.end(JSON.stringify({__type: 'AccessDeniedException', message: 'recording endpoint: no answers'}))
      })
    })
    const port = await freePort()
    await new Promise<void>((resolve) => recorder.server?.listen(port, '127.0.0.1', resolve))
    recorder.endpoint = `http://127.0.0.1:${port}`
    return recorder
  }

  /** Calls other than sts:GetCallerIdentity. */
  reads(): RecordedCall[] {
    return this.calls.filter((c) => c.operation !== 'GetCallerIdentity')
  }

  identityCalls(): number {
    return this.calls.filter((c) => c.operation === 'GetCallerIdentity').length
  }

  reset(): void {
    this.calls.length = 0
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
  }
}
