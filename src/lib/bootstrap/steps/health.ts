/** The health step: wait, through the status port, until Flux is Ready on the environment's cluster. */
import {formatDuration} from '../../duration.ts'
import {CheckFailedError, InterruptedError} from '../../errors.ts'
import {requireCluster} from '../preflight.ts'
import {STATUS_FLAGS, pikselLine} from '../rerun.ts'
import type {Step} from '../step-context.ts'

export const health: Step = async (ctx) => {
  const {env, dryRun, timeoutMs, signal} = ctx.options
  const target = await requireCluster(ctx)
  const later = target.state === 'planned-context' ? ` ${target.later}` : ''
  if (dryRun) {
    return {status: 'planned', detail: `would wait up to ${formatDuration(timeoutMs)} for Flux to be Ready${later}`}
  }
  const outcome = await ctx.ports.health.wait(env, {timeoutMs, signal, onProgress: ctx.line})
  if (signal?.aborted) throw new InterruptedError()
  if (!outcome.healthy) {
    throw new CheckFailedError(`Not healthy after ${formatDuration(timeoutMs)}: ${outcome.summary}`, {
      code: 'UNHEALTHY',
      hint: `See \`${pikselLine(ctx.options, ['status'], STATUS_FLAGS)}\`; a longer --timeout may help.`,
    })
  }
  return {status: 'done', detail: outcome.summary}
}
