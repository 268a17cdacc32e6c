/** The preflight step: the tools and credentials (doctor's checks), then the pre-write checks. */
import {CheckFailedError} from '../../errors.ts'
import {checkBeforeWrites} from '../preflight.ts'
import {DOCTOR_FLAGS, pikselLine} from '../rerun.ts'
import type {Step} from '../step-context.ts'
import {toolsFor} from '../steps.ts'

export const preflight: Step = async (ctx) => {
  const {runDoctor} = await import('../../doctor/service.ts')
  const tools = toolsFor(ctx.options.steps)
  const checks = await runDoctor({
    env: ctx.options.env,
    session: ctx.options.session,
    caller: ctx.options.caller,
    enginesRange: ctx.options.enginesRange,
    kubeconfig: ctx.options.kubeconfig,
    tools,
  })
  // The account is the identity step's guard; the kube context does not exist before bootstrap.
  const relevant = checks.filter((c) => !['config', 'kube-context', 'aws-account'].includes(c.name))
  for (const c of relevant) ctx.line(`${c.status} ${c.name}: ${c.detail}`)
  const failed = relevant.filter((c) => c.status === 'fail')
  if (failed.length > 0) {
    throw new CheckFailedError(`Preflight failed: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`, {
      code: 'PREFLIGHT_FAILED',
      hint: `Fix the checks above (\`${pikselLine(ctx.options, ['doctor'], DOCTOR_FLAGS)}\` shows them all).`,
    })
  }
  const versions = relevant.filter((c) => tools.includes(c.name)).map((c) => `${c.name} ${c.detail}`)
  const notes = await checkBeforeWrites(ctx)
  const found = [versions.length > 0 ? versions.join(', ') : 'node and AWS credentials ok', ...notes]
  return {status: 'done', detail: found.join('; ')}
}
