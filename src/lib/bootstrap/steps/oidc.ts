/** Step `oidc`: GitHub Actions OIDC provider and the CI role for Terraform; the body is the account service's (src/lib/account/steps.ts). */
import {accountContext} from '../../account/context.ts'
import type {Step} from '../step-context.ts'

export const oidc: Step = async (ctx) => (await import('../../account/steps.ts')).oidcStep(accountContext(ctx))
