/**
 * A loopback stand-in for Route 53's zone reads, for what moto does not model: moto's
 * ListHostedZonesByName returns every zone of exactly the asked name in one answer, ignoring
 * MaxItems and never truncating. This one answers as the Route 53 API reference describes
 * ListHostedZonesByName: zones in DNS order (labels reversed, ASCII), same-named zones by id,
 * starting at DNSName (and HostedZoneId), at most MaxItems (default 100) per answer, with
 * IsTruncated, NextDNSName and NextHostedZoneId. GetHostedZone answers with the zone's
 * delegation set. REST-XML, as the real SDK client speaks it; every request is recorded.
 *
 * Point the SDK at it with AWS_ENDPOINT_URL=<endpoint> (and test credentials).
 */
import {type Server, createServer} from 'node:http'

export interface StandinZone {
  /** Without the /hostedzone/ prefix. */
  id: string
  /** With or without the trailing dot. */
  name: string
  private?: boolean
  nameServers?: string[]
}

export interface Route53Request {
  path: string
  query: Record<string, string>
}

export interface Route53Standin {
  endpoint: string
  env: Record<string, string>
  requests: Route53Request[]
  stop: () => Promise<void>
}

const withDot = (name: string) => (name.endsWith('.') ? name : `${name}.`).toLowerCase()
/** DNS order: compare the labels from the right (com.example.www), then the id. */
const dnsKey = (name: string) => withDot(name).slice(0, -1).split('.').reverse().join('.')
function compare(a: {name: string; id: string}, b: {name: string; id: string}): number {
  const [ka, kb] = [dnsKey(a.name), dnsKey(b.name)]
  if (ka !== kb) return ka < kb ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

const escape = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
const NS = 'https://route53.amazonaws.com/doc/2013-04-01/'

function zoneXml(z: StandinZone): string {
  return `<HostedZone><Id>/hostedzone/${z.id}</Id><Name>${escape(withDot(z.name))}</Name><CallerReference>${z.id}</CallerReference><Config><PrivateZone>${z.private ? 'true' : 'false'}</PrivateZone></Config><ResourceRecordSetCount>2</ResourceRecordSetCount></HostedZone>`
}

export async function startRoute53Standin(zones: StandinZone[]): Promise<Route53Standin> {
  const sorted = [...zones].sort(compare)
  const requests: Route53Request[] = []
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const query = Object.fromEntries(url.searchParams)
    requests.push({path: url.pathname, query})
    const send = (status: number, body: string) => {
      res.writeHead(status, {'content-type': 'text/xml', 'x-amzn-requestid': `standin-${requests.length}`})
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`)
    }
    if (url.pathname === '/2013-04-01/hostedzonesbyname') {
      const maxItems = Math.min(Number(query.maxitems ?? 100), 100)
      const start = {name: query.dnsname ?? '', id: query.hostedzoneid ?? ''}
      const from = start.name ? sorted.findIndex((z) => compare(z, start) >= 0) : 0
      const rest = from < 0 ? [] : sorted.slice(from)
      const page = rest.slice(0, maxItems)
      const next = rest[maxItems]
      send(
        200,
        `<ListHostedZonesByNameResponse xmlns="${NS}"><HostedZones>${page.map(zoneXml).join('')}</HostedZones>${start.name ? `<DNSName>${escape(start.name)}</DNSName>` : ''}${start.id ? `<HostedZoneId>${start.id}</HostedZoneId>` : ''}<IsTruncated>${next ? 'true' : 'false'}</IsTruncated>${next ? `<NextDNSName>${escape(withDot(next.name))}</NextDNSName><NextHostedZoneId>${next.id}</NextHostedZoneId>` : ''}<MaxItems>${maxItems}</MaxItems></ListHostedZonesByNameResponse>`,
      )
      return
    }
    const get = /^\/2013-04-01\/hostedzone\/([^/]+)$/.exec(url.pathname)
    const zone = get ? sorted.find((z) => z.id === get[1]) : undefined
    if (zone) {
      const ns = (zone.nameServers ?? []).map((n) => `<NameServer>${escape(n)}</NameServer>`).join('')
      send(
        200,
        `<GetHostedZoneResponse xmlns="${NS}">${zoneXml(zone)}${zone.private ? '' : `<DelegationSet><NameServers>${ns}</NameServers></DelegationSet>`}</GetHostedZoneResponse>`,
      )
      return
    }
    send(
      404,
      `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>NoSuchHostedZone</Code><Message>No hosted zone found</Message></Error></ErrorResponse>`,
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  return {
    endpoint,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'ap-southeast-3',
    },
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
