/**
 * The registry: each step id (steps.ts, STEP_IDS: the order, titles and
 * selection rules) to its implementation, one file per step in this folder.
 * The type makes a step id without an implementation a compile error.
 */
import type {Step} from '../step-context.ts'
import type {StepId} from '../steps.ts'
import {applications} from './applications.ts'
import {dns} from './dns.ts'
import {flux} from './flux.ts'
import {health} from './health.ts'
import {identity} from './identity.ts'
import {infrastructure} from './infrastructure.ts'
import {kubeconfig} from './kubeconfig.ts'
import {oidc} from './oidc.ts'
import {preflight} from './preflight.ts'
import {quota} from './quota.ts'
import {secrets} from './secrets.ts'
import {spotRole} from './spot-role.ts'
import {stateBackend} from './state-backend.ts'

export const STEPS: Readonly<Record<StepId, Step>> = {
  preflight,
  identity,
  oidc,
  'spot-role': spotRole,
  dns,
  'state-backend': stateBackend,
  secrets,
  quota,
  infrastructure,
  kubeconfig,
  flux,
  applications,
  health,
}
