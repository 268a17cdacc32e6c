// The team's secrets, safely: a Slack webhook and an OAuth client in the sandbox
// (moto from 00-aws, config with the staging account from 10-doctor).
const WEBHOOK = 'https://hooks.slack.com/services/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'
const OTHER_WEBHOOK = 'https://hooks.slack.com/services/T0SANDBOX/B0SANDBOX/someOtherToken0000000000'

export default async function secrets(ctx) {
  ctx.say(
    'Store the Slack alerts webhook. The URL comes on stdin (e.g. from a password manager), never as an argument.',
  )
  ctx.piksel(['secret', 'create', 'slack', '-e', 'staging', '--from-stdin', '--yes'], {
    input: `${WEBHOOK}\n`,
    allowFail: false,
  })

  ctx.say('Store the Grafana OAuth client: client_id:client_secret on stdin.')
  ctx.piksel(['secret', 'create', 'oauth', '--app', 'grafana', '-e', 'staging', '--from-stdin', '--yes'], {
    input: 'grafana-sandbox-client:sandbox-client-secret-123',
    allowFail: false,
  })

  ctx.say('Run it again with the same value: unchanged, nothing written, exit 0 (no --yes needed).')
  ctx.piksel(['secret', 'create', 'slack', '-e', 'staging', '--from-stdin'], {input: WEBHOOK, allowFail: false})

  ctx.say('A different value is refused (exit 2): nothing is lost unless --overwrite says so.')
  ctx.piksel(['secret', 'create', 'slack', '-e', 'staging', '--from-stdin', '--yes'], {input: OTHER_WEBHOOK})

  ctx.say('A value on the command line is refused with the reason (exit 2).')
  ctx.piksel(['secret', 'create', 'slack', '-e', 'staging', '--value', 'https://hooks.slack.com/…'])

  ctx.say('What the project has in staging, and what is still missing (never the values).')
  ctx.piksel(['secret', 'list', '-e', 'staging'], {allowFail: false})
}
