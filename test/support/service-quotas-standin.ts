/**
 * A loopback stand-in for AWS Service Quotas (moto has none). It speaks the AWS
 * JSON 1.1 protocol (`X-Amz-Target: ServiceQuotasV20190624.<Operation>`) to the
 * real SDK client and the aws CLI, keeps state (applied values, defaults, request
 * history), records every request it receives, and takes injected faults
 * (throttling N times, access denied, a request answered ResourceAlreadyExists...).
 *
 * Point clients at it with AWS_ENDPOINT_URL_SERVICE_QUOTAS=<endpoint>.
 *
 * Run alone (demo, bench: their runners block the event loop with spawnSync):
 *   node test/support/service-quotas-standin.ts [--port N] [--state '<json StandinState>']
 * prints `listening <endpoint>` on stdout.
 */
import {randomUUID} from 'node:crypto'
import {type IncomingMessage, type Server, type ServerResponse, createServer} from 'node:http'

export const TARGET_PREFIX = 'ServiceQuotasV20190624'

/** AWS's names for the EC2 GPU vCPU quotas (as the console shows them). */
export const GPU_QUOTA_NAMES: Record<string, string> = {
  'L-DB2E81BA': 'Running On-Demand G and VT instances',
  'L-3819A6DF': 'All G and VT Spot Instance Requests',
  'L-417A185B': 'Running On-Demand P instances',
  'L-7212CCBC': 'All P Spot Instance Requests',
  'L-1945791B': 'Running On-Demand Inf instances',
  'L-B5D1601B': 'All Inf Spot Instance Requests',
  'L-2C3B7624': 'Running On-Demand Trn instances',
  'L-6B0D517C': 'All Trn Spot Instance Requests',
  'L-6E869C2A': 'Running On-Demand DL instances',
  'L-85EED4F7': 'All DL Spot Instance Requests',
}

/**
 * The usage metric AWS declares for each of them (GetServiceQuota's `UsageMetric`):
 * AWS/Usage ResourceCount, counted in vCPUs, one Class per family and market.
 */
export const GPU_QUOTA_USAGE_CLASSES: Record<string, string> = {
  'L-DB2E81BA': 'G/OnDemand',
  'L-3819A6DF': 'G/Spot',
  'L-417A185B': 'P/OnDemand',
  'L-7212CCBC': 'P/Spot',
  'L-1945791B': 'Inf/OnDemand',
  'L-B5D1601B': 'Inf/Spot',
  'L-2C3B7624': 'Trn/OnDemand',
  'L-6B0D517C': 'Trn/Spot',
  'L-6E869C2A': 'DL/OnDemand',
  'L-85EED4F7': 'DL/Spot',
}

/** The UsageMetric of an EC2 vCPU quota, as Service Quotas returns it. */
export function usageMetricOf(code: string): Record<string, unknown> | undefined {
  const usageClass = GPU_QUOTA_USAGE_CLASSES[code]
  if (!usageClass) return undefined
  return {
    MetricNamespace: 'AWS/Usage',
    MetricName: 'ResourceCount',
    MetricDimensions: {Service: 'EC2', Type: 'Resource', Resource: 'vCPU', Class: usageClass},
    MetricStatisticRecommendation: 'Maximum',
  }
}

export interface StandinQuota {
  name: string
  /** Answer without a UsageMetric (as for quotas that declare none). */
  noUsageMetric?: boolean
  /** AWS's default (GetAWSDefaultServiceQuota). */
  defaultValue: number
  /** The applied value; undefined: GetServiceQuota answers NoSuchResourceException. */
  applied?: number
}

export interface StandinRequest {
  Id: string
  CaseId?: string
  ServiceCode: string
  ServiceName: string
  QuotaCode: string
  QuotaName: string
  DesiredValue: number
  Status: string
  /** Epoch seconds, as the JSON protocol carries timestamps. */
  Created: number
  LastUpdated: number
  Requester?: string
  Unit: string
  GlobalQuota: boolean
}

export interface StandinFault {
  /** Operation name, e.g. GetServiceQuota; all operations when omitted. */
  operation?: string
  /** Only for this quota code. */
  quotaCode?: string
  /** The AWS error name, e.g. TooManyRequestsException. */
  error: string
  message?: string
  /** HTTP status (AWS answers 400 for most Service Quotas errors, 500 for ServiceException). */
  status?: number
  /** How many times; forever when omitted. */
  times?: number
}

export interface StandinState {
  quotas?: Record<string, Partial<StandinQuota>>
  /** Request history per quota code (Created in epoch seconds). */
  history?: Record<string, Array<Partial<StandinRequest> & {DesiredValue: number; Status: string}>>
  faults?: StandinFault[]
  /** Status a new request gets (PENDING unless told). */
  newRequestStatus?: string
}

export interface ReceivedCall {
  operation: string
  body: Record<string, unknown>
  signed: boolean
  /** The region the request was signed for (the Authorization header's credential scope). */
  region?: string
}

export class ServiceQuotasStandin {
  readonly quotas = new Map<string, StandinQuota>()
  readonly history = new Map<string, StandinRequest[]>()
  readonly faults: StandinFault[] = []
  readonly received: ReceivedCall[] = []
  newRequestStatus = 'PENDING'
  /** Delay before each answer, so tests can see how many calls a client keeps in flight. */
  latencyMs = 0
  /** The most requests that were in flight at once. */
  maxInFlight = 0
  endpoint = ''
  private inFlight = 0
  private server?: Server
  private counter = 0

  constructor(state: StandinState = {}) {
    for (const [code, name] of Object.entries(GPU_QUOTA_NAMES)) this.quotas.set(code, {name, defaultValue: 0})
    this.load(state)
  }

  /** Replace quotas, history and faults (keeps the recorded calls). */
  load(state: StandinState): this {
    for (const [code, quota] of Object.entries(state.quotas ?? {})) {
      const current = this.quotas.get(code) ?? {name: GPU_QUOTA_NAMES[code] ?? code, defaultValue: 0}
      this.quotas.set(code, {...current, ...quota})
    }
    for (const [code, requests] of Object.entries(state.history ?? {})) {
      for (const request of requests) this.addRequest(code, request)
    }
    this.faults.push(...(state.faults ?? []))
    if (state.newRequestStatus) this.newRequestStatus = state.newRequestStatus
    return this
  }

  setApplied(code: string, value: number | undefined): this {
    const quota = this.quota(code)
    if (quota) quota.applied = value
    return this
  }

  addRequest(code: string, request: Partial<StandinRequest> & {DesiredValue: number; Status: string}): StandinRequest {
    const now = Math.floor(Date.now() / 1000)
    const full: StandinRequest = {
      Id: request.Id ?? this.nextId(),
      ...(request.CaseId ? {CaseId: request.CaseId} : {}),
      ServiceCode: 'ec2',
      ServiceName: 'Amazon Elastic Compute Cloud (Amazon EC2)',
      QuotaCode: code,
      QuotaName: this.quota(code)?.name ?? code,
      DesiredValue: request.DesiredValue,
      Status: request.Status,
      Created: request.Created ?? now,
      LastUpdated: request.LastUpdated ?? request.Created ?? now,
      Requester: request.Requester ?? 'arn:aws:iam::123456789012:user/moto',
      Unit: 'None',
      GlobalQuota: false,
    }
    const list = this.history.get(code) ?? []
    list.push(full)
    this.history.set(code, list)
    return full
  }

  inject(fault: StandinFault): this {
    this.faults.push(fault)
    return this
  }

  /** The RequestServiceQuotaIncrease calls that got through (what was filed). */
  filed(): Array<{QuotaCode: string; DesiredValue: number; ServiceCode: string}> {
    return this.calls('RequestServiceQuotaIncrease') as Array<{
      QuotaCode: string
      DesiredValue: number
      ServiceCode: string
    }>
  }

  /** Bodies of every call of an operation received (including faulted ones). */
  calls(operation: string): Array<Record<string, unknown>> {
    return this.received.filter((c) => c.operation === operation).map((c) => c.body)
  }

  async start(port = 0): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res))
    // Longer than the SDK's retry backoff: a kept-alive socket is not closed under a retry (ECONNRESET).
    server.keepAliveTimeout = 60_000
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => resolve())
    })
    const address = server.address()
    this.endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`
    return this
  }

  async stop(): Promise<void> {
    const server = this.server
    if (!server) return
    this.server = undefined
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  private quota(code: string): StandinQuota | undefined {
    return this.quotas.get(code)
  }

  private nextId(): string {
    this.counter += 1
    return `req-${String(this.counter).padStart(4, '0')}${Math.random().toString(16).slice(2, 10)}`
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight += 1
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
    res.once('close', () => (this.inFlight -= 1))
    if (this.latencyMs) await new Promise((r) => setTimeout(r, this.latencyMs))
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const target = String(req.headers['x-amz-target'] ?? '')
    const operation = target.startsWith(`${TARGET_PREFIX}.`) ? target.slice(TARGET_PREFIX.length + 1) : ''
    let body: Record<string, unknown> = {}
    try {
      body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {}
    } catch {
      return this.error(res, 'SerializationException', 'body is not JSON', 400)
    }
    const signed = /^AWS4-HMAC-SHA256 /.test(String(req.headers.authorization ?? ''))
    const region = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1]
    this.received.push({operation, body, signed, region})
    if (req.method !== 'POST' || !operation) {
      return this.error(res, 'UnknownOperationException', `no operation in X-Amz-Target "${target}"`, 400)
    }
    if (!signed) return this.error(res, 'MissingAuthenticationTokenException', 'request is not signed', 403)

    const fault = this.faults.find(
      (f) =>
        (f.operation === undefined || f.operation === operation) &&
        (f.quotaCode === undefined || f.quotaCode === body.QuotaCode) &&
        (f.times === undefined || f.times > 0),
    )
    if (fault) {
      if (fault.times !== undefined) fault.times -= 1
      return this.error(res, fault.error, fault.message ?? `injected ${fault.error}`, fault.status ?? 400)
    }

    switch (operation) {
      case 'GetServiceQuota':
        return this.getServiceQuota(res, body, false)
      case 'GetAWSDefaultServiceQuota':
        return this.getServiceQuota(res, body, true)
      case 'ListRequestedServiceQuotaChangeHistoryByQuota':
        return this.listHistory(res, body)
      case 'RequestServiceQuotaIncrease':
        return this.requestIncrease(res, body)
      default:
        return this.error(res, 'UnknownOperationException', `the stand-in does not implement ${operation}`, 400)
    }
  }

  private getServiceQuota(res: ServerResponse, body: Record<string, unknown>, wantDefault: boolean): void {
    const code = String(body.QuotaCode ?? '')
    if (body.ServiceCode !== 'ec2') return this.error(res, 'NoSuchResourceException', `unknown service`, 400)
    const quota = this.quota(code)
    if (!quota)
      return this.error(
        res,
        'NoSuchResourceException',
        `The request failed because the specified quota ${code} does not exist.`,
        400,
      )
    const value = wantDefault ? quota.defaultValue : quota.applied
    if (value === undefined) {
      return this.error(
        res,
        'NoSuchResourceException',
        `The request failed because the specified service quota does not exist.`,
        400,
      )
    }
    const usageMetric = quota.noUsageMetric ? undefined : usageMetricOf(code)
    this.json(res, {
      Quota: {
        ...(usageMetric ? {UsageMetric: usageMetric} : {}),
        ServiceCode: 'ec2',
        ServiceName: 'Amazon Elastic Compute Cloud (Amazon EC2)',
        QuotaArn: `arn:aws:servicequotas:ap-southeast-3:123456789012:ec2/${code}`,
        QuotaCode: code,
        QuotaName: quota.name,
        Value: value,
        Unit: 'None',
        Adjustable: true,
        GlobalQuota: false,
      },
    })
  }

  private listHistory(res: ServerResponse, body: Record<string, unknown>): void {
    const code = String(body.QuotaCode ?? '')
    const all = (this.history.get(code) ?? []).filter((r) => !body.Status || r.Status === body.Status)
    // Pages of two, so clients must follow NextToken.
    const start = body.NextToken ? Number(body.NextToken) : 0
    const size = Math.min(Number(body.MaxResults ?? 2), 2)
    const page = all.slice(start, start + size)
    const next = start + size < all.length ? String(start + size) : undefined
    this.json(res, {RequestedQuotas: page, ...(next ? {NextToken: next} : {})})
  }

  private requestIncrease(res: ServerResponse, body: Record<string, unknown>): void {
    const code = String(body.QuotaCode ?? '')
    const desired = Number(body.DesiredValue)
    const quota = this.quota(code)
    if (!quota || body.ServiceCode !== 'ec2') {
      return this.error(res, 'NoSuchResourceException', `The specified quota ${code} does not exist.`, 400)
    }
    const open = (this.history.get(code) ?? []).find((r) => r.Status === 'PENDING' || r.Status === 'CASE_OPENED')
    if (open) {
      return this.error(res, 'ResourceAlreadyExistsException', `A request for ${code} is already ${open.Status}.`, 400)
    }
    const current = quota.applied ?? quota.defaultValue
    if (!Number.isFinite(desired) || desired <= current) {
      return this.error(
        res,
        'IllegalArgumentException',
        `The requested value ${desired} must be greater than the current value ${current}.`,
        400,
      )
    }
    const created = this.addRequest(code, {
      DesiredValue: desired,
      Status: this.newRequestStatus,
      ...(this.newRequestStatus === 'CASE_OPENED' ? {CaseId: String(17000000000 + this.counter)} : {}),
    })
    this.json(res, {RequestedQuota: created})
  }

  private json(res: ServerResponse, data: unknown): void {
    const text = JSON.stringify(data)
    res.writeHead(200, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
    })
    res.end(text)
  }

  private error(res: ServerResponse, name: string, message: string, status: number): void {
    const text = JSON.stringify({__type: `com.amazonaws.servicequotas#${name}`, message})
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
      'x-amzn-errortype': name,
    })
    res.end(text)
  }
}

export async function startServiceQuotasStandin(state: StandinState = {}, port = 0): Promise<ServiceQuotasStandin> {
  return new ServiceQuotasStandin(state).start(port)
}

if (import.meta.main) {
  const args = process.argv.slice(2)
  const option = (name: string) => {
    const i = args.indexOf(name)
    return i >= 0 ? args[i + 1] : undefined
  }
  const state = option('--state')
  const standin = await startServiceQuotasStandin(
    state ? (JSON.parse(state) as StandinState) : {},
    Number(option('--port') ?? 0),
  )
  process.stdout.write(`listening ${standin.endpoint}\n`)
  const stop = () => void standin.stop().then(() => process.exit(0))
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}
