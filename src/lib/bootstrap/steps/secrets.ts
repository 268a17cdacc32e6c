/** The secrets step: the environment's expected secrets exist (on a terminal, each missing one can be created). */
import {CheckFailedError} from '../../errors.ts'
import {AWS_FLAGS, pikselLine} from '../rerun.ts'
import type {Step} from '../step-context.ts'

export const secrets: Step = async (ctx) => {
  const {env, dryRun} = ctx.options
  const {missing} = await ctx.ports.secrets.check(env)
  if (missing.length === 0) return {status: 'already-done', detail: 'every expected secret exists'}
  const list = missing.join(', ')
  if (dryRun) return {status: 'planned', detail: `missing: ${list} (a real run stops here unless they are created)`}
  const create = ctx.ports.secrets.create
  if (ctx.io.interactive && create) {
    const created: string[] = []
    for (const name of missing) {
      if (!(await ctx.io.confirm(`Secret ${name} is missing. Create it now?`))) continue
      await create.call(ctx.ports.secrets, env, name)
      created.push(name)
    }
    const left = missing.filter((name) => !created.includes(name))
    if (left.length === 0) return {status: 'done', detail: `created ${created.join(', ')}`}
    missing.splice(0, missing.length, ...left)
  }
  throw new CheckFailedError(`Missing secrets for ${env.name}: ${missing.join(', ')}.`, {
    code: 'SECRETS_MISSING',
    hint: `Create them with \`piksel secret create\` (e.g. \`${pikselLine(ctx.options, ['secret', 'create', 'slack'], AWS_FLAGS)}\`)`,
  })
}
