/**
 * Which Flux controllers run, and which are missing for the objects on the cluster.
 * Pure: Deployments and counts in, statuses out.
 *
 * `flux check` lists the Deployments of the Flux namespace (`--namespace`, default
 * `flux-system`) and names each controller by its Deployment name (fluxcd/flux2
 * cmd/flux/check.go, `componentsCheck`). piksel does the same without relying on the
 * `app.kubernetes.io/part-of=flux` label, which not every installation sets: a Deployment
 * is a Flux controller when its name is one (the kinds' map below), or when it carries that
 * label (another Flux component, listed as `flux check` lists it).
 *
 * The controller of each kind (Flux docs, "Components"): source-controller: GitRepository,
 * OCIRepository, HelmRepository, HelmChart, Bucket · kustomize-controller: Kustomization ·
 * helm-controller: HelmRelease · notification-controller: Provider, Alert, Receiver ·
 * image-reflector-controller: ImageRepository, ImagePolicy · image-automation-controller:
 * ImageUpdateAutomation.
 */
import {FLUX_KINDS, type FluxKindSpec} from './kinds.ts'
import {type ControllerStatus, type WorkloadObject, controllerStatus} from './workloads.ts'

/** The Flux controllers, in the order of FLUX_KINDS. */
export const FLUX_CONTROLLERS: string[] = [...new Set(FLUX_KINDS.map((k) => k.controller))]

/** The Flux controllers among the Deployments of the Flux namespace, sorted by name. */
export function findControllers(deployments: WorkloadObject[]): ControllerStatus[] {
  return deployments
    .filter(
      (d) => FLUX_CONTROLLERS.includes(d.metadata.name) || d.metadata.labels?.['app.kubernetes.io/part-of'] === 'flux',
    )
    .map(controllerStatus)
    .sort((a, b) => a.name.localeCompare(b.name))
}

export interface MissingController {
  name: string
  /** The kinds with objects that this controller reconciles. */
  kinds: string[]
  /** How many such objects. */
  objects: number
}

/**
 * The controllers that objects need but that have no Deployment in the Flux namespace.
 * `objectsPerKind`: how many objects of each kind are judged. A controller that exists
 * but is not available is not missing (it is down: see ControllerStatus.ready).
 */
export function missingControllers(
  found: ReadonlyArray<Pick<ControllerStatus, 'name'>>,
  objectsPerKind: Readonly<Record<string, number>>,
  specs: FluxKindSpec[] = FLUX_KINDS,
): MissingController[] {
  const present = new Set(found.map((c) => c.name))
  const missing = new Map<string, MissingController>()
  for (const spec of specs) {
    const n = objectsPerKind[spec.kind] ?? 0
    if (n === 0 || present.has(spec.controller)) continue
    const entry = missing.get(spec.controller) ?? {name: spec.controller, kinds: [], objects: 0}
    entry.kinds.push(spec.kind)
    entry.objects += n
    missing.set(spec.controller, entry)
  }
  return [...missing.values()].sort((a, b) => a.name.localeCompare(b.name))
}

/** A missing controller as an entry of `controllers` in the status result. */
export function missingStatus(missing: MissingController, namespace: string): ControllerStatus {
  const plural = missing.objects === 1 ? 'object' : 'objects'
  return {
    name: missing.name,
    namespace,
    ready: false,
    missing: true,
    replicas: 0,
    available: 0,
    images: [],
    version: null,
    message: `missing: no Deployment in ${namespace}, needed by ${missing.objects} ${plural} (${missing.kinds.join(', ')})`,
  }
}
