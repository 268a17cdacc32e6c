/** The applications step: the environment root's last Terraform phase, after Flux; it converges the whole root. */
import {resolvePhases} from '../phases.ts'
import type {Step} from '../step-context.ts'
import {applyEnvRoot} from '../terraform-steps.ts'

export const applications: Step = async (ctx) => {
  const phases = resolvePhases(ctx.options.env.terraform.phases).applications
  if (phases.length === 0) {
    return {
      status: 'skipped',
      detail: 'no second phase in terraform.phases: everything is applied by infrastructure',
    }
  }
  return applyEnvRoot(ctx, 'applications', phases, true)
}
