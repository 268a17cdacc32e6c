/** The identity step: the account guard, before any step writes. */
import type {Step} from '../step-context.ts'

export const identity: Step = async (ctx) => {
  const {assertAccount} = await import('../../aws/identity.ts')
  const identity = await ctx.options.caller()
  assertAccount(ctx.options.env, identity, ctx.options.session)
  ctx.state.account = identity.account
  const guard = ctx.options.env.account
    ? `is ${ctx.options.env.name}`
    : `(no account configured for ${ctx.options.env.name}, so the account guard is off)`
  return {status: 'done', detail: `account ${identity.account} ${guard}, ${identity.arn}`}
}
