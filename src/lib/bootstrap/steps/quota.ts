/**
 * The quota step: GPU vCPU quotas for Karpenter. It warns and never stops the
 * bootstrap; each increase request opens an AWS support case, so only
 * --request-quotas files them (and asks first), never --yes alone.
 */
import {UsageError} from '../../errors.ts'
import {AWS_FLAGS, pikselLine} from '../rerun.ts'
import type {Step} from '../step-context.ts'

export const quota: Step = async (ctx) => {
  const {env, dryRun} = ctx.options
  const check = await ctx.ports.quota.check(env, {signal: ctx.options.signal})
  if (check.below === 0) return {status: 'already-done', detail: check.summary}
  if (check.pending >= check.below) {
    return {status: 'already-done', detail: `${check.summary} (requests already open; approval can take days)`}
  }
  const request = ctx.ports.quota.request
  if (!ctx.options.requestQuotas) {
    return {
      status: dryRun ? 'planned' : 'done',
      detail: `warning: ${check.summary}; not requested (--request-quotas files the increase requests, each an AWS support case)`,
      changed: false,
    }
  }
  if (dryRun || !request) {
    return {
      status: dryRun ? 'planned' : 'done',
      detail: `warning: ${check.summary}${dryRun ? '; would request the increases' : ''}`,
      changed: false,
    }
  }
  let ok: boolean
  try {
    ok = await ctx.io.confirm(`${check.summary}. Request the increases now?`)
  } catch (error) {
    // Quota warns only: without a terminal or --yes it does not stop the bootstrap.
    if (error instanceof UsageError && error.code === 'INPUT_REQUIRED') {
      return {
        status: 'done',
        detail: `warning: ${check.summary}; not requested (pass --yes, or run \`${pikselLine(ctx.options, ['quota', 'gpu'], AWS_FLAGS)}\`)`,
        changed: false,
      }
    }
    throw error
  }
  if (!ok) return {status: 'done', detail: `warning: ${check.summary}; not requested`, changed: false}
  const requested = await request.call(ctx.ports.quota, env)
  return {status: 'done', detail: requested.summary}
}
