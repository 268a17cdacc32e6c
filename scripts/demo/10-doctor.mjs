// The preflight every runbook starts with.
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

export default async function doctor(ctx) {
  writeFileSync(
    join(ctx.work, 'piksel.config.yaml'),
    [
      '# The sandbox config: moto answers as account 123456789012.',
      'defaultEnv: staging',
      'environments:',
      '  staging:',
      '    account: "123456789012"',
      '  production:',
      '    account: "999999999999"',
      '',
    ].join('\n'),
  )
  ctx.say('Is this machine ready? (flux is not installed here, so doctor says so and exits 3.)')
  ctx.piksel(['doctor', '-e', 'staging'])
  ctx.say('Who am I in AWS, and is it the staging account?')
  ctx.piksel(['whoami', '-e', 'staging'], {allowFail: false})
  ctx.say('The account guard: production is configured as another account, so nothing would be written.')
  ctx.piksel(['whoami', '-e', 'production'])
}
