/** Step `dns`: the environment's hosted zone and its delegation (checked, never changed); the body is the account service's (src/lib/account/steps.ts). */
import {accountContext} from '../../account/context.ts'
import type {Step} from '../step-context.ts'

export const dns: Step = async (ctx) => (await import('../../account/steps.ts')).dnsStep(accountContext(ctx))
