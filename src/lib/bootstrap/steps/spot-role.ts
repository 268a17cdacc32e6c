/** Step `spot-role`: the EC2 Spot service-linked role Karpenter needs; the body is the account service's (src/lib/account/steps.ts). */
import {accountContext} from '../../account/context.ts'
import type {Step} from '../step-context.ts'

export const spotRole: Step = async (ctx) => (await import('../../account/steps.ts')).spotRoleStep(accountContext(ctx))
