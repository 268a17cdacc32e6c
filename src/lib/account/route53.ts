/**
 * Reads the environment's hosted zone and its parent's delegation through
 * @aws-sdk/client-route-53 (imported lazily, clients from the project's factory). Route 53 is
 * global: the SDK signs for its partition's global endpoint whatever the session's region, and
 * moto keeps one global backend. Only reads (ListHostedZonesByName, GetHostedZone,
 * ListResourceRecordSets): piksel never creates or changes DNS.
 */
import type * as Route53Sdk from '@aws-sdk/client-route-53'

import {explainAwsError} from '../aws/errors.ts'
import {type AwsSession, createAwsClient} from '../aws/session.ts'
import {OperationError, PikselError} from '../errors.ts'
import {normaliseName} from './delegation.ts'
import {closeOnAbort} from './iam.ts'

export const ROUTE53_ACTIONS = [
  'route53:ListHostedZonesByName',
  'route53:GetHostedZone',
  'route53:ListResourceRecordSets',
]

export interface HostedZone {
  /** Without the `/hostedzone/` prefix. */
  id: string
  name: string
  /** The zone's delegation set (what the parent must point at). */
  nameServers: string[]
}

export interface ZoneLookup {
  /** The public zones of exactly this name (normally one). */
  zones: HostedZone[]
}

type R53 = typeof Route53Sdk

async function withRoute53<T>(
  session: AwsSession,
  action: string,
  body: (sdk: R53, client: InstanceType<R53['Route53Client']>) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const sdk = await import('@aws-sdk/client-route-53')
  const client = createAwsClient(sdk.Route53Client, session)
  // The run interrupted: the call in flight ends now, not at the request timeout.
  const release = closeOnAbort(signal, () => client.destroy())
  try {
    return await body(sdk, client)
  } catch (error) {
    if (error instanceof PikselError) throw error
    throw await explainAwsError(error, session, action)
  } finally {
    release()
    client.destroy()
  }
}

const bareId = (id: string) => id.replace(/^\/hostedzone\//, '')

/** Route 53's largest answer (MaxItems) for ListHostedZonesByName. */
export const ZONES_PAGE_SIZE = 100
/** At most this many answers are read for one name (5,000 zones; the default account quota is 500). */
export const ZONES_MAX_PAGES = 50

/**
 * The public hosted zones named `zone`, each with its name servers (GetHostedZone); private
 * zones of the name are skipped. ListHostedZonesByName starts at the name, in DNS order, zones
 * of one name next to each other (by id), at most MaxItems per answer; a truncated answer
 * names where the next starts (NextDNSName, NextHostedZoneId; Route 53 API reference). There is
 * no SDK paginator for it, so the pages are followed here, each call under the client's
 * timeout, stopping at the first zone of another name and after ZONES_MAX_PAGES answers: more
 * is an OperationError (DNS_ZONE_LOOKUP), never a zone reported missing from a partial list.
 */
export async function findPublicZones(session: AwsSession, zone: string, signal?: AbortSignal): Promise<ZoneLookup> {
  const name = normaliseName(zone)
  return withRoute53(
    session,
    `Looking up hosted zone ${name}`,
    async (sdk, client) => {
      const listed: Array<{Id: string}> = []
      let start: {DNSName: string; HostedZoneId?: string} = {DNSName: `${name}.`}
      for (let page = 0; ; page++) {
        if (page === ZONES_MAX_PAGES) {
          throw new OperationError(
            `Route 53 listed more than ${ZONES_MAX_PAGES * ZONES_PAGE_SIZE} hosted zones named ${name} and was still going; piksel stopped reading rather than guess whether a public one is among the rest.`,
            {
              code: 'DNS_ZONE_LOOKUP',
              hint: `Delete the hosted zones named ${name} that are not used (\`aws route53 list-hosted-zones-by-name --dns-name ${name}\`).`,
            },
          )
        }
        const out = await client.send(new sdk.ListHostedZonesByNameCommand({...start, MaxItems: ZONES_PAGE_SIZE}))
        const zones = out.HostedZones ?? []
        const past = zones.findIndex((z) => normaliseName(z.Name ?? '') !== name)
        for (const z of past < 0 ? zones : zones.slice(0, past)) {
          if (!z.Config?.PrivateZone && z.Id) listed.push({Id: z.Id})
        }
        if (past >= 0 || !out.IsTruncated || !out.NextDNSName || normaliseName(out.NextDNSName) !== name) break
        start = {DNSName: out.NextDNSName, ...(out.NextHostedZoneId ? {HostedZoneId: out.NextHostedZoneId} : {})}
      }
      const zones = await Promise.all(
        listed.map(async (z) => {
          const detail = await client.send(new sdk.GetHostedZoneCommand({Id: bareId(z.Id)}))
          return {id: bareId(z.Id), name, nameServers: detail.DelegationSet?.NameServers ?? []}
        }),
      )
      return {zones}
    },
    signal,
  )
}

/**
 * The NS values for `name` in the zone `zoneId`; undefined when the zone has no NS record of
 * that name (ListResourceRecordSets from the name and type: the first record is it, or is not).
 */
export async function nsRecord(
  session: AwsSession,
  zoneId: string,
  name: string,
  signal?: AbortSignal,
): Promise<string[] | undefined> {
  const wanted = normaliseName(name)
  return withRoute53(
    session,
    `Reading the NS record of ${wanted}`,
    async (sdk, client) => {
      const out = await client.send(
        new sdk.ListResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          StartRecordName: `${wanted}.`,
          StartRecordType: 'NS',
          MaxItems: 1,
        }),
      )
      const record = out.ResourceRecordSets?.[0]
      if (!record || record.Type !== 'NS' || normaliseName(record.Name ?? '') !== wanted) return undefined
      return (record.ResourceRecords ?? []).map((r) => r.Value ?? '').filter(Boolean)
    },
    signal,
  )
}
