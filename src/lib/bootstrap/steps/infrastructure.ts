/** The infrastructure step: the environment root's Terraform phases before Flux (terraform.phases). */
import {resolvePhases} from '../phases.ts'
import type {Step} from '../step-context.ts'
import {applyEnvRoot} from '../terraform-steps.ts'

export const infrastructure: Step = async (ctx) => {
  const plan = resolvePhases(ctx.options.env.terraform.phases)
  // Without an applications phase, this is the last Terraform step: it converges the whole root.
  return applyEnvRoot(ctx, 'infrastructure', plan.infrastructure, plan.applications.length === 0)
}
