/**
 * Flux objects that have no status by design ("static objects"): no controller writes
 * their status, so an empty or absent status says nothing is wrong. Pure: no I/O.
 *
 * Found in the Flux v2.6 CRDs (gotk-components.yaml) and the Flux docs:
 * - Provider and Alert at `notification.toolkit.fluxcd.io/v1beta3`: the CRD version has no
 *   status subresource and no status schema (v1beta1/v1beta2 had both); notification-controller
 *   only reads them when it dispatches events (fluxcd/notification-controller#540).
 * - HelmRepository with `spec.type: oci`: "a data container to store the information about the
 *   OCI repository" (source-controller docs, Helm OCI repository); since source-controller
 *   v1.2 (Flux v2.2) it is not reconciled and its status is `{}`, or `{observedGeneration: -1}`
 *   (the CRD default) (fluxcd/source-controller#1243). Status left over from older
 *   controllers is not maintained any more, so it is ignored.
 * `flux get` shows all three as Ready ("Provider is Ready", "Alert is Ready",
 * "Helm repository is Ready"; fluxcd/flux2#4298), and `flux reconcile` refuses them
 * ("reconciliation not supported by the object").
 * Any other kind whose served version has no status subresource (from discovery) is treated the same way.
 */
import type {FluxObject} from './health.ts'

/** Kinds that lost their status at a version: kind -> those API versions. */
const STATUSLESS_VERSIONS: Record<string, string[]> = {
  Provider: ['notification.toolkit.fluxcd.io/v1beta3'],
  Alert: ['notification.toolkit.fluxcd.io/v1beta3'],
}

/**
 * Why this object has no status by design (the message shown with `ready`), or undefined when a
 * controller is expected to write its status. `hasStatus`: the version read has a status
 * subresource (discovery); undefined when unknown.
 */
export function staticObjectReason(obj: FluxObject, hasStatus?: boolean): string | undefined {
  if (obj.kind === 'HelmRepository' && obj.spec?.type === 'oci') {
    return 'HelmRepository of type oci: configuration only, not reconciled by source-controller (no status by design)'
  }
  if (STATUSLESS_VERSIONS[obj.kind]?.includes(obj.apiVersion) || hasStatus === false) {
    return `no status at ${obj.apiVersion} by design: valid once accepted by the API server`
  }
  return undefined
}

/** Static objects cannot be reconciled: `flux reconcile` refuses them, and so does `--reconcile`. */
export function isReconcilable(obj: FluxObject, hasStatus?: boolean): boolean {
  return staticObjectReason(obj, hasStatus) === undefined
}
