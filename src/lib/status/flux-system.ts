/**
 * What flux-system syncs, and whether it is Ready: bootstrap's "already done?" question,
 * answered from the GitRepository and Kustomization named flux-system.
 */
import {type ConnectOptions, withFluxCluster} from './cluster.ts'
import {type FluxObject, assessObject} from './health.ts'
import {FLUX_NAMESPACE} from './snapshot.ts'

/** What the cluster says about flux-system (the GitRepository and Kustomization of that name). */
export interface FluxSystemSync {
  /** Either flux-system object exists (half of one still syncs something). */
  installed: boolean
  /** GitRepository flux-system spec.url, e.g. ssh://git@github.com/piksel-ina/piksel-gitops */
  url?: string
  /** GitRepository flux-system spec.ref.branch. */
  branch?: string
  /** Kustomization flux-system spec.path, e.g. ./clusters/staging */
  path?: string
  /**
   * Kustomization flux-system spec.sourceRef: what it applies (flux bootstrap writes GitRepository
   * flux-system). readFluxSystem fills in the namespace, which defaults to the Kustomization's, as in Flux.
   */
  source?: {kind: string; name: string; namespace?: string}
  /** Both objects are Ready by the health rules. */
  ready: boolean
}

/** Reads the flux-system GitRepository and Kustomization (two GETs at the discovered versions). */
export async function readFluxSystem(options: ConnectOptions & {fluxNamespace?: string}): Promise<FluxSystemSync> {
  const ns = options.fluxNamespace ?? FLUX_NAMESPACE
  try {
    return await withFluxCluster({...options, kinds: ['GitRepository', 'Kustomization']}, async (cluster) => {
      const get = async (kind: string) => {
        const obj = await cluster.get<FluxObject>(kind, ns, 'flux-system', options.signal)
        if (!obj) return undefined
        const hasStatus = cluster.kinds.find((k) => k.kind === kind)?.hasStatus
        return {obj, ready: assessObject(obj, {hasStatus}).health === 'ready'}
      }
      const [git, ks] = await Promise.all([get('GitRepository'), get('Kustomization')])
      return describe(git, ks, ns)
    })
  } catch (error) {
    if ((error as {code?: string}).code === 'FLUX_NOT_INSTALLED') return {installed: false, ready: false}
    throw error
  }
}

function describe(
  git: {obj: FluxObject; ready: boolean} | undefined,
  ks: {obj: FluxObject; ready: boolean} | undefined,
  ns: string,
): FluxSystemSync {
  // Half a flux-system (one of the two left) still syncs something: it is installed, not Ready.
  if (!git && !ks) return {installed: false, ready: false}
  const spec = (o: FluxObject | undefined) =>
    (o?.spec ?? {}) as {
      url?: string
      ref?: {branch?: string}
      path?: string
      sourceRef?: {kind?: string; name?: string; namespace?: string}
    }
  const {url, ref: {branch} = {}} = spec(git?.obj)
  const {path, sourceRef: ref} = spec(ks?.obj)
  return {
    installed: true,
    ...(url === undefined ? {} : {url}),
    ...(branch === undefined ? {} : {branch}),
    ...(path === undefined ? {} : {path}),
    ...(ref?.kind && ref.name ? {source: {kind: ref.kind, name: ref.name, namespace: ref.namespace ?? ns}} : {}),
    ready: Boolean(git?.ready && ks?.ready),
  }
}
