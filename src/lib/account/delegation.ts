/**
 * DNS delegation of the environment's zone: names and name-server sets compared as DNS
 * compares them (case-insensitive, RFC 4343; a trailing dot only marks a name as absolute).
 * Pure: no I/O, tested table-driven.
 */

/** `Staging.Example.ORG.` -> `staging.example.org`. */
export function normaliseName(name: string): string {
  return name.trim().toLowerCase().replace(/\.+$/, '')
}

/** The zone that would delegate `zone`: the name without its first label; undefined for a top-level domain. */
export function parentZoneName(zone: string): string | undefined {
  const labels = normaliseName(zone).split('.')
  return labels.length > 1 ? labels.slice(1).join('.') : undefined
}

/**
 * The zones that may delegate `zone`, closest first: its ancestors down to two labels
 * (`staging.piksel.example.org` -> `piksel.example.org`, `example.org`). A delegation lives in
 * the closest enclosing zone, which need not be the immediate parent: a hub holding only
 * `example.org` delegates `staging.piksel.example.org` itself (RFC 1034 §4.2, zones and cuts).
 * For a two-label zone: its top-level domain alone (looked up only when a profile says where).
 */
export function enclosingZoneNames(zone: string): string[] {
  const labels = normaliseName(zone).split('.')
  if (labels.length <= 1) return []
  if (labels.length === 2) return [labels[1]!]
  return labels.slice(1, -1).map((_, i) => labels.slice(i + 1).join('.'))
}

/** Two labels (`example.org`): its parent is a top-level domain, delegated by the registrar, not a hosted zone. */
export function isApex(zone: string): boolean {
  return normaliseName(zone).split('.').length <= 2
}

export type DelegationState = 'match' | 'missing' | 'different'

export interface DelegationComparison {
  state: DelegationState
  /** The zone's own name servers (its delegation set), normalised and sorted. */
  zone: string[]
  /** The NS values of the zone's name in the parent zone, normalised and sorted ([] when none). */
  parent: string[]
  /** In the zone's set only / in the parent's NS record only. */
  onlyZone: string[]
  onlyParent: string[]
}

function normaliseSet(values: readonly string[]): string[] {
  return [...new Set(values.map(normaliseName).filter(Boolean))].sort()
}

/**
 * Whether the parent delegates to exactly the zone's name servers. `parent` is undefined
 * when the parent zone has no NS record for the name.
 */
export function compareDelegation(
  zone: readonly string[],
  parent: readonly string[] | undefined,
): DelegationComparison {
  const own = normaliseSet(zone)
  const theirs = normaliseSet(parent ?? [])
  const onlyZone = own.filter((ns) => !theirs.includes(ns))
  const onlyParent = theirs.filter((ns) => !own.includes(ns))
  const state: DelegationState =
    parent === undefined || theirs.length === 0
      ? 'missing'
      : onlyZone.length === 0 && onlyParent.length === 0
        ? 'match'
        : 'different'
  return {state, zone: own, parent: theirs, onlyZone, onlyParent}
}

/**
 * The command that makes the parent delegate to the zone's name servers (an UPSERT of the NS
 * record, TTL 172800 s as Route 53 gives a delegation's NS records by default).
 */
export function delegationFixCommand(
  zone: string,
  parentZoneId: string,
  nameServers: readonly string[],
  profile?: string,
): string {
  const batch = {
    Changes: [
      {
        Action: 'UPSERT',
        ResourceRecordSet: {
          Name: `${normaliseName(zone)}.`,
          Type: 'NS',
          TTL: 172_800,
          ResourceRecords: normaliseSet(nameServers).map((ns) => ({Value: `${ns}.`})),
        },
      },
    ],
  }
  const id = parentZoneId.replace(/^\/hostedzone\//, '')
  return `aws route53 change-resource-record-sets --hosted-zone-id ${id} --change-batch '${JSON.stringify(batch)}'${profile ? ` --profile ${profile}` : ''}`
}
