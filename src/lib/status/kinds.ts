/**
 * The Flux kinds piksel reads, the API groups they live in, and how a kind's
 * version is chosen from discovery. Pure: no I/O.
 */
import {UsageError} from '../errors.ts'

export interface FluxKindSpec {
  kind: string
  group: string
  plural: string
  /** The controller that reconciles it (for hints). */
  controller: string
  /** `flux` CLI noun, for hints such as `flux resume <noun> <name>`. */
  fluxNoun: string
  /** Sources are reconciled before the objects that use them. */
  source?: boolean
  /** Present only where the image automation controllers are installed. */
  optional?: boolean
}

export const FLUX_KINDS: FluxKindSpec[] = [
  {
    kind: 'GitRepository',
    group: 'source.toolkit.fluxcd.io',
    plural: 'gitrepositories',
    controller: 'source-controller',
    fluxNoun: 'source git',
    source: true,
  },
  {
    kind: 'OCIRepository',
    group: 'source.toolkit.fluxcd.io',
    plural: 'ocirepositories',
    controller: 'source-controller',
    fluxNoun: 'source oci',
    source: true,
  },
  {
    kind: 'HelmRepository',
    group: 'source.toolkit.fluxcd.io',
    plural: 'helmrepositories',
    controller: 'source-controller',
    fluxNoun: 'source helm',
    source: true,
  },
  {
    kind: 'HelmChart',
    group: 'source.toolkit.fluxcd.io',
    plural: 'helmcharts',
    controller: 'source-controller',
    fluxNoun: 'source chart',
    source: true,
  },
  {
    kind: 'Bucket',
    group: 'source.toolkit.fluxcd.io',
    plural: 'buckets',
    controller: 'source-controller',
    fluxNoun: 'source bucket',
    source: true,
  },
  {
    kind: 'Kustomization',
    group: 'kustomize.toolkit.fluxcd.io',
    plural: 'kustomizations',
    controller: 'kustomize-controller',
    fluxNoun: 'kustomization',
  },
  {
    kind: 'HelmRelease',
    group: 'helm.toolkit.fluxcd.io',
    plural: 'helmreleases',
    controller: 'helm-controller',
    fluxNoun: 'helmrelease',
  },
  {
    kind: 'Provider',
    group: 'notification.toolkit.fluxcd.io',
    plural: 'providers',
    controller: 'notification-controller',
    fluxNoun: 'alert-provider',
  },
  {
    kind: 'Alert',
    group: 'notification.toolkit.fluxcd.io',
    plural: 'alerts',
    controller: 'notification-controller',
    fluxNoun: 'alert',
  },
  {
    kind: 'Receiver',
    group: 'notification.toolkit.fluxcd.io',
    plural: 'receivers',
    controller: 'notification-controller',
    fluxNoun: 'receiver',
  },
  {
    kind: 'ImageRepository',
    group: 'image.toolkit.fluxcd.io',
    plural: 'imagerepositories',
    controller: 'image-reflector-controller',
    fluxNoun: 'image repository',
    optional: true,
  },
  {
    kind: 'ImagePolicy',
    group: 'image.toolkit.fluxcd.io',
    plural: 'imagepolicies',
    controller: 'image-reflector-controller',
    fluxNoun: 'image policy',
    optional: true,
  },
  {
    kind: 'ImageUpdateAutomation',
    group: 'image.toolkit.fluxcd.io',
    plural: 'imageupdateautomations',
    controller: 'image-automation-controller',
    fluxNoun: 'image update',
    optional: true,
  },
]

export const FLUX_GROUPS = [...new Set(FLUX_KINDS.map((k) => k.group))]

/** What discovery says about one group: its versions, most preferred first, and the resources of each. */
export interface GroupDiscovery {
  group: string
  preferredVersion: string
  /** Served versions in the server's priority order. */
  versions: string[]
  /** version -> resource names served at that version (including `plural/status` subresources). */
  resources: Record<string, string[]>
}

/** A kind as this cluster serves it. */
export interface ResolvedKind extends FluxKindSpec {
  version: string
  apiVersion: string
  /** The CRD version has a status subresource: no status then means never reconciled. */
  hasStatus: boolean
}

/**
 * Per kind, the group's preferred version when it serves the kind, else the
 * first version in the server's priority order that does (kubectl's rule):
 * notification.toolkit.fluxcd.io prefers v1, which serves only Receiver.
 */
export function resolveKinds(groups: GroupDiscovery[], specs: FluxKindSpec[] = FLUX_KINDS): ResolvedKind[] {
  const byGroup = new Map(groups.map((g) => [g.group, g]))
  const resolved: ResolvedKind[] = []
  for (const spec of specs) {
    const group = byGroup.get(spec.group)
    if (!group) continue
    const order = [group.preferredVersion, ...group.versions.filter((v) => v !== group.preferredVersion)]
    const version = order.find((v) => group.resources[v]?.includes(spec.plural))
    if (!version) continue
    resolved.push({
      ...spec,
      version,
      apiVersion: `${spec.group}/${version}`,
      hasStatus: group.resources[version]?.includes(`${spec.plural}/status`) ?? false,
    })
  }
  return resolved
}

/**
 * `--kind` values: kind names, plurals or flux short names, case-insensitive, comma or repeated.
 * Exit 2 (`UNKNOWN_KIND`) for a name that is no Flux kind, and for values that name no kind at all (`--kind ""`).
 */
export function parseKindFilter(
  values: string[] | undefined,
  specs: FluxKindSpec[] = FLUX_KINDS,
): string[] | undefined {
  if (!values || values.length === 0) return undefined
  const aliases: Record<string, string> = {
    gitrepo: 'GitRepository',
    ocirepo: 'OCIRepository',
    helmrepo: 'HelmRepository',
    hc: 'HelmChart',
    ks: 'Kustomization',
    hr: 'HelmRelease',
  }
  const wanted = new Set<string>()
  const unknown: string[] = []
  for (const raw of values.flatMap((v) => v.split(','))) {
    const name = raw.trim().toLowerCase()
    if (!name) continue
    const spec =
      specs.find((s) => s.kind.toLowerCase() === name || s.plural === name || s.kind.toLowerCase() + 's' === name) ??
      specs.find((s) => s.kind === aliases[name])
    if (spec) wanted.add(spec.kind)
    else unknown.push(raw.trim())
  }
  if (unknown.length > 0) {
    throw new UsageError(`Unknown kind ${unknown.map((u) => `"${u}"`).join(', ')}.`, {
      code: 'UNKNOWN_KIND',
      hint: `Known kinds: ${specs.map((s) => s.kind).join(', ')}.`,
    })
  }
  // `--kind ""` (an unset variable in CI) asks about no kind: refused, not answered with an empty, green list.
  if (wanted.size === 0) {
    throw new UsageError('--kind names no kind.', {
      code: 'UNKNOWN_KIND',
      hint: `Known kinds: ${specs.map((s) => s.kind).join(', ')}.`,
    })
  }
  return [...wanted]
}
