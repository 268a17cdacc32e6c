/**
 * The environment's public hosted zone and its delegation: read with the environment's session,
 * the parent zone with `dns.parentProfile`'s when set (the hub account). Shared by the `dns`
 * bootstrap step and the `dns-zone` doctor check; the judgement is pure, tested table-driven.
 */
import type {AwsSession} from '../aws/session.ts'
import type {Environment} from '../config/environment.ts'
import {CheckFailedError, OperationError, PikselError} from '../errors.ts'
import {
  type DelegationComparison,
  compareDelegation,
  delegationFixCommand,
  enclosingZoneNames,
  isApex,
  normaliseName,
  parentZoneName,
} from './delegation.ts'
import type {HostedZone} from './route53.ts'

export interface DnsInspection {
  zone: string
  /** The public zones of that name in the environment's account (normally one). */
  zones: HostedZone[]
  /**
   * The closest enclosing public zone (the parent, else a further ancestor), looked up unless the
   * zone is missing or is a registered domain with no parentProfile. When none is found: the
   * parent's name, no zones, and every name looked up in `searched`.
   */
  parent?: {
    name: string
    searched?: string[]
    profile?: string
    zones: HostedZone[]
    /** The NS values of the zone's name in each parent zone (undefined: no NS record). */
    records: Array<{zoneId: string; nameServers: string[] | undefined}>
  }
}

/** Reads the zone and, when it should be delegated by a hosted zone, the parent's NS record. No write. */
export async function inspectDns(
  session: AwsSession,
  dns: NonNullable<Environment['dns']>,
  sessionFor: (profile: string) => AwsSession,
  signal?: AbortSignal,
): Promise<DnsInspection> {
  const {findPublicZones, nsRecord} = await import('./route53.ts')
  const zone = normaliseName(dns.zone)
  const {zones} = await findPublicZones(session, zone, signal)
  const parentName = parentZoneName(zone)
  // A two-label zone (example.org) is delegated by its registrar, not a hosted zone, unless a profile says where.
  if (zones.length === 0 || !parentName || (isApex(zone) && !dns.parentProfile)) return {zone, zones}
  const parentSession = dns.parentProfile ? sessionFor(dns.parentProfile) : session
  // The closest enclosing zone holds the delegation: the parent, else the next ancestor that exists.
  const searched: string[] = []
  let parents: {zones: HostedZone[]} = {zones: []}
  let name = parentName
  let records: NonNullable<DnsInspection['parent']>['records']
  try {
    for (const candidate of enclosingZoneNames(zone)) {
      searched.push(candidate)
      parents = await findPublicZones(parentSession, candidate, signal)
      if (parents.zones.length > 0) {
        name = candidate
        break
      }
    }
    records = await Promise.all(
      parents.zones.map(async (p) => ({zoneId: p.id, nameServers: await nsRecord(parentSession, p.id, zone, signal)})),
    )
  } catch (error) {
    throw dns.parentProfile ? parentProfileError(error, dns.parentProfile, parentName) : error
  }
  return {
    zone,
    zones,
    parent: {
      name,
      searched,
      ...(dns.parentProfile ? {profile: dns.parentProfile} : {}),
      zones: parents.zones,
      records,
    },
  }
}

/**
 * A credentials failure of the parent profile names the config key it came from: the shared
 * hint says `--profile`, which does not choose this profile. Other errors pass unchanged.
 */
function parentProfileError(error: unknown, profile: string, parentName: string): unknown {
  if (!(error instanceof PikselError) || !PROFILE_CODES.has(error.code)) return error
  return new OperationError(`${error.message} It is dns.parentProfile, for the zone ${parentName}.`, {
    code: error.code,
    hint: `Fix dns.parentProfile in the config (it names the profile of the account holding ${parentName}), or set that profile up: \`aws configure sso --profile ${profile}\` / \`aws sso login --profile ${profile}\`.`,
  })
}
const PROFILE_CODES = new Set(['PROFILE_NOT_FOUND', 'NO_CREDENTIALS', 'SSO_EXPIRED', 'CREDENTIALS_EXPIRED'])

export interface DnsJudgement {
  status: 'pass' | 'warn' | 'fail'
  summary: string
  warnings: string[]
  /** The step's failure (exit 3); undefined when the check passed or only warned. */
  error?: CheckFailedError
  details: {
    zone: string
    zoneId: string | null
    nameServers: string[]
    parentZone: string | null
    parentZoneId: string | null
    delegation: {state: DelegationComparison['state'] | 'not-checked'; parentNameServers: string[]}
  }
}

const nsList = (values: readonly string[]) => (values.length > 0 ? values.join(', ') : 'none')

/** Pure: the inspection judged. */
export function judgeDns(inspection: DnsInspection, env: Pick<Environment, 'name'>): DnsJudgement {
  const {zone, zones, parent} = inspection
  const warnings: string[] = []
  const none = {state: 'not-checked' as const, parentNameServers: []}
  if (zones.length === 0) {
    const summary = `no public hosted zone ${zone} in this account`
    return {
      status: 'fail',
      summary,
      warnings,
      error: new CheckFailedError(`DNS: ${summary}. piksel never creates DNS.`, {
        code: 'DNS_ZONE_MISSING',
        hint: `Create the zone (piksel-infra's Terraform, or \`aws route53 create-hosted-zone --name ${zone} --caller-reference piksel-${env.name}\`), or fix environments.${env.name}.dns.zone.`,
      }),
      details: {
        zone,
        zoneId: null,
        nameServers: [],
        parentZone: parent?.name ?? null,
        parentZoneId: null,
        delegation: none,
      },
    }
  }
  // Which of several zones of one name the parent delegates to, for the refusal below.
  const comparisons = zones.flatMap((z) =>
    (parent?.records ?? []).map((r) => ({
      zone: z,
      parentZoneId: r.zoneId,
      result: compareDelegation(z.nameServers, r.nameServers),
    })),
  )
  const matched = comparisons.find((c) => c.result.state === 'match')
  if (zones.length > 1) {
    // Never one picked: Terraform's aws_route53_zone lookup by name fails on two as well, and
    // records written to the one the parent does not delegate to are never served.
    const ids = zones.map((z) => z.id).join(', ')
    const summary = `${zones.length} public hosted zones are named ${zone} (${ids}); ${matched ? `the parent delegates to ${matched.zone.id}` : parent?.zones.length ? 'the parent delegates to none of them' : 'no parent zone says which is used'}`
    return {
      status: 'fail',
      summary,
      warnings,
      error: new CheckFailedError(`DNS: ${summary}. piksel does not pick one, and never changes DNS.`, {
        code: 'DNS_ZONE_AMBIGUOUS',
        hint: `Keep one public zone named ${zone}${matched ? ` (${matched.zone.id}, the delegated one)` : ''}: move what the others hold into it and delete them (\`aws route53 delete-hosted-zone --id ZONE_ID\`).`,
      }),
      details: {
        zone,
        zoneId: null,
        nameServers: [],
        parentZone: parent?.name ?? null,
        parentZoneId: matched?.parentZoneId ?? null,
        delegation: none,
      },
    }
  }
  const chosen = zones[0]!
  const base = {zone, zoneId: chosen.id, nameServers: [...chosen.nameServers].map(normaliseName).sort()}
  const own = `zone ${zone} (${chosen.id})`
  if (!parent) {
    const summary = `${own} exists; ${isApex(zone) ? 'its delegation is at the domain registrar (not checked)' : 'no parent zone to check'}`
    return {
      status: 'pass',
      summary,
      warnings,
      details: {...base, parentZone: null, parentZoneId: null, delegation: none},
    }
  }
  const where = parent.profile ? `with profile ${parent.profile}` : 'in this account'
  if (parent.zones.length === 0) {
    const names = parent.searched?.length ? parent.searched : [parent.name]
    const summary = `${own} exists; no public hosted zone ${names.join(' or ')} found ${where}, so its delegation was not checked`
    const details = {...base, parentZone: parent.name, parentZoneId: null, delegation: none}
    if (!parent.profile) {
      return {
        status: 'warn',
        summary: `${summary} (set environments.${env.name}.dns.parentProfile to the profile of the account that holds it)`,
        warnings,
        details,
      }
    }
    return {
      status: 'fail',
      summary,
      warnings,
      error: new CheckFailedError(`DNS: ${summary}.`, {
        code: 'DNS_PARENT_MISSING',
        hint: `Check environments.${env.name}.dns.parentProfile (${parent.profile}): it must reach the account whose Route 53 holds ${names.join(' or ')}.`,
      }),
      details,
    }
  }
  const best =
    matched ??
    comparisons.find((c) => c.zone === chosen && c.result.state === 'different') ??
    comparisons.find((c) => c.zone === chosen)!
  const {result} = best
  const details = {
    ...base,
    parentZone: parent.name,
    parentZoneId: best.parentZoneId,
    delegation: {state: result.state, parentNameServers: result.parent},
  }
  if (result.state === 'match') {
    // The enclosing zone is itself ambiguous: the delegation found may sit in the copy nobody serves.
    if (parent.zones.length > 1) {
      const delegating = comparisons.filter((c) => c.result.state === 'match').map((c) => c.parentZoneId)
      const above = parentZoneName(parent.name) ?? 'its parent'
      warnings.push(
        `${parent.name} is ${parent.zones.length} public hosted zones (${parent.zones.map((p) => p.id).join(', ')}) and ${delegating.length === parent.zones.length ? 'each' : `only ${delegating.join(', ')}`} delegates ${zone}: resolvers follow the one the name servers of ${above} point at, which piksel did not check; keep one zone named ${parent.name}`,
      )
    }
    return {
      status: 'pass',
      summary: `${own} exists; ${parent.name} (${best.parentZoneId}) delegates to its ${result.zone.length} name servers`,
      warnings,
      details,
    }
  }
  const fix = delegationFixCommand(zone, best.parentZoneId, chosen.nameServers, parent.profile)
  const summary =
    result.state === 'missing'
      ? `${parent.name} (${best.parentZoneId}) has no NS record for ${zone}: the zone is not delegated (its name servers: ${nsList(result.zone)})`
      : `${parent.name} (${best.parentZoneId}) delegates ${zone} to ${nsList(result.parent)}, but the zone's name servers are ${nsList(result.zone)}`
  return {
    status: 'fail',
    summary: `${summary}; fix: ${fix}`,
    warnings,
    error: new CheckFailedError(`DNS: ${summary}. piksel never changes DNS.`, {
      code: 'DNS_DELEGATION',
      hint: `As the owner of ${parent.name}: ${fix}`,
    }),
    details,
  }
}
