/**
 * Binds bootstrap's ports to the services it reuses. The secrets, quota and
 * status services are built on other branches; until they are merged, each
 * port here answers "not bound", and the runner reports the step as skipped
 * with that reason instead of pretending. At merge the lead replaces these
 * bodies with the real calls:
 *   secrets.check  -> listProjectSecrets (src/lib/secrets/service.ts), create -> createSecret
 *   quota.check    -> checkGpuQuotas (src/lib/quota/service.ts), request -> requestGpuQuotaIncreases
 *   health.wait    -> waitForHealthy (src/lib/status/service.ts)
 *   flux.status    -> getFluxStatus (src/lib/status/service.ts), flux-system GitRepository + Kustomization
 */
import type {AwsSession} from '../aws/session.ts'
import {OperationError} from '../errors.ts'
import type {BootstrapPorts} from './ports.ts'

export const PORT_UNBOUND = 'PORT_UNBOUND'

function unbound(service: string): never {
  throw new OperationError(`the ${service} service is not bound in this build`, {code: PORT_UNBOUND})
}

export interface BindContext {
  session: AwsSession
  kubeconfig?: string
}

export async function bindPorts(_context: BindContext): Promise<BootstrapPorts> {
  return {
    secrets: {check: async () => unbound('secret')},
    quota: {check: async () => unbound('quota')},
    health: {wait: async () => unbound('status')},
    flux: {status: async () => unbound('status')},
  }
}
